from emulator.services import Family

from .models import LoadBalancersBackend
from .routes import routes

FAMILY = Family("load_balancers", routes, LoadBalancersBackend)
