"""docs/adopting.md's import steps, with the real engine and provider against the emulator.

A VPC, a domain and a database cluster are created through the API as if by hand, under the DigitalOcean names
the program gives them; the provider is created alone (`up --target`), the three are imported under the
program's logical names, parents (components created empty) and provider; the next preview must keep all three
(updates in place at most: tags, a description, the maintenance window) and only create what did not exist.
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from do_platform.engine.local_stack import EMULATOR_TOKEN, StackRun, emulator_process
from do_platform.engine.status import REPO_ROOT
from tests.e2e.stack_checks import free_port

pytestmark = pytest.mark.e2e

STACK = "local"
PROVIDER = f"urn:pulumi:{STACK}::do-platform::pulumi:providers:digitalocean::digitalocean"


def api(url: str, path: str, body: dict) -> dict:
    req = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST", headers={
        "Authorization": f"Bearer {EMULATOR_TOKEN}", "Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req, timeout=30).read())


def test_existing_vpc_domain_and_database_import_under_the_programs_names(provider_status, tmp_path):
    with emulator_process(free_port(), tmp_path / "emulator.json") as url:
        vpc = api(url, "/v2/vpcs", {"name": "local-network-vpc-10-140-0-0-20", "region": "nyc3",
                                    "ip_range": "10.140.0.0/20"})["vpc"]
        api(url, "/v2/domains", {"name": "local.example.com"})
        db = api(url, "/v2/databases", {"name": "local-db", "engine": "pg", "version": "17", "region": "nyc3",
                                        "size": "db-s-1vcpu-1gb", "num_nodes": 1,
                                        "private_network_uuid": vpc["id"]})["database"]
        run = StackRun(REPO_ROOT, STACK, tmp_path / "state", status=provider_status, emulator_url=url,
                       overrides={"digitalocean:apiEndpoint": url, "do-platform:apps": [],
                                  "do-platform:components": ["network", "dns", "database"],
                                  "do-platform:objectStore": {"enabled": False}})
        run.select()
        run.pulumi("up", "--yes", "--stack", STACK, "--target", PROVIDER, check=True)
        resources = [
            {"type": "do-platform:index:SecureNetwork", "name": "network", "component": True},
            {"type": "do-platform:index:Dns", "name": "dns", "component": True},
            {"type": "do-platform:index:ManagedPostgres", "name": "db", "component": True},
            {"type": "digitalocean:index/vpc:Vpc", "name": "network-vpc", "id": vpc["id"], "parent": "network",
             "provider": "digitalocean"},
            {"type": "digitalocean:index/domain:Domain", "name": "dns-domain", "id": "local.example.com",
             "parent": "dns", "provider": "digitalocean"},
            {"type": "digitalocean:index/databaseCluster:DatabaseCluster", "name": "db-cluster", "id": db["id"],
             "parent": "db", "provider": "digitalocean"}]
        (run.work_dir / "import.json").write_text(json.dumps({"nameTable": {"digitalocean": PROVIDER},
                                                              "resources": resources}))
        run.pulumi("import", "--yes", "--stack", STACK, "--file", "import.json", "--protect=false",
                   "--generate-code=false", check=True)
        preview = json.loads(run.pulumi("preview", "--json", "--stack", STACK, check=True).stdout)
    steps = {s["urn"].rsplit("::", 1)[-1]: s["op"] for s in preview["steps"]}
    for name in ("network-vpc", "dns-domain", "db-cluster"):  # absent: nothing to do (the preview lists changes)
        assert steps.get(name) in (None, "same", "update"), (name, steps)
    assert steps.get("network-vpc") == "update" and steps.get("db-cluster") == "update"  # tags, description
    assert not [n for n, op in steps.items() if op in ("delete", "replace", "create-replacement",
                                                        "delete-replaced")], steps
    assert steps.get("network-baseline") == "create" and steps.get("db-pool") == "create"
