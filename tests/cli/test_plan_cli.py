"""``do-platform plan`` through the CLI: real stacks offline, JSON, bad config, --against."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from do_platform.cli.main import app
from tests.helpers.git import commit_all
from tests.helpers.program import copy_program

REPO = Path(__file__).resolve().parents[2]
runner = CliRunner()


def test_plan_of_dev_prints_tree_findings_and_total():
    result = runner.invoke(app, ["plan", "--stack", "dev"])
    assert result.exit_code == 0, result.output
    assert "Stack dev (development)" in result.stdout
    assert "Droplet" in result.stdout and "Total: $" in result.stdout
    assert "Guardrail findings" in result.stdout


def test_plan_json_is_machine_readable_with_prices_per_component():
    result = runner.invoke(app, ["plan", "--stack", "staging", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["stack"] == "staging" and data["prices_as_of"]
    assert data["monthly"] == pytest.approx(sum(c["monthly"] for c in data["components"]))
    assert {r["type"] for r in data["resources"]} >= {"digitalocean:index/dropletAutoscale:DropletAutoscale",
                                                       "digitalocean:index/kubernetesCluster:KubernetesCluster"}
    assert all(r["monthly"] is None or r["monthly"] >= 0 for r in data["resources"])


def test_plan_never_prints_secrets():
    result = runner.invoke(app, ["plan", "--stack", "dev", "--json"])
    assert "mock-password" not in result.stdout


def test_unknown_stack_fails_with_the_known_ones():
    result = runner.invoke(app, ["plan", "--stack", "nope"])
    assert result.exit_code == 1
    assert "nope" in result.stderr and "dev" in result.stderr


def _copy_repo(tmp_path: Path) -> Path:
    """The program and stack files in a throwaway git repo (the real files are never touched)."""
    dst = copy_program(tmp_path / "repo")
    commit_all(dst, "base")
    return dst


def _run(repo: Path, *args: str) -> subprocess.CompletedProcess:
    import os
    import sys

    env = {**os.environ, "PYTHONPATH": str(repo)}
    return subprocess.run([sys.executable, "-m", "do_platform", *args], cwd=repo, env=env, capture_output=True,
                          text=True, timeout=120, check=False)


def test_bad_config_fails_naming_the_key(tmp_path):
    repo = _copy_repo(tmp_path)
    path = repo / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("count: 1", "count: 0", 1))
    proc = _run(repo, "plan", "--stack", "dev")
    assert proc.returncode == 1
    assert "do-platform:web.count" in proc.stderr and "1 to 20" in proc.stderr


def test_against_shows_the_change_and_the_cost_delta_as_markdown(tmp_path):
    repo = _copy_repo(tmp_path)
    path = repo / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("size: s-1vcpu-1gb", "size: s-2vcpu-4gb", 1))
    proc = _run(repo, "plan", "--stack", "dev", "--against", "HEAD")
    assert proc.returncode == 0, proc.stderr
    md = proc.stdout
    assert md.startswith("<!-- do-platform-plan -->")
    assert "| dev |" in md and "+$18.00" in md
    assert "✏️ update | `web-node-0` | Droplet | $6.00 | $24.00 | size: `s-1vcpu-1gb` → `s-2vcpu-4gb` |" in md


def test_against_shows_a_port_change_as_a_droplet_replacement(tmp_path):
    """The weekly change that destroys droplets: the app port lives in the cloud-init user data."""
    repo = _copy_repo(tmp_path)
    path = repo / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("count: 1", "count: 1\n    appPort: 9090", 1))
    proc = _run(repo, "plan", "--stack", "dev", "--against", "HEAD", "--json")
    assert proc.returncode == 0, proc.stderr
    (diff,) = json.loads(proc.stdout)
    droplets = [c for c in diff["changes"] if c["type"] == "digitalocean:index/droplet:Droplet"]
    assert [(c["action"], c["replace_mode"], c["forced_by"]) for c in droplets] == [
        ("replace", "create-before-delete", ["userData"])]
    user_data = next(i for i in droplets[0]["inputs"] if i["input"] == "userData")
    assert "8080" in user_data["before"] and "9090" in user_data["after"]


def test_against_unknown_ref_is_a_clear_error(tmp_path):
    repo = _copy_repo(tmp_path)
    proc = _run(repo, "plan", "--stack", "dev", "--against", "no-such-ref")
    assert proc.returncode == 1
    assert "'no-such-ref'" in proc.stderr and "no such git revision" in proc.stderr


def test_live_prices_do_not_go_with_against(emulator):
    result = runner.invoke(app, ["--token", "t", "--api-url", emulator.url, "plan", "--stack", "dev",
                                 "--against", "HEAD", "--live-prices"], env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert "--live-prices does not go with --against" in result.stderr
    assert emulator.control.log.snapshot()["total"] == 0


def test_live_prices_refresh_through_the_api(emulator):
    from tests.helpers.emulator import TEST_TOKEN

    result = runner.invoke(app, ["--token", TEST_TOKEN, "--api-url", emulator.url, "plan", "--stack", "dev",
                                 "--live-prices", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["price_sources"]["droplet_sizes"] == "live"
    assert any("no API" in note for note in data["price_notes"])
    droplet = next(r for r in data["resources"] if r["type"] == "digitalocean:index/droplet:Droplet")
    assert droplet["price_source"] == "live" and droplet["monthly"] == 6.0


def test_live_prices_are_named_in_the_plan_header(emulator):
    from tests.helpers.emulator import TEST_TOKEN

    result = runner.invoke(app, ["--token", TEST_TOKEN, "--api-url", emulator.url, "plan", "--stack", "dev",
                                 "--live-prices"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    header = result.stdout.splitlines()[0]
    assert "live prices from the API for droplet sizes, app instance sizes, registry tiers" in header, header
    offline = runner.invoke(app, ["plan", "--stack", "dev"], env={"COLUMNS": "300"})
    assert "live prices" not in offline.stdout.splitlines()[0]


def test_the_stack_config_key_sets_the_limit(tmp_path):
    """End to end in a throwaway repository: the key in Pulumi.dev.yaml, a size change of +$18.00."""
    repo = _copy_repo(tmp_path)
    path = repo / "Pulumi.dev.yaml"
    path.write_text(path.read_text().replace("size: s-1vcpu-1gb", "size: s-2vcpu-4gb", 1)
                    + "  do-platform:maxMonthlyIncrease: 10\n")
    proc = _run(repo, "plan", "--stack", "dev", "--against", "HEAD")
    assert proc.returncode == 3, proc.stderr
    assert "+$18.00, above the limit of $10.00 set by do-platform:maxMonthlyIncrease in Pulumi.dev.yaml" in proc.stderr
    assert "Monthly cost increase above the limit" in proc.stdout
    path.write_text(path.read_text().replace("maxMonthlyIncrease: 10", "maxMonthlyIncrease: -5"))
    bad = _run(repo, "plan", "--stack", "dev", "--against", "HEAD")
    assert bad.returncode == 1 and "do-platform:maxMonthlyIncrease" in bad.stderr
