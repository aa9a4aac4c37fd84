"""App Platform through PyDo: 200 create echoing the spec, deployment progress, alerts, sizes, proposals."""

import copy

import pytest
from azure.core.exceptions import HttpResponseError

from do_platform.api.client import make_client
from emulator import EmulatorServer
from tests.helpers.emulator import api_error

SPEC = {
    "name": "web",
    "region": "nyc",
    "services": [{
        "name": "api",
        "image": {"registry_type": "DOCR", "repository": "api", "tag": "1.0.0"},
        "instance_count": 2,
        "instance_size_slug": "apps-s-1vcpu-1gb",
        "http_port": 8080,
        "envs": [{"key": "TOKEN", "value": "s3cret", "type": "SECRET", "scope": "RUN_TIME"}],
        "alerts": [{"rule": "CPU_UTILIZATION", "operator": "GREATER_THAN", "value": 80, "window": "FIVE_MINUTES"}],
    }],
    "static_sites": [{"name": "docs", "github": {"repo": "acme/docs", "branch": "main"}}],
    "alerts": [{"rule": "DEPLOYMENT_FAILED"}, {"rule": "DOMAIN_FAILED"}],
}


# What the API answers for SPEC: the ingress rule it adds, "/" to the first HTTP component.
ANSWERED_SPEC = {**SPEC, "ingress": {"rules": [{"match": {"path": {"prefix": "/"}}, "component": {"name": "api"}}]}}


def _create(client, spec=None, **extra):
    return client.apps.create({"spec": copy.deepcopy(spec or SPEC), **extra})["app"]


def _all_steps_succeeded(deployment: dict) -> bool:
    """The provider's wait condition (resource_app.go): every progress step SUCCESS."""
    return all(step["status"] == "SUCCESS" for step in deployment["progress"]["steps"])


def test_create_get_list_update_delete(client):
    created = _create(client)
    assert created["spec"] == ANSWERED_SPEC  # echoed exactly, secrets included, plus the default ingress
    pending = created["pending_deployment"]
    assert pending["phase"] == "PENDING_BUILD" and not _all_steps_succeeded(pending)
    assert "active_deployment" not in created

    fetched = client.apps.get(created["id"])["app"]
    assert fetched["active_deployment"]["id"] == pending["id"]
    assert fetched["active_deployment"]["phase"] == "ACTIVE" and _all_steps_succeeded(fetched["active_deployment"])
    assert "pending_deployment" not in fetched
    assert fetched["live_url"] == fetched["default_ingress"] and fetched["live_url"].startswith("https://")
    assert fetched["region"]["slug"] == "nyc"
    assert [a["id"] for a in client.apps.list()["apps"]] == [created["id"]]

    spec = copy.deepcopy(SPEC)
    spec["services"][0]["instance_count"] = 3
    updated = client.apps.update(created["id"], {"spec": spec})["app"]
    assert updated["spec"]["services"][0]["instance_count"] == 3
    assert updated["pending_deployment"]["id"] != pending["id"]
    assert updated["active_deployment"]["id"] == pending["id"]  # still live until the new one is

    deployments = client.apps.list_deployments(created["id"])["deployments"]
    assert [d["cause"] for d in deployments] == ["app spec updated", "initial deployment"]  # newest first
    assert [d["phase"] for d in deployments] == ["ACTIVE", "SUPERSEDED"]

    assert client.apps.delete(created["id"]) == {"id": created["id"]}
    assert client.apps.get(created["id"])["id"] == "not_found"


def test_project_assignment(emulator, client):
    project = client.projects.create({"name": "apps", "purpose": "Web Application",
                                      "environment": "Production"})["project"]
    app = _create(client, project_id=project["id"])
    assert app["project_id"] == project["id"]
    # read from the backend: the spec's URN pattern for project resources predates do:app URNs
    assert emulator.state.backend("projects").project_of(f"do:app:{app['id']}") == project["id"]
    with pytest.raises(HttpResponseError) as excinfo:
        _create(client, spec={**SPEC, "name": "other"}, project_id="00000000-0000-4000-8000-000000000000")
    assert api_error(excinfo)[2].startswith("project_id")


def test_deployment_walks_its_phases_with_a_delay(emulator, client):
    emulator.state.clock.freeze()
    emulator.control.configure(lifecycle_delay=40)
    app = _create(client)
    deployment_id = app["pending_deployment"]["id"]
    seen = []
    for _ in range(4):
        emulator.state.clock.advance(10)
        deployment = client.apps.get_deployment(app["id"], deployment_id)["deployment"]
        seen.append(deployment["phase"])
    assert seen == ["BUILDING", "PENDING_DEPLOY", "DEPLOYING", "ACTIVE"]
    assert _all_steps_succeeded(deployment) and deployment["progress"]["error_steps"] == 0
    assert deployment["progress"]["success_steps"] == deployment["progress"]["total_steps"] == 3


def test_seeded_failure_ends_the_next_deployment_in_error(emulator, client):
    app = _create(client)
    client.apps.get(app["id"])
    emulator.control.seed("apps", {"failing_deployments": 1, "failure_message": "npm ci failed"})
    failed = client.apps.create_deployment(app["id"], {})["deployment"]
    got = client.apps.get_deployment(app["id"], failed["id"])["deployment"]
    assert got["phase"] == "ERROR" and got["progress"]["error_steps"] == 1
    assert got["progress"]["steps"][0]["reason"]["message"] == "npm ci failed"
    assert client.apps.get(app["id"])["app"]["active_deployment"]["id"] == app["pending_deployment"]["id"]
    after = client.apps.create_deployment(app["id"], {})["deployment"]  # only one was seeded to fail
    assert client.apps.get_deployment(app["id"], after["id"])["deployment"]["phase"] == "ACTIVE"


def test_manual_deployment_and_cancel(emulator, client):
    app = _create(client)
    client.apps.get(app["id"])
    emulator.state.clock.freeze()
    emulator.control.configure(lifecycle_delay=60)
    manual = client.apps.create_deployment(app["id"], {"force_build": True})["deployment"]
    assert manual["phase"] == "PENDING_BUILD" and manual["cause"].startswith("manual")
    canceled = client.apps.cancel_deployment(app["id"], manual["id"])["deployment"]
    assert canceled["phase"] == "CANCELED"
    emulator.state.clock.advance(120)
    assert client.apps.get_deployment(app["id"], manual["id"])["deployment"]["phase"] == "CANCELED"
    got = client.apps.get(app["id"])["app"]
    assert got["active_deployment"]["id"] == app["pending_deployment"]["id"]
    with pytest.raises(HttpResponseError) as excinfo:
        client.apps.cancel_deployment(app["id"], manual["id"])
    assert api_error(excinfo)[:2] == (422, "unprocessable_entity")


def test_restart_makes_a_deployment_of_named_components(client):
    app = _create(client)
    client.apps.get(app["id"])  # active
    restarted = client.apps.restart(app["id"], {"components": ["api"]})["deployment"]
    assert restarted["cause"] == "restart of api" and restarted["phase"] == "PENDING_BUILD"
    with pytest.raises(HttpResponseError) as excinfo:
        client.apps.restart(app["id"], {"components": ["docs", "nope"]})
    assert api_error(excinfo)[2].startswith("components")


def test_deployments_paginate_newest_first(client):
    app = _create(client)
    for _ in range(3):
        client.apps.create_deployment(app["id"], {})
    page1 = client.apps.list_deployments(app["id"], per_page=3, page=1)
    page2 = client.apps.list_deployments(app["id"], per_page=3, page=2)
    assert page1["meta"]["total"] == 4 and "next" in page1["links"]["pages"]
    assert [d["cause"] for d in page2["deployments"]] == ["initial deployment"]
    assert "prev" in page2["links"]["pages"]


def test_apps_paginate(client):
    for i in range(3):
        _create(client, spec={**SPEC, "name": f"app-{i}"})
    page2 = client.apps.list(per_page=2, page=2)
    assert [a["spec"]["name"] for a in page2["apps"]] == ["app-2"]
    assert page2["meta"]["total"] == 3


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda s: s.pop("name"), "spec.name"),
    (lambda s: s.update(name="Bad_Name"), "spec.name"),
    (lambda s: s.update(region="mars"), "spec.region"),
    (lambda s: s["services"][0].pop("name"), "spec.services[0].name"),
    (lambda s: s["services"][0].pop("image"), "spec.services[0]"),
    (lambda s: s["services"][0].update(instance_size_slug="huge"), "spec.services[0].instance_size_slug"),
    (lambda s: s["services"][0].update(instance_size_slug="apps-s-1vcpu-0.5gb"), "spec.services[0].instance_count"),
    (lambda s: s["static_sites"][0].update(name="api"), "spec.static_sites[0].name"),
    (lambda s: s["services"][0].update(autoscaling={"min_instance_count": 1, "max_instance_count": 3}),
     "spec.services[0].autoscaling"),
    (lambda s: s["alerts"].append({"rule": "SOMETIMES"}), "spec.alerts[2].rule"),
])
def test_spec_validation_names_the_field(client, mutate, field):
    spec = copy.deepcopy(SPEC)
    mutate(spec)
    with pytest.raises(HttpResponseError) as excinfo:
        client.apps.create({"spec": spec})
    status, error_id, message = api_error(excinfo)
    assert (status, error_id) == (422, "unprocessable_entity")
    assert message.startswith(field)
    assert client.apps.list()["apps"] == []


def test_app_names_are_unique(client):
    _create(client)
    with pytest.raises(HttpResponseError) as excinfo:
        _create(client)
    assert api_error(excinfo)[:2] == (409, "conflict")


def test_alerts_come_from_the_spec_and_take_destinations(client):
    app = _create(client)
    alerts = client.apps.list_alerts(app["id"])["alerts"]
    assert sorted((a.get("component_name", ""), a["spec"]["rule"]) for a in alerts) == [
        ("", "DEPLOYMENT_FAILED"), ("", "DOMAIN_FAILED"), ("api", "CPU_UTILIZATION")]
    failed = next(a for a in alerts if a["spec"]["rule"] == "DEPLOYMENT_FAILED")
    assigned = client.apps.assign_alert_destinations(app["id"], failed["id"], {
        "emails": ["ops@example.com"], "slack_webhooks": [{"url": "https://hooks.slack.com/x", "channel": "ops"}]})
    assert assigned["alert"]["emails"] == ["ops@example.com"]
    client.apps.update(app["id"], {"spec": SPEC})  # ids and destinations survive a spec update
    again = next(a for a in client.apps.list_alerts(app["id"])["alerts"] if a["id"] == failed["id"])
    assert again["slack_webhooks"] == [{"url": "https://hooks.slack.com/x", "channel": "ops"}]
    with pytest.raises(HttpResponseError) as excinfo:
        client.apps.assign_alert_destinations(app["id"], failed["id"], {"emails": ["not-an-email"]})
    assert api_error(excinfo)[2].startswith("emails")
    missing = client.apps.assign_alert_destinations(app["id"], "no-such-alert", {"emails": []})
    assert missing["id"] == "not_found"


def test_alert_destinations_in_the_spec_are_kept_and_applied(client):
    """The API keeps ``spec.alerts[].destinations`` (the OpenAPI description lacks the field) and its alerts
    carry them."""
    destinations = {"emails": ["ops@example.com"],
                    "slack_webhooks": [{"url": "https://hooks.slack.com/services/X", "channel": "@ops"}]}
    spec = copy.deepcopy(SPEC)
    spec["alerts"][0]["destinations"] = destinations
    spec["services"][0]["alerts"][0]["destinations"] = {"emails": ["api@example.com"]}
    app = _create(client, spec)
    got = client.apps.get(app["id"])["app"]["spec"]
    assert got["alerts"][0]["destinations"] == destinations
    assert got["services"][0]["alerts"][0]["destinations"] == {"emails": ["api@example.com"]}
    by_rule = {a["spec"]["rule"]: a for a in client.apps.list_alerts(app["id"])["alerts"]}
    assert by_rule["DEPLOYMENT_FAILED"]["emails"] == ["ops@example.com"]
    assert by_rule["DEPLOYMENT_FAILED"]["slack_webhooks"] == destinations["slack_webhooks"]
    assert by_rule["CPU_UTILIZATION"]["emails"] == ["api@example.com"]
    assert by_rule["DOMAIN_FAILED"]["emails"] == []
    spec["alerts"][0]["destinations"] = {"emails": ["not-an-email"]}
    with pytest.raises(HttpResponseError) as excinfo:
        client.apps.update(app["id"], {"spec": spec})
    assert api_error(excinfo)[2].startswith("spec.alerts[0].destinations.emails")


@pytest.mark.parametrize("components, rules", [
    ({"services": [{"name": "svc", "image": {"registry_type": "DOCKER_HUB", "registry": "caddy",
                                             "repository": "caddy"}}]},
     [{"match": {"path": {"prefix": "/"}}, "component": {"name": "svc"}}]),
    ({"services": [{"name": "go", "git": {"repo_clone_url": "https://github.com/x/go.git"},
                    "routes": [{"path": "/go"}]},
                   {"name": "py", "git": {"repo_clone_url": "https://github.com/x/py.git"},
                    "routes": [{"path": "/py", "preserve_path_prefix": True}]}]},
     [{"match": {"path": {"prefix": "/go"}}, "component": {"name": "go"}},
      {"match": {"path": {"prefix": "/py"}}, "component": {"name": "py", "preserve_path_prefix": True}}]),
    ({"workers": [{"name": "worker", "git": {"repo_clone_url": "https://github.com/x/w.git"}}]}, None)])
def test_the_api_adds_the_default_ingress_rules(client, components, rules):
    """As the provider's acceptance tests read back: spec.ingress.rules routes "/" (or each route) to the component."""
    app = _create(client, {"name": "routed", "region": "ams", **components})
    for answer in (app, client.apps.get(app["id"])["app"]):
        assert answer["spec"].get("ingress", {}).get("rules") == rules
    explicit = {"rules": [{"match": {"path": {"prefix": "/x"}}, "component": {"name": "svc"}}]}
    if "services" in components and len(components["services"]) == 1:
        spec = {"name": "routed", "region": "ams", **components, "ingress": explicit}
        assert client.apps.update(app["id"], {"spec": spec})["app"]["spec"]["ingress"] == explicit


def test_instance_sizes_regions_and_propose(client):
    sizes = client.apps.list_instance_sizes()["instance_sizes"]
    by_slug = {s["slug"]: s for s in sizes}
    assert by_slug["apps-s-1vcpu-1gb"]["usd_per_month"] == "12.00"
    assert by_slug["apps-s-1vcpu-0.5gb"]["single_instance_only"] is True
    assert client.apps.get_instance_size("apps-d-1vcpu-2gb")["instance_size"]["cpu_type"] == "DEDICATED"
    assert client.apps.get_instance_size("nope")["id"] == "not_found"
    assert "nyc" in [r["slug"] for r in client.apps.list_regions()["regions"]]
    proposal = client.apps.validate_app_spec({"spec": SPEC})
    assert proposal["app_name_available"] is True
    assert proposal["app_cost"] == 24  # 2 × $12; the static site is within the free three
    assert proposal["app_is_static"] is False
    _create(client)
    taken = client.apps.validate_app_spec({"spec": SPEC})
    assert taken["app_name_available"] is False and taken["app_name_suggestion"] == "web-2"


def test_state_file_keeps_apps_and_deployments_across_a_restart(tmp_path):
    state_file = str(tmp_path / "state.json")
    with EmulatorServer(state_file=state_file) as first:
        created = _create(make_client(token="t", endpoint=first.url))
    with EmulatorServer(state_file=state_file) as second:
        again = make_client(token="t", endpoint=second.url).apps.get(created["id"])["app"]
        assert again["active_deployment"]["id"] == created["pending_deployment"]["id"]
        assert again["spec"] == ANSWERED_SPEC


def test_the_api_gives_public_services_http_port_8080(client):
    """A service sent without http_port comes back with 8080 (the provider's App_makeServiceInternal acceptance
    test reads it); one with only internal_ports stays internal: no http_port and no ingress rule."""
    git = {"repo_clone_url": "https://github.com/x/go.git", "branch": "main"}
    app = _create(client, {"name": "ports", "region": "nyc", "services": [{"name": "go", "git": git}]})
    assert app["spec"]["services"][0]["http_port"] == 8080
    internal = {"name": "ports", "region": "nyc", "services": [{"name": "go", "git": git, "internal_ports": [8080]}]}
    updated = client.apps.update(app["id"], {"spec": internal})["app"]
    assert "http_port" not in updated["spec"]["services"][0] and "ingress" not in updated["spec"]
    explicit = {"name": "ports", "region": "nyc", "services": [{"name": "go", "git": git, "http_port": 3000}]}
    assert client.apps.update(app["id"], {"spec": explicit})["app"]["spec"]["services"][0]["http_port"] == 3000


def test_dedicated_egress_gives_the_app_static_addresses(client):
    """spec.egress.type DEDICATED_IP: the app answers with assigned dedicated_ips (the provider's App_Egress
    acceptance test reads dedicated_ips.0.ip), kept across updates and dropped with automatic egress."""
    spec = {**copy.deepcopy(SPEC), "egress": {"type": "DEDICATED_IP"}}
    app = _create(client, spec)
    ips = app["dedicated_ips"]
    assert ips and all(ip["ip"] and ip["id"] and ip["status"] == "ASSIGNED" for ip in ips)
    assert client.apps.get(app["id"])["app"]["dedicated_ips"] == ips
    spec["services"][0]["instance_count"] = 3
    assert client.apps.update(app["id"], {"spec": spec})["app"]["dedicated_ips"] == ips
    spec["egress"] = {"type": "AUTOASSIGN"}
    assert client.apps.update(app["id"], {"spec": spec})["app"]["dedicated_ips"] == []
    assert _create(client, {**copy.deepcopy(SPEC), "name": "plain"})["dedicated_ips"] == []
