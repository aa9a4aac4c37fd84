"""Numbers as people read them: money, counts, whole numbers as ints (do_platform/numbers.py)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from do_platform.cli.main import app
from do_platform.numbers import count, money, whole_numbers


@pytest.mark.parametrize(("value", "per", "text"), [
    (6.0, "/mo", "$6.00/mo"), (6, "", "$6.00"), (1234.5, "", "$1,234.50"), (0.02, "/GiB", "$0.02/GiB"),
    ("6.0", "/mo", "$6.00/mo"), (None, "/mo", "unknown"), ("n/a", "", "unknown"),
])
def test_money(value, per, text):
    assert money(value, per) == text


@pytest.mark.parametrize(("value", "text"), [(4.0, "4"), (4, "4"), (0.5, "0.5"), ("3", "3")])
def test_count(value, text):
    assert count(value) == text


def test_whole_numbers_all_the_way_down():
    got = whole_numbers({"port": 8080.0, "rules": [{"ports": [80.0, 443.0]}], "ratio": 0.5, "flag": True})
    assert got == {"port": 8080, "rules": [{"ports": [80, 443]}], "ratio": 0.5, "flag": True}
    assert isinstance(got["port"], int) and got["flag"] is True


def _numbers(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from ((f"{k}.{p}", n) for p, n in _numbers(v))
    elif isinstance(value, list):
        for v in value:
            yield from _numbers(v)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield "", value


def test_plan_json_has_ports_and_counts_as_ints_and_text_counts_without_decimals():
    """The mock runtime hands every number over as a float: the plan's inputs carried 8080.0 and 4.0."""
    plan = json.loads(CliRunner().invoke(app, ["plan", "--stack", "prod", "--json"]).stdout)
    floats = {path for r in plan["resources"] for path, n in _numbers(r["inputs"])
              if isinstance(n, float) and n.is_integer()}
    assert floats == set()
    ports = [n for r in plan["resources"] for path, n in _numbers(r["inputs"]) if path.endswith("port.")]
    assert 8080 in ports
    text = CliRunner().invoke(app, ["plan", "--stack", "prod"]).stdout
    assert "autoscale up to 4: $336.00" in text and ".0:" not in text
