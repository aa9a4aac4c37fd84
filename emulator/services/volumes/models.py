"""Block storage volumes, their attach/detach/resize actions and their snapshots.

Attachment is kept on both sides: ``volume.droplet_ids`` here and ``droplet.volume_ids`` through the
droplets family (``add_volume`` / ``remove_volume``). Droplet creates call :meth:`claimable` and
:meth:`link`; droplet deletes call :meth:`unlink`.
"""

from __future__ import annotations

import re

from emulator.core import links
from emulator.core.errors import Unprocessable, not_found, require
from emulator.core.state import Backend, public
from emulator.core.tagging import with_tag
from emulator.core.validate import one_of

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
SIZE_MAX_GB = 16 * 1024
FILESYSTEMS = ("ext4", "xfs")
MAX_VOLUMES_PER_DROPLET = 7
ACTION_TYPES = {"attach": "attach_volume", "detach": "detach_volume", "resize": "resize_volume"}


class VolumesBackend(Backend):
    name = "volumes"

    def reset(self) -> None:
        self.data = {"volumes": {}, "snapshots": {}}

    # -- lookups
    def _record(self, volume_id) -> dict:
        return self.get_or_404("volumes", volume_id, "volume")

    def get(self, volume_id) -> dict:
        return public(self._record(volume_id))

    def list(self, *, name: str | None = None, region: str | None = None) -> list[dict]:
        return [public(v) for v in self.table("volumes").values()
                if name in (None, v["name"]) and region in (None, v["region"]["slug"])]

    def _by_name(self, name, region) -> dict:
        if not name or not region:
            raise Unprocessable("volume_name and region are both required to address a volume by name")
        for record in self.table("volumes").values():
            if record["name"] == name and record["region"]["slug"] == region:
                return record
        raise not_found("volume", name, f"in region {region}")

    # -- create / delete
    def create(self, body: dict) -> dict:
        require(body, "name", "size_gigabytes", "region")
        region = links.neighbour(self.state, "catalog").require_region(body["region"])
        name = str(body["name"])
        if not NAME_PATTERN.match(name):
            raise Unprocessable(f"name {name!r} must be 1-64 lowercase letters, digits or '-', starting with a "
                                "letter or digit")
        if any(v["name"] == name and v["region"]["slug"] == region["slug"] for v in self.table("volumes").values()):
            raise Unprocessable(f"name {name!r} is already used by a volume in region {region['slug']}")
        size = self._valid_size(body["size_gigabytes"])
        if body.get("snapshot_id"):
            snapshot = self.table("snapshots").get(str(body["snapshot_id"]))
            if snapshot is None:
                raise Unprocessable(f"snapshot_id {body['snapshot_id']!r} does not match any volume snapshot")
            if region["slug"] not in snapshot["regions"]:
                raise Unprocessable(f"snapshot_id {snapshot['id']!r} is in {', '.join(snapshot['regions'])}, "
                                    f"not {region['slug']}")
            if size < snapshot["min_disk_size"]:
                raise Unprocessable(f"size_gigabytes must be at least the snapshot's {snapshot['min_disk_size']}")
        filesystem = body.get("filesystem_type") or ""
        if filesystem and filesystem not in FILESYSTEMS:
            raise Unprocessable(f"filesystem_type must be one of {', '.join(FILESYSTEMS)}; got {filesystem!r}")
        label = body.get("filesystem_label") or ""
        limit = {"ext4": 16, "xfs": 12}.get(filesystem, 16)
        if len(label) > limit:
            raise Unprocessable(f"filesystem_label must be at most {limit} characters for {filesystem or 'ext4'}")
        tags = links.neighbour(self.state, "tags").validate(body.get("tags"))
        limit = links.neighbour(self.state, "account").get()["volume_limit"]
        if len(self.table("volumes")) >= limit:
            raise Unprocessable(f"creating this volume will exceed your volume limit of {limit}")
        volume_id = self.ids.uuid()
        record = {"id": volume_id, "region": region, "droplet_ids": [], "name": name,
                  "description": str(body.get("description") or ""), "size_gigabytes": size,
                  "created_at": self.now(), "filesystem_type": filesystem, "filesystem_label": label, "tags": tags}
        self.table("volumes")[volume_id] = record
        links.neighbour(self.state, "tags").tag("volume", volume_id, tags)
        links.neighbour(self.state, "projects").assign_default(f"do:volume:{volume_id}")
        return public(record)

    def delete(self, volume_id) -> None:
        self._delete(self._record(volume_id))

    def delete_by_name(self, name, region) -> None:
        self._delete(self._by_name(name, region))

    def _delete(self, record: dict) -> None:
        if record["droplet_ids"]:
            raise Unprocessable(f"Volume {record['name']} is attached to droplet {record['droplet_ids'][0]}; "
                                "detach it before deleting")
        links.neighbour(self.state, "tags").forget("volume", record["id"])
        links.neighbour(self.state, "projects").forget(f"do:volume:{record['id']}")
        del self.table("volumes")[record["id"]]

    # -- actions
    def act(self, volume_id, body: dict) -> dict:
        return self._act(self._record(volume_id), body)

    def act_by_name(self, body: dict) -> dict:
        return self._act(self._by_name(body.get("volume_name"), body.get("region")), body)

    def _act(self, record: dict, body: dict) -> dict:
        kind = body.get("type")
        if not one_of(kind, ACTION_TYPES):
            raise Unprocessable(f"type must be one of {', '.join(ACTION_TYPES)}; got {kind!r}")
        if body.get("region") and body["region"] != record["region"]["slug"]:
            raise Unprocessable(f"region {body['region']!r} does not match the volume's region "
                                f"{record['region']['slug']!r}")
        if kind == "resize":
            size = self._valid_size(body.get("size_gigabytes"))
            if size <= record["size_gigabytes"]:
                raise Unprocessable(f"size_gigabytes must be larger than the current {record['size_gigabytes']}; "
                                    "volumes cannot shrink")
            record["size_gigabytes"] = size
        else:
            droplet_id = body.get("droplet_id")
            if not isinstance(droplet_id, int) or isinstance(droplet_id, bool):
                raise Unprocessable(f"droplet_id is required and must be an integer; got {droplet_id!r}")
            droplets = links.neighbour(self.state, "droplets")
            droplet = droplets.get(droplet_id)
            if links.neighbour(self.state, "actions").in_progress("droplet", droplet_id):
                raise Unprocessable("Droplet already has a pending event.")
            if kind == "attach":
                self._check_attach(record, droplet)
                self.link(record["id"], droplet_id)
            else:
                if droplet_id not in record["droplet_ids"]:
                    raise Unprocessable(f"Volume {record['name']} is not attached to droplet {droplet_id}")
                self.unlink(record["id"], droplet_id)
        return links.record_action(self.state, ACTION_TYPES[kind], "volume", None, record["region"]["slug"],
                                   owner=record["id"])

    def _check_attach(self, record: dict, droplet: dict) -> None:
        if droplet["region"]["slug"] != record["region"]["slug"]:
            raise Unprocessable(f"Volume {record['name']} is in {record['region']['slug']} and droplet "
                                f"{droplet['id']} in {droplet['region']['slug']}; they must share a region")
        if record["droplet_ids"]:
            raise Unprocessable(f"Volume {record['name']} is already attached to droplet {record['droplet_ids'][0]}")
        if len(droplet["volume_ids"]) >= MAX_VOLUMES_PER_DROPLET:
            raise Unprocessable(f"Droplet {droplet['id']} already has {MAX_VOLUMES_PER_DROPLET} volumes attached")

    def actions(self, volume_id) -> list[dict]:
        record = self._record(volume_id)
        return links.neighbour(self.state, "actions").list("volume", record["id"])

    # -- links with droplets (public for the droplets family)
    def claimable(self, refs, region: str, field: str = "volumes") -> list[str]:
        """Volume ids for a droplet create: ``["uuid"]``, ``[{"id": "uuid"}]`` or ``[{"name": "vol"}]`` (godo's
        forms), each existing in ``region`` and unattached."""
        if refs in (None, ""):
            return []
        if not isinstance(refs, list):
            raise Unprocessable(f"{field} must be a list of volume ids; got {refs!r}")
        out = []
        for ref in refs:
            volume_id = ref.get("id") if isinstance(ref, dict) else ref
            record = self.table("volumes").get(str(volume_id))
            if record is None and isinstance(ref, dict) and ref.get("name") and not volume_id:
                volume_id = ref["name"]
                record = next((v for v in self.table("volumes").values()
                               if v["name"] == volume_id and v["region"]["slug"] == region), None)
            if record is None:
                raise Unprocessable(f"{field}: volume {volume_id!r} does not exist")
            if record["region"]["slug"] != region:
                raise Unprocessable(f"{field}: volume {volume_id!r} is in {record['region']['slug']}, not {region}")
            if record["droplet_ids"]:
                raise Unprocessable(f"{field}: volume {volume_id!r} is already attached to droplet "
                                    f"{record['droplet_ids'][0]}")
            out.append(record["id"])
        if len(out) > MAX_VOLUMES_PER_DROPLET:
            raise Unprocessable(f"{field}: at most {MAX_VOLUMES_PER_DROPLET} volumes per droplet")
        return out

    def link(self, volume_id: str, droplet_id: int) -> None:
        record = self._record(volume_id)
        if droplet_id not in record["droplet_ids"]:
            record["droplet_ids"].append(droplet_id)
        links.neighbour(self.state, "droplets").add_volume(droplet_id, record["id"])

    def unlink(self, volume_id: str, droplet_id: int) -> None:
        record = self.table("volumes").get(str(volume_id))
        if record is not None and droplet_id in record["droplet_ids"]:
            record["droplet_ids"].remove(droplet_id)
        links.neighbour(self.state, "droplets").remove_volume(droplet_id, str(volume_id))

    # -- snapshots
    def create_snapshot(self, volume_id, body: dict) -> dict:
        record = self._record(volume_id)
        require(body, "name")
        name = str(body["name"])
        if len(name) > 255:
            raise Unprocessable("name must be at most 255 characters")
        if any(s["name"] == name and s["resource_id"] == record["id"] for s in self.table("snapshots").values()):
            raise Unprocessable(f"name {name!r} is already used by a snapshot of volume {record['name']}")
        tags = links.neighbour(self.state, "tags").validate(body.get("tags"))
        snapshot_id = self.ids.uuid()
        snapshot = {"id": snapshot_id, "name": name, "created_at": self.now(), "regions": [record["region"]["slug"]],
                    "resource_id": record["id"], "resource_type": "volume", "min_disk_size": record["size_gigabytes"],
                    "size_gigabytes": 0.0, "tags": tags}  # an emulated volume holds no data
        self.table("snapshots")[snapshot_id] = snapshot
        links.neighbour(self.state, "tags").tag("volume_snapshot", snapshot_id, tags)
        return public(snapshot)

    def snapshot(self, snapshot_id) -> dict:
        return public(self.get_or_404("snapshots", snapshot_id, "snapshot"))

    def snapshots(self, volume_id=None) -> list[dict]:
        """Snapshots of one volume (404 if it does not exist), or of every volume when ``volume_id`` is None."""
        if volume_id is not None:
            volume_id = self._record(volume_id)["id"]
        return [public(s) for s in self.table("snapshots").values() if volume_id in (None, s["resource_id"])]

    def attached_to(self, droplet_id: int) -> list[dict]:
        """The volumes attached to a droplet (its associated resources)."""
        return [{"id": r["id"], "name": r["name"], "size_gigabytes": r["size_gigabytes"]}
                for r in self.table("volumes").values() if droplet_id in r.get("droplet_ids", [])]

    def snapshots_of_droplet(self, droplet_id: int) -> list[dict]:
        """Snapshots of the volumes attached to a droplet."""
        volume_ids = {v["id"] for v in self.attached_to(droplet_id)}
        return [{"id": s["id"], "name": s["name"], "size_gigabytes": s["size_gigabytes"]}
                for s in self.table("snapshots").values() if s["resource_id"] in volume_ids]

    def delete_snapshot(self, snapshot_id) -> None:
        snapshot = self.snapshot(snapshot_id)
        links.neighbour(self.state, "tags").forget("volume_snapshot", snapshot["id"])
        del self.table("snapshots")[snapshot["id"]]

    # -- tag hooks (see the tags family)
    def tag_target_exists(self, resource_type: str, resource_id: str) -> bool:
        table = {"volume": "volumes", "volume_snapshot": "snapshots"}.get(resource_type)
        return table is not None and str(resource_id) in self.table(table)

    def set_tag(self, resource_id: str, tag: str, present: bool) -> None:
        if str(resource_id) in self.table("snapshots"):
            record = self.table("snapshots")[str(resource_id)]
        else:
            record = self._record(resource_id)
        record["tags"] = with_tag(record["tags"], tag, present)

    @staticmethod
    def _valid_size(raw) -> int:
        if not isinstance(raw, int) or isinstance(raw, bool) or not 1 <= raw <= SIZE_MAX_GB:
            raise Unprocessable(f"size_gigabytes must be an integer within 1..{SIZE_MAX_GB}; got {raw!r}")
        return raw
