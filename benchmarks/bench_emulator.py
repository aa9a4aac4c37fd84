"""Emulator throughput: simple GETs per second on loopback, from a second process; and the cost of
durable writes (creates per second without a state file and with one, where each create is in the
fsync'ed journal before its answer).

The emulator runs as ``python -m emulator --port 0`` in its own process (as ``make emulator`` does);
this process drives it with keep-alive stdlib HTTP connections on several threads. Target: >= 1,000 GET/s.

    .venv/bin/python -m benchmarks.bench_emulator [--seconds 5] [--threads 4]
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx

AUTH = {"Authorization": "Bearer bench"}
JSON = {"Content-Type": "application/json"}
TARGET_PER_SECOND = 1000


def start_emulator(*flags: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "emulator", "--port", "0", *flags], stdout=subprocess.PIPE,
                            text=True)
    line = proc.stdout.readline()
    if "listening on" not in line:
        proc.kill()
        raise SystemExit(f"emulator did not start: {line!r}")
    return proc, line.split("listening on ")[1].split()[0]


def drive(url: str, seconds: float, threads: int, body=None) -> tuple[int, int, list[float]]:
    """(ok responses, failures, per-request latencies in ms) of GETs on ``url`` for ``seconds``; with
    ``body`` (a callable giving each request's JSON body), POSTs expecting 201."""
    stop = time.perf_counter() + seconds
    counts = [0, 0]
    latencies: list[float] = []
    lock = threading.Lock()

    parsed = urlsplit(url)
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")

    def worker() -> None:
        # The stdlib client with keep-alive: light, so the two cores go to the emulator, not the driver.
        ok = bad = 0
        mine = []
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        try:
            while (start := time.perf_counter()) < stop:
                if body is None:
                    conn.request("GET", target, headers=AUTH)
                else:
                    conn.request("POST", target, body=json.dumps(body()), headers={**AUTH, **JSON})
                response = conn.getresponse()
                response.read()
                mine.append((time.perf_counter() - start) * 1000)
                if response.status == (200 if body is None else 201):
                    ok += 1
                else:
                    bad += 1
        finally:
            conn.close()
        with lock:
            counts[0] += ok
            counts[1] += bad
            latencies.extend(mine)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return counts[0], counts[1], sorted(latencies)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_emulator", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each measurement")
    parser.add_argument("--threads", type=int, default=4, help="client threads")
    args = parser.parse_args(argv)
    proc, base = start_emulator()
    try:
        firewall = httpx.post(f"{base}/v2/firewalls", headers=AUTH, json={"name": "bench"}).json()["firewall"]
        for i in range(19):
            httpx.post(f"{base}/v2/firewalls", headers=AUTH, json={"name": f"bench-{i}"})
        cases = [("GET /v2/account", f"{base}/v2/account"),
                 ("GET /v2/firewalls/{id}", f"{base}/v2/firewalls/{firewall['id']}"),
                 ("GET /v2/firewalls (20 per page)", f"{base}/v2/firewalls")]
        drive(cases[0][1], 0.5, args.threads)  # warm up
        worst = None
        print(f"{'request':34} {'GET/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
        for label, url in cases:
            ok, bad, lat = drive(url, args.seconds, args.threads)
            rate = ok / args.seconds
            worst = rate if worst is None else min(worst, rate)
            p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99)]
            print(f"{label:34} {rate:8.0f} {p50:7.2f} {p99:7.2f} {bad:6d}")
        verdict = "meets" if worst >= TARGET_PER_SECOND else "MISSES"
        print(f"slowest case {worst:.0f} GET/s: {verdict} the {TARGET_PER_SECOND}/s target "
              f"({args.threads} client threads, {args.seconds:.0f} s each)")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    durable_writes(args.seconds, args.threads)
    return 0 if worst >= TARGET_PER_SECOND else 1


def durable_writes(seconds: float, threads: int) -> None:
    """Creates per second (POST /v2/uptime/checks) in memory and with --state-file (journal fsync'ed per
    answer, concurrent answers sharing one fsync), with 1 and ``threads`` client threads."""
    counter = itertools.count()

    def check() -> dict:
        return {"name": f"bench-{next(counter)}", "type": "https", "target": "https://example.com"}

    print(f"\n{'creates (POST /v2/uptime/checks)':34} {'POST/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        journaled = ("--state-file", str(Path(tmp) / "w.json"))
        for label, flags in [("in memory", ()), ("--state-file (journal)", journaled)]:
            proc, base = start_emulator(*flags)
            try:
                for n in (1, threads):
                    ok, bad, lat = drive(f"{base}/v2/uptime/checks", seconds, n, body=check)
                    p50, p99 = lat[len(lat) // 2], lat[int(len(lat) * 0.99)]
                    print(f"{label + f', {n} thread(s)':34} {ok / seconds:8.0f} {p50:7.2f} {p99:7.2f} {bad:6d}")
            finally:
                proc.terminate()
                proc.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
