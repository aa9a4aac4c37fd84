from emulator.core.pagination import paginate
from emulator.core.routing import Request, Routes
from emulator.core.state import public

routes = Routes()


@routes.get("/v2/actions")
def actions_list(req: Request):
    body = paginate(req, req.backend("actions").records(), "actions")
    body["actions"] = [public(a) for a in body["actions"]]
    return body


@routes.get("/v2/actions/{action_id}")
def actions_get(req: Request):
    return {"action": req.backend("actions").get(req.param_int("action_id"))}
