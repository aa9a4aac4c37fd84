from emulator.services import Family

from .models import ReservedIpsBackend
from .routes import routes

FAMILY = Family("reserved_ips", routes, ReservedIpsBackend)
