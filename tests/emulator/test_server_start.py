"""Starting the emulator where it cannot listen is one line naming the flag, not a traceback."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from emulator.server import BindError, EmulatorServer


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "emulator", *args], capture_output=True, text=True, timeout=30,
                          check=False)


def test_a_busy_port_names_port(busy_port):
    proc = run("--port", str(busy_port))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"--port: cannot listen on 127.0.0.1:{busy_port}: the port is in use; allowed:" in proc.stderr
    assert "--port 0 picks one" in proc.stderr


@pytest.mark.parametrize("host", ["no-such-host.invalid", "192.0.2.1"])
def test_a_host_that_is_not_local_names_host(host):
    proc = run("--port", "0", "--host", host)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert f"--host: cannot listen on {host}:0" in proc.stderr


def test_the_server_raises_bind_error_synchronously(busy_port):
    with pytest.raises(BindError) as err:
        EmulatorServer(busy_port).start()
    assert err.value.flag == "--port" and "in use" in err.value.reason
