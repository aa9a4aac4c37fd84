"""Actions: created by droplet and volume operations, in-progress until the lifecycle delay passes."""

import httpx


def create_droplet(client, name="web-1", **extra):
    body = {"name": name, "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", **extra}
    return client.droplets.create(body)


def test_create_action_completes_after_the_delay(emulator, client):
    emulator.state.clock.freeze()
    emulator.state.settings.lifecycle_delay = 10
    created = create_droplet(client)
    action_id = created["links"]["actions"][0]["id"]
    assert created["links"]["actions"][0]["href"].endswith(f"/v2/actions/{action_id}")
    action = client.actions.get(action_id)["action"]
    assert (action["status"], action["completed_at"], action["type"]) == ("in-progress", None, "create")
    assert action["resource_id"] == created["droplet"]["id"] and action["resource_type"] == "droplet"
    assert action["region_slug"] == "nyc3" and action["region"]["slug"] == "nyc3"
    emulator.state.clock.advance(10)
    done = client.actions.get(action_id)["action"]
    assert done["status"] == "completed"
    assert done["completed_at"].endswith("Z") and done["completed_at"] > done["started_at"]


def test_actions_list_is_newest_first_and_paginates(client):
    for i in range(3):
        create_droplet(client, name=f"web-{i}")
    page1 = client.actions.list(per_page=2, page=1)
    assert page1["meta"]["total"] == 3
    ids = [a["id"] for a in page1["actions"]]
    assert ids == sorted(ids, reverse=True)
    page2 = client.actions.list(per_page=2, page=2)
    assert "prev" in page2["links"]["pages"] and "next" not in page2["links"]["pages"]


def test_unknown_action_is_404(client):
    assert client.actions.get(999999)["id"] == "not_found"


def test_action_ids_are_ints_from_one(emulator):
    headers = {"Authorization": "Bearer t"}
    body = {"name": "a", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"}
    created = httpx.post(f"{emulator.url}/v2/droplets", json=body, headers=headers).json()
    assert created["links"]["actions"][0]["id"] == 1
    assert httpx.get(f"{emulator.url}/v2/actions/0", headers=headers).status_code == 404
