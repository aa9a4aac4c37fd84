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

Split per resource: garbage collection in ``garbage_collection.py``, seeded content (pushes, a generated CI
history) in ``history.py``; this module keeps registries, the subscription, repositories, tags and manifests.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re

from emulator.core import validate as v
from emulator.core.clock import parse_rfc3339
from emulator.core.errors import BadRequest, Conflict, NotFound, PreconditionFailed, Unprocessable, not_found, require
from emulator.core.state import Backend
from emulator.core.validate import one_of

from . import garbage_collection, history
from .garbage_collection import GC_ACTIVE

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
    def _tick(self, registry: str) -> None:
        garbage_collection.tick(self, registry)

    def active_gc(self, registry: str) -> dict | None:
        self.get_registry(registry)
        return next((gc for gc in self.data["gcs"][registry] if gc["status"] in GC_ACTIVE), None)

    def start_gc(self, registry: str, body: dict) -> dict:
        return garbage_collection.start(self, registry, body)

    def list_gcs(self, registry: str) -> list[dict]:
        self.get_registry(registry)
        return sorted(self.data["gcs"][registry], key=lambda g: g["created_at"], reverse=True)

    def update_gc(self, registry: str, gc_uuid: str, body: dict) -> dict:
        return garbage_collection.cancel(self, registry, gc_uuid, body)

    def read_only(self, registry: str) -> bool:
        return self.active_gc(registry) is not None

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
        pushed = [history.seed_push(self, name, i, push) for i, push in enumerate(payload.get("pushes") or [])]
        generated = history.generate(self, name, payload["generate"]) if payload.get("generate") else None
        summary = self.summary(name)
        summary["pushed"] = pushed
        if generated is not None:
            summary["generated"] = generated
        return summary

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
