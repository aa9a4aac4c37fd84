from emulator.core.crud import Collection, member_routes
from emulator.core.routing import Routes

routes = Routes()
FIREWALLS = Collection("firewalls", "/v2/firewalls", "firewall_id", "firewall", "firewalls", put="replace",
                       create_status=202)
FIREWALLS.register(routes)
member_routes(routes, FIREWALLS, "droplets", "add_droplets", "remove_droplets")
member_routes(routes, FIREWALLS, "tags", "add_tags", "remove_tags")
member_routes(routes, FIREWALLS, "rules", "add_rules", "remove_rules")
