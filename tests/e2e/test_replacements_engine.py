"""The offline plan's replace decision (do_platform/data/replacements.json) against the real engine.

A rehearsal of the local stack is applied to the emulator; then each weekly change is previewed by the
engine with the real provider (`pulumi preview --json`) and planned offline from the same config, and the
two must agree on what is created, replaced and deleted, per resource: the app port (in the droplets'
cloud-init) replaces the web droplet, a web count change creates one, a database resize updates in place.
"""

from __future__ import annotations

import pytest

from do_platform import guardrails, offline, pricing
from do_platform.engine.local_stack import StackRun, emulator_process
from do_platform.engine.status import REPO_ROOT
from do_platform.ops import plan as plan_ops
from tests.e2e.stack_checks import free_port

pytestmark = pytest.mark.e2e

BASE = {
    "do-platform:network": {"ipRange": "10.140.0.0/20"},
    "do-platform:web": {"size": "s-1vcpu-1gb", "count": 1},
    "do-platform:database": {"size": "db-s-1vcpu-1gb", "version": "17", "nodeCount": 1},
}
ENGINE_REPLACE = {"replace", "create-replacement", "delete-replaced"}
WATCHED = ("digitalocean:index/droplet:Droplet", "digitalocean:index/databaseCluster:DatabaseCluster",
           "digitalocean:index/loadBalancer:LoadBalancer", "digitalocean:index/vpc:Vpc",
           "digitalocean:index/certificate:Certificate")


def _engine_actions(preview: dict) -> dict[str, str]:
    """Resource name -> create | update | replace | delete, for the watched types."""
    out: dict[str, str] = {}
    for step in preview["steps"]:
        typ, name = step["urn"].split("::")[2].split("$")[-1], step["urn"].rsplit("::", 1)[-1]
        if typ not in WATCHED or step["op"] in ("same", "refresh", "read"):
            continue
        op = "replace" if step["op"] in ENGINE_REPLACE else step["op"]
        out[name] = "replace" if out.get(name) == "replace" else op
    return out


def _offline_plan(config: dict) -> plan_ops.Plan:
    raw = {**offline.read_stack_config("local"), **config}
    evaluation = offline.evaluate("local", config=raw)
    return plan_ops.build_plan(evaluation, guardrails.StackContext.from_config("local", raw), pricing.load_bundled())


def _offline_actions(base: dict, head: dict) -> dict[str, str]:
    diff = plan_ops.diff_plans(_offline_plan(base), _offline_plan(head), "rehearsal")
    return {c.name: c.action for c in diff.changes if c.type in WATCHED}


def test_offline_replace_decisions_agree_with_the_engine(provider_status, spaces, tmp_path):
    with emulator_process(free_port(), tmp_path / "emulator.json") as url:
        run = StackRun(REPO_ROOT, "local", tmp_path / "state", status=provider_status, emulator_url=url,
                       spaces_port=spaces,
                       overrides={"digitalocean:apiEndpoint": url, **BASE})
        run.select()
        try:
            up = run.step("up")
            assert up.ok, up.output
            weekly = [
                ("app port", {"do-platform:web": {**BASE["do-platform:web"], "appPort": 9090}},
                 {"web-node-0": "replace"}),
                ("web count", {"do-platform:web": {**BASE["do-platform:web"], "count": 2}},
                 {"web-node-1": "create"}),
                ("database size", {"do-platform:database": {**BASE["do-platform:database"],
                                                            "size": "db-s-1vcpu-2gb"}},
                 {"db-cluster": "update"}),
            ]
            for label, change, expected in weekly:
                run.configure(**{**BASE, **change})
                engine = _engine_actions(run.plan())
                planned = _offline_actions(BASE, {**BASE, **change})
                for name, action in expected.items():
                    assert engine.get(name) == action and planned.get(name) == action, (label, engine, planned)
                destructive = {n: a for n, a in engine.items() if a in ("replace", "delete", "create")}
                assert destructive == {n: a for n, a in planned.items() if a in ("replace", "delete", "create")}, (
                    label, engine, planned)
                updated = {n for n, a in engine.items() if a == "update"}
                assert updated <= {n for n, a in planned.items() if a == "update"}, (label, engine, planned)
        finally:
            destroy = run.step("destroy")
        assert destroy.ok, destroy.output
