from emulator.core.crud import Collection
from emulator.core.pagination import paginate
from emulator.core.routing import Request, Routes

routes = Routes()
VPCS = Collection("vpcs", "/v2/vpcs", "vpc_id", "vpc", "vpcs", view=None, filters={"region": "region"}, put="update",
                  patch="update", partial=True)
VPCS.register(routes)


@routes.get("/v2/vpcs/{vpc_id}/members")
def vpcs_list_members(req: Request):
    members = req.backend("vpcs").members(req.params["vpc_id"], req.arg("resource_type") or None)
    return paginate(req, members, "members")
