from emulator.core.errors import BadRequest
from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


@routes.get("/v2/droplets/autoscale")
def autoscale_pools_list(req: Request):
    backend = req.backend("droplet_autoscale")
    return paginate(req, [backend.view(p) for p in backend.list(req.arg("name"))], "autoscale_pools")


@routes.post("/v2/droplets/autoscale")
def autoscale_pools_create(req: Request):
    backend = req.backend("droplet_autoscale")
    return Reply(202, {"autoscale_pool": backend.view(backend.create(req.json()))})


@routes.get("/v2/droplets/autoscale/{autoscale_pool_id}")
def autoscale_pools_get(req: Request):
    backend = req.backend("droplet_autoscale")
    return {"autoscale_pool": backend.view(backend.get_pool(req.params["autoscale_pool_id"]))}


@routes.put("/v2/droplets/autoscale/{autoscale_pool_id}")
def autoscale_pools_update(req: Request):
    backend = req.backend("droplet_autoscale")
    return {"autoscale_pool": backend.view(backend.update(req.params["autoscale_pool_id"], req.json()))}


@routes.delete("/v2/droplets/autoscale/{autoscale_pool_id}")
def autoscale_pools_delete(req: Request):
    req.backend("droplet_autoscale").delete(req.params["autoscale_pool_id"])
    return Reply(202)


@routes.delete("/v2/droplets/autoscale/{autoscale_pool_id}/dangerous")
def autoscale_pools_delete_dangerous(req: Request):
    if req.headers.get("x-dangerous", "").lower() != "true":
        raise BadRequest("X-Dangerous: true is required to delete a pool with its resources")
    req.backend("droplet_autoscale").delete(req.params["autoscale_pool_id"])
    return Reply(202)


@routes.get("/v2/droplets/autoscale/{autoscale_pool_id}/members")
def autoscale_pools_list_members(req: Request):
    return paginate(req, req.backend("droplet_autoscale").members(req.params["autoscale_pool_id"]), "droplets")


@routes.get("/v2/droplets/autoscale/{autoscale_pool_id}/history")
def autoscale_pools_list_history(req: Request):
    return paginate(req, req.backend("droplet_autoscale").history(req.params["autoscale_pool_id"]), "history")
