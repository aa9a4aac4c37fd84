from emulator.core.errors import Unprocessable
from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()


def _security(req: Request):
    return req.backend("security")


@routes.get("/v2/security/scans")
def security_list_scans(req: Request):
    backend = _security(req)
    return paginate(req, [backend.view(s) for s in backend.data["scans"]], "scans")


@routes.post("/v2/security/scans")
def security_create_scan(req: Request):
    backend = _security(req)
    return Reply(201, {"scan": backend.view(backend.scan())})


@routes.get("/v2/security/scans/latest")
def security_get_latest_scan(req: Request):
    backend = _security(req)
    return {"scan": backend.view(backend.latest(), req.arg("severity"))}


@routes.post("/v2/security/scans/rules")
def security_create_scan_rule(req: Request):
    """Ask for a scan covering one resource type: answered as a full scan (the scanner has one rule set)."""
    body = req.json()
    if body.get("resource") is not None and not isinstance(body["resource"], str):
        raise Unprocessable(f"resource must be a string such as droplet; got {body['resource']!r}")
    _security(req).scan()
    return Reply(201)


@routes.get("/v2/security/scans/{scan_id}")
def security_get_scan(req: Request):
    backend = _security(req)
    return {"scan": backend.view(backend.get_scan(req.params["scan_id"]), req.arg("severity"))}


@routes.get("/v2/security/scans/{scan_id}/findings/{finding_uuid}/affected_resources")
def security_list_affected(req: Request):
    affected = _security(req).affected(req.params["scan_id"], req.params["finding_uuid"])
    return {"affected_resources": affected}


@routes.get("/v2/security/settings")
def security_list_settings(req: Request):
    backend = _security(req)
    suppressions = paginate(req, backend.suppressions(), "resources")
    coverage = {tier: {k: list(val) for k, val in entry.items()}
                for tier, entry in backend.data["tier_coverage"].items()}
    return {"settings": {"suppressions": suppressions}, "tier_coverage": coverage, "plan_downgrades": {}}


@routes.put("/v2/security/settings/plan")
def security_update_settings_plan(req: Request):
    return {"tier_coverage": _security(req).set_coverage(req.json())}


@routes.post("/v2/security/settings/suppressions")
def security_create_suppression(req: Request):
    made = _security(req).suppress(req.json())
    return Reply(201, paginate(req, made, "resources"))


@routes.delete("/v2/security/settings/suppressions/{suppression_uuid}")
def security_delete_suppression(req: Request):
    _security(req).unsuppress(req.params["suppression_uuid"])
    return Reply(204)
