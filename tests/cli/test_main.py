"""Global options of ``do-platform``: ``--verbose`` traces the API traffic on stderr, never a credential."""

from __future__ import annotations

import logging
import re

import pytest
from typer.testing import CliRunner

from do_platform.api.client import REDACTED, redact_url
from do_platform.cli import main
from tests.helpers.cli import WIDE
from tests.helpers.stacks import stack, write_stack

TOKEN = "dop_v1_verbose-must-not-print-this"
TRACE = re.compile(r"^do_platform\.http: (GET|POST|DELETE|PUT|PATCH) (\S+) -> (\d{3}) in \d+ ms; "
                   r"request-id [0-9a-f-]+; ratelimit \d+/\d+ left, resets in \d+ s", re.M)


@pytest.fixture
def restore_loggers():
    logger = logging.getLogger("do_platform")
    level = logger.level
    yield
    for handler in [h for h in logger.handlers if h.get_name() == main.VERBOSE_HANDLER]:
        logger.removeHandler(handler)
    logger.setLevel(level)


def test_verbose_traces_every_request_once_with_what_one_debugs_by(emulator, tmp_path, restore_loggers):
    args = ["--token", TOKEN, "--api-url", emulator.url, "-v", "registry", "cleanup", "--registry", "nosuch",
            "--stacks-dir", str(tmp_path)]
    for _ in range(2):  # a second run in the same process logs once per request, not twice
        result = CliRunner().invoke(main.app, args)
        assert result.exit_code == 1
        assert "registry 'nosuch' does not exist" in result.stderr
        traced = TRACE.findall(result.stderr)
        assert [(m, url.split("?")[0], s) for m, url, s in traced] == [
            ("GET", f"{emulator.url}/v2/registries/nosuch", "404"), ("GET", f"{emulator.url}/v2/registries", "200")]
        assert TOKEN not in result.stderr and TOKEN not in result.stdout and "Bearer" not in result.stderr
        assert "do_platform.http" not in result.stdout


def test_every_command_is_traced_through_the_one_factory_including_retries(emulator, stacks, restore_loggers):
    write_stack(stacks, "dev", stack())
    emulator.control.add_fault(match=r"^GET /v2/account", status=429, count=1, retry_after=0)
    result = CliRunner().invoke(main.app, ["--token", TOKEN, "--api-url", emulator.url, "--verbose", "preflight",
                                           "--stack", "dev"], env=WIDE)
    traced = TRACE.findall(result.stderr)
    assert [s for m, url, s in traced if url.endswith("/v2/account")] == ["429", "200"]  # each attempt
    assert "retry-after 0" in result.stderr
    assert len(traced) > 5 and TOKEN not in result.stderr
    assert any("?" in url and "per_page=" in url for _m, url, _s in traced)  # queries are shown


def test_without_verbose_nothing_is_traced(emulator, tmp_path):
    result = CliRunner().invoke(main.app, ["--token", TOKEN, "--api-url", emulator.url, "registry", "cleanup",
                                           "--registry", "nosuch", "--stacks-dir", str(tmp_path)])
    assert "do_platform.http" not in result.stderr


@pytest.mark.parametrize(("url", "shown"), [
    ("https://api.example.com/v2/droplets?page=2&per_page=200", "https://api.example.com/v2/droplets?page=2&per_page=200"),
    ("https://api.example.com/x?access_token=abc&tag_name=env:dev", f"https://api.example.com/x?access_token={REDACTED}&tag_name=env:dev"),
    ("https://api.example.com/x?X-Amz-Signature=s1&X-Amz-Credential=c", f"https://api.example.com/x?X-Amz-Signature={REDACTED}&X-Amz-Credential={REDACTED}"),
    ("https://user:pw@api.example.com/x", f"https://{REDACTED}@api.example.com/x"),
    (f"https://api.example.com/v2/x/{TOKEN}", f"https://api.example.com/v2/x/{REDACTED}"),
])
def test_credentials_in_urls_are_redacted_and_nothing_else(url, shown):
    assert redact_url(url, (TOKEN,)) == shown
