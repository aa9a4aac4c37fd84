from emulator.core.crud import Collection
from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
BASE = "/v2/partner_network_connect/attachments"
ATTACHMENTS = Collection("partner_network", BASE, "pa_id", "partner_attachment", "partner_attachments",
                         create_status=202, patch="update", change_status=202, delete_status=202,
                         delete_view=True)
ATTACHMENTS.register(routes)


def _pnc(req: Request):
    return req.backend("partner_network")


@routes.get(BASE + "/{pa_id}/bgp_auth_key")
def partner_attachments_bgp_auth_key(req: Request):
    return {"bgp_auth_key": _pnc(req).bgp_auth_key(req.params["pa_id"])}


@routes.get(BASE + "/{pa_id}/remote_routes")
def partner_attachments_remote_routes(req: Request):
    """Routes learned over BGP from the partner's network: no session runs, so none."""
    _pnc(req).get(req.params["pa_id"])
    return paginate(req, [], "remote_routes")


@routes.get(BASE + "/{pa_id}/service_key")
def partner_attachments_get_service_key(req: Request):
    return {"service_key": _pnc(req).service_key(req.params["pa_id"])}


@routes.post(BASE + "/{pa_id}/service_key")
def partner_attachments_create_service_key(req: Request):
    _pnc(req).create_service_key(req.params["pa_id"])
    return Reply(202, {})
