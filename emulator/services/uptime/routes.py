from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
CHECK = "/v2/uptime/checks/{check_id}"
ALERT = CHECK + "/alerts/{alert_id}"


def _up(req: Request):
    return req.backend("uptime")


@routes.get("/v2/uptime/checks")
def uptime_list_checks(req: Request):
    backend = _up(req)
    return paginate(req, [backend.view(c) for c in backend.list_checks()], "checks")


@routes.post("/v2/uptime/checks")
def uptime_create_check(req: Request):
    backend = _up(req)
    return Reply(201, {"check": backend.view(backend.create_check(req.json()))})


@routes.get(CHECK)
def uptime_get_check(req: Request):
    backend = _up(req)
    return {"check": backend.view(backend.get_check(req.params["check_id"]))}


@routes.put(CHECK)
def uptime_update_check(req: Request):
    backend = _up(req)
    return {"check": backend.view(backend.update_check(req.params["check_id"], req.json()))}


@routes.delete(CHECK)
def uptime_delete_check(req: Request):
    _up(req).delete_check(req.params["check_id"])
    return Reply(204)


@routes.get(CHECK + "/state")
def uptime_get_check_state(req: Request):
    return {"state": _up(req).check_state(req.params["check_id"])}


@routes.get(CHECK + "/alerts")
def uptime_list_alerts(req: Request):
    backend = _up(req)
    return paginate(req, [backend.view(a) for a in backend.list_alerts(req.params["check_id"])], "alerts")


@routes.post(CHECK + "/alerts")
def uptime_create_alert(req: Request):
    backend = _up(req)
    return Reply(201, {"alert": backend.view(backend.create_alert(req.params["check_id"], req.json()))})


@routes.get(ALERT)
def uptime_get_alert(req: Request):
    backend = _up(req)
    return {"alert": backend.view(backend.get_alert(req.params["check_id"], req.params["alert_id"]))}


@routes.put(ALERT)
def uptime_update_alert(req: Request):
    backend = _up(req)
    record = backend.update_alert(req.params["check_id"], req.params["alert_id"], req.json())
    return {"alert": backend.view(record)}


@routes.delete(ALERT)
def uptime_delete_alert(req: Request):
    _up(req).delete_alert(req.params["check_id"], req.params["alert_id"])
    return Reply(204)
