from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

from . import custom_images

routes = Routes()


@routes.get("/v2/regions")
def regions_list(req: Request):
    return paginate(req, req.backend("catalog").regions(), "regions")


@routes.get("/v2/sizes")
def sizes_list(req: Request):
    return paginate(req, req.backend("catalog").sizes(), "sizes")


@routes.get("/v2/images")
def images_list(req: Request):
    images = req.backend("catalog").images(kind=req.arg("type") or None, private=req.bool_arg("private"),
                                           tag_name=req.arg("tag_name") or None)
    return paginate(req, images, "images")


@routes.get("/v2/images/{image_id}")
def images_get(req: Request):
    return {"image": req.backend("catalog").image(req.params["image_id"])}


@routes.put("/v2/images/{image_id}")
def images_update(req: Request):
    return {"image": req.backend("catalog").update_image(req.params["image_id"], req.json())}


@routes.delete("/v2/images/{image_id}")
def images_delete(req: Request):
    req.backend("catalog").delete_image(req.params["image_id"])
    return Reply(204)


@routes.get("/v2/snapshots")
def snapshots_list(req: Request):
    return paginate(req, req.backend("catalog").snapshots(req.arg("resource_type") or None), "snapshots")


@routes.get("/v2/snapshots/{snapshot_id}")
def snapshots_get(req: Request):
    return {"snapshot": req.backend("catalog").snapshot(req.params["snapshot_id"])}


@routes.delete("/v2/snapshots/{snapshot_id}")
def snapshots_delete(req: Request):
    req.backend("catalog").delete_snapshot(req.params["snapshot_id"])
    return Reply(204)


@routes.post("/v2/images")
def images_create_custom(req: Request):
    return Reply(202, {"image": custom_images.create(req.backend("catalog"), req.json())})


@routes.get("/v2/images/{image_id}/actions")
def image_actions_list(req: Request):
    return paginate(req, custom_images.actions(req.backend("catalog"), req.params["image_id"]), "actions")


@routes.post("/v2/images/{image_id}/actions")
def image_actions_post(req: Request):
    return Reply(201, {"action": custom_images.act(req.backend("catalog"), req.params["image_id"], req.json())})


@routes.get("/v2/images/{image_id}/actions/{action_id}")
def image_actions_get(req: Request):
    action = custom_images.action(req.backend("catalog"), req.params["image_id"], req.param_int("action_id"))
    return {"action": action}
