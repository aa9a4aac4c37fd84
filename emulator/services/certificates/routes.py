from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


@routes.get("/v2/certificates")
def certificates_list(req: Request):
    backend = req.backend("certificates")
    return paginate(req, [backend.view(c) for c in backend.list(req.arg("name") or None)], "certificates")


@routes.post("/v2/certificates")
def certificates_create(req: Request):
    backend = req.backend("certificates")
    return Reply(201, {"certificate": backend.view(backend.create(req.json()))})


@routes.get("/v2/certificates/{certificate_id}")
def certificates_get(req: Request):
    backend = req.backend("certificates")
    return {"certificate": backend.view(backend.get(req.params["certificate_id"]))}


@routes.delete("/v2/certificates/{certificate_id}")
def certificates_delete(req: Request):
    req.backend("certificates").delete(req.params["certificate_id"])
    return Reply(204)
