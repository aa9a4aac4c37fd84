"""The droplet metadata self-check script against the emulator's metadata service.

The script runs as a subprocess with ``python -I -S`` (no site-packages, no project on the path): that
is how it runs on a fresh droplet, so an import outside the standard library fails these tests.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "components" / "templates" / "metadata_selfcheck.py"
CIDR = "10.110.0.0/20"


def run(url: str | None, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-I", "-S", str(SCRIPT), "--retries", "0", "--timeout", "2", *args]
    if url is not None:
        cmd += ["--url", url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30, env=env or {"PATH": "/usr/bin:/bin"})


def expected(env: str = "dev", region: str = "nyc3", cidr: str = CIDR, hostname: str = "dev-web-*") -> list[str]:
    return ["--env", env, "--region", region, "--vpc-cidr", cidr, "--hostname", hostname]


@pytest.fixture
def web_droplet(client):
    """A web droplet as WebCluster creates it: in the stack's VPC, with the env, component and web tags."""
    vpc = client.vpcs.create({"name": "dev-network-vpc", "region": "nyc3", "ip_range": CIDR})["vpc"]
    body = {"name": "dev-web-0", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64",
            "vpc_uuid": vpc["id"], "tags": ["component:web-cluster", "dev-web-web", "env:dev"], "monitoring": True}
    droplet = client.droplets.create(body)["droplet"]
    # another droplet created later: the metadata service would answer for it unless told which one
    client.droplets.create({**body, "name": "other-0", "tags": ["env:other"], "vpc_uuid": None})
    return droplet


def url_for(emulator, droplet) -> str:
    return f"{emulator.url}/metadata/v1.json?droplet_id={droplet['id']}"


def test_a_droplet_as_the_stack_meant_it_passes(emulator, web_droplet):
    result = run(url_for(emulator, web_droplet), *expected(), "--tag", "dev-web-web")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["ok   tag env:dev: present", "ok   tag dev-web-web: present", "ok   region: nyc3"]
    assert lines[3].startswith("ok   private interface: 10.110.") and lines[3].endswith("in 10.110.0.0/20")
    assert lines[4] == "ok   hostname: dev-web-0"
    assert lines[-1] == f"metadata self-check passed for droplet {web_droplet['id']}"


@pytest.mark.parametrize(("args", "why"), [
    (expected(env="prod"), "FAIL tag env:prod: missing (droplet has component:web-cluster, dev-web-web, env:dev)"),
    (expected(region="fra1"), "FAIL region: nyc3, expected fra1"),
    (expected(cidr="10.120.0.0/20"), "not in the VPC range 10.120.0.0/20"),
    (expected(hostname="dev-web-1"), "FAIL hostname: dev-web-0, expected dev-web-1"),
    ([*expected(), "--tag", "dev-network-member"], "FAIL tag dev-network-member: missing"),
])
def test_each_mismatch_fails_and_says_why(emulator, web_droplet, args, why):
    result = run(url_for(emulator, web_droplet), *args)
    assert result.returncode == 1
    assert why in result.stdout
    assert "metadata self-check FAILED" in result.stdout
    assert sum(line.startswith("FAIL") for line in result.stdout.splitlines()) == 1  # only that one check


def test_without_droplet_id_the_latest_droplet_answers_and_fails(emulator, web_droplet):
    result = run(f"{emulator.url}/metadata/v1.json", *expected())
    assert result.returncode == 1
    assert "FAIL tag env:dev: missing (droplet has env:other)" in result.stdout
    assert "FAIL hostname: other-0, expected dev-web-*" in result.stdout


def test_url_from_the_environment_and_json_output(emulator, web_droplet):
    env = {"PATH": "/usr/bin:/bin", "DO_PLATFORM_METADATA_URL": url_for(emulator, web_droplet)}
    result = run(None, *expected(), "--json", env=env)
    assert result.returncode == 0, result.stdout
    doc = json.loads(result.stdout)
    assert doc["passed"] is True and doc["droplet_id"] == web_droplet["id"]
    assert [c["ok"] for c in doc["checks"]] == [True, True, True, True]


def test_unknown_droplet_is_unreadable_metadata_exit_2(emulator):
    result = run(f"{emulator.url}/metadata/v1.json?droplet_id=999", *expected())
    assert result.returncode == 2
    assert result.stdout.strip() == f"FAIL metadata: HTTP 404 from {emulator.url}/metadata/v1.json?droplet_id=999"


def test_unreachable_service_exit_2():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: nothing listens there
    result = run(f"http://127.0.0.1:{port}/metadata/v1.json", *expected())
    assert result.returncode == 2
    assert result.stdout.startswith(f"FAIL metadata: cannot reach http://127.0.0.1:{port}/metadata/v1.json")


def test_server_errors_are_retried(emulator, web_droplet):
    emulator.control.log.clear()
    emulator.control.add_fault(match=r"GET /metadata/v1\.json", status=503, count=2)
    cmd = [sys.executable, "-I", "-S", str(SCRIPT), "--retries", "2", "--retry-delay", "0.05",
           "--url", url_for(emulator, web_droplet), *expected()]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout
    assert emulator.control.log.snapshot()["by_status"] == {"200": 1, "503": 2}


@pytest.mark.parametrize(("args", "message"), [
    (expected(cidr="10.110.0.1/20"), "--vpc-cidr '10.110.0.1/20' is not a CIDR"),
    ([*expected(), "--url", "ftp://x/metadata"], "--url 'ftp://x/metadata' is not an http(s) URL"),
    (["--env", "dev"], "the following arguments are required: --region, --vpc-cidr, --hostname"),
])
def test_bad_arguments_exit_2_naming_the_flag(args, message):
    result = subprocess.run([sys.executable, "-I", "-S", str(SCRIPT), *args], capture_output=True, text=True,
                            timeout=30)
    assert result.returncode == 2
    assert message in result.stderr
