from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


def _fw(req: Request):
    return req.backend("firewalls")


@routes.get("/v2/firewalls")
def firewalls_list(req: Request):
    backend = _fw(req)
    return paginate(req, [backend.view(r) for r in backend.list()], "firewalls")


@routes.post("/v2/firewalls")
def firewalls_create(req: Request):
    backend = _fw(req)
    return Reply(202, {"firewall": backend.view(backend.create(req.json()))})


@routes.get("/v2/firewalls/{firewall_id}")
def firewalls_get(req: Request):
    backend = _fw(req)
    return {"firewall": backend.view(backend.get(req.params["firewall_id"]))}


@routes.put("/v2/firewalls/{firewall_id}")
def firewalls_update(req: Request):
    backend = _fw(req)
    return {"firewall": backend.view(backend.replace(req.params["firewall_id"], req.json()))}


@routes.delete("/v2/firewalls/{firewall_id}")
def firewalls_delete(req: Request):
    _fw(req).delete(req.params["firewall_id"])
    return Reply(204)


def _member_route(path: str, add: str, remove: str) -> None:
    def do_add(req: Request):
        getattr(_fw(req), add)(req.params["firewall_id"], req.json())
        return Reply(204)

    def do_remove(req: Request):
        getattr(_fw(req), remove)(req.params["firewall_id"], req.json())
        return Reply(204)

    routes.add("POST", path, do_add)
    routes.add("DELETE", path, do_remove)


_member_route("/v2/firewalls/{firewall_id}/droplets", "add_droplets", "remove_droplets")
_member_route("/v2/firewalls/{firewall_id}/tags", "add_tags", "remove_tags")
_member_route("/v2/firewalls/{firewall_id}/rules", "add_rules", "remove_rules")
