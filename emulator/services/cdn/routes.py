from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


@routes.get("/v2/cdn/endpoints")
def cdn_list_endpoints(req: Request):
    backend = req.backend("cdn")
    return paginate(req, [backend.view(e) for e in backend.list()], "endpoints")


@routes.post("/v2/cdn/endpoints")
def cdn_create_endpoint(req: Request):
    backend = req.backend("cdn")
    return Reply(201, {"endpoint": backend.view(backend.create(req.json()))})


@routes.get("/v2/cdn/endpoints/{cdn_id}")
def cdn_get_endpoint(req: Request):
    backend = req.backend("cdn")
    return {"endpoint": backend.view(backend.get(req.params["cdn_id"]))}


@routes.put("/v2/cdn/endpoints/{cdn_id}")
def cdn_update_endpoint(req: Request):
    backend = req.backend("cdn")
    return {"endpoint": backend.view(backend.update(req.params["cdn_id"], req.json()))}


@routes.delete("/v2/cdn/endpoints/{cdn_id}")
def cdn_delete_endpoint(req: Request):
    req.backend("cdn").delete(req.params["cdn_id"])
    return Reply(204)


@routes.delete("/v2/cdn/endpoints/{cdn_id}/cache")
def cdn_purge_cache(req: Request):
    req.backend("cdn").purge(req.params["cdn_id"], req.json())
    return Reply(204)
