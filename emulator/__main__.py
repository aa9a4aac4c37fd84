"""``python -m emulator --port 8089 [--state-file F] [--token T] [--delay S] [--seed N]``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from emulator.core.state import Settings
from emulator.server import BindError, EmulatorServer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator", description=__doc__)
    parser.add_argument("--port", type=int, required=True, help="TCP port on the host (0: any free port)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind; loopback by default (tokens travel in clear over http)")
    parser.add_argument("--state-file", help="JSON file the world is kept in across restarts")
    parser.add_argument("--token", help="accept only this bearer token (default: any non-empty token)")
    parser.add_argument("--delay", type=float, default=0.0,
                        help="seconds before lifecycle transitions (new→active, ...); default 0")
    parser.add_argument("--requests-per-minute", type=int, help="answer 429 beyond this budget")
    parser.add_argument("--requests-per-hour", type=int,
                        help="enforce an hourly budget (429 beyond it), reported in ratelimit-limit; by default "
                             "the API's 5000/h is reported but not enforced, so long rehearsals are not throttled")
    parser.add_argument("--seed", type=int, help="seed for generated ids")
    args = parser.parse_args(argv)
    if args.port < 0 or args.port > 65535:
        parser.error(f"--port must be 0-65535; got {args.port}")
    if args.delay < 0:
        parser.error(f"--delay must be >= 0 seconds; got {args.delay}")
    if args.requests_per_minute is not None and args.requests_per_minute < 1:
        parser.error(f"--requests-per-minute must be >= 1 (omit it for no budget); got {args.requests_per_minute}")
    if args.requests_per_hour is not None and args.requests_per_hour < 1:
        parser.error(f"--requests-per-hour must be >= 1 (omit it for no enforced budget); got {args.requests_per_hour}")
    settings = Settings(token=args.token, lifecycle_delay=args.delay, requests_per_minute=args.requests_per_minute,
                        requests_per_hour=args.requests_per_hour)
    try:
        server = EmulatorServer(args.port, args.host, state_file=args.state_file, settings=settings, seed=args.seed)
    except ValueError as exc:
        parser.error(f"--state-file: {exc}")
    try:
        server.start()
    except BindError as exc:
        parser.error(f"{exc.flag}: {exc}; allowed: a free port on this machine (--port 0 picks one) and a local "
                     f"address for --host (default 127.0.0.1)")
    print(f"emulator listening on {server.url} (state file: {args.state_file or 'none'})", flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
