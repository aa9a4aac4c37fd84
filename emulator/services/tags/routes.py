from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


@routes.get("/v2/tags")
def tags_list(req: Request):
    backend = req.backend("tags")
    return paginate(req, [backend.render(t) for t in backend.list()], "tags")


@routes.post("/v2/tags")
def tags_create(req: Request):
    backend = req.backend("tags")
    return Reply(201, {"tag": backend.render(backend.create(req.json()))})


@routes.get("/v2/tags/{tag_id}")
def tags_get(req: Request):
    backend = req.backend("tags")
    return {"tag": backend.render(backend.get(req.params["tag_id"]))}


@routes.delete("/v2/tags/{tag_id}")
def tags_delete(req: Request):
    req.backend("tags").delete(req.params["tag_id"])
    return Reply(204)


@routes.post("/v2/tags/{tag_id}/resources")
def tags_assign_resources(req: Request):
    req.backend("tags").assign(req.params["tag_id"], req.json(), present=True)
    return Reply(204)


@routes.delete("/v2/tags/{tag_id}/resources")
def tags_unassign_resources(req: Request):
    req.backend("tags").assign(req.params["tag_id"], req.json(), present=False)
    return Reply(204)
