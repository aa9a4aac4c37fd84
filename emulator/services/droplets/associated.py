"""Destroying a droplet with its associated resources: volumes, their snapshots, its snapshots, reserved IPs.

``GET .../destroy_with_associated_resources`` lists them with the monthly cost of keeping each; the
selective delete destroys the droplet and the resources named, the dangerous one (``X-Dangerous:
true``) all of them. Each run leaves a status (kept after the droplet is gone) that ``/status``
reports and ``/retry`` runs again for what failed. The resources live in other families, reached
through core/links.
"""

from __future__ import annotations

from emulator.core import links
from emulator.core.errors import ApiError, Conflict, NotFound, Unprocessable
from emulator.core.validate import string_list

KINDS = ("reserved_ips", "snapshots", "volumes", "volume_snapshots")
# USD per month of keeping a resource once its droplet is gone (DigitalOcean's published prices).
RESERVED_IP_MONTHLY = 5.0
VOLUME_GIB_MONTHLY = 0.10
SNAPSHOT_GIB_MONTHLY = 0.06


def _cost(kind: str, resource: dict) -> str:
    if kind == "reserved_ips":
        return f"{RESERVED_IP_MONTHLY:.2f}"
    per_gib = VOLUME_GIB_MONTHLY if kind == "volumes" else SNAPSHOT_GIB_MONTHLY
    return f"{per_gib * float(resource.get('size_gigabytes') or 0):.2f}"


def listing(backend, droplet_id: int) -> dict:
    """``{"reserved_ips", "floating_ips", "snapshots", "volumes", "volume_snapshots"}``, each [{id, name, cost}]."""
    backend.get(droplet_id)  # 404 for an unknown droplet
    out = {kind: [{"id": str(r["id"]), "name": r["name"], "cost": _cost(kind, r)}
                  for r in links.associated(backend.state, kind, droplet_id)] for kind in KINDS}
    out["floating_ips"] = list(out["reserved_ips"])  # the old name of the same addresses
    return out


def destroy(backend, droplet_id: int, body: dict | None) -> None:
    """Destroy the droplet and the associated resources named in ``body`` (None: all of them)."""
    droplet = backend.get(droplet_id)
    available = {kind: {str(r["id"]): r for r in links.associated(backend.state, kind, droplet["id"])}
                 for kind in KINDS}
    chosen: dict[str, list[str]] = {}
    for kind in KINDS:
        if body is None:
            chosen[kind] = list(available[kind])
            continue
        wanted = string_list(body, kind) + (string_list(body, "floating_ips") if kind == "reserved_ips" else [])
        unknown = [i for i in wanted if i not in available[kind]]
        if unknown:
            raise Unprocessable(f"{kind}: {unknown} are not associated with droplet {droplet['id']}")
        chosen[kind] = list(dict.fromkeys(wanted))
    status = {"droplet": {"id": str(droplet["id"]), "name": droplet["name"]},
              "resources": {kind: [{"id": i, "name": available[kind][i]["name"]} for i in chosen[kind]]
                            for kind in KINDS},
              "failures": 0}
    backend.delete(droplet["id"])  # detaches its volumes first
    status["droplet"]["destroyed_at"] = backend.now()
    _run(backend, status)
    backend.table("destroy_status")[str(droplet["id"])] = status


def _run(backend, status: dict) -> None:
    """Destroy every resource of ``status`` not destroyed yet; failures are counted and kept for a retry."""
    status["failures"] = 0
    for kind in ("reserved_ips", "volume_snapshots", "snapshots", "volumes"):  # snapshots before their volume
        for entry in status["resources"][kind]:
            if entry.get("destroyed_at"):
                continue
            try:
                links.destroy_associated(backend.state, kind, entry["id"])
            except NotFound:
                pass  # already gone: nothing left to destroy
            except ApiError as exc:
                entry["error_message"] = exc.message
                status["failures"] += 1
                continue
            entry.pop("error_message", None)
            entry["destroyed_at"] = backend.now()
    status["completed_at"] = backend.now()


def view_status(backend, droplet_id: int) -> dict:
    status = backend.table("destroy_status").get(str(droplet_id))
    if status is None:
        raise NotFound(f"No destroy with associated resources was requested for droplet {droplet_id}.")
    out = {"droplet": dict(status["droplet"]), "failures": status["failures"], "completed_at": status["completed_at"],
           "resources": {kind: [dict(e) for e in status["resources"][kind]] for kind in KINDS}}
    out["resources"]["floating_ips"] = [dict(e) for e in status["resources"]["reserved_ips"]]
    return out


def retry(backend, droplet_id: int) -> None:
    status = backend.table("destroy_status").get(str(droplet_id))
    if status is None:
        raise NotFound(f"No destroy with associated resources was requested for droplet {droplet_id}.")
    if not status["failures"]:
        raise Conflict(f"The destroy of droplet {droplet_id} and its resources has no failure to retry.")
    _run(backend, status)
