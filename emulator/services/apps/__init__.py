from emulator.services import Family

from .models import AppsBackend
from .routes import routes

FAMILY = Family("apps", routes, AppsBackend)
