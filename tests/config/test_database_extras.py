"""database.replicas and database.settings: the catalog's replica rules, the provider's allowed settings."""

from __future__ import annotations

import inspect

import pytest

from components.postgres_settings import nested_settings, provider_settings, setting_problem
from do_platform.config import load_stack_config
from do_platform.errors import ConfigError
from do_platform.offline import read_stack_config


def _db(stack: str = "staging", **fields) -> dict:
    raw = dict(read_stack_config(stack))
    raw["do-platform:database"] = {**raw["do-platform:database"], **fields}
    return raw


def _error(raw: dict, stack: str = "staging") -> str:
    with pytest.raises(ConfigError) as err:
        load_stack_config(raw, stack)
    return str(err.value)


def test_production_shaped_stacks_carry_a_replica_and_dev_does_not():
    for stack in ("staging", "prod", "local"):
        assert [r.name for r in load_stack_config(read_stack_config(stack), stack).database.replicas] == ["read-1"]
    assert load_stack_config(read_stack_config("dev"), "dev").database.replicas == ()


def test_a_one_gb_replica_breaks_the_standby_rule():
    text = _error(_db(replicas=[{"name": "read-1", "size": "db-s-1vcpu-1gb"}], size="db-s-1vcpu-2gb"))
    assert text.startswith("do-platform:database.replicas[0].size: 'db-s-1vcpu-1gb' is not allowed: ")
    assert "at least 2 GB" in text and "db-s-1vcpu-2gb" in text


def test_a_replica_smaller_than_its_primary_is_refused():
    text = _error(_db(size="db-s-2vcpu-4gb", replicas=[{"name": "read-1", "size": "db-s-1vcpu-2gb"}]))
    assert "database.replicas[0].size" in text and "smaller than the primary (db-s-2vcpu-4gb)" in text
    assert "db-s-1vcpu-2gb" not in text.split("allowed:")[1]  # the sizes offered fit


def test_replica_size_and_region_come_from_the_catalog():
    text = _error(_db(replicas=[{"name": "read-1", "size": "db-s-1vcpu-3gb"}]))
    assert "database.replicas[0].size" in text and "Managed PostgreSQL size" in text
    text = _error(_db(replicas=[{"name": "read-1", "region": "mars1"}]))
    assert "database.replicas[0].region" in text and "nyc3" in text and "ams3" in text


def test_replica_names_are_checked_and_unique():
    assert "database.replicas[0].name" in _error(_db(replicas=[{"name": "Read_1"}]))
    assert "duplicate replica names ['read-1']" in _error(_db(replicas=[{"name": "read-1"}, {"name": "read-1"}]))


def test_production_replicas_stay_in_the_clusters_region_elsewhere_they_may_leave():
    text = _error(_db("prod", replicas=[{"name": "read-1", "size": "db-s-2vcpu-4gb", "region": "ams3"}]), "prod")
    assert "database.replicas[0].region" in text and "allowed: nyc3" in text
    cfg = load_stack_config(_db(replicas=[{"name": "read-1", "region": "ams3"}]), "staging")
    assert cfg.database.replicas[0].region == "ams3"


def test_replicas_need_the_database_component():
    raw = _db("dev", replicas=[{"name": "read-1", "size": "db-s-1vcpu-2gb"}])
    raw["do-platform:components"] = ["network", "dns", "web", "apps"]
    raw["do-platform:apps"] = [{**raw["do-platform:apps"][0], "useDatabase": False}]
    assert "do-platform:database.replicas" in _error(raw, "dev")


def test_the_allowed_settings_are_the_provider_config_resource_inputs():
    from pulumi_digitalocean import DatabasePostgresqlConfigArgs

    params = set(inspect.signature(DatabasePostgresqlConfigArgs.__init__).parameters) - {"self", "__self__",
                                                                                          "cluster_id"}
    assert set(provider_settings()) | set(nested_settings()) == params
    assert set(nested_settings()) == {"pgbouncers", "timescaledbs"}
    assert provider_settings()["work_mem"].type is int and provider_settings()["jit"].type is bool
    assert provider_settings()["track_io_timing"].choices == ("off", "on")


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("work_mme", 8, "do-platform:database.settings.work_mme: not a PostgreSQL setting of the provider's "
                    "DatabasePostgresqlConfig; allowed: one of"),
    ("workMem", 8, "such as work_mem"),
    ("work_mem", "8MB", "do-platform:database.settings.work_mem: '8MB' is not an integer; allowed: an integer"),
    ("jit", "yes", "'yes' is not true or false"),
    ("track_io_timing", True, "True is not a string; allowed: off, on (quoted"),
    ("log_error_verbosity", "LOUD", "'LOUD' is not supported; allowed: TERSE, DEFAULT, VERBOSE"),
    ("pgbouncers", [{"server_reset_query_always": True}], "database.settings.pgbouncers: a nested block of the "
                                                           "provider; allowed: the scalar settings such as"),
    ("work_mem", [8], "do-platform:database.settings.work_mem: [8] is not an integer"),
])
def test_unknown_or_mistyped_settings_name_the_key(key, value, expected):
    assert expected in _error(_db(settings={key: value}))


def test_valid_settings_load_as_given():
    settings = {"work_mem": 8, "jit": False, "shared_buffers_percentage": 25, "track_io_timing": "on"}
    assert load_stack_config(_db(settings=settings), "staging").database.settings == settings
    assert setting_problem("shared_buffers_percentage", 25) is None  # an integer where a number goes
