"""A production-shaped rehearsal: the `prod` stack file (HA, a standby database node, three droplets with
backups and volumes, a bastion, protect, mandatory guardrails, preflight) pointed at the emulator.

up, a no-change preview and a no-change refresh; destroy must be refused by `protect`; after `pulumi state
unprotect --all` destroy goes through and the emulator holds nothing of the stack.
"""

from __future__ import annotations

import json
import urllib.request

import pytest
from ruamel.yaml import YAML

from do_platform.engine.local_stack import StackRun, emulator_process
from do_platform.engine.status import REPO_ROOT
from tests.e2e.stack_checks import free_port, leftovers

pytestmark = pytest.mark.e2e

POLICY = REPO_ROOT / "policy"


def _seed_registry(url: str) -> None:
    """The registry and the pinned images prod's apps deploy, as a release pipeline would have pushed them
    (prod's preflight checks them before any change)."""
    config = YAML(typ="safe").load((REPO_ROOT / "Pulumi.prod.yaml").read_text())["config"]
    pushes = [{"repository": a["image"]["repository"], "tags": [a["image"]["tag"]], "digest": a["image"]["digest"]}
              for a in config["do-platform:apps"]]
    body = json.dumps({"registry": config["do-platform:registry"], "pushes": pushes}).encode()
    req = urllib.request.Request(f"{url}/_emulator/seed/registry", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=10).read()


def test_prod_shaped_stack_up_preview_protected_destroy(provider_status, spaces, tmp_path):
    with emulator_process(free_port(), tmp_path / "emulator.json") as url:
        run = StackRun(REPO_ROOT, "prod", tmp_path / "state", status=provider_status, emulator_url=url,
                       spaces_port=spaces,
                       policy_pack=POLICY,
                       overrides={"digitalocean:apiEndpoint": url, "digitalocean:requestsPerSecond": 20})
        run.select()
        _seed_registry(url)
        up = run.step("up")
        assert up.ok, up.output
        assert "do-platform-guardrails" in up.output
        preview = run.step("preview")
        assert preview.ok, preview.output
        refresh = run.step("refresh")
        assert refresh.ok, refresh.output  # what the API reads back of every prod-only setting is what was written

        refused = run.step("destroy")
        assert not refused.ok
        assert "protect" in refused.output, refused.output
        assert leftovers(url)  # nothing was deleted: protect stops destroy before any change

        run.pulumi("state", "unprotect", "--all", "--yes", "--stack", "prod", check=True)
        destroy = run.step("destroy")
        assert destroy.ok, destroy.output
        assert leftovers(url) == {}
