from emulator.services import Family

from .models import CatalogBackend
from .routes import routes

FAMILY = Family("catalog", routes, CatalogBackend)
