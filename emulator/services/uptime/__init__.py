from emulator.services import Family

from .models import UptimeBackend
from .routes import routes

FAMILY = Family("uptime", routes, UptimeBackend)
