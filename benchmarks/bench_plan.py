"""Offline plan speed: ``do-platform plan --stack <s> --json`` per stack, wall time including imports.

Cold: a fresh interpreter per run (what ``make plan`` and CI pay). Warm: further plans in one process
(evaluation, pricing and guardrails only). Run: ``.venv/bin/python -m benchmarks.bench_plan [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cold(stack: str, runs: int) -> tuple[list[float], dict]:
    times, last = [], {}
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "do_platform", "plan", "--stack", stack, "--json"], cwd=ROOT,
                              env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0, 3):
            raise SystemExit(f"plan {stack} failed: {proc.stderr.strip()[-500:]}")
        last = json.loads(proc.stdout)
    return times, last


def warm(stack: str, runs: int) -> list[float]:
    from do_platform.ops.plan import plan_stack

    plan_stack(stack)  # imports and first evaluation
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        plan_stack(stack)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from do_platform.offline import stack_names

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus, {args.runs} runs per stack")
    print("| stack | resources | monthly (USD) | cold median (s) | cold min (s) | warm median (s) |")
    print("|---|---:|---:|---:|---:|---:|")
    for stack in stack_names(ROOT):
        times, plan = cold(stack, args.runs)
        hot = warm(stack, args.runs)
        total = f"{plan['monthly']:.2f}" + (f" + {plan['unknown']} unknown" if plan["unknown"] else "")
        print(f"| {stack} | {len(plan['resources'])} | {total} | {statistics.median(times):.2f} | "
              f"{min(times):.2f} | {statistics.median(hot):.3f} |")
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "do_platform", "plan", "--all-stacks", "--against", "HEAD"],
                          cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"plan --against failed: {proc.stderr.strip()[-500:]}")
    print(f"\nplan --all-stacks --against HEAD (the pull-request comment, worktree included): "
          f"{time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
