"""Container registry: registries, the account's subscription, repositories, tags, manifests, blobs, GC.

One store serves both the legacy ``/v2/registry`` family and the multi-registry ``/v2/registries``
family. Per registry the world is:

- ``repos[repo]``: ``manifests`` (digest → record) and ``tags`` (tag → {digest, updated_at}); each
  manifest keeps the list of its tags so listings are linear, never a scan of all tags per manifest.
- ``blobs`` (digest → compressed size): the layer store. ``storage_usage_bytes`` is its sum, kept
  up to date on every push and collection.
- Multi-arch images: an index manifest (``_media_type == "index"``) references child manifests
  (``_references``). The API shows an index's ``blobs`` as its child manifest descriptors; the
  children are untagged but referenced, and garbage collection keeps them while the index lives.

Deleting a tag leaves its manifest (untagged); deleting a manifest removes its tags; neither frees
storage: only garbage collection deletes untagged manifests and unreferenced blobs, and the registry
refuses pushes while a collection is active. Pushes come from the control API (``seed``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import random
import re
from datetime import timedelta

from emulator.core import validate as v
from emulator.core.clock import parse_rfc3339, rfc3339
from emulator.core.errors import BadRequest, Conflict, NotFound, PreconditionFailed, Unprocessable, not_found, require
from emulator.core.state import Backend, schedule, settle
from emulator.core.validate import one_of

NAME_RE = re.compile(r"^[a-z0-9-]{1,63}$")
REPO_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")
TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
REGIONS = ["nyc3", "sfo3", "sfo2", "ams3", "sgp1", "fra1", "blr1", "syd1"]
LEGACY_REGIONS = ["nyc3", "sfo3", "ams3", "sgp1", "fra1"]
MIB, GIB = 1024**2, 1024**3
TIERS = {
    "starter": {"name": "Starter", "slug": "starter", "included_repositories": 1, "included_storage_bytes": 500 * MIB,
                "allow_storage_overage": False, "included_bandwidth_bytes": 500 * MIB, "monthly_price_in_cents": 0,
                "storage_overage_price_in_cents": 0, "_max_registries": 1},
    "basic": {"name": "Basic", "slug": "basic", "included_repositories": 5, "included_storage_bytes": 5 * GIB,
              "allow_storage_overage": True, "included_bandwidth_bytes": 5 * GIB, "monthly_price_in_cents": 500,
              "storage_overage_price_in_cents": 2, "_max_registries": 1},
    "professional": {"name": "Professional", "slug": "professional", "included_repositories": 0,
                     "included_storage_bytes": 100 * GIB, "allow_storage_overage": True,
                     "included_bandwidth_bytes": 100 * GIB, "monthly_price_in_cents": 2000,
                     "storage_overage_price_in_cents": 2, "_max_registries": 10},
}
GC_TYPES = ["untagged manifests only", "unreferenced blobs only", "untagged manifests and unreferenced blobs"]
GC_DEFAULT_TYPE = "unreferenced blobs only"
GC_STEPS = ["waiting for write JWTs to expire", "scanning manifests", "deleting unreferenced blobs", "succeeded"]
GC_ACTIVE = {"requested", "waiting for write JWTs to expire", "scanning manifests", "deleting unreferenced blobs",
             "cancelling"}
INDEX_MEDIA_TYPE = "application/vnd.oci.image.index.v1+json"
IMAGE_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"


def _tag(value, label: str) -> None:
    if not isinstance(value, str) or not TAG_RE.match(value):
        raise Unprocessable(f"{label} must be a tag name (letters, digits, _ . -; at most 128); got {value!r}")


PUSH_SCHEMA = {"repository": v.is_string, "tags": v.is_list(_tag), "at": v.is_time,
               "age_days": v.is_number(minimum=0), "layers": v.is_list(v.is_integer(minimum=1), min_items=1),
               "platforms": v.is_list(v.is_string, min_items=1), "digest": v.is_digest}
GENERATE_SCHEMA = {"repositories": v.is_integer(minimum=1), "tags": v.is_integer(minimum=1),
                   "seed": v.is_integer(), "max_age_days": v.is_number(minimum=0),
                   "index_ratio": v.is_number(0, 1), "semver_ratio": v.is_number(0, 1)}
SEED_SCHEMA = {"registry": v.is_string, "region": v.is_string, "tier": v.is_enum(tuple(TIERS)),
               "generate": v.is_object(GENERATE_SCHEMA),
               "pushes": v.is_list(v.is_object(PUSH_SCHEMA, required=("repository",))),
               "gc_step_seconds": v.is_number(minimum=0)}


def sha256(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def encode_token(page: int, after: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"p": page, "a": after}).encode()).decode().rstrip("=")


def decode_token(token: str) -> tuple[int, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        return int(data["p"]), str(data["a"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise BadRequest(f"page_token {token!r} is not a valid page token") from None


class RegistryBackend(Backend):
    name = "registry"

    def reset(self) -> None:
        self.data = {"registries": {}, "subscription": None, "stores": {}, "gcs": {}}

    # -- registries and subscription
    def subscription(self) -> dict:
        sub = self.data.get("subscription")
        if sub is None:
            # No subscription yet: the API still answers with a tier; Starter is the free default.
            return {"tier_slug": "starter", "created_at": self.now(), "updated_at": self.now()}
        return sub

    def tier(self) -> dict:
        return TIERS[self.subscription()["tier_slug"]]

    def update_subscription(self, body: dict) -> dict:
        slug = body.get("tier_slug")
        if not one_of(slug, TIERS):
            raise Unprocessable(f"tier_slug must be one of {', '.join(TIERS)}; got {slug!r}")
        reasons = self._ineligibility(slug)
        if reasons:
            raise PreconditionFailed(f"registry is not eligible for tier because: [{', '.join(reasons)}]")
        sub = self.data.get("subscription")
        if sub is None:
            sub = self.data["subscription"] = {"tier_slug": slug, "created_at": self.now(), "updated_at": self.now()}
        else:
            sub.update(tier_slug=slug, updated_at=self.now())
        return sub

    def _ineligibility(self, slug: str) -> list[str]:
        tier = TIERS[slug]
        reasons = []
        repos = sum(len(s["repos"]) for s in self.data["stores"].values())
        if tier["included_repositories"] and repos > tier["included_repositories"]:
            reasons.append("OverRepositoryLimit")
        used = sum(r["storage_usage_bytes"] for r in self.data["registries"].values())
        if not tier["allow_storage_overage"] and used > tier["included_storage_bytes"]:
            reasons.append("OverStorageLimit")
        if len(self.data["registries"]) > tier["_max_registries"]:
            reasons.append("OverRegistryLimit")
        return reasons

    def options(self) -> dict:
        tiers = []
        for slug, tier in TIERS.items():
            item = {k: v for k, v in tier.items() if not k.startswith("_")}
            reasons = [r for r in self._ineligibility(slug) if r != "OverRegistryLimit"]
            item["eligible"] = not reasons
            if reasons:
                item["eligibility_reasons"] = reasons
            tiers.append(item)
        return {"available_regions": list(REGIONS), "subscription_tiers": tiers}

    def validate_name(self, body: dict) -> None:
        require(body, "name")
        name = body["name"]
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise Unprocessable(f"name {name!r} must be 1-63 characters of lower-case letters, digits and '-'")
        if name in self.data["registries"]:
            raise Conflict(f"registry name {name!r} is already taken")

    def create_registry(self, body: dict, *, legacy: bool) -> dict:
        require(body, "name", *(["subscription_tier_slug"] if legacy else []))
        self.validate_name({"name": body["name"]})
        regions = LEGACY_REGIONS if legacy else REGIONS
        region = body.get("region") or None
        if region is not None and region not in regions:
            raise Unprocessable(f"region must be one of {', '.join(regions)}; got {region!r}")
        slug = body.get("subscription_tier_slug") or None
        if slug is not None and not one_of(slug, TIERS):
            raise Unprocessable(f"subscription_tier_slug must be one of {', '.join(TIERS)}; got {slug!r}")
        effective = slug or self.subscription()["tier_slug"]
        if len(self.data["registries"]) + 1 > TIERS[effective]["_max_registries"]:
            raise PreconditionFailed("registry is not eligible for tier because: [OverRegistryLimit]")
        if slug is not None:
            self.update_subscription({"tier_slug": slug})
        now = self.now()
        registry = {"name": body["name"], "created_at": now, "region": region or "nyc3",
                    "storage_usage_bytes": 0, "storage_usage_bytes_updated_at": now}
        self.data["registries"][registry["name"]] = registry
        self.data["stores"][registry["name"]] = {"repos": {}, "blobs": {}}
        self.data["gcs"][registry["name"]] = []
        return registry

    def list_registries(self) -> list[dict]:
        return sorted(self.data["registries"].values(), key=lambda r: (r["created_at"], r["name"]))

    def get_registry(self, name: str) -> dict:
        registry = self.data["registries"].get(name)
        if registry is None:
            raise not_found("registry", repr(name))
        self._tick(name)
        return registry

    def only_registry(self) -> dict:
        """The legacy API's single registry: 412 when the account has several."""
        registries = self.list_registries()
        if not registries:
            raise NotFound("You have not created a container registry yet.")
        if len(registries) > 1:
            raise PreconditionFailed(
                "This API is not supported if you have created multiple registries. "
                "Please use '/v2/registries/{registry_name}' instead.")
        return self.get_registry(registries[0]["name"])

    def delete_registry(self, name: str) -> None:
        self.get_registry(name)
        for key in ("registries", "stores", "gcs"):
            self.data[key].pop(name, None)

    def docker_credentials(self, name: str, read_write: bool, expiry_seconds: int) -> dict:
        self.get_registry(name)
        if expiry_seconds < 0:
            raise Unprocessable(f"expiry_seconds must be >= 0; got {expiry_seconds}")
        secret = self.ids.hex(16)
        scope = "rw" if read_write else "ro"
        auth = base64.b64encode(f"{secret}-{scope}:{secret}".encode()).decode()
        return {"auths": {"registry.digitalocean.com": {"auth": auth}}}

    # -- repositories, tags, manifests
    def _store(self, registry: str) -> dict:
        self.get_registry(registry)
        return self.data["stores"][registry]

    def _repo(self, registry: str, repo: str) -> dict:
        found = self._store(registry)["repos"].get(repo)
        if found is None:
            raise not_found("repository", repr(repo), f"in registry {registry!r}")
        return found

    def repositories(self, registry: str) -> list[tuple[str, dict]]:
        return sorted(self._store(registry)["repos"].items())

    @staticmethod
    def latest_manifest(repo: dict) -> dict | None:
        return max(repo["manifests"].values(), key=lambda m: (m["updated_at"], m["digest"]), default=None)

    @staticmethod
    def tags_newest_first(repo: dict) -> list[tuple[str, dict]]:
        return sorted(repo["tags"].items(), key=lambda kv: (kv[1]["updated_at"], kv[0]), reverse=True)

    @staticmethod
    def manifests_newest_first(repo: dict) -> list[dict]:
        return sorted(repo["manifests"].values(), key=lambda m: (m["updated_at"], m["digest"]), reverse=True)

    def repository(self, registry: str, repo: str) -> dict:
        return self._repo(registry, repo)

    def delete_tag(self, registry: str, repo: str, tag: str) -> None:
        record = self._repo(registry, repo)
        entry = record["tags"].pop(tag, None)
        if entry is None:
            raise not_found("tag", repr(tag), f"in repository {repo!r}")
        manifest = record["manifests"].get(entry["digest"])
        if manifest is not None and tag in manifest["tags"]:
            manifest["tags"].remove(tag)

    def delete_manifest(self, registry: str, repo: str, digest: str) -> None:
        record = self._repo(registry, repo)
        manifest = record["manifests"].pop(digest, None)
        if manifest is None:
            raise not_found("manifest", repr(digest), f"in repository {repo!r}")
        for tag in manifest["tags"]:
            record["tags"].pop(tag, None)

    def delete_repository(self, registry: str, repo: str) -> None:
        self._repo(registry, repo)
        del self.data["stores"][registry]["repos"][repo]

    # -- garbage collection
    def _gc_step(self, registry: str) -> float:
        configured = self.data["registries"][registry].get("_gc_step_seconds")
        return self.state.settings.lifecycle_delay if configured is None else float(configured)

    def _tick(self, registry: str) -> None:
        """Advance the registry's collections (scheduled statuses) and run a sweep that became due."""
        for gc in self.data["gcs"].get(registry, ()):
            if gc["status"] in ("succeeded", "failed", "cancelled"):
                continue
            before = gc["status"]
            settle(self.state, gc)
            if gc["status"] == "succeeded" and before != "succeeded":
                self._sweep(registry, gc)
            if gc["status"] != before:
                gc["updated_at"] = self.now()

    def active_gc(self, registry: str) -> dict | None:
        self.get_registry(registry)
        return next((gc for gc in self.data["gcs"][registry] if gc["status"] in GC_ACTIVE), None)

    def start_gc(self, registry: str, body: dict) -> dict:
        gc_type = body.get("type") or GC_DEFAULT_TYPE
        if gc_type not in GC_TYPES:
            raise Unprocessable(f"type must be one of {', '.join(GC_TYPES)}; got {gc_type!r}")
        active = self.active_gc(registry)
        if active is not None:
            raise Conflict(f"garbage collection {active['uuid']} is already {active['status']} on registry "
                           f"{registry!r}; only one may be active")
        now = self.now()
        gc = {"uuid": self.ids.uuid(), "registry_name": registry, "status": "requested", "type": gc_type,
              "created_at": now, "updated_at": now, "blobs_deleted": 0, "freed_bytes": 0}
        step = self._gc_step(registry)
        for i, status in enumerate(GC_STEPS, start=1):
            schedule(self.state, gc, {"status": status}, delay=step * i)
        self.data["gcs"][registry].append(gc)
        return gc

    def list_gcs(self, registry: str) -> list[dict]:
        self.get_registry(registry)
        return sorted(self.data["gcs"][registry], key=lambda g: g["created_at"], reverse=True)

    def update_gc(self, registry: str, gc_uuid: str, body: dict) -> dict:
        self.get_registry(registry)
        gc = next((g for g in self.data["gcs"][registry] if g["uuid"] == gc_uuid), None)
        if gc is None:
            raise not_found("garbage collection", repr(gc_uuid))
        if body.get("cancel") is not True:
            raise Unprocessable("cancel must be true (the only update a garbage collection accepts)")
        if gc["status"] not in GC_ACTIVE:
            raise PreconditionFailed(f"garbage collection {gc_uuid} is already {gc['status']}")
        if gc["status"] != "cancelling":
            gc["_pending"] = []
            gc.update(status="cancelling", updated_at=self.now())
            schedule(self.state, gc, {"status": "cancelled"})
        return gc

    def read_only(self, registry: str) -> bool:
        return self.active_gc(registry) is not None

    def live_manifests(self, repo: dict) -> set[str]:
        """Tagged manifests and everything they reference (children of tagged indexes)."""
        live: set[str] = set()
        stack = [d for d, m in repo["manifests"].items() if m["tags"]]
        while stack:
            digest = stack.pop()
            if digest in live or digest not in repo["manifests"]:
                continue
            live.add(digest)
            stack.extend(repo["manifests"][digest].get("_references", ()))
        return live

    def _sweep(self, registry: str, gc: dict) -> None:
        store = self.data["stores"][registry]
        if gc["type"] in ("untagged manifests only", "untagged manifests and unreferenced blobs"):
            for repo in store["repos"].values():
                live = self.live_manifests(repo)
                for digest in [d for d in repo["manifests"] if d not in live]:
                    del repo["manifests"][digest]
        blobs_deleted = freed = 0
        if gc["type"] in ("unreferenced blobs only", "untagged manifests and unreferenced blobs"):
            referenced = {b["digest"] for repo in store["repos"].values() for m in repo["manifests"].values()
                          for b in m["blobs"]}
            for digest in [d for d in store["blobs"] if d not in referenced]:
                freed += store["blobs"].pop(digest)
                blobs_deleted += 1
        gc.update(blobs_deleted=blobs_deleted, freed_bytes=freed)
        self._recount(registry)

    def _recount(self, registry: str) -> None:
        reg = self.data["registries"][registry]
        reg["storage_usage_bytes"] = sum(self.data["stores"][registry]["blobs"].values())
        reg["storage_usage_bytes_updated_at"] = self.now()

    # -- pushes (control API) and seeding
    def push(self, registry: str, repo: str, tags: list[str], *, at: str | None = None,
             layers: list[int] | None = None, platforms: list[str] | None = None, digest: str | None = None,
             salt: str = "") -> dict:
        """Push an image (or a multi-arch index when ``platforms`` is given) and point ``tags`` at it."""
        if registry not in self.data["registries"]:
            raise not_found("registry", repr(registry))
        self._tick(registry)
        if self.read_only(registry):
            raise Conflict(f"registry {registry!r} is read-only while garbage collection runs; retry the push later")
        if not isinstance(repo, str) or not REPO_RE.match(repo):
            raise Unprocessable(f"repository {repo!r} is not a valid repository name")
        for tag in tags:
            if not isinstance(tag, str) or not TAG_RE.match(tag):
                raise Unprocessable(f"tag {tag!r} is not a valid tag")
        at = at or self.now()
        store = self.data["stores"][registry]
        record = store["repos"].setdefault(repo, {"created_at": at, "manifests": {}, "tags": {}})
        layers = layers or [30 * MIB, 2 * MIB, 10 * MIB]
        seed_text = f"{registry}/{repo}@{at}#{','.join(tags)}{salt}"
        if platforms:
            children = [self._put_manifest(store, record, registry, repo, f"{seed_text}/{p}",
                                           [size + i for size in layers], at, IMAGE_MEDIA_TYPE)
                        for i, p in enumerate(platforms)]
            manifest = self._put_manifest(store, record, registry, repo, seed_text, [], at, INDEX_MEDIA_TYPE,
                                          children=children, digest=digest)
        else:
            manifest = self._put_manifest(store, record, registry, repo, seed_text, layers, at, IMAGE_MEDIA_TYPE,
                                          digest=digest)
        for tag in tags:
            previous = record["tags"].get(tag)
            if previous is not None and previous["digest"] in record["manifests"]:
                old = record["manifests"][previous["digest"]]
                if tag in old["tags"]:
                    old["tags"].remove(tag)
            record["tags"][tag] = {"digest": manifest["digest"], "updated_at": at}
            if tag not in manifest["tags"]:
                manifest["tags"].append(tag)
        if parse_rfc3339(at) > parse_rfc3339(manifest["updated_at"]):
            manifest["updated_at"] = at
        self.data["registries"][registry]["storage_usage_bytes_updated_at"] = self.now()
        return manifest

    def _put_manifest(self, store: dict, record: dict, registry: str, repo: str, seed_text: str, layers: list[int],
                      at: str, media_type: str, *, children: list[dict] | None = None,
                      digest: str | None = None) -> dict:
        digest = digest or sha256("manifest:" + seed_text)
        existing = record["manifests"].get(digest)
        if existing is not None:
            return existing
        if children is not None:
            blobs = [{"digest": c["digest"], "compressed_size_bytes": c["compressed_size_bytes"]} for c in children]
            size = sum(c["size_bytes"] for c in children)
        else:
            # The first two layers are a base shared by every image of the repository, the rest are own.
            blobs = []
            for i, compressed in enumerate(layers):
                blob = sha256(f"blob:{registry}/{repo}:base{i}") if i < 2 else sha256(f"blob:{seed_text}:{i}")
                if blob in store["blobs"]:
                    compressed = store["blobs"][blob]
                else:
                    store["blobs"][blob] = compressed
                    self.data["registries"][registry]["storage_usage_bytes"] += compressed
                blobs.append({"digest": blob, "compressed_size_bytes": compressed})
            size = sum(b["compressed_size_bytes"] for b in blobs) * 2
        manifest = {"digest": digest, "tags": [], "blobs": blobs,
                    "compressed_size_bytes": sum(b["compressed_size_bytes"] for b in blobs), "size_bytes": size,
                    "updated_at": at, "_media_type": media_type}
        if children is not None:
            manifest["_references"] = [c["digest"] for c in children]
        record["manifests"][digest] = manifest
        return manifest

    def seed(self, payload: dict) -> dict:
        """Create (if needed) a registry, then apply explicit ``pushes`` and/or ``generate`` a history.

        ``{"registry": "r", "tier": "professional", "region": "fra1", "gc_step_seconds": 5,
        "pushes": [{"repository": "web", "tags": ["v1.0.0"], "age_days": 30, "platforms": ["amd64", "arm64"]}],
        "generate": {"repositories": 50, "tags": 10000, "seed": 7, "max_age_days": 365}}``
        """
        v.check_object(payload, SEED_SCHEMA, required=("registry",))  # every field, before anything changes
        name = payload["registry"]
        if name not in self.data["registries"]:
            tier = payload.get("tier") or "professional"
            if self.data.get("subscription") is None or payload.get("tier"):
                self.data["subscription"] = {"tier_slug": tier if tier in TIERS else "professional",
                                             "created_at": self.now(), "updated_at": self.now()}
            self.create_registry({"name": name, "region": payload.get("region") or "nyc3"}, legacy=False)
        if "gc_step_seconds" in payload:
            step = payload["gc_step_seconds"]
            self.data["registries"][name]["_gc_step_seconds"] = step
        pushed = [self._seed_push(name, i, push) for i, push in enumerate(payload.get("pushes") or [])]
        generated = self._generate(name, payload["generate"]) if payload.get("generate") else None
        summary = self.summary(name)
        summary["pushed"] = pushed
        if generated is not None:
            summary["generated"] = generated
        return summary

    def _seed_push(self, registry: str, index: int, push: dict) -> dict:
        if push.get("at"):
            at = rfc3339(parse_rfc3339(push["at"]))
        else:
            at = rfc3339(self.clock.now() - timedelta(days=float(push.get("age_days") or 0)))
        manifest = self.push(registry, push["repository"], list(push.get("tags") or []), at=at,
                             layers=push.get("layers"), platforms=push.get("platforms"), digest=push.get("digest"),
                             salt=f"#{index}")
        return {"repository": push["repository"], "digest": manifest["digest"], "tags": list(manifest["tags"]),
                "children": list(manifest.get("_references", []))}

    def _generate(self, registry: str, spec: dict) -> dict:
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
        now = self.clock.now()
        totals = {"repositories": 0, "tags": 0, "manifests": 0}
        for r in range(n_repos):
            repo = f"team-{r % 5}/service-{r:02d}" if r % 3 == 0 else f"service-{r:02d}"
            quota = n_tags // n_repos + (1 if r < n_tags % n_repos else 0)
            moving = ["main", "latest"] if quota >= 4 else []
            unique = quota - len(moving)
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
                self.push(registry, repo, tags + extra, at=at, layers=layers, platforms=platforms, salt=f"#{i}")
            record = self.data["stores"][registry]["repos"][repo]
            totals["repositories"] += 1
            totals["tags"] += len(record["tags"])
            totals["manifests"] += len(record["manifests"])
        return totals

    def summary(self, registry: str) -> dict:
        store = self.data["stores"][registry]
        repos = store["repos"].values()
        return {
            "registry": registry,
            "repositories": len(store["repos"]),
            "tags": sum(len(r["tags"]) for r in repos),
            "manifests": sum(len(r["manifests"]) for r in repos),
            "untagged_manifests": sum(1 for r in repos for m in r["manifests"].values() if not m["tags"]),
            "indexes": sum(1 for r in repos for m in r["manifests"].values() if m["_media_type"] == INDEX_MEDIA_TYPE),
            "blobs": len(store["blobs"]),
            "storage_usage_bytes": self.data["registries"][registry]["storage_usage_bytes"],
        }
