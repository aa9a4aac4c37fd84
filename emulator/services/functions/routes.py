from emulator.core.routing import Reply, Request, Routes

routes = Routes()
NS = "/v2/functions/namespaces"


def _fn(req: Request):
    return req.backend("functions")


@routes.get(NS)
def functions_list_namespaces(req: Request):
    return {"namespaces": [_fn(req).view(n) for n in _fn(req).list()]}


@routes.post(NS)
def functions_create_namespace(req: Request):
    return {"namespace": _fn(req).view(_fn(req).create(req.json()))}


@routes.get(NS + "/{namespace_id}")
def functions_get_namespace(req: Request):
    return {"namespace": _fn(req).view(_fn(req).get(req.params["namespace_id"]))}


@routes.delete(NS + "/{namespace_id}")
def functions_delete_namespace(req: Request):
    _fn(req).delete(req.params["namespace_id"])
    return Reply(204)


@routes.get(NS + "/{namespace_id}/triggers")
def functions_list_triggers(req: Request):
    return {"triggers": _fn(req).triggers(req.params["namespace_id"])}


@routes.post(NS + "/{namespace_id}/triggers")
def functions_create_trigger(req: Request):
    return {"trigger": _fn(req).create_trigger(req.params["namespace_id"], req.json())}


@routes.get(NS + "/{namespace_id}/triggers/{trigger_name}")
def functions_get_trigger(req: Request):
    return {"trigger": _fn(req).trigger(req.params["namespace_id"], req.params["trigger_name"])}


@routes.put(NS + "/{namespace_id}/triggers/{trigger_name}")
def functions_update_trigger(req: Request):
    return {"trigger": _fn(req).update_trigger(req.params["namespace_id"], req.params["trigger_name"], req.json())}


@routes.delete(NS + "/{namespace_id}/triggers/{trigger_name}")
def functions_delete_trigger(req: Request):
    _fn(req).delete_trigger(req.params["namespace_id"], req.params["trigger_name"])
    return Reply(204)


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
