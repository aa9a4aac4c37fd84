from emulator.services import Family

from .models import ProjectsBackend
from .routes import routes

FAMILY = Family("projects", routes, ProjectsBackend)
