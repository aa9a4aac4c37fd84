from emulator.core.routing import Reply, Request, Routes
from emulator.core.state import public

routes = Routes()


def _nfs(req: Request):
    return req.backend("nfs")


@routes.post("/v2/nfs")
def nfs_create(req: Request):
    return Reply(201, {"share": _nfs(req).view(_nfs(req).create(req.json()))})


@routes.get("/v2/nfs")
def nfs_list(req: Request):
    return {"shares": [_nfs(req).view(s) for s in _nfs(req).list(req.arg("region"))]}


@routes.get("/v2/nfs/snapshots")
def nfs_list_snapshots(req: Request):
    return {"snapshots": [public(s) for s in _nfs(req).snapshots(req.arg("region"), req.arg("share_id"))]}


@routes.get("/v2/nfs/snapshots/{nfs_snapshot_id}")
def nfs_get_snapshot(req: Request):
    return {"snapshot": public(_nfs(req).snapshot(req.params["nfs_snapshot_id"], req.arg("region")))}


@routes.delete("/v2/nfs/snapshots/{nfs_snapshot_id}")
def nfs_delete_snapshot(req: Request):
    _nfs(req).delete_snapshot(req.params["nfs_snapshot_id"], req.arg("region"))
    return Reply(204)


@routes.get("/v2/nfs/{nfs_id}")
def nfs_get(req: Request):
    return {"share": _nfs(req).view(_nfs(req).get(req.params["nfs_id"], req.arg("region")))}


@routes.delete("/v2/nfs/{nfs_id}")
def nfs_delete(req: Request):
    _nfs(req).delete(req.params["nfs_id"], req.arg("region"))
    return Reply(204)


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
