"""Container registry retention: a pure planner (policy → keep/expire) and the API walker that applies it.

Policy (per repository): keep the first ``keep_last`` tags when every tag is ranked by its manifest's
``updated_at``, newest first (tags of one manifest share its date; ties by tag name), tags younger
than ``keep_days``, tags matching a keep pattern (defaults: ``latest`` and semantic versions), every
digest a stack deploys (pinned by digest, or the digest its pinned tag points to now) with all its
tags, and every child manifest of a kept multi-arch index. Everything else is expired.

A tag's age is its manifest's ``updated_at`` (when it was last pushed or re-tagged): the manifest
listing carries tags, sizes, blobs and dates in one walk, so tags are never listed separately.

An index manifest's ``blobs`` lists its child manifest descriptors, so a blob digest that is also a
manifest digest of the repository marks a child. Children of kept indexes are never deleted by
digest (that would break the index); their own expired tags go one by one.

Concurrent pushes: the listing is newest first and paged by offset, so a push or re-tag during the
walk moves a manifest to the front, unseen. Before a repository's deletes, the changed front of its
listing is re-read (one call when nothing changed, a full re-list when the total disagrees) and the
repository re-planned until a re-read shows nothing new (:func:`verified_plan`).

Deletes: one manifest delete when every tag of a digest expired, single tag deletes where the
digest keeps other tags; 404 counts as done, so a re-run after an interruption converges. A kept
digest always keeps at least one tag: an untagged manifest is what garbage collection removes.
Then garbage collection ``untagged manifests and unreferenced blobs`` (read-only registry while it
runs), polled to a terminal status and cancelled on timeout. It runs when anything was deleted, or
when untagged manifests still wait for collection (a previous run stopped before its GC), so a re-run
after any interruption ends in the same state; a run that finds nothing to do calls nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from azure.core.rest import HttpRequest

from do_platform.api.pagination import MAX_PER_PAGE
from do_platform.api.reader import ApiReader
from do_platform.config.models import DEFAULT_KEEP_DAYS, DEFAULT_KEEP_LAST
from do_platform.errors import ApiFailure, ConfigError, NotFound
from do_vocab.images import ImageRef
from do_vocab.names import registry_name

LATEST_PATTERN = r"latest"
SEMVER_PATTERN = (r"v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                  r"(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?")
DEFAULT_KEEP_PATTERNS = (LATEST_PATTERN, SEMVER_PATTERN)
PATTERN_NAMES = {LATEST_PATTERN: "'latest' (default)", SEMVER_PATTERN: "semantic version (default)"}
GC_TYPE = "untagged manifests and unreferenced blobs"
GC_TERMINAL = {"succeeded", "failed", "cancelled"}
PER_PAGE = MAX_PER_PAGE


# -- policy and plan (pure)
MAX_KEEP_LAST = 100_000
MAX_KEEP_DAYS = 36_500  # a hundred years: "keep everything" without overflowing a date


@dataclass(frozen=True)
class RetentionPolicy:
    keep_last: int = DEFAULT_KEEP_LAST
    keep_days: float = DEFAULT_KEEP_DAYS
    keep_patterns: tuple[str, ...] = DEFAULT_KEEP_PATTERNS

    def __post_init__(self) -> None:
        # One place for the policy's ranges: the CLI flags and the retention resource's inputs both land here.
        # (inf, nan or 1e12 days would otherwise end in an OverflowError/ValueError from timedelta.)
        if isinstance(self.keep_last, bool) or not isinstance(self.keep_last, int) \
                or not 0 <= self.keep_last <= MAX_KEEP_LAST:
            raise ConfigError(f"keep_last (--keep-last) {self.keep_last!r} is out of range; allowed: an integer "
                              f"from 0 to {MAX_KEEP_LAST}")
        if isinstance(self.keep_days, bool) or not isinstance(self.keep_days, int | float) \
                or not 0 <= self.keep_days <= MAX_KEEP_DAYS:  # also false for nan
            raise ConfigError(f"keep_days (--keep-days) {self.keep_days!r} is out of range; allowed: a number of "
                              f"days from 0 to {MAX_KEEP_DAYS}")
        compile_patterns(self.keep_patterns)


def compile_patterns(patterns: Iterable[str], flag: str = "keep_patterns (--keep-pattern)") -> list[re.Pattern]:
    """Compile keep patterns (matched against the whole tag); ConfigError naming the flag otherwise."""
    compiled = []
    for pattern in patterns:
        try:
            compiled.append(re.compile(pattern))
        except re.error as exc:
            raise ConfigError(f"{flag}: {pattern!r} is not a valid regular expression: {exc}",
                              "patterns are Python regular expressions matched against the whole tag, "
                              r"e.g. 'release-.*' or 'v\d+\.\d+'") from None
    return compiled


@dataclass(frozen=True)
class Manifest:
    """One manifest of a repository as the digests listing shows it."""

    digest: str
    tags: tuple[str, ...]
    updated_at: datetime
    compressed_size_bytes: int = 0
    blobs: tuple[tuple[str, int], ...] = ()  # (digest, compressed size)

    @classmethod
    def from_api(cls, item: dict) -> Manifest:
        return cls(
            digest=item["digest"],
            tags=tuple(item.get("tags") or ()),
            updated_at=parse_time(item.get("updated_at")),
            compressed_size_bytes=int(item.get("compressed_size_bytes") or 0),
            blobs=tuple((b["digest"], int(b.get("compressed_size_bytes") or 0)) for b in item.get("blobs") or ()),
        )


@dataclass(frozen=True)
class TagDecision:
    tag: str
    digest: str
    keep: bool
    reason: str  # newest | recent | pattern | deployed | expired
    rule: str = ""  # the policy rule as the user set it: "keep_last 10 (3rd newest)", "keep_pattern 'latest'"...


@dataclass
class RepositoryPlan:
    repository: str
    decisions: list[TagDecision] = field(default_factory=list)
    delete_manifests: list[str] = field(default_factory=list)  # every tag expired: one call each
    delete_tags: list[tuple[str, str]] = field(default_factory=list)  # (tag, digest) where the digest stays
    kept_digests: set[str] = field(default_factory=set)
    protected_children: set[str] = field(default_factory=set)
    untagged_collectable: int = 0  # untagged manifests GC will remove (not children of kept indexes)
    bytes_freed: int = 0  # estimate after GC: blobs only expiring/collectable manifests use
    warnings: list[str] = field(default_factory=list)

    @property
    def expired_tags(self) -> list[TagDecision]:
        return [d for d in self.decisions if not d.keep]

    @property
    def calls(self) -> int:
        return len(self.delete_manifests) + len(self.delete_tags)


def parse_time(value: str | None) -> datetime:
    if not value:
        return datetime.fromtimestamp(0, UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def deployed_for(refs: Iterable[ImageRef], registry: str) -> dict[str, tuple[set[str], set[str]]]:
    """{repository: (pinned digests, pinned tags)} of the images stacks deploy from ``registry``."""
    out: dict[str, tuple[set[str], set[str]]] = {}
    for ref in refs:
        if registry_name(ref.registry) != registry:
            continue
        digests, tags = out.setdefault(ref.repository, (set(), set()))
        if ref.digest:
            digests.add(ref.digest)
        if ref.tag:
            tags.add(ref.tag)
    return out


def plan_repository(repository: str, manifests: Iterable[Manifest], policy: RetentionPolicy, now: datetime, *,
                    deployed_digests: Iterable[str] = (), deployed_tags: Iterable[str] = ()) -> RepositoryPlan:
    """Decide, tag by tag, what the policy keeps, and the fewest delete calls that expire the rest."""
    by_digest = {m.digest: m for m in manifests}
    deployed_tags = set(deployed_tags)
    protected = {d for d in deployed_digests if d in by_digest}
    # A stack pinned by tag deploys whatever that tag points to now.
    protected |= {m.digest for m in by_digest.values() if deployed_tags.intersection(m.tags)}
    plan = RepositoryPlan(repository, decide_tags(by_digest, policy, now, protected))
    kept_tags_of: dict[str, list[str]] = {}
    for d in plan.decisions:
        if d.keep:
            kept_tags_of.setdefault(d.digest, []).append(d.tag)
    plan.kept_digests = set(kept_tags_of) | protected
    # Children (and grandchildren) of kept indexes stay; an index lists its children as blobs.
    plan.protected_children = reachable(by_digest, plan.kept_digests, exclude=plan.kept_digests)
    plan.warnings = untagged_deployed_warnings(repository, by_digest, plan, protected)
    expired_by_digest: dict[str, list[str]] = {}
    for d in plan.expired_tags:
        expired_by_digest.setdefault(d.digest, []).append(d.tag)
    for digest, expired in sorted(expired_by_digest.items()):
        if digest in kept_tags_of or digest in plan.protected_children:
            plan.delete_tags.extend((t, digest) for t in sorted(expired))
        else:
            plan.delete_manifests.append(digest)
    estimate_collection(plan, by_digest)
    return plan


def decide_tags(by_digest: dict[str, Manifest], policy: RetentionPolicy, now: datetime,
                protected: set[str]) -> list[TagDecision]:
    """Every tag ranked newest first (its manifest's date, ties by tag name) and the rule that keeps it, if any."""
    patterns = compile_patterns(policy.keep_patterns)
    cutoff = now - timedelta(days=policy.keep_days)
    tags = sorted(((t, m) for m in by_digest.values() for t in m.tags),
                  key=lambda tm: (tm[1].updated_at, tm[0]), reverse=True)
    decisions = []
    for rank, (tag, m) in enumerate(tags):
        matched = next((p.pattern for p in patterns if p.fullmatch(tag)), None)
        if m.digest in protected:
            reason, rule = "deployed", "deployed by a stack (a Pulumi.<stack>.yaml pins this digest or tag)"
        elif rank < policy.keep_last:
            reason, rule = "newest", f"keep_last {policy.keep_last} (number {rank + 1} by date)"
        elif m.updated_at > cutoff:
            reason, rule = "recent", f"keep_days {policy.keep_days:g} (updated {m.updated_at:%Y-%m-%d})"
        elif matched is not None:
            reason, rule = "pattern", f"keep_pattern {PATTERN_NAMES.get(matched, repr(matched))}"
        else:
            reason, rule = "expired", ""
        decisions.append(TagDecision(tag, m.digest, reason != "expired", reason, rule))
    return decisions


def reachable(by_digest: dict[str, Manifest], roots: Iterable[str], exclude: set[str]) -> set[str]:
    """Manifests of the repository that ``roots`` hold through their blobs (children, grandchildren...),
    other than those in ``exclude``."""
    found: set[str] = set()
    stack = list(roots)
    while stack:
        for child, _ in by_digest[stack.pop()].blobs:
            if child in by_digest and child not in exclude and child not in found:
                found.add(child)
                stack.append(child)
    return found


def untagged_deployed_warnings(repository: str, by_digest: dict[str, Manifest], plan: RepositoryPlan,
                               protected: set[str]) -> list[str]:
    """An untagged deployed digest survives GC only if a remaining index holds it (a deployed platform
    image of a kept multi-arch index is kept, not in protected_children, yet held by the index)."""
    held = {child for d in plan.kept_digests | plan.protected_children for child, _ in by_digest[d].blobs}
    return [f"{repository}@{digest} is deployed but untagged: garbage collection of untagged manifests would "
            "delete it" for digest in protected if not by_digest[digest].tags and digest not in held]


def estimate_collection(plan: RepositoryPlan, by_digest: dict[str, Manifest]) -> None:
    """What GC can then remove: deleted digests, untagged manifests not reachable from a kept one, the
    children of deleted indexes unless a remaining index holds them; and the bytes only they use."""
    remaining = plan.kept_digests | plan.protected_children
    untagged = {m.digest for m in by_digest.values() if not m.tags and m.digest not in remaining}
    plan.untagged_collectable = len(untagged)
    gone = set(plan.delete_manifests) | untagged
    gone |= reachable(by_digest, gone, exclude=remaining | gone)
    kept_blobs = {b for d in remaining for b, _ in by_digest[d].blobs}
    freed = {b: size for d in gone for b, size in by_digest[d].blobs if b not in kept_blobs and b not in by_digest}
    plan.bytes_freed = sum(freed.values())


# -- walking and applying (API)
@dataclass
class RepositoryResult:
    repository: str
    plan: RepositoryPlan
    manifests_deleted: int = 0
    tags_deleted: int = 0
    already_gone: int = 0
    applied: bool = False  # every delete of the plan was made (an interrupted run leaves it False)

    @property
    def deleted(self) -> int:
        return self.manifests_deleted + self.tags_deleted + self.already_gone


@dataclass
class GcResult:
    uuid: str | None
    status: str  # succeeded | failed | cancelled | cancelling | skipped
    type: str = GC_TYPE
    freed_bytes: int = 0
    blobs_deleted: int = 0
    message: str = ""


@dataclass
class CleanupReport:
    registry: str
    applied: bool
    policy: RetentionPolicy
    repositories: list[RepositoryResult] = field(default_factory=list)
    gc: GcResult | None = None
    warnings: list[str] = field(default_factory=list)
    declined: bool = False  # --apply, but the confirmation was answered no: nothing was deleted

    @property
    def pending(self) -> list[RepositoryResult]:
        """Repositories whose deletes were planned but not (all) made: what an interrupted run left."""
        return [r for r in self.repositories if r.plan.calls and not r.applied]

    @property
    def deleted_anything(self) -> bool:
        return any(r.manifests_deleted or r.tags_deleted or r.already_gone for r in self.repositories)

    @property
    def totals(self) -> dict[str, int]:
        plans = [r.plan for r in self.repositories]
        return {
            "repositories": len(plans),
            "tags_kept": sum(len(p.decisions) - len(p.expired_tags) for p in plans),
            "tags_expired": sum(len(p.expired_tags) for p in plans),
            "manifest_deletes": sum(len(p.delete_manifests) for p in plans),
            "tag_deletes": sum(len(p.delete_tags) for p in plans),
            "untagged_collectable": sum(p.untagged_collectable for p in plans),
            "bytes_freed_estimate": sum(p.bytes_freed for p in plans),
        }

    def to_json(self) -> dict:
        return {
            "registry": self.registry,
            "applied": self.applied,
            "policy": {"keep_last": self.policy.keep_last, "keep_days": self.policy.keep_days,
                       "keep_patterns": list(self.policy.keep_patterns)},
            "totals": self.totals,
            "repositories": [{
                "repository": r.repository,
                "expired_tags": [{"tag": d.tag, "digest": d.digest} for d in r.plan.expired_tags],
                "delete_manifests": r.plan.delete_manifests,
                "delete_tags": [{"tag": t, "digest": d} for t, d in r.plan.delete_tags],
                "kept_tags": len(r.plan.decisions) - len(r.plan.expired_tags),
                "kept": [{"tag": d.tag, "digest": d.digest, "reason": d.reason, "rule": d.rule}
                         for d in r.plan.decisions if d.keep],
                "protected_children": sorted(r.plan.protected_children),
                "untagged_collectable": r.plan.untagged_collectable,
                "bytes_freed_estimate": r.plan.bytes_freed,
                "manifests_deleted": r.manifests_deleted,
                "tags_deleted": r.tags_deleted,
                "already_gone": r.already_gone,
            } for r in self.repositories],
            "declined": self.declined,
            "garbage_collection": None if self.gc is None else vars(self.gc),
            "warnings": self.warnings,
        }


def check_registry(client, registry: str) -> dict:
    """The registry, or NotFound naming the registries the token can see (read-only calls only)."""
    api = ApiReader.of(client)
    found = api.registry(registry)
    if found is None:
        raise NotFound(f"registry {registry!r} does not exist (registries on this account: "
                       f"{', '.join(api.registry_names()) or 'none'})", "pass the registry name with --registry")
    return found


def iter_repositories(client, registry: str, per_page: int = PER_PAGE) -> Iterator[str]:
    """Repository names, following the ``page_token`` cursor of ``repositoriesV2``."""
    repositories = ApiReader.of(client).repositories(registry, per_page)
    if repositories is None:
        raise NotFound(f"registry {registry!r} disappeared while listing repositories")
    yield from repositories


def list_manifests(client, registry: str, repository: str, per_page: int = PER_PAGE) -> list[Manifest] | None:
    """Every manifest of a repository (all pages, read now), or None when the repository is gone.

    Pages are offsets into a listing that others can change while it is read: a manifest deleted (or pushed)
    after its page was read shifts the later pages, so one manifest is skipped (or read twice), and a skipped
    index would leave its children looking unused. Every page reports the listing's total; when the totals of
    one walk disagree the walk started over a changed listing and is made again (bounded).
    """
    api = ApiReader.of(client)
    for _ in range(MAX_REVERIFY):
        manifests: list[Manifest] = []
        totals: set[int] = set()
        for body in api.manifest_pages(registry, repository, per_page):
            if body is None:
                return None
            total = (body.get("meta") or {}).get("total")
            if isinstance(total, int):
                totals.add(total)
            manifests.extend(Manifest.from_api(m) for m in body.get("manifests") or [])
        if len(totals) <= 1:
            return manifests
    raise ApiFailure(f"repository {repository!r} kept changing while it was being listed ({MAX_REVERIFY} "
                     "listings); nothing in it was deleted; re-run the cleanup when pushes have settled")


def reread_changes(client, registry: str, repository: str, known: list[Manifest],
                   per_page: int = PER_PAGE) -> list[Manifest] | None:
    """The repository as of now, re-reading only what can have changed since ``known`` was listed.

    The listing is newest first by ``updated_at``, paged by offset: a push or re-tag during the walk
    moves a manifest to the front, where pages already read never show it. Every such manifest is
    at least as new as the newest one ``known`` holds, so pages are re-read from the front until one
    holds an older manifest (one call when nothing changed). When the listing's total then disagrees
    with what is known (a manifest deleted by someone else shifts offsets, so an unchanged one can
    be skipped), the repository is listed again in full. None when the repository is gone.
    """
    newest = max((m.updated_at for m in known), default=datetime.fromtimestamp(0, UTC))
    by_digest = {m.digest: m for m in known}
    fresh: dict[str, Manifest] = {}
    total = None
    for body in ApiReader.of(client).manifest_pages(registry, repository, per_page):
        if body is None:
            return None
        if total is None:
            total = (body.get("meta") or {}).get("total")
        page = [Manifest.from_api(m) for m in body.get("manifests") or []]
        fresh.update((m.digest, m) for m in page)
        if any(m.updated_at < newest for m in page):
            break
    merged = {**by_digest, **fresh}
    if total is not None and total != len(merged):
        return list_manifests(client, registry, repository, per_page)
    return list(merged.values())


def apply_plan(client, registry: str, plan: RepositoryPlan, result: RepositoryResult | None = None,
               on_request: Callable[[], None] | None = None) -> RepositoryResult:
    """The plan's deletes; a 404 counts as already gone. ``result`` is counted as each delete lands (an
    interrupted run's report then says exactly what went); ``on_request`` is told after each one."""
    api = ApiReader.of(client)
    result = result or RepositoryResult(plan.repository, plan)
    deletes = api.client.registries

    def delete(operation: Callable[..., Any], ref: str, what: str) -> bool:
        """One delete, told to ``on_request``; True when it deleted, False when it was already gone."""
        deleted = api.delete(operation, registry, plan.repository, ref, what=f"delete {what}")
        result.already_gone += not deleted
        if on_request is not None:
            on_request()
        return deleted

    for digest in plan.delete_manifests:
        result.manifests_deleted += delete(deletes.delete_repository_manifest, digest, f"{plan.repository}@{digest}")
    for tag, _digest in plan.delete_tags:
        result.tags_deleted += delete(deletes.delete_repository_tag, tag, f"{plan.repository}:{tag}")
    result.applied = True
    return result


def active_gc(client, registry: str) -> dict | None:
    api = ApiReader.of(client)
    found = api.call(api.client.registries.get_garbage_collection, registry, what="get active garbage collection")
    return (found or {}).get("garbage_collection")


def start_gc(client, registry: str, gc_type: str = GC_TYPE) -> dict:
    """POST with a ``type`` body: PyDo's ``registries.run_garbage_collection`` sends no body, so the
    request goes through the same client pipeline (retries, pacing) with ``send_request``."""
    request = HttpRequest("POST", f"/v2/registries/{quote(registry, safe='')}/garbage-collection",
                          json={"type": gc_type})
    response = ApiReader.of(client).client.send_request(request)
    if response.status_code != 201:
        try:
            message = response.json().get("message", "")
        except ValueError:
            message = response.text()
        raise ApiFailure(f"start garbage collection on {registry!r}: API error {response.status_code}: {message}")
    return response.json()["garbage_collection"]


def find_gc(client, registry: str, gc_uuid: str) -> dict | None:
    api = ApiReader.of(client)
    for body in api.pages(api.client.registries.list_garbage_collections, registry, per_page=20,
                          what="list garbage collections"):
        if body is None:
            return None
        for gc in body.get("garbage_collections") or []:
            if gc.get("uuid") == gc_uuid:
                return gc
    return None


def run_gc(client, registry: str, *, timeout: float, poll_interval: float,
           sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
           on_status: Callable[[dict], None] | None = None) -> GcResult:
    """Start GC unless one is running, poll it to a terminal status, cancel it on timeout. ``on_status``
    sees the garbage collection as started and after each poll (the CLI's live status line)."""
    running = active_gc(client, registry)
    if running is not None:
        return GcResult(running.get("uuid"), "skipped", running.get("type", GC_TYPE),
                        message=f"garbage collection {running.get('uuid')} is already {running.get('status')}; "
                                "not starting another")
    gc = start_gc(client, registry)
    deadline = clock() + timeout
    while True:
        if on_status is not None:
            on_status(gc)
        if gc.get("status") in GC_TERMINAL:
            return GcResult(gc["uuid"], gc["status"], gc.get("type", GC_TYPE), int(gc.get("freed_bytes") or 0),
                            int(gc.get("blobs_deleted") or 0))
        if clock() >= deadline:
            api = ApiReader.of(client)
            cancelled = api.call(api.client.registries.update_garbage_collection, registry, gc["uuid"],
                                 {"cancel": True}, what="cancel garbage collection")
            status = ((cancelled or {}).get("garbage_collection") or {}).get("status", "cancelling")
            return GcResult(gc["uuid"], status, gc.get("type", GC_TYPE),
                            message=f"garbage collection did not finish within {timeout:g}s "
                                    f"(last status: {gc.get('status')}); cancelled it")
        sleep(poll_interval)
        found = find_gc(client, registry, gc["uuid"])
        if found is None:
            raise ApiFailure(f"garbage collection {gc['uuid']} disappeared from registry {registry!r}")
        gc = found


MAX_REVERIFY = 5


def verified_plan(client, registry: str, repository: str, manifests: list[Manifest], plan: RepositoryPlan,
                  policy: RetentionPolicy, now: datetime, digests: set[str], tags: set[str],
                  per_page: int = PER_PAGE) -> RepositoryPlan | None:
    """The plan re-made from the repository as it is just before its deletes (None: repository gone).

    A walk takes time; a re-tag during it can make a kept index of one the walk never saw, and its
    expired child would then be deleted by digest (breaking the index), or a moving tag could be
    deleted from its new digest. So the changed part of the listing is re-read and the repository
    re-planned until a re-read shows nothing new (bounded; one extra call when nothing changed).
    """
    for _ in range(MAX_REVERIFY):
        current = reread_changes(client, registry, repository, manifests, per_page)
        if current is None:
            return None
        if set(current) == set(manifests):
            return plan
        manifests = current
        plan = plan_repository(repository, manifests, policy, now, deployed_digests=digests, deployed_tags=tags)
    raise ApiFailure(f"repository {repository!r} kept changing while it was being planned ({MAX_REVERIFY} "
                     "re-reads); nothing in it was deleted; re-run the cleanup when pushes have settled")


@dataclass(frozen=True)
class CleanupProgress:
    """Where a cleanup is: ``phase`` list (reading every repository) or delete, the repository at hand, and
    an estimate of the requests still to make before garbage collection (manifest pages from each
    repository's ``manifest_count``, one re-read plus the deletes of each repository with deletes)."""

    phase: str
    repository: str
    done: int  # repositories finished in this phase
    total: int  # repositories in this phase
    requests_left: int


def _pages(count: int, per_page: int) -> int:
    return max(1, -(-count // per_page))


def cleanup(client, registry: str, policy: RetentionPolicy, *, deployed: Iterable[ImageRef] = (),
            apply: bool = False, gc: bool = True, gc_timeout: float = 1800.0, gc_poll_interval: float = 10.0,
            now: datetime | None = None, progress: Callable[[CleanupProgress], None] | None = None,
            sleep: Callable[[float], None] = time.sleep, per_page: int = PER_PAGE,
            confirm: Callable[[CleanupReport], bool] | None = None, report: CleanupReport | None = None,
            on_gc: Callable[[dict], None] | None = None) -> CleanupReport:
    """Walk the registry and plan every repository; with ``apply`` (and ``confirm(report)`` answering yes,
    when given) delete repository by repository, then collect garbage.

    Every repository is listed and planned before anything is deleted, so the confirmation shows the whole
    plan and a failing page never leaves a repository half-planned; each repository is re-read just before
    its deletes (:func:`verified_plan`). ``report`` (the caller's) is filled as the run goes, so after an
    interruption it says what was deleted; a re-run converges to the same state.
    """
    now = now or datetime.now(UTC)
    api = ApiReader.of(client)  # one reader for the whole walk (its registry reads are made once)
    check_registry(api, registry)
    pinned = deployed_for(deployed, registry)
    report = report if report is not None else CleanupReport(registry, False, policy)
    report.applied = False
    found = api.repositories(registry, per_page)
    if found is None:
        raise NotFound(f"registry {registry!r} disappeared while listing repositories")
    names = list(found)
    left = sum(_pages(int(found[n].get("manifest_count") or 0), per_page) for n in names)

    def tell(phase: str, repository: str, done: int, total: int) -> None:
        if progress is not None:
            progress(CleanupProgress(phase, repository, done, total, left))

    listed: dict[str, tuple[list[Manifest], set[str], set[str]]] = {}
    for i, repository in enumerate(names):
        tell("list", repository, i, len(names))
        manifests = list_manifests(api, registry, repository, per_page)
        left -= _pages(int(found[repository].get("manifest_count") or 0), per_page)
        if manifests is None:
            continue
        digests, tags = pinned.get(repository, (set(), set()))
        plan = plan_repository(repository, manifests, policy, now, deployed_digests=digests, deployed_tags=tags)
        report.repositories.append(RepositoryResult(repository, plan))
        listed[repository] = (manifests, digests, tags)
        if apply and plan.calls:
            left += 1 + plan.calls
    report.warnings = [w for r in report.repositories for w in r.plan.warnings]
    tell("list", "", len(names), len(names))
    if not apply:
        return report
    if confirm is not None and (report.totals["manifest_deletes"] or report.totals["tag_deletes"]
                                or (gc and report.totals["untagged_collectable"])) and not confirm(report):
        report.declined = True
        return report
    report.applied = True
    todo = [r for r in report.repositories if r.plan.calls]
    for i, result in enumerate(todo):
        tell("delete", result.repository, i, len(todo))
        manifests, digests, tags = listed[result.repository]
        plan = verified_plan(api, registry, result.repository, manifests, result.plan, policy, now, digests, tags,
                             per_page)
        if plan is None:  # the repository is gone
            report.repositories.remove(result)
            left -= 1 + result.plan.calls
            continue
        left += plan.calls - result.plan.calls - 1
        result.plan = plan

        def one_done() -> None:
            nonlocal left
            left -= 1

        apply_plan(api, registry, plan, result, on_request=one_done)
    tell("delete", "", len(todo), len(todo))
    report.warnings = [w for r in report.repositories for w in r.plan.warnings]
    report.gc = collect_garbage(api, report, gc=gc, timeout=gc_timeout, poll_interval=gc_poll_interval,
                                sleep=sleep, on_status=on_gc)
    return report


def collect_garbage(api: ApiReader, report: CleanupReport, *, gc: bool, timeout: float, poll_interval: float,
                    sleep: Callable[[float], None], on_status: Callable[[dict], None] | None) -> GcResult:
    """GC after the deletes, unless told not to, nothing needs it, or it would remove a deployed digest."""
    if not gc:
        return GcResult(None, "skipped", message="--no-gc given")
    if not report.deleted_anything and not report.totals["untagged_collectable"]:
        return GcResult(None, "skipped", message="nothing was deleted and nothing waits for collection")
    if report.warnings:
        return GcResult(None, "skipped", message="a deployed digest is untagged; collecting untagged "
                                                 "manifests would delete it")
    return run_gc(api, report.registry, timeout=timeout, poll_interval=poll_interval, sleep=sleep,
                  on_status=on_status)
