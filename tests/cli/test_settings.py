"""``handle_errors``: every failure a command lets through ends as one line on stderr, never a traceback."""

from __future__ import annotations

import json

import pytest
import typer
from azure.core.exceptions import ServiceRequestError, ServiceResponseError
from typer.testing import CliRunner

from do_platform.cli.settings import CliSettings, OutputFormat, OutputSink, handle_errors
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


class Result:
    def to_json(self):
        return {"when": Result, "ok": True}


@pytest.mark.parametrize(("output", "as_json", "expect_json"), [
    (OutputFormat.table, False, False), (OutputFormat.table, True, True), (OutputFormat.json, False, True)])
def test_one_sink_chooses_json_or_the_table(capsys, output, as_json, expect_json):
    rendered = []
    CliSettings(output=output).sink(as_json).emit(Result(), rendered.append)
    out = capsys.readouterr().out
    if expect_json:
        assert json.loads(out) == {"when": str(Result), "ok": True} and rendered == []
    else:
        assert out == "" and len(rendered) == 1


def test_the_sink_takes_a_serialiser_for_results_without_to_json(capsys):
    OutputSink(json=True).emit([1, 2], print, to_json=lambda r: {"items": r})
    assert json.loads(capsys.readouterr().out) == {"items": [1, 2]}


def test_the_client_helper_prefers_the_flag_then_the_stack_endpoint(monkeypatch):
    import do_platform.api.client as client_module

    seen = []
    monkeypatch.setattr(client_module, "make_client", lambda **kw: seen.append(kw))
    CliSettings(token="t", api_url=None).client(stack_endpoint="http://127.0.0.1:1")
    CliSettings(token="t", api_url="http://127.0.0.1:2").client(stack_endpoint="http://127.0.0.1:1", max_per_minute=9)
    assert seen == [{"token": "t", "endpoint": "http://127.0.0.1:1", "max_per_minute": None},
                    {"token": "t", "endpoint": "http://127.0.0.1:2", "max_per_minute": 9}]


def test_no_command_chooses_between_json_and_a_table_itself():
    from pathlib import Path

    import do_platform.cli.commands as commands

    for module in Path(commands.__file__).parent.glob("*.py"):
        text = module.read_text()
        assert "json.dumps" not in text and "OutputFormat" not in text, f"{module.name}: use settings.sink()"
        assert "make_client" not in text, f"{module.name}: build the client with settings.client()"
