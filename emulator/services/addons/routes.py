from emulator.core.routing import Request, Routes

routes = Routes()


def _addons(req: Request):
    return req.backend("addons")


@routes.get("/v2/add-ons/apps")
def addons_get_apps(req: Request):
    return {"apps": _addons(req).apps()}


@routes.get("/v2/add-ons/apps/{app_slug}/metadata")
def addons_get_app_metadata(req: Request):
    return {"metadata": _addons(req).metadata(req.params["app_slug"])}


@routes.get("/v2/add-ons/saas")
def addons_list(req: Request):
    return {"resources": [_addons(req).view(r) for r in _addons(req).list()]}


@routes.post("/v2/add-ons/saas")
def addons_create(req: Request):
    return {"resource": _addons(req).view(_addons(req).create(req.json()))}


@routes.get("/v2/add-ons/saas/{resource_uuid}")
def addons_get(req: Request):
    return {"resource": _addons(req).view(_addons(req).get(req.params["resource_uuid"]))}


@routes.patch("/v2/add-ons/saas/{resource_uuid}")
def addons_patch(req: Request):
    return {"resource": _addons(req).view(_addons(req).rename(req.params["resource_uuid"], req.json()))}


@routes.patch("/v2/add-ons/saas/{resource_uuid}/plan")
def addons_patch_plan(req: Request):
    return {"resource": _addons(req).view(_addons(req).change_plan(req.params["resource_uuid"], req.json()))}


@routes.delete("/v2/add-ons/saas/{resource_uuid}")
def addons_delete(req: Request):
    _addons(req).delete(req.params["resource_uuid"])
    return {}
