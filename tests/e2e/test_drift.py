"""Drift: a change made behind the program's back (a firewall rule and a DNS record deleted through the API)
shows in `pulumi preview --refresh`, and `pulumi up --refresh` puts both back.

The local stack's network, dns and web components (the families that own those two resources), the real
provider against the emulator.
"""

from __future__ import annotations

from collections import Counter

import pytest

from do_platform.api.client import make_client
from do_platform.engine.local_stack import EMULATOR_TOKEN, StackRun, emulator_process
from do_platform.engine.status import REPO_ROOT
from tests.e2e.stack_checks import free_port, ops

pytestmark = pytest.mark.e2e

FIREWALL = "digitalocean:index/firewall:Firewall"
RECORD = "digitalocean:index/dnsRecord:DnsRecord"
OFF = {"do-platform:apps": [], "do-platform:database": {}, "do-platform:kubernetes": {}}  # families not enabled


def _app_port_firewall(api) -> dict:
    return next(f for f in api.firewalls.list()["firewalls"] if f["name"].endswith("app-port"))


def _www(api) -> list[dict]:
    return [r for r in api.domains.list_records(domain_name="local.example.com")["domain_records"]
            if r["type"] == "A" and r["name"] == "www"]


def test_deleted_firewall_rule_and_dns_record_show_and_are_repaired(provider_status, spaces, tmp_path):
    with emulator_process(free_port(), tmp_path / "emulator.json") as url:
        run = StackRun(REPO_ROOT, "local", tmp_path / "state", status=provider_status, emulator_url=url,
                       spaces_port=spaces,
                       overrides={"digitalocean:apiEndpoint": url,
                                  "do-platform:components": ["network", "dns", "web"], **OFF})
        run.select()
        api = make_client(token=EMULATOR_TOKEN, endpoint=url, retry_total=0)
        try:
            up = run.step("up")
            assert up.ok, up.output
            firewall = _app_port_firewall(api)
            rules = firewall["inbound_rules"]
            assert rules and len(_www(api)) == 1

            api.firewalls.delete_rules(firewall_id=firewall["id"], body={"inbound_rules": [rules[0]]})
            api.domains.delete_record(domain_name="local.example.com", domain_record_id=_www(api)[0]["id"])

            changes = ops(run.plan(refresh=True))
            assert changes == Counter({("update", FIREWALL): 1, ("create", RECORD): 1}), changes

            repaired = run.pulumi("up", "--yes", "--refresh", "--stack", "local")
            assert repaired.returncode == 0, repaired.stdout + repaired.stderr
            assert _app_port_firewall(api)["inbound_rules"] == rules
            assert len(_www(api)) == 1
            clean = run.pulumi("preview", "--refresh", "--expect-no-changes", "--stack", "local")
            assert clean.returncode == 0, clean.stdout + clean.stderr
        finally:
            destroy = run.step("destroy")
        assert destroy.ok, destroy.output
