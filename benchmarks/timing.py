"""Timing shared by the benchmarks: fresh-interpreter runs (imports included) and warm repeats."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cold_runs(cmd: Sequence[str], runs: int, *, ok: Sequence[int] = (0,), env: dict | None = None,
              what: str = "run") -> tuple[list[float], str]:
    """Wall time of ``cmd`` in a fresh process ``runs`` times, and the last run's stdout."""
    times, out = [], ""
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(list(cmd), cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode not in ok:
            raise SystemExit(f"{what} failed: {proc.stderr.strip()[-800:]}")
        out = proc.stdout
    return times, out


def warm_runs(fn: Callable[[], object], runs: int) -> list[float]:
    """Wall time of ``fn`` repeated in this process, after one untimed call (imports, first evaluation)."""
    fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times
