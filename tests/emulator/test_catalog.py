"""Catalog family: regions, sizes and images, and the availability that creates are checked against."""

import pytest
from azure.core.exceptions import HttpResponseError

ALL_REGIONS = ["nyc1", "sfo1", "nyc2", "ams2", "sgp1", "lon1", "nyc3", "ams3", "fra1", "tor1", "sfo2", "blr1", "sfo3",
               "syd1", "atl1", "ric1"]


def test_regions_are_every_current_region_with_sizes(client):
    body = client.regions.list(per_page=200)
    assert [r["slug"] for r in body["regions"]] == ALL_REGIONS
    assert body["meta"]["total"] == 16
    by_slug = {r["slug"]: r for r in body["regions"]}
    assert by_slug["nyc3"]["name"] == "New York 3" and by_slug["nyc3"]["available"] is True
    assert by_slug["ric1"]["name"] == "Richmond 1" and "s-1vcpu-1gb" in by_slug["ric1"]["sizes"]
    assert by_slug["sfo1"]["available"] is False and by_slug["sfo1"]["sizes"] == []  # closed to new resources
    with pytest.raises(HttpResponseError) as err:
        client.droplets.create({"name": "x", "region": "ams2", "size": "s-1vcpu-1gb", "image": "debian-12-x64"})
    assert "'ams2' is not available" in err.value.response.json()["message"]


def test_regions_paginate_with_prev_on_later_pages(client):
    first = client.regions.list(per_page=4, page=1)
    assert set(first["links"]["pages"]) == {"next", "last"}
    last = client.regions.list(per_page=4, page=4)
    assert [r["slug"] for r in last["regions"]] == ["sfo3", "syd1", "atl1", "ric1"]
    assert "prev" in last["links"]["pages"] and "next" not in last["links"]["pages"]
    assert "page=3" in last["links"]["pages"]["prev"]


def test_sizes_carry_prices_and_regions(client):
    sizes = {s["slug"]: s for s in client.sizes.list(per_page=200)["sizes"]}
    basic = sizes["s-1vcpu-1gb"]
    assert (basic["memory"], basic["vcpus"], basic["disk"], basic["price_monthly"]) == (1024, 1, 25, 6.0)
    assert basic["price_hourly"] == pytest.approx(0.00893, abs=1e-5)
    assert {"s-1vcpu-512mb-10gb", "s-2vcpu-4gb", "c-2", "g-2vcpu-8gb", "m-2vcpu-16gb"} <= set(sizes)
    assert all(isinstance(s["transfer"], float) for s in sizes.values())
    assert len(sizes) > 40 and all(s["price_monthly"] > 0 for s in sizes.values())
    assert sizes["s-2vcpu-4gb-amd"]["price_monthly"] == 28.0 and sizes["so-2vcpu-16gb"]["description"] \
        == "Storage-Optimized"


def test_the_plan_prices_droplets_databases_and_apps_from_the_catalog_only():
    """One catalog: the plan's table takes every Droplet, database and App Platform price from it, and
    prices.json (the families the catalog does not hold) repeats none of them; both say where and when."""
    import json
    from importlib import resources

    from do_platform import pricing
    from do_vocab import catalog

    data = catalog.load()
    prices = json.loads(resources.files("do_platform.data").joinpath("prices.json").read_text())
    assert not {"droplet_sizes", "app_instance_sizes", "database_sizes_per_node"} & set(prices)
    table = pricing.load_bundled()
    assert table.droplet_sizes == {s["slug"]: s["price_monthly"] for s in data.droplet_sizes}
    app_size, db_size = data.app_instance_size("apps-s-1vcpu-0.5gb"), data.database_size("db-s-1vcpu-2gb")
    assert table.app_instance_sizes["apps-s-1vcpu-0.5gb"] == app_size["usd_per_month"]
    assert table.database_sizes_per_node["db-s-1vcpu-2gb"] == db_size["price_monthly_per_node"]
    for family, source in prices["sources"].items():
        assert source["url"].startswith("docs.digitalocean.com/") and source["read"] and "confirmed" in source, family
    assert data.as_of and len(data.sources) >= 3 and "ric1" in data.region_slugs(available_only=True)
    assert data.app_instance_size("apps-s-1vcpu-0.5gb")["single_instance_only"] is True


def test_database_options_offer_no_1gb_nodes_with_standby(client):
    options = client.databases.list_options()["options"]
    assert "ric1" in options["pg"]["regions"] and "atl1" in options["pg"]["regions"]
    layouts = {layout["num_nodes"]: layout["sizes"] for layout in options["pg"]["layouts"]}
    assert sorted(layouts) == [1, 2, 3]
    assert "db-s-1vcpu-1gb" in layouts[1]
    assert "db-s-1vcpu-1gb" not in layouts[2] and "db-s-1vcpu-1gb" not in layouts[3]
    assert "db-s-1vcpu-2gb" in layouts[2]
    assert sorted(layout["num_nodes"] for layout in options["kafka"]["layouts"]) == [3, 6, 9, 15]
    body = {"name": "db", "engine": "pg", "version": "17", "size": "db-s-1vcpu-1gb", "region": "nyc3", "num_nodes": 2}
    with pytest.raises(HttpResponseError) as err:
        client.databases.create_cluster(body)
    message = err.value.response.json()["message"]
    assert "size 'db-s-1vcpu-1gb' is not offered for a 2-node pg cluster" in message and "at least 2 GB" in message
    assert client.databases.create_cluster({**body, "size": "db-s-1vcpu-2gb"})["database"]["num_nodes"] == 2


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
