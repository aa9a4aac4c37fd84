"""The pull-request comment (``plan --against``): emulator-only stacks left out, long tables folded, a cost limit.

The plans themselves are built by the offline evaluation elsewhere (test_plan_cli, which also runs the stack
config key end to end); here they are made by hand so each test shows the rule it checks, and the stack files
are the repository's (``local`` points at the emulator's loopback address, the others at the public API).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from do_platform.cli.main import app
from do_platform.exit_codes import ExitCode
from do_platform.ops import plan as ops
from tests.helpers.cli import WIDE

runner = CliRunner()
DROPLET = "digitalocean:index/droplet:Droplet"


def a_plan(stack: str, droplets: int, price: float = 6.0) -> ops.Plan:
    resources = [ops.PlanResource(urn=f"urn:pulumi:{stack}::p::{DROPLET}::web-{i}", type=DROPLET, name=f"web-{i}",
                                  component=None, protect=False, key_inputs={}, inputs={"size": "s-1vcpu-1gb"},
                                  monthly=price, price_basis="", price_source="")
                 for i in range(droplets)]
    return ops.Plan(stack=stack, environment="development", enforcement="advisory", prices_as_of="2026-11-28",
                    currency="USD", price_sources={}, price_notes=[], components=[], resources=resources,
                    violations=[], monthly=round(price * droplets, 2), unknown=0, outputs={})


@pytest.fixture
def planned(monkeypatch):
    """Every stack: one droplet at the base revision, ``grow[stack]`` droplets now; records what was planned."""
    seen: list[str] = []
    grow = {"dev": 2, "staging": 1, "prod": 1, "local": 1}

    def head(stack, **_kw):
        seen.append(stack)
        return a_plan(stack, grow[stack])

    monkeypatch.setattr(ops, "plan_stack", head)
    monkeypatch.setattr(ops, "plan_against", lambda stack, ref, **_kw: a_plan(stack, 1))
    return {"seen": seen, "grow": grow}


def comment(*args: str):
    return runner.invoke(app, ["plan", "--against", "HEAD", *args], env=WIDE)


def test_the_emulator_only_stack_is_left_out_by_default_and_named(planned):
    result = comment("--all-stacks")
    assert result.exit_code == 0, result.output
    assert "local" not in planned["seen"] and {"dev", "staging", "prod"} <= set(planned["seen"])
    assert "### local" not in result.stdout
    assert "Not planned: local (emulator-only" in result.stdout and "`--include-local`" in result.stdout


def test_include_local_plans_it(planned):
    result = comment("--all-stacks", "--include-local")
    assert result.exit_code == 0, result.output
    assert "local" in planned["seen"] and "### local" in result.stdout and "Not planned" not in result.stdout


def test_emulator_only_is_the_loopback_endpoint_not_the_name(tmp_path):
    (tmp_path / "Pulumi.qa.yaml").write_text("config:\n  digitalocean:apiEndpoint: http://localhost:9000\n")
    (tmp_path / "Pulumi.local.yaml").write_text("config:\n  digitalocean:apiEndpoint: https://api.example.com\n")
    assert ops.emulator_only("qa", tmp_path) and not ops.emulator_only("local", tmp_path)


def test_a_long_change_table_is_folded_into_details(planned):
    planned["grow"]["dev"] = 13  # 12 droplets added
    result = comment("--stack", "dev")
    assert result.exit_code == 0, result.output
    md = result.stdout
    assert "<details><summary>12 resource changes (12 create)</summary>" in md
    assert md.index("<details>") < md.index("| ➕ create | `web-1`") < md.index("</details>")
    short = comment("--stack", "dev", "--collapse-over", "20").stdout
    assert "<details>" not in short and "| ➕ create | `web-12`" in short


def test_a_cost_increase_above_the_flag_fails_the_check_after_printing_the_comment(planned):
    planned["grow"]["dev"] = 4  # +$18.00
    result = comment("--stack", "dev", "--max-increase", "10")
    assert result.exit_code == ExitCode.CHECKS_FAILED
    assert result.stdout.startswith(ops.COMMENT_MARKER)  # the comment is still posted
    assert "Monthly cost increase above the limit" in result.stdout
    assert ("stack dev: the monthly cost rises by +$18.00, above the limit of $10.00 set by --max-increase"
            in result.stderr)
    assert comment("--stack", "dev", "--max-increase", "18").exit_code == 0  # at the limit is fine
    doc = json.loads(comment("--stack", "dev", "--max-increase", "10", "--json").stdout)
    assert doc[0]["over_limit"] is True and doc[0]["max_increase_source"] == "--max-increase"


@pytest.mark.parametrize(("args", "flag"), [
    (["--against", "HEAD", "--max-increase", "-1"], "--max-increase"),
    (["--against", "HEAD", "--max-increase", "nan"], "--max-increase"),
    (["--max-increase", "5"], "--max-increase"),
    (["--against", "HEAD", "--include-local"], "--include-local"),
])
def test_bad_flags_name_themselves_before_any_evaluation(planned, args, flag):
    result = runner.invoke(app, ["plan", *args], env=WIDE)
    assert result.exit_code in (ExitCode.ERROR, ExitCode.USAGE)
    assert flag in result.output and planned["seen"] == []
