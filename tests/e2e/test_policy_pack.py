"""The repository's policy pack (policy/) loads and runs through the real engine and the vendor's language host."""

from __future__ import annotations

import pytest

from do_platform.engine import REPO_ROOT

pytestmark = pytest.mark.e2e

POLICY = REPO_ROOT / "policy"


@pytest.mark.skipif(not (POLICY / "PulumiPolicy.yaml").exists(), reason="no policy pack in policy/")
def test_policy_pack_runs_in_preview(stack_run, emulator):
    run = stack_run("engine_smoke", policy_pack=POLICY,
                    overrides={"e2e-engine:tagName": "policy-check", "e2e-engine:endpoint": emulator.url})
    run.select()
    run.pulumi("config", "set", "--secret", "e2e-engine:token", "policy-token", check=True)
    preview = run.pulumi("preview", "--stack", "e2e", "--policy-pack", str(POLICY))
    assert preview.returncode == 0, preview.stdout + preview.stderr
    assert "Loading policy packs...: done" in preview.stdout
    assert "do-platform-guardrails@v" in preview.stdout  # the pack ran and reported
