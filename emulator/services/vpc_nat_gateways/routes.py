from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


@routes.get("/v2/vpc_nat_gateways")
def vpc_nat_gateways_list(req: Request):
    backend = req.backend("vpc_nat_gateways")
    records = backend.list(state=req.arg("state"), region=req.arg("region"), kind=req.arg("type"),
                           name=req.arg("name"))
    return paginate(req, [backend.view(g) for g in records], "vpc_nat_gateways")


@routes.post("/v2/vpc_nat_gateways")
def vpc_nat_gateways_create(req: Request):
    backend = req.backend("vpc_nat_gateways")
    return Reply(202, {"vpc_nat_gateway": backend.view(backend.create(req.json()))})


@routes.get("/v2/vpc_nat_gateways/{id}")
def vpc_nat_gateways_get(req: Request):
    backend = req.backend("vpc_nat_gateways")
    return {"vpc_nat_gateway": backend.view(backend.get(req.params["id"]))}


@routes.put("/v2/vpc_nat_gateways/{id}")
def vpc_nat_gateways_update(req: Request):
    backend = req.backend("vpc_nat_gateways")
    return {"vpc_nat_gateway": backend.view(backend.update(req.params["id"], req.json()))}


@routes.delete("/v2/vpc_nat_gateways/{id}")
def vpc_nat_gateways_delete(req: Request):
    req.backend("vpc_nat_gateways").delete(req.params["id"])
    return Reply(202)
