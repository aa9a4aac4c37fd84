"""One exit code per condition across commands, from the one table in ``do_platform/exit_codes.py``."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from do_platform.cli.main import app
from do_platform.exit_codes import ExitCode
from tests.helpers.cli import WIDE

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


def test_ctrl_c_is_the_interrupted_code(monkeypatch, stacks):
    import do_platform.ops.plan as plan_ops

    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr(plan_ops, "plan_stack", interrupted)
    result = runner.invoke(app, ["plan", "--stack", "dev"], env=WIDE)
    assert result.exit_code == ExitCode.INTERRUPTED == 130
    assert "interrupted" in result.stderr
