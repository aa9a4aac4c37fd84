"""Sizes and combinations come from DigitalOcean's one catalog (do_vocab/catalog.json): an unknown size or an
impossible combination is a config error naming the key and a few allowed values, before anything is planned."""

from __future__ import annotations

import pytest

from do_platform.config import load_stack_config
from do_platform.errors import ConfigError
from do_platform.offline import read_stack_config
from do_vocab import catalog


def _staging(**overrides) -> dict:
    raw = dict(read_stack_config("staging"))
    raw.update({f"do-platform:{k}": v for k, v in overrides.items()})
    return raw


def _error(raw: dict) -> str:
    with pytest.raises(ConfigError) as err:
        load_stack_config(raw, "staging")
    return str(err.value)


def _app(**fields) -> dict:
    app = dict(read_stack_config("staging")["do-platform:apps"][0])
    app.update(fields)
    return app


def test_unknown_app_instance_size_names_the_key_and_close_sizes():
    text = _error(_staging(apps=[_app(instanceSize="apps-s-9vcpu-99gb")]))
    assert "do-platform:apps[0].instanceSize" in text
    assert "apps-s-9vcpu-99gb" in text and "allowed: one of" in text and "apps-s-" in text
    assert text.count(",") < 8  # a few close values, not the whole catalog


@pytest.mark.parametrize(("key", "value"), [
    ("web", {"size": "s-1vcpu-3gb-custom"}),
    ("network", {"bastion": {"enabled": True, "size": "s-1vcpu-3gb-custom"}}),
    ("kubernetes", {"defaultPool": {"size": "s-1vcpu-3gb-custom"}}),
    ("database", {"size": "db-s-1vcpu-3gb"}),
])
def test_unknown_sizes_are_refused_with_close_allowed_values(key, value):
    raw = _staging()
    section = dict(raw.get(f"do-platform:{key}") or {})
    for k, v in value.items():
        section[k] = {**(section.get(k) or {}), **v} if isinstance(v, dict) else v
    raw[f"do-platform:{key}"] = section
    text = _error(raw)
    assert f"do-platform:{key}." in text and ".size" in text, text
    assert "catalog" in text and "allowed: one of" in text
    assert "s-1vcpu-2gb" in text or "db-s-1vcpu-2gb" in text or "db-s-1vcpu-1gb" in text, text
    assert text.count(",") < 8


def test_kubernetes_pool_size_is_checked_too():
    raw = _staging()
    k8s = dict(raw["do-platform:kubernetes"])
    k8s["pools"] = [{**k8s["pools"][0], "size": "s-2vcpu-5gb"}]
    assert "do-platform:kubernetes.pools[0].size" in _error({**raw, "do-platform:kubernetes": k8s})


def test_single_instance_size_refuses_two_instances():
    text = _error(_staging(apps=[_app(instanceSize="apps-s-1vcpu-0.5gb", instanceCount=2)]))
    assert "do-platform:apps[0].instanceCount" in text
    assert "single instance only" in text and "allowed: 1" in text and "apps-s-1vcpu-1gb" in text
    load_stack_config(_staging(apps=[_app(instanceSize="apps-s-1vcpu-1gb", instanceCount=2)]), "staging")


def test_one_gb_postgres_refuses_standby_nodes():
    text = _error(_staging(database={**read_stack_config("staging")["do-platform:database"],
                                     "size": "db-s-1vcpu-1gb", "nodeCount": 2}))
    assert "do-platform:database.size" in text
    assert "standby nodes need a plan of at least 2 GB" in text and "db-s-1vcpu-2gb" in text


def test_regions_come_from_the_catalog():
    raw = _staging(region="ric1", components=["network", "database"])
    raw.pop("do-platform:apps", None)
    raw.pop("do-platform:objectStore", None)  # ric1 has no Spaces
    cfg = load_stack_config(raw, "staging")
    assert cfg.region == "ric1"
    assert "ric1" in catalog.load().database_regions
    text = _error(_staging(region="xyz1"))
    assert "do-platform:region" in text and "ric1" in text


def test_apps_need_a_region_with_app_platform():
    text = _error(_staging(region="ric1"))
    assert "do-platform:region" in text and "App Platform" in text and "nyc" in text


def test_app_region_mapping_comes_from_the_catalog():
    from do_vocab.regions import APP_REGIONS, REGIONS

    cat = catalog.load()
    assert APP_REGIONS["nyc3"] == "nyc" and APP_REGIONS["sfo2"] == "sfo" and "ric1" not in APP_REGIONS
    assert set(REGIONS) == {r for r in cat.region_slugs(available_only=True) if r in cat.database_regions}
    assert set(APP_REGIONS.values()) <= {r["slug"] for r in cat.app_regions}
