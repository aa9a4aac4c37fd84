"""Droplet autoscale pools through PyDo: members are droplets from the template, resized on update, history,
deleted with the pool; the dangerous delete needs its header."""

import httpx
import pytest
from azure.core.exceptions import HttpResponseError

TEMPLATE = {"region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "ssh_keys": [],
            "tags": ["pool"], "with_droplet_agent": True}


def _create(client, config=None, **extra):
    body = {"name": "workers", "config": config or {"target_number_instances": 2}, "droplet_template": TEMPLATE,
            **extra}
    return client.autoscalepools.create(body)["autoscale_pool"]


def test_members_are_droplets_of_the_template_and_follow_the_config(client):
    pool = _create(client)
    assert pool["status"] == "active" and pool["active_resources_count"] == 2
    members = client.autoscalepools.list_members(pool["id"])["droplets"]
    assert len(members) == 2 and {m["health_status"] for m in members} == {"healthy"}
    droplet = client.droplets.get(members[0]["droplet_id"])["droplet"]
    assert droplet["image"]["slug"] == "ubuntu-24-04-x64" and "pool" in droplet["tags"]
    client.autoscalepools.update(pool["id"], {"name": "workers", "config": {
        "min_instances": 3, "max_instances": 5, "target_cpu_utilization": 0.6}, "droplet_template": TEMPLATE})
    assert client.autoscalepools.get(pool["id"])["autoscale_pool"]["active_resources_count"] == 3
    history = client.autoscalepools.list_history(pool["id"])["history"]
    assert [(h["current_instance_count"], h["desired_instance_count"]) for h in history] == [(2, 3), (0, 2)]
    ids = [m["droplet_id"] for m in client.autoscalepools.list_members(pool["id"])["droplets"]]
    client.autoscalepools.delete(pool["id"])
    assert client.autoscalepools.get(pool["id"])["id"] == "not_found"
    assert all(client.droplets.get(i)["id"] == "not_found" for i in ids)


def test_the_dangerous_delete_needs_its_header(emulator, client):
    pool = _create(client)
    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    assert http.delete(f"/v2/droplets/autoscale/{pool['id']}/dangerous").status_code == 400
    assert http.delete(f"/v2/droplets/autoscale/{pool['id']}/dangerous",
                       headers={"X-Dangerous": "true"}).status_code == 202
    assert http.get(f"/v2/droplets/autoscale/{pool['id']}").status_code == 404


@pytest.mark.parametrize("config, template, needle", [
    ({"target_number_instances": 0}, TEMPLATE, "config.target_number_instances must be between"),
    ({"min_instances": 3, "max_instances": 2, "target_cpu_utilization": 0.5}, TEMPLATE, "must be >= config.min"),
    ({"min_instances": 1, "max_instances": 2}, TEMPLATE, "needs target_cpu_utilization"),
    ({"target_number_instances": 1, "min_instances": 1}, TEMPLATE, "not both"),
    ({"target_number_instances": 1}, {**TEMPLATE, "region": "mars1"}, "droplet_template.region"),
    ({"target_number_instances": 1}, {k: v for k, v in TEMPLATE.items() if k != "ssh_keys"},
     "droplet_template.ssh_keys is required"),
    ({"target_number_instances": 30}, TEMPLATE, "droplet limit")])
def test_bad_bodies_name_the_field_and_make_nothing(client, config, template, needle):
    with pytest.raises(HttpResponseError) as err:
        client.autoscalepools.create({"name": "p", "config": config, "droplet_template": template})
    assert err.value.status_code == 422 and needle in err.value.response.json()["message"]
    assert client.droplets.list()["droplets"] == []


def test_a_deleted_pool_is_a_404_in_the_words_the_provider_waits_for(client):
    """The provider's read and delete wait treat a pool as gone only on "autoscale group with id <id> not found"."""
    pool = _create(client)
    client.autoscalepools.delete(pool["id"])
    body = client.autoscalepools.get(pool["id"])  # PyDo hands a 404 back as its body
    assert body["id"] == "not_found"
    assert f"autoscale group with id {pool['id']} not found" in body["message"]
