"""Shared by the end-to-end stack tests: a free port, the plan's operations per type, what a stack left behind."""

from __future__ import annotations

import socket
from collections import Counter

from do_platform.api.client import make_client
from do_platform.engine.local_stack import EMULATOR_TOKEN

# (PyDo operation group, list method, response key) of every family a stack of this program creates.
FAMILIES = (("droplets", "list", "droplets"), ("vpcs", "list", "vpcs"), ("firewalls", "list", "firewalls"),
            ("apps", "list", "apps"), ("databases", "list_clusters", "databases"),
            ("kubernetes", "list_clusters", "kubernetes_clusters"), ("load_balancers", "list", "load_balancers"),
            ("domains", "list", "domains"), ("volumes", "list", "volumes"), ("certificates", "list", "certificates"),
            ("uptime", "list_checks", "checks"), ("projects", "list", "projects"),
            ("spaces_key", "list", "keys"), ("cdn", "list_endpoints", "endpoints"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ops(plan: dict) -> Counter:
    """(op, resource type) -> count over the plan's steps that change something (`--refresh` reads excluded)."""
    return Counter((s["op"], s["urn"].split("::")[2].split("$")[-1]) for s in plan["steps"]
                   if s["op"] not in ("same", "refresh"))


def leftovers(url: str) -> dict[str, list]:
    """What the emulator still holds, per family, apart from what the account starts with (default VPCs and
    project)."""
    api = make_client(token=EMULATOR_TOKEN, endpoint=url, retry_total=0)
    out = {}
    for group, method, key in FAMILIES:
        items = getattr(getattr(api, group), method)().get(key) or []
        items = [i for i in items if not i.get("default") and not i.get("is_default")]
        if items:
            out[key] = [i.get("name") or i.get("id") for i in items]
    return out
