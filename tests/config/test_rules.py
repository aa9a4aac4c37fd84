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
from do_platform.offline import read_stack_config


def test_shipped_stacks_break_no_rule():
    for name in ("dev", "staging", "prod", "local"):
        assert cross_checks(load_stack_config(read_stack_config(name), name)) == []


def test_the_cross_field_rules_are_a_tuple_of_small_functions_each_reporting_in_order():
    assert [r.__name__ for r in RULES] == [
        "components_needed", "component_settings", "apps_listed", "app_links", "catalog_combinations",
        "retention_registry", "app_secret_names", "production_settings", "web_shape"]
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
