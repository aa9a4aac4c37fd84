from emulator.services import Family

from .models import AccountBackend
from .routes import routes

FAMILY = Family("account", routes, AccountBackend)
