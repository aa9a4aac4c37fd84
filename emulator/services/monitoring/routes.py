from emulator.core.crud import Collection
from emulator.core.routing import Reply, Request, Routes

from . import metrics, sinks

routes = Routes()
POLICIES = Collection("monitoring", "/v2/monitoring/alerts", "alert_uuid", "policy", "policies", put="replace",
                      create_status=200)
POLICIES.register(routes)


def _metric(name: str):
    def monitoring_get_metric(req: Request):
        return metrics.query(req, name)

    return monitoring_get_metric


for _name in metrics.METRICS:
    routes.add("GET", f"/v2/monitoring/metrics/{_name}", _metric(_name))


SINKS = "/v2/monitoring/sinks"


@routes.post(SINKS + "/destinations")
def monitoring_create_destination(req: Request):
    backend = req.backend("monitoring")
    return {"destination": sinks.destination_view(sinks.create_destination(backend, req.json()))}


@routes.get(SINKS + "/destinations")
def monitoring_list_destinations(req: Request):
    backend = req.backend("monitoring")
    return {"destinations": [sinks.destination_view(d) for d in backend.table("destinations").values()]}


@routes.get(SINKS + "/destinations/{destination_uuid}")
def monitoring_get_destination(req: Request):
    backend = req.backend("monitoring")
    return {"destination": sinks.destination_view(sinks.get_destination(backend, req.params["destination_uuid"]))}


@routes.post(SINKS + "/destinations/{destination_uuid}")
def monitoring_update_destination(req: Request):
    sinks.update_destination(req.backend("monitoring"), req.params["destination_uuid"], req.json())
    return Reply(204)


@routes.delete(SINKS + "/destinations/{destination_uuid}")
def monitoring_delete_destination(req: Request):
    sinks.delete_destination(req.backend("monitoring"), req.params["destination_uuid"])
    return Reply(204)


@routes.post(SINKS)
def monitoring_create_sink(req: Request):
    sinks.create_sink(req.backend("monitoring"), req.json())
    return Reply(202)


@routes.get(SINKS)
def monitoring_list_sinks(req: Request):
    backend = req.backend("monitoring")
    return {"sinks": [sinks.sink_view(backend, s) for s in sinks.list_sinks(backend, req.arg("resource_id"))]}


@routes.get(SINKS + "/{sink_uuid}")
def monitoring_get_sink(req: Request):
    backend = req.backend("monitoring")
    return {"sink": sinks.sink_view(backend, sinks.get_sink(backend, req.params["sink_uuid"]))}


@routes.delete(SINKS + "/{sink_uuid}")
def monitoring_delete_sink(req: Request):
    sinks.delete_sink(req.backend("monitoring"), req.params["sink_uuid"])
    return Reply(204)
