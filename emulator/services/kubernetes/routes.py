"""Kubernetes routes: parse, one backend call, the API's envelope and PyDo's documented status code."""

from __future__ import annotations

from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

routes = Routes()
CLUSTER = "/v2/kubernetes/clusters/{cluster_id}"
POOL = CLUSTER + "/node_pools/{node_pool_id}"


def _k8s(req: Request):
    return req.backend("kubernetes")


def _id(req: Request) -> str:
    return req.params["cluster_id"]


@routes.get("/v2/kubernetes/options")
def list_options(req: Request):
    return {"options": _k8s(req).options()}


@routes.post("/v2/kubernetes/clusters")
def create_cluster(req: Request):
    return Reply(201, {"kubernetes_cluster": _k8s(req).create_cluster(req.json())})


@routes.get("/v2/kubernetes/clusters")
def list_clusters(req: Request):
    return paginate(req, _k8s(req).list_clusters(), "kubernetes_clusters")


@routes.get(CLUSTER)
def get_cluster(req: Request):
    return {"kubernetes_cluster": _k8s(req).get_cluster(_id(req))}


@routes.put(CLUSTER)
def update_cluster(req: Request):
    return Reply(202, {"kubernetes_cluster": _k8s(req).update_cluster(_id(req), req.json())})


@routes.delete(CLUSTER)
def delete_cluster(req: Request):
    _k8s(req).delete_cluster(_id(req))
    return Reply(204)


@routes.get(CLUSTER + "/upgrades")
def get_available_upgrades(req: Request):
    return {"available_upgrade_versions": _k8s(req).available_upgrades(_id(req))}


@routes.post(CLUSTER + "/upgrade")
def upgrade_cluster(req: Request):
    _k8s(req).upgrade(_id(req), req.json())
    return Reply(202)


@routes.get(CLUSTER + "/kubeconfig")
def get_kubeconfig(req: Request):
    """YAML. Served as ``text/plain`` unless the client asks for YAML in ``Accept``: PyDo asks for JSON,
    and azure-core cannot decode ``application/yaml`` (it raises DecodeError) but hands text through."""
    body = _k8s(req).kubeconfig(_id(req), req.int_arg("expiry_seconds", 0))
    wants_yaml = "yaml" in req.headers.get("accept", "")
    return Reply(200, body, content_type="application/yaml" if wants_yaml else "text/plain; charset=utf-8")


@routes.get(CLUSTER + "/credentials")
def get_credentials(req: Request):
    return _k8s(req).credentials(_id(req), req.int_arg("expiry_seconds", 0))  # no envelope, as the API


@routes.get(CLUSTER + "/user")
def get_cluster_user(req: Request):
    return {"kubernetes_cluster_user": _k8s(req).cluster_user(_id(req))}


@routes.get(CLUSTER + "/destroy_with_associated_resources")
def list_associated_resources(req: Request):
    return _k8s(req).associated_resources(_id(req))


@routes.delete(CLUSTER + "/destroy_with_associated_resources/dangerous")
def destroy_associated_resources_dangerous(req: Request):
    _k8s(req).destroy_with_associated(_id(req), None)
    return Reply(204)


@routes.delete(CLUSTER + "/destroy_with_associated_resources/selective")
def destroy_associated_resources_selective(req: Request):
    _k8s(req).destroy_with_associated(_id(req), req.json())
    return Reply(204)


# -- node pools -------------------------------------------------------------------------------
@routes.get(CLUSTER + "/node_pools")
def list_node_pools(req: Request):
    return {"node_pools": _k8s(req).node_pools(_id(req))}


@routes.post(CLUSTER + "/node_pools")
def add_node_pool(req: Request):
    return Reply(201, {"node_pool": _k8s(req).add_node_pool(_id(req), req.json())})


@routes.get(POOL)
def get_node_pool(req: Request):
    return {"node_pool": _k8s(req).node_pool(_id(req), req.params["node_pool_id"])}


@routes.put(POOL)
def update_node_pool(req: Request):
    return Reply(202, {"node_pool": _k8s(req).update_node_pool(_id(req), req.params["node_pool_id"], req.json())})


@routes.delete(POOL)
def delete_node_pool(req: Request):
    _k8s(req).delete_node_pool(_id(req), req.params["node_pool_id"])
    return Reply(204)


@routes.delete(POOL + "/nodes/{node_id}")
def delete_node(req: Request):
    _k8s(req).delete_node(_id(req), req.params["node_pool_id"], req.params["node_id"],
                          replace=req.bool_arg("replace"))
    return Reply(202)


# -- registry integration (DELETE carries a body) -----------------------------------------------
@routes.post("/v2/kubernetes/registry")
def add_registry(req: Request):
    _k8s(req).set_registry(req.json(), True)
    return Reply(204)


@routes.delete("/v2/kubernetes/registry")
def remove_registry(req: Request):
    _k8s(req).set_registry(req.json(), False)
    return Reply(204)


@routes.post("/v2/kubernetes/registries")
def add_registries(req: Request):
    _k8s(req).set_registry(req.json(), True, named=True)
    return Reply(204)


@routes.delete("/v2/kubernetes/registries")
def remove_registries(req: Request):
    _k8s(req).set_registry(req.json(), False, named=True)
    return Reply(204)


@routes.post(POOL + "/recycle")
def recycle_node_pool(req: Request):
    _k8s(req).recycle(_id(req), req.params["node_pool_id"], req.json())
    return Reply(202)


@routes.post(CLUSTER + "/clusterlint")
def run_clusterlint(req: Request):
    return Reply(202, {"run_id": _k8s(req).run_clusterlint(_id(req), req.json())})


@routes.get(CLUSTER + "/clusterlint")
def get_clusterlint(req: Request):
    return _k8s(req).clusterlint(_id(req), req.arg("run_id"))


@routes.get(CLUSTER + "/status_messages")
def get_status_messages(req: Request):
    return {"messages": _k8s(req).status_messages(_id(req), req.arg("since"))}
