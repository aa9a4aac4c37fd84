from emulator.core.crud import Collection
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
ENDPOINTS = Collection("cdn", "/v2/cdn/endpoints", "cdn_id", "endpoint", "endpoints", put="update")
ENDPOINTS.register(routes)


@routes.delete("/v2/cdn/endpoints/{cdn_id}/cache")
def cdn_purge_cache(req: Request):
    req.backend("cdn").purge(req.params["cdn_id"], req.json())
    return Reply(204)
