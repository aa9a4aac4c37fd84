from emulator.core.crud import Collection
from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

from . import custom_images

routes = Routes()
IMAGES = Collection("catalog", "/v2/images", "image_id", "image", "images", view=None, list=None, create=None,
                    get="image", put="update_image", delete="delete_image")
IMAGES.register(routes)
SNAPSHOTS = Collection("catalog", "/v2/snapshots", "snapshot_id", "snapshot", "snapshots", view=None,
                       list="snapshots", filters={"resource_type": "resource_type"}, create=None, get="snapshot",
                       delete="delete_snapshot")
SNAPSHOTS.register(routes)


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
