"""Probe groups ``cleanup`` and ``guardrails`` of ``python -m benchmarks.probe_hardening`` (issue 9).

``cleanup``: registry cleanup against the in-process emulator (loopback) under injected faults while
another client re-tags a kept multi-arch index (and sometimes deletes the newest build); after each
trial no tagged index may have lost a child and the re-tagged index must keep its new tag.

``guardrails``: attempts to open an admin port to the whole internet past ``no-public-admin-ports``
(split CIDR ranges, port ranges, IPv4-mapped and NAT64 IPv6, one rule per half), benign sources that
must pass, and world-open ``network.adminCidrs`` / ``kubernetes.controlPlaneCidrs`` in prod.

Trials are seeded (``--seed``), so a run repeats its choices; the emulator's timing may still vary.
"""

from __future__ import annotations

import random
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.probe_hardening import Probe

REGISTRY = "probe"
DEFAULT_TRIALS = 5
DEFAULT_SEED = 11
DIGESTS_ROUTE = "GET /v2/registries/{registry_name}/repositories/{repository_name}/digests"


# -- cleanup under faults and concurrent changes --------------------------------------------------------------

def _seed_registry(server, rng: random.Random) -> list[dict]:
    """``web``: 3-6 old multi-arch indexes (each amd64 child also tagged on its own) and 6-14 recent builds;
    ``api``: 5 old builds. Returns the indexes as pushed."""
    server.control.reset()
    pushes = [{"repository": "web", "tags": [f"multi-{i}"], "age_days": 100 + 10 * i,
               "platforms": ["linux/amd64", "linux/arm64"]} for i in range(rng.randint(3, 6))]
    pushes += [{"repository": "web", "tags": [f"build-{i}"], "age_days": 1 + i} for i in range(rng.randint(6, 14))]
    pushes += [{"repository": "api", "tags": [f"sha-{i}"], "age_days": 40 + i} for i in range(5)]
    pushed = server.control.seed("registry", {"registry": REGISTRY, "pushes": pushes})["pushed"]
    indexes = [p for p in pushed if p.get("children")]
    server.control.seed("registry", {"registry": REGISTRY, "pushes": [
        {"repository": "web", "tags": [f"amd64-{i}"], "digest": p["children"][0], "age_days": 100 + 10 * i}
        for i, p in enumerate(indexes)]})
    return indexes


def _broken_indexes(server) -> list[str]:
    """Tagged manifests one of whose children is gone."""
    out = []
    for name, repo in server.state.backend("registry").data["stores"][REGISTRY]["repos"].items():
        for digest, manifest in repo["manifests"].items():
            missing = [c for c in manifest.get("_references", []) if c not in repo["manifests"]]
            if missing and manifest["tags"]:
                out.append(f"{name}@{digest[:19]} lost {len(missing)} child(ren)")
    return out


def _inject_faults(server, rng: random.Random) -> list[str]:
    """A slow page of ``web``'s listing; half the time 503s on GETs, 30% slow DELETEs. Their description."""
    page, latency = rng.randint(2, 4), rng.choice([150, 300, 500])
    server.control.add_fault(match=rf"^GET .*/web/digests\?.*\bpage={page}\b", latency_ms=latency, count=1)
    faults = [f"page {page} +{latency}ms"]
    if rng.random() < 0.5:
        server.control.add_fault(match="^GET ", status=503, probability=0.15, retry_after=0)
        faults.append("503 on 15% of GETs")
    if rng.random() < 0.3:
        server.control.add_fault(match="^DELETE ", latency_ms=20)
        faults.append("DELETE +20ms")
    return faults


def _wrong_after(server, digest: str, retag_tag: str) -> list[str]:
    """What a trial broke: a tagged index missing a child, or the re-tagged index gone or untagged."""
    repo = server.state.backend("registry").data["stores"][REGISTRY]["repos"]["web"]
    wrong = _broken_indexes(server)
    if digest not in repo["manifests"]:
        wrong.append("re-tagged index deleted")
    elif retag_tag not in repo["manifests"][digest]["tags"]:
        wrong.append("re-tagged index lost its new tag")
    return wrong


def _client(url: str, **kwargs):
    from do_platform.api.client import make_client

    return make_client(token="probe", endpoint=url, retry_backoff_factor=0.01, retry_backoff_max=0.05, **kwargs)


def cleanup_trial(server, rng: random.Random, trial: int, per_page: int = 3) -> Probe:
    """One cleanup (keep-last 3, 30 days, pages of 3) with faults and a concurrent re-tag; the outcome."""
    from benchmarks.probe_hardening import Probe
    from do_platform.errors import PlatformError
    from do_platform.ops import registry_cleanup

    indexes = _seed_registry(server, rng)
    target = rng.choice(indexes)
    faults = _inject_faults(server, rng)
    retag_tag = f"hotfix-{rng.randint(0, 999)}"
    concurrent_delete = rng.random() < 0.4
    wait = rng.random() * 0.1
    deleted: list[str] = []
    retagged = threading.Event()

    def retag() -> None:
        """As soon as the first listing page is answered: re-tag an old index (it becomes kept)."""
        deadline = time.monotonic() + 10
        while server.control.log.snapshot()["by_route"].get(DIGESTS_ROUTE, 0) < 1:
            if time.monotonic() > deadline:
                return
            time.sleep(0.002)
        time.sleep(wait)
        server.control.seed("registry", {"registry": REGISTRY, "pushes": [
            {"repository": "web", "tags": [retag_tag], "digest": target["digest"]}]})
        retagged.set()
        if concurrent_delete:  # another client deletes the newest build: offsets shift the other way
            other = _client(server.url)
            for m in other.registries.list_repository_manifests(REGISTRY, "web", per_page=2)["manifests"]:
                if m["digest"] != target["digest"]:
                    other.registries.delete_repository_manifest(REGISTRY, "web", m["digest"])
                    deleted.append(m["digest"])
                    break

    server.control.log.clear()
    thread = threading.Thread(target=retag, daemon=True)
    thread.start()
    policy = registry_cleanup.RetentionPolicy(keep_last=3, keep_days=30, keep_patterns=())
    outcome, detail = "clear", "finished"
    try:
        registry_cleanup.cleanup(_client(server.url, max_per_minute=10**7), REGISTRY, policy, apply=True, gc=True,
                                 gc_poll_interval=0.01, per_page=per_page)
    except PlatformError as err:
        detail = f"clear error: {err.message[:120]}"
    except Exception as exc:  # noqa: BLE001 - a probe records what escaped
        outcome, detail = "traceback", f"{type(exc).__name__}: {exc}"[:200]
    raced = retagged.is_set()
    thread.join()
    server.control.faults.clear()
    wrong = _wrong_after(server, target["digest"], retag_tag)
    if wrong:
        outcome, detail = "silent", "; ".join(wrong)
    name = f"trial {trial}: {', '.join(faults)}" + (", concurrent delete" if deleted else "") + \
        ("" if raced else ", re-tag after the run")
    return Probe("cleanup", name, outcome, detail)


def cleanup_probes(trials: int = DEFAULT_TRIALS, seed: int = DEFAULT_SEED) -> list[Probe]:
    from emulator import EmulatorServer

    rng = random.Random(seed)
    with EmulatorServer(seed=3) as server:
        return [cleanup_trial(server, rng, i) for i in range(trials)]


# -- guardrail bypass attempts ----------------------------------------------------------------------------------

ATTACK_SOURCES: list[list[str]] = [
    ["0.0.0.0/0"], ["::/0"], ["0.0.0.0/1", "128.0.0.0/1"], ["::/1", "8000::/1"],
    [f"{64 * i}.0.0.0/2" for i in range(4)], [f"{32 * i}.0.0.0/3" for i in range(8)],
    [f"{i}.0.0.0/8" for i in range(256)], ["0.0.0.0/1"], ["128.0.0.0/1"], ["2000::/3"],
    ["2000::/4", "3000::/4"], ["1.0.0.0/8"], ["1.2.3.4/0"], ["::ffff:0.0.0.0/96"], ["64:ff9b::/96"],
    ["::ffff:0:0/97", "::ffff:128.0.0.0/97"], ["0.0.0.0/1", "::/1"],
]
ATTACK_PORTS = ("22", "1-65534", "20-30", "all", "0", "3389", "5432", "25060")
BENIGN_SOURCES: list[tuple[str, list[str]]] = [
    ("22 from 203.0.113.4/32", ["203.0.113.4/32"]), ("22 from the VPC", ["10.110.0.0/20"]),
    ("22 from an office /24 and /16", ["198.51.100.0/24", "100.0.0.0/16"]),
    ("22 from all private space", ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]),
]
WORLD_CIDRS: list[list[str]] = [
    ["0.0.0.0/0"], ["0.0.0.0/1", "128.0.0.0/1"], ["::/0"], ["::/1", "8000::/1"], ["::ffff:0.0.0.0/96"],
    [f"{i}.0.0.0/8" for i in range(256)],
]


def firewall_attacks() -> list[tuple[str, dict]]:
    """(name, firewall props) that open an admin port to (nearly) the whole internet."""
    out = []
    for sources in ATTACK_SOURCES:
        for ports in ATTACK_PORTS:
            out.append((f"{ports} from {sources[:3]}{'…' if len(sources) > 3 else ''}",
                        {"inboundRules": [{"protocol": "tcp", "portRange": ports, "sourceAddresses": sources}]}))
    out.append(("22 from 0.0.0.0/1 + 20-25 from 128.0.0.0/1 (two rules)",
                {"inboundRules": [{"protocol": "tcp", "portRange": "22", "sourceAddresses": ["0.0.0.0/1"]},
                                  {"protocol": "tcp", "portRange": "20-25", "sourceAddresses": ["128.0.0.0/1"]}]}))
    out.append(("udp 22 from ::/1 + tcp 22 from 8000::/1",
                {"inboundRules": [{"protocol": "udp", "portRange": "22", "sourceAddresses": ["::/1"]},
                                  {"protocol": "tcp", "portRange": "22", "sourceAddresses": ["8000::/1"]}]}))
    return out


def guardrail_probes() -> list[Probe]:
    from benchmarks.probe_hardening import REPO, Probe
    from do_platform import guardrails
    from do_platform.config import Environment, PolicyEnforcement, load_stack_config
    from do_platform.errors import ConfigError
    from do_platform.offline import project_defaults, read_stack_config

    out = []
    prod = guardrails.StackContext("prod", Environment.production, PolicyEnforcement.mandatory)
    for name, props in firewall_attacks():
        found = guardrails.no_public_admin_ports(guardrails.FIREWALL, props, prod)
        out.append(Probe("firewall", name, "clear" if found else "silent", found[0][:200] if found else "passed"))
    for name, sources in BENIGN_SOURCES:
        props = {"inboundRules": [{"protocol": "tcp", "portRange": "22", "sourceAddresses": sources}]}
        found = guardrails.no_public_admin_ports(guardrails.FIREWALL, props, prod)
        out.append(Probe("firewall", f"benign {name}", "false positive" if found else "clear",
                         found[0][:200] if found else "passed"))
    base = {**project_defaults(REPO), **read_stack_config("prod", REPO)}
    for key, sub, cases in (("network", "adminCidrs", WORLD_CIDRS),
                            ("kubernetes", "controlPlaneCidrs", [[], *WORLD_CIDRS])):
        for cidrs in cases:
            raw = {**base, f"do-platform:{key}": {**base.get(f"do-platform:{key}", {}), sub: cidrs}}
            name = f"prod {key}.{sub} {cidrs[:2]}{'…' if len(cidrs) > 2 else ''}"
            try:
                load_stack_config(raw, "prod")
                out.append(Probe("config cidrs", name, "silent", "accepted"))
            except ConfigError as err:
                named = f"{key}.{sub}" in err.message
                out.append(Probe("config cidrs", name, "clear" if named else "silent",
                                 err.message[:200] if named else f"refused without naming the key: {err.message}"))
    staging = guardrails.StackContext("staging", Environment.staging)
    found = [v.rule for v in guardrails.check_resource(
        guardrails.KUBERNETES_CLUSTER, {"version": "1.33.5-do.0", "tags": ["env:staging"]}, staging)]
    out.append(Probe("config cidrs", "staging cluster without an allowlist",
                     "clear" if "kubernetes-control-plane-allowlist" in found else "silent", ", ".join(found)))
    return out
