"""``do-platform status`` through the CLI against the emulator, on a stack deployed through PyDo."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from do_platform.cli.main import app
from do_platform.exit_codes import ExitCode
from tests.helpers.cli import WIDE
from tests.helpers.emulator import TEST_TOKEN, requests
from tests.helpers.stacks import ALL, deploy_stack, stack, write_stack

runner = CliRunner()


@pytest.fixture
def dev(stacks):
    write_stack(stacks, "dev", stack(components=ALL))
    return stacks


def cli(emulator, *args, token: str | None = TEST_TOKEN):
    head = ["--token", token] if token else []
    return runner.invoke(app, [*head, "--api-url", emulator.url, "status", *args], env=WIDE)


def test_healthy_stack_exits_0_with_a_row_per_resource(emulator, client, dev):
    deploy_stack(client, emulator)
    emulator.control.log.clear()
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "status: stack dev (project do-platform-dev)" in out
    for name in ("dev-web-0", "dev-web-lb", "dev-web-cert", "dev-db", "dev-k8s/default", "dev-web",
                 "dev.example.com", "verified", "online", "running", "ACTIVE", "https://"):
        assert name in out
    assert " no " not in out
    assert {r.split(" ", 1)[0] for r in requests(emulator)} == {"GET"}


def test_unhealthy_stack_exits_3_naming_what(emulator, client, dev):
    made = deploy_stack(client, emulator, web_count=2)
    client.droplet_actions.post(made["droplets"][0]["id"], {"type": "power_off"})
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == 3
    assert "stack 'dev' is not healthy: droplet dev-web-0 off, load_balancer dev-web-lb active" in result.stderr
    assert "1/2 droplets active" in result.stdout


def test_json_output_and_nothing_deployed(emulator, dev):
    result = cli(emulator, "--stack", "dev", "--json")
    assert result.exit_code == ExitCode.NOT_DEPLOYED == 4
    doc = json.loads(result.stdout)
    assert doc["healthy"] is False and doc["deployed"] is False and doc["project"] is None
    assert {r["state"] for r in doc["resources"]} == {"missing"}
    assert doc["notes"][0].startswith("stack 'dev' has never been deployed")


def test_a_stack_never_deployed_is_said_plainly_not_as_a_table(emulator, dev):
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == ExitCode.NOT_DEPLOYED
    assert result.stdout.strip() == ("stack 'dev' has never been deployed to this account (or was destroyed): no "
                                     "project do-platform-dev and no resource tagged env:dev; `pulumi up` on stack "
                                     "dev creates it")
    assert "missing" not in result.stdout and "not healthy" not in result.stderr


def test_a_deployed_stack_missing_one_part_is_unhealthy_not_undeployed(emulator, client, dev):
    made = deploy_stack(client, emulator)
    client.droplets.destroy(made["droplets"][0]["id"])
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == ExitCode.CHECKS_FAILED, result.output
    assert "web x1" in result.stdout and "missing" in result.stdout


@pytest.mark.parametrize(("args", "token", "message"), [
    (["--stack", "Bad_Name"], TEST_TOKEN, "stack name 'Bad_Name' is not valid"),
    (["--stack", "nosuch"], TEST_TOKEN, "no stack 'nosuch'"),
    (["--stack", "dev"], None, "no DigitalOcean API token"),
])
def test_bad_input_exits_1_before_any_request(emulator, dev, args, token, message):
    result = cli(emulator, *args, token=token)
    assert result.exit_code == 1
    assert message in result.stderr
    assert requests(emulator) == []


def test_survives_5xx_and_429(emulator, client, dev):
    deploy_stack(client, emulator)
    emulator.control.log.clear()
    emulator.control.add_fault(match=r"^GET /v2/databases", status=500, count=1)
    emulator.control.add_fault(match=r"^GET /v2/projects", status=429, count=1, retry_after=1)
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == 0, result.output
    statuses = emulator.control.log.snapshot()["by_status"]
    assert statuses["500"] == 1 and statuses["429"] == 1


def test_help_says_teardown_is_pulumi_destroy():
    result = runner.invoke(app, ["status", "--help"], env=WIDE)
    assert result.exit_code == 0
    assert "pulumi destroy" in result.stdout


def test_rows_are_not_wrapped_when_stdout_is_not_a_terminal(emulator, client, dev):
    """CI logs: whatever COLUMNS says, a row stays one line (rich folded cells at 80 columns before)."""
    deploy_stack(client, emulator)
    result = runner.invoke(app, ["--token", TEST_TOKEN, "--api-url", emulator.url, "status", "--stack", "dev"],
                           env={"COLUMNS": "40", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "dev-web-0" in line)
    assert "droplet" in row and "active" in row and " in nyc3, private 10." in row
