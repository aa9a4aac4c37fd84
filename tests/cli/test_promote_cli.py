"""``do-platform promote`` through the CLI, against the emulator, on a copy of the stack files."""

from __future__ import annotations

import subprocess

import pytest
from typer.testing import CliRunner

from do_platform.cli.main import app
from do_platform.ops import promote as ops
from do_platform.stack_files import images_of
from tests.helpers.emulator import TEST_TOKEN

runner = CliRunner()

DEV = """\
config:
  do-platform:environment: development
  do-platform:apps:
    - name: web
      image: {registry: do-platform, repository: web, tag: main}
"""
STAGING = """\
config:
  do-platform:environment: staging
  do-platform:apps:
    - name: web  # the site
      image: {registry: do-platform, repository: web, tag: "1.0.0", digest: "sha256:%s"}
""" % ("c" * 64)


@pytest.fixture
def repo(tmp_path, emulator, monkeypatch):
    digest = emulator.control.seed("registry", {"registry": "do-platform", "pushes": [
        {"repository": "web", "tags": ["main"]}]})["pushed"][0]["digest"]
    (tmp_path / "Pulumi.dev.yaml").write_text(DEV)
    (tmp_path / "Pulumi.staging.yaml").write_text(STAGING)
    git = ["git", "-C", str(tmp_path), "-c", "user.email=t@example.com", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "stacks"], check=True)
    monkeypatch.setattr(ops, "REPO_ROOT", tmp_path)
    real = ops.promote
    monkeypatch.setattr(ops, "promote", lambda *a, **kw: real(*a, **{**kw, "root": tmp_path}))
    return tmp_path, digest


def cli(emulator, *args):
    return runner.invoke(app, ["--token", TEST_TOKEN, "--api-url", emulator.url, "promote", *args])


def test_promote_writes_the_digest_and_prints_the_diff(emulator, repo):
    root, digest = repo
    result = cli(emulator, "--from", "dev", "--to", "staging")
    assert result.exit_code == 0, result.output
    added = [line for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert len(added) == 1 and digest in added[0] and "tag: \"main\"" in added[0]  # the file's quoting kept
    assert "wrote" in result.stderr and "tag main" in result.stderr
    assert images_of("staging", root)[0].digest == digest
    assert "# the site" in (root / "Pulumi.staging.yaml").read_text()


def test_dry_run_leaves_the_file(emulator, repo):
    root, digest = repo
    before = (root / "Pulumi.staging.yaml").read_text()
    result = cli(emulator, "--from", "dev", "--to", "staging", "--dry-run")
    assert result.exit_code == 0 and digest in result.stdout and "dry run" in result.stderr
    assert (root / "Pulumi.staging.yaml").read_text() == before


def test_wrong_order_exits_1_with_the_allowed_steps(emulator, repo):
    result = cli(emulator, "--from", "dev", "--to", "prod")
    assert result.exit_code == 1
    assert "dev→prod" in result.stderr and "dev→staging, staging→prod" in result.stderr


def test_json_output(emulator, repo):
    import json

    result = cli(emulator, "--from", "dev", "--to", "staging", "--dry-run", "--json")
    data = json.loads(result.stdout)
    assert data["images"][0]["digest"] == repo[1] and data["written"] is False and data["changed"] is True
