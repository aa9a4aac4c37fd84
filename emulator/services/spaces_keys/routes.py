from emulator.core.crud import Collection
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
# One key answers {"key": ...} as the API and godo do (the description's schema says ``keys``, its example ``key``).
KEYS = Collection("spaces_keys", "/v2/spaces/keys", "access_key", "key", "keys", create=None, put="update",
                  patch="update", partial=True, filters={"name": "name", "bucket": "bucket", "permission": "permission",
                                                         "sort": "sort", "direction": "sort_direction"})
KEYS.register(routes)


@routes.post("/v2/spaces/keys")
def spaces_keys_create(req: Request):
    """The one answer that shows the secret."""
    backend = req.backend("spaces_keys")
    return Reply(201, {"key": backend.view(backend.create(req.json()), with_secret=True)})
