from emulator.services import Family

from .models import DomainsBackend
from .routes import routes

FAMILY = Family("domains", routes, DomainsBackend)
