"""The emulator against the API's OpenAPI description (``DO_OPENAPI_SPEC``; skipped when unset).

Every served route must exist in the spec with its method. Every response a test receives is
validated by the autouse fixture in tests/conftest.py; the tests below check that mechanism itself.
"""

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from emulator.core import app as app_module
from emulator.core import conformance
from emulator.core.app import create_app

pytestmark = pytest.mark.skipif(conformance.spec_path() is None,
                                reason="set DO_OPENAPI_SPEC to the API's OpenAPI JSON to run conformance tests")


@pytest.fixture(scope="module")
def spec():
    return conformance.load_spec(conformance.spec_path())


def test_every_served_route_exists_in_the_spec(spec):
    routes = [r for r in create_app().router.all_routes() if conformance.served(r.template)]
    assert routes, "no routes discovered"
    missing = sorted(f"{r.method} {r.template}" for r in routes if not spec.has_route(r.method, r.template))
    assert missing == [], "routes the spec does not describe:\n" + "\n".join(missing)


def test_param_names_are_matched_by_position(spec):
    assert spec.has_route("GET", "/v2/firewalls/{anything}")
    assert not spec.has_route("PATCH", "/v2/firewalls/{firewall_id}")
    assert not spec.has_route("GET", "/v2/firewalls/{firewall_id}/nonsense")


def test_validator_rejects_a_wrong_shape(spec):
    bad = {"firewall": {"id": "x", "status": "burning", "inbound_rules": [{"protocol": "tcp", "ports": "22"}]}}
    errors = spec.response_errors("POST", "/v2/firewalls", 202, bad)
    assert any("status" in e for e in errors) and any("sources" in e for e in errors)
    assert spec.response_errors("GET", "/v2/firewalls/{id}", 404, {"id": "not_found"})  # message missing


def test_undocumented_success_code_is_reported(spec):
    errors = spec.response_errors("POST", "/v2/firewalls", 201, {"firewall": {}})
    assert errors and "not documented" in errors[0]


def test_hook_sees_every_response_of_the_suite(emulator):
    seen = []

    def record(method, template, raw_path, status, headers, body):
        seen.append((method, template, status))

    app_module.RESPONSE_OBSERVERS.append(record)
    try:
        httpx.get(f"{emulator.url}/v2/firewalls/abc", headers={"Authorization": "Bearer t"})
        httpx.get(f"{emulator.url}/v2/firewalls")
    finally:
        app_module.RESPONSE_OBSERVERS.remove(record)
    assert seen == [("GET", "/v2/firewalls/{firewall_id}", 404), ("GET", "/v2/firewalls", 401)]


def test_live_error_bodies_conform(emulator, spec):
    response = httpx.get(f"{emulator.url}/v2/load_balancers/missing", headers={"Authorization": "Bearer t"})
    assert response.status_code == 404
    assert spec.response_errors("GET", "/v2/load_balancers/{lb_id}", 404, response.json()) == []


INNER_TEST = '''
import httpx


def test_a_family_answers_a_wrong_shape(emulator):
    backend = emulator.state.backend("firewalls")
    fw = backend.create({"name": "fw"})
    backend.view = lambda record: {"id": record["id"], "status": "on-fire"}
    httpx.get(f"{emulator.url}/v2/firewalls/{fw['id']}", headers={"Authorization": "Bearer t"})
'''


def test_a_non_conforming_response_fails_the_test_that_received_it(tmp_path):
    """End to end: the autouse fixture turns a bad response into a failure of the receiving test."""
    repo = Path(__file__).resolve().parents[2]
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import _openapi_conformance, emulator, emulator_server  # noqa: F401\n")
    (tmp_path / "test_inner.py").write_text(INNER_TEST)
    env = {**os.environ, "PYTHONPATH": str(repo), conformance.SPEC_ENV: conformance.spec_path()}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
                          "--rootdir", str(tmp_path), str(tmp_path)], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert "1 passed, 1 error" in run.stdout, run.stdout[-2000:]
    assert "responses that do not match the OpenAPI spec" in run.stdout
    assert "firewalls_get 200 at firewall/status: 'on-fire' is not one of" in run.stdout


def test_a_documented_quirk_forgives_only_its_operation_and_field(spec, monkeypatch):
    bad = {"firewall": {"status": "burning"}}
    quirk = conformance.Quirk("firewalls_get", r"^firewall/status$", "test: the spec's enum lags the API")
    monkeypatch.setattr(conformance, "QUIRKS", (quirk,))
    assert spec.response_errors("GET", "/v2/firewalls/{id}", 200, bad) == []
    assert spec.response_errors("PUT", "/v2/firewalls/{id}", 200, bad)  # another operation is still checked


def test_coverage_of_the_in_scope_operations_is_reported_and_never_falls(spec, record_property):
    """The share of the spec's operations outside the AI families that the emulator routes: reported, recorded
    in docs/emulator.md (which must not claim more than the route table serves), and at least 95% (issue 12)."""
    import re

    coverage = spec.coverage(create_app().router.all_routes())
    record_property("emulator_coverage", f"{coverage.covered}/{coverage.total} ({coverage.percent:.1f}%)")
    print(f"\nemulator coverage: {coverage.covered} of {coverage.total} in-scope operations "
          f"({coverage.percent:.1f}%)")
    doc = (Path(__file__).resolve().parents[2] / "docs" / "emulator.md").read_text(encoding="utf-8")
    recorded = re.search(r"routes \*\*(\d+) of (\d+)\*\* in-scope operations", doc)
    assert recorded, "docs/emulator.md must record the coverage figure"
    assert coverage.covered >= int(recorded.group(1)), "fewer operations routed than docs/emulator.md records"
    assert coverage.total == int(recorded.group(2)), "the spec changed: update the figure in docs/emulator.md"
    assert not any(op.tag in conformance.OUT_OF_SCOPE_TAGS for op in coverage.missing)
    assert coverage.percent >= 95.0, f"coverage {coverage.percent:.1f}% is below the 95% target; missing:\n" + \
        "\n".join(f"{tag}: {', '.join(ops)}" for tag, ops in coverage.missing_by_tag().items())
