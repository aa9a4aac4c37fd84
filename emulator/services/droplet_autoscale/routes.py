from emulator.core.crud import Collection
from emulator.core.errors import BadRequest
from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
POOLS = Collection("droplet_autoscale", "/v2/droplets/autoscale", "autoscale_pool_id", "autoscale_pool",
                   "autoscale_pools", filters={"name": "name"}, get="get_pool", put="update", create_status=202,
                   delete_status=202)
POOLS.register(routes)


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
