from emulator.core.crud import Collection
from emulator.core.routing import Reply, Request, Routes
from emulator.core.state import public

routes = Routes()
SHARES = Collection("nfs", "/v2/nfs", "nfs_id", "share", "shares", paginated=False, filters={"region": "region"},
                    scope={"region": "region"})
SHARES.register(routes)
SNAPSHOTS = Collection("nfs", "/v2/nfs/snapshots", "nfs_snapshot_id", "snapshot", "snapshots", view=public,
                       paginated=False, list="snapshots", filters={"region": "region", "share_id": "share_id"},
                       create=None, get="snapshot", delete="delete_snapshot", scope={"region": "region"})
SNAPSHOTS.register(routes)


def _nfs(req: Request):
    return req.backend("nfs")


@routes.post("/v2/nfs/{nfs_id}/actions")
def nfs_create_action(req: Request):
    return Reply(201, {"action": _nfs(req).act(req.params["nfs_id"], req.json())})


@routes.post("/v2/nfs/shares/{share_id}/access_points")
def nfs_create_access_point(req: Request):
    point, action = _nfs(req).create_access_point(req.params["share_id"], req.json())
    return Reply(201, {"access_point": public(point), "action": action})


@routes.get("/v2/nfs/shares/{share_id}/access_points")
def nfs_list_access_points(req: Request):
    points = _nfs(req).access_points(req.params["share_id"], req.arg("status"))
    return {"access_points": [public(p) for p in points]}


@routes.get("/v2/nfs/access_points/{access_point_id}")
def nfs_get_access_point(req: Request):
    return {"access_point": public(_nfs(req).access_point(req.params["access_point_id"]))}


@routes.delete("/v2/nfs/access_points/{access_point_id}")
def nfs_delete_access_point(req: Request):
    point, action = _nfs(req).delete_access_point(req.params["access_point_id"])
    return {"access_point": point, "action": action}
