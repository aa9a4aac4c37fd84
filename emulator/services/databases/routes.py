"""Database routes: parse, one backend call, the API's envelope and PyDo's documented status code."""

from __future__ import annotations

from emulator.core.pagination import paginate
from emulator.core.routing import Reply, Request, Routes

from . import history, logsinks, operations, schema_registry, topics

routes = Routes()
CLUSTER = "/v2/databases/{database_cluster_uuid}"


def _db(req: Request):
    return req.backend("databases")


def _id(req: Request) -> str:
    return req.params["database_cluster_uuid"]


@routes.get("/v2/databases/options")
def list_options(req: Request):
    return _db(req).options()


@routes.post("/v2/databases")
def create_cluster(req: Request):
    return Reply(201, {"database": _db(req).create_cluster(req.json())})


@routes.get("/v2/databases")
def list_clusters(req: Request):
    clusters = _db(req).list_clusters(tag_name=req.arg("tag_name") or None)
    if "page" in req.query or "per_page" in req.query:
        return paginate(req, clusters, "databases")
    # The API answers this list whole; a client that does not page (PyDo) must see every cluster.
    return {"databases": clusters, "links": {}, "meta": {"total": len(clusters)}}


@routes.get(CLUSTER)
def get_cluster(req: Request):
    return {"database": _db(req).get_cluster(_id(req))}


@routes.delete(CLUSTER)
def destroy_cluster(req: Request):
    _db(req).destroy_cluster(_id(req))
    return Reply(204)


@routes.put(CLUSTER + "/resize")
def update_cluster_size(req: Request):
    _db(req).resize(_id(req), req.json())
    return Reply(202)


@routes.put(CLUSTER + "/migrate")
def update_region(req: Request):
    _db(req).migrate(_id(req), req.json())
    return Reply(202)


@routes.put(CLUSTER + "/maintenance")
def update_maintenance_window(req: Request):
    _db(req).update_maintenance(_id(req), req.json())
    return Reply(204)


@routes.put(CLUSTER + "/upgrade")
def update_major_version(req: Request):
    _db(req).upgrade(_id(req), req.json())
    return Reply(204)


@routes.get(CLUSTER + "/autoscale")
def get_autoscale(req: Request):
    # The spec (and PyDo) read {"autoscale": {"storage"}}; godo, hence the Pulumi provider, reads a top-level
    # {"storage"}. The body carries both, which still validates against the spec.
    settings = _db(req).autoscale(_id(req))
    return {"autoscale": settings, "storage": settings["storage"]}


@routes.put(CLUSTER + "/autoscale")
def update_autoscale(req: Request):
    _db(req).update_autoscale(_id(req), req.json())
    return Reply(204)


@routes.get(CLUSTER + "/eviction_policy")
def get_eviction_policy(req: Request):
    return {"eviction_policy": _db(req).eviction_policy(_id(req))}


@routes.put(CLUSTER + "/eviction_policy")
def update_eviction_policy(req: Request):
    _db(req).update_eviction_policy(_id(req), req.json())
    return Reply(204)


@routes.get(CLUSTER + "/sql_mode")
def get_sql_mode(req: Request):
    return {"sql_mode": _db(req).sql_mode(_id(req))}


@routes.put(CLUSTER + "/sql_mode")
def update_sql_mode(req: Request):
    _db(req).update_sql_mode(_id(req), req.json())
    return Reply(204)


@routes.get(CLUSTER + "/config")
def get_config(req: Request):
    return {"config": _db(req).config(_id(req))}


@routes.patch(CLUSTER + "/config")
def patch_config(req: Request):
    _db(req).patch_config(_id(req), req.json())
    return Reply(200)


@routes.get(CLUSTER + "/ca")
def get_ca(req: Request):
    return {"ca": _db(req).ca(_id(req))}


# -- firewall ---------------------------------------------------------------------------------
@routes.get(CLUSTER + "/firewall")
def list_firewall_rules(req: Request):
    return {"rules": _db(req).firewall_rules(_id(req))}


@routes.put(CLUSTER + "/firewall")
def update_firewall_rules(req: Request):
    _db(req).replace_firewall_rules(_id(req), req.json())
    return Reply(204)


# -- users ------------------------------------------------------------------------------------
@routes.get(CLUSTER + "/users")
def list_users(req: Request):
    return {"users": _db(req).users(_id(req))}


@routes.post(CLUSTER + "/users")
def add_user(req: Request):
    return Reply(201, {"user": _db(req).add_user(_id(req), req.json())})


@routes.get(CLUSTER + "/users/{username}")
def get_user(req: Request):
    return {"user": _db(req).user(_id(req), req.params["username"])}


@routes.put(CLUSTER + "/users/{username}")
def update_user(req: Request):
    return Reply(201, {"user": _db(req).update_user(_id(req), req.params["username"], req.json())})


@routes.post(CLUSTER + "/users/{username}/reset_auth")
def reset_auth(req: Request):
    return {"user": _db(req).reset_auth(_id(req), req.params["username"], req.json())}


@routes.delete(CLUSTER + "/users/{username}")
def delete_user(req: Request):
    _db(req).delete_user(_id(req), req.params["username"])
    return Reply(204)


# -- dbs --------------------------------------------------------------------------------------
@routes.get(CLUSTER + "/dbs")
def list_dbs(req: Request):
    return {"dbs": _db(req).dbs(_id(req))}


@routes.post(CLUSTER + "/dbs")
def add_db(req: Request):
    return Reply(201, {"db": _db(req).add_db(_id(req), req.json())})


@routes.get(CLUSTER + "/dbs/{database_name}")
def get_db(req: Request):
    return {"db": _db(req).db(_id(req), req.params["database_name"])}


@routes.delete(CLUSTER + "/dbs/{database_name}")
def delete_db(req: Request):
    _db(req).delete_db(_id(req), req.params["database_name"])
    return Reply(204)


# -- connection pools -------------------------------------------------------------------------
@routes.get(CLUSTER + "/pools")
def list_connection_pools(req: Request):
    return {"pools": _db(req).pools(_id(req))}


@routes.post(CLUSTER + "/pools")
def add_connection_pool(req: Request):
    return Reply(201, {"pool": _db(req).add_pool(_id(req), req.json())})


@routes.get(CLUSTER + "/pools/{pool_name}")
def get_connection_pool(req: Request):
    return {"pool": _db(req).pool(_id(req), req.params["pool_name"])}


@routes.put(CLUSTER + "/pools/{pool_name}")
def update_connection_pool(req: Request):
    _db(req).update_pool(_id(req), req.params["pool_name"], req.json())
    return Reply(204)


@routes.delete(CLUSTER + "/pools/{pool_name}")
def delete_connection_pool(req: Request):
    _db(req).delete_pool(_id(req), req.params["pool_name"])
    return Reply(204)


# -- read-only replicas -----------------------------------------------------------------------
@routes.get(CLUSTER + "/replicas")
def list_replicas(req: Request):
    return {"replicas": _db(req).replicas(_id(req))}


@routes.post(CLUSTER + "/replicas")
def create_replica(req: Request):
    return Reply(201, {"replica": _db(req).create_replica(_id(req), req.json())})


@routes.get(CLUSTER + "/replicas/{replica_name}")
def get_replica(req: Request):
    return {"replica": _db(req).replica(_id(req), req.params["replica_name"])}


@routes.delete(CLUSTER + "/replicas/{replica_name}")
def destroy_replica(req: Request):
    _db(req).destroy_replica(_id(req), req.params["replica_name"])
    return Reply(204)


@routes.put(CLUSTER + "/replicas/{replica_name}/promote")
def promote_replica(req: Request):
    _db(req).promote_replica(_id(req), req.params["replica_name"])
    return Reply(204)


# -- log sinks, Kafka topics, backups and events (one module each, like large services in moto)
@routes.get(CLUSTER + "/logsink")
def list_logsinks(req: Request):
    return {"sinks": logsinks.list_all(_db(req), _id(req))}


@routes.post(CLUSTER + "/logsink")
def create_logsink(req: Request):
    return Reply(201, {"sink": logsinks.create(_db(req), _id(req), req.json())})


@routes.get(CLUSTER + "/logsink/{logsink_id}")
def get_logsink(req: Request):
    """The sink itself, no envelope (as the description and godo have it)."""
    return logsinks.get(_db(req), _id(req), req.params["logsink_id"])


@routes.put(CLUSTER + "/logsink/{logsink_id}")
def update_logsink(req: Request):
    logsinks.update(_db(req), _id(req), req.params["logsink_id"], req.json())
    return Reply(200)


@routes.delete(CLUSTER + "/logsink/{logsink_id}")
def delete_logsink(req: Request):
    logsinks.delete(_db(req), _id(req), req.params["logsink_id"])
    return Reply(200)


@routes.get(CLUSTER + "/topics")
def list_topics(req: Request):
    return {"topics": topics.list_all(_db(req), _id(req))}


@routes.post(CLUSTER + "/topics")
def create_topic(req: Request):
    return Reply(201, {"topic": topics.create(_db(req), _id(req), req.json())})


@routes.get(CLUSTER + "/topics/{topic_name}")
def get_topic(req: Request):
    return {"topic": topics.get(_db(req), _id(req), req.params["topic_name"])}


@routes.put(CLUSTER + "/topics/{topic_name}")
def update_topic(req: Request):
    return {"topic": topics.update(_db(req), _id(req), req.params["topic_name"], req.json())}


@routes.delete(CLUSTER + "/topics/{topic_name}")
def delete_topic(req: Request):
    topics.delete(_db(req), _id(req), req.params["topic_name"])
    return Reply(204)


@routes.get(CLUSTER + "/backups")
def list_backups(req: Request):
    return history.backups(_db(req), _id(req))


@routes.get(CLUSTER + "/events")
def list_events(req: Request):
    return {"events": history.events(_db(req), _id(req))}


@routes.get(CLUSTER + "/do_settings")
def get_do_settings(req: Request):
    return {"do_settings": operations.do_settings(_db(req), _id(req))}


@routes.put(CLUSTER + "/do_settings")
def update_do_settings(req: Request):
    operations.update_do_settings(_db(req), _id(req), req.json())
    return Reply(204)


@routes.put(CLUSTER + "/install_update")
def install_update(req: Request):
    operations.install_update(_db(req), _id(req))
    return Reply(204)


@routes.get(CLUSTER + "/online-migration")
def get_migration(req: Request):
    return operations.migration_status(_db(req), _id(req))


@routes.put(CLUSTER + "/online-migration")
def start_migration(req: Request):
    return operations.start_migration(_db(req), _id(req), req.json())


@routes.delete(CLUSTER + "/online-migration/{migration_id}")
def stop_migration(req: Request):
    operations.stop_migration(_db(req), _id(req), req.params["migration_id"])
    return Reply(204)


@routes.get(CLUSTER + "/indexes")
def list_indexes(req: Request):
    return {"indexes": operations.indexes(_db(req), _id(req))}


@routes.delete(CLUSTER + "/indexes/{index_name}")
def delete_index(req: Request):
    operations.delete_index(_db(req), _id(req), req.params["index_name"])
    return Reply(204)


@routes.get("/v2/databases/metrics/credentials")
def get_metrics_credentials(req: Request):
    return {"credentials": operations.metrics_credentials(_db(req))}


@routes.put("/v2/databases/metrics/credentials")
def update_metrics_credentials(req: Request):
    operations.update_metrics_credentials(_db(req), req.json())
    return Reply(204)


REGISTRY = CLUSTER + "/schema-registry"


@routes.get(REGISTRY)
def list_schemas(req: Request):
    return {"subjects": schema_registry.subjects(_db(req), _id(req))}


@routes.post(REGISTRY)
def create_schema(req: Request):
    return Reply(201, schema_registry.create(_db(req), _id(req), req.json()))


@routes.get(REGISTRY + "/config")
def get_schema_config(req: Request):
    return schema_registry.config(_db(req), _id(req))


@routes.put(REGISTRY + "/config")
def update_schema_config(req: Request):
    return schema_registry.config(_db(req), _id(req), body=req.json())


@routes.get(REGISTRY + "/config/{subject_name}")
def get_subject_config(req: Request):
    return schema_registry.config(_db(req), _id(req), req.params["subject_name"])


@routes.put(REGISTRY + "/config/{subject_name}")
def update_subject_config(req: Request):
    return schema_registry.config(_db(req), _id(req), req.params["subject_name"], req.json())


@routes.get(REGISTRY + "/{subject_name}")
def get_schema(req: Request):
    return schema_registry.latest(_db(req), _id(req), req.params["subject_name"])


@routes.delete(REGISTRY + "/{subject_name}")
def delete_schema(req: Request):
    schema_registry.delete(_db(req), _id(req), req.params["subject_name"])
    return Reply(204)


@routes.get(REGISTRY + "/{subject_name}/versions/{version}")
def get_schema_version(req: Request):
    return schema_registry.version(_db(req), _id(req), req.params["subject_name"], req.params["version"])
