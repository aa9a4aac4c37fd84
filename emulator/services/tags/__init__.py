from emulator.services import Family

from .models import TagsBackend
from .routes import routes

FAMILY = Family("tags", routes, TagsBackend)
