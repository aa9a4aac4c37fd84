"""Kubernetes node pools as the DigitalOcean Terraform provider's acceptance suite sends them (through PyDo)."""

POOL = {"name": "default", "size": "s-2vcpu-4gb", "count": 1, "labels": {"priority": "high"},
        "taints": [{"key": "key1", "value": "val1", "effect": "PreferNoSchedule"}],
        "tags": ["one", "terraform:default-node-pool"]}


def _create(client, pool):
    body = {"name": "k8s-pools", "region": "nyc3", "version": "latest", "node_pools": [pool]}
    return client.kubernetes.create_cluster(body)["kubernetes_cluster"]


def test_a_pool_without_count_has_no_nodes(client):
    """godo omits a count of 0: the provider's NodeCountZero test creates a pool with node_count = 0 so."""
    cluster = _create(client, {"name": "default", "size": "s-2vcpu-4gb"})
    pool = cluster["node_pools"][0]
    assert pool["count"] == 0 and pool["nodes"] == []
    added = client.kubernetes.add_node_pool(cluster["id"], {"name": "empty", "size": "s-2vcpu-4gb", "count": 0})
    assert added["node_pool"]["count"] == 0


def test_an_update_keeps_what_it_leaves_out(client):
    """The provider's import sends only the tags (godo omits empty labels and a nil taints list); the pool's
    labels, taints and autoscaling stay (its ImportBasic test then finds them)."""
    cluster = _create(client, POOL)
    pool = cluster["node_pools"][0]
    updated = client.kubernetes.update_node_pool(cluster["id"], pool["id"], {"tags": ["one"]})["node_pool"]
    assert updated["labels"] == {"priority": "high"}
    assert updated["taints"] == POOL["taints"] and updated["count"] == 1 and updated["name"] == "default"
    assert "terraform:default-node-pool" not in updated["tags"]
    cleared = client.kubernetes.update_node_pool(cluster["id"], pool["id"], {"name": "default", "taints": []})
    assert cleared["node_pool"]["taints"] == [] and cleared["node_pool"]["labels"] == {"priority": "high"}
