from emulator.services import Family

from .models import PartnerNetworkBackend
from .routes import routes

FAMILY = Family("partner_network", routes, PartnerNetworkBackend)
