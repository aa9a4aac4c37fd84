"""Organizations (teams, invitations) and 1-Click applications through PyDo."""

import pytest
from azure.core.exceptions import HttpResponseError


def test_teams_and_invitations(emulator, client):
    made = client.organizations.create_team({"name": "production", "invitations": [
        {"email": "member@example.com", "role": "member"}, {"email": "biller@example.com", "role": "biller"}]})
    assert made["team"]["name"] == "production"
    assert made["invitations"] == {"member@example.com": {"status": "ok"}, "biller@example.com": {"status": "ok"}}
    teams = client.organizations.list_teams()["teams"]
    assert [t["name"] for t in teams] == ["Emulated Team", "production"]
    with pytest.raises(HttpResponseError) as err:
        client.organizations.create_team({"name": "x", "invitations": [{"email": "a@example.com", "role": "owner"}]})
    assert "owner role cannot be given" in err.value.response.json()["message"]


def test_one_clicks_list_and_install(client):
    listed = client.one_clicks.list()["1_clicks"]
    assert {"slug": "docker-20-04", "type": "droplet"} in listed
    assert {"slug": "monitoring", "type": "kubernetes"} in listed
    assert all(o["type"] == "kubernetes" for o in client.one_clicks.list(type="kubernetes")["1_clicks"])
    cluster = client.kubernetes.create_cluster({"name": "k", "region": "nyc3", "version": "latest", "node_pools": [
        {"name": "p", "size": "s-2vcpu-4gb", "count": 1}]})["kubernetes_cluster"]
    done = client.one_clicks.install_kubernetes({"addon_slugs": ["monitoring"], "cluster_uuid": cluster["id"]})
    assert done["message"] == "Successfully kicked off addon job."
    with pytest.raises(HttpResponseError) as err:
        client.one_clicks.install_kubernetes({"addon_slugs": ["nope"], "cluster_uuid": cluster["id"]})
    assert "not Kubernetes 1-Click applications" in err.value.response.json()["message"]
