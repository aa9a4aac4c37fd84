from emulator.core import links
from emulator.core.crud import Collection
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
VOLUMES = Collection("volumes", "/v2/volumes", "volume_id", "volume", "volumes", view=None,
                     filters={"name": "name", "region": "region"})
VOLUMES.register(routes)
SNAPSHOTS = Collection("volumes", "/v2/volumes/snapshots", "snapshot_id", "snapshot", "snapshots", view=None,
                       list=None, create=None, get="snapshot", delete="delete_snapshot")
SNAPSHOTS.register(routes)
VOLUME_SNAPSHOTS = Collection("volumes", "/v2/volumes/{volume_id}/snapshots", "snapshot_id", "snapshot", "snapshots",
                              view=None, list="snapshots", create="create_snapshot", get=None, delete=None)
VOLUME_SNAPSHOTS.register(routes)
ACTIONS = Collection("volumes", "/v2/volumes/{volume_id}/actions", "action_id", "action", "actions", view=None,
                     list="actions", create="act", create_status=202, get=None, delete=None)
ACTIONS.register(routes)


@routes.delete("/v2/volumes")
def volumes_delete_by_name(req: Request):
    req.backend("volumes").delete_by_name(req.arg("name"), req.arg("region"))
    return Reply(204)


@routes.post("/v2/volumes/actions")
def volume_actions_post(req: Request):
    return Reply(202, {"action": req.backend("volumes").act_by_name(req.json())})


@routes.get("/v2/volumes/{volume_id}/actions/{action_id}")
def volume_actions_get(req: Request):
    volume = req.backend("volumes").get(req.params["volume_id"])
    actions = links.neighbour(req.state, "actions")
    return {"action": actions.get_for("volume", volume["id"], req.param_int("action_id"))}
