"""Read-only replicas as the DigitalOcean Terraform provider's acceptance suite changes them (through PyDo)."""

import pytest
from azure.core.exceptions import HttpResponseError

PG = {"name": "pg-primary", "engine": "pg", "version": "15", "region": "nyc1", "size": "db-s-1vcpu-2gb",
      "num_nodes": 1}


def test_a_replica_is_resized_through_its_own_id(client):
    """The provider's replica update resizes with PUT /v2/databases/{replica uuid}/resize (Replica_Resize)."""
    primary = client.databases.create_cluster(PG)["database"]
    replica = client.databases.create_replica(primary["id"], {"name": "read-01", "region": "nyc3",
                                                              "size": "db-s-1vcpu-2gb"})["replica"]
    assert replica["storage_size_mib"] == 30720
    client.databases.update_cluster_size(replica["id"], {"size": "db-s-2vcpu-4gb", "num_nodes": 1,
                                                         "storage_size_mib": 61440})
    resized = client.databases.get_replica(primary["id"], "read-01")["replica"]
    assert (resized["size"], resized["storage_size_mib"], resized["status"]) == ("db-s-2vcpu-4gb", 61440, "online")
    assert client.databases.get_cluster(primary["id"])["database"]["size"] == "db-s-1vcpu-2gb"  # untouched


@pytest.mark.parametrize("body, words", [
    ({"size": "db-s-2vcpu-4gb", "num_nodes": 2}, "num_nodes must be 1"),
    ({"size": "db-s-1vcpu-1gb", "num_nodes": 1}, "smaller than the primary's size"),
    ({"size": "db-s-1vcpu-2gb", "num_nodes": 1, "storage_size_mib": 30000}, "storage_size_mib"),
])
def test_a_replica_resize_is_checked(client, body, words):
    primary = client.databases.create_cluster(PG)["database"]
    replica = client.databases.create_replica(primary["id"], {"name": "read-01", "size": "db-s-1vcpu-2gb"})["replica"]
    with pytest.raises(HttpResponseError) as err:
        client.databases.update_cluster_size(replica["id"], body)
    assert err.value.status_code == 422 and words in err.value.response.json()["message"]
