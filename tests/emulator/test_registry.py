"""Container registry family: PyDo round trips on /v2/registry and /v2/registries (one shared store)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from azure.core.exceptions import HttpResponseError
from azure.core.rest import HttpRequest

from emulator.core.errors import ApiError


def seed(emulator, **payload) -> dict:
    return emulator.control.seed("registry", {"registry": "reg", **payload})


def start_gc(client, registry: str, gc_type: str | None = None):
    body = {"type": gc_type} if gc_type else None
    return client.send_request(HttpRequest("POST", f"/v2/registries/{registry}/garbage-collection", json=body))


def test_legacy_create_then_both_families_see_it_until_delete(client):
    created = client.registry.create({"name": "acme", "subscription_tier_slug": "basic", "region": "fra1"})
    assert created["registry"]["name"] == "acme"
    assert created["registry"]["subscription"]["tier"]["slug"] == "basic"
    assert client.registry.get()["registry"]["region"] == "fra1"
    assert client.registries.get("acme")["registry"]["storage_usage_bytes"] == 0
    assert [r["name"] for r in client.registries.list()["registries"]] == ["acme"]
    assert client.registries.delete("acme") is None
    gone = client.registries.get("acme")
    assert gone["id"] == "not_found"


def test_multi_registry_create_validate_name_and_legacy_412(client):
    client.registries.create({"name": "one", "subscription_tier_slug": "professional"})
    client.registries.create({"name": "two", "region": "syd1"})
    assert client.registries.validate_name({"name": "one"})["id"] == "conflict"
    assert client.registries.validate_name({"name": "free-name"}) is None
    refused = client.registry.get()  # PyDo documents 412 here, so it returns the error body
    assert refused["id"] == "precondition_failed" and "/v2/registries" in refused["message"]


def test_create_validates_name_and_tier(client):
    with pytest.raises(HttpResponseError) as err:
        client.registries.create({"name": "Bad_Name"})
    assert err.value.status_code == 422
    assert "name" in err.value.error.message
    with pytest.raises(HttpResponseError) as err:
        client.registry.create({"name": "ok"})
    assert err.value.status_code == 422
    assert "subscription_tier_slug" in err.value.error.message


def test_starter_tier_allows_a_single_registry(client):
    client.registries.create({"name": "first", "subscription_tier_slug": "starter"})
    with pytest.raises(HttpResponseError) as err:
        client.registries.create({"name": "second"})
    assert err.value.status_code == 412
    assert "OverRegistryLimit" in err.value.error.message


def test_subscription_always_has_a_tier_and_options_report_eligibility(emulator, client):
    assert client.registries.get_subscription()["subscription"]["tier"]["slug"] == "starter"
    seed(emulator, pushes=[{"repository": f"app-{i}", "tags": ["v1.0.0"]} for i in range(2)])
    tiers = {t["slug"]: t for t in client.registries.get_options()["options"]["subscription_tiers"]}
    assert tiers["starter"]["eligible"] is False
    assert "OverRepositoryLimit" in tiers["starter"]["eligibility_reasons"]
    assert tiers["professional"]["eligible"] is True
    updated = client.registry.update_subscription({"tier_slug": "basic"})["subscription"]
    assert updated["tier"]["included_repositories"] == 5
    assert client.registries.get_subscription()["subscription"]["tier"]["slug"] == "basic"


def test_docker_credentials_are_a_raw_docker_config(emulator, client):
    seed(emulator)
    creds = client.registries.get_docker_credentials("reg")
    assert set(creds) == {"auths"}
    assert creds["auths"]["registry.digitalocean.com"]["auth"]
    legacy = client.registry.get_docker_credentials(read_write=True, expiry_seconds=600)
    assert legacy["auths"]["registry.digitalocean.com"]["auth"] != creds["auths"]["registry.digitalocean.com"]["auth"]


def test_repositories_v2_token_pagination_walks_every_repository(emulator, client):
    names = [f"svc-{i}" for i in range(5)] + ["team/api"]
    seed(emulator, pushes=[{"repository": n, "tags": ["latest"]} for n in names])
    seen, token, pages = [], None, []
    while True:
        kwargs = {"per_page": 2, **({"page_token": token} if token else {})}
        page = client.registries.list_repositories_v2("reg", **kwargs)
        pages.append(page["links"].get("pages", {}))
        assert page["meta"]["total"] == 6
        seen += [r["name"] for r in page["repositories"]]
        nxt = page["links"].get("pages", {}).get("next")
        if not nxt:
            break
        token = parse_qs(urlparse(nxt).query)["page_token"][0]
    assert seen == sorted(names)
    assert len(pages) == 3 and "prev" in pages[1] and "next" not in pages[2]
    first = client.registries.list_repositories_v2("reg", per_page=2)["repositories"][0]
    assert first["tag_count"] == 1 and first["manifest_count"] == 1
    assert first["latest_manifest"]["tags"] == ["latest"]
    bad = client.registries.list_repositories_v2("reg", page_token="not-a-token")
    assert bad["id"] == "bad_request"


def test_tags_and_manifests_delete_with_encoded_names(emulator, client):
    pushed = seed(emulator, pushes=[
        {"repository": "team/web", "tags": ["v1", "stable"], "age_days": 10},
        {"repository": "team/web", "tags": ["v2"], "age_days": 1},
    ])["pushed"]
    old, new = pushed[0]["digest"], pushed[1]["digest"]
    tags = client.registries.list_repository_tags("reg", "team/web", per_page=2)
    assert [t["tag"] for t in tags["tags"]][0] == "v2" and tags["meta"]["total"] == 3
    assert "next" in tags["links"]["pages"]
    usage = client.registries.get("reg")["registry"]["storage_usage_bytes"]
    assert client.registries.delete_repository_tag("reg", "team/web", "stable") is None
    manifests = {m["digest"]: m for m in client.registries.list_repository_manifests("reg", "team/web")["manifests"]}
    assert manifests[old]["tags"] == ["v1"]
    assert {"digest", "tags", "blobs", "compressed_size_bytes", "size_bytes", "updated_at"} <= set(manifests[new])
    assert client.registries.delete_repository_manifest("reg", "team/web", old) is None
    remaining = client.registries.list_repository_tags("reg", "team/web")["tags"]
    assert [t["tag"] for t in remaining] == ["v2"]
    assert client.registries.get("reg")["registry"]["storage_usage_bytes"] == usage  # only GC frees storage
    assert client.registries.delete_repository_manifest("reg", "team/web", old)["id"] == "not_found"
    assert client.registry.delete_repository_tag("reg", "team/web", "nope")["id"] == "not_found"
    assert client.registries.delete_repository("reg", "team/web") is None
    assert client.registries.list_repository_tags("reg", "team/web")["id"] == "not_found"


def test_gc_keeps_children_of_tagged_indexes_and_frees_the_rest(emulator, client):
    pushed = seed(emulator, pushes=[
        {"repository": "multi", "tags": ["v1.0.0"], "platforms": ["linux/amd64", "linux/arm64"], "age_days": 5},
        {"repository": "multi", "tags": ["nightly"], "platforms": ["linux/amd64", "linux/arm64"], "age_days": 2},
        {"repository": "multi", "tags": ["nightly"], "age_days": 1},  # moves nightly: the second index is untagged
    ])["pushed"]
    kept_index, dropped_index = pushed[0], pushed[1]
    listing = {m["digest"]: m for m in client.registries.list_repository_manifests("reg", "multi")["manifests"]}
    assert len(listing) == 7
    assert {b["digest"] for b in listing[kept_index["digest"]]["blobs"]} == set(kept_index["children"])
    assert all(listing[c]["tags"] == [] for c in kept_index["children"])
    before = client.registries.get("reg")["registry"]["storage_usage_bytes"]

    gc = start_gc(client, "reg", "untagged manifests and unreferenced blobs")
    assert gc.status_code == 201 and gc.json()["garbage_collection"]["status"] == "requested"
    done = client.registries.list_garbage_collections("reg")["garbage_collections"][0]
    assert done["status"] == "succeeded" and done["blobs_deleted"] > 0
    after = {m["digest"] for m in client.registries.list_repository_manifests("reg", "multi")["manifests"]}
    assert after == {kept_index["digest"], *kept_index["children"], pushed[2]["digest"]}
    assert dropped_index["digest"] not in after and not after & set(dropped_index["children"])
    usage = client.registries.get("reg")["registry"]["storage_usage_bytes"]
    assert usage == before - done["freed_bytes"]


def test_default_gc_type_frees_nothing_while_untagged_manifests_hold_blobs(emulator, client):
    seed(emulator, pushes=[{"repository": "app", "tags": ["main"], "age_days": 3},
                           {"repository": "app", "tags": ["main"], "age_days": 1}])
    gc = start_gc(client, "reg").json()["garbage_collection"]
    assert gc["type"] == "unreferenced blobs only"
    done = client.registries.list_garbage_collections("reg")["garbage_collections"][0]
    assert (done["status"], done["freed_bytes"]) == ("succeeded", 0)


def test_gc_lifecycle_one_at_a_time_read_only_then_cancel(emulator, client):
    emulator.state.clock.freeze()
    seed(emulator, gc_step_seconds=10, pushes=[{"repository": "app", "tags": ["v1.0.0"]}])
    assert client.registries.get_garbage_collection("reg")["id"] == "not_found"
    first = start_gc(client, "reg").json()["garbage_collection"]
    statuses = [client.registries.get_garbage_collection("reg")["garbage_collection"]["status"]]
    for _ in range(3):
        emulator.state.clock.advance(10)
        statuses.append(client.registries.get_garbage_collection("reg")["garbage_collection"]["status"])
    assert statuses == ["requested", "waiting for write JWTs to expire", "scanning manifests",
                        "deleting unreferenced blobs"]
    second = start_gc(client, "reg")
    assert second.status_code == 409 and second.json()["id"] == "conflict"
    with pytest.raises(ApiError) as err:
        seed(emulator, pushes=[{"repository": "app", "tags": ["v2.0.0"]}])
    assert err.value.status == 409 and "read-only" in err.value.message
    emulator.state.clock.advance(10)
    assert client.registries.get_garbage_collection("reg")["id"] == "not_found"
    assert client.registries.list_garbage_collections("reg")["garbage_collections"][0]["status"] == "succeeded"
    assert seed(emulator, pushes=[{"repository": "app", "tags": ["v2.0.0"]}])["tags"] == 2

    third = start_gc(client, "reg").json()["garbage_collection"]
    assert third["uuid"] != first["uuid"]
    cancelling = client.registries.update_garbage_collection("reg", third["uuid"], {"cancel": True})
    assert cancelling["garbage_collection"]["status"] == "cancelling"
    history = client.registries.list_garbage_collections("reg")["garbage_collections"]
    assert [g["status"] for g in history] == ["cancelled", "succeeded"]
    with pytest.raises(HttpResponseError) as err:
        client.registries.update_garbage_collection("reg", third["uuid"], {"cancel": True})
    assert err.value.status_code == 412
    assert client.registries.update_garbage_collection("reg", "no-such-gc", {"cancel": True})["id"] == "not_found"


def test_gc_rejects_unknown_type_with_allowed_values(emulator, client):
    seed(emulator)
    response = start_gc(client, "reg", "everything")
    assert response.status_code == 422
    assert "untagged manifests and unreferenced blobs" in response.json()["message"]


def test_generated_history_is_deterministic_and_shaped_like_ci(emulator):
    spec = {"repositories": 4, "tags": 200, "seed": 3}
    first = emulator.control.seed("registry", {"registry": "a", "generate": spec})
    second = emulator.control.seed("registry", {"registry": "b", "generate": spec})
    for key in ("tags", "manifests", "untagged_manifests", "indexes", "storage_usage_bytes"):
        assert first[key] == second[key], key
    assert first["tags"] == 200 and first["repositories"] == 4
    assert first["untagged_manifests"] > 0 and first["indexes"] > 0
    backend = emulator.state.backend("registry")
    repo = next(iter(backend.data["stores"]["a"]["repos"].values()))
    assert any(len(m["tags"]) > 1 for m in repo["manifests"].values())


def test_seed_rejects_unknown_fields(emulator):
    with pytest.raises(ApiError) as err:
        emulator.control.seed("registry", {"registry": "r", "repos": 3})
    assert err.value.status == 422 and "repos" in err.value.message


@pytest.mark.parametrize("tier", [["basic"], {"slug": "basic"}, 5])
def test_a_tier_slug_that_is_not_a_string_is_422_not_500(client, tier):
    with pytest.raises(HttpResponseError) as err:
        client.registry.update_subscription({"tier_slug": tier})
    assert err.value.status_code == 422 and "tier_slug must be one of" in err.value.error.message
    with pytest.raises(HttpResponseError) as err:
        client.registries.create({"name": "ok", "region": "nyc3", "subscription_tier_slug": tier})
    assert err.value.status_code == 422 and "subscription_tier_slug must be one of" in err.value.error.message


def test_a_registry_named_by_the_empty_string_is_404_not_the_list(emulator, client):
    """The provider's container registry data source reads `Registries.Get(d.Id())` before any id is set, so
    godo asks for `/v2/registries/`. The API answers 404 there (the data source comes back empty against it:
    terraform-provider-digitalocean#1535), not the list, whose shape (`registries`) godo would decode as no
    registry at all; the registry itself is found by its name."""
    import httpx

    client.registries.create({"name": "acme", "subscription_tier_slug": "basic", "region": "fra1"})
    http = httpx.Client(base_url=emulator.url, headers={"Authorization": "Bearer t"})
    empty = http.get("/v2/registries/")
    assert empty.status_code == 404 and empty.json()["id"] == "not_found"
    named = http.get("/v2/registries/acme")
    assert named.status_code == 200 and named.json()["registry"]["name"] == "acme"
    assert [r["name"] for r in http.get("/v2/registries").json()["registries"]] == ["acme"]
