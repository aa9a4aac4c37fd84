"""Marketplace SaaS add-ons through PyDo: the emulator's vendor apps, plans and metadata, provisioning."""

import pytest


def test_apps_and_metadata(client):
    apps = {a["app_slug"]: a for a in client.addons.get_app()["apps"]}
    assert set(apps) == {"emulator-kv", "emulator-mail"}
    assert [p["slug"] for p in apps["emulator-kv"]["plans"]] == ["kv-free", "kv-pro"]
    metadata = client.addons.get_app_metadata("emulator-kv")["metadata"]
    assert {m["name"]: m["type"] for m in metadata} == {"region": "string", "eviction": "boolean"}


def test_provision_rename_change_plan_and_delete(client):
    made = client.addons.create({"app_slug": "emulator-kv", "plan_slug": "kv-free", "name": "cache",
                                 "metadata": [{"name": "region", "value": "fra"}]})["resource"]
    assert made["state"] == "provisioning" and made["plan_price_per_month"] == 0
    got = client.addons.get(made["uuid"])["resource"]
    assert got["state"] == "provisioned"
    assert client.addons.patch(made["uuid"], {"name": "cache-2"})["resource"]["name"] == "cache-2"
    upgraded = client.addons.patch_plan(made["uuid"], {"plan_slug": "kv-pro"})["resource"]
    assert upgraded["plan_slug"] == "kv-pro" and upgraded["plan_price_per_month"] == 15
    assert [r["name"] for r in client.addons.list()["resources"]] == ["cache-2"]
    client.addons.delete(made["uuid"])
    assert client.addons.list()["resources"] == []


@pytest.mark.parametrize("body, needle", [
    ({"plan_slug": "gold"}, "plan_slug 'gold' is not a plan of emulator-kv"),
    ({"metadata": [{"name": "region", "value": "mars"}]}, "metadata[0].value must be one of"),
    ({"metadata": [{"name": "eviction", "value": "yes"}]}, "metadata[0].value must be a boolean"),
    ({"metadata": [{"name": "color", "value": "x"}]}, "metadata[0].name must be one of")])
def test_bad_resources_name_the_field(emulator, body, needle):
    import httpx

    base = {"app_slug": "emulator-kv", "plan_slug": "kv-free", "name": "cache", "metadata": []}
    answer = httpx.post(f"{emulator.url}/v2/add-ons/saas", headers={"Authorization": "Bearer t"},
                        json={**base, **body})
    assert answer.status_code == 422 and needle in answer.json()["message"]
