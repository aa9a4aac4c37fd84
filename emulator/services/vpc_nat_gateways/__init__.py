from emulator.services import Family

from .models import VpcNatGatewaysBackend
from .routes import routes

FAMILY = Family("vpc_nat_gateways", routes, VpcNatGatewaysBackend)
