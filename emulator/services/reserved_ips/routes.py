"""``/v2/reserved_ips`` and its old name ``/v2/floating_ips`` (one store, each with its own envelope), and
``/v2/reserved_ipv6``."""

from emulator.core.crud import Collection
from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes, api_url

routes = Routes()

# URL prefix → (object envelope, list key, action resource_type)
NAMES = {"reserved_ips": ("reserved_ip", "reserved_ips", "reserved_ip"),
         "floating_ips": ("floating_ip", "floating_ips", "floating_ip")}


def _register(prefix: str, one: str, many: str, resource_type: str) -> None:
    base = f"/v2/{prefix}"

    def list_ips(req: Request):
        backend = req.backend("reserved_ips")
        return paginate(req, [backend.view(r) for r in backend.list()], many)

    def create_ip(req: Request):
        backend = req.backend("reserved_ips")
        record, action = backend.create(req.json())
        links: dict = {}
        if action is not None:
            links = {"droplets": [{"id": record["_droplet_id"], "rel": "droplet",
                                   "href": api_url(f"/v2/droplets/{record['_droplet_id']}")}],
                     "actions": [{"id": action["id"], "rel": "assign_ip",
                                  "href": api_url(f"/v2/actions/{action['id']}")}]}
        return Reply(202, {one: backend.view(record), "links": links})

    def get_ip(req: Request):
        backend = req.backend("reserved_ips")
        return {one: backend.view(backend.get(req.params["ip"]))}

    def delete_ip(req: Request):
        req.backend("reserved_ips").delete(req.params["ip"])
        return Reply(204)

    def list_actions(req: Request):
        return paginate(req, req.backend("reserved_ips").actions(req.params["ip"], resource_type), "actions")

    def post_action(req: Request):
        return Reply(201, {"action": req.backend("reserved_ips").act(req.params["ip"], req.json(), resource_type)})

    def get_action(req: Request):
        action = req.backend("reserved_ips").action(req.params["ip"], req.param_int("action_id"), resource_type)
        return {"action": action}

    routes.add("GET", base, list_ips)
    routes.add("POST", base, create_ip)
    routes.add("GET", base + "/{ip}", get_ip)
    routes.add("DELETE", base + "/{ip}", delete_ip)
    routes.add("GET", base + "/{ip}/actions", list_actions)
    routes.add("POST", base + "/{ip}/actions", post_action)
    routes.add("GET", base + "/{ip}/actions/{action_id}", get_action)


for _prefix, (_one, _many, _type) in NAMES.items():
    _register(_prefix, _one, _many, _type)


RESERVED_IPV6 = Collection("reserved_ips", "/v2/reserved_ipv6", "ip", "reserved_ipv6", "reserved_ipv6s", view="view_v6",
                           list="list_v6", create="create_v6", get="get_v6", delete="delete_v6")
RESERVED_IPV6.register(routes)


@routes.post("/v2/reserved_ipv6/{ip}/actions")
def reserved_ipv6_post_action(req: Request):
    return Reply(201, {"action": req.backend("reserved_ips").act_v6(req.params["ip"], req.json())})
