"""Offline plan speed: ``do-platform plan --stack <s> --json`` per stack, wall time including imports.

Cold: a fresh interpreter per run (what ``make plan`` and CI pay). Warm: further plans in one process
(evaluation, pricing and guardrails only). Run: ``.venv/bin/python -m benchmarks.bench_plan [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys

from benchmarks.timing import ROOT, cold_runs, warm_runs


def cold(stack: str, runs: int) -> tuple[list[float], dict]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "0"}
    times, out = cold_runs([sys.executable, "-m", "do_platform", "plan", "--stack", stack, "--json"], runs,
                           ok=(0, 3), env=env, what=f"plan {stack}")
    return times, json.loads(out)


def warm(stack: str, runs: int) -> list[float]:
    from do_platform.ops.plan import plan_stack

    return warm_runs(lambda: plan_stack(stack), runs)


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
    (against,), _ = cold_runs([sys.executable, "-m", "do_platform", "plan", "--all-stacks", "--against", "HEAD"], 1,
                              what="plan --against")
    print(f"\nplan --all-stacks --against HEAD (the pull-request comment, worktree included): {against:.2f} s")


if __name__ == "__main__":
    main()
