from emulator.core import links
from emulator.core.crud import Collection
from emulator.core.errors import BadRequest
from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes, api_url
from emulator.core.state import public

from . import associated

routes = Routes()
DROPLETS = Collection("droplets", "/v2/droplets", "droplet_id", "droplet", "droplets", view=None, list=None,
                      create=None, int_id=True)
DROPLETS.register(routes)


def _action_link(req: Request, action: dict, rel: str) -> dict:
    return {"id": action["id"], "rel": rel, "href": api_url(f"/v2/actions/{action['id']}")}


@routes.get("/v2/droplets")
def droplets_list(req: Request):
    records = req.backend("droplets").records(tag_name=req.arg("tag_name") or None, name=req.arg("name") or None)
    body = paginate(req, records, "droplets")
    body["droplets"] = [public(r) for r in body["droplets"]]
    return body


@routes.post("/v2/droplets")
def droplets_create(req: Request):
    body = req.json()
    created = req.backend("droplets").create(body)
    links = {"actions": [_action_link(req, action, "create") for _, action in created]}
    if body.get("names"):
        return Reply(202, {"droplets": [public(d) for d, _ in created], "links": links})
    return Reply(202, {"droplet": public(created[0][0]), "links": links})


@routes.delete("/v2/droplets")
def droplets_destroy_by_tag(req: Request):
    req.backend("droplets").delete_by_tag(req.arg("tag_name"))
    return Reply(204)


@routes.post("/v2/droplets/actions")
def droplet_actions_post_by_tag(req: Request):
    return Reply(201, {"actions": req.backend("droplets").act_by_tag(req.arg("tag_name"), req.json())})


@routes.get("/v2/droplets/backups/policies")
def droplets_list_backup_policies(req: Request):
    backend = req.backend("droplets")
    body = paginate(req, backend.list(), "policies")
    body["policies"] = {str(d["id"]): backend.backup_policy(d["id"]) for d in body["policies"]}
    return body


@routes.get("/v2/droplets/backups/supported_policies")
def droplets_list_supported_backup_policies(req: Request):
    return {"supported_policies": req.backend("droplets").supported_backup_policies()}


@routes.get("/v2/droplets/{droplet_id}/backups/policy")
def droplets_get_backup_policy(req: Request):
    return {"policy": req.backend("droplets").backup_policy(req.param_int("droplet_id"))}


@routes.get("/v2/droplets/{droplet_id}/actions")
def droplet_actions_list(req: Request):
    droplet = req.backend("droplets").get(req.param_int("droplet_id"))
    return paginate(req, links.neighbour(req.state, "actions").list("droplet", droplet["id"]), "actions")


@routes.post("/v2/droplets/{droplet_id}/actions")
def droplet_actions_post(req: Request):
    return Reply(201, {"action": req.backend("droplets").act(req.param_int("droplet_id"), req.json())})


@routes.get("/v2/droplets/{droplet_id}/actions/{action_id}")
def droplet_actions_get(req: Request):
    droplet = req.backend("droplets").get(req.param_int("droplet_id"))
    actions = links.neighbour(req.state, "actions")
    return {"action": actions.get_for("droplet", droplet["id"], req.param_int("action_id"))}


@routes.get("/v2/droplets/{droplet_id}/snapshots")
def droplets_list_snapshots(req: Request):
    return paginate(req, req.backend("droplets").snapshots(req.param_int("droplet_id")), "snapshots")



@routes.get("/v2/droplets/{droplet_id}/firewalls")
def droplets_list_firewalls(req: Request):
    return paginate(req, req.backend("droplets").firewalls(req.param_int("droplet_id")), "firewalls")


DESTROY = "/v2/droplets/{droplet_id}/destroy_with_associated_resources"


@routes.get(DESTROY)
def droplets_list_associated_resources(req: Request):
    return associated.listing(req.backend("droplets"), req.param_int("droplet_id"))


@routes.delete(DESTROY + "/selective")
def droplets_destroy_selective(req: Request):
    associated.destroy(req.backend("droplets"), req.param_int("droplet_id"), req.json())
    return Reply(202)


@routes.delete(DESTROY + "/dangerous")
def droplets_destroy_dangerous(req: Request):
    if req.headers.get("x-dangerous", "").lower() != "true":
        raise BadRequest("X-Dangerous: true is required to destroy a droplet with all its associated resources")
    associated.destroy(req.backend("droplets"), req.param_int("droplet_id"), None)
    return Reply(202)


@routes.get(DESTROY + "/status")
def droplets_destroy_status(req: Request):
    return associated.view_status(req.backend("droplets"), req.param_int("droplet_id"))


@routes.post(DESTROY + "/retry")
def droplets_destroy_retry(req: Request):
    associated.retry(req.backend("droplets"), req.param_int("droplet_id"))
    return Reply(202)


@routes.get("/v2/droplets/{droplet_id}/backups")
def droplets_list_backups(req: Request):
    return paginate(req, req.backend("droplets").backups(req.param_int("droplet_id")), "backups")


@routes.get("/v2/droplets/{droplet_id}/kernels")
def droplets_list_kernels(req: Request):
    """Droplets run the image's own kernel (every droplet since 2017): no external kernel to list."""
    req.backend("droplets").get(req.param_int("droplet_id"))
    return paginate(req, [], "kernels")


@routes.get("/v2/droplets/{droplet_id}/neighbors")
def droplets_list_neighbors(req: Request):
    """Droplets sharing the droplet's physical host: the emulator gives every droplet a host of its own."""
    req.backend("droplets").get(req.param_int("droplet_id"))
    return {"droplets": []}


@routes.get("/v2/reports/droplet_neighbors_ids")
def droplets_list_neighbor_ids(req: Request):
    return {"neighbor_ids": []}
