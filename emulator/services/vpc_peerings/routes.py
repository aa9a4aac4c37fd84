from emulator.core import links
from emulator.core.crud import Collection
from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
PEERINGS = Collection("vpc_peerings", "/v2/vpc_peerings", "vpc_peering_id", "vpc_peering", "vpc_peerings",
                      filters={"region": "region"}, create=None, patch="rename", delete_status=202,
                      delete_view=True)
PEERINGS.register(routes)


def _peerings(req: Request):
    return req.backend("vpc_peerings")


@routes.post("/v2/vpc_peerings")
def vpc_peerings_create(req: Request):
    backend = _peerings(req)
    body = req.json()
    return Reply(202, {"vpc_peering": backend.view(backend.create(body, body.get("vpc_ids")))})


@routes.get("/v2/vpcs/{vpc_id}/peerings")
def vpcs_list_peerings(req: Request):
    links.lookup(req.state, "vpcs", req.params["vpc_id"], "vpc_id")
    backend = _peerings(req)
    return paginate(req, [backend.view(p) for p in backend.list(vpc_id=req.params["vpc_id"])], "peerings")


@routes.post("/v2/vpcs/{vpc_id}/peerings")
def vpcs_create_peerings(req: Request):
    links.lookup(req.state, "vpcs", req.params["vpc_id"], "vpc_id")
    backend = _peerings(req)
    body = req.json()
    record = backend.create(body, [req.params["vpc_id"], body.get("vpc_id")], "vpc_id")
    return Reply(202, {"peering": backend.view(record)})


@routes.patch("/v2/vpcs/{vpc_id}/peerings/{vpc_peering_id}")
def vpcs_patch_peerings(req: Request):
    backend = _peerings(req)
    return {"peering": backend.view(backend.rename(req.params["vpc_peering_id"], req.json(), req.params["vpc_id"]))}
