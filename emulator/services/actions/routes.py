from emulator.core.pagination import paginate
from emulator.core.routing import Request, Routes

routes = Routes()


@routes.get("/v2/actions")
def actions_list(req: Request):
    return paginate(req, req.backend("actions").list(), "actions")


@routes.get("/v2/actions/{action_id}")
def actions_get(req: Request):
    return {"action": req.backend("actions").get(req.param_int("action_id"))}
