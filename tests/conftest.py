"""Fixtures shared by every test folder: an in-process emulator and a PyDo client on it.

Folders add their own fixtures in their own conftest.py; this file stays small.
"""

from __future__ import annotations

import pytest

from do_platform.client import make_client
from emulator import EmulatorServer

TEST_TOKEN = "emulator-test-token"


@pytest.fixture(scope="session")
def emulator_server():
    """One emulator per test process (xdist worker), on a free loopback port."""
    with EmulatorServer(seed=1234) as server:
        yield server


@pytest.fixture
def emulator(emulator_server):
    """The session emulator, reset to its initial world before each test."""
    emulator_server.control.reset()
    emulator_server.state.settings.lifecycle_delay = 0.0
    emulator_server.state.settings.requests_per_minute = None
    emulator_server.state.settings.token = None
    emulator_server.state.clock.unfreeze()
    yield emulator_server
    emulator_server.control.faults.clear()


@pytest.fixture
def client(emulator):
    """A PyDo client built by the project's factory, with fast retries for tests."""
    return make_client(token=TEST_TOKEN, endpoint=emulator.url, retry_backoff_factor=0.01,
                       retry_backoff_max=0.05)
