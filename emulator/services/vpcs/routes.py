from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


@routes.get("/v2/vpcs")
def vpcs_list(req: Request):
    return paginate(req, req.backend("vpcs").list(req.arg("region") or None), "vpcs")


@routes.post("/v2/vpcs")
def vpcs_create(req: Request):
    return Reply(201, {"vpc": req.backend("vpcs").create(req.json())})


@routes.get("/v2/vpcs/{vpc_id}")
def vpcs_get(req: Request):
    return {"vpc": req.backend("vpcs").get(req.params["vpc_id"])}


@routes.put("/v2/vpcs/{vpc_id}")
def vpcs_update(req: Request):
    return {"vpc": req.backend("vpcs").update(req.params["vpc_id"], req.json(), partial=False)}


@routes.patch("/v2/vpcs/{vpc_id}")
def vpcs_patch(req: Request):
    return {"vpc": req.backend("vpcs").update(req.params["vpc_id"], req.json(), partial=True)}


@routes.delete("/v2/vpcs/{vpc_id}")
def vpcs_delete(req: Request):
    req.backend("vpcs").delete(req.params["vpc_id"])
    return Reply(204)


@routes.get("/v2/vpcs/{vpc_id}/members")
def vpcs_list_members(req: Request):
    members = req.backend("vpcs").members(req.params["vpc_id"], req.arg("resource_type") or None)
    return paginate(req, members, "members")
