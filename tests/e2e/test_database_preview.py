"""database-network at preview through the real engine: evaluated on what is known, closed on what is not.

The stack says ``do-platform:environment: production``, so the pack (which reads the engine's config when it
names the stack) applies production's mandatory guardrails.
Needs the DigitalOcean provider plugin; skipped with the engine build's reason where it is missing.
"""

from __future__ import annotations

import pytest

from do_platform.engine.local_stack import StackRun
from do_platform.engine.status import REPO_ROOT

pytestmark = pytest.mark.e2e

POLICY = REPO_ROOT / "policy"
PROJECT = REPO_ROOT / "tests" / "e2e" / "projects" / "database_preview"


def _preview(provider_status, tmp_path, emulator, mode: str):
    run = StackRun(PROJECT, "prod", tmp_path / "state", status=provider_status, emulator_url=emulator.url,
                   policy_pack=POLICY, overrides={"e2e-database-preview:endpoint": emulator.url,
                                                  "e2e-database-preview:mode": mode,
                                                  "do-platform:environment": "production"}, timeout=300)
    run.select()
    return run.pulumi("preview", "--stack", "prod", "--policy-pack", str(POLICY))


def test_a_new_database_firewall_is_checked_at_preview(provider_status, tmp_path, emulator):
    preview = _preview(provider_status, tmp_path, emulator, "named")
    output = preview.stdout + preview.stderr
    assert "can't run policy 'database-network" not in output, output
    assert preview.returncode == 0, output


def test_an_address_only_up_knows_fails_closed_in_production(provider_status, tmp_path, emulator):
    preview = _preview(provider_status, tmp_path, emulator, "address")
    output = preview.stdout + preview.stderr
    assert preview.returncode != 0, output
    assert "database-network-mandatory" in output and "can't be known before `up`" in output, output
