"""Fixtures of the CLI tests: stack files in a temporary folder that the commands read."""

from __future__ import annotations

import pytest

from do_platform.stack_files import PROJECT_DIR_ENV
from tests.helpers.stacks import stack, write_stack


@pytest.fixture
def stacks(tmp_path, monkeypatch):
    for var in ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_API_URL"):
        monkeypatch.delenv(var, raising=False)
    write_stack(tmp_path, "dev", stack())
    monkeypatch.setenv(PROJECT_DIR_ENV, str(tmp_path))  # the tools read stack files from the project directory
    return tmp_path
