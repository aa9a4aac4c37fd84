"""Apps at run time through PyDo: instances and health of the live deployment, bandwidth, rollbacks."""

import copy

import pytest
from azure.core.exceptions import HttpResponseError

SPEC = {"name": "shop", "region": "nyc",
        "services": [{"name": "api", "image": {"registry_type": "DOCR", "repository": "api", "tag": "1"},
                      "instance_count": 2, "instance_size_slug": "apps-s-1vcpu-1gb"}],
        "workers": [{"name": "jobs", "image": {"registry_type": "DOCR", "repository": "jobs", "tag": "1"}}]}


def _app(client):
    app = client.apps.create({"spec": copy.deepcopy(SPEC)})["app"]
    client.apps.get(app["id"])  # the first deployment goes live
    return app["id"]


def test_instances_and_health_of_the_live_deployment(client):
    app_id = _app(client)
    instances = client.apps.get_instances(app_id)["instances"]
    assert sorted(i["instance_alias"] for i in instances) == ["api-0", "api-1", "jobs-0"]
    assert {i["component_type"] for i in instances} == {"SERVICE", "WORKER"}
    health = client.apps.get_health(app_id)["app_health"]["components"]
    assert {(c["name"], c["replicas_ready"], c["state"]) for c in health} == {("api", 2, "HEALTHY"),
                                                                              ("jobs", 1, "HEALTHY")}


def test_bandwidth_is_per_app_and_day_and_repeatable(client):
    app_id = _app(client)
    one = client.apps.get_metrics_bandwidth_daily(app_id, date="2026-03-01T00:00:00Z")
    assert one["date"] == "2026-03-01T00:00:00Z" and int(one["app_bandwidth_usage"][0]["bandwidth_bytes"]) > 0
    both = client.apps.list_metrics_bandwidth_daily({"app_ids": [app_id], "date": "2026-03-01T00:00:00Z"})
    assert both["app_bandwidth_usage"] == one["app_bandwidth_usage"]


def test_rollback_pins_until_committed_or_reverted(client):
    app_id = _app(client)
    first = client.apps.list_deployments(app_id)["deployments"][0]["id"]
    changed = copy.deepcopy(SPEC)
    changed["services"][0]["instance_count"] = 3
    client.apps.update(app_id, {"spec": changed})
    client.apps.get(app_id)
    assert client.apps.validate_rollback(app_id, {"deployment_id": first})["valid"] is True
    live = client.apps.list_deployments(app_id)["deployments"][0]["id"]
    assert client.apps.validate_rollback(app_id, {"deployment_id": live})["error"]["code"] == "incompatible_phase"
    rolled = client.apps.create_rollback(app_id, {"deployment_id": first})["deployment"]
    assert rolled["spec"]["services"][0]["instance_count"] == 2
    with pytest.raises(HttpResponseError) as err:
        client.apps.update(app_id, {"spec": changed})
    assert err.value.status_code == 409 and "commit or revert the rollback" in err.value.response.json()["message"]
    reverted = client.apps.revert_rollback(app_id)["deployment"]
    assert reverted["spec"]["services"][0]["instance_count"] == 3
    client.apps.create_rollback(app_id, {"deployment_id": first})
    client.apps.commit_rollback(app_id)
    client.apps.update(app_id, {"spec": changed})  # unpinned again
