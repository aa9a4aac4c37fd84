"""Projects: the default project, resource assignment that moves URNs, and 412 on delete with resources."""

import httpx
import pytest
from azure.core.exceptions import HttpResponseError


def droplet(client, name="web"):
    body = {"name": name, "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64"}
    return client.droplets.create(body)["droplet"]


def test_default_project_exists_from_the_start(client):
    default = client.projects.get_default()["project"]
    assert default["is_default"] is True and default["owner_id"] >= 1
    assert client.projects.get(default["id"])["project"]["name"] == default["name"]
    assert client.projects.list()["meta"]["total"] == 1


def test_round_trip(client):
    created = client.projects.create({"name": "shop", "purpose": "Web Application", "environment": "Production",
                                      "description": "the shop"})["project"]
    assert created["is_default"] is False and created["created_at"].endswith("Z")
    assert client.projects.get(created["id"])["project"]["purpose"] == "Web Application"
    assert [p["name"] for p in client.projects.list()["projects"]][-1] == "shop"
    patched = client.projects.patch(created["id"], {"description": "new"})["project"]
    assert (patched["name"], patched["description"]) == ("shop", "new")
    put = client.projects.update(created["id"], {"name": "shop2", "description": "d", "purpose": "IoT",
                                                 "environment": "Staging", "is_default": False})["project"]
    assert (put["name"], put["environment"]) == ("shop2", "Staging")
    client.projects.delete(created["id"])
    assert client.projects.get(created["id"])["id"] == "not_found"


def test_unknown_purpose_is_stored_as_other(client):
    created = client.projects.create({"name": "p", "purpose": "my hobby"})["project"]
    assert created["purpose"] == "Other: my hobby"


def test_new_resources_land_in_default_and_assignment_moves_them(client):
    d = droplet(client)
    urn = f"do:droplet:{d['id']}"
    default = client.projects.get_default()["project"]
    assert [r["urn"] for r in client.projects.list_resources(default["id"])["resources"]] == [urn]
    shop = client.projects.create({"name": "shop", "purpose": "Web Application"})["project"]
    assigned = client.projects.assign_resources(shop["id"], {"resources": [urn]})["resources"]
    assert assigned[0]["urn"] == urn and assigned[0]["status"] == "ok"
    assert assigned[0]["links"]["self"].endswith(f"/v2/droplets/{d['id']}")
    assert client.projects.list_resources(default["id"])["resources"] == []
    refused = client.projects.delete(shop["id"])  # 412 is documented, so PyDo returns the error body
    assert refused["id"] == "precondition_failed"
    assert "cannot delete a project with resources" in refused["message"]
    client.projects.assign_resources_default({"resources": [urn]})
    client.projects.delete(shop["id"])


def test_deleted_resource_leaves_its_project(client):
    d = droplet(client)
    client.droplets.destroy(d["id"])
    assert client.projects.list_resources_default()["resources"] == []


def test_resources_paginate_with_per_page_200(emulator, client):
    emulator.control.seed("droplets", {"count": 205, "name_prefix": "bulk"})
    default = client.projects.get_default()["project"]
    first = client.projects.list_resources(default["id"], per_page=200, page=1)
    assert len(first["resources"]) == 200 and first["meta"]["total"] == 205
    second = client.projects.list_resources(default["id"], per_page=200, page=2)
    assert len(second["resources"]) == 5
    assert "page=1" in second["links"]["pages"]["prev"] and "next" not in second["links"]["pages"]


def test_validation_errors(client):
    for body, needle in [({"purpose": "IoT"}, "name is required"),
                         ({"name": "x", "purpose": "IoT", "environment": "Prod"}, "environment must be one of"),
                         ({"name": "x"}, "purpose is required")]:
        with pytest.raises(HttpResponseError) as err:
            client.projects.create(body)
        assert err.value.status_code == 422 and needle in err.value.response.json()["message"]
    with pytest.raises(HttpResponseError) as err:
        client.projects.assign_resources_default({"resources": ["droplet:1"]})
    assert "is not a valid URN" in err.value.response.json()["message"]


def test_default_project_cannot_be_deleted_but_default_can_move(client):
    default = client.projects.get_default()["project"]
    assert client.projects.delete(default["id"])["id"] == "precondition_failed"
    other = client.projects.create({"name": "o", "purpose": "IoT"})["project"]
    client.projects.patch(other["id"], {"is_default": True})
    assert client.projects.get_default()["project"]["id"] == other["id"]
    assert client.projects.get(default["id"])["project"]["is_default"] is False


def test_provider_update_moves_removed_urns_to_default(emulator):
    """Provider Update: GET /v2/projects/default then POST its resources with the removed URNs."""
    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    project = http.post("/v2/projects", json={"name": "p", "purpose": "IoT", "environment": "Development",
                                              "description": ""}).json()["project"]
    body = {"name": "v", "region": "nyc3", "size_gigabytes": 5}
    volume = http.post("/v2/volumes", json=body).json()["volume"]
    urn = f"do:volume:{volume['id']}"
    assert http.post(f"/v2/projects/{project['id']}/resources", json={"resources": [urn]}).status_code == 200
    default_id = http.get("/v2/projects/default").json()["project"]["id"]
    moved = http.post(f"/v2/projects/{default_id}/resources", json={"resources": [urn]})
    assert moved.status_code == 200
    assert http.delete(f"/v2/projects/{project['id']}").status_code == 204


def test_the_literal_default_project_paths(emulator):
    """``/v2/projects/default`` and ``/default/resources`` are operations of their own in the API."""
    import httpx

    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    default = http.get("/v2/projects/default").json()["project"]
    assert default["is_default"] is True
    patched = http.patch("/v2/projects/default", json={"description": "the default"}).json()["project"]
    assert patched["id"] == default["id"] and patched["description"] == "the default"
    assert http.get("/v2/projects/default/resources").json()["resources"] == []


def test_a_vpc_cannot_be_assigned_to_a_project(client):
    """VPCs have URNs but belong to no project (the provider's Project_CreateWithUnacceptedResourceExpectError
    acceptance test expects the assignment to fail); nothing is assigned when one URN of a batch is refused."""
    vpc = client.vpcs.create({"name": "net", "region": "nyc3"})["vpc"]
    project = client.projects.create({"name": "p", "purpose": "Web Application"})["project"]
    droplet = client.droplets.create({"name": "d", "region": "nyc3", "size": "s-1vcpu-1gb",
                                      "image": "ubuntu-24-04-x64"})["droplet"]
    with pytest.raises(HttpResponseError) as err:
        client.projects.assign_resources(project["id"], {"resources": [f"do:droplet:{droplet['id']}", vpc["urn"]]})
    assert err.value.status_code == 422 and vpc["urn"] in err.value.response.json()["message"]
    assert client.projects.list_resources(project["id"])["resources"] == []
