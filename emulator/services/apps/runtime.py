"""An app at run time: its instances and their health, daily bandwidth, and rollback to an earlier deployment.

Instances are those of the active deployment's spec (``instance_count`` of each service and worker,
named ``<component>-<hash>-<n>``), all healthy. Bandwidth is a deterministic figure per app and day.
A rollback deploys an earlier deployment's spec; unless ``skip_pin``, the app stays pinned to it (new
deployments refused) until the rollback is committed or reverted, as the API does.
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, date, datetime

from emulator.core.errors import Conflict, Unprocessable
from emulator.core.state import public
from emulator.core.validate import boolean, string

ROLLBACK_PHASES = ("ACTIVE", "SUPERSEDED")
RUNNING_KINDS = {"services": "SERVICE", "workers": "WORKER"}


def _active(record: dict) -> dict | None:
    return next((d for d in record["_deployments"] if d["phase"] == "ACTIVE"), None)


def instances(backend, app_id: str) -> list[dict]:
    record = backend._app(app_id)
    active = _active(record)
    if active is None:
        return []
    out = []
    for kind, kind_name in RUNNING_KINDS.items():
        for comp in active["spec"].get(kind) or []:
            suffix = hashlib.sha256(f"{active['id']}/{comp['name']}".encode()).hexdigest()[:10]
            for n in range(comp.get("instance_count") or 1):
                out.append({"component_name": comp["name"], "component_type": kind_name,
                            "instance_name": f"{comp['name']}-{suffix}-{n}", "instance_alias": f"{comp['name']}-{n}"})
    return out


def health(backend, app_id: str) -> dict:
    record = backend._app(app_id)
    active = _active(record)
    components = []
    for kind in RUNNING_KINDS:
        for comp in (active or {"spec": record["spec"]})["spec"].get(kind) or []:
            count = comp.get("instance_count") or 1
            components.append({"name": comp["name"], "cpu_usage_percent": 12.5, "memory_usage_percent": 38.0,
                               "replicas_desired": count, "replicas_ready": count if active else 0,
                               "state": "HEALTHY" if active else "UNKNOWN"})
    return {"components": components, "functions_components": []}


def bandwidth(backend, app_ids: list, day: str | None) -> dict:
    if not isinstance(app_ids, list) or not app_ids or not all(isinstance(a, str) for a in app_ids):
        raise Unprocessable("app_ids must be a non-empty list of app ids")
    when = _day(day) or backend.clock.now().date()
    usage = []
    for app_id in app_ids:
        backend._app(app_id)  # 404 for an unknown app
        digest = hashlib.sha256(f"{app_id}/{when.isoformat()}".encode()).digest()
        usage.append({"app_id": app_id, "bandwidth_bytes": str(100_000 + int.from_bytes(digest[:3], "big") * 10)})
    return {"app_bandwidth_usage": usage, "date": datetime(when.year, when.month, when.day, tzinfo=UTC)
            .strftime("%Y-%m-%dT%H:%M:%SZ")}


def _day(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
    except ValueError:
        raise Unprocessable(f"date must be an RFC 3339 date-time; got {raw!r}") from None


def _target(backend, record: dict, body: dict) -> tuple[dict | None, dict | None]:
    """(the deployment to roll back to, or None; the failing condition, or None)."""
    deployment_id = string(body, "deployment_id", required=True)
    target = backend._deployment(record, deployment_id)
    if target["phase"] not in ROLLBACK_PHASES:
        return target, {"code": "incompatible_phase", "message": f"deployment {deployment_id} is {target['phase']}; "
                        f"only a deployment that was live ({', '.join(ROLLBACK_PHASES)}) can be rolled back to"}
    if target["phase"] == "ACTIVE":
        return target, {"code": "incompatible_phase", "message": f"deployment {deployment_id} is the live one"}
    return target, None


def validate(backend, app_id: str, body: dict) -> dict:
    _, failing = _target(backend, backend._app(app_id), body)
    return {"valid": False, "error": failing, "warnings": []} if failing else {"valid": True, "warnings": []}


def rollback(backend, app_id: str, body: dict) -> dict:
    record = backend._app(app_id)
    target, failing = _target(backend, record, body)
    if failing:
        raise Unprocessable(failing["message"])
    skip_pin = boolean(body, "skip_pin")
    previous = copy.deepcopy(record["spec"])
    record["spec"] = copy.deepcopy(target["spec"])
    deployment = backend._deploy(record, f"rollback to deployment {target['id']}")
    if not skip_pin:
        record["_pinned"] = {"deployment_id": deployment["id"], "previous_spec": previous}
    return public(deployment)


def commit(backend, app_id: str) -> None:
    record = backend._app(app_id)
    if not record.get("_pinned"):
        raise Conflict(f"app {app_id} has no rollback to commit")
    del record["_pinned"]


def revert(backend, app_id: str) -> dict:
    record = backend._app(app_id)
    pinned = record.pop("_pinned", None)
    if not pinned:
        raise Conflict(f"app {app_id} has no rollback to revert")
    record["spec"] = pinned["previous_spec"]
    return public(backend._deploy(record, "rollback reverted"))
