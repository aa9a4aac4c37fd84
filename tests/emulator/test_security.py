"""Security scans through PyDo: findings computed from the world, affected resources, suppressions, coverage."""

import pytest
from azure.core.exceptions import HttpResponseError


def _droplet(client, name, **extra):
    body = {"name": name, "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", **extra}
    return client.droplets.create(body)["droplet"]["id"]


def test_scans_find_what_the_world_holds(client):
    assert client.security.get_latest_scan()["scan"]["status"] == "SCAN_NOT_RUN"
    bare = _droplet(client, "bare", tags=["web"])
    _droplet(client, "backed-up", backups=True)
    client.firewalls.create({"name": "open", "tags": ["web"], "inbound_rules": [
        {"protocol": "tcp", "ports": "0", "sources": {"addresses": ["0.0.0.0/0"]}}]})
    scan = client.security.create_scan()["scan"]
    by_name = {f["name"]: f for f in scan["findings"]}
    assert by_name["Droplet Backups Not Enabled"]["affected_resources_count"] == 1
    assert by_name["Droplet Not Protected by a Cloud Firewall"]["affected_resources_count"] == 1  # backed-up
    assert by_name["All Firewall Ports Exposed to a Source"]["severity"] == "CRITICAL"
    rule = by_name["Droplet Backups Not Enabled"]["rule_uuid"]
    affected = client.security.list_scan_finding_affected_resources(scan["id"], rule)["affected_resources"]
    assert affected == [{"urn": f"do:droplet:{bare}", "name": "bare", "type": "Droplet"}]
    critical = client.security.get_scan(scan["id"], severity="CRITICAL")["scan"]["findings"]
    assert [f["name"] for f in critical] == ["All Firewall Ports Exposed to a Source"]
    assert client.security.get_latest_scan()["scan"]["id"] == scan["id"]


def test_suppressions_leave_resources_out_of_later_scans(client):
    bare = _droplet(client, "bare")
    first = client.security.create_scan()["scan"]
    rule = next(f["rule_uuid"] for f in first["findings"] if f["name"] == "Droplet Backups Not Enabled")
    made = client.security.create_suppression({"rule_uuid": rule, "resources": [f"do:droplet:{bare}"]})
    assert made["resources"][0]["resource_id"] == str(bare)
    again = client.security.create_scan()["scan"]
    assert "Droplet Backups Not Enabled" not in [f["name"] for f in again["findings"]]
    settings = client.security.list_settings()
    assert [s["rule_name"] for s in settings["settings"]["suppressions"]["resources"]] == [
        "Droplet Backups Not Enabled"]
    client.security.delete_suppression(made["resources"][0]["id"])
    with pytest.raises(HttpResponseError) as err:
        client.security.create_suppression({"rule_uuid": "nope", "resources": ["do:droplet:1"]})
    assert "rule_uuid 'nope' is not a rule" in err.value.response.json()["message"]


def test_tier_coverage(client):
    body = {"tier_coverage": {"advanced": {"resources": ["do:droplet:1"], "tags": ["production"]}}}
    assert client.security.update_settings_plan(body)["tier_coverage"] == body["tier_coverage"]
    assert client.security.list_settings()["tier_coverage"] == body["tier_coverage"]
