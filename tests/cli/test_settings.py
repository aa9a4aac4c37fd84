"""``handle_errors``: every failure a command lets through ends as one line on stderr, never a traceback."""

from __future__ import annotations

import pytest
import typer
from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from typer.testing import CliRunner

from do_platform.cli.settings import CliSettings, handle_errors
from do_platform.errors import ConfigError

runner = CliRunner()


def app_raising(exc: Exception) -> typer.Typer:
    app = typer.Typer()

    @app.command()
    @handle_errors
    def registry_cleanup() -> None:
        raise exc

    return app


@pytest.mark.parametrize(("exc", "message"), [
    (ServiceRequestError("Failed to establish a new connection: [Errno 111] Connection refused"),
     "error: registry cleanup: could not reach the API: Failed to establish a new connection"),
    (ServiceResponseError("Read timed out"), "error: registry cleanup: the API did not answer: Read timed out"),
])
def test_azure_errors_the_command_did_not_translate_end_as_a_message(monkeypatch, exc, message):
    monkeypatch.delenv("DO_PLATFORM_DEBUG", raising=False)
    result = runner.invoke(app_raising(exc), [])
    assert result.exit_code == 1
    assert message in result.stderr
    assert "hint: " in result.stderr and "DIGITALOCEAN_API_URL" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""
    assert not isinstance(result.exception, type(exc))


def test_the_token_is_not_in_the_settings_repr():
    settings = CliSettings(token="dop_v1_do-not-print-me", api_url="http://127.0.0.1:1")
    assert "do-not-print-me" not in repr(settings) and "127.0.0.1" in repr(settings)


def test_messages_and_hints_are_printed_as_written_not_as_markup(monkeypatch):
    monkeypatch.delenv("DO_PLATFORM_DEBUG", raising=False)
    err = ConfigError("protect[0] 'web:[/x]' and value [secret] [bold]here", hint="set apps[web].image [red]")
    result = runner.invoke(app_raising(err), [])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "error: protect[0] 'web:[/x]' and value [secret] [bold]here" in result.stderr
    assert "hint: set apps[web].image [red]" in result.stderr
