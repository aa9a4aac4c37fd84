"""Changes users make every week, each an `up` on top of the previous state, with the engine's plan checked.

The local stack (every component family) with two web droplets, then: scale web.count 2 -> 3 (one droplet
created, nothing replaced), resize the database (the cluster updated in place), add an app (one App created),
rotate an app secret (the App updated in place, and only while rotateAppSecrets is on), promote a digest (the
App updated in place), change adminCidrs (the firewall updated, not replaced). Each plan comes from `pulumi
preview --json` with the real provider against the emulator; each `up` applies it and the next preview must
find nothing to do.
"""

from __future__ import annotations

from collections import Counter

import pytest

from do_platform.engine.local_stack import StackRun, emulator_process
from do_platform.engine.status import REPO_ROOT
from tests.e2e.stack_checks import free_port, ops

pytestmark = pytest.mark.e2e

WEB = {"size": "s-1vcpu-1gb"}
DATABASE = {"size": "db-s-1vcpu-1gb", "version": "17", "nodeCount": 1}
APP = {"name": "web", "image": {"registry": "do-platform", "repository": "web", "tag": "main"}, "useDatabase": True}
NETWORK = {"ipRange": "10.140.0.0/20"}
DESTRUCTIVE = ("replace", "create-replacement", "delete", "delete-replaced")
APP_TYPE = "digitalocean:index/app:App"
DIGEST = "sha256:" + "4d" * 32


def _apply(run: StackRun) -> None:
    up = run.step("up")
    assert up.ok, up.output
    again = run.step("preview")
    assert again.ok, again.output  # the change converged: nothing left to do


def test_weekly_changes_plan_and_apply(provider_status, spaces, tmp_path):
    with emulator_process(free_port(), tmp_path / "emulator.json") as url:
        run = StackRun(REPO_ROOT, "local", tmp_path / "state", status=provider_status, emulator_url=url,
                       spaces_port=spaces,
                       overrides={"digitalocean:apiEndpoint": url, "do-platform:web": {**WEB, "count": 2},
                                  "do-platform:network": NETWORK, "do-platform:database": DATABASE,
                                  "do-platform:apps": [APP]})
        run.select()
        try:
            _apply(run)

            run.configure(**{"do-platform:web": {**WEB, "count": 3}})
            changes = ops(run.plan())
            assert changes[("create", "digitalocean:index/droplet:Droplet")] == 1, changes
            assert not [k for k in changes if k[0] in DESTRUCTIVE], changes
            _apply(run)

            run.configure(**{"do-platform:database": {**DATABASE, "size": "db-s-1vcpu-2gb"}})
            changes = ops(run.plan())
            assert changes == Counter({("update", "digitalocean:index/databaseCluster:DatabaseCluster"): 1}), changes
            _apply(run)

            second = {**APP, "name": "api", "useDatabase": False}
            run.configure(**{"do-platform:apps": [APP, second]})
            changes = ops(run.plan())
            assert changes[("create", "digitalocean:index/app:App")] == 1, changes
            assert not [k for k in changes if k[0] != "create"], changes
            _apply(run)

            run.configure(**{"do-platform:rotateAppSecrets": True})
            for value in ("first-secret-value", "rotated-secret-value"):
                run.pulumi("config", "set", "--secret", "--path", "do-platform:appSecrets.web.API_KEY", value,
                           "--stack", "local", check=True)
                changes = ops(run.plan())
                assert changes == Counter({("update", APP_TYPE): 1}), changes
                up = run.step("up")
                assert up.ok, up.output
            run.configure(**{"do-platform:rotateAppSecrets": False})
            assert run.step("preview").ok  # the secret's stored ciphertext is not a diff once rotation is off
            run.pulumi("config", "set", "--secret", "--path", "do-platform:appSecrets.web.API_KEY", "not-pushed",
                       "--stack", "local", check=True)
            assert ops(run.plan()) == Counter()  # a changed value waits for the next rotation

            run.configure(**{"do-platform:apps": [{**APP, "image": {**APP["image"], "digest": DIGEST}}, second]})
            changes = ops(run.plan())
            assert changes == Counter({("update", APP_TYPE): 1}), changes
            _apply(run)

            run.configure(**{"do-platform:network": {**NETWORK, "adminCidrs": ["203.0.113.0/24"]}})
            changes = ops(run.plan())
            assert changes == Counter({("update", "digitalocean:index/firewall:Firewall"): 1}), changes
            _apply(run)
        finally:
            destroy = run.step("destroy")
        assert destroy.ok, destroy.output
