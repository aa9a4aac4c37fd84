"""`make up-local` end to end: the local stack with the DigitalOcean provider against the emulator.

up, preview --expect-no-changes (no phantom diffs), refresh --expect-no-changes (what the API reads back is
what was written) and destroy, with the policy pack on; the emulator runs as `python -m emulator` with a
state file, and the local S3 server stands in for Spaces (the object store's bucket), exactly as `make up-local`
starts them. Skipped, with the reason the engine build recorded, on a
machine where the provider plugin could not be had.
"""

from __future__ import annotations

import pytest

from do_platform.api.client import make_client
from do_platform.engine.local_stack import EMULATOR_TOKEN, STEPS, StackRun, emulator_process
from do_platform.engine.spaces_server import buckets
from do_platform.engine.status import REPO_ROOT
from tests.e2e.stack_checks import free_port, leftovers

pytestmark = pytest.mark.e2e

POLICY = REPO_ROOT / "policy"


def test_local_stack_up_preview_refresh_destroy(provider_status, spaces, tmp_path):
    with emulator_process(free_port(), tmp_path / "emulator.json") as url:
        run = StackRun(REPO_ROOT, "local", tmp_path / "state", status=provider_status, emulator_url=url,
                       policy_pack=POLICY, spaces_port=spaces, overrides={"digitalocean:apiEndpoint": url})
        results = run.run(["up"])
        assert results[0].ok, results[0].output
        assert buckets(spaces) == ["do-platform-local-objects"]  # the bucket is in the S3 server
        by_route = results[0].by_route
        assert by_route.get("POST /v2/spaces/keys") == 1 and by_route.get("POST /v2/cdn/endpoints") == 1
        check_database(url)
        results += [run.step(step) for step in STEPS[1:]]
        by_step = {r.step: r for r in results}
        assert [r.step for r in results] == list(STEPS), results[-1].output
        for step in STEPS:
            assert by_step[step].ok, f"{step}:\n{by_step[step].output}"
        assert "do-platform-guardrails" in by_step["up"].output  # the policy pack ran
        assert by_step["up"].api_calls > 0
        assert leftovers(url) == {}  # nothing of the stack is left in the emulator
        assert buckets(spaces) == []  # nor in the S3 server


def check_database(url: str) -> None:
    """After `up`: the replica in the cluster's VPC with its tags and a firewall of the cluster's rules (on its
    uuid), and the PostgreSQL settings applied, as the emulator holds them."""
    api = make_client(token=EMULATOR_TOKEN, endpoint=url, retry_total=0)
    cluster = next(c for c in api.databases.list_clusters()["databases"] if c["name"] == "local-db")
    replicas = api.databases.list_replicas(cluster["id"])["replicas"]
    assert [(r["name"], r["size"], r["region"], r["status"]) for r in replicas] == [
        ("local-db-read-1", "db-s-1vcpu-2gb", "nyc3", "online")]
    replica = replicas[0]
    assert replica["private_network_uuid"] == cluster["private_network_uuid"]
    assert sorted(replica["tags"]) == sorted(cluster["tags"]) == ["component:managed-postgres", "env:local"]

    def rules(uuid):
        return sorted((r["type"], r["value"]) for r in api.databases.list_firewall_rules(uuid)["rules"])

    assert rules(replica["id"]) == rules(cluster["id"]) and rules(cluster["id"])
    assert api.databases.get_config(cluster["id"])["config"]["log_min_duration_statement"] == 1000


def test_local_stack_with_private_web_droplets_behind_a_nat_gateway(provider_status, spaces, tmp_path):
    """web.privateEgress on the local stack: the VPC NAT gateway and droplets without public networking, through
    the same up / preview / refresh / destroy (an autoscale pool cannot be private, so fixed droplets here)."""
    web = {"size": "s-1vcpu-1gb", "count": 1, "privateEgress": True}
    with emulator_process(free_port(), tmp_path / "emulator.json") as url:
        run = StackRun(REPO_ROOT, "local", tmp_path / "state", status=provider_status, emulator_url=url,
                       spaces_port=spaces, overrides={"digitalocean:apiEndpoint": url, "do-platform:web": web})
        results = run.run()
        by_step = {r.step: r for r in results}
        assert [r.step for r in results] == list(STEPS), results[-1].output
        for step in STEPS:
            assert by_step[step].ok, f"{step}:\n{by_step[step].output}"
        assert "VpcNatGateway" in by_step["up"].output or "vpcNatGateway" in by_step["up"].output
        assert leftovers(url) == {}
        assert buckets(spaces) == []
