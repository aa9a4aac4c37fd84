"""Seeded registry content: explicit pushes, or a generated, deterministic year of CI history (what registry
cleanup is tested and benchmarked against)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from emulator.core.clock import parse_rfc3339, rfc3339
from emulator.core.errors import Unprocessable

MIB = 1024**2


def seed_push(backend, registry: str, index: int, push: dict) -> dict:
    """One push of a seed's ``pushes`` list, at ``at`` or ``age_days`` ago."""
    if push.get("at"):
        at = rfc3339(parse_rfc3339(push["at"]))
    else:
        at = rfc3339(backend.clock.now() - timedelta(days=float(push.get("age_days") or 0)))
    manifest = backend.push(registry, push["repository"], list(push.get("tags") or []), at=at,
                            layers=push.get("layers"), platforms=push.get("platforms"), digest=push.get("digest"),
                            salt=f"#{index}")
    return {"repository": push["repository"], "digest": manifest["digest"], "tags": list(manifest["tags"]),
            "children": list(manifest.get("_references", []))}


def generate(backend, registry: str, spec: dict) -> dict:
    """A deterministic year of CI history: per repository, builds tagged ``sha-…`` (unique), some
    ``vX.Y.Z`` releases and an occasional ``rc``, while ``latest``/``main`` move along and leave
    untagged manifests behind; some builds are multi-arch indexes."""
    n_repos = int(spec.get("repositories", 5))
    n_tags = int(spec.get("tags", 100))
    if n_repos < 1 or n_tags < n_repos:
        raise Unprocessable("generate: repositories must be >= 1 and tags >= repositories")
    rng = random.Random(spec.get("seed", 0))
    max_age = float(spec.get("max_age_days", 365))
    index_ratio = float(spec.get("index_ratio", 0.1))
    semver_ratio = float(spec.get("semver_ratio", 0.1))
    now = backend.clock.now()
    totals = {"repositories": 0, "tags": 0, "manifests": 0}
    for r in range(n_repos):
        repo = f"team-{r % 5}/service-{r:02d}" if r % 3 == 0 else f"service-{r:02d}"
        quota = n_tags // n_repos + (1 if r < n_tags % n_repos else 0)
        moving = quota >= 4  # "main" and "latest" move along the builds
        builds = tagged_builds(rng, quota - (2 if moving else 0), moving, semver_ratio)
        push_builds(backend, registry, repo, builds, rng, moving=moving, now=now, max_age=max_age,
                    index_ratio=index_ratio)
        record = backend.data["stores"][registry]["repos"][repo]
        totals["repositories"] += 1
        totals["tags"] += len(record["tags"])
        totals["manifests"] += len(record["manifests"])
    return totals


def tagged_builds(rng: random.Random, unique: int, moving: bool, semver_ratio: float) -> list[list[str]]:
    """The builds of one repository, oldest first, each with its own tags (``unique`` of them in all): a
    ``sha-`` tag, often a CI run number, sometimes a pull-request preview, a release or a release candidate;
    with moving tags, some nightly builds carry none of their own."""
    builds: list[list[str]] = []
    seen: set[str] = set()
    count = 0
    minor, patch = 0, 0
    while count < unique:
        if moving and rng.random() < 0.15:
            builds.append([])  # a nightly build tagged only "main": untagged once main moves on
            continue
        sha = f"sha-{rng.getrandbits(28):07x}"
        while sha in seen:
            sha = f"sha-{rng.getrandbits(28):07x}"
        seen.add(sha)
        tags = [sha]
        count += 1
        if count < unique and rng.random() < 0.7:  # CI run number
            tags.append(f"build-{len(builds) + 1}")
            count += 1
        if count < unique and rng.random() < 0.2:  # pull-request preview
            tags.append(f"pr-{len(builds) + 1000}")
            count += 1
        if count < unique and rng.random() < semver_ratio:
            patch += 1
            if rng.random() < 0.2:
                minor, patch = minor + 1, 0
            tags.append(f"v1.{minor}.{patch}")
            count += 1
        rc = f"v1.{minor}.{patch + 1}-rc.{rng.randint(1, 3)}"
        if count < unique and rng.random() < 0.03 and rc not in seen:
            seen.add(rc)
            tags.append(rc)
            count += 1
        builds.append(tags)
    return builds


def push_builds(backend, registry: str, repo: str, builds: list[list[str]], rng: random.Random, *, moving: bool,
                now: datetime, max_age: float, index_ratio: float) -> None:
    """Push ``builds`` at random ages within ``max_age`` days, oldest first; "main" follows nightly, every other
    and the last build, "latest" releases and the last build."""
    ages = sorted((rng.uniform(0, max_age) for _ in builds), reverse=True)
    last = len(builds) - 1
    for i, (tags, age) in enumerate(zip(builds, ages, strict=True)):
        extra = []
        if moving and (not tags or i % 2 == 0 or i == last):
            extra.append("main")
        if moving and (i == last or any(t.startswith("v") and "-rc" not in t for t in tags)):
            extra.append("latest")
        at = rfc3339(now - timedelta(days=age))
        layers = [rng.randint(20, 40) * MIB, rng.randint(2, 8) * MIB] + [
            rng.randint(1, 60) * MIB for _ in range(rng.randint(1, 3))]
        platforms = ["linux/amd64", "linux/arm64"] if rng.random() < index_ratio else None
        backend.push(registry, repo, tags + extra, at=at, layers=layers, platforms=platforms, salt=f"#{i}")
