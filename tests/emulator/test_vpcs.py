"""VPCs: default per region on first use, assigned ranges, members, and delete refused while in use."""

import httpx
import pytest
from azure.core.exceptions import HttpResponseError


def droplet(client, name="web", region="nyc3", **extra):
    body = {"name": name, "region": region, "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", **extra}
    return client.droplets.create(body)["droplet"]


def test_round_trip(client):
    vpc = client.vpcs.create({"name": "prod-net", "region": "fra1", "description": "prod"})["vpc"]
    assert vpc["urn"] == f"do:vpc:{vpc['id']}" and vpc["default"] is False
    assert vpc["ip_range"].endswith("/20") and vpc["created_at"].endswith("Z")
    assert client.vpcs.get(vpc["id"])["vpc"]["name"] == "prod-net"
    listed = [v for v in client.vpcs.list(per_page=200)["vpcs"] if v["region"] == "fra1"]
    assert [v["name"] for v in listed] == ["default-fra1", "prod-net"]  # the region's default came first
    updated = client.vpcs.update(vpc["id"], {"name": "prod-net-2", "description": "x", "default": False})["vpc"]
    assert (updated["name"], updated["description"]) == ("prod-net-2", "x")
    patched = client.vpcs.patch(vpc["id"], {"description": "only this"})["vpc"]
    assert (patched["name"], patched["description"]) == ("prod-net-2", "only this")
    client.vpcs.delete(vpc["id"])
    assert client.vpcs.get(vpc["id"])["id"] == "not_found"


def test_explicit_range_is_kept_and_overlaps_refused(client):
    vpc = client.vpcs.create({"name": "a", "region": "nyc1", "ip_range": "10.200.0.0/24"})["vpc"]
    assert vpc["ip_range"] == "10.200.0.0/24"
    with pytest.raises(HttpResponseError) as err:
        client.vpcs.create({"name": "b", "region": "nyc1", "ip_range": "10.200.0.128/25"})
    assert err.value.status_code == 422 and "overlaps VPC a" in err.value.response.json()["message"]
    with pytest.raises(HttpResponseError) as err:
        client.vpcs.create({"name": "c", "region": "nyc1", "ip_range": "8.8.8.0/24"})
    assert "private IPv4 block" in err.value.response.json()["message"]


def test_default_vpc_created_on_first_droplet_and_members_listed(client):
    d = droplet(client)
    default = client.vpcs.list()["vpcs"][0]
    assert default["default"] is True and d["vpc_uuid"] == default["id"]
    private = next(n for n in d["networks"]["v4"] if n["type"] == "private")
    assert private["ip_address"].startswith(default["ip_range"].split(".0.0/")[0])
    members = client.vpcs.list_members(default["id"])
    assert members["members"] == [{"name": "web", "urn": f"do:droplet:{d['id']}",
                                   "created_at": members["members"][0]["created_at"]}]
    assert client.vpcs.list_members(default["id"], resource_type="kubernetes")["members"] == []


def test_delete_with_members_is_409_then_succeeds(client):
    vpc = client.vpcs.create({"name": "apps", "region": "nyc3"})["vpc"]
    d = droplet(client, vpc_uuid=vpc["id"])
    with pytest.raises(HttpResponseError) as err:
        client.vpcs.delete(vpc["id"])
    assert err.value.status_code == 409
    assert err.value.response.json()["message"] == "Can not delete VPC with members"
    client.droplets.destroy(d["id"])
    client.vpcs.delete(vpc["id"])


def test_default_vpc_cannot_be_deleted_and_default_can_move(client):
    droplet(client)
    default = client.vpcs.list()["vpcs"][0]
    other = client.vpcs.create({"name": "other", "region": "nyc3"})["vpc"]
    client.vpcs.patch(other["id"], {"default": True})
    assert client.vpcs.get(default["id"])["vpc"]["default"] is False
    with pytest.raises(HttpResponseError) as err:
        client.vpcs.delete(other["id"])
    assert err.value.status_code == 403


def test_droplet_in_unknown_or_foreign_vpc_is_422(client):
    vpc = client.vpcs.create({"name": "lon", "region": "lon1"})["vpc"]
    with pytest.raises(HttpResponseError) as err:
        droplet(client, vpc_uuid=vpc["id"])
    assert "is in region 'lon1', not 'nyc3'" in err.value.response.json()["message"]
    with pytest.raises(HttpResponseError) as err:
        droplet(client, vpc_uuid="3f2a9c51-0000-4000-8000-000000000000")
    assert err.value.response.json()["message"].startswith("vpc_uuid ")


def test_validation_errors_name_the_field(client):
    for body, needle in [({"region": "nyc3"}, "name is required"),
                         ({"name": "x", "region": "mars1"}, "region 'mars1' is not a valid region"),
                         ({"name": "bad name", "region": "nyc3"}, "name 'bad name'")]:
        with pytest.raises(HttpResponseError) as err:
            client.vpcs.create(body)
        assert err.value.status_code == 422 and needle in err.value.response.json()["message"]


def test_provider_style_delete_retries_until_members_leave(emulator):
    """The provider retries 403/409 on VPC delete; the emulator answers 204 once the member is gone."""
    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    vpc = http.post("/v2/vpcs", json={"name": "k8s", "region": "ams3"}).json()["vpc"]
    emulator.state.backend("vpcs").add_member(vpc["id"], "do:kubernetes:abc", "cluster")
    assert http.delete(f"/v2/vpcs/{vpc['id']}").status_code == 409
    emulator.state.backend("vpcs").remove_member("do:kubernetes:abc")
    assert http.delete(f"/v2/vpcs/{vpc['id']}").status_code == 204
    assert http.get(f"/v2/vpcs/{vpc['id']}").status_code == 404


def test_private_addresses_are_released_and_capacity_is_checked(client):
    vpc = client.vpcs.create({"name": "tiny", "region": "nyc3", "ip_range": "10.60.0.0/28"})["vpc"]
    first = droplet(client, "a", vpc_uuid=vpc["id"])
    address = next(n["ip_address"] for n in first["networks"]["v4"] if n["type"] == "private")
    client.droplets.destroy(first["id"])
    again = droplet(client, "b", vpc_uuid=vpc["id"])
    assert next(n["ip_address"] for n in again["networks"]["v4"] if n["type"] == "private") == address
    body = {"names": [f"n{i}" for i in range(10)], "region": "nyc3", "size": "s-1vcpu-1gb",
            "image": "ubuntu-24-04-x64", "vpc_uuid": vpc["id"]}
    client.droplets.create(body)  # 11 of the /28's 13 usable addresses
    with pytest.raises(HttpResponseError) as err:
        client.droplets.create({**body, "names": ["x1", "x2", "x3"]})
    assert "has 2 free addresses; 3 droplets do not fit" in err.value.response.json()["message"]
    assert client.droplets.list(per_page=200)["meta"]["total"] == 11


@pytest.mark.parametrize("how", ["by id", "by tag", "with a volume", "while still new"])
def test_a_destroyed_droplet_leaves_its_vpc_at_once(emulator, client, how):
    """The provider's droplet delete waits for GET 404, then its VPC delete must not meet the droplet as a member."""
    if how == "while still new":
        emulator.state.settings.lifecycle_delay = 30
    vpc = client.vpcs.create({"name": "app-net", "region": "nyc3"})["vpc"]
    extra = {"tags": ["gone"]}
    if how == "with a volume":
        volume = client.volumes.create({"name": "data", "region": "nyc3", "size_gigabytes": 10})["volume"]
        extra["volumes"] = [volume["id"]]
    d = droplet(client, "web", vpc_uuid=vpc["id"], **extra)
    assert [m["urn"] for m in client.vpcs.list_members(vpc["id"])["members"]] == [f"do:droplet:{d['id']}"]
    if how == "by tag":
        client.droplets.destroy_by_tag(tag_name="gone")
    else:
        client.droplets.destroy(d["id"])
    assert client.droplets.get(d["id"])["id"] == "not_found"  # PyDo hands a documented 404 back as the body
    assert client.vpcs.list_members(vpc["id"])["members"] == []
    client.vpcs.delete(vpc["id"])
    assert client.vpcs.get(vpc["id"])["id"] == "not_found"


def test_every_available_region_lists_its_default_before_any_resource(client):
    """The provider's `digitalocean_vpc { region = "nyc3" }` data source reads the region's default before the
    configuration's first droplet exists (the acceptance test VPC_RegionDefault)."""
    listed = client.vpcs.list(per_page=200)["vpcs"]
    defaults = {v["region"]: v for v in listed if v["default"]}
    regions = [r["slug"] for r in client.regions.list(per_page=200)["regions"] if r["available"]]
    assert sorted(defaults) == sorted(regions) and "nyc3" in defaults
    assert client.vpcs.list(per_page=200)["vpcs"] == listed  # made once, not again
    d = droplet(client, region="nyc3")
    assert d["vpc_uuid"] == defaults["nyc3"]["id"]


def test_automatic_ranges_stay_clear_of_ranges_users_pick(client):
    """A VPC created without ip_range must not take 10.10.0.0/20, which a later explicit 10.10.10.0/24 (the
    acceptance test VPC_IPRange, run in parallel with others) overlaps."""
    auto = client.vpcs.create({"name": "auto", "region": "nyc3"})["vpc"]
    first, second = (int(x) for x in auto["ip_range"].split(".")[:2])
    assert first == 10 and 100 <= second < 244
    explicit = client.vpcs.create({"name": "mine", "region": "nyc3", "ip_range": "10.10.10.0/24"})["vpc"]
    assert explicit["ip_range"] == "10.10.10.0/24"
    defaults = {v["region"]: v for v in client.vpcs.list(per_page=200)["vpcs"] if v["default"]}
    assert auto["ip_range"] not in {v["ip_range"] for v in defaults.values()}
    assert auto["ip_range"].startswith(defaults["nyc3"]["ip_range"].split(".")[0] + "." +
                                       defaults["nyc3"]["ip_range"].split(".")[1] + ".")  # near its default
