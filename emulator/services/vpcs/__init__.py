from emulator.services import Family

from .models import VpcsBackend
from .routes import routes

FAMILY = Family("vpcs", routes, VpcsBackend)
