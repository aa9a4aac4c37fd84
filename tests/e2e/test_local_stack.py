"""`make up-local` end to end: the local stack with the DigitalOcean provider against the emulator.

up, preview --expect-no-changes (no phantom diffs), refresh --expect-no-changes (what the API reads back is
what was written) and destroy, with the policy pack on; the emulator runs as `python -m emulator` with a
state file, exactly as `make up-local` starts it. Skipped, with the reason the engine build recorded, on a
machine where the provider plugin could not be had.
"""

from __future__ import annotations

import json
import socket
import urllib.request

import pytest

from do_platform.engine import REPO_ROOT
from do_platform.local_stack import STEPS, StackRun, emulator_process

pytestmark = pytest.mark.e2e

POLICY = REPO_ROOT / "policy"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.loads(resp.read())


def test_local_stack_up_preview_refresh_destroy(provider_status, tmp_path):
    with emulator_process(_free_port(), tmp_path / "emulator.json") as url:
        run = StackRun(REPO_ROOT, "local", tmp_path / "state", status=provider_status, emulator_url=url,
                       policy_pack=POLICY if (POLICY / "PulumiPolicy.yaml").exists() else None,
                       overrides={"digitalocean:apiEndpoint": url})
        results = run.run()
        by_step = {r.step: r for r in results}
        assert [r.step for r in results] == list(STEPS), results[-1].output
        for step in STEPS:
            assert by_step[step].ok, f"{step}:\n{by_step[step].output}"
        assert by_step["up"].api_calls > 0
        assert "Loading policy packs" in by_step["up"].output or not run.policy_pack
        # Nothing of the stack is left in the emulator after destroy.
        headers = {"Authorization": "Bearer x"}
        for path, key in (("droplets", "droplets"), ("vpcs", "vpcs"), ("firewalls", "firewalls"),
                          ("apps", "apps"), ("databases", "databases"), ("kubernetes/clusters", "kubernetes_clusters"),
                          ("load_balancers", "load_balancers"), ("domains", "domains")):
            req = urllib.request.Request(f"{url}/v2/{path}", headers=headers)
            with urllib.request.urlopen(req, timeout=5) as resp:
                left = [r for r in json.loads(resp.read()).get(key) or [] if not r.get("default")]
            assert left == [], f"{path} left after destroy: {left}"
