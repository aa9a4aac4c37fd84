from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


def _lbs(req: Request):
    return req.backend("load_balancers")


@routes.get("/v2/load_balancers")
def load_balancers_list(req: Request):
    backend = _lbs(req)
    return paginate(req, [backend.view(r) for r in backend.list()], "load_balancers")


@routes.post("/v2/load_balancers")
def load_balancers_create(req: Request):
    backend = _lbs(req)
    return Reply(202, {"load_balancer": backend.view(backend.create(req.json()))})


@routes.get("/v2/load_balancers/{lb_id}")
def load_balancers_get(req: Request):
    backend = _lbs(req)
    return {"load_balancer": backend.view(backend.get(req.params["lb_id"]))}


@routes.put("/v2/load_balancers/{lb_id}")
def load_balancers_update(req: Request):
    backend = _lbs(req)
    return {"load_balancer": backend.view(backend.replace(req.params["lb_id"], req.json()))}


@routes.delete("/v2/load_balancers/{lb_id}")
def load_balancers_delete(req: Request):
    _lbs(req).delete(req.params["lb_id"])
    return Reply(204)


@routes.delete("/v2/load_balancers/{lb_id}/cache")
def load_balancers_delete_cache(req: Request):
    _lbs(req).purge_cache(req.params["lb_id"])
    return Reply(204)


def _member_route(path: str, add: str, remove: str) -> None:
    def do_add(req: Request):
        getattr(_lbs(req), add)(req.params["lb_id"], req.json())
        return Reply(204)

    def do_remove(req: Request):
        getattr(_lbs(req), remove)(req.params["lb_id"], req.json())
        return Reply(204)

    routes.add("POST", path, do_add)
    routes.add("DELETE", path, do_remove)


_member_route("/v2/load_balancers/{lb_id}/droplets", "add_droplets", "remove_droplets")
_member_route("/v2/load_balancers/{lb_id}/forwarding_rules", "add_forwarding_rules", "remove_forwarding_rules")
