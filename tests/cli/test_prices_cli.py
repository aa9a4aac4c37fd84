"""``do-platform prices check`` against the emulator: clean on the shipped table, drift when a price moves."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from do_platform.cli.main import app
from tests.helpers.emulator import TEST_TOKEN

runner = CliRunner()


def _check(emulator, *extra: str):
    return runner.invoke(app, ["--token", TEST_TOKEN, "--api-url", emulator.url, "prices", "check", *extra],
                         env={"COLUMNS": "300"})


def test_the_bundled_table_matches_the_api(emulator):
    result = _check(emulator, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["clean"] and data["drift"] == []
    assert data["compared"]["droplet_sizes"] >= 60 and data["compared"]["app_instance_sizes"] >= 14
    assert data["compared"]["registry_tiers"] == 3
    methods = {e["method"] for e in emulator.control.log.snapshot()["entries"]}
    assert methods == {"GET"}


def test_a_changed_price_is_drift_naming_the_file_to_edit(emulator):
    emulator.control.seed("catalog", {"sizes": {"s-1vcpu-1gb": {"price_monthly": 7.0}}})
    emulator.control.seed("apps", {"instance_size_prices": {"apps-s-1vcpu-1gb": 13}})
    result = _check(emulator, "--json")
    assert result.exit_code == 3, result.output
    drift = {(d["family"], d["slug"]): d for d in json.loads(result.stdout)["drift"]}
    assert set(drift) == {("droplet_sizes", "s-1vcpu-1gb"), ("app_instance_sizes", "apps-s-1vcpu-1gb")}
    assert drift[("droplet_sizes", "s-1vcpu-1gb")]["bundled"] == 6.0
    assert drift[("droplet_sizes", "s-1vcpu-1gb")]["live"] == 7.0
    assert drift[("droplet_sizes", "s-1vcpu-1gb")]["kind"] == "changed"
    assert drift[("app_instance_sizes", "apps-s-1vcpu-1gb")]["edit"] == "do_vocab/catalog.json"
    text = _check(emulator)
    assert text.exit_code == 3
    assert "s-1vcpu-1gb" in text.stdout and "$6.00" in text.stdout and "$7.00" in text.stdout
    assert "2 price(s) drifted" in text.stderr

