"""``python -m benchmarks [NAME ...]``: run the named benchmarks (default: all) one after another.

Each is also runnable alone as ``python -m benchmarks.bench_<name>`` with its own options; results
are recorded by hand in docs/benchmarks.md with the command that produced them.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    return sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(HERE)]) if m.name.startswith("bench_"))


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = sorted(set(names) - set(available()))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; allowed: {', '.join(available())}", file=sys.stderr)
        return 2
    failed = []
    for name in names:
        print(f"== benchmarks.bench_{name}", flush=True)
        if subprocess.call([sys.executable, "-m", f"benchmarks.bench_{name}"], cwd=HERE.parent) != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
