"""One exit code per condition across commands, from the one table in ``do_platform/exit_codes.py``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from do_platform.cli.main import app
from do_platform.exit_codes import ExitCode, markdown_table
from tests.helpers.cli import WIDE

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()

# Every command that calls the API, with arguments that get it to its first request.
API_COMMANDS = {
    "preflight": ["preflight", "--stack", "dev"],
    "status": ["status", "--stack", "dev"],
    "prices check": ["prices", "check"],
    "registry cleanup": ["registry", "cleanup", "--registry", "reg"],
    "promote": ["promote", "--from", "dev", "--to", "staging"],
    "plan --live-prices": ["plan", "--stack", "dev", "--live-prices"],
}


@pytest.mark.parametrize("args", API_COMMANDS.values(), ids=API_COMMANDS.keys())
def test_a_rejected_token_has_one_exit_code_in_every_command(emulator, stacks, args):
    emulator.control.configure(token="the-right-token")
    result = runner.invoke(app, ["--token", "a-wrong-token", "--api-url", emulator.url, *args], env=WIDE)
    assert result.exit_code == ExitCode.TOKEN_REJECTED, result.output
    assert "rejected the token (401)" in result.stderr
    assert "a-wrong-token" not in result.output


@pytest.mark.parametrize("doc", ["README.md", "docs/operations.md"])
def test_the_docs_exit_code_table_is_the_module_table(doc):
    text = (ROOT / doc).read_text()
    found = re.search(r"<!-- exit-codes:begin -->\n(.*?)<!-- exit-codes:end -->", text, re.S)
    assert found, f"{doc} lacks the exit-code table between its markers"
    assert found.group(1) == markdown_table(), f"regenerate {doc}'s table from do_platform.exit_codes.markdown_table()"


def test_commands_exit_only_through_the_table():
    """No literal exit code in a command: each goes through ExitCode (or a PlatformError's exit_code)."""
    literal = re.compile(r"Exit\(code=\d|sys\.exit\(\d|exit_code\s*=\s*\d")
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "do_platform").rglob("*.py")
                 if "engine" not in p.parts
                 for n, line in enumerate(p.read_text().splitlines(), 1) if literal.search(line)]
    assert offenders == []


def test_ctrl_c_is_the_interrupted_code(monkeypatch, stacks):
    import do_platform.ops.plan as plan_ops

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(plan_ops, "plan_stack", interrupted)
    result = runner.invoke(app, ["plan", "--stack", "dev"], env=WIDE)
    assert result.exit_code == ExitCode.INTERRUPTED == 130
    assert "interrupted" in result.stderr
