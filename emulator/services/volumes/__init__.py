from emulator.services import Family

from .models import VolumesBackend
from .routes import routes

FAMILY = Family("volumes", routes, VolumesBackend)
