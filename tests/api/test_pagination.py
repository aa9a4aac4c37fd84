"""Client-side pagination: page numbers and the registry's page_token cursor, against the emulator."""

from do_platform.api.pagination import iter_pages, iter_token_pages, list_all, next_link


def test_next_link_is_none_on_a_last_page_and_on_error_bodies():
    assert next_link({"droplets": [], "links": {}, "meta": {"total": 0}}) is None
    assert next_link({"id": "not_found", "message": "gone"}) is None
    assert next_link({"links": {"pages": {"next": "http://x/v2/droplets?page=2"}}}) == "http://x/v2/droplets?page=2"


def test_list_all_walks_every_page_once(emulator, client):
    for name in ("a", "b", "c", "d", "e"):
        client.tags.create({"name": f"tag-{name}"})
    emulator.control.log.clear()
    pages = list(iter_pages(client.tags.list, per_page=2))
    assert [len(p["tags"]) for p in pages] == [2, 2, 1]
    assert sorted(t["name"] for t in list_all(client.tags.list, "tags", per_page=2)) == [
        f"tag-{n}" for n in "abcde"]
    assert emulator.control.log.snapshot()["by_route"]["GET /v2/tags"] == 6


def test_token_pages_follow_the_cursor(emulator, client):
    client.registries.create({"name": "reg", "subscription_tier_slug": "professional", "region": "nyc3"})
    emulator.control.seed("registry", {"registry": "reg", "pushes": [
        {"repository": f"repo-{i}", "tags": ["v1"]} for i in range(5)]})
    pages = list(iter_token_pages(client.registries.list_repositories_v2, "reg", per_page=2))
    assert [len(p["repositories"]) for p in pages] == [2, 2, 1]
    assert sorted(r["name"] for p in pages for r in p["repositories"]) == [f"repo-{i}" for i in range(5)]
