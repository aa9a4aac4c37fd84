"""A read-only replica keeps its own trusted-source list, addressed by the replica's uuid (as the provider's
DatabaseFirewall does with ``cluster_id = replica.uuid``), apart from its primary's."""

PG = {"name": "pg-main", "engine": "pg", "version": "17", "region": "nyc3", "size": "db-s-1vcpu-1gb",
      "num_nodes": 1}


def test_replica_firewall_by_uuid_is_its_own_list(client):
    primary = client.databases.create_cluster(PG)["database"]
    client.databases.get_cluster(primary["id"])  # settles: a replica needs an online primary
    replica = client.databases.create_replica(primary["id"], {"name": "pg-read", "size": "db-s-1vcpu-2gb"})["replica"]
    client.databases.update_firewall_rules(primary["id"], {"rules": [{"type": "tag", "value": "web"}]})
    assert client.databases.list_firewall_rules(replica["id"])["rules"] == []

    client.databases.update_firewall_rules(replica["id"], {"rules": [{"type": "ip_addr", "value": "10.1.0.0/20"}]})
    got = client.databases.list_firewall_rules(replica["id"])["rules"]
    assert [(r["type"], r["value"], r["cluster_uuid"]) for r in got] == [("ip_addr", "10.1.0.0/20", replica["id"])]
    assert [r["value"] for r in client.databases.list_firewall_rules(primary["id"])["rules"]] == ["web"]
    assert "_rules" not in client.databases.get_replica(primary["id"], "pg-read")["replica"]

    client.databases.destroy_replica(primary["id"], "pg-read")
    assert client.databases.list_firewall_rules(replica["id"])["id"] == "not_found"  # PyDo returns the 404 body
