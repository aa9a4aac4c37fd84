"""`make up-local` end to end: the local stack with the DigitalOcean provider against the emulator.

up, preview --expect-no-changes (no phantom diffs) and destroy, with the policy pack on; the emulator runs
as `python -m emulator` with a state file, exactly as `make up-local` starts it. Skipped, with the reason
the engine build recorded, on a machine where the provider plugin could not be had.
"""

from __future__ import annotations

import socket

import pytest

from do_platform.engine import REPO_ROOT
from do_platform.local_stack import StackRun, emulator_process

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_local_stack_up_preview_destroy(provider_status, tmp_path):
    policy = REPO_ROOT / "policy"
    with emulator_process(_free_port(), tmp_path / "emulator.json") as url:
        run = StackRun(REPO_ROOT, "local", tmp_path / "state", status=provider_status, emulator_url=url,
                       policy_pack=policy if (policy / "PulumiPolicy.yaml").exists() else None,
                       overrides={"digitalocean:apiEndpoint": url})
        results = run.run()
    by_step = {r.step: r for r in results}
    assert [r.step for r in results] == ["up", "preview", "destroy"], results[-1].output
    assert by_step["up"].ok, by_step["up"].output
    assert by_step["preview"].ok, by_step["preview"].output  # no phantom diffs
    assert by_step["destroy"].ok, by_step["destroy"].output
    assert by_step["up"].api_calls > 0
