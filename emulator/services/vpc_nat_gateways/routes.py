from emulator.core.crud import Collection
from emulator.core.routing import Routes

routes = Routes()
GATEWAYS = Collection("vpc_nat_gateways", "/v2/vpc_nat_gateways", "id", "vpc_nat_gateway", "vpc_nat_gateways",
                      filters={"state": "state", "region": "region", "kind": "type", "name": "name"}, put="update",
                      create_status=202, delete_status=202)
GATEWAYS.register(routes)
