"""The emulator through godo, the Go client the Pulumi DigitalOcean provider vendors (v1.200.0).

tests/godo/ is a small Go program that replays the provider's call sequences family by family and
checks that every response decodes into godo's types with the fields the provider reads. This test
builds it once per session and runs it against the test emulator (5 droplets seeded here for the
pagination walk; the program seeds registry images and injects its retry faults through the HTTP
control API itself). It skips when Go is missing or the godo module cannot be downloaded here; a
program that builds and then reports a FAIL line fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

GODO_DIR = Path(__file__).resolve().parents[1] / "godo"
DOWNLOAD_TIMEOUT = 180
BUILD_TIMEOUT = 240
RUN_TIMEOUT = 120
SEEDED_DROPLETS = 5  # the pagination walk asks for two per page and wants three pages or more
MIN_CHECKS = 500  # the program makes about 520: far fewer means families were silently skipped


def _go() -> str | None:
    return shutil.which("go") or next((p for p in ("/usr/local/go/bin/go",) if os.access(p, os.X_OK)), None)


def _go_env() -> dict[str, str]:
    # -mod=mod lets go fill in go.sum entries it lacks; the module proxy is the machine's own setting.
    return {**os.environ, "GOFLAGS": "-mod=mod -buildvcs=false", "GOTOOLCHAIN": "local"}


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


@pytest.fixture(scope="session")
def godo_program(tmp_path_factory) -> Path:
    """The compatibility program, built with Go's build cache (seconds after the first build)."""
    go = _go()
    if go is None:
        pytest.skip("Go is not installed (no `go` on PATH nor /usr/local/go/bin/go): godo compatibility not checked")
    try:
        fetched = subprocess.run([go, "mod", "download"], cwd=GODO_DIR, env=_go_env(), capture_output=True,
                                 text=True, timeout=DOWNLOAD_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.skip(f"downloading godo for tests/godo took over {DOWNLOAD_TIMEOUT}s (module proxy not answering)")
    if fetched.returncode != 0:
        pytest.skip("cannot download the godo module here (module proxy refused or unreachable):\n"
                    + _tail(fetched.stderr))
    binary = tmp_path_factory.mktemp("godo") / "godocompat"
    try:
        built = subprocess.run([go, "build", "-o", str(binary), "."], cwd=GODO_DIR, env=_go_env(),
                               capture_output=True, text=True, timeout=BUILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        pytest.skip(f"building tests/godo took over {BUILD_TIMEOUT}s on this machine")
    if built.returncode != 0 and "requires go >=" in built.stderr:
        pytest.skip("the installed Go is older than tests/godo/go.mod asks for:\n" + _tail(built.stderr))
    if built.returncode != 0:
        # The modules are here, so this is our program that does not compile: a real failure.
        pytest.fail("tests/godo does not build:\n" + _tail(built.stderr, 30), pytrace=False)
    return binary


def test_the_provider_call_sequences_decode_through_godo(emulator, godo_program):
    emulator.state.settings.lifecycle_delay = 0
    emulator.control.seed("droplets", {"count": SEEDED_DROPLETS, "name_prefix": "page"})

    result = subprocess.run([str(godo_program), "-url", emulator.url], capture_output=True, text=True,
                            timeout=RUN_TIMEOUT)

    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 0, f"godo compatibility run failed (exit {result.returncode}):\n{output}"
    last = output.splitlines()[-1] if output else ""
    match = re.fullmatch(r"OK (\d+) checks", last)
    assert match, f"no final OK line:\n{output}"
    assert int(match.group(1)) >= MIN_CHECKS, f"far fewer checks than the program makes:\n{output}"


def test_a_wrong_answer_stops_the_run_with_a_fail_line_naming_the_family(emulator, godo_program):
    emulator.control.seed("droplets", {"count": SEEDED_DROPLETS, "name_prefix": "page"})
    emulator.control.add_fault(match=r"^GET /v2/monitoring/alerts/[^?]+\?", status=404, count=1)

    result = subprocess.run([str(godo_program), "-url", emulator.url], capture_output=True, text=True,
                            timeout=RUN_TIMEOUT)

    assert result.returncode == 1, result.stdout + result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("FAIL monitoring: GET /v2/monitoring/alerts/{uuid}: "), last
    assert "404" in last and "OK" not in result.stdout
