"""Custom images and image actions through PyDo: import NEW → available, transfer to a region, convert a backup."""

import pytest
from azure.core.exceptions import HttpResponseError

URL = "https://cloud-images.ubuntu.com/minimal/releases/noble/release/ubuntu-24.04-minimal-cloudimg-amd64.img"


def test_import_then_transfer_and_use(client):
    image = client.images.create_custom({"name": "minimal", "url": URL, "region": "nyc3", "distribution": "Ubuntu",
                                         "tags": ["base"]})["image"]
    assert image["status"] == "NEW" and image["type"] == "custom" and image["public"] is False
    ready = client.images.get(image["id"])["image"]
    assert ready["status"] == "available" and ready["regions"] == ["nyc3"] and ready["size_gigabytes"] > 0
    action = client.image_actions.post(image["id"], {"type": "transfer", "region": "fra1"})["action"]
    assert action["type"] == "transfer" and action["resource_type"] == "image"
    assert client.images.get(image["id"])["image"]["regions"] == ["nyc3", "fra1"]
    assert [a["id"] for a in client.image_actions.list(image["id"])["actions"]] == [action["id"]]
    assert client.image_actions.get(image["id"], action["id"])["action"]["status"] == "completed"
    droplet = client.droplets.create({"name": "from-custom", "region": "fra1", "size": "s-1vcpu-1gb",
                                      "image": image["id"]})["droplet"]
    assert droplet["image"]["id"] == image["id"]
    assert image["id"] in [i["id"] for i in client.images.list(private=True)["images"]]


@pytest.mark.parametrize("body, action, needle", [
    ({}, {"type": "convert"}, "only a backup can be converted"),
    ({}, {"type": "transfer", "region": "nyc3"}, "already in region"),
    ({}, {"type": "resize"}, "type must be one of convert, transfer")])
def test_bad_actions_are_422(client, body, action, needle):
    image = client.images.create_custom({"name": "minimal", "url": URL, "region": "nyc3", **body})["image"]
    client.images.get(image["id"])  # import done
    with pytest.raises(HttpResponseError) as err:
        client.image_actions.post(image["id"], action)
    assert err.value.status_code == 422 and needle in err.value.response.json()["message"]


def test_bad_imports_name_the_field(client):
    with pytest.raises(HttpResponseError) as err:
        client.images.create_custom({"name": "x", "url": "ftp://nope", "region": "nyc3"})
    assert "url must be an http(s) URL" in err.value.response.json()["message"]
    with pytest.raises(HttpResponseError) as err:
        client.images.create_custom({"name": "x", "url": URL, "region": "nyc3", "distribution": "Windows"})
    assert "distribution must be one of" in err.value.response.json()["message"]


def test_unknown_os_is_a_distribution_as_on_the_api(client):
    """The description's enum lacks it; the API (and the provider's list) has it."""
    image = client.images.create_custom({"name": "other", "url": URL, "region": "nyc3", "distribution": "Unknown OS"})
    assert image["image"]["distribution"] == "Unknown OS"
