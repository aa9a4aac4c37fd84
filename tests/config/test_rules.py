"""Cross-field rules: each blames one key and says what is allowed."""

from __future__ import annotations

import pytest

from do_platform.config import (
    Component,
    Environment,
    PolicyEnforcement,
    default_enforcement,
    enforcement_problem,
    load_stack_config,
)
from do_platform.config.rules import RULES, cross_checks
from do_platform.errors import ConfigError
from do_platform.offline import read_stack_config


def test_shipped_stacks_break_no_rule():
    for name in ("dev", "staging", "prod", "local"):
        assert cross_checks(load_stack_config(read_stack_config(name), name)) == []


def test_the_cross_field_rules_are_a_tuple_of_small_functions_each_reporting_in_order():
    assert [r.__name__ for r in RULES] == [
        "components_needed", "component_settings", "apps_listed", "app_links", "catalog_combinations",
        "replica_rules", "database_settings", "retention_registry", "app_secret_names", "object_store_settings",
        "production_settings", "web_shape"]
    cfg = load_stack_config(read_stack_config("prod"), "prod")
    broken = cfg.model_copy(update={"alert_emails": (), "web": cfg.web.model_copy(update={"count": 1})})
    assert [key for key, _, _ in cross_checks(broken)] == ["alertEmails", "web.count"]  # rule order
    production_settings = next(rule for rule in RULES if rule.__name__ == "production_settings")
    assert [key for key, _, _ in production_settings(broken)] == ["web.count"]  # a rule runs alone


def test_a_component_needs_the_ones_it_lives_in():
    cfg = load_stack_config(read_stack_config("dev"), "dev")
    broken = cfg.model_copy(update={"components": (Component.web, Component.network)})
    keys = [(key, text.split(" (")[0]) for key, _, text in cross_checks(broken)]
    assert ("components", "'web' needs 'dns'") in keys


@pytest.mark.parametrize(("environment", "level"), [(Environment.production, PolicyEnforcement.mandatory),
                                                    (Environment.staging, PolicyEnforcement.advisory)])
def test_default_enforcement(environment, level):
    assert default_enforcement(environment) is level


def test_production_lowers_enforcement_only_with_the_override():
    assert enforcement_problem("prod", Environment.production, PolicyEnforcement.advisory, environ={})
    assert enforcement_problem("prod", Environment.production, PolicyEnforcement.advisory,
                               environ={"DO_PLATFORM_POLICY_OVERRIDE": "prod:advisory"}) is None
    assert enforcement_problem("dev", Environment.development, PolicyEnforcement.disabled, environ={}) is None


def _with_store(stack: str, **store):
    raw = read_stack_config(stack)
    return {**raw, "do-platform:objectStore": {**raw.get("do-platform:objectStore", {}), **store}}


def _refused(raw: dict, stack: str) -> str:
    with pytest.raises(ConfigError) as err:
        load_stack_config(raw, stack)
    return err.value.message


def test_a_public_bucket_in_production_needs_the_public_site_declaration():
    text = _refused(_with_store("prod", acl="public-read"), "prod")
    assert text.startswith("do-platform:objectStore.acl: 'public-read' is not allowed: production buckets are "
                           "private unless declared a public site; allowed: private, or public-read with "
                           "objectStore.publicSite: true")
    assert load_stack_config(_with_store("prod", acl="public-read", publicSite=True), "prod").object_store.public_site
    assert load_stack_config(_with_store("staging", acl="public-read"), "staging").object_store.acl == "public-read"


@pytest.mark.parametrize(("stack", "store", "key", "words"), [
    ("prod", {"versioning": False}, "objectStore.versioning", "production keeps old versions"),
    ("staging", {"cdn": {"enabled": False, "subdomain": "cdn"}}, "objectStore.cdn.subdomain",
     "set while objectStore.cdn.enabled is false"),
    ("staging", {"cdn": {"enabled": True, "subdomain": "www"}}, "objectStore.cdn.subdomain",
     "www.staging.example.com is already served by the web cluster (web.recordName)"),
    ("dev", {"cdn": {"enabled": True}}, "objectStore.cdn.enabled", "set while objectStore.enabled is false"),
    ("dev", {"enabled": True, "bucket": None}, None, None),
])
def test_object_store_cross_field_rules_name_the_key(stack, store, key, words):
    raw = _with_store(stack, **store)
    if key is None:
        assert load_stack_config(raw, stack).object_store.bucket_for(stack) == "do-platform-dev-objects"
        return
    text = _refused(raw, stack)
    assert text.startswith(f"do-platform:{key}: ") and words in text and "allowed: " in text


def test_a_cdn_subdomain_needs_the_stack_zone():
    raw = {**_with_store("staging"), "do-platform:components": ["network", "database", "kubernetes"]}
    raw.pop("do-platform:apps")
    text = _refused(raw, "staging")
    assert text.startswith("do-platform:objectStore.cdn.subdomain: 'cdn' is not allowed: needs 'dns' in components")


def test_the_default_bucket_name_is_made_valid_from_any_stack_name():
    cfg = load_stack_config(_with_store("dev", enabled=True), "Dev_" + "x" * 70)
    name = cfg.object_store.bucket_for(cfg.stack)
    assert name.startswith("do-platform-dev-xxx") and len(name) == 63
    from do_vocab.names import SPACES_BUCKET

    assert SPACES_BUCKET.fullmatch(name)
