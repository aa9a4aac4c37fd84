"""App Platform routes: parse, one backend call, the API's envelope and PyDo's documented status code."""

from __future__ import annotations

from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

from . import runtime

routes = Routes()
APP = "/v2/apps/{app_id}"


def _apps(req: Request):
    return req.backend("apps")


@routes.post("/v2/apps")
def create(req: Request):
    return {"app": _apps(req).create_app(req.json())}  # 200, not 201: PyDo documents 200


@routes.get("/v2/apps")
def list_apps(req: Request):
    return paginate(req, _apps(req).list_apps(), "apps")


@routes.get("/v2/apps/{id}")
def get(req: Request):
    return {"app": _apps(req).get_app(req.params["id"])}


@routes.put("/v2/apps/{id}")
def update(req: Request):
    return {"app": _apps(req).update_app(req.params["id"], req.json())}


@routes.delete("/v2/apps/{id}")
def delete(req: Request):
    return {"id": _apps(req).delete_app(req.params["id"])}  # 200 with the id, as the API


@routes.get(APP + "/deployments")
def list_deployments(req: Request):
    return paginate(req, _apps(req).deployments(req.params["app_id"]), "deployments")


@routes.post(APP + "/deployments")
def create_deployment(req: Request):
    return {"deployment": _apps(req).create_deployment(req.params["app_id"], req.json())}


@routes.get(APP + "/deployments/{deployment_id}")
def get_deployment(req: Request):
    return {"deployment": _apps(req).deployment(req.params["app_id"], req.params["deployment_id"])}


@routes.post(APP + "/deployments/{deployment_id}/cancel")
def cancel_deployment(req: Request):
    return {"deployment": _apps(req).cancel_deployment(req.params["app_id"], req.params["deployment_id"])}


@routes.post(APP + "/restart")
def restart(req: Request):
    return {"deployment": _apps(req).restart(req.params["app_id"], req.json())}


@routes.get(APP + "/alerts")
def list_alerts(req: Request):
    return {"alerts": _apps(req).alerts(req.params["app_id"])}


@routes.post(APP + "/alerts/{alert_id}/destinations")
def assign_alert_destinations(req: Request):
    return {"alert": _apps(req).assign_alert_destinations(req.params["app_id"], req.params["alert_id"],
                                                          req.json())}


@routes.get("/v2/apps/tiers/instance_sizes")
def list_instance_sizes(req: Request):
    return {"instance_sizes": _apps(req).instance_sizes(), "discount_percent": 0}


@routes.get("/v2/apps/tiers/instance_sizes/{slug}")
def get_instance_size(req: Request):
    return {"instance_size": _apps(req).instance_size(req.params["slug"])}


@routes.get("/v2/apps/regions")
def list_regions(req: Request):
    return {"regions": _apps(req).regions()}


@routes.post("/v2/apps/propose")
def validate_app_spec(req: Request):
    return _apps(req).propose(req.json())


@routes.get(APP + "/instances")
def get_instances(req: Request):
    return {"instances": runtime.instances(_apps(req), req.params["app_id"])}


@routes.get(APP + "/health")
def get_health(req: Request):
    return {"app_health": runtime.health(_apps(req), req.params["app_id"])}


@routes.get(APP + "/metrics/bandwidth_daily")
def get_bandwidth_daily(req: Request):
    return runtime.bandwidth(_apps(req), [req.params["app_id"]], req.arg("date"))


@routes.post("/v2/apps/metrics/bandwidth_daily")
def list_bandwidth_daily(req: Request):
    body = req.json()
    return runtime.bandwidth(_apps(req), body.get("app_ids"), body.get("date"))


@routes.post(APP + "/rollback/validate")
def validate_rollback(req: Request):
    return runtime.validate(_apps(req), req.params["app_id"], req.json())


@routes.post(APP + "/rollback")
def create_rollback(req: Request):
    return {"deployment": runtime.rollback(_apps(req), req.params["app_id"], req.json())}


@routes.post(APP + "/rollback/commit")
def commit_rollback(req: Request):
    runtime.commit(_apps(req), req.params["app_id"])
    return Reply(200)


@routes.post(APP + "/rollback/revert")
def revert_rollback(req: Request):
    return {"deployment": runtime.revert(_apps(req), req.params["app_id"])}
