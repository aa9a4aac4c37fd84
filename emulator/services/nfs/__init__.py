from emulator.services import Family

from .models import NfsBackend
from .routes import routes

FAMILY = Family("nfs", routes, NfsBackend)
