from emulator.services import Family

from .models import SecurityBackend
from .routes import routes

FAMILY = Family("security", routes, SecurityBackend)
