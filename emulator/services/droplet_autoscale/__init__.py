from emulator.services import Family

from .models import DropletAutoscaleBackend
from .routes import routes

FAMILY = Family("droplet_autoscale", routes, DropletAutoscaleBackend)
