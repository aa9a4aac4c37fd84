from emulator.core.routing import Reply, Request, Routes

routes = Routes()


@routes.post("/v2/organizations/team")
def organizations_create_team(req: Request):
    team, invitations = req.backend("organizations").create_team(req.json())
    return Reply(201, {"team": team, "invitations": invitations})


@routes.get("/v2/organizations/teams")
def organizations_list_teams(req: Request):
    return {"teams": req.backend("organizations").teams()}
