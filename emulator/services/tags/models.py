"""Tags and the resources carrying them.

A tag's membership is kept here; the resource's own ``tags`` list is kept by its family. Two ways in:

* a family creating a resource with ``tags`` calls :meth:`TagsBackend.touch` (validate + create
  missing tags) and :meth:`tag` (record membership); on delete it calls :meth:`forget`;
* ``POST/DELETE /v2/tags/{name}/resources`` goes the other way: this backend calls the owning
  family's hooks ``tag_target_exists(resource_type, resource_id) -> bool`` (checked for every item
  first, 404 otherwise) and ``set_tag(resource_id, tag, present)`` (updates the resource's list).
  Droplets, volumes and images implement them; databases and load balancers should too.

Names compare case-insensitively and are echoed as first written.
"""

from __future__ import annotations

import re

from emulator.core import links
from emulator.core.errors import Unprocessable, not_found, require
from emulator.core.routing import api_url
from emulator.core.state import Backend
from emulator.core.validate import one_of

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9_\-:]{1,255}$")
# resource_type in tag bodies → (family owning it, key in tag.resources, path of last_tagged_uri)
RESOURCE_TYPES = {
    "droplet": ("droplets", "droplets", "/v2/droplets/{id}"),
    "image": ("catalog", "images", "/v2/images/{id}"),
    "volume": ("volumes", "volumes", "/v2/volumes/{id}"),
    "volume_snapshot": ("volumes", "volume_snapshots", "/v2/snapshots/{id}"),
    "database": ("databases", "databases", "/v2/databases/{id}"),
    "load_balancer": ("load_balancers", None, "/v2/load_balancers/{id}"),
}
COUNTED = ("droplets", "images", "volumes", "volume_snapshots", "databases")


class TagsBackend(Backend):
    name = "tags"

    def reset(self) -> None:
        self.data = {"tags": {}}

    # -- public API for other families
    def validate(self, names) -> list[str]:
        """422 naming the first bad tag; returns the list (``None`` → ``[]``)."""
        if names is None:
            return []
        if not isinstance(names, list):
            raise Unprocessable(f"tags must be a list of strings; got {names!r}")
        for name in names:
            if not isinstance(name, str) or not NAME_PATTERN.match(name):
                raise Unprocessable(f"tag {name!r} is invalid: use 1-255 letters, digits, '_', '-' or ':'")
        unique: dict[str, str] = {}
        for name in names:
            unique.setdefault(name.lower(), name)  # tags compare case-insensitively; the first spelling wins
        return list(unique.values())

    def touch(self, names) -> list[str]:
        """Create every missing tag in ``names`` (idempotent); returns the validated names as given."""
        names = self.validate(names)
        for name in names:
            self._ensure(name)
        return names

    def tag(self, resource_type: str, resource_id, names) -> None:
        """Record that the resource carries ``names`` (creating the tags); the caller updates its own list."""
        self._check_type(resource_type)
        for name in self.touch(names):
            record = self._ensure(name)
            record["_members"][f"{resource_type}:{resource_id}"] = self.now()

    def untag(self, resource_type: str, resource_id, names) -> None:
        for name in names or []:
            record = self.data["tags"].get(name.lower())
            if record is not None:
                record["_members"].pop(f"{resource_type}:{resource_id}", None)

    def forget(self, resource_type: str, resource_id) -> None:
        """Drop a deleted resource from every tag."""
        key = f"{resource_type}:{resource_id}"
        for record in self.data["tags"].values():
            record["_members"].pop(key, None)

    def tagged(self, name: str, resource_type: str) -> list[str]:
        """Ids (as strings) of the resources of one type carrying tag ``name``."""
        record = self.data["tags"].get(name.lower())
        if record is None:
            return []
        prefix = f"{resource_type}:"
        return [key[len(prefix):] for key in record["_members"] if key.startswith(prefix)]

    # -- the tags API
    def create(self, body: dict) -> dict:
        require(body, "name")
        (name,) = self.validate([body["name"]])
        return self._ensure(name)

    def get(self, name: str) -> dict:
        record = self.data["tags"].get(name.lower())
        if record is None:
            raise not_found("tag", name)
        return record

    def list(self) -> list[dict]:
        return list(self.data["tags"].values())

    def delete(self, name: str) -> None:
        record = self.get(name)
        for key in list(record["_members"]):
            resource_type, resource_id = key.split(":", 1)
            self._owner(resource_type).set_tag(resource_id, record["name"], False)
        del self.data["tags"][name.lower()]

    def assign(self, name: str, body: dict, *, present: bool) -> None:
        """``POST`` (present) or ``DELETE`` (absent) ``/v2/tags/{name}/resources``: all or nothing."""
        record = self.get(name)
        resources = body.get("resources")
        if not isinstance(resources, list) or not resources:
            raise Unprocessable("resources is required: a list of {resource_id, resource_type}")
        pairs = []
        for item in resources:
            if not isinstance(item, dict) or item.get("resource_id") in (None, ""):
                raise Unprocessable(f"resources: each item needs resource_id and resource_type; got {item!r}")
            self._check_type(item.get("resource_type"))
            pairs.append((item["resource_type"], str(item["resource_id"])))
        for resource_type, resource_id in pairs:  # 404 before anything changes
            self._require_exists(resource_type, resource_id)
        for resource_type, resource_id in pairs:
            self._owner(resource_type).set_tag(resource_id, record["name"], present)
            key = f"{resource_type}:{resource_id}"
            if present:
                record["_members"][key] = self.now()
            else:
                record["_members"].pop(key, None)

    def render(self, record: dict) -> dict:
        """The tag as the API shows it: counts per kind, always every sub-object."""
        resources: dict = {"count": 0, "last_tagged_uri": ""}
        for key in COUNTED:
            resources[key] = {"count": 0, "last_tagged_uri": ""}
        latest: tuple[str, str] | None = None
        per_kind_latest: dict[str, str] = {}
        for key, tagged_at in sorted(record["_members"].items(), key=lambda kv: kv[1]):
            resource_type, resource_id = key.split(":", 1)
            _, counted, path = RESOURCE_TYPES[resource_type]
            uri = api_url(path.format(id=resource_id))
            resources["count"] += 1
            latest = (tagged_at, uri)
            if counted:
                resources[counted]["count"] += 1
                per_kind_latest[counted] = uri
        if latest:
            resources["last_tagged_uri"] = latest[1]
        for counted, uri in per_kind_latest.items():
            resources[counted]["last_tagged_uri"] = uri
        return {"name": record["name"], "resources": resources}

    # -- internals
    def _ensure(self, name: str) -> dict:
        key = name.lower()
        record = self.data["tags"].get(key)
        if record is None:
            record = {"name": name, "_members": {}}
            self.data["tags"][key] = record
        return record

    @staticmethod
    def _check_type(resource_type) -> None:
        if not one_of(resource_type, RESOURCE_TYPES):
            raise Unprocessable(f"resource_type {resource_type!r} is not taggable; "
                                f"allowed: {', '.join(RESOURCE_TYPES)}")

    def _owner(self, resource_type: str):
        owner = links.optional_neighbour(self.state, RESOURCE_TYPES[resource_type][0])
        if owner is None:
            raise Unprocessable(f"resource_type {resource_type!r} is not emulated")
        return owner

    def _require_exists(self, resource_type: str, resource_id: str) -> None:
        owner = self._owner(resource_type)
        exists = getattr(owner, "tag_target_exists", None)
        if exists is None:
            raise Unprocessable(f"resource_type {resource_type!r} cannot be tagged in the emulator yet")
        if not exists(resource_type, resource_id):
            raise not_found(resource_type, resource_id)
