#!/usr/bin/env python3
"""Droplet self-check: does the metadata service describe the droplet this stack meant to create?

Installed by WebCluster's cloud-init and run once at first boot. Reads the droplet metadata service
(``http://169.254.169.254/metadata/v1.json``; another URL with ``--url`` or
``DO_PLATFORM_METADATA_URL``, e.g. the local emulator) and verifies:

- tags: ``env:<env>`` and every ``--tag`` are present;
- region: equals ``--region``;
- private interface: one private IPv4 address inside ``--vpc-cidr``;
- hostname: matches ``--hostname`` (a shell-style pattern such as ``dev-web-*``).

Prints one line per check. Exit 0 when all pass, 1 when any fails, 2 when the metadata cannot be
read or the arguments are bad. Standard library only: it runs on a fresh Ubuntu droplet.
"""

from __future__ import annotations

import argparse
import fnmatch
import ipaddress
import json
import os
import sys
import time
import urllib.error
import urllib.request

DEFAULT_URL = "http://169.254.169.254/metadata/v1.json"
URL_ENV = "DO_PLATFORM_METADATA_URL"


class Unreadable(Exception):
    """The metadata document could not be fetched or parsed."""


def fetch(url: str, timeout: float, retries: int, delay: float) -> dict:
    """The metadata document; retried because the service can lag right after boot."""
    last = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(delay * attempt)
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - fixed http(s) URL
                body = response.read()
        except urllib.error.HTTPError as exc:
            last = f"HTTP {exc.code} from {url}"
            if exc.code < 500:
                break
            continue
        except (urllib.error.URLError, OSError) as exc:
            last = f"cannot reach {url}: {getattr(exc, 'reason', exc)}"
            continue
        try:
            doc = json.loads(body)
        except ValueError:
            raise Unreadable(f"{url} did not return JSON") from None
        if not isinstance(doc, dict):
            raise Unreadable(f"{url} returned {type(doc).__name__}, not an object")
        return doc
    raise Unreadable(last)


def check(doc: dict, env: str, region: str, vpc_cidr: str, hostname: str, tags: list[str]) -> list[tuple[bool, str]]:
    """(passed, message) for each expectation."""
    results: list[tuple[bool, str]] = []
    have = set(doc.get("tags") or [])
    carried = ", ".join(sorted(have)) or "no tags"
    for tag in [f"env:{env}", *tags]:
        found = "present" if tag in have else f"missing (droplet has {carried})"
        results.append((tag in have, f"tag {tag}: {found}"))
    actual = doc.get("region")
    results.append((actual == region, f"region: {actual}" + ("" if actual == region else f", expected {region}")))
    network = ipaddress.ip_network(vpc_cidr)
    private = [((i.get("ipv4") or {}).get("ip_address")) for i in (doc.get("interfaces") or {}).get("private") or []]
    private = [p for p in private if p]
    inside = [p for p in private if ipaddress.ip_address(p) in network]
    if inside:
        results.append((True, f"private interface: {inside[0]} in {network}"))
    elif private:
        results.append((False, f"private interface: {', '.join(private)} not in the VPC range {network}"))
    else:
        results.append((False, f"private interface: none (expected an address in {network})"))
    name = doc.get("hostname") or ""
    ok = fnmatch.fnmatchcase(name, hostname)
    results.append((ok, f"hostname: {name or '(empty)'}" + ("" if ok else f", expected {hostname}")))
    return results


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--env", required=True, help="the stack: the droplet must carry env:<env>")
    parser.add_argument("--region", required=True, help="expected region slug, e.g. nyc3")
    parser.add_argument("--vpc-cidr", required=True, help="the VPC range, e.g. 10.110.0.0/20")
    parser.add_argument("--hostname", required=True, help="expected hostname or pattern, e.g. dev-web-*")
    parser.add_argument("--tag", action="append", default=[], help="another tag that must be present")
    parser.add_argument("--url", default=os.environ.get(URL_ENV) or DEFAULT_URL,
                        help=f"metadata document URL (default: ${URL_ENV} or {DEFAULT_URL})")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per request")
    parser.add_argument("--retries", type=int, default=5, help="retries while the service is unreachable")
    parser.add_argument("--retry-delay", type=float, default=1.0, help="seconds, grows linearly per retry")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of lines")
    args = parser.parse_args(argv)
    try:
        ipaddress.ip_network(args.vpc_cidr)
    except ValueError:
        parser.error(f"--vpc-cidr {args.vpc_cidr!r} is not a CIDR with host bits clear, e.g. 10.110.0.0/20")
    if not args.url.startswith(("http://", "https://")):
        parser.error(f"--url {args.url!r} is not an http(s) URL")
    if args.retries < 0 or args.timeout <= 0:
        parser.error("--retries must be >= 0 and --timeout > 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        doc = fetch(args.url, args.timeout, args.retries, args.retry_delay)
    except Unreadable as exc:
        if args.json:
            print(json.dumps({"passed": False, "error": str(exc), "checks": []}))
        else:
            print(f"FAIL metadata: {exc}")
        return 2
    results = check(doc, args.env, args.region, args.vpc_cidr, args.hostname, args.tag)
    passed = all(ok for ok, _ in results)
    if args.json:
        print(json.dumps({"passed": passed, "droplet_id": doc.get("droplet_id"),
                          "checks": [{"ok": ok, "message": msg} for ok, msg in results]}))
    else:
        for ok, msg in results:
            print(f"{'ok  ' if ok else 'FAIL'} {msg}")
        print(f"metadata self-check {'passed' if passed else 'FAILED'} for droplet {doc.get('droplet_id', '?')}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
