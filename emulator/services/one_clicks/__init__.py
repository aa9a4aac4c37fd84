from emulator.services import Family

from .models import OneClicksBackend
from .routes import routes

FAMILY = Family("one_clicks", routes, OneClicksBackend)
