from emulator.services import Family

from .routes import routes

FAMILY = Family("billing", routes)
