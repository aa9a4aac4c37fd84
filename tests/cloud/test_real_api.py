"""Read-only checks against the real DigitalOcean API: what the stacks assume of the catalog holds.

They run only when DIGITALOCEAN_TOKEN is set (and DIGITALOCEAN_API_URL is not pointed elsewhere);
otherwise they skip. Nothing here creates, changes or deletes anything: GET requests only.
"""

from __future__ import annotations

import os

import pytest

from do_platform.api.client import PUBLIC_API, make_client
from do_platform.api.reader import ApiReader
from do_platform.config import load_stack_config
from do_platform.ops import preflight
from do_platform.stack_files import read_stack_config

TOKEN = os.environ.get("DIGITALOCEAN_TOKEN")
pytestmark = [
    pytest.mark.cloud,
    pytest.mark.skipif(not TOKEN, reason="DIGITALOCEAN_TOKEN is not set: real-API checks skipped"),
    pytest.mark.skipif(os.environ.get("DIGITALOCEAN_API_URL", PUBLIC_API).rstrip("/") != PUBLIC_API,
                       reason="DIGITALOCEAN_API_URL points away from the public API"),
]
CATALOG_CHECKS = (preflight.check_region, preflight.check_droplet_sizes, preflight.check_kubernetes,
                  preflight.check_database, preflight.check_apps)


@pytest.fixture(scope="module")
def real_client():
    return make_client(token=TOKEN, endpoint=PUBLIC_API)


def test_token_is_accepted_and_account_is_usable(real_client):
    account = real_client.account.get()["account"]
    assert account["status"] in ("active", "warning"), account["status"]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_catalog_offers_every_region_size_and_version_the_stack_uses(real_client, stack):
    cfg = load_stack_config(read_stack_config(stack), stack)
    ctx = preflight.Context(cfg, ApiReader(real_client), preflight.plan_of(cfg))
    failed = [row for check in CATALOG_CHECKS for row in check(ctx) if row.status == preflight.FAIL]
    assert not failed, [f"{row.name}: {row.detail}" for row in failed]
