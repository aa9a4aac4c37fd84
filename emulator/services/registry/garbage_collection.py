"""Garbage collection of a registry: a run walks its steps through the lifecycle helper (each
``gc_step_seconds``, the lifecycle delay by default), keeps the registry read-only while active, and on success
sweeps untagged manifests and/or unreferenced blobs as its type says."""

from __future__ import annotations

from emulator.core.errors import Conflict, PreconditionFailed, Unprocessable, not_found
from emulator.core.state import schedule, settle

GC_TYPES = ["untagged manifests only", "unreferenced blobs only", "untagged manifests and unreferenced blobs"]
GC_DEFAULT_TYPE = "unreferenced blobs only"
GC_STEPS = ["waiting for write JWTs to expire", "scanning manifests", "deleting unreferenced blobs", "succeeded"]
GC_ACTIVE = {"requested", "waiting for write JWTs to expire", "scanning manifests", "deleting unreferenced blobs",
             "cancelling"}


def live_manifests(repo: dict) -> set[str]:
    """Tagged manifests and everything they reference (children of tagged indexes)."""
    live: set[str] = set()
    stack = [d for d, m in repo["manifests"].items() if m["tags"]]
    while stack:
        digest = stack.pop()
        if digest in live or digest not in repo["manifests"]:
            continue
        live.add(digest)
        stack.extend(repo["manifests"][digest].get("_references", ()))
    return live


def step_seconds(backend, registry: str) -> float:
    configured = backend.data["registries"][registry].get("_gc_step_seconds")
    return backend.state.settings.lifecycle_delay if configured is None else float(configured)


def tick(backend, registry: str) -> None:
    """Advance the registry's collections (scheduled statuses) and run a sweep that became due."""
    for gc in backend.data["gcs"].get(registry, ()):
        if gc["status"] in ("succeeded", "failed", "cancelled"):
            continue
        before = gc["status"]
        settle(backend.state, gc)
        if gc["status"] == "succeeded" and before != "succeeded":
            sweep(backend, registry, gc)
        if gc["status"] != before:
            gc["updated_at"] = backend.now()


def start(backend, registry: str, body: dict) -> dict:
    gc_type = body.get("type") or GC_DEFAULT_TYPE
    if gc_type not in GC_TYPES:
        raise Unprocessable(f"type must be one of {', '.join(GC_TYPES)}; got {gc_type!r}")
    active = backend.active_gc(registry)
    if active is not None:
        raise Conflict(f"garbage collection {active['uuid']} is already {active['status']} on registry "
                       f"{registry!r}; only one may be active")
    now = backend.now()
    gc = {"uuid": backend.ids.uuid(), "registry_name": registry, "status": "requested", "type": gc_type,
          "created_at": now, "updated_at": now, "blobs_deleted": 0, "freed_bytes": 0}
    step = step_seconds(backend, registry)
    for i, status in enumerate(GC_STEPS, start=1):
        schedule(backend.state, gc, {"status": status}, delay=step * i)
    backend.data["gcs"][registry].append(gc)
    return gc


def cancel(backend, registry: str, gc_uuid: str, body: dict) -> dict:
    backend.get_registry(registry)
    gc = next((g for g in backend.data["gcs"][registry] if g["uuid"] == gc_uuid), None)
    if gc is None:
        raise not_found("garbage collection", repr(gc_uuid))
    if body.get("cancel") is not True:
        raise Unprocessable("cancel must be true (the only update a garbage collection accepts)")
    if gc["status"] not in GC_ACTIVE:
        raise PreconditionFailed(f"garbage collection {gc_uuid} is already {gc['status']}")
    if gc["status"] != "cancelling":
        gc["_pending"] = []
        gc.update(status="cancelling", updated_at=backend.now())
        schedule(backend.state, gc, {"status": "cancelled"})
    return gc


def sweep(backend, registry: str, gc: dict) -> None:
    store = backend.data["stores"][registry]
    if gc["type"] in ("untagged manifests only", "untagged manifests and unreferenced blobs"):
        for repo in store["repos"].values():
            live = live_manifests(repo)
            for digest in [d for d in repo["manifests"] if d not in live]:
                del repo["manifests"][digest]
    blobs_deleted = freed = 0
    if gc["type"] in ("unreferenced blobs only", "untagged manifests and unreferenced blobs"):
        referenced = {b["digest"] for repo in store["repos"].values() for m in repo["manifests"].values()
                      for b in m["blobs"]}
        for digest in [d for d in store["blobs"] if d not in referenced]:
            freed += store["blobs"].pop(digest)
            blobs_deleted += 1
    gc.update(blobs_deleted=blobs_deleted, freed_bytes=freed)
    recount(backend, registry)


def recount(backend, registry: str) -> None:
    reg = backend.data["registries"][registry]
    reg["storage_usage_bytes"] = sum(backend.data["stores"][registry]["blobs"].values())
    reg["storage_usage_bytes_updated_at"] = backend.now()
