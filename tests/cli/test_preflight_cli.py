"""``do-platform preflight`` through the CLI against the emulator, on stack files in a temporary folder."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from do_platform.cli.main import app
from do_platform.exit_codes import ExitCode
from tests.helpers.cli import WIDE
from tests.helpers.emulator import TEST_TOKEN, requests
from tests.helpers.stacks import stack, write_stack

runner = CliRunner()


@pytest.fixture
def ready(emulator, client):
    emulator.control.seed("registry", {"registry": "do-platform", "pushes": [{"repository": "web", "tags": ["main"]}]})
    client.domains.create({"name": "dev.example.com"})
    emulator.control.log.clear()


def cli(emulator, *args, token: str | None = TEST_TOKEN, api_url: bool = True):
    head = (["--token", token] if token else []) + (["--api-url", emulator.url] if api_url else [])
    return runner.invoke(app, [*head, "preflight", *args], env=WIDE)


def test_passing_stack_prints_the_table_and_exits_0(emulator, stacks, ready):
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "preflight: stack dev in nyc3" in out
    for name in ("token", "droplet limit", "size: web droplets", "postgres version", "registry storage",
                 "image: app web", "load balancer limit"):
        assert name in out
    assert "the API exposes no load balancer limit" in out
    assert "13 ok, 1 skip; planned: 1 droplet(s), 0 volume(s), 1 load balancer(s)" in out
    assert {r.split(" ", 1)[0] for r in requests(emulator)} == {"GET"}


def test_failing_check_exits_3_with_what_failed_and_how_to_fix(emulator, stacks, ready):
    emulator.control.seed("account", {"droplet_limit": 0})
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == 3
    assert "preflight failed: 1 check(s) of stack 'dev'" in result.stderr
    assert "droplet limit: plans 1 (web 1); 0 on the account (0 already this stack's); limit 0" in result.stderr
    assert "(fix: needs 1 more: delete unused droplets" in result.stderr
    assert "fail" in result.stdout


def test_json_output(emulator, stacks, ready):
    emulator.control.seed("kubernetes", {"versions": ["1.34.0-do.0"]})
    write_stack(stacks, "dev", stack(components=["network", "dns", "web", "kubernetes"], apps=[]))
    result = cli(emulator, "--stack", "dev", "--json")
    assert result.exit_code == 3
    doc = json.loads(result.stdout)
    assert doc["passed"] is False and doc["planned"]["droplets_max"] == 5
    failed = [c for c in doc["checks"] if c["status"] == "fail"]
    assert failed == [{"name": "kubernetes version", "status": "fail",
                       "detail": "no offered version starts with 1.33.",
                       "fix": "set do-platform:kubernetes.versionPrefix to one of 1.34."}]
    assert json.loads(runner.invoke(app, ["--token", TEST_TOKEN, "--api-url", emulator.url, "--output", "json",
                                          "preflight", "--stack", "dev"], env=WIDE).stdout) == doc


def test_the_stack_endpoint_is_used_without_api_url(emulator, stacks, ready):
    write_stack(stacks, "dev", {**stack(), "digitalocean:apiEndpoint": emulator.url})
    result = cli(emulator, "--stack", "dev", api_url=False)
    assert result.exit_code == 0, result.output
    assert "GET /v2/account" in requests(emulator)


@pytest.mark.parametrize(("args", "message"), [
    (["--stack", "Bad_Name"], "stack name 'Bad_Name' is not valid"),
    (["--stack", "nosuch"], "no stack 'nosuch': Pulumi.nosuch.yaml does not exist (known stacks: dev)"),
])
def test_bad_or_unknown_stack_exits_1_before_any_request(emulator, stacks, args, message):
    result = cli(emulator, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert requests(emulator) == []


def test_bad_config_key_names_the_key(emulator, stacks):
    write_stack(stacks, "dev", stack(web={"count": 0}))
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == 1
    assert "do-platform:web.count: 0 is out of range; allowed: an integer from 1 to 20" in result.stderr
    assert requests(emulator) == []


def test_missing_token_exits_1_before_any_request(emulator, stacks):
    result = cli(emulator, "--stack", "dev", token=None)
    assert result.exit_code == 1
    assert "no DigitalOcean API token: pass --token or set DIGITALOCEAN_TOKEN" in result.stderr
    assert requests(emulator) == []


def test_rejected_token_exits_with_the_rejected_token_code_after_one_request(emulator, stacks):
    emulator.control.configure(token="the-right-token")
    result = cli(emulator, "--stack", "dev", token="a-wrong-token")
    assert result.exit_code == ExitCode.TOKEN_REJECTED == 5  # as in every other command
    assert "token: the API rejected the token (401)" in result.stderr
    assert "a-wrong-token" not in result.output
    assert requests(emulator) == ["GET /v2/account"]


def test_survives_a_5xx_and_a_429_with_retry_after(emulator, stacks, ready):
    emulator.control.add_fault(match=r"^GET /v2/regions", status=503, count=1, retry_after=None)
    emulator.control.add_fault(match=r"^GET /v2/account", status=429, count=1, retry_after=1)
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == 0, result.output
    statuses = emulator.control.log.snapshot()["by_status"]
    assert statuses["503"] == 1 and statuses["429"] == 1
    assert {r.split(" ", 1)[0] for r in requests(emulator)} == {"GET"}


def test_config_keys_with_brackets_survive_the_table(emulator, stacks, ready):
    pools = [{"name": "batch", "size": "m-2vcpu-16gb", "minNodes": 1, "maxNodes": 1}]
    emulator.control.seed("catalog", {"unavailable": [{"size": "m-2vcpu-16gb", "region": "nyc3"}]})
    write_stack(stacks, "dev", stack(components=["network", "dns", "web", "kubernetes"], apps=[],
                                     kubernetes={"pools": pools}))
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == 3
    assert "set do-platform:kubernetes.pools[0].size to a size" in result.stdout.replace("\n", " ").replace("│", "")
    assert "(fix: set do-platform:kubernetes.pools[0].size to a size offered in nyc3" in result.stderr


def test_prices_in_the_report_are_money(emulator, stacks, ready):
    result = cli(emulator, "--stack", "dev")
    assert result.exit_code == 0, result.output
    assert "s-1vcpu-1gb offered in nyc3 ($6.00/mo)" in result.stdout and "/mo)" in result.stdout
