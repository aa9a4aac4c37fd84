"""A secret in clear in a committed stack file is refused by config loading and flagged by the policy pack."""

from __future__ import annotations

import json
import runpy
import shutil
from pathlib import Path

import pytest
from pulumi_policy.policy import StackValidationArgs

from do_platform import guardrails
from do_platform.config import from_pulumi_config, load_stack_config, plaintext_secrets
from do_platform.errors import ConfigError
from do_platform.offline import project_defaults, read_stack_config, run_with_mocks

REPO = Path(__file__).resolve().parents[2]
SECRET = "dop_v1_hunter2-in-clear"


def dev(**extra) -> dict:
    return {**project_defaults(), **read_stack_config("dev"), **extra}


@pytest.mark.parametrize(("extra", "key", "command"), [
    ({"digitalocean:token": SECRET}, "digitalocean:token",
     "pulumi config set --stack dev --secret digitalocean:token <token>"),
    ({"do-platform:appSecrets": {"web": {"API_KEY": SECRET}}}, "do-platform:appSecrets.web.API_KEY",
     "pulumi config set --stack dev --secret --path 'appSecrets.web.API_KEY' <value>"),
    ({"do-platform:appSecrets": {"web": {"A": {"secure": "v1:x"}, "API_KEY": SECRET}}},
     "do-platform:appSecrets.web.API_KEY", "--path 'appSecrets.web.API_KEY'"),
])
def test_a_plaintext_secret_in_the_stack_file_is_refused_with_the_command_to_use(extra, key, command):
    raw = dev(**extra)
    if "do-platform:appSecrets" in extra:
        raw["do-platform:apps"] = [{"name": "web", "image": {"registry": "do-platform", "repository": "web",
                                                             "tag": "main"}}]
    with pytest.raises(ConfigError) as err:
        load_stack_config(raw, "dev")
    assert err.value.message.startswith(key + ":") and "in clear" in err.value.message
    assert command in err.value.hint
    assert SECRET not in err.value.message + err.value.hint


def test_encrypted_secrets_pass():
    assert plaintext_secrets({"digitalocean:token": {"secure": "v1:a"},
                              "do-platform:appSecrets": {"web": {"K": {"secure": "v1:b"}}}}) == []
    assert plaintext_secrets({"do-platform:appSecrets": {"secure": "v1:whole"}}) == []


def test_the_program_refuses_a_token_pulumi_does_not_hold_as_a_secret():
    flat = {k: v if isinstance(v, str) else json.dumps(v) for k, v in dev().items()}
    flat["digitalocean:token"] = SECRET
    run = run_with_mocks(lambda: {"ok": _loads()}, stack="dev", config=flat, secret_keys=[])
    assert run.returned["ok"].value.startswith("digitalocean:token: a secret in clear")
    run = run_with_mocks(lambda: {"ok": _loads()}, stack="dev", config=flat, secret_keys=["digitalocean:token"])
    assert run.returned["ok"].value == "loaded"


def _loads() -> str:
    try:
        from_pulumi_config()
    except ConfigError as err:
        return err.message
    return "loaded"


def test_the_policy_pack_flags_it_too(tmp_path):
    pack = runpy.run_path(str(REPO / "policy" / "__main__.py"), run_name="policy_pack_under_test")
    shutil.copy(REPO / "Pulumi.dev.yaml", tmp_path / "Pulumi.dev.yaml")
    assert pack["stack_file_secret_findings"]("dev", tmp_path) == []
    with (tmp_path / "Pulumi.dev.yaml").open("a") as fh:
        fh.write(f"  digitalocean:token: {SECRET}\n")
    findings = pack["stack_file_secret_findings"]("dev", tmp_path)
    assert len(findings) == 1 and "digitalocean:token" in findings[0] and SECRET not in findings[0]
    assert "pulumi config set --stack dev --secret digitalocean:token" in findings[0]
    # registered in the pack, at the stack's level
    policies = {p.name: p for p in pack["stack_file_policies"](guardrails.StackContext("dev"))}
    assert set(policies) == {"stack-file-secrets", "stack-file-secrets-mandatory"}
    reported: list[str] = []
    args = StackValidationArgs([], None)
    policies["stack-file-secrets"].validate(args, lambda message, urn=None: reported.append(message))
    assert reported == []  # the repository's own dev stack file holds no secret in clear
