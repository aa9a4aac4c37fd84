from emulator.services import Family

from .models import KubernetesBackend
from .routes import routes

FAMILY = Family("kubernetes", routes, KubernetesBackend)
