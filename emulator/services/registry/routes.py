"""Container registry routes: the legacy ``/v2/registry`` and multi-registry ``/v2/registries`` families.

Both families share one backend. Handlers parse, make one backend call and wrap the answer as the
API does; ``repositoriesV2`` pages by ``page_token`` (an opaque cursor carried in ``links.pages.next``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from emulator.core.errors import NotFound
from emulator.core.pagination import page_window, paginate
from emulator.core.routing import Reply, Request, Routes

from .models import TIERS, RegistryBackend, decode_token, encode_token

routes = Routes()
LEGACY, MULTI = "/v2/registry", "/v2/registries"


def backend(req: Request) -> RegistryBackend:
    return req.backend("registry")  # type: ignore[return-value]


def both(method: str, suffix: str):
    """Register one handler under both families (same suffix, e.g. ``/{registry_name}/repositoriesV2``)."""

    def register(handler):
        for prefix in (LEGACY, MULTI):
            routes.add(method, prefix + suffix, handler)
        return handler

    return register


# -- rendering
def render_registry(registry: dict, subscription: dict | None = None) -> dict:
    body = {k: registry[k] for k in ("name", "created_at", "region", "storage_usage_bytes",
                                     "storage_usage_bytes_updated_at")}
    if subscription is not None:
        body["subscription"] = subscription
    return body


def render_subscription(b: RegistryBackend) -> dict:
    sub = b.subscription()
    tier = {k: v for k, v in TIERS[sub["tier_slug"]].items() if not k.startswith("_")}
    return {"tier": tier, "created_at": sub["created_at"], "updated_at": sub["updated_at"]}


def render_manifest(registry: str, repo: str, m: dict) -> dict:
    return {"registry_name": registry, "repository": repo, "digest": m["digest"],
            "compressed_size_bytes": m["compressed_size_bytes"], "size_bytes": m["size_bytes"],
            "updated_at": m["updated_at"], "tags": list(m["tags"]), "blobs": [dict(b) for b in m["blobs"]]}


def render_tag(registry: str, repo: str, tag: str, entry: dict, manifest: dict | None) -> dict:
    return {"registry_name": registry, "repository": repo, "tag": tag, "manifest_digest": entry["digest"],
            "compressed_size_bytes": manifest["compressed_size_bytes"] if manifest else 0,
            "size_bytes": manifest["size_bytes"] if manifest else 0, "updated_at": entry["updated_at"]}


def render_repository_v2(registry: str, repo: str, record: dict) -> dict:
    latest = RegistryBackend.latest_manifest(record)
    body = {"registry_name": registry, "name": repo, "tag_count": len(record["tags"]),
            "manifest_count": len(record["manifests"])}
    if latest is not None:
        body["latest_manifest"] = render_manifest(registry, repo, latest)
    return body


def render_gc(gc: dict) -> dict:
    return {k: gc[k] for k in ("uuid", "registry_name", "status", "type", "created_at", "updated_at",
                               "blobs_deleted", "freed_bytes")}


# -- registries, subscription, options
@routes.post(LEGACY)
def registry_create(req: Request):
    registry = backend(req).create_registry(req.json(), legacy=True)
    return Reply(201, {"registry": render_registry(registry, render_subscription(backend(req)))})


@routes.post(MULTI)
def registries_create(req: Request):
    return Reply(201, {"registry": render_registry(backend(req).create_registry(req.json(), legacy=False))})


@routes.get(LEGACY)
def registry_get(req: Request):
    b = backend(req)
    return {"registry": render_registry(b.only_registry(), render_subscription(b))}


@routes.get(MULTI)
def registries_list(req: Request):
    b = backend(req)
    for registry in b.list_registries():
        b.get_registry(registry["name"])  # advance collections
    return {"registries": [render_registry(r, render_subscription(b)) for r in b.list_registries()]}


@routes.get(MULTI + "/{registry_name}")
def registries_get(req: Request):
    return {"registry": render_registry(backend(req).get_registry(req.params["registry_name"]))}


@routes.delete(LEGACY)
def registry_delete(req: Request):
    b = backend(req)
    b.delete_registry(b.only_registry()["name"])
    return Reply(204)


@routes.delete(MULTI + "/{registry_name}")
def registries_delete(req: Request):
    backend(req).delete_registry(req.params["registry_name"])
    return Reply(204)


@both("GET", "/subscription")
def get_subscription(req: Request):
    return {"subscription": render_subscription(backend(req))}


@both("POST", "/subscription")
def update_subscription(req: Request):
    b = backend(req)
    b.update_subscription(req.json())
    return {"subscription": render_subscription(b)}


@both("GET", "/options")
def get_options(req: Request):
    return {"options": backend(req).options()}


@both("POST", "/validate-name")
def validate_name(req: Request):
    backend(req).validate_name(req.json())
    return Reply(204)


def _credentials(req: Request, name: str) -> dict:
    return backend(req).docker_credentials(name, req.bool_arg("read_write"), req.int_arg("expiry_seconds", 0))


@routes.get(LEGACY + "/docker-credentials")
def registry_docker_credentials(req: Request):
    return _credentials(req, backend(req).only_registry()["name"])


@routes.get(MULTI + "/{registry_name}/docker-credentials")
def registries_docker_credentials(req: Request):
    return _credentials(req, req.params["registry_name"])


# -- repositories
@routes.get(LEGACY + "/{registry_name}/repositories")
def list_repositories(req: Request):
    name = req.params["registry_name"]
    b = backend(req)
    body = paginate(req, b.repositories(name), "repositories")
    items = []
    for repo, record in body["repositories"]:
        item = {"registry_name": name, "name": repo, "tag_count": len(record["tags"])}
        newest = b.tags_newest_first(record)[:1]
        if newest:
            tag, entry = newest[0]
            item["latest_tag"] = render_tag(name, repo, tag, entry, record["manifests"].get(entry["digest"]))
        items.append(item)
    body["repositories"] = items
    return body


def _token_link(req: Request, **params) -> str:
    query = {k: v[0] for k, v in req.query.items() if v and k not in ("page", "page_token", "per_page")}
    query.update({k: str(v) for k, v in params.items()})
    return f"{req.base_url}{req.path}?{urlencode(query)}"


@both("GET", "/{registry_name}/repositoriesV2")
def list_repositories_v2(req: Request):
    """Token pagination: ``page_token`` (when given) wins over ``page``; the token is a cursor."""
    name = req.params["registry_name"]
    repos = backend(req).repositories(name)
    page, per_page = page_window(req)
    token = req.arg("page_token")
    if token:
        page, after = decode_token(token)
        start = next((i for i, (repo, _) in enumerate(repos) if repo > after), len(repos))
    else:
        start = (page - 1) * per_page
    chunk = repos[start:start + per_page]
    total = len(repos)
    last = max(1, -(-total // per_page))
    pages: dict[str, str] = {}
    if start > 0:
        pages["first"] = _token_link(req, page=1, per_page=per_page)
        pages["prev"] = _token_link(req, page=max(1, page - 1), per_page=per_page)
    if start + per_page < total and chunk:
        pages["next"] = _token_link(req, page=page + 1, page_token=encode_token(page + 1, chunk[-1][0]),
                                    per_page=per_page)
        pages["last"] = _token_link(req, page=last, per_page=per_page)
    return {"repositories": [render_repository_v2(name, repo, record) for repo, record in chunk],
            "links": {"pages": pages} if pages else {}, "meta": {"total": total}}


@routes.delete(MULTI + "/{registry_name}/repositories/{repository_name}")
def delete_repository(req: Request):
    backend(req).delete_repository(req.params["registry_name"], req.params["repository_name"])
    return Reply(204)


def _repository_page(req: Request, key: str, newest_first: Callable[[dict], list],
                     render: Callable[[str, str, dict, Any], dict]) -> dict:
    """One page of a repository's tags or manifests, newest first, each rendered as the API shows it."""
    name, repo = req.params["registry_name"], req.params["repository_name"]
    record = backend(req).repository(name, repo)
    body = paginate(req, newest_first(record), key)
    body[key] = [render(name, repo, record, row) for row in body[key]]
    return body


def _delete_in_repository(req: Request, delete: Callable[[str, str, str], None], ref: str) -> Reply:
    """A tag or manifest deleted from the repository of the path; 204 as the API answers."""
    p = req.params
    delete(p["registry_name"], p["repository_name"], p[ref])
    return Reply(204)


@both("GET", "/{registry_name}/repositories/{repository_name}/tags")
def list_repository_tags(req: Request):
    def render(name: str, repo: str, record: dict, row: tuple[str, dict]) -> dict:
        tag, entry = row
        return render_tag(name, repo, tag, entry, record["manifests"].get(entry["digest"]))

    return _repository_page(req, "tags", RegistryBackend.tags_newest_first, render)


@both("DELETE", "/{registry_name}/repositories/{repository_name}/tags/{repository_tag}")
def delete_repository_tag(req: Request):
    return _delete_in_repository(req, backend(req).delete_tag, "repository_tag")


@both("GET", "/{registry_name}/repositories/{repository_name}/digests")
def list_repository_manifests(req: Request):
    return _repository_page(req, "manifests", RegistryBackend.manifests_newest_first,
                            lambda name, repo, _record, row: render_manifest(name, repo, row))


@both("DELETE", "/{registry_name}/repositories/{repository_name}/digests/{manifest_digest}")
def delete_repository_manifest(req: Request):
    return _delete_in_repository(req, backend(req).delete_manifest, "manifest_digest")


# -- garbage collection
@both("POST", "/{registry_name}/garbage-collection")
def run_garbage_collection(req: Request):
    gc = backend(req).start_gc(req.params["registry_name"], req.json())
    return Reply(201, {"garbage_collection": render_gc(gc)})


@both("GET", "/{registry_name}/garbage-collection")
def get_garbage_collection(req: Request):
    name = req.params["registry_name"]
    gc = backend(req).active_gc(name)
    if gc is None:
        raise NotFound(f"There is no active garbage collection for registry {name!r}.")
    return {"garbage_collection": render_gc(gc)}


@both("GET", "/{registry_name}/garbage-collections")
def list_garbage_collections(req: Request):
    body = paginate(req, backend(req).list_gcs(req.params["registry_name"]), "garbage_collections")
    body["garbage_collections"] = [render_gc(gc) for gc in body["garbage_collections"]]
    return body


@both("PUT", "/{registry_name}/garbage-collection/{garbage_collection_uuid}")
def update_garbage_collection(req: Request):
    p = req.params
    gc = backend(req).update_gc(p["registry_name"], p["garbage_collection_uuid"], req.json())
    return {"garbage_collection": render_gc(gc)}
