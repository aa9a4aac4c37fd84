"""Uptime checks and alerts through PyDo: envelopes ``check``/``alert``, regions echoed, state."""

import pytest
from azure.core.exceptions import HttpResponseError

ALERT = {"name": "slow", "type": "latency", "threshold": 300, "comparison": "greater_than", "period": "2m",
         "notifications": {"email": ["ops@example.com"], "slack": []}}


def _check(client, **extra):
    body = {"name": "landing", "type": "https", "target": "https://example.com", "regions": ["eu_west"],
            "enabled": True, **extra}
    return client.uptime.create_check(body)["check"]


def test_check_round_trip_echoes_regions(client):
    check = _check(client)
    assert check["regions"] == ["eu_west"] and check["type"] == "https"
    assert client.uptime.get_check(check["id"])["check"] == check
    assert [c["id"] for c in client.uptime.list_checks()["checks"]] == [check["id"]]
    updated = client.uptime.update_check(check["id"], {"name": "landing", "target": "https://example.com/health",
                                                       "regions": None, "enabled": False})["check"]
    assert updated["regions"] == [] and updated["enabled"] is False
    client.uptime.delete_check(check["id"])
    assert client.uptime.get_check(check["id"])["id"] == "not_found"


def test_type_defaults_to_https_and_state_covers_regions(client):
    check = client.uptime.create_check({"name": "n", "target": "https://example.com",
                                        "regions": ["us_east", "se_asia"]})["check"]
    assert check["type"] == "https" and check["enabled"] is True
    state = client.uptime.get_check_state(check["id"])["state"]
    assert sorted(state["regions"]) == ["se_asia", "us_east"]
    assert state["regions"]["us_east"]["status"] == "UP"


def test_alert_round_trip_and_cascade_delete(client):
    check = _check(client)
    alert = client.uptime.create_alert(check["id"], ALERT)["alert"]
    assert {k: alert[k] for k in ALERT} == ALERT
    assert client.uptime.get_alert(check["id"], alert["id"])["alert"] == alert
    assert [a["id"] for a in client.uptime.list_alerts(check["id"])["alerts"]] == [alert["id"]]
    updated = client.uptime.update_alert(check["id"], alert["id"], {**ALERT, "threshold": 500})["alert"]
    assert updated["threshold"] == 500
    client.uptime.delete_alert(check["id"], alert["id"])
    assert client.uptime.get_alert(check["id"], alert["id"])["id"] == "not_found"
    client.uptime.create_alert(check["id"], {**ALERT, "type": "down", "name": "down"})
    client.uptime.delete_check(check["id"])
    assert client.uptime.list_alerts(check["id"])["id"] == "not_found"


def test_pagination(client):
    for i in range(3):
        _check(client, name=f"c{i}")
    page = client.uptime.list_checks(per_page=2, page=2)
    assert [c["name"] for c in page["checks"]] == ["c2"] and page["meta"]["total"] == 3


@pytest.mark.parametrize("extra, needle", [
    ({"type": "tcp"}, "type must be one of"),
    ({"target": "example.com"}, "target must be an http(s) URL"),
    ({"regions": ["mars"]}, "regions must be drawn from"),
    ({"name": None}, "name is required"),
])
def test_invalid_checks_get_422(client, extra, needle):
    with pytest.raises(HttpResponseError) as err:
        _check(client, **extra)
    assert err.value.status_code == 422 and needle in err.value.response.json()["message"]


@pytest.mark.parametrize("change, needle", [
    ({"period": "7m"}, "period must be one of"),
    ({"type": "latency", "threshold": None}, "threshold and comparison are required"),
    ({"notifications": None}, "notifications is required"),
])
def test_invalid_alerts_get_422(client, change, needle):
    check = _check(client)
    with pytest.raises(HttpResponseError) as err:
        client.uptime.create_alert(check["id"], {**ALERT, **change})
    assert err.value.status_code == 422 and needle in err.value.response.json()["message"]
