from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


@routes.get("/v2/account/keys")
def ssh_keys_list(req: Request):
    return paginate(req, req.backend("ssh_keys").list(), "ssh_keys")


@routes.post("/v2/account/keys")
def ssh_keys_create(req: Request):
    return Reply(201, {"ssh_key": req.backend("ssh_keys").create(req.json())})


@routes.get("/v2/account/keys/{ssh_key_identifier}")
def ssh_keys_get(req: Request):
    return {"ssh_key": req.backend("ssh_keys").get(req.params["ssh_key_identifier"])}


@routes.put("/v2/account/keys/{ssh_key_identifier}")
def ssh_keys_update(req: Request):
    return {"ssh_key": req.backend("ssh_keys").update(req.params["ssh_key_identifier"], req.json())}


@routes.delete("/v2/account/keys/{ssh_key_identifier}")
def ssh_keys_delete(req: Request):
    req.backend("ssh_keys").delete(req.params["ssh_key_identifier"])
    return Reply(204)
