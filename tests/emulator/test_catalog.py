"""Catalog family: regions, sizes and images, and the availability that creates are checked against."""

import pytest
from azure.core.exceptions import HttpResponseError


def test_regions_are_real_slugs_with_sizes(client):
    body = client.regions.list(per_page=200)
    slugs = [r["slug"] for r in body["regions"]]
    assert slugs == ["nyc1", "nyc3", "sfo3", "ams3", "fra1", "lon1", "sgp1", "tor1", "blr1", "syd1"]
    assert body["meta"]["total"] == 10
    nyc3 = body["regions"][1]
    assert nyc3["name"] == "New York 3" and nyc3["available"] is True
    assert "s-1vcpu-1gb" in nyc3["sizes"]


def test_regions_paginate_with_prev_on_later_pages(client):
    first = client.regions.list(per_page=4, page=1)
    assert set(first["links"]["pages"]) == {"next", "last"}
    last = client.regions.list(per_page=4, page=3)
    assert [r["slug"] for r in last["regions"]] == ["blr1", "syd1"]
    assert "prev" in last["links"]["pages"] and "next" not in last["links"]["pages"]
    assert "page=2" in last["links"]["pages"]["prev"]


def test_sizes_carry_prices_and_regions(client):
    sizes = {s["slug"]: s for s in client.sizes.list(per_page=200)["sizes"]}
    basic = sizes["s-1vcpu-1gb"]
    assert (basic["memory"], basic["vcpus"], basic["disk"], basic["price_monthly"]) == (1024, 1, 25, 6.0)
    assert basic["price_hourly"] == pytest.approx(0.00893, abs=1e-5)
    assert {"s-1vcpu-512mb-10gb", "s-2vcpu-4gb", "c-2", "g-2vcpu-8gb", "m-2vcpu-16gb"} <= set(sizes)
    assert all(isinstance(s["transfer"], float) for s in sizes.values())


def test_images_by_slug_and_id_and_type_filter(client):
    by_slug = client.images.get("ubuntu-24-04-x64")["image"]
    assert by_slug["distribution"] == "Ubuntu" and by_slug["public"] is True
    assert client.images.get(by_slug["id"])["image"]["slug"] == "ubuntu-24-04-x64"
    distributions = client.images.list(type="distribution", per_page=200)["images"]
    assert {"ubuntu-22-04-x64", "debian-12-x64"} <= {i["slug"] for i in distributions}
    applications = client.images.list(type="application")["images"]
    assert applications and all(i["slug"] not in {"debian-12-x64"} for i in applications)
    assert client.images.list(private=True)["images"] == []


def test_unknown_image_is_404_and_bad_type_is_422(client):
    missing = client.images.get("no-such-image")
    assert missing["id"] == "not_found"
    with pytest.raises(HttpResponseError) as err:
        client.images.list(type="weird")
    assert err.value.status_code == 422
    assert "distribution, application" in err.value.response.json()["message"]


def test_seeded_unavailability_refuses_droplet_create(emulator, client):
    emulator.control.seed("catalog", {"unavailable": [{"size": "s-2vcpu-4gb", "region": "fra1"}],
                                      "regions": {"syd1": {"available": False}}})
    fra1 = next(r for r in client.regions.list(per_page=200)["regions"] if r["slug"] == "fra1")
    assert "s-2vcpu-4gb" not in fra1["sizes"]
    body = {"name": "x", "region": "fra1", "size": "s-2vcpu-4gb", "image": "debian-12-x64"}
    with pytest.raises(HttpResponseError) as err:
        client.droplets.create(body)
    assert err.value.status_code == 422
    assert "not available in region 'fra1'" in err.value.response.json()["message"]
    with pytest.raises(HttpResponseError) as err:
        client.droplets.create({**body, "region": "syd1", "size": "s-1vcpu-1gb"})
    assert "'syd1' is not available" in err.value.response.json()["message"]


def test_seed_rejects_unknown_slugs(emulator):
    from emulator.core.errors import Unprocessable

    with pytest.raises(Unprocessable, match="unknown size/region pair"):
        emulator.control.seed("catalog", {"regions": {"nyc1": {"available": False}},
                                          "unavailable": [{"size": "s-99", "region": "nyc3"}]})
    assert emulator.state.backend("catalog").region("nyc1")["available"] is True  # nothing half-applied
