"""Functions namespaces, scheduled triggers (next run from the cron expression) and access keys through PyDo."""

from datetime import UTC, datetime

import pytest

from emulator.services.functions import cron


def test_namespace_triggers_and_keys(emulator, client):
    emulator.state.clock.freeze(datetime(2026, 3, 2, 10, 7, 30, tzinfo=UTC))  # a Monday
    namespace = client.functions.create_namespace({"region": "nyc1", "label": "jobs"})["namespace"]
    ns = namespace["namespace"]
    assert ns.startswith("fn-") and namespace["api_host"].startswith("https://") and len(namespace["key"]) == 64
    trigger = client.functions.create_trigger(ns, {"name": "nightly", "function": "cleanup", "type": "SCHEDULED",
                                                   "is_enabled": True,
                                                   "scheduled_details": {"cron": "30 2 * * *", "body": None}})
    trigger = trigger["trigger"]
    assert trigger["scheduled_runs"] == {"last_run_at": None, "next_run_at": "2026-03-03T02:30:00Z"}
    paused = client.functions.update_trigger(ns, "nightly", {"is_enabled": False})["trigger"]
    assert paused["scheduled_runs"]["next_run_at"] is None
    assert [t["name"] for t in client.functions.list_triggers(ns)["triggers"]] == ["nightly"]
    key = client.functions_access_key.create(ns, {"name": "ci", "expires_in": "30d"})["access_key"]
    assert key["id"].startswith("dof_v1_") and key["secret"] and key["expires_at"] == "2026-04-01T10:07:30Z"
    listed = client.functions_access_key.list(ns)
    assert listed["count"] == 1 and "secret" not in listed["access_keys"][0]
    client.functions_access_key.update(ns, key["id"], {"name": "ci-2"})
    client.functions_access_key.delete(ns, key["id"])
    client.functions.delete_trigger(ns, "nightly")
    client.functions.delete_namespace(ns)
    assert client.functions.list_namespaces()["namespaces"] == []


def test_cron_expressions():
    after = datetime(2026, 3, 2, 10, 7, tzinfo=UTC)  # Monday
    assert cron.next_run("*/15 * * * *", after) == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
    assert cron.next_run("0 9 * * 0", after) == datetime(2026, 3, 8, 9, 0, tzinfo=UTC)  # Sunday
    assert cron.next_run("0 9 * * 7", after) == datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
    assert cron.next_run("0 0 1 1 *", after) == datetime(2027, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize("details, needle", [({"cron": "61 * * * *"}, "minute field"),
                                             ({"cron": "* * *"}, "five fields"), ({}, "cron is required")])
def test_bad_triggers_name_the_field(client, details, needle):
    ns = client.functions.create_namespace({"region": "nyc1", "label": "x"})["namespace"]["namespace"]
    refused = client.functions.create_trigger(ns, {"name": "t", "function": "f", "type": "SCHEDULED",
                                                   "is_enabled": True, "scheduled_details": details})
    assert refused["id"] == "unprocessable_entity" and needle in refused["message"]  # PyDo returns its 422
