from emulator.core import links
from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


@routes.get("/v2/volumes")
def volumes_list(req: Request):
    volumes = req.backend("volumes").list(name=req.arg("name") or None, region=req.arg("region") or None)
    return paginate(req, volumes, "volumes")


@routes.post("/v2/volumes")
def volumes_create(req: Request):
    return Reply(201, {"volume": req.backend("volumes").create(req.json())})


@routes.delete("/v2/volumes")
def volumes_delete_by_name(req: Request):
    req.backend("volumes").delete_by_name(req.arg("name"), req.arg("region"))
    return Reply(204)


@routes.post("/v2/volumes/actions")
def volume_actions_post(req: Request):
    return Reply(202, {"action": req.backend("volumes").act_by_name(req.json())})


@routes.get("/v2/volumes/snapshots/{snapshot_id}")
def volume_snapshots_get_by_id(req: Request):
    return {"snapshot": req.backend("volumes").snapshot(req.params["snapshot_id"])}


@routes.delete("/v2/volumes/snapshots/{snapshot_id}")
def volume_snapshots_delete_by_id(req: Request):
    req.backend("volumes").delete_snapshot(req.params["snapshot_id"])
    return Reply(204)


@routes.get("/v2/volumes/{volume_id}")
def volumes_get(req: Request):
    return {"volume": req.backend("volumes").get(req.params["volume_id"])}


@routes.delete("/v2/volumes/{volume_id}")
def volumes_delete(req: Request):
    req.backend("volumes").delete(req.params["volume_id"])
    return Reply(204)


@routes.get("/v2/volumes/{volume_id}/actions")
def volume_actions_list(req: Request):
    return paginate(req, req.backend("volumes").actions(req.params["volume_id"]), "actions")


@routes.post("/v2/volumes/{volume_id}/actions")
def volume_actions_post_by_id(req: Request):
    return Reply(202, {"action": req.backend("volumes").act(req.params["volume_id"], req.json())})


@routes.get("/v2/volumes/{volume_id}/actions/{action_id}")
def volume_actions_get(req: Request):
    volume = req.backend("volumes").get(req.params["volume_id"])
    return {"action": links.neighbour(req.state, "actions").get_for("volume", volume["id"], req.param_int("action_id"))}


@routes.get("/v2/volumes/{volume_id}/snapshots")
def volume_snapshots_list(req: Request):
    return paginate(req, req.backend("volumes").snapshots(req.params["volume_id"]), "snapshots")


@routes.post("/v2/volumes/{volume_id}/snapshots")
def volume_snapshots_create(req: Request):
    return Reply(201, {"snapshot": req.backend("volumes").create_snapshot(req.params["volume_id"], req.json())})
