from emulator.core.crud import Collection, member_routes
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
LOAD_BALANCERS = Collection("load_balancers", "/v2/load_balancers", "lb_id", "load_balancer", "load_balancers",
                            put="replace", create_status=202)
LOAD_BALANCERS.register(routes)
member_routes(routes, LOAD_BALANCERS, "droplets", "add_droplets", "remove_droplets")
member_routes(routes, LOAD_BALANCERS, "forwarding_rules", "add_forwarding_rules", "remove_forwarding_rules")


@routes.delete("/v2/load_balancers/{lb_id}/cache")
def load_balancers_delete_cache(req: Request):
    req.backend("load_balancers").purge_cache(req.params["lb_id"])
    return Reply(204)
