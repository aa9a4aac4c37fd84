"""Global options of ``do-platform``: ``--verbose`` logs the API traffic on stderr, never the token."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from do_platform.cli import main

TOKEN = "dop_v1_verbose-must-not-print-this"


@pytest.fixture
def restore_loggers():
    names = ("do_platform", main.HTTP_LOGGER)
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for name in names:
        logger = logging.getLogger(name)
        for handler in [h for h in logger.handlers if h.get_name() == main.VERBOSE_HANDLER]:
            logger.removeHandler(handler)
        logger.setLevel(levels[name])


def test_verbose_logs_requests_on_stderr_with_the_token_redacted(emulator, tmp_path, restore_loggers):
    args = ["--token", TOKEN, "--api-url", emulator.url, "-v", "registry", "cleanup", "--registry", "nosuch",
            "--stacks-dir", str(tmp_path)]
    for _ in range(2):  # a second run in the same process logs once per request, not twice
        result = CliRunner().invoke(main.app, args)
        assert result.exit_code == 1
        assert "registry 'nosuch' does not exist" in result.stderr
        assert result.stderr.count("Request URL: 'http://127.0.0.1") == 2  # get the registry, list registries
        assert "'Authorization': 'REDACTED'" in result.stderr
        assert TOKEN not in result.stderr and TOKEN not in result.stdout
        assert "Request URL" not in result.stdout
