"""Provides the Pulumi engine offline, says what its cache holds, or prints the shell lines that run it.

    python -m do_platform.engine build     # what `make engine` runs
    python -m do_platform.engine status    # each part, its version and origin; what is blocked and why
    python -m do_platform.engine env       # shell lines: PATH, PULUMI_HOME and offline settings
"""

from __future__ import annotations

import argparse
import sys

from do_platform.engine.build import build, log
from do_platform.engine.status import EngineError, Status, describe, shell_env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m do_platform.engine", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build", "status", "env"])
    args = parser.parse_args(argv)
    if args.command == "build":
        try:
            status = build()
        except EngineError as exc:
            log(f"FAILED: {exc}")
            return 1
        print(describe(status))
        return 0
    status = Status.load()
    if args.command == "status":  # exit 0: complete; 2: CLI and host without the provider plugin; 1: no engine
        print(describe(status))
        return (0 if status.provider_ok() else 2) if status.cli_ok() and status.language_host_ok() else 1
    if not status.cli_ok():
        log("no engine in the cache: run `make engine`")
        return 1
    sys.stdout.write(shell_env(status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
