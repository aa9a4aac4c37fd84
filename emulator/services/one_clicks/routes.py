from emulator.core.routing import Request, Routes

routes = Routes()


@routes.get("/v2/1-clicks")
def one_clicks_list(req: Request):
    return {"1_clicks": req.backend("one_clicks").list(req.arg("type"))}


@routes.post("/v2/1-clicks/kubernetes")
def one_clicks_install_kubernetes(req: Request):
    return {"message": req.backend("one_clicks").install_kubernetes(req.json())}
