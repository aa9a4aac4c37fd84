"""Durability with --state-file: every acknowledged mutation survives ``kill -9``, ids are never reused."""

import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from emulator import EmulatorServer

AUTH = {"Authorization": "Bearer journal-test"}
REPO_ROOT = Path(__file__).resolve().parents[2]
CREATES = 200


def _start(state_file: Path) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", "--state-file", str(state_file)],
                            stdout=subprocess.PIPE, text=True, cwd=REPO_ROOT)
    line = proc.stdout.readline()
    assert "listening on" in line, line
    return proc, line.split("listening on ")[1].split()[0]


def _droplet(http: httpx.Client, i: int, vpc_id: str) -> dict:
    response = http.post("/v2/droplets", json={"name": f"d{i}", "region": "nyc3", "size": "s-1vcpu-1gb",
                                               "image": "ubuntu-24-04-x64", "vpc_uuid": vpc_id, "tags": ["kept"]})
    assert response.status_code == 202, response.text
    return response.json()["droplet"]


def test_acknowledged_creates_survive_sigkill_and_ids_are_not_reused(tmp_path):
    state_file = tmp_path / "world.json"
    proc, url = _start(state_file)
    try:
        seeded = httpx.post(f"{url}/_emulator/seed/account", json={"droplet_limit": 1000})
        assert seeded.status_code == 200
        with httpx.Client(base_url=url, headers=AUTH) as http:
            vpc = http.post("/v2/vpcs", json={"name": "net", "region": "nyc3"}).json()["vpc"]
            default_project = http.get("/v2/projects/default").json()["project"]["id"]
            with ThreadPoolExecutor(4) as pool:
                acked = list(pool.map(lambda i: _droplet(http, i, vpc["id"]), range(CREATES)))
    finally:
        proc.send_signal(signal.SIGKILL)  # right after the last 202: no shutdown, no compaction
        proc.wait(timeout=10)
    assert os.path.getsize(f"{state_file}.journal") > 0

    proc, url = _start(state_file)
    try:
        with httpx.Client(base_url=url, headers=AUTH) as http:
            listed = http.get("/v2/droplets", params={"per_page": 200}).json()
            assert listed["meta"]["total"] == CREATES
            kept = {d["id"]: d for d in listed["droplets"]}
            for droplet in acked:
                again = kept[droplet["id"]]
                for field in ("name", "created_at", "vpc_uuid", "networks", "tags"):
                    assert again[field] == droplet[field], (droplet["id"], field)
            assert http.get("/v2/projects/default").json()["project"]["id"] == default_project
            members = http.get(f"/v2/vpcs/{vpc['id']}/members", params={"per_page": 200}).json()
            assert members["meta"]["total"] == CREATES
            assert http.get("/v2/tags/kept").json()["tag"]["resources"]["droplets"]["count"] == CREATES
            assert http.get("/v2/account").json()["account"]["droplet_limit"] == 1000  # the seed too
            new = _droplet(http, CREATES, vpc["id"])
            assert new["id"] > max(kept)
            addresses = {n["ip_address"] for d in [*acked, new] for n in d["networks"]["v4"]}
            assert len(addresses) == 2 * (CREATES + 1)  # no address handed out twice either
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert json.loads(state_file.read_text())["journal_seq"] >= CREATES + 3  # compacted on a clean stop
    assert os.path.getsize(f"{state_file}.journal") == 0


def test_a_torn_last_line_is_dropped_and_the_rest_replayed(tmp_path):
    state_file = tmp_path / "world.json"
    with EmulatorServer(state_file=str(state_file)) as server:
        with httpx.Client(base_url=server.url, headers=AUTH) as http:
            assert http.post("/v2/tags", json={"name": "whole"}).status_code == 201
        server.state.journal.close()
        server.state.journal = None  # as if killed: no compaction at stop
        server.state._dirty = False
    journal = Path(f"{state_file}.journal")
    whole = journal.read_bytes()
    journal.write_bytes(whole + b'{"kind":"request","method":"POST","path":"/v2/tags","bo')
    with EmulatorServer(state_file=str(state_file)) as server, \
            httpx.Client(base_url=server.url, headers=AUTH) as http:
        assert [t["name"] for t in http.get("/v2/tags").json()["tags"]] == ["whole"]
    assert journal.read_bytes() == b""  # replayed, compacted, the torn line gone


def test_reads_and_refused_requests_are_not_journaled(tmp_path):
    state_file = tmp_path / "world.json"
    with EmulatorServer(state_file=str(state_file)) as server, \
            httpx.Client(base_url=server.url, headers=AUTH) as http:
        http.get("/v2/account")
        http.get("/v2/tags")
        assert http.post("/v2/tags", json={"name": ""}).status_code == 422
        assert server.state.journal.last_seq == 0
        http.get("/v2/vpcs/" + "0" * 8)
        http.post("/v2/vpcs", json={"name": "n", "region": "ams3"})  # makes ams3's default VPC too
        assert server.state.journal.last_seq == 1


def test_replay_sees_the_headers_a_handler_reads_never_the_token(tmp_path):
    """The dangerous pool delete reads X-Dangerous: its journal line carries it (and not the bearer token)."""
    state_file = tmp_path / "world.json"
    with EmulatorServer(state_file=str(state_file)) as server, \
            httpx.Client(base_url=server.url, headers=AUTH) as http:
        template = {"region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64", "ssh_keys": []}
        pool = http.post("/v2/droplets/autoscale", json={"name": "p", "config": {"target_number_instances": 1},
                                                         "droplet_template": template}).json()["autoscale_pool"]
        deleted = http.delete(f"/v2/droplets/autoscale/{pool['id']}/dangerous", headers={"X-Dangerous": "true"})
        assert deleted.status_code == 202
        server.state.journal.close()
        server.state.journal = None  # as if killed: no compaction at stop
        server.state._dirty = False
    journal = Path(f"{state_file}.journal").read_text()
    assert '"x-dangerous":"true"' in journal and "journal-test" not in journal
    with EmulatorServer(state_file=str(state_file)) as server, \
            httpx.Client(base_url=server.url, headers=AUTH) as http:
        assert http.get(f"/v2/droplets/autoscale/{pool['id']}").status_code == 404
        assert http.get("/v2/droplets").json()["droplets"] == []
