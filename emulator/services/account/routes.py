from emulator.core.routing import Request, Routes
from emulator.core.state import public

routes = Routes()


@routes.get("/v2/account")
def get_account(req: Request):
    return {"account": public(req.backend("account").get())}
