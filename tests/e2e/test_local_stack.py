"""`make up-local` end to end: the local stack with the DigitalOcean provider against the emulator.

up, preview --expect-no-changes (no phantom diffs), refresh --expect-no-changes (what the API reads back is
what was written) and destroy, with the policy pack on; the emulator runs as `python -m emulator` with a
state file, exactly as `make up-local` starts it. Skipped, with the reason the engine build recorded, on a
machine where the provider plugin could not be had.
"""

from __future__ import annotations

import pytest

from do_platform.engine.local_stack import STEPS, StackRun, emulator_process
from do_platform.engine.status import REPO_ROOT
from tests.e2e.stack_checks import free_port, leftovers

pytestmark = pytest.mark.e2e

POLICY = REPO_ROOT / "policy"


def test_local_stack_up_preview_refresh_destroy(provider_status, tmp_path):
    with emulator_process(free_port(), tmp_path / "emulator.json") as url:
        run = StackRun(REPO_ROOT, "local", tmp_path / "state", status=provider_status, emulator_url=url,
                       policy_pack=POLICY, overrides={"digitalocean:apiEndpoint": url})
        results = run.run()
        by_step = {r.step: r for r in results}
        assert [r.step for r in results] == list(STEPS), results[-1].output
        for step in STEPS:
            assert by_step[step].ok, f"{step}:\n{by_step[step].output}"
        assert "do-platform-guardrails" in by_step["up"].output  # the policy pack ran
        assert by_step["up"].api_calls > 0
        assert leftovers(url) == {}  # nothing of the stack is left in the emulator


def test_local_stack_with_private_web_droplets_behind_a_nat_gateway(provider_status, tmp_path):
    """web.privateEgress on the local stack: the VPC NAT gateway and droplets without public networking, through
    the same up / preview / refresh / destroy (an autoscale pool cannot be private, so fixed droplets here)."""
    web = {"size": "s-1vcpu-1gb", "count": 1, "privateEgress": True}
    with emulator_process(free_port(), tmp_path / "emulator.json") as url:
        run = StackRun(REPO_ROOT, "local", tmp_path / "state", status=provider_status, emulator_url=url,
                       overrides={"digitalocean:apiEndpoint": url, "do-platform:web": web})
        results = run.run()
        by_step = {r.step: r for r in results}
        assert [r.step for r in results] == list(STEPS), results[-1].output
        for step in STEPS:
            assert by_step[step].ok, f"{step}:\n{by_step[step].output}"
        assert "VpcNatGateway" in by_step["up"].output or "vpcNatGateway" in by_step["up"].output
        assert leftovers(url) == {}
