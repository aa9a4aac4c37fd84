from emulator.services import Family

from .models import VpcPeeringsBackend
from .routes import routes

FAMILY = Family("vpc_peerings", routes, VpcPeeringsBackend)
