from emulator.services import Family

from .models import OrganizationsBackend
from .routes import routes

FAMILY = Family("organizations", routes, OrganizationsBackend)
