from emulator.services import Family

from .models import DropletsBackend
from .routes import routes

FAMILY = Family("droplets", routes, DropletsBackend)
