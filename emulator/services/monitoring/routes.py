from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

from . import metrics

routes = Routes()


@routes.get("/v2/monitoring/alerts")
def monitoring_list_alert_policies(req: Request):
    backend = req.backend("monitoring")
    return paginate(req, [backend.view(p) for p in backend.list()], "policies")


@routes.post("/v2/monitoring/alerts")
def monitoring_create_alert_policy(req: Request):
    backend = req.backend("monitoring")
    return Reply(200, {"policy": backend.view(backend.create(req.json()))})


@routes.get("/v2/monitoring/alerts/{alert_uuid}")
def monitoring_get_alert_policy(req: Request):
    backend = req.backend("monitoring")
    return {"policy": backend.view(backend.get(req.params["alert_uuid"]))}


@routes.put("/v2/monitoring/alerts/{alert_uuid}")
def monitoring_update_alert_policy(req: Request):
    backend = req.backend("monitoring")
    return {"policy": backend.view(backend.replace(req.params["alert_uuid"], req.json()))}


@routes.delete("/v2/monitoring/alerts/{alert_uuid}")
def monitoring_delete_alert_policy(req: Request):
    req.backend("monitoring").delete(req.params["alert_uuid"])
    return Reply(204)


def _metric(name: str):
    def monitoring_get_metric(req: Request):
        return metrics.query(req, name)

    return monitoring_get_metric


for _name in metrics.METRICS:
    routes.add("GET", f"/v2/monitoring/metrics/{_name}", _metric(_name))
