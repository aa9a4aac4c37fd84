"""Registry cleanup while the registry changes under it: a re-tag during the walk, injected latency.

The listing is newest first and paged by offset. Re-tagging an old multi-arch index while the walk
waits on a slow page moves the index to the front, where the pages already read never show it; its
child (whose own tag expired) must still not be deleted by digest.
"""

from __future__ import annotations

import threading
import time

from do_platform.ops import registry_cleanup as ops

REGISTRY = "race"
POLICY = ops.RetentionPolicy(keep_last=3, keep_days=30, keep_patterns=())
DIGESTS_ROUTE = "GET /v2/registries/{registry_name}/repositories/{repository_name}/digests"


def seed(emulator) -> dict:
    pushes = [{"repository": "web", "tags": ["multi-1"], "age_days": 200, "platforms": ["linux/amd64", "linux/arm64"]}]
    pushes += [{"repository": "web", "tags": [f"build-{i}"], "age_days": i} for i in range(1, 9)]
    pushed = emulator.control.seed("registry", {"registry": REGISTRY, "pushes": pushes})["pushed"]
    index = pushed[0]
    child = index["children"][0]
    # The amd64 image was also pushed on its own once, under a tag that has long expired.
    emulator.control.seed("registry", {"registry": REGISTRY, "pushes": [
        {"repository": "web", "tags": ["amd64-1"], "digest": child, "age_days": 200}]})
    emulator.control.log.clear()
    return {"index": index["digest"], "child": child, "sibling": index["children"][1]}


def manifests(emulator) -> dict:
    return emulator.state.backend("registry").data["stores"][REGISTRY]["repos"]["web"]["manifests"]


def retag_after_first_page(emulator, digest: str, tag: str) -> threading.Thread:
    """Re-tag ``digest`` as soon as the walk's first manifests page has been answered."""
    def retag():
        deadline = time.monotonic() + 10
        while emulator.control.log.snapshot()["by_route"].get(DIGESTS_ROUTE, 0) < 1:
            if time.monotonic() > deadline:
                return
            time.sleep(0.002)
        emulator.control.seed("registry", {"registry": REGISTRY, "pushes": [
            {"repository": "web", "tags": [tag], "digest": digest}]})

    thread = threading.Thread(target=retag, daemon=True)
    thread.start()
    return thread


def test_a_retag_during_the_walk_keeps_the_index_and_its_children(emulator, client):
    world = seed(emulator)
    # The walk waits on page 2; the re-tag lands meanwhile and moves the index to the front.
    emulator.control.add_fault(match=r"^GET .*/web/digests\?.*\bpage=2\b", latency_ms=400, count=1)
    thread = retag_after_first_page(emulator, world["index"], "release-now")
    report = ops.cleanup(client, REGISTRY, POLICY, apply=True, gc=False, per_page=3)
    thread.join()

    left = manifests(emulator)
    assert {world["index"], world["child"], world["sibling"]} <= set(left), "a kept index lost a child"
    assert left[world["index"]]["tags"] == ["multi-1", "release-now"]
    assert left[world["child"]]["tags"] == []  # its own expired tag went, by tag
    (web,) = report.repositories
    assert world["child"] not in web.plan.delete_manifests
    assert ("amd64-1", world["child"]) in web.plan.delete_tags


def test_a_retag_during_the_walk_then_gc_leaves_the_index_whole(emulator, client):
    world = seed(emulator)
    emulator.control.add_fault(match=r"^GET .*/web/digests\?.*\bpage=2\b", latency_ms=400, count=1)
    emulator.control.add_fault(match=r"^DELETE ", latency_ms=20)
    thread = retag_after_first_page(emulator, world["index"], "release-now")
    report = ops.cleanup(client, REGISTRY, POLICY, apply=True, gc=True, gc_poll_interval=0.01, per_page=3)
    thread.join()
    assert report.gc is not None and report.gc.status == "succeeded"
    left = manifests(emulator)
    assert {world["index"], world["child"], world["sibling"]} <= set(left)


def test_nothing_changed_costs_one_extra_listing_call_per_repository_with_deletes(emulator, client):
    seed(emulator)
    ops.cleanup(client, REGISTRY, POLICY, apply=True, gc=False, per_page=3)
    by_route = emulator.control.log.snapshot()["by_route"]
    assert by_route[DIGESTS_ROUTE] == 4 + 1  # 11 manifests at 3 a page, then one re-read of the front


def test_a_manifest_deleted_by_someone_else_during_the_walk_triggers_a_full_relist(emulator, client):
    world = seed(emulator)
    known = ops.list_manifests(client, REGISTRY, "web", per_page=3)
    newest = max(known, key=lambda m: m.updated_at)
    emulator.control.log.clear()
    client.registries.delete_repository_manifest(REGISTRY, "web", newest.digest)
    current = ops.reread_changes(client, REGISTRY, "web", known, per_page=3)
    assert {m.digest for m in current} == {m.digest for m in known} - {newest.digest}
    assert world["index"] in {m.digest for m in current}
    assert emulator.control.log.snapshot()["by_route"][DIGESTS_ROUTE] == 1 + 4


def test_a_manifest_deleted_between_the_walks_pages_does_not_hide_another(emulator, client):
    """Deleting a manifest the walk already read shifts the later pages by one: the listing is made again."""
    world = seed(emulator)
    everything = {m.digest for m in ops.list_manifests(client, REGISTRY, "web", per_page=100)}
    newest = max(ops.list_manifests(client, REGISTRY, "web", per_page=100), key=lambda m: m.updated_at)
    emulator.control.log.clear()
    emulator.control.add_fault(match=r"^GET .*/web/digests\?.*\bpage=4\b", latency_ms=400, count=1)

    def delete_after_page_three():
        deadline = time.monotonic() + 10
        while emulator.control.log.snapshot()["by_route"].get(DIGESTS_ROUTE, 0) < 3:
            if time.monotonic() > deadline:
                return
            time.sleep(0.002)
        client.registries.delete_repository_manifest(REGISTRY, "web", newest.digest)

    thread = threading.Thread(target=delete_after_page_three, daemon=True)
    thread.start()
    listed = ops.list_manifests(client, REGISTRY, "web", per_page=3)
    thread.join()
    assert [m.digest for m in listed].count(newest.digest) == 0
    assert {m.digest for m in listed} == everything - {newest.digest}
    assert world["index"] in {m.digest for m in listed}
