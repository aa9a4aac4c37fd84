"""Regions, sizes and images: the read-mostly catalog every create is validated against.

Other families call :meth:`CatalogBackend.require_region`, :meth:`require_size` and
:meth:`require_image` so that an unknown or unavailable slug gets the same 422 everywhere.
Availability is seedable (``POST /_emulator/seed/catalog``) to rehearse "size sold out in region", and so is
a size's monthly price, to rehearse DigitalOcean changing a price (``do-platform prices check``).
"""

from __future__ import annotations

from do_vocab import catalog
from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import Backend, public, settle
from emulator.core.tagging import with_tag

from .custom_images import DISTRIBUTIONS

CATALOG = catalog.load()  # regions and sizes: the one catalog, shared with the program (do_vocab/catalog.json)
HOURS_PER_MONTH = CATALOG.hours_per_month  # the API's divisor: $6/mo → 0.00893/h

# id, slug, name, distribution, kind (distribution | application), min_disk_size, size_gigabytes, created
IMAGES = [
    (160000001, "ubuntu-24-04-x64", "24.04 (LTS) x64", "Ubuntu", "distribution", 7, 2.37, "2024-04-25T14:34:41Z"),
    (160000002, "ubuntu-22-04-x64", "22.04 (LTS) x64", "Ubuntu", "distribution", 7, 2.28, "2022-04-22T17:26:32Z"),
    (160000003, "ubuntu-20-04-x64", "20.04 (LTS) x64", "Ubuntu", "distribution", 7, 2.36, "2020-05-15T05:47:50Z"),
    (160000004, "debian-12-x64", "12 x64", "Debian", "distribution", 7, 0.85, "2023-06-12T16:54:28Z"),
    (160000005, "debian-11-x64", "11 x64", "Debian", "distribution", 7, 0.73, "2021-08-17T14:37:20Z"),
    (160000006, "fedora-40-x64", "40 x64", "Fedora", "distribution", 7, 1.31, "2024-04-24T10:11:52Z"),
    (160000007, "centos-stream-9-x64", "Stream 9 x64", "CentOS", "distribution", 10, 1.64, "2022-03-16T15:06:40Z"),
    (160000008, "rockylinux-9-x64", "9 x64", "Rocky Linux", "distribution", 10, 1.08, "2022-07-15T19:56:12Z"),
    (160000101, "docker-20-04", "Docker on Ubuntu 20.04", "Ubuntu", "application", 25, 4.2, "2023-11-02T13:10:05Z"),
    (160000102, "wordpress-20-04", "WordPress on Ubuntu 20.04", "Ubuntu", "application", 25, 4.84,
     "2023-11-02T13:10:05Z"),
]
IMAGE_TYPES = ("distribution", "application")


SEED_SCHEMA = {"regions": v.is_object_of_objects, "sizes": v.is_object_of_objects,
               "unavailable": v.is_list(v.is_object({"size": v.is_string, "region": v.is_string},
                                                    required=("size", "region")))}

class CatalogBackend(Backend):
    name = "catalog"

    def reset(self) -> None:
        slugs = CATALOG.region_slugs(available_only=True)  # a closed region (nyc2...) offers no size
        self.data = {"regions": {}, "sizes": {}, "images": {}}
        for region in CATALOG.regions:
            self.data["regions"][region["slug"]] = {"name": region["name"], "slug": region["slug"],
                                                    "features": list(region["features"]),
                                                    "available": region["available"]}
        for size in CATALOG.droplet_sizes:
            monthly, disk = size["price_monthly"], size["disk"]
            self.data["sizes"][size["slug"]] = {
                "slug": size["slug"], "memory": size["memory"], "vcpus": size["vcpus"], "disk": disk,
                "transfer": size["transfer"], "price_monthly": monthly,
                "price_hourly": round(monthly / HOURS_PER_MONTH, 5), "regions": list(slugs), "available": True,
                "description": size["description"],
                "disk_info": [{"type": "local", "size": {"amount": disk, "unit": "gib"}}],
            }
        for image_id, slug, title, distro, kind, min_disk, gigabytes, created in IMAGES:
            self.data["images"][str(image_id)] = {
                "id": image_id, "name": title, "distribution": distro, "slug": slug, "public": True,
                "regions": list(slugs), "created_at": created, "type": "snapshot", "min_disk_size": min_disk,
                "size_gigabytes": gigabytes, "description": "", "tags": [], "status": "available",
                "error_message": "", "_kind": kind,
            }

    # -- regions
    def regions(self) -> list[dict]:
        return [self.region(slug) for slug in self.data["regions"]]

    def region(self, slug: str) -> dict:
        """The region object as nested in droplets, volumes and actions (sizes computed)."""
        record = self.data["regions"].get(slug)
        if record is None:
            raise not_found("region", slug)
        sizes = [s["slug"] for s in self.data["sizes"].values() if slug in s["regions"] and s["available"]]
        return {**public(record), "sizes": sizes}

    def require_region(self, slug, field: str = "region") -> dict:
        """The region object for ``slug``; 422 naming ``field`` when unknown or unavailable."""
        if not slug:
            raise Unprocessable(f"{field} is required")
        record = self.data["regions"].get(str(slug))
        if record is None:
            raise Unprocessable(f"{field} {slug!r} is not a valid region; allowed: {', '.join(self.data['regions'])}")
        if not record["available"]:
            raise Unprocessable(f"{field} {slug!r} is not available for new resources")
        return self.region(str(slug))

    def placement_region(self, slug, size, field: str = "region") -> dict:
        """Where a droplet goes: ``slug`` itself; a region prefix such as ``nyc`` (any of its data centers); or,
        with no region at all, any region. The first available one (catalog order) offering ``size`` is chosen;
        a prefix or an empty region with no such region is a 422 naming ``field``."""
        if slug and str(slug) in self.data["regions"]:
            return self.require_region(slug, field)
        prefix = str(slug or "")
        if prefix and not any(r.startswith(prefix) for r in self.data["regions"]):
            self.require_region(slug, field)  # neither a region nor a prefix of one: the usual 422
        offered = self.data["sizes"].get(str(size), {}).get("regions", [])
        for candidate, record in self.data["regions"].items():
            if candidate.startswith(prefix) and record["available"] and (not offered or candidate in offered):
                return self.region(candidate)
        raise Unprocessable(f"{field} {slug!r}: no available region{' starting with it' if prefix else ''} "
                            f"offers size {size!r}")

    # -- sizes
    def sizes(self) -> list[dict]:
        return [public(s) for s in self.data["sizes"].values()]

    def size(self, slug: str) -> dict:
        record = self.data["sizes"].get(slug)
        if record is None:
            raise not_found("size", slug)
        return public(record)

    def require_size(self, slug, region: str | None = None, field: str = "size") -> dict:
        """The size object; 422 naming ``field`` when unknown, unavailable, or not offered in ``region``."""
        if not slug:
            raise Unprocessable(f"{field} is required")
        record = self.data["sizes"].get(str(slug))
        if record is None:
            raise Unprocessable(f"{field} {slug!r} is not a valid size slug; "
                                f"allowed: {', '.join(self.data['sizes'])}")
        if not record["available"]:
            raise Unprocessable(f"{field} {slug!r} is not available")
        if region is not None and region not in record["regions"]:
            raise Unprocessable(f"{field} {slug!r} is not available in region {region!r}; "
                                f"it is offered in: {', '.join(record['regions']) or 'no region'}")
        return public(record)

    # -- images
    def images(self, *, kind: str | None = None, private: bool = False, tag_name: str | None = None) -> list[dict]:
        """Images filtered as ``GET /v2/images`` does (``type``, ``private``, ``tag_name``)."""
        if kind is not None and kind not in IMAGE_TYPES:
            raise Unprocessable(f"type must be one of {', '.join(IMAGE_TYPES)}; got {kind!r}")
        out = []
        for record in self.data["images"].values():
            settle(self.state, record)
            if kind is not None and record["_kind"] != kind:
                continue
            if private and record["public"]:
                continue
            if tag_name is not None and tag_name not in record["tags"]:
                continue
            out.append(public(record))
        return out

    def _find_image(self, ref) -> dict | None:
        """The stored image by int id or slug, its due transitions applied (a custom image's import)."""
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            record = self.data["images"].get(str(int(ref)))
            return settle(self.state, record) if record is not None else None
        for record in self.data["images"].values():
            if record["slug"] == ref:
                return settle(self.state, record)
        return None

    def image(self, ref) -> dict:
        """An image by int id or slug; 404 when unknown."""
        record = self._find_image(ref)
        if record is None:
            raise not_found("image", ref)
        return public(record)

    def require_image(self, ref, region: str | None = None, field: str = "image") -> dict:
        """The image for a droplet create: by id or slug, available, and present in ``region``."""
        if ref in (None, ""):
            raise Unprocessable(f"{field} is required")
        record = self._find_image(ref)
        if record is None or record["status"] != "available":
            raise Unprocessable(f"{field} {ref!r} is not a valid image id or slug")
        if region is not None and region not in record["regions"]:
            raise Unprocessable(f"{field} {ref!r} is not available in region {region!r}")
        return public(record)

    def add_image(self, *, name: str, region: str, distribution: str, size_gigabytes: float,
                  min_disk_size: int, image_type: str = "snapshot", tags: list[str] | None = None,
                  droplet_id: int | None = None) -> dict:
        """Register a private image (a droplet snapshot or backup, of ``droplet_id``) and return it."""
        image_id = self.ids.next_int("image", start=170000001)
        record = {
            "id": image_id, "name": name, "distribution": distribution, "slug": None, "public": False,
            "regions": [region], "created_at": self.now(), "type": image_type, "min_disk_size": min_disk_size,
            "size_gigabytes": size_gigabytes, "description": "", "tags": list(tags or []),
            "status": "available", "error_message": "", "_kind": "private", "_droplet_id": droplet_id,
        }
        self.data["images"][str(image_id)] = record
        return public(record)

    def update_image(self, ref, body: dict) -> dict:
        record = self._require_private(ref)
        for key in ("name", "description"):
            if body.get(key) not in (None, ""):
                record[key] = str(body[key])
        if body.get("distribution") not in (None, ""):
            if body["distribution"] not in DISTRIBUTIONS:
                raise Unprocessable(f"distribution must be one of {', '.join(DISTRIBUTIONS)}; "
                                    f"got {body['distribution']!r}")
            record["distribution"] = body["distribution"]
        return public(record)

    def delete_image(self, ref) -> None:
        record = self._require_private(ref)
        del self.data["images"][str(record["id"])]
        links.neighbour(self.state, "droplets").forget_snapshot(record["id"])

    # -- /v2/snapshots: droplet snapshots (images here) and volume snapshots (the volumes family)
    def snapshots(self, resource_type: str | None = None) -> list[dict]:
        if resource_type not in (None, "droplet", "volume"):
            raise Unprocessable(f"resource_type must be droplet or volume; got {resource_type!r}")
        out = []
        if resource_type in (None, "droplet"):
            out += [self._snapshot_view(r) for r in self.data["images"].values()
                    if r.get("_droplet_id") is not None and r["type"] == "snapshot"]
        if resource_type in (None, "volume"):
            out += links.neighbour(self.state, "volumes").snapshots()
        return out

    def snapshot(self, snapshot_id: str) -> dict:
        record = self.data["images"].get(str(snapshot_id))
        if record is not None and record.get("_droplet_id") is not None:
            return self._snapshot_view(record)
        return links.neighbour(self.state, "volumes").snapshot(snapshot_id)

    def delete_snapshot(self, snapshot_id: str) -> None:
        record = self.data["images"].get(str(snapshot_id))
        if record is not None and record.get("_droplet_id") is not None:
            self.delete_image(snapshot_id)
        else:
            links.neighbour(self.state, "volumes").delete_snapshot(snapshot_id)

    @staticmethod
    def _snapshot_view(record: dict) -> dict:
        return {"id": str(record["id"]), "name": record["name"], "created_at": record["created_at"],
                "regions": list(record["regions"]), "resource_id": str(record["_droplet_id"]),
                "resource_type": "droplet", "min_disk_size": record["min_disk_size"],
                "size_gigabytes": record["size_gigabytes"], "tags": list(record["tags"])}

    def _require_private(self, ref) -> dict:
        record = self._find_image(ref)
        if record is None:
            raise not_found("image", ref)
        if record["public"]:
            raise Unprocessable(f"image {ref} is a public image and cannot be changed")
        return record

    def tag_target_exists(self, resource_type: str, resource_id: str) -> bool:
        return resource_type == "image" and self._find_image(resource_id) is not None

    def set_tag(self, resource_id: str, tag: str, present: bool) -> None:
        """Tag hook (see the tags family): images carry their tags in ``tags``."""
        record = self._find_image(resource_id)
        if record is None:
            raise not_found("image", resource_id)
        record["tags"] = with_tag(record["tags"], tag, present)

    # -- seed
    def seed(self, payload: dict) -> dict:
        """``{"regions": {slug: {"available": bool}}, "sizes": {slug: {"available": bool, "regions": [...],
        "price_monthly": n}}, "unavailable": [{"size": slug, "region": slug}]}``: change availability or a
        price (all checked before any change)."""
        regions, sizes, pairs = self._checked_seed(payload)
        self._apply_seed(regions, sizes, pairs)
        return {"regions": len(self.data["regions"]), "sizes": len(self.data["sizes"])}

    def _checked_seed(self, payload: dict) -> tuple[dict, dict, list]:
        """(regions, sizes, unavailable pairs) of a seed; 422 naming the first bad field or unknown slug."""
        v.check_object(payload, SEED_SCHEMA)
        for slug, changes in (payload.get("regions") or {}).items():
            v.check_object(changes, {"available": v.is_boolean}, f"regions.{slug}")
        for slug, changes in (payload.get("sizes") or {}).items():
            v.check_object(changes, {"available": v.is_boolean, "regions": v.is_list(v.is_string),
                                     "price_monthly": v.is_number(minimum=0)}, f"sizes.{slug}")
        regions, sizes = payload.get("regions") or {}, payload.get("sizes") or {}
        pairs = payload.get("unavailable") or []
        for slug in regions:
            if slug not in self.data["regions"]:
                raise Unprocessable(f"regions: unknown region {slug!r}")
        for slug, changes in sizes.items():
            if slug not in self.data["sizes"]:
                raise Unprocessable(f"sizes: unknown size {slug!r}")
            bad = [r for r in changes.get("regions", []) if r not in self.data["regions"]]
            if bad:
                raise Unprocessable(f"sizes.{slug}.regions: unknown regions {bad}")
        for pair in pairs:
            if not isinstance(pair, dict) or pair.get("size") not in self.data["sizes"] \
                    or pair.get("region") not in self.data["regions"]:
                raise Unprocessable(f"unavailable: unknown size/region pair {pair!r}")
        return regions, sizes, pairs

    def _apply_seed(self, regions: dict, sizes: dict, pairs: list) -> None:
        for slug, changes in regions.items():
            if "available" in changes:
                self.data["regions"][slug]["available"] = bool(changes["available"])
        for slug, changes in sizes.items():
            if "available" in changes:
                self.data["sizes"][slug]["available"] = bool(changes["available"])
            if "regions" in changes:
                self.data["sizes"][slug]["regions"] = list(changes["regions"])
            if "price_monthly" in changes:
                monthly = float(changes["price_monthly"])
                self.data["sizes"][slug]["price_monthly"] = monthly
                self.data["sizes"][slug]["price_hourly"] = round(monthly / HOURS_PER_MONTH, 5)
        for pair in pairs:
            offered = self.data["sizes"][pair["size"]]["regions"]
            if pair["region"] in offered:
                offered.remove(pair["region"])
