from emulator.services import Family

from .models import CdnBackend
from .routes import routes

FAMILY = Family("cdn", routes, CdnBackend)
