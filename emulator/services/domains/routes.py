from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes
from emulator.core.state import public

routes = Routes()


def _dns(req: Request):
    return req.backend("domains")


@routes.get("/v2/domains")
def domains_list(req: Request):
    backend = _dns(req)
    return paginate(req, [backend.view(d) for d in backend.list()], "domains")


@routes.post("/v2/domains")
def domains_create(req: Request):
    backend = _dns(req)
    return Reply(201, {"domain": backend.view(backend.create(req.json()))})


@routes.get("/v2/domains/{domain_name}")
def domains_get(req: Request):
    backend = _dns(req)
    return {"domain": backend.view(backend.get(req.params["domain_name"]))}


@routes.delete("/v2/domains/{domain_name}")
def domains_delete(req: Request):
    _dns(req).delete(req.params["domain_name"])
    return Reply(204)


@routes.get("/v2/domains/{domain_name}/records")
def domains_list_records(req: Request):
    records = _dns(req).records(req.params["domain_name"], type_filter=req.arg("type"), name_filter=req.arg("name"))
    return paginate(req, [public(r) for r in records], "domain_records")


@routes.post("/v2/domains/{domain_name}/records")
def domains_create_record(req: Request):
    record = _dns(req).create_record(req.params["domain_name"], req.json())
    return Reply(201, {"domain_record": public(record)})


@routes.get("/v2/domains/{domain_name}/records/{domain_record_id}")
def domains_get_record(req: Request):
    record = _dns(req).get_record(req.params["domain_name"], req.params["domain_record_id"])
    return {"domain_record": public(record)}


@routes.put("/v2/domains/{domain_name}/records/{domain_record_id}")
def domains_update_record(req: Request):
    record = _dns(req).update_record(req.params["domain_name"], req.params["domain_record_id"], req.json(),
                                     partial=False)
    return {"domain_record": public(record)}


@routes.patch("/v2/domains/{domain_name}/records/{domain_record_id}")
def domains_patch_record(req: Request):
    record = _dns(req).update_record(req.params["domain_name"], req.params["domain_record_id"], req.json(),
                                     partial=True)
    return {"domain_record": public(record)}


@routes.delete("/v2/domains/{domain_name}/records/{domain_record_id}")
def domains_delete_record(req: Request):
    _dns(req).delete_record(req.params["domain_name"], req.params["domain_record_id"])
    return Reply(204)
