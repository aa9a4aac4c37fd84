from emulator.services import Family

from .models import DatabasesBackend
from .routes import routes

FAMILY = Family("databases", routes, DatabasesBackend)
