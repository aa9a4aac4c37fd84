"""Registry cleanup: API calls against the minimum and against tag-by-tag deletion, and wall time.

A registry seeded with 10,000 tags over 50 repositories (a year of CI history: several tags per
digest, moving ``main``/``latest`` leaving untagged manifests, multi-arch indexes) is cleaned with
the default policy (newest 10, 30 days, ``latest`` and semantic versions). Calls come from the
emulator's request log. Minimum = list pages of one walk + one delete per expired digest or lone tag
+ GC start and one status read (the pre-delete re-read of each repository is counted against it).
Tag-by-tag = list pages (repositories, tags) + one delete per expired tag + the
same GC calls, run for real on an identical registry, and both end states are compared.

With the emulator's 250 requests/minute budget on (and the client's matching ceiling), the full
run would take calls/250 minutes, so the budgeted run is a scaled one (``--budget-tags``).

    .venv/bin/python -m benchmarks.bench_registry_cleanup [--tags 10000 --repos 50] [--budget-tags 1000
        --budget-repos 10] [--no-budget]
"""

from __future__ import annotations

import argparse
import math
import time
from datetime import UTC, datetime

from do_platform.api.client import make_client
from do_platform.api.pagination import list_all
from do_platform.ops import registry_cleanup as ops
from emulator import EmulatorServer

REGISTRY = "bench"
TOKEN = "bench-token"
TARGET_RATIO = 1.05


def seed(server: EmulatorServer, tags: int, repos: int, seed_value: int) -> dict:
    server.control.reset()
    return server.control.seed("registry", {"registry": REGISTRY, "generate": {
        "repositories": repos, "tags": tags, "seed": seed_value, "max_age_days": 365}})


def end_state(server: EmulatorServer) -> dict:
    repos = server.state.backend("registry").data["stores"][REGISTRY]["repos"]
    return {name: (sorted(r["tags"]), sorted(r["manifests"])) for name, r in repos.items()}


def calls(server: EmulatorServer) -> tuple[int, dict[str, int]]:
    snap = server.control.log.snapshot()
    return snap["total"], snap["by_route"]


def run_cleanup(server: EmulatorServer, client, now: datetime) -> tuple[ops.CleanupReport, float]:
    server.control.log.clear()
    start = time.perf_counter()
    report = ops.cleanup(client, REGISTRY, ops.RetentionPolicy(), apply=True, gc=True, gc_poll_interval=0.05,
                         now=now)
    return report, time.perf_counter() - start


def minimum_calls(by_route: dict[str, int], report: ops.CleanupReport) -> int:
    lists = sum(n for route, n in by_route.items()
                if route.endswith("/repositoriesV2") or route.endswith("/digests"))
    # The re-read of each repository's listing front before its deletes (one call per repository with
    # deletes when nothing changes meanwhile) is a safety cost, not part of the minimum.
    rereads = sum(1 for r in report.repositories if r.plan.calls) if report.applied else 0
    deletes = report.totals["manifest_deletes"] + report.totals["tag_deletes"]
    gc = 2 if report.gc is not None and report.gc.uuid else 0  # start + one status read
    return lists - rereads + deletes + gc


def tag_by_tag(server: EmulatorServer, client, now: datetime) -> tuple[int, float]:
    """The naive way: list every tag, delete every expired tag one call each, then the same GC."""
    server.control.log.clear()
    start = time.perf_counter()
    policy = ops.RetentionPolicy()
    for repo in ops.iter_repositories(client, REGISTRY):
        tags = list_all(client.registries.list_repository_tags, "tags", REGISTRY, repo, per_page=ops.PER_PAGE)
        # Same decisions as the planner (tag age = its manifest's date), so both end states compare.
        by_digest: dict[str, list] = {}
        for t in tags:
            by_digest.setdefault(t["manifest_digest"], []).append(t)
        manifests = [ops.Manifest(d, tuple(x["tag"] for x in ts), max(ops.parse_time(x["updated_at"]) for x in ts))
                     for d, ts in by_digest.items()]
        plan = ops.plan_repository(repo, manifests, policy, now)
        for decision in plan.expired_tags:
            client.registries.delete_repository_tag(REGISTRY, repo, decision.tag)
    ops.run_gc(client, REGISTRY, timeout=60, poll_interval=0.05)
    return calls(server)[0], time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tags", type=int, default=10_000)
    parser.add_argument("--repos", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--budget-tags", type=int, default=1_000)
    parser.add_argument("--budget-repos", type=int, default=10)
    parser.add_argument("--no-budget", action="store_true", help="skip the run under the 250/minute budget")
    args = parser.parse_args()
    now = datetime.now(UTC).replace(microsecond=0)

    with EmulatorServer(seed=1) as server:
        server.state.clock.freeze(now)  # identical digests in every seeding, so end states compare
        server.state.settings.ratelimit_limit = 10**9  # unbudgeted runs: no hourly hard stop either
        fast = make_client(token=TOKEN, endpoint=server.url, max_per_minute=10**7)

        seeded = seed(server, args.tags, args.repos, args.seed)
        report, wall = run_cleanup(server, fast, now)
        total, by_route = calls(server)
        minimum = minimum_calls(by_route, report)
        optimized_state = end_state(server)
        print(f"seeded: {seeded['tags']} tags, {seeded['manifests']} manifests ({seeded['untagged_manifests']} "
              f"untagged, {seeded['indexes']} indexes) over {seeded['repositories']} repositories")
        t = report.totals
        print(f"policy: {t['tags_expired']} tags expire, {t['tags_kept']} kept; "
              f"{t['manifest_deletes']} manifest deletes + {t['tag_deletes']} tag deletes; "
              f"estimated {t['bytes_freed_estimate']} bytes freed after GC")
        print(f"cleanup: {total} calls, minimum {minimum}, ratio {total / minimum:.4f} (target <= {TARGET_RATIO}); "
              f"wall {wall:.1f}s without budget; GC {report.gc.status}, freed {report.gc.freed_bytes} bytes")
        for route, n in sorted(by_route.items()):
            print(f"    {n:6d}  {route}")

        seed(server, args.tags, args.repos, args.seed)
        naive, naive_wall = tag_by_tag(server, fast, now)
        same = end_state(server) == optimized_state
        print(f"tag-by-tag: {naive} calls ({naive / total:.2f}x the cleanup's), wall {naive_wall:.1f}s; "
              f"same end state: {same}")
        print(f"full run at 250 requests/minute: >= {math.ceil(total / 250)} min ({total} calls)")

        if not args.no_budget:
            seed(server, args.budget_tags, args.budget_repos, args.seed)
            server.state.settings.ratelimit_limit = 5000
            server.control.set_budget(250)
            paced = make_client(token=TOKEN, endpoint=server.url, max_per_minute=250)
            report, wall = run_cleanup(server, paced, now)
            total_b, by_route_b = calls(server)
            statuses = server.control.log.snapshot()["by_status"]
            print(f"budgeted (250/min, {args.budget_tags} tags over {args.budget_repos} repositories): "
                  f"{total_b} calls in {wall:.1f}s = {total_b / wall * 60:.0f} requests/minute; "
                  f"429s: {statuses.get('429', 0)}; minimum {minimum_calls(by_route_b, report)}")
        assert same, "tag-by-tag and cleanup ended in different states"


if __name__ == "__main__":
    main()
