from emulator.services import Family

from .models import RegistryBackend
from .routes import routes

FAMILY = Family("registry", routes, RegistryBackend)
