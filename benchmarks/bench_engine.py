"""The offline engine: a cached `make engine` run, the cache's size, and up / preview / destroy wall times.

Stacks: the engine smoke stack (tests/e2e/projects/engine_smoke: a dynamic resource through the language
host, no provider plugin) and RegistryRetention keeping 10 of 60 manifests (tests/e2e/projects/
registry_retention) always; the `local` stack (the platform program with the DigitalOcean provider)
when the provider plugin is in the cache (up / preview / refresh / destroy, and the no-change preview's API
reads per provider resource). API calls come from the emulator's request log.
Run: ``.venv/bin/python -m benchmarks.bench_engine [--runs N]`` after ``make engine``.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from do_platform.engine.local_stack import STEPS, EngineUnavailable, StackRun, emulator_process, require_engine

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "bench-engine-token"


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _seed(url: str, payload: dict) -> None:
    req = urllib.request.Request(f"{url}/_emulator/seed/registry", data=json.dumps(payload).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    urllib.request.urlopen(req, timeout=10).read()


def cached_build_seconds(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "do_platform.engine", "build"], cwd=ROOT, check=True,
                       capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def provider_resources(run: StackRun) -> int:
    """Resources of the DigitalOcean provider in the stack's state (what the API is read for)."""
    state = json.loads(run.pulumi("stack", "export", check=True).stdout)
    return sum(1 for r in state["deployment"].get("resources") or [] if r["type"].startswith("digitalocean:"))


def stack_cycle(project: Path, stack: str, state: Path, url: str, status, overrides: dict,
                secret: tuple[str, str] | None = None, policy: Path | None = None) -> tuple[dict, dict[str, int], int]:
    """(step -> (seconds, API calls), the no-change preview's calls by route, provider resources)."""
    run = StackRun(project, stack, state, status=status, emulator_url=url, overrides=overrides, policy_pack=policy)
    run.select()
    if secret:
        run.pulumi("config", "set", "--secret", *secret, check=True)
    figures, preview_routes, resources = {}, {}, 0
    for step in STEPS:
        if step == "destroy":
            resources = provider_resources(run)
        result = run.step(step)
        if not result.ok:
            raise SystemExit(f"{stack}: `{result.step}` failed:\n{result.output[-3000:]}")
        figures[step] = (result.seconds, result.api_calls)
        if step == "preview":
            preview_routes = result.by_route
    return figures, preview_routes, resources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    try:
        status = require_engine(need_provider=False)
    except EngineUnavailable as exc:
        raise SystemExit(f"no engine: {exc}") from None
    print(f"{os.cpu_count()} cpus; CLI {status.cli_version} ({status.cli_source}); "
          f"provider: {status.provider_version or 'not available'}")
    print(f"first build (recorded by the build): {status.timings}")
    times = cached_build_seconds(args.runs)
    print(f"cached `python -m do_platform.engine build`: median {statistics.median(times):.2f} s over {args.runs}")
    print(f"engine cache {status.directory}: {_du(status.directory) / 2**20:.0f} MiB")

    print("| stack | step | wall median (s) | API calls |")
    print("|---|---|---:|---:|")
    policy = ROOT / "policy" if (ROOT / "policy" / "PulumiPolicy.yaml").exists() else None
    projects = ROOT / "tests" / "e2e" / "projects"
    cases = ["engine_smoke", "registry_retention"] + (["local"] if status.provider_ok() else [])
    for label in cases:
        samples: dict[str, list[tuple[float, int]]] = {}
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp, \
                    emulator_process(_free_port(), Path(tmp) / "emulator.json") as url:
                if label == "local":
                    project, stack, secret = ROOT, "local", None
                    overrides = {"digitalocean:apiEndpoint": url}
                elif label == "engine_smoke":
                    project, stack, secret = projects / label, "bench", ("e2e-engine:token", TOKEN)
                    overrides = {"e2e-engine:tagName": "bench", "e2e-engine:endpoint": url}
                else:  # RegistryRetention keeping 10 of 60 manifests
                    _seed(url, {"registry": "bench", "pushes": [
                        {"repository": "web", "tags": [f"build-{i}"], "age_days": 60 - i} for i in range(60)]})
                    project, stack, secret = projects / label, "bench", ("e2e-retention:token", TOKEN)
                    overrides = {"e2e-retention:registry": "bench", "e2e-retention:keepLast": "10",
                                 "e2e-retention:endpoint": url}
                figures, routes, resources = stack_cycle(project, stack, Path(tmp) / "state", url, status,
                                                         overrides, secret, policy if label == "local" else None)
            for step, value in figures.items():
                samples.setdefault(step, []).append(value)
        for step, values in samples.items():
            print(f"| {label} | {step} | {statistics.median(v[0] for v in values):.2f} | {values[-1][1]} |")
        if resources:
            reads = sum(n for route, n in routes.items() if route.startswith("GET "))
            print(f"{label}: no-change preview read the API {reads} times for {resources} provider resources "
                  f"({reads / resources:.2f} per resource); by route: {json.dumps(routes, sort_keys=True)}")


if __name__ == "__main__":
    main()
