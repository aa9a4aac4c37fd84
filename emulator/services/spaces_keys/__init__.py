from emulator.services import Family

from .models import SpacesKeysBackend
from .routes import routes

FAMILY = Family("spaces_keys", routes, SpacesKeysBackend)
