"""Fixtures shared by every test folder: an in-process emulator and a PyDo client on it.

Folders add their own fixtures in their own conftest.py; this file stays small.
"""

from __future__ import annotations

import json
import threading

import pytest

from do_platform.api.client import make_client
from emulator import EmulatorServer
from emulator.core import app as app_module
from emulator.core import conformance
from tests.helpers.emulator import TEST_TOKEN


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
    emulator_server.state.settings.requests_per_hour = None
    emulator_server.state.settings.token = None
    emulator_server.state.clock.unfreeze()
    yield emulator_server
    emulator_server.control.faults.clear()


@pytest.fixture
def client(emulator):
    """A PyDo client built by the project's factory, with fast retries for tests."""
    return make_client(token=TEST_TOKEN, endpoint=emulator.url, retry_backoff_factor=0.01,
                       retry_backoff_max=0.05)


@pytest.fixture(autouse=True)
def _openapi_conformance():
    """With DO_OPENAPI_SPEC set, every emulator response a test receives must match the spec.

    Responses are recorded by a hook in emulator.core.app and validated after the test (see
    emulator/core/conformance.py for the validator and its documented allowlist of spec quirks).
    """
    spec_file = conformance.spec_path()
    if spec_file is None:
        yield
        return
    seen: list[tuple] = []
    lock = threading.Lock()

    def record(method, template, raw_path, status, headers, body):
        if conformance.served(template):
            with lock:
                seen.append((method, template, raw_path, status, headers.get("content-type", ""), body))

    app_module.RESPONSE_OBSERVERS.append(record)
    try:
        yield
    finally:
        app_module.RESPONSE_OBSERVERS.remove(record)
    problems = []
    spec = conformance.load_spec(spec_file) if seen else None  # loaded once per process, when first needed
    for method, template, raw_path, status, content_type, body in seen:
        parsed = json.loads(body) if body and "json" in content_type else None
        problems += [f"{method} {raw_path}: {msg}" for msg in spec.response_errors(method, template, status, parsed)]
    if problems:
        pytest.fail("responses that do not match the OpenAPI spec:\n" + "\n".join(dict.fromkeys(problems)),
                    pytrace=False)
