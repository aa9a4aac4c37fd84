from emulator.services import Family

from .models import MonitoringBackend
from .routes import routes

FAMILY = Family("monitoring", routes, MonitoringBackend)
