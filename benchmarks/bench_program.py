"""Program evaluation under Pulumi's mocks: each stack, and a synthetic stack of 50 web services.

Cold: a fresh interpreter per run that imports pulumi, the provider SDK, the components and evaluates
``__main__.py`` once (target: prod < 3 s wall). Warm: further evaluations in one process.
Run: ``.venv/bin/python -m benchmarks.bench_program [--runs N]``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys

from benchmarks.timing import ROOT, cold_runs, warm_runs

SYNTHETIC = "synthetic-50"
TARGET_PROD_COLD_S = 3.0

_CHILD = """
import json, sys, time
start = time.perf_counter()
from benchmarks.bench_program import run_once
count = run_once(sys.argv[1])
print(json.dumps({"resources": count, "in_process_s": time.perf_counter() - start}))
"""


def synthetic_config(services: int = 50) -> dict:
    """dev's config with ``services`` App Platform services, half pinned by digest, all on one repository."""
    from do_platform.offline import read_stack_config

    config = read_stack_config("dev")
    apps = []
    for i in range(services):
        image = {"registry": "do-platform", "repository": "web", "tag": f"1.{i}.0"}
        if i % 2:
            image["digest"] = "sha256:" + hashlib.sha256(f"svc-{i}".encode()).hexdigest()
        apps.append({"name": f"svc-{i:02d}", "image": image, "useDatabase": i % 5 == 0,
                     "env": {"SERVICE_INDEX": str(i)}})
    config["do-platform:apps"] = apps
    return config


def run_once(stack: str) -> int:
    from do_platform.offline import evaluate

    if stack == SYNTHETIC:
        return len(evaluate("dev", config=synthetic_config()).resources)
    return len(evaluate(stack).resources)


def cold(stack: str, runs: int) -> tuple[list[float], int]:
    times, out = cold_runs([sys.executable, "-c", _CHILD, stack], runs, what=f"{stack}: evaluation")
    return times, json.loads(out.strip().splitlines()[-1])["resources"]


def warm(stack: str, runs: int) -> list[float]:
    return warm_runs(lambda: run_once(stack), runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from do_platform.offline import stack_names

    rows = []
    for stack in [*stack_names(), SYNTHETIC]:
        cold_times, count = cold(stack, args.runs)
        warm_times = warm(stack, args.runs)
        rows.append((stack, count, statistics.median(cold_times), max(cold_times), statistics.median(warm_times)))
    print(f"{'stack':<14}{'resources':>10}{'cold median s':>15}{'cold max s':>12}{'warm median s':>15}")
    for stack, count, cold_med, cold_max, warm_med in rows:
        print(f"{stack:<14}{count:>10}{cold_med:>15.2f}{cold_max:>12.2f}{warm_med:>15.3f}")
    prod = next(r for r in rows if r[0] == "prod")
    verdict = "met" if prod[3] < TARGET_PROD_COLD_S else "MISSED"
    print(f"target: prod cold < {TARGET_PROD_COLD_S:.0f} s wall including imports: {verdict} (max {prod[3]:.2f} s)")


if __name__ == "__main__":
    main()
