"""The one API seam: a 404 is None however PyDo reports it, other errors are the project's, reads are made once."""

from __future__ import annotations

import pytest

from do_platform.api.reader import ApiReader
from do_platform.errors import ApiFailure, ConfigError


def gets(emulator, route: str) -> int:
    return emulator.control.log.snapshot()["by_route"].get(route, 0)


def test_a_documented_404_body_and_a_raised_404_are_both_none(emulator, client):
    api = ApiReader(client)
    assert api.domain("nowhere.example") is None  # PyDo returns the documented 404 as a body
    assert api.droplet(424242) is None
    assert api.call(client.registries.get, "no-such-registry") is None
    assert api.repositories("no-such-registry") is None


def test_named_reads_are_made_once_per_reader(emulator, client):
    api = ApiReader(client)
    emulator.control.log.clear()
    assert api.account() is api.account()
    assert api.domain("nowhere.example") is None and api.domain("nowhere.example") is None
    assert gets(emulator, "GET /v2/account") == 1
    assert gets(emulator, "GET /v2/domains/{domain_name}") == 1
    ApiReader(client).account()  # a new reader reads again
    assert gets(emulator, "GET /v2/account") == 2


def test_other_errors_are_the_projects_errors_with_the_label_and_the_status(emulator, client):
    emulator.control.add_fault(match=r"^GET /v2/regions", status=500)
    api = ApiReader(client)
    with pytest.raises(ApiFailure, match=r"^list regions: API error 500") as err:
        api.regions()
    assert err.value.status == 500
    with api.labelled("preflight region"), pytest.raises(ApiFailure, match=r"^preflight region: API error 500"):
        api.call(client.regions.list)
    assert api.label is None  # restored after the block


def test_a_rejected_token_keeps_its_401(emulator, client):
    emulator.state.settings.token = "another-token"
    with pytest.raises(ConfigError, match="rejected the token") as err:
        ApiReader(client).account()
    assert err.value.status == 401


def test_pages_stop_at_a_404_page_and_items_say_none(emulator, client):
    api = ApiReader(client)
    pages = list(api.pages(client.registries.list_repository_manifests, "gone", "repo", per_page=2))
    assert pages == [None]
    assert api.items(client.registries.list_repository_manifests, "manifests", "gone", "repo") is None
    for name in "abc":
        client.tags.create({"name": f"tag-{name}"})
    assert sorted(t["name"] for t in api.items(client.tags.list, "tags", per_page=2)) == ["tag-a", "tag-b", "tag-c"]


def test_delete_tells_deleted_from_already_gone(emulator, client):
    client.tags.create({"name": "doomed"})
    api = ApiReader(client)
    assert api.delete(client.tags.delete, "doomed") is True
    assert api.delete(client.tags.delete, "doomed") is False


def test_of_wraps_a_client_once():
    api = ApiReader(object())
    assert ApiReader.of(api) is api
    assert isinstance(ApiReader.of(object()), ApiReader)


def test_the_reader_is_the_only_place_that_decides_what_a_404_is():
    from pathlib import Path

    import do_platform

    root = Path(do_platform.__file__).parent
    deciders = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                      if "ResourceNotFoundError" in p.read_text() or "is_not_found(" in p.read_text())
    assert deciders == ["api/reader.py", "errors.py"]
