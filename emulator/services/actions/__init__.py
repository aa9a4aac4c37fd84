from emulator.services import Family

from .models import ActionsBackend
from .routes import routes

FAMILY = Family("actions", routes, ActionsBackend)
