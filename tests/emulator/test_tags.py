"""Tags: idempotent create, resource counts, tagging through the API and through creates."""

import httpx
import pytest
from azure.core.exceptions import HttpResponseError

SUB_OBJECTS = {"droplets", "images", "volumes", "volume_snapshots", "databases"}


def droplet(client, name="web", tags=None):
    body = {"name": name, "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "tags": tags or []}
    return client.droplets.create(body)["droplet"]


def test_round_trip_and_idempotent_create(client):
    tag = client.tags.create({"name": "web"})["tag"]
    assert tag["name"] == "web"
    assert set(tag["resources"]) >= SUB_OBJECTS and tag["resources"]["count"] == 0
    assert client.tags.create({"name": "web"})["tag"]["name"] == "web"
    assert [t["name"] for t in client.tags.list()["tags"]] == ["web"]
    assert client.tags.get("web")["tag"]["resources"]["droplets"]["count"] == 0
    client.tags.delete("web")
    assert client.tags.get("web")["id"] == "not_found"


def test_creates_auto_create_tags_and_keep_counts(client):
    d = droplet(client, tags=["web", "env:prod"])
    client.volumes.create({"name": "data", "region": "nyc3", "size_gigabytes": 10, "tags": ["env:prod"]})
    prod = client.tags.get("env:prod")["tag"]["resources"]
    assert (prod["count"], prod["droplets"]["count"], prod["volumes"]["count"]) == (2, 1, 1)
    assert prod["droplets"]["last_tagged_uri"].endswith(f"/v2/droplets/{d['id']}")
    client.droplets.destroy(d["id"])
    assert client.tags.get("web")["tag"]["resources"]["count"] == 0


def test_assign_and_unassign_update_the_resource(client):
    d = droplet(client)
    client.tags.create({"name": "frontend"})
    client.tags.assign_resources("frontend", {"resources": [{"resource_id": str(d["id"]), "resource_type": "droplet"}]})
    assert client.droplets.get(d["id"])["droplet"]["tags"] == ["frontend"]
    assert [x["id"] for x in client.droplets.list(tag_name="frontend")["droplets"]] == [d["id"]]
    client.tags.unassign_resources("frontend", {"resources": [{"resource_id": str(d["id"]),
                                                                "resource_type": "droplet"}]})
    assert client.droplets.get(d["id"])["droplet"]["tags"] == []
    assert client.tags.get("frontend")["tag"]["resources"]["droplets"]["count"] == 0


def test_assign_unknown_resource_is_404_and_nothing_changes(client):
    d = droplet(client)
    client.tags.create({"name": "t"})
    body = {"resources": [{"resource_id": str(d["id"]), "resource_type": "droplet"},
                          {"resource_id": "999", "resource_type": "droplet"}]}
    assert client.tags.assign_resources("t", body)["id"] == "not_found"  # a documented 404 is returned
    assert client.droplets.get(d["id"])["droplet"]["tags"] == []


def test_bad_names_and_types_are_422(client):
    with pytest.raises(HttpResponseError) as err:
        client.tags.create({"name": "has space"})
    assert err.value.status_code == 422 and "tag 'has space' is invalid" in err.value.response.json()["message"]
    client.tags.create({"name": "ok"})
    with pytest.raises(HttpResponseError) as err:
        client.tags.assign_resources("ok", {"resources": [{"resource_id": "1", "resource_type": "bucket"}]})
    assert "resource_type 'bucket' is not taggable" in err.value.response.json()["message"]


def test_delete_tag_removes_it_from_resources(client):
    d = droplet(client, tags=["temp", "keep"])
    client.tags.delete("temp")
    assert client.droplets.get(d["id"])["droplet"]["tags"] == ["keep"]


def test_tags_compare_case_insensitively(client):
    d = droplet(client, tags=["Web", "web"])
    assert d["tags"] == ["Web"]
    assert client.tags.get("WEB")["tag"]["name"] == "Web"


def test_list_paginates(client):
    for i in range(7):
        client.tags.create({"name": f"t{i}"})
    page = client.tags.list(per_page=3, page=3)
    assert [t["name"] for t in page["tags"]] == ["t6"]
    assert page["meta"]["total"] == 7 and "prev" in page["links"]["pages"] and "next" not in page["links"]["pages"]


def test_provider_set_tags_flow(emulator):
    """godo SetTags: create (idempotent) then POST resources; removals via DELETE with a JSON body."""
    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    body = {"name": "app", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "tags": ["old"]}
    droplet_id = http.post("/v2/droplets", json=body).json()["droplet"]["id"]
    resources = {"resources": [{"resource_id": str(droplet_id), "resource_type": "droplet"}]}
    assert http.request("DELETE", "/v2/tags/old/resources", json=resources).status_code == 204
    for _ in range(2):
        assert http.post("/v2/tags", json={"name": "new"}).status_code == 201
    response = http.post("/v2/tags/new/resources", json=resources)
    assert response.status_code == 204 and response.content == b""
    assert http.get(f"/v2/droplets/{droplet_id}").json()["droplet"]["tags"] == ["new"]
    assert http.get("/v2/tags/old").json()["tag"]["resources"]["count"] == 0


def test_volumes_and_images_are_taggable_through_the_api(client):
    volume = client.volumes.create({"name": "data", "region": "nyc3", "size_gigabytes": 5})["volume"]
    droplet_id = droplet(client)["id"]
    client.droplet_actions.post(droplet_id, {"type": "snapshot", "name": "snap"})
    image_id = client.droplets.list_snapshots(droplet_id)["snapshots"][0]["id"]
    client.tags.create({"name": "keep"})
    client.tags.assign_resources("keep", {"resources": [{"resource_id": volume["id"], "resource_type": "volume"},
                                                        {"resource_id": str(image_id), "resource_type": "image"}]})
    assert client.volumes.get(volume["id"])["volume"]["tags"] == ["keep"]
    assert client.images.get(image_id)["image"]["tags"] == ["keep"]
    counts = client.tags.get("keep")["tag"]["resources"]
    assert (counts["count"], counts["volumes"]["count"], counts["images"]["count"]) == (2, 1, 1)
    assert [i["id"] for i in client.images.list(tag_name="keep")["images"]] == [image_id]
