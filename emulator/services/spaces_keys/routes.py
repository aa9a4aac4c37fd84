from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


@routes.get("/v2/spaces/keys")
def spaces_keys_list(req: Request):
    backend = req.backend("spaces_keys")
    keys = backend.list(name=req.arg("name"), bucket=req.arg("bucket"), permission=req.arg("permission"),
                        sort=req.arg("sort"), direction=req.arg("sort_direction"))
    return paginate(req, [backend.view(k) for k in keys], "keys")


@routes.post("/v2/spaces/keys")
def spaces_keys_create(req: Request):
    backend = req.backend("spaces_keys")
    return Reply(201, {"key": backend.view(backend.create(req.json()), with_secret=True)})


@routes.get("/v2/spaces/keys/{access_key}")
def spaces_keys_get(req: Request):
    """``{"key": ...}`` as the API and godo answer it (the description's schema says ``keys``, its example ``key``)."""
    backend = req.backend("spaces_keys")
    return {"key": backend.view(backend.get(req.params["access_key"]))}


@routes.put("/v2/spaces/keys/{access_key}")
def spaces_keys_update(req: Request):
    backend = req.backend("spaces_keys")
    return {"key": backend.view(backend.update(req.params["access_key"], req.json(), partial=False))}


@routes.patch("/v2/spaces/keys/{access_key}")
def spaces_keys_patch(req: Request):
    backend = req.backend("spaces_keys")
    return {"key": backend.view(backend.update(req.params["access_key"], req.json(), partial=True))}


@routes.delete("/v2/spaces/keys/{access_key}")
def spaces_keys_delete(req: Request):
    req.backend("spaces_keys").delete(req.params["access_key"])
    return Reply(204)
