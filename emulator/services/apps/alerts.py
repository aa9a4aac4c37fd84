"""An app's alerts: one per (component, rule) of its spec, with ids and destinations kept across updates."""

from __future__ import annotations

import copy

from .spec import COMPONENT_KINDS, destinations


def derive(backend, spec: dict, current: list[dict]) -> list[dict]:
    """One alert per (component, rule) in the spec; ids and destinations survive spec updates."""
    wanted = [("", a) for a in spec.get("alerts") or []]
    for kind in COMPONENT_KINDS:
        for comp in spec.get(kind) or []:
            wanted += [(comp["name"], a) for a in comp.get("alerts") or []]
    by_key = {(a["component_name"], a["spec"]["rule"]): a for a in current}
    out = []
    for component, alert_spec in wanted:
        existing = by_key.get((component, alert_spec["rule"]))
        if alert_spec.get("destinations") is not None:  # the spec's destinations win (the real API keeps them)
            emails, hooks = destinations(alert_spec["destinations"], "")
        else:
            emails, hooks = (existing["emails"], existing["slack_webhooks"]) if existing else ([], [])
        alert = {"id": existing["id"] if existing else backend.ids.uuid(), "component_name": component,
                 "spec": copy.deepcopy(alert_spec), "emails": emails, "slack_webhooks": hooks,
                 "phase": "ACTIVE",
                 "progress": {"steps": [{"name": "alert-configure-insight-alert", "status": "SUCCESS",
                                         "started_at": backend.now(), "ended_at": backend.now()}]}}
        out.append(alert)
    return out


def view(alert: dict) -> dict:
    out = copy.deepcopy(alert)
    if not out["component_name"]:
        del out["component_name"]
    return out
