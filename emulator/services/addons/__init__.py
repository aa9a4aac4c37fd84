from emulator.services import Family

from .models import AddonsBackend
from .routes import routes

FAMILY = Family("addons", routes, AddonsBackend)
