"""The catalog agrees with the sources it cites: a region its regional-availability source calls closed is closed."""

import re

from do_vocab import catalog


def _closed_by_source(sources: tuple[str, ...] | list[str]) -> set[str]:
    """The slugs the regional-availability source lists before `closed to new resources`."""
    source = next(s for s in sources if "regional-availability" in s)
    clause = re.search(r";\s*([^;()]*?)\s+closed to new resources", source)
    assert clause, f"the regional-availability source no longer says which regions are closed: {source}"
    return set(re.findall(r"[a-z]{3}\d", clause.group(1)))


def test_regions_the_source_calls_closed_are_unavailable_with_no_features():
    data = catalog.load()
    closed = _closed_by_source(data.sources)
    assert closed == {"nyc2", "ams2", "sfo1"}
    by_slug = {r["slug"]: r for r in data.regions}
    for slug in closed:
        assert by_slug[slug]["available"] is False, slug
        assert list(by_slug[slug]["features"]) == [], slug
    assert closed.isdisjoint(data.region_slugs(available_only=True))


def test_closed_regions_are_not_deploy_regions():
    from do_vocab.regions import REGIONS

    assert "nyc2" not in REGIONS and "nyc3" in REGIONS
