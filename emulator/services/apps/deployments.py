"""An app's deployments: each create, update or manual deploy makes one that walks ``PENDING_BUILD → BUILDING →
PENDING_DEPLOY → DEPLOYING → ACTIVE`` through the lifecycle helper (or fails half-way when seeded to), and a
newer ACTIVE deployment supersedes the older one."""

from __future__ import annotations

import copy
from typing import Any

from emulator.core.errors import not_found
from emulator.core.state import schedule, settle

from .sizes import tier
from .spec import COMPONENT_KINDS

IN_PROGRESS = ("PENDING_BUILD", "BUILDING", "PENDING_DEPLOY", "DEPLOYING")
TERMINAL = ("ACTIVE", "SUPERSEDED", "ERROR", "CANCELED")
# (fraction of the lifecycle delay, phase, step statuses: build, deploy, finalize)
PHASES = [
    (0.25, "BUILDING", ("RUNNING", "PENDING", "PENDING")),
    (0.5, "PENDING_DEPLOY", ("SUCCESS", "PENDING", "PENDING")),
    (0.75, "DEPLOYING", ("SUCCESS", "RUNNING", "PENDING")),
    (1.0, "ACTIVE", ("SUCCESS", "SUCCESS", "SUCCESS")),
]
FAILED_PHASES = [  # a seeded failure: the build step errors half-way through the delay
    (0.25, "BUILDING", ("RUNNING", "PENDING", "PENDING")),
    (0.5, "ERROR", ("ERROR", "PENDING", "PENDING")),
]
FAILURE_MESSAGE = "Your build job failed because it exited with a non-zero code (seeded failure)."


def deploy(backend, record: dict, cause: str) -> dict:
    """A new deployment of the current spec; an older one still in progress is superseded."""
    for older in record["_deployments"]:
        if older["phase"] in IN_PROGRESS:
            older.pop("_pending", None)
            set_phase(backend, older, "SUPERSEDED", older["progress"])
    spec = record["spec"]
    components = [(kind, c["name"]) for kind in COMPONENT_KINDS for c in spec.get(kind) or []]
    now = backend.now()
    deployment = {
        "id": backend.ids.uuid(), "cause": cause, "spec": copy.deepcopy(spec), "phase": "PENDING_BUILD",
        "phase_last_updated_at": now, "created_at": now, "updated_at": now, "tier_slug": tier(spec),
        "progress": progress_of(components, ("PENDING", "PENDING", "PENDING"), now, now),
    }
    for kind in COMPONENT_KINDS:
        deployment[kind] = [{"name": c["name"], "source_commit_hash": backend.ids.hex(20)}
                            for c in spec.get(kind) or []]
    delay = backend.state.settings.lifecycle_delay
    failing = backend.data.get("failing_deployments", 0) > 0
    if failing:
        backend.data["failing_deployments"] -= 1
    for fraction, phase, statuses in (FAILED_PHASES if failing else PHASES):
        at = backend.clock.stamp(delay * fraction)
        progress = progress_of(components, statuses, now, at)
        if phase == "ERROR":
            progress["steps"][0]["reason"] = {"code": "BuildJobExitNonZero",
                                              "message": backend.data.get("failure_message") or FAILURE_MESSAGE}
            progress["summary_steps"][0]["reason"] = progress["steps"][0]["reason"]
        schedule(backend.state, deployment, {"phase": phase, "phase_last_updated_at": at, "updated_at": at,
                                          "progress": progress}, delay * fraction)
    record["_deployments"].insert(0, deployment)  # newest first, as the API lists them
    record["last_deployment_created_at"] = now
    return deployment


def progress_of(components: list[tuple[str, str]], statuses: tuple[str, str, str], started: str, at: str) -> dict:
    """The deployment's ``progress``: build, deploy and finalize steps in ``statuses``, with their counts."""
    steps = []
    for (name, sub), status in zip((("build", True), ("deploy", True), ("finalize", False)), statuses,
                                   strict=True):
        step: dict[str, Any] = {"name": name, "status": status}
        if status != "PENDING":
            step["started_at"] = started
        if status == "SUCCESS":
            step["ended_at"] = at
        if sub:
            step["steps"] = [{"name": f"{name}-{component}", "component_name": component, "status": status}
                             for _, component in components]
        steps.append(step)
    counts = {s: sum(1 for step in steps if step["status"] == s)
              for s in ("SUCCESS", "ERROR", "PENDING", "RUNNING")}
    return {"steps": steps, "summary_steps": [{k: v for k, v in s.items() if k != "steps"} for s in steps],
            "total_steps": len(steps), "success_steps": counts["SUCCESS"], "error_steps": counts["ERROR"],
            "pending_steps": counts["PENDING"], "running_steps": counts["RUNNING"]}


def set_phase(backend, deployment: dict, phase: str, progress: dict) -> None:
    now = backend.now()
    deployment.update(phase=phase, phase_last_updated_at=now, updated_at=now, progress=progress)


def refresh(backend, record: dict) -> None:
    """Apply due phase changes; only the newest ACTIVE deployment stays ACTIVE."""
    active_seen = False
    for deployment in record["_deployments"]:  # newest first
        settle(backend.state, deployment)
        if deployment["phase"] == "ACTIVE":
            if active_seen:
                set_phase(backend, deployment, "SUPERSEDED", deployment["progress"])
            active_seen = True


def find(record: dict, deployment_id: str) -> dict:
    for deployment in record["_deployments"]:
        if deployment["id"] == deployment_id:
            return deployment
    raise not_found("deployment", deployment_id)
