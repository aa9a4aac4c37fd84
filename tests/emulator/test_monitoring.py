"""Monitoring alert policies through PyDo: envelope ``policy``, exact echo, enum validation."""

import pytest
from azure.core.exceptions import HttpResponseError

POLICY = {"type": "v1/insights/droplet/cpu", "description": "CPU high", "compare": "GreaterThan", "value": 80,
          "window": "5m", "entities": ["192018292"], "tags": ["web"],
          "alerts": {"email": ["ops@example.com"], "slack": [{"channel": "#ops", "url": "https://hooks.slack.com/x"}]},
          "enabled": True}


def test_round_trip_echoes_entities_tags_and_alerts(client):
    created = client.monitoring.create_alert_policy(POLICY)["policy"]
    assert {k: created[k] for k in POLICY} == POLICY and created["uuid"]
    assert client.monitoring.get_alert_policy(created["uuid"])["policy"] == created
    assert [p["uuid"] for p in client.monitoring.list_alert_policy()["policies"]] == [created["uuid"]]
    changed = {**POLICY, "value": 95.5, "window": "1h", "entities": [], "alerts": {"email": ["a@example.com"],
                                                                                    "slack": None}}
    updated = client.monitoring.update_alert_policy(created["uuid"], changed)["policy"]
    assert (updated["value"], updated["window"], updated["entities"]) == (95.5, "1h", [])
    assert updated["alerts"] == {"email": ["a@example.com"], "slack": []}
    client.monitoring.delete_alert_policy(created["uuid"])
    assert client.monitoring.get_alert_policy(created["uuid"])["id"] == "not_found"


def test_pagination(client):
    for i in range(3):
        client.monitoring.create_alert_policy({**POLICY, "description": f"p{i}"})
    page = client.monitoring.list_alert_policy(per_page=2, page=2)
    assert [p["description"] for p in page["policies"]] == ["p2"] and "prev" in page["links"]["pages"]


@pytest.mark.parametrize("change, needle", [
    ({"type": "v1/insights/droplet/fun"}, "type must be one of"),
    ({"compare": "Equal"}, "compare must be one of"),
    ({"window": "2m"}, "window must be one of"),
    ({"value": "high"}, "value must be a number"),
    ({"description": None}, "description is required"),
    ({"alerts": None}, "alerts is required"),
    ({"alerts": {"email": "ops@example.com"}}, "alerts.email must be a list"),
    ({"alerts": {"slack": [{"channel": "#x"}]}}, "url is required"),
])
def test_invalid_policies_get_422(client, change, needle):
    with pytest.raises(HttpResponseError) as err:
        client.monitoring.create_alert_policy({**POLICY, **change})
    assert err.value.status_code == 422 and needle in err.value.response.json()["message"]
