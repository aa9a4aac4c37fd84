"""The emulator's shared plumbing: pagination, error bodies, faults, budget, headers, log, state file, threads."""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from azure.core.exceptions import HttpResponseError

from do_platform.api.client import make_client
from emulator import EmulatorServer
from emulator.core import state as state_module
from emulator.core.control import Faults

AUTH = {"Authorization": "Bearer core-test"}
CONTROL = {"X-Emulator-Control": "1"}  # control calls without a JSON body say what they are
REPO_ROOT = Path(__file__).resolve().parents[2]


def _get(emulator, path, **kw):
    return httpx.get(f"{emulator.url}{path}", headers=AUTH, **kw)


def _make_checks(emulator, n):
    backend = emulator.state.backend("uptime")
    with emulator.state.lock:
        return [backend.create_check({"name": f"c{i}", "target": "https://example.com"})["id"] for i in range(n)]


# -- pagination
def test_pagination_links_across_pages(emulator):
    ids = _make_checks(emulator, 45)
    first = _get(emulator, "/v2/uptime/checks").json()
    assert len(first["checks"]) == 20 and first["meta"]["total"] == 45  # default per_page
    pages = first["links"]["pages"]
    assert "prev" not in pages and "first" not in pages
    assert pages["next"].startswith(emulator.url) and "page=2" in pages["next"] and "page=3" in pages["last"]
    second = httpx.get(pages["next"], headers=AUTH).json()
    assert "page=1" in second["links"]["pages"]["prev"] and "page=3" in second["links"]["pages"]["next"]
    last = _get(emulator, "/v2/uptime/checks?page=3").json()
    assert "next" not in last["links"]["pages"] and "last" not in last["links"]["pages"]
    assert "page=2" in last["links"]["pages"]["prev"]
    walked = [c["id"] for p in (first, second, last) for c in p["checks"]]
    assert walked == ids


def test_per_page_is_capped_at_200(emulator):
    _make_checks(emulator, 205)
    body = _get(emulator, "/v2/uptime/checks?per_page=500").json()
    assert len(body["checks"]) == 200 and body["meta"]["total"] == 205
    assert "per_page=200" in body["links"]["pages"]["next"] and "page=2" in body["links"]["pages"]["last"]


def test_single_page_and_beyond_last_page(emulator):
    _make_checks(emulator, 3)
    assert _get(emulator, "/v2/uptime/checks").json()["links"] == {}
    beyond = _get(emulator, "/v2/uptime/checks?page=9&per_page=2").json()
    assert beyond["checks"] == [] and "page=2" in beyond["links"]["pages"]["prev"]


@pytest.mark.parametrize("query, needle", [("page=0", "page must be >= 1"),
                                           ("per_page=x", "per_page must be an integer")])
def test_bad_paging_arguments_are_422(emulator, query, needle):
    response = _get(emulator, f"/v2/uptime/checks?{query}")
    assert response.status_code == 422 and needle in response.json()["message"]


# -- error bodies
def _assert_error(response, status, error_id):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"id", "message", "request_id"} and body["id"] == error_id
    assert body["request_id"] == response.headers["x-request-id"]


def test_error_bodies(emulator):
    _assert_error(httpx.get(f"{emulator.url}/v2/firewalls"), 401, "unauthorized")
    _assert_error(httpx.get(f"{emulator.url}/v2/firewalls", headers={"Authorization": "Basic abc"}), 401,
                  "unauthorized")
    _assert_error(_get(emulator, "/v2/no-such-thing"), 404, "not_found")
    _assert_error(_get(emulator, "/v2/firewalls/missing"), 404, "not_found")
    _assert_error(httpx.patch(f"{emulator.url}/v2/firewalls", headers=AUTH, json={}), 405, "method_not_allowed")
    _assert_error(httpx.post(f"{emulator.url}/v2/firewalls", headers=AUTH, content=b"{nope"), 422,
                  "unprocessable_entity")
    _assert_error(httpx.post(f"{emulator.url}/v2/firewalls", headers=AUTH, json=[1]), 422, "unprocessable_entity")


# -- faults
def _fault(emulator, **body):
    response = httpx.post(f"{emulator.url}/_emulator/faults", json=body)
    assert response.status_code == 201, response.text
    return response.json()["fault"]


def test_429_storm_recovers_through_factory_retries(emulator, client):
    _fault(emulator, match=r"^GET /v2/account", status=429, count=3, retry_after=0)
    assert client.account.get()["account"]["status"] == "active"
    log = httpx.get(f"{emulator.url}/_emulator/requests", headers=CONTROL).json()
    assert log["by_route"]["GET /v2/account"] == 4
    assert log["by_status"] == {"200": 1, "429": 3}
    assert httpx.get(f"{emulator.url}/_emulator/faults", headers=CONTROL).json()["faults"] == []  # count used up


def test_429_carries_retry_after_and_error_body(emulator):
    _fault(emulator, match="/v2/account", status=429, count=1, retry_after=7)
    response = _get(emulator, "/v2/account")
    _assert_error(response, 429, "too_many_requests")
    assert response.headers["retry-after"] == "7"
    assert _get(emulator, "/v2/account").status_code == 200


def test_5xx_is_retried_and_surfaces_when_retries_are_off(emulator, client):
    _fault(emulator, match="/v2/account", status=500, count=1)
    assert client.account.get()["account"]["status"] == "active"
    _fault(emulator, match="/v2/account", status=502)
    strict = make_client(token="t", endpoint=emulator.url, retry_total=0)
    with pytest.raises(HttpResponseError) as err:
        strict.account.get()
    assert err.value.status_code == 502 and err.value.response.json()["id"] == "server_error"
    assert "retry-after" not in err.value.response.headers


def test_retry_after_only_on_429_and_503(emulator):
    for status in (404, 500, 503, 429):
        emulator.control.faults.clear()
        _fault(emulator, match="/v2/account", status=status, retry_after=2)
        response = _get(emulator, "/v2/account")
        assert response.status_code == status
        assert ("retry-after" in response.headers) == (status in (429, 503)), status


def test_added_latency(emulator):
    _fault(emulator, match="/v2/account", latency_ms=150)
    started = time.perf_counter()
    assert _get(emulator, "/v2/account").status_code == 200
    assert time.perf_counter() - started >= 0.15
    # only matching routes are slowed (checked on the rule itself: wall-clock upper bounds are flaky on busy CI)
    assert emulator.control.faults.pick("GET /v2/firewalls?") == (0, None)
    assert emulator.control.faults.pick("GET /v2/account?") == (150, None)


def test_probability_and_count(emulator):
    _fault(emulator, match="/v2/account", status=503, probability=0.0)
    assert all(_get(emulator, "/v2/account").status_code == 200 for _ in range(5))
    emulator.control.faults.clear()
    _fault(emulator, match="/v2/account", status=503, count=2)
    statuses = [_get(emulator, "/v2/account").status_code for _ in range(4)]
    assert statuses == [503, 503, 200, 200]


def test_probability_is_honoured_statistically():
    faults = Faults(seed=42)
    faults.add(match="x", status=500, probability=0.25)
    hits = sum(faults.pick("GET x")[1] is not None for _ in range(2000))
    assert 400 < hits < 600


@pytest.mark.parametrize("body, field", [
    ({"status": 200}, "status"), ({"status": "500"}, "status"), ({"match": "("}, "match"), ({"match": 5}, "match"),
    ({"probability": 2}, "probability"), ({"probability": "x"}, "probability"), ({"count": 0}, "count"),
    ({"latency_ms": -5}, "latency_ms"), ({"retry_after": "soon"}, "retry_after"), ({"message": 3}, "message"),
    ({"colour": "red"}, "colour")])
def test_bad_fault_definitions_are_422_naming_the_field(emulator, body, field):
    response = httpx.post(f"{emulator.url}/_emulator/faults", json=body)
    assert response.status_code == 422 and field in response.json()["message"]
    assert httpx.get(f"{emulator.url}/_emulator/faults", headers=CONTROL).json()["faults"] == []


@pytest.mark.parametrize("path, body, field", [
    ("/_emulator/budget", {"requests_per_minute": "5"}, "requests_per_minute"),
    ("/_emulator/budget", {"requests_per_minute": 0}, "requests_per_minute"),
    ("/_emulator/config", {"lifecycle_delay": "x"}, "lifecycle_delay"),
    ("/_emulator/config", {"lifecycle_delay": -1}, "lifecycle_delay"),
    ("/_emulator/config", {"token": 5}, "token"),
    ("/_emulator/config", {"lifecycle_dealy": 5}, "lifecycle_dealy"),
    ("/_emulator/budget", {"requests_per_hour": "lots"}, "requests_per_hour"),
    ("/_emulator/budget", {"per_minute": 5}, "per_minute")])
def test_bad_control_settings_are_422_naming_the_field(emulator, path, body, field):
    response = httpx.put(f"{emulator.url}{path}", json=body)
    assert response.status_code == 422 and field in response.json()["message"]
    assert _get(emulator, "/v2/account").status_code == 200  # nothing changed


@pytest.mark.parametrize("family, body, field", [
    ("account", {"droplet_limit": "lots"}, "droplet_limit"),
    ("account", {"team": "t"}, "team"),
    ("registry", {"registry": "r", "pushes": [{"repository": "web", "age_days": "abc"}]}, "pushes[0].age_days"),
    ("registry", {"registry": "r", "pushes": [{"repository": "web", "at": "yesterday"}]}, "pushes[0].at"),
    ("registry", {"registry": "r", "generate": {"repositories": "many"}}, "generate.repositories"),
    ("registry", {"registry": "r", "pushes": [{"repository": "web", "tags": "abc"}]}, "pushes[0].tags"),
    ("registry", {"registry": "r", "pushes": [{"repository": "web", "platforms": "amd64"}]}, "pushes[0].platforms"),
    ("registry", {"registry": "r", "pushes": [{"repository": "web", "digest": "sha256:nothex"}]}, "pushes[0].digest"),
    ("registry", {"registry": 5}, "registry"),
    ("droplets", {"count": True}, "count"),
    ("droplets", {"name_prefix": ["x"]}, "name_prefix"),
    ("catalog", {"regions": {"nyc3": {"available": "no"}}}, "regions.nyc3.available"),
    ("catalog", {"sizes": {"s-1vcpu-1gb": []}}, "sizes"),
    ("domains", {"domains": [{"name": "a.example", "records": "x"}]}, "domains[0].records"),
    ("domains", {"domains": "a.example"}, "domains"),
    ("databases", {"versions": {"pg": "15"}}, "versions.pg"),
    ("databases", {"versions": {"oracle": ["19"]}}, "oracle"),
    ("databases", {"clusters": ["x"]}, "clusters[0]")])
def test_seeds_with_wrong_types_are_422_naming_the_field_and_change_nothing(emulator, family, body, field):
    before = emulator.control.state.dump()
    response = httpx.post(f"{emulator.url}/_emulator/seed/{family}", json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["message"]
    assert emulator.control.state.dump() == before
    assert _get(emulator, "/v2/account").status_code == 200  # and the emulator still answers


def test_a_domains_seed_is_all_or_nothing(emulator):
    body = {"domains": [{"name": "good.example"}, {"name": "bad.example", "records": [{"type": "A"}]}]}
    assert httpx.post(f"{emulator.url}/_emulator/seed/domains", json=body).status_code == 422
    assert _get(emulator, "/v2/domains").json()["domains"] == []


# -- budget and headers
def test_hourly_budget_is_reported_not_enforced_by_default_and_settable(emulator):
    first = _get(emulator, "/v2/account")
    assert first.headers["ratelimit-limit"] == "5000"
    emulator.state.settings.ratelimit_limit = 2  # the reported figure alone never throttles a long rehearsal
    try:
        assert [_get(emulator, "/v2/account").status_code for _ in range(4)] == [200] * 4
    finally:
        emulator.state.settings.ratelimit_limit = 5000
    budget = httpx.put(f"{emulator.url}/_emulator/budget", json={"requests_per_hour": 2})
    assert budget.json() == {"requests_per_minute": None, "requests_per_hour": 2, "reported_per_hour": 2}
    answers = [_get(emulator, "/v2/account") for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[0].headers["ratelimit-limit"] == "2" and answers[1].headers["ratelimit-remaining"] == "0"
    assert 1 <= int(answers[2].headers["retry-after"]) <= 3600
    httpx.put(f"{emulator.url}/_emulator/budget", json={"requests_per_hour": None})
    assert _get(emulator, "/v2/account").status_code == 200
    assert httpx.get(f"{emulator.url}/_emulator/budget", headers=CONTROL).json()["requests_per_hour"] is None


def test_hourly_budget_from_the_command_line(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--requests-per-hour", "2"],
                            stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    try:
        line = proc.stdout.readline()
        url = line.split("listening on ")[1].split()[0]
        answers = [httpx.get(f"{url}/v2/account", headers=AUTH) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        assert answers[0].headers["ratelimit-limit"] == "2"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_requests_per_minute_budget_answers_429(emulator):
    assert httpx.put(f"{emulator.url}/_emulator/budget", json={"requests_per_minute": 3}).status_code == 200
    statuses = []
    for _ in range(4):
        response = _get(emulator, "/v2/account")
        statuses.append(response.status_code)
    assert statuses == [200, 200, 200, 429]
    assert response.headers["ratelimit-limit"] == "3" and response.headers["ratelimit-remaining"] == "0"
    assert 1 <= int(response.headers["retry-after"]) <= 60
    _assert_error(response, 429, "too_many_requests")
    httpx.put(f"{emulator.url}/_emulator/budget", json={"requests_per_minute": None})
    assert _get(emulator, "/v2/account").status_code == 200


def test_ratelimit_headers_are_integers_and_count_down(emulator):
    first = _get(emulator, "/v2/account")
    second = _get(emulator, "/v2/account")
    for response in (first, second):
        for name in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
            assert response.headers[name].isdigit(), name
        assert "retry-after" not in response.headers
    assert int(second.headers["ratelimit-remaining"]) == int(first.headers["ratelimit-remaining"]) - 1
    assert int(first.headers["ratelimit-reset"]) > time.time()


# -- request log and control API
def test_request_log_counts_per_route(emulator):
    for _ in range(3):
        _get(emulator, "/v2/firewalls/a")
    _get(emulator, "/v2/firewalls/b")
    _get(emulator, "/v2/firewalls")
    log = httpx.get(f"{emulator.url}/_emulator/requests", headers=CONTROL).json()
    assert log["by_route"]["GET /v2/firewalls/{firewall_id}"] == 4
    assert log["by_route"]["GET /v2/firewalls"] == 1 and log["total"] == 5
    assert log["entries"][-1]["path"] == "/v2/firewalls"
    assert httpx.delete(f"{emulator.url}/_emulator/requests", headers=CONTROL).status_code == 204
    assert httpx.get(f"{emulator.url}/_emulator/requests", headers=CONTROL).json()["total"] == 0


def test_control_reset_seed_config_and_state(emulator, client):
    seeded = httpx.post(f"{emulator.url}/_emulator/seed/domains", json={"domains": [{"name": "seed.example"}]})
    assert seeded.status_code == 200 and seeded.json()["seeded"] == {"domains": ["seed.example"]}
    assert httpx.post(f"{emulator.url}/_emulator/seed/nope", json={}).status_code == 422
    state = httpx.get(f"{emulator.url}/_emulator/state", headers=CONTROL).json()
    assert "seed.example" in state["families"]["domains"]["domains"]
    config = httpx.put(f"{emulator.url}/_emulator/config", json={"lifecycle_delay": 5})
    assert config.json() == {"lifecycle_delay": 5.0}
    assert httpx.post(f"{emulator.url}/_emulator/reset", headers=CONTROL).json() == {"reset": True}
    assert client.domains.list()["domains"] == []


def test_control_calls_without_json_or_the_control_header_are_refused(emulator):
    """A web page can send a form or a simple GET to 127.0.0.1, never a JSON body or a custom header."""
    url = f"{emulator.url}/_emulator"
    for method, path, extra in [("POST", "/reset", {}), ("GET", "/state", {}), ("GET", "/requests", {}),
                                ("POST", "/seed/account", {"content": '{"droplet_limit": 1}',
                                                           "headers": {"Content-Type": "text/plain"}}),
                                ("PUT", "/config", {"content": "lifecycle_delay=5",
                                                    "headers": {"Content-Type": "application/x-www-form-urlencoded"}})]:
        refused = httpx.request(method, url + path, **extra)
        assert refused.status_code == 403, (method, path)
        assert "X-Emulator-Control" in refused.json()["message"]
    assert emulator.state.backend("account").get()["droplet_limit"] != 1
    assert emulator.state.settings.lifecycle_delay == 0
    assert httpx.post(f"{url}/seed/account", json={"droplet_limit": 7}).status_code == 200
    assert httpx.get(f"{url}/state", headers={"x-emulator-control": "yes"}).status_code == 200


def test_links_use_the_served_address_and_resource_urls_the_apis(emulator, client):
    """Pagination links: the address the emulator serves on, whatever ``Host`` says (clients follow them).
    Resource URLs (action href, project resource self, tag last_tagged_uri): the API's canonical URL."""
    for i in range(3):
        client.tags.create({"name": f"t{i}"})
    page = httpx.get(f"{emulator.url}/v2/tags?per_page=1", headers={**AUTH, "Host": "evil.example:80"}).json()
    assert page["links"]["pages"]["next"].startswith(f"{emulator.url}/v2/tags?")
    created = client.droplets.create({"name": "d", "region": "nyc3", "size": "s-1vcpu-1gb",
                                      "image": "ubuntu-24-04-x64", "tags": ["web"]})
    droplet_id = created["droplet"]["id"]
    action_id = created["links"]["actions"][0]["id"]
    assert created["links"]["actions"][0]["href"] == f"https://api.digitalocean.com/v2/actions/{action_id}"
    tag = client.tags.get("web")["tag"]["resources"]
    assert tag["last_tagged_uri"] == f"https://api.digitalocean.com/v2/droplets/{droplet_id}"
    assert tag["droplets"]["last_tagged_uri"] == tag["last_tagged_uri"]
    resources = client.projects.list_resources_default()["resources"]
    assert f"https://api.digitalocean.com/v2/droplets/{droplet_id}" in [r["links"]["self"] for r in resources]


# -- persistence
def test_state_file_survives_restart_in_process(tmp_path):
    state_file = str(tmp_path / "world.json")
    with EmulatorServer(state_file=state_file) as first:
        api = make_client(token="t", endpoint=first.url)
        fw = api.firewalls.create({"name": "kept"})["firewall"]
        api.domains.create({"name": "kept.example"})
    with open(state_file, encoding="utf-8") as fh:
        assert json.load(fh)["version"] == 1
    with EmulatorServer(state_file=state_file) as second:
        api = make_client(token="t", endpoint=second.url)
        assert api.firewalls.get(fw["id"])["firewall"]["name"] == "kept"
        records = api.domains.list_records("kept.example")["domain_records"]
        new = api.domains.create_record("kept.example", {"type": "A", "name": "x", "data": "192.0.2.1"})
        assert new["domain_record"]["id"] > max(r["id"] for r in records)  # id counters persisted too


def _start_process(state_file):
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--state-file", state_file],
                            stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    line = proc.stdout.readline()
    assert "listening on" in line, line
    return proc, line.split("listening on ")[1].split()[0]


def test_state_file_survives_a_new_server_process(tmp_path):
    state_file = str(tmp_path / "world.json")
    proc, url = _start_process(state_file)
    try:
        created = httpx.post(f"{url}/v2/uptime/checks", headers=AUTH,
                             json={"name": "persisted", "target": "https://example.com"}).json()["check"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    proc, url = _start_process(state_file)
    try:
        again = httpx.get(f"{url}/v2/uptime/checks/{created['id']}", headers=AUTH)
        assert again.status_code == 200 and again.json()["check"]["name"] == "persisted"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


# -- concurrency
def test_concurrent_creates_get_unique_ids(emulator):
    results: list = []
    errors: list = []

    def worker(n):
        with httpx.Client(headers=AUTH) as http:
            for i in range(20):
                response = http.post(f"{emulator.url}/v2/firewalls", json={"name": f"fw-{n}-{i}"})
                (results if response.status_code == 202 else errors).append(response)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ids = [r.json()["firewall"]["id"] for r in results]
    assert len(ids) == len(set(ids)) == 160
    assert _get(emulator, "/v2/firewalls").json()["meta"]["total"] == 160


# -- docs
def test_endpoint_table_in_docs_is_current():
    from emulator import docs

    current = docs.DOC.read_text(encoding="utf-8")
    assert docs.splice(current, docs.render()) == current, "docs/emulator.md is stale: run python -m emulator.docs"


def test_sub_second_lifecycle_delays_are_honoured():
    import time

    from emulator.core.state import Settings, State, schedule, settle

    state = State([], settings=Settings(lifecycle_delay=0.3))
    record = {"status": "new"}
    schedule(state, record, {"status": "active"})
    assert settle(state, record)["status"] == "new"
    time.sleep(0.35)
    assert settle(state, record)["status"] == "active"


def test_reset_keeps_the_id_seed():
    from emulator.core.state import State

    seeded = State([], seed=7)
    first = [seeded.ids.uuid() for _ in range(3)]
    seeded.reset()
    assert [seeded.ids.uuid() for _ in range(3)] == first  # the conftest's seeded emulator stays reproducible


def test_replies_share_nothing_with_the_live_state(emulator, client):
    """The calls that used to hand out live dicts; tests/emulator/conftest.py fails the test if one still does."""
    droplet = client.droplets.create({"name": "d", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64",
                                      "backups": True, "backup_policy": {"plan": "daily", "hour": 4}})["droplet"]
    client.droplets.get_backup_policy(droplet["id"])
    client.droplets.list_backup_policies()
    db = client.databases.create_cluster({"name": "db", "engine": "pg", "version": "17", "size": "db-s-1vcpu-1gb",
                                          "region": "nyc3", "num_nodes": 1})["database"]
    client.databases.add_user(db["id"], {"name": "app", "settings": {"pg_allow_replication": True}})
    client.databases.get_user(db["id"], "app")
    client.databases.list_users(db["id"])
    client.databases.get_cluster(db["id"])
    assert httpx.get(f"{emulator.url}/_emulator/state", headers=CONTROL).status_code == 200
    assert httpx.post(f"{emulator.url}/_emulator/seed/account", json={"droplet_limit": 30}).status_code == 200

def test_tag_lists_compare_names_case_insensitively():
    from emulator.core.tagging import with_tag

    assert with_tag(["Web", "db"], "web", True) == ["Web", "db"]  # the first spelling wins
    assert with_tag(["Web", "db"], "cache", True) == ["Web", "db", "cache"]
    assert with_tag(["Web", "db"], "WEB", False) == ["db"]
    assert with_tag([], "web", False) == []


@pytest.mark.parametrize("status, error_id", [(404, "not_found"), (422, "unprocessable_entity"), (403, "forbidden"),
                                              (502, "server_error"), (418, "error")])
def test_injected_faults_carry_the_apis_error_id(emulator, status, error_id):
    _fault(emulator, match="/v2/account", status=status, count=1)
    response = _get(emulator, "/v2/account")
    _assert_error(response, status, error_id)  # an injected 404 reads as "gone" to clients checking the id
    assert response.json()["message"] == f"Injected fault ({status})"


def test_a_failed_state_write_keeps_changes_pending_and_leaves_no_temp_file(tmp_path):
    from emulator.core.state import State

    state = State([])
    blocked = tmp_path / "world.json"
    blocked.mkdir()  # os.replace onto a directory fails
    state.state_file = str(blocked)
    state.mark_dirty()
    with pytest.raises(OSError):
        state.flush()
    assert [p.name for p in tmp_path.iterdir()] == ["world.json"]
    state.state_file = str(tmp_path / "ok.json")
    assert state.flush() is True and json.loads((tmp_path / "ok.json").read_text())["version"] == 1


def test_the_compactor_reports_a_failed_write_and_keeps_going(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(state_module, "COMPACT_EVERY", 1)
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    world = tmp_path / "world.json"
    with EmulatorServer(state_file=str(world), flush_interval=0.02) as server:
        server.state.state_file = str(blocked)
        assert httpx.post(f"{server.url}/v2/tags", headers=AUTH, json={"name": "kept"}).status_code == 201
        deadline = time.monotonic() + 5
        reported = False
        while not reported and time.monotonic() < deadline:
            time.sleep(0.02)
            reported = f"cannot write the state file {blocked}" in capsys.readouterr().err
        assert reported
        server.state.state_file = str(world)
        while json.loads(world.read_text()).get("journal_seq", 0) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert json.loads(world.read_text())["journal_seq"] == 1
        assert "kept" in json.loads(world.read_text())["families"]["tags"]["tags"]


@pytest.mark.parametrize("content, needle", [("{bad", "cannot be read"), ("[1]", "is not an emulator state file")])
def test_an_unreadable_state_file_is_a_clear_start_up_error(tmp_path, content, needle):
    state_file = tmp_path / "world.json"
    state_file.write_text(content)
    proc = subprocess.run([sys.executable, "-m", "emulator", "--port", "0", "--state-file", str(state_file)],
                          capture_output=True, text=True, cwd=REPO_ROOT, timeout=30)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"--state-file: state file {state_file} {needle}" in proc.stderr


@pytest.mark.parametrize("flags, needle", [(["--delay", "-1"], "--delay must be >= 0"),
                                           (["--requests-per-minute", "0"], "--requests-per-minute must be >= 1"),
                                           (["--requests-per-hour", "0"], "--requests-per-hour must be >= 1")])
def test_bad_flags_are_refused(flags, needle):
    proc = subprocess.run([sys.executable, "-m", "emulator", "--port", "0", *flags], capture_output=True, text=True,
                          cwd=REPO_ROOT, timeout=30)
    assert proc.returncode == 2 and needle in proc.stderr


def test_seeding_a_family_without_seeds_is_422_listing_those_with_seeds(emulator):
    response = httpx.post(f"{emulator.url}/_emulator/seed/actions", json={})
    assert response.status_code == 422
    message = response.json()["message"]
    assert "'actions' has no seed support" in message and "'registry'" in message and "'droplets'" in message


@pytest.mark.parametrize("body, needle", [
    ({"spec": {"name": "shop", "region": ["nyc"]}}, "spec.region must be one of"),
    ({"spec": {"name": "shop", "services": [{"name": "web", "instance_size_slug": {"slug": "x"},
                                             "image": {"registry_type": "DOCR", "repository": "web"}}]}},
     "instance_size_slug"),
])
def test_a_list_or_object_where_an_enum_value_belongs_is_422_not_500_for_apps(emulator, body, needle):
    response = httpx.post(f"{emulator.url}/v2/apps", headers=AUTH, json=body)
    assert response.status_code == 422 and needle in response.json()["message"]


def test_a_list_or_object_where_an_enum_value_belongs_is_422_not_500(emulator):
    volume = httpx.post(f"{emulator.url}/v2/volumes", headers=AUTH,
                        json={"name": "v", "region": "nyc3", "size_gigabytes": 10}).json()["volume"]
    response = httpx.post(f"{emulator.url}/v2/volumes/{volume['id']}/actions", headers=AUTH, json={"type": ["attach"]})
    assert response.status_code == 422 and "type must be one of attach, detach, resize" in response.json()["message"]
    httpx.post(f"{emulator.url}/v2/tags", headers=AUTH, json={"name": "web"})
    response = httpx.post(f"{emulator.url}/v2/tags/web/resources", headers=AUTH,
                          json={"resources": [{"resource_id": "1", "resource_type": ["droplet"]}]})
    assert response.status_code == 422 and "is not taggable" in response.json()["message"]
    response = httpx.post(f"{emulator.url}/v2/load_balancers", headers=AUTH,
                          json={"name": "lb", "region": "nyc3", "size": {"unit": 1}})
    assert response.status_code == 422 and "size must be one of" in response.json()["message"]


def test_an_api_path_with_an_empty_trailing_id_is_404_not_the_collection(emulator):
    """godo formats `/v2/monitoring/alerts/%s`; with an empty uuid (the provider's monitor alert destroy check
    reads a `uuid` attribute it never sets) the API answers 404, not the list."""
    assert _get(emulator, "/v2/monitoring/alerts").status_code == 200
    trailing = _get(emulator, "/v2/monitoring/alerts/")
    assert trailing.status_code == 404 and trailing.json()["id"] == "not_found"
    assert _get(emulator, "/v2/droplets/").status_code == 404
