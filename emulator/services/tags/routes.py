from emulator.core.crud import Collection
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
TAGS = Collection("tags", "/v2/tags", "tag_id", "tag", "tags", view="render")
TAGS.register(routes)


@routes.post("/v2/tags/{tag_id}/resources")
def tags_assign_resources(req: Request):
    req.backend("tags").assign(req.params["tag_id"], req.json(), present=True)
    return Reply(204)


@routes.delete("/v2/tags/{tag_id}/resources")
def tags_unassign_resources(req: Request):
    req.backend("tags").assign(req.params["tag_id"], req.json(), present=False)
    return Reply(204)
