"""Log sinks and destinations through PyDo: managed and external OpenSearch, credentials never shown,
Kubernetes clusters as resources, a destination in use cannot go."""

import pytest
from azure.core.exceptions import HttpResponseError

EXTERNAL = {"name": "ext", "type": "opensearch_ext",
            "config": {"endpoint": "logs.example.com", "credentials": {"username": "u", "password": "s3cret"}}}


def _cluster(client):
    body = {"name": "k8s", "region": "nyc3", "version": "latest",
            "node_pools": [{"name": "pool", "size": "s-2vcpu-4gb", "count": 1}]}
    return client.kubernetes.create_cluster(body)["kubernetes_cluster"]


def test_destinations_and_sinks_round_trip(client):
    destination = client.monitoring.create_destination(EXTERNAL)["destination"]
    assert "credentials" not in destination["config"] and destination["config"]["retention_days"] == 14
    assert client.monitoring.get_destination(destination["id"])["destination"]["name"] == "ext"
    cluster = _cluster(client)
    client.monitoring.create_sink({"destination_uuid": destination["id"],
                                   "resources": [{"urn": f"do:kubernetes:{cluster['id']}"}]})
    sinks = client.monitoring.list_sinks(resource_id=cluster["id"])["sinks"]
    assert len(sinks) == 1 and sinks[0]["resources"] == [{"urn": f"do:kubernetes:{cluster['id']}", "name": "k8s"}]
    assert sinks[0]["destination"]["id"] == destination["id"]
    sink_uuid = sinks[0]["sink_uuid"]
    assert client.monitoring.get_sink(sink_uuid)["sink"]["urn"] == f"do:sink:{sink_uuid}"
    with pytest.raises(HttpResponseError) as err:
        client.monitoring.delete_destination(destination["id"])
    assert err.value.status_code == 409
    client.monitoring.delete_sink(sink_uuid)
    client.monitoring.update_destination(destination["id"], {**EXTERNAL, "name": "renamed"})
    assert client.monitoring.list_destinations()["destinations"][0]["name"] == "renamed"
    client.monitoring.delete_destination(destination["id"])
    assert client.monitoring.list_destinations()["destinations"] == []


def test_a_managed_destination_names_an_opensearch_cluster(client):
    pg = client.databases.create_cluster({"name": "pg", "engine": "pg", "version": "17", "size": "db-s-1vcpu-2gb",
                                          "region": "nyc3", "num_nodes": 1})["database"]
    body = {"type": "opensearch_dbaas", "config": {"endpoint": "x", "cluster_uuid": pg["id"]}}
    with pytest.raises(HttpResponseError) as err:
        client.monitoring.create_destination(body)
    assert "is a pg cluster, not an OpenSearch one" in err.value.response.json()["message"]
    search = client.databases.create_cluster({"name": "search", "engine": "opensearch", "version": "2",
                                              "size": "db-s-2vcpu-4gb", "region": "nyc3",
                                              "num_nodes": 1})["database"]
    made = client.monitoring.create_destination({**body, "config": {"endpoint": "x", "cluster_uuid": search["id"]}})
    assert made["destination"]["config"]["cluster_name"] == "search"


@pytest.mark.parametrize("body, needle", [
    ({"type": "opensearch_ext", "config": {"endpoint": "x"}}, "config.credentials"),
    ({"type": "splunk", "config": {"endpoint": "x"}}, "type must be one of"),
    ({"type": "opensearch_dbaas", "config": {"endpoint": "x", "cluster_uuid": "nope"}}, "config.cluster_uuid 'nope'")])
def test_bad_destinations_name_the_field(client, body, needle):
    with pytest.raises(HttpResponseError) as err:
        client.monitoring.create_destination(body)
    assert err.value.status_code in (404, 422) and needle in err.value.response.json()["message"]


def test_a_sink_needs_clusters_of_this_account(client):
    destination = client.monitoring.create_destination(EXTERNAL)["destination"]
    with pytest.raises(HttpResponseError) as err:
        client.monitoring.create_sink({"destination_uuid": destination["id"], "resources": [{"urn": "do:droplet:1"}]})
    assert "resources[0].urn must be a Kubernetes cluster" in err.value.response.json()["message"]
