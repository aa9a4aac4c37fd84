from emulator.core.crud import Collection
from emulator.core.pagination import paginate
from emulator.core.routing import Request, Routes, api_url

routes = Routes()


def _links(entries: list[dict]) -> list[dict]:
    return [{**e, "links": {"self": api_url(e["links"]["self"])}} for e in entries]


PROJECTS = Collection("projects", "/v2/projects", "project_id", "project", "projects", view=None, put="update",
                      patch="update", partial=True)
HANDLERS = PROJECTS.register(routes)


@routes.get("/v2/projects/{project_id}/resources")
def projects_list_resources(req: Request):
    return paginate(req, _links(req.backend("projects").resources(req.params["project_id"])), "resources")


@routes.post("/v2/projects/{project_id}/resources")
def projects_assign_resources(req: Request):
    entries = req.backend("projects").assign(req.params["project_id"], req.json().get("resources"))
    return {"resources": _links(entries)}


def _on_default(handler):
    """The same handler, for the API's literal ``/v2/projects/default`` paths (the default project)."""
    def on_default(req: Request):
        req.params = {**req.params, "project_id": "default"}
        return handler(req)

    on_default.__name__ = f"{handler.__name__}_default"
    return on_default


for _method, _handler in [("GET", HANDLERS["get"]), ("PUT", HANDLERS["put"]), ("PATCH", HANDLERS["patch"])]:
    routes.add(_method, "/v2/projects/default", _on_default(_handler))
for _method, _handler in [("GET", projects_list_resources), ("POST", projects_assign_resources)]:
    routes.add(_method, "/v2/projects/default/resources", _on_default(_handler))
