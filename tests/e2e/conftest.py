"""End-to-end fixtures: the cached Pulumi engine (skip with the reason when it is absent) and a stack runner.

`make engine` provides the engine; `.ci/run` builds it when it is missing and Go is there. Without it every
test here is skipped with the exact reason recorded by the build (module, command, error).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from do_platform.engine.local_stack import EngineUnavailable, StackRun, require_engine
from do_platform.engine.spaces_server import spaces_server
from tests.e2e.stack_checks import free_port

PROJECTS = Path(__file__).parent / "projects"


def _engine_or_skip(*, need_provider: bool):
    """The engine's status, or the test skipped saying what is missing."""
    try:
        return require_engine(need_provider=need_provider)
    except EngineUnavailable as exc:
        pytest.skip(f"Pulumi engine not available: {exc}")


@pytest.fixture(scope="session")
def engine_status():
    return _engine_or_skip(need_provider=False)


@pytest.fixture(scope="session")
def provider_status():
    return _engine_or_skip(need_provider=True)


@pytest.fixture
def stack_run(engine_status, tmp_path):
    """Builds a StackRun for one of the projects under tests/e2e/projects, with state under tmp_path."""

    def build(project: str, stack: str = "e2e", **kwargs) -> StackRun:
        return StackRun(PROJECTS / project, stack, tmp_path / "state", status=engine_status, timeout=300, **kwargs)

    return build


@pytest.fixture
def spaces(tmp_path):
    """The local S3 server standing in for Spaces (as `make up-local` starts it), on a free port; yields the port."""
    port = free_port()
    with spaces_server(port, tmp_path / "spaces-log"):
        yield port
