from emulator.services import Family

from .models import FirewallsBackend
from .routes import routes

FAMILY = Family("firewalls", routes, FirewallsBackend)
