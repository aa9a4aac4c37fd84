"""Prices: the bundled table, each priced family, unknown never 0, live refresh through PyDo."""

from __future__ import annotations

import dataclasses

import pytest

from do_platform import pricing

TABLE = pricing.load_bundled()


def test_bundled_table_is_dated_and_covers_every_family():
    assert TABLE.as_of >= "2025-01-01"
    assert TABLE.droplet_sizes["s-1vcpu-1gb"] == 6.0
    assert TABLE.lb_per_size_unit > 0 and TABLE.volume_per_gib > 0 and TABLE.kubernetes_ha_control_plane > 0
    assert set(TABLE.registry_tiers) == {"starter", "basic", "professional"}
    assert TABLE.database_sizes_per_node["db-s-1vcpu-1gb"] > 0
    assert TABLE.app_instance_sizes["apps-s-1vcpu-0.5gb"] > 0
    assert TABLE.source("droplet_sizes") == f"bundled {TABLE.as_of}"


def test_droplet_with_backups_adds_twenty_percent():
    price = pricing.price_resource(pricing.DROPLET, {"size": "s-2vcpu-4gb", "backups": True}, TABLE)
    assert price.monthly == pytest.approx(24.0 * 1.2)
    assert "backups" in price.basis


def test_unknown_size_is_unknown_not_zero():
    price = pricing.price_resource(pricing.DROPLET, {"size": "s-99vcpu-1tb"}, TABLE)
    assert price.monthly is None and not price.known
    assert "s-99vcpu-1tb" in price.basis


def test_database_cluster_is_size_times_nodes():
    price = pricing.price_resource(pricing.DATABASE_CLUSTER, {"size": "db-s-2vcpu-4gb", "nodeCount": 3}, TABLE)
    assert price.monthly == pytest.approx(3 * TABLE.database_sizes_per_node["db-s-2vcpu-4gb"])


def test_kubernetes_cluster_adds_ha_control_plane_to_default_pool():
    props = {"ha": True, "nodePool": {"size": "s-2vcpu-4gb", "nodeCount": 2}}
    price = pricing.price_resource(pricing.KUBERNETES_CLUSTER, props, TABLE)
    assert price.monthly == pytest.approx(2 * 24.0 + TABLE.kubernetes_ha_control_plane)


def test_autoscaling_pool_is_priced_at_its_minimum_and_shows_the_maximum():
    props = {"size": "s-2vcpu-4gb", "autoScale": True, "minNodes": 2, "maxNodes": 5}
    price = pricing.price_resource(pricing.KUBERNETES_NODE_POOL, props, TABLE)
    assert price.monthly == pytest.approx(48.0)
    assert "up to 5" in price.basis and "$120.00" in price.basis


def test_load_balancer_by_size_unit_and_by_legacy_size():
    assert pricing.price_resource(pricing.LOAD_BALANCER, {"sizeUnit": 3}, TABLE).monthly == pytest.approx(
        3 * TABLE.lb_per_size_unit)
    assert pricing.price_resource(pricing.LOAD_BALANCER, {"size": "lb-medium"}, TABLE).monthly == 36.0


def test_volume_registry_app_and_free_resources():
    assert pricing.price_resource(pricing.VOLUME, {"size": 50}, TABLE).monthly == pytest.approx(5.0)
    assert pricing.price_resource(pricing.CONTAINER_REGISTRY, {"subscriptionTierSlug": "basic"}, TABLE).monthly == 5.0
    spec = {"services": [{"name": "web", "instanceSizeSlug": "apps-s-1vcpu-1gb", "instanceCount": 2}]}
    assert pricing.price_resource(pricing.APP, {"spec": spec}, TABLE).monthly == pytest.approx(24.0)
    free = pricing.price_resource("digitalocean:index/vpc:Vpc", {}, TABLE)
    assert free.monthly == 0.0 and free.basis == "no charge"


def test_app_with_unknown_instance_size_is_unknown():
    spec = {"services": [{"name": "web", "instanceSizeSlug": "apps-x-huge", "instanceCount": 1}]}
    assert pricing.price_resource(pricing.APP, {"spec": spec}, TABLE).monthly is None


def test_unpriced_digitalocean_type_is_unknown():
    price = pricing.price_resource("digitalocean:index/nfs:Nfs", {}, TABLE)
    assert price.monthly is None and "no price rule" in price.basis


def test_live_refresh_reads_sizes_from_the_api_and_marks_unlisted_slugs_unknown(client, emulator):
    # The bundled table knows a size the API no longer lists (a retired plan).
    bundled = dataclasses.replace(TABLE, droplet_sizes={**TABLE.droplet_sizes, "s-1vcpu-3gb-retired": 15.0})
    refreshed = pricing.refresh_live(bundled, client)
    assert refreshed.table.source("droplet_sizes") == "live"
    assert refreshed.table.droplet_sizes["s-2vcpu-4gb"] == 24.0
    # A bundled slug the API does not list is unknown once the family is live, never the stale price.
    missing = next(s for s in bundled.droplet_sizes if s not in refreshed.table.droplet_sizes)
    assert pricing.price_resource(pricing.DROPLET, {"size": missing}, refreshed.table).monthly is None
    assert any("no API" in n for n in refreshed.notes)


def test_live_refresh_keeps_bundled_family_when_the_api_fails(client, emulator):
    emulator.control.faults.add(match=r"^GET /v2/sizes", status=403)
    refreshed = pricing.refresh_live(TABLE, client)
    assert refreshed.table.source("droplet_sizes") == f"bundled {TABLE.as_of}"
    assert any(n.startswith("droplet sizes") and "bundled" in n for n in refreshed.notes)


def test_live_refresh_ignores_an_empty_answer():
    class Empty:
        class sizes:  # noqa: N801 - mimics the PyDo operation group
            @staticmethod
            def list(**_):
                return {"sizes": [], "links": {}}

        class apps:  # noqa: N801
            @staticmethod
            def list_instance_sizes():
                return {"id": "not_found", "message": "The resource you were accessing could not be found."}

        class registries:  # noqa: N801
            @staticmethod
            def get_options():
                return {"options": {"subscription_tiers": [{"slug": "basic", "monthly_price_in_cents": 700}]}}

    refreshed = pricing.refresh_live(TABLE, Empty())
    assert refreshed.table.droplet_sizes == TABLE.droplet_sizes
    assert refreshed.table.source("app_instance_sizes") == f"bundled {TABLE.as_of}"
    assert refreshed.table.registry_tiers == {"basic": 7.0} and refreshed.table.source("registry_tiers") == "live"
    assert sum("listed no prices" in n for n in refreshed.notes) == 2


def test_an_uptime_check_costs_a_dollar_a_month():
    price = pricing.price_resource(pricing.UPTIME_CHECK, {"name": "web", "target": "https://example.com"}, TABLE)
    assert price.monthly == pytest.approx(1.00) and price.known


def test_registry_tier_says_what_storage_it_includes_and_what_more_costs():
    basic = pricing.price_resource(pricing.CONTAINER_REGISTRY, {"subscriptionTierSlug": "basic"}, TABLE)
    assert basic.monthly == 5.0
    assert "includes 5 GiB" in basic.basis and "$0.02/GiB" in basic.basis
    starter = pricing.price_resource(pricing.CONTAINER_REGISTRY, {"subscriptionTierSlug": "starter"}, TABLE)
    assert starter.monthly == 0.0 and "no storage beyond it" in starter.basis


def test_every_price_family_records_its_page_and_the_day_it_was_read():
    import json
    from importlib import resources

    raw = json.loads(resources.files("do_platform.data").joinpath("prices.json").read_text())
    families = {"droplet_sizes", "app_instance_sizes", "load_balancer", "database_sizes_per_node", "kubernetes",
                "volume_per_gib", "registry_tiers", "uptime_check", "spaces", "vpc_nat_gateway", "reserved_ip"}
    assert set(raw["sources"]) == families
    for family, source in raw["sources"].items():
        assert source["url"].startswith("docs.digitalocean.com/products/"), family
        assert source["read"] >= "2026-11-28" and isinstance(source["confirmed"], bool), family


def test_the_header_says_when_prices_came_live():
    assert pricing.describe_sources("2026-11-28", {f: "bundled 2026-11-28" for f in pricing.LIVE_FAMILIES}) \
        == "list prices as of 2026-11-28"
    text = pricing.describe_sources("2026-11-28", {"droplet_sizes": "live", "registry_tiers": "bundled 2026-11-28"})
    assert text.startswith("live prices from the API for droplet sizes")


def test_a_bucket_costs_the_spaces_subscription_and_the_cdn_is_included():
    price = pricing.price_resource(pricing.SPACES_BUCKET, {"name": "acme-objects", "region": "nyc3"}, TABLE)
    assert price.monthly == pytest.approx(5.00)
    assert "includes 250 GiB stored and 1024 GiB transferred out" in price.basis
    assert "$0.02/GiB stored and $0.01/GiB transferred" in price.basis and "per account" in price.basis
    cdn = pricing.price_resource(pricing.CDN, {"origin": "acme-objects.nyc3.digitaloceanspaces.com"}, TABLE)
    assert cdn.monthly == 0.0 and "included with Spaces" in cdn.basis
    for free in ("spacesKey:SpacesKey", "spacesBucketCorsConfiguration:SpacesBucketCorsConfiguration",
                 "spacesBucketPolicy:SpacesBucketPolicy"):
        assert pricing.price_resource(pricing.PREFIX + free, {}, TABLE).monthly == 0.0


def test_a_database_replica_is_one_node_of_its_size():
    price = pricing.price_resource(pricing.DATABASE_REPLICA, {"size": "db-s-1vcpu-2gb", "region": "nyc3"}, TABLE)
    assert price.monthly == pytest.approx(TABLE.database_sizes_per_node["db-s-1vcpu-2gb"]) == pytest.approx(30.0)
    assert pricing.price_resource(pricing.DATABASE_REPLICA, {"size": "db-s-9vcpu-1tb"}, TABLE).monthly is None


def test_an_autoscale_pool_is_priced_as_its_range_of_template_droplets():
    props = {"config": {"minInstances": 2, "maxInstances": 5, "targetCpuUtilization": 0.6},
             "dropletTemplate": {"size": "s-1vcpu-2gb", "region": "nyc3"}}
    price = pricing.price_resource(pricing.DROPLET_AUTOSCALE, props, TABLE)
    unit = TABLE.droplet_sizes["s-1vcpu-2gb"]
    assert (price.monthly, price.monthly_max, price.ceiling) == pytest.approx((2 * unit, 5 * unit, 5 * unit))
    assert "autoscale 2 … 5 × s-1vcpu-2gb" in price.basis and price.source == TABLE.source("droplet_sizes")


def test_a_static_or_single_size_pool_has_no_range_and_an_unknown_size_is_unknown():
    static = {"config": {"targetNumberInstances": 3}, "dropletTemplate": {"size": "s-1vcpu-1gb"}}
    price = pricing.price_resource(pricing.DROPLET_AUTOSCALE, static, TABLE)
    assert (price.monthly, price.monthly_max) == (3 * TABLE.droplet_sizes["s-1vcpu-1gb"], None)
    odd = {"config": {"minInstances": 1, "maxInstances": 3}, "dropletTemplate": {"size": "s-64vcpu-1tb"}}
    assert pricing.price_resource(pricing.DROPLET_AUTOSCALE, odd, TABLE).monthly is None


def test_a_nat_gateway_is_priced_per_size_unit_from_the_dated_table_and_unknown_without_it():
    price = pricing.price_resource(pricing.VPC_NAT_GATEWAY, {"size": 2, "region": "nyc3"}, TABLE)
    assert price.monthly == pytest.approx(2 * TABLE.vpc_nat_gateway_per_size_unit)
    assert "preview" in price.basis and price.source == f"bundled {TABLE.as_of}"
    without = dataclasses.replace(TABLE, vpc_nat_gateway_per_size_unit=None)
    assert pricing.price_resource(pricing.VPC_NAT_GATEWAY, {"size": 1}, without).monthly is None
    assert pricing.price_resource(pricing.RESERVED_IP, {"region": "nyc3"}, TABLE).monthly == 0.0
