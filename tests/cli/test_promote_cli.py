"""``do-platform promote`` through the CLI, against the emulator, on a copy of the stack files."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from do_platform.cli.main import app
from do_platform.ops import promote as ops
from do_platform.stack_files import images_of
from tests.helpers.emulator import TEST_TOKEN
from tests.helpers.git import commit_all, git
from tests.helpers.stacks import STAGING_PINNED

runner = CliRunner()

DEV = """\
config:
  do-platform:environment: development
  do-platform:apps:
    - name: web
      image: {registry: do-platform, repository: web, tag: main}
"""


@pytest.fixture
def repo(tmp_path, emulator, monkeypatch):
    digest = emulator.control.seed("registry", {"registry": "do-platform", "pushes": [
        {"repository": "web", "tags": ["main"]}]})["pushed"][0]["digest"]
    (tmp_path / "Pulumi.dev.yaml").write_text(DEV)
    (tmp_path / "Pulumi.staging.yaml").write_text(STAGING_PINNED)
    commit_all(tmp_path, "stacks")
    monkeypatch.setattr(ops, "REPO_ROOT", tmp_path)
    real = ops.promote
    monkeypatch.setattr(ops, "promote", lambda *a, **kw: real(*a, **{**kw, "root": tmp_path}))
    real_rollback = ops.rollback
    monkeypatch.setattr(ops, "rollback", lambda *a, **kw: real_rollback(*a, **{**kw, "root": tmp_path}))
    return tmp_path, digest


def cli(emulator, *args):
    return runner.invoke(app, ["--token", TEST_TOKEN, "--api-url", emulator.url, "promote", *args])


def test_promote_writes_the_digest_and_prints_the_diff(emulator, repo):
    root, digest = repo
    result = cli(emulator, "--from", "dev", "--to", "staging", "--apply")
    assert result.exit_code == 0, result.output
    added = [line for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert len(added) == 1 and digest in added[0] and "tag: \"main\"" in added[0]  # the file's quoting kept
    assert "wrote" in result.stderr and "tag main" in result.stderr
    assert images_of("staging", root)[0].digest == digest
    assert "# the site" in (root / "Pulumi.staging.yaml").read_text()


@pytest.mark.parametrize("flags", [(), ("--dry-run",)])
def test_a_dry_run_is_the_default_and_leaves_the_file(emulator, repo, flags):
    root, digest = repo
    before = (root / "Pulumi.staging.yaml").read_text()
    result = cli(emulator, "--from", "dev", "--to", "staging", *flags)
    assert result.exit_code == 0 and digest in result.stdout and "dry run" in result.stderr
    assert "--apply writes the file" in result.stderr
    assert (root / "Pulumi.staging.yaml").read_text() == before


def test_apply_and_dry_run_together_are_a_usage_error(emulator, repo):
    result = cli(emulator, "--from", "dev", "--to", "staging", "--apply", "--dry-run")
    assert result.exit_code == 2 and "--apply" in result.stderr


@pytest.mark.parametrize("args,named", [(("--to", "staging"), "--from"),
                                        (("--from", "dev", "--to", "staging", "--back"), "--from"),
                                        (("--to", "dev", "--back"), "--to")])
def test_from_and_back_are_checked_before_any_api_call(emulator, repo, args, named):
    result = cli(emulator, *args)
    assert result.exit_code == 2 and named in result.stderr


def test_back_rolls_the_target_back_to_its_previous_digest(emulator, repo):
    root, digest = repo
    assert cli(emulator, "--from", "dev", "--to", "staging", "--apply").exit_code == 0
    git(root, "commit", "-q", "-am", "promote")
    result = cli(emulator, "--to", "staging", "--back")
    assert result.exit_code == 1 and "does not exist" in result.stderr  # the old digest was never pushed
    old = emulator.control.seed("registry", {"registry": "do-platform", "pushes": [
        {"repository": "web", "tags": ["1.0.0"]}]})["pushed"][0]["digest"]
    path = root / "Pulumi.staging.yaml"
    git(root, "checkout", "-q", "HEAD~1", "--", path.name)
    path.write_text(path.read_text().replace("c" * 64, old.removeprefix("sha256:")))
    git(root, "commit", "-q", "-am", "staging on 1.0.0")
    assert cli(emulator, "--from", "dev", "--to", "staging", "--apply").exit_code == 0
    git(root, "commit", "-q", "-am", "promote again")
    result = cli(emulator, "--to", "staging", "--back", "--apply")
    assert result.exit_code == 0, result.output
    assert f"+      image: {{registry: do-platform, repository: web, tag: \"1.0.0\", digest: \"{old}\"}}" \
        in result.stdout or old in result.stdout
    assert images_of("staging", root)[0].digest == old and "restoring the pins" in result.stderr


def test_wrong_order_exits_1_with_the_allowed_steps(emulator, repo):
    result = cli(emulator, "--from", "dev", "--to", "prod")
    assert result.exit_code == 1
    assert "dev→prod" in result.stderr and "dev→staging, staging→prod" in result.stderr


def test_json_output(emulator, repo):
    import json

    result = cli(emulator, "--from", "dev", "--to", "staging", "--dry-run", "--json")
    data = json.loads(result.stdout)
    assert data["images"][0]["digest"] == repo[1] and data["written"] is False and data["changed"] is True
