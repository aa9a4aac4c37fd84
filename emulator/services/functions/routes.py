from emulator.core.crud import Collection
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
NS = "/v2/functions/namespaces"
NAMESPACES = Collection("functions", NS, "namespace_id", "namespace", "namespaces", paginated=False,
                        create_status=200)
NAMESPACES.register(routes)
TRIGGERS = Collection("functions", NS + "/{namespace_id}/triggers", "trigger_name", "trigger", "triggers", view=None,
                      paginated=False, list="triggers", create="create_trigger", create_status=200, get="trigger",
                      put="update_trigger", delete="delete_trigger")
TRIGGERS.register(routes)


def _fn(req: Request):
    return req.backend("functions")


@routes.get(NS + "/{namespace_id}/keys")
def functions_list_keys(req: Request):
    keys = _fn(req).keys(req.params["namespace_id"])
    return {"access_keys": keys, "count": len(keys)}


@routes.post(NS + "/{namespace_id}/keys")
def functions_create_key(req: Request):
    return Reply(201, {"access_key": _fn(req).create_key(req.params["namespace_id"], req.json())})


@routes.put(NS + "/{namespace_id}/keys/{key_id}")
def functions_update_key(req: Request):
    return {"access_key": _fn(req).rename_key(req.params["namespace_id"], req.params["key_id"], req.json())}


@routes.delete(NS + "/{namespace_id}/keys/{key_id}")
def functions_delete_key(req: Request):
    _fn(req).delete_key(req.params["namespace_id"], req.params["key_id"])
    return {}
