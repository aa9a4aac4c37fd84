"""The typed stack config: Pulumi.yaml documents every key with the same defaults; Pulumi's view loads too."""

from __future__ import annotations

import json

import pytest
from ruamel.yaml import YAML

from do_platform.config import Component, StackConfig, from_pulumi_config, load_stack_config, program_keys
from do_platform.errors import ConfigError
from do_platform.offline import REPO_ROOT, project_defaults, read_stack_config, run_with_mocks

PROJECT_FILE = YAML(typ="safe", pure=True).load((REPO_ROOT / "Pulumi.yaml").read_text())


def test_project_name_and_runtime():
    assert PROJECT_FILE["name"] == "do-platform"
    assert PROJECT_FILE["runtime"]["name"] == "python"
    assert PROJECT_FILE["runtime"]["options"]["virtualenv"] == ".venv"


def test_every_program_key_is_declared_and_described():
    declared = PROJECT_FILE["config"]
    assert set(declared) == set(program_keys())
    for key, decl in declared.items():
        assert decl.get("description"), key


# Pulumi's project schema (sdk/go/common/workspace/project.json, simpleConfigType): the only types a project's
# config may declare; the CLI refuses the whole project otherwise (`number` is not one).
PULUMI_CONFIG_TYPES = ("string", "integer", "boolean", "array", "object")


def test_every_declared_type_is_one_the_pulumi_cli_accepts():
    declared = [(key, decl) for key, decl in PROJECT_FILE["config"].items() if "type" in decl]  # type is optional
    assert declared
    for key, decl in declared:
        assert decl["type"] in PULUMI_CONFIG_TYPES, (key, decl["type"])
        if decl["type"] == "array":
            assert decl.get("items", {}).get("type") in PULUMI_CONFIG_TYPES, key


def test_a_key_without_a_default_is_set_in_every_stack_file():
    """The CLI refuses a stack that leaves out a declared key with no default ("Stack 'local' is missing
    configuration value ..."): a key a stack may leave out needs a default."""
    from do_platform.stack_files import read_stack_config

    required = sorted(key for key, decl in PROJECT_FILE["config"].items() if "default" not in decl)
    stacks = sorted(p.name.split(".")[1] for p in REPO_ROOT.glob("Pulumi.*.yaml"))
    assert required and len(stacks) >= 4
    for stack in stacks:
        config = read_stack_config(stack, REPO_ROOT)
        assert [key for key in required if f"do-platform:{key}" not in config] == [], stack


def test_the_config_types_are_those_of_the_engines_project_schema():
    """The list above is the engine's own, where the engine's Go sources are on this machine (make engine)."""
    from pathlib import Path

    from do_platform.engine.build import CLI_FALLBACK_VERSIONS

    found = sorted(Path.home().glob("go/pkg/mod/github.com/pulumi/pulumi/sdk/v3@v*/go/common/workspace/project.json"))
    wanted = [p for p in found if any(f"@v{v}/" in str(p) for v in CLI_FALLBACK_VERSIONS)] or found
    if not wanted:
        pytest.skip("the Pulumi SDK's Go sources are not in the module cache (make engine puts them there)")
    schema = json.loads(wanted[-1].read_text())
    assert tuple(schema["$defs"]["simpleConfigType"]["enum"]) == PULUMI_CONFIG_TYPES


@pytest.mark.parametrize("key", sorted(k for k, d in PROJECT_FILE["config"].items() if "default" in d))
def test_project_defaults_equal_model_defaults(key):
    """A default applied by the CLI (from Pulumi.yaml) must mean the same as leaving the key out."""
    minimal = {"do-platform:environment": "development", "do-platform:region": "nyc3",
               "do-platform:components": ["network"], "do-platform:network": {"ipRange": "10.50.0.0/20"}}
    if key == "network":
        minimal.pop("do-platform:network")
        minimal["do-platform:components"] = []
    without = load_stack_config(minimal, "t")
    with_default = load_stack_config({**minimal, f"do-platform:{key}": PROJECT_FILE["config"][key]["default"]}, "t")
    assert with_default == without


def test_required_keys_have_no_default():
    required = {k for k, v in program_keys().items() if v is ...}
    assert required == {"environment", "region", "components"}
    assert not [k for k in required if "default" in PROJECT_FILE["config"][k]]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod", "local"])
def test_stack_files_use_only_known_keys(stack):
    for key in read_stack_config(stack):
        namespace, _, name = key.partition(":")
        assert namespace in ("do-platform", "digitalocean"), key
        if namespace == "do-platform":
            assert name in PROJECT_FILE["config"], key


def test_program_reads_the_same_config_through_pulumi():
    """What the CLI hands the program (strings, JSON for structures) loads to the same StackConfig."""
    raw = {**project_defaults(), **read_stack_config("staging")}
    flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}
    run = run_with_mocks(lambda: {"cfg": from_pulumi_config().model_dump_json()}, stack="staging", config=flat)
    assert StackConfig.model_validate_json(run.returned["cfg"].value) == load_stack_config(raw, "staging")


def test_encrypted_values_are_accepted_offline():
    raw = {**project_defaults(), **read_stack_config("dev"), "digitalocean:token": {"secure": "v1:abc"},
           "do-platform:appSecrets": {"web": {"API_KEY": {"secure": "v1:def"}}}}
    cfg = load_stack_config(raw, "dev")
    assert cfg.provider.token is not None and "v1:abc" not in repr(cfg)
    assert list(cfg.app_secrets["web"]) == ["API_KEY"]


def test_enabled_and_production_helpers():
    cfg = load_stack_config({**project_defaults(), **read_stack_config("prod")}, "prod")
    assert cfg.production and cfg.enabled(Component.kubernetes) and cfg.enabled("dns")
    assert cfg.kubernetes.version_prefix == "1.33." and cfg.database.version == "17"


def test_errors_are_config_errors_with_hints():
    with pytest.raises(ConfigError) as info:
        load_stack_config({"do-platform:environment": "development", "do-platform:region": "nyc3",
                           "do-platform:components": ["network"]}, "x")
    assert info.value.message.startswith("do-platform:network.ipRange: missing")
    assert "Pulumi.x.yaml" in info.value.hint


@pytest.mark.parametrize(("stack", "level"), [("prod", "mandatory"), ("dev", "advisory")])
def test_enforcement_without_the_key_follows_the_environment_everywhere(stack, level):
    """The program's export, the offline plan and the policy pack read the same level from one stack file."""
    from do_platform.guardrails import StackContext

    raw = {k: v for k, v in read_stack_config(stack).items() if k != "do-platform:policyEnforcement"}
    assert load_stack_config({**project_defaults(), **raw}, stack).policy_enforcement.value == level
    assert StackContext.from_config(stack, raw).enforcement.value == level
