from emulator.services import Family

from .models import FunctionsBackend
from .routes import routes

FAMILY = Family("functions", routes, FunctionsBackend)
