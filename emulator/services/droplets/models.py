"""Droplets: create (one or many), networks in their VPC, power/resize/rename/backup actions, delete.

Status runs ``new → active`` after ``settings.lifecycle_delay`` and power actions move it between
``active`` and ``off`` when their action completes, so the provider's fast-failing waits see only
the states they expect. Side effects go through the other families' public methods: catalog
(region/size/image), vpcs (membership, private address), tags, projects (default project),
ssh_keys, volumes (attach on create, detach on delete) and actions. Kubernetes worker nodes are droplets
too (``create_worker``), made and deleted by the kubernetes family's node pools.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import timedelta

from emulator.core import links
from emulator.core import validate as v
from emulator.core.clock import rfc3339
from emulator.core.errors import NotFound, Unprocessable, require
from emulator.core.state import Backend, public, schedule, settle
from emulator.core.tagging import with_tag

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9.-]{1,255}$")
MAX_NAMES = 10
USER_DATA_MAX = 64 * 1024
PUBLIC_V4_BASE = int(ipaddress.IPv4Address("159.89.0.0"))
PUBLIC_V4_HOSTS_PER_BLOCK = 4000  # addresses handed out per /20 (the API's public netmask)
PUBLIC_V6_BASE = int(ipaddress.IPv6Address("2604:a880:800:10::"))
WORKER_IMAGE = "debian-12-x64"  # DOKS nodes run Debian
BACKUP_PLANS = ("daily", "weekly")
BACKUP_WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
BACKUP_HOURS = (0, 4, 8, 12, 16, 20)
BACKUP_WINDOW_HOURS = 4
BACKUP_RETENTION_DAYS = {"weekly": 28, "daily": 7}
ACTION_TYPES = ("power_on", "power_off", "shutdown", "reboot", "power_cycle", "resize", "rename", "snapshot",
                "enable_backups", "disable_backups", "change_backup_policy", "enable_private_networking",
                "enable_ipv6", "rebuild", "password_reset")
TAG_ACTION_TYPES = ("power_cycle", "power_on", "power_off", "shutdown", "enable_private_networking",
                    "enable_ipv6", "enable_backups", "disable_backups", "snapshot")


SEED_SCHEMA = {"count": v.is_integer(1, 4093), "region": v.is_string, "size": v.is_string, "image": v.is_string,
               "name_prefix": v.is_string, "tags": v.is_list(v.is_string), "status": v.is_enum(("active", "off"))}


class DropletsBackend(Backend):
    name = "droplets"

    def reset(self) -> None:
        self.data = {"droplets": {}}

    # -- lookups (public for other families)
    def _record(self, droplet_id) -> dict:
        record = self.table("droplets").get(str(droplet_id))
        if record is None:
            raise NotFound()  # the API's own words for a missing droplet, which the provider's import test matches
        return settle(self.state, record)

    def get(self, droplet_id) -> dict:
        """The droplet as the API shows it; 404 when it does not exist (or was deleted)."""
        return public(self._record(droplet_id))

    def exists(self, droplet_id) -> bool:
        return str(droplet_id) in self.table("droplets")

    def list(self, *, tag_name: str | None = None, name: str | None = None) -> list[dict]:
        return [public(r) for r in self.records(tag_name=tag_name, name=name)]

    def records(self, *, tag_name: str | None = None, name: str | None = None) -> list[dict]:
        """The stored (settled) records matching the filters: callers copy with ``public`` what they show,
        so a page of a long list costs a page of copies."""
        out = []
        for record in self.table("droplets").values():
            settle(self.state, record)
            if tag_name is not None and tag_name.lower() not in (t.lower() for t in record["tags"]):
                continue
            if name is not None and record["name"] != name:
                continue
            out.append(record)
        return out

    def ids_with_tag(self, tag_name: str) -> list[int]:
        """Ids of the droplets carrying ``tag_name`` (for firewalls and load balancers by tag)."""
        return [d["id"] for d in self.list(tag_name=tag_name)]

    def metadata_secrets(self, droplet_id) -> tuple[str, list[str]]:
        """(user_data, public keys) given at create: only the metadata service shows them."""
        record = self._record(droplet_id)
        return record["_user_data"], list(record["_public_keys"])

    def latest(self) -> dict | None:
        """The most recently created droplet (the metadata service's default), settled."""
        records = list(self.table("droplets").values())
        return settle(self.state, records[-1]) if records else None

    # -- create
    def create(self, body: dict) -> list[tuple[dict, dict]]:
        """Validate everything first, then create one droplet per name; returns (record, create action) pairs."""
        names = self._names(body)
        region = links.neighbour(self.state, "catalog").placement_region(body.get("region"), body.get("size"))
        size = links.neighbour(self.state, "catalog").require_size(body.get("size"), region["slug"])
        image = links.neighbour(self.state, "catalog").require_image(body.get("image"), region["slug"])
        if size["disk"] < (image["min_disk_size"] or 0):
            raise Unprocessable(f"size {size['slug']!r} has a {size['disk']} GB disk, smaller than image "
                                f"{image['slug'] or image['id']}'s min_disk_size {image['min_disk_size']}")
        keys = links.neighbour(self.state, "ssh_keys").resolve(body.get("ssh_keys"))
        tags = links.neighbour(self.state, "tags").validate(body.get("tags"))
        volume_ids = links.neighbour(self.state, "volumes").claimable(body.get("volumes"), region["slug"])
        if volume_ids and len(names) > 1:
            raise Unprocessable("volumes can only be attached when creating a single droplet")
        user_data = body.get("user_data") or ""
        if not isinstance(user_data, str) or len(user_data.encode()) > USER_DATA_MAX:
            raise Unprocessable(f"user_data must be a string of at most {USER_DATA_MAX} bytes")
        policy = self._backup_policy(body.get("backup_policy")) if body.get("backups") else None
        for flag in ("backups", "ipv6", "monitoring", "private_networking", "with_droplet_agent", "public_networking"):
            if body.get(flag) is not None and not isinstance(body[flag], bool):
                raise Unprocessable(f"{flag} must be a boolean; got {body[flag]!r}")
        self._check_limit(len(names))
        vpc = links.neighbour(self.state, "vpcs").resolve(region["slug"], body.get("vpc_uuid"))  # last: may make one
        self._check_addresses(vpc, len(names))

        created = []
        for name in names:
            record = self._insert(name, region, size, image, vpc, tags, body, keys, user_data, policy)
            for volume_id in volume_ids:
                links.neighbour(self.state, "volumes").link(volume_id, record["id"])
            action = links.record_action(self.state, "create", "droplet", record["id"], region["slug"])
            schedule(self.state, record, {"status": "active"})  # last: any later read in this request settles
            created.append((record, action))
        return created

    def _insert(self, name, region, size, image, vpc, tags, body, keys, user_data, policy, *,
                in_project: bool = True) -> dict:
        droplet_id = self.ids.next_int("droplet", start=3164444)
        features = ["private_networking"]
        if body.get("backups"):
            features.append("backups")
        if body.get("ipv6"):
            features.append("ipv6")
        if body.get("monitoring"):
            features.append("monitoring")
        if body.get("with_droplet_agent") is not False:
            features.append("droplet_agent")
        networks = {"v4": [self._private_v4(vpc)], "v6": []}
        if body.get("public_networking") is not False:
            networks["v4"].append(self._public_v4())
        if body.get("ipv6"):
            networks["v6"].append(self._public_v6())
        record = {
            "id": droplet_id, "name": name, "memory": size["memory"], "vcpus": size["vcpus"], "disk": size["disk"],
            "disk_info": [{"type": "local", "size": {"amount": size["disk"], "unit": "gib"}}],
            "locked": False, "status": "new", "kernel": None, "created_at": self.now(), "features": features,
            "backup_ids": [], "next_backup_window": self._backup_window(policy) if policy else None,
            "snapshot_ids": [], "image": image, "volume_ids": [], "size": size, "size_slug": size["slug"],
            "networks": networks, "region": region, "tags": list(tags), "vpc_uuid": vpc["id"],
            "_user_data": user_data, "_public_keys": [k["public_key"] for k in keys], "_backup_policy": policy,
        }
        self.table("droplets")[str(droplet_id)] = record
        urn = f"do:droplet:{droplet_id}"
        links.neighbour(self.state, "tags").tag("droplet", droplet_id, tags)
        links.neighbour(self.state, "vpcs").add_member(vpc["id"], urn, name)
        if in_project:
            links.neighbour(self.state, "projects").assign_default(urn)
        return record

    def _names(self, body: dict) -> list[str]:
        if body.get("name") and body.get("names"):
            raise Unprocessable("name and names are mutually exclusive; send one")
        if body.get("names"):
            names = body["names"]
            if not isinstance(names, list) or len(names) > MAX_NAMES:
                raise Unprocessable(f"names must be a list of at most {MAX_NAMES} droplet names")
        else:
            require(body, "name")
            names = [body["name"]]
        for name in names:
            if not isinstance(name, str) or not NAME_PATTERN.match(name):
                raise Unprocessable(f"name {name!r} is invalid: only valid hostname characters are allowed "
                                    "(a-z, A-Z, 0-9, . and -)")
        return names

    def _check_limit(self, adding: int) -> None:
        limit = links.neighbour(self.state, "account").get()["droplet_limit"]
        if len(self.table("droplets")) + adding > limit:
            raise Unprocessable(f"creating {adding} droplet(s) will exceed your droplet limit of {limit}")

    def _check_addresses(self, vpc: dict, count: int) -> None:
        free = links.neighbour(self.state, "vpcs").free_addresses(vpc["id"])
        if count > free:
            raise Unprocessable(f"VPC {vpc['name']} ({vpc['ip_range']}) has {free} free addresses; "
                                f"{count} droplets do not fit")

    def _private_v4(self, vpc: dict) -> dict:
        vpcs = links.neighbour(self.state, "vpcs")
        network = ipaddress.ip_network(vpc["ip_range"])
        return {"ip_address": vpcs.allocate_ip(vpc["id"]), "netmask": str(network.netmask),
                "gateway": str(network.network_address + 1), "type": "private"}

    def _public_v4(self) -> dict:
        n = self.ids.next_int("public_ipv4") - 1
        block = PUBLIC_V4_BASE + (n // PUBLIC_V4_HOSTS_PER_BLOCK) * 4096
        address = ipaddress.IPv4Address(block + 2 + n % PUBLIC_V4_HOSTS_PER_BLOCK)
        return {"ip_address": str(address), "netmask": "255.255.240.0",
                "gateway": str(ipaddress.IPv4Address(block + 1)), "type": "public"}

    def _public_v6(self) -> dict:
        n = self.ids.next_int("public_ipv6")
        return {"ip_address": str(ipaddress.IPv6Address(PUBLIC_V6_BASE + 0x1000 + n)), "netmask": 64,
                "gateway": str(ipaddress.IPv6Address(PUBLIC_V6_BASE + 1)), "type": "public"}

    def _backup_policy(self, raw) -> dict:
        """A validated backup policy; weekly on Sunday at 00:00 when none is given (the API's default)."""
        raw = raw or {}
        if not isinstance(raw, dict):
            raise Unprocessable(f"backup_policy must be an object with plan, weekday and hour; got {raw!r}")
        plan = raw.get("plan") or "weekly"
        if plan not in BACKUP_PLANS:
            raise Unprocessable(f"backup_policy.plan must be one of {', '.join(BACKUP_PLANS)}; got {plan!r}")
        weekday = raw.get("weekday") or "SUN"
        if plan == "weekly" and weekday not in BACKUP_WEEKDAYS:
            raise Unprocessable(f"backup_policy.weekday must be one of {', '.join(BACKUP_WEEKDAYS)}; got {weekday!r}")
        hour = raw.get("hour") or 0
        if hour not in BACKUP_HOURS:
            raise Unprocessable(f"backup_policy.hour must be one of {', '.join(map(str, BACKUP_HOURS))}; got {hour!r}")
        policy = {"plan": plan, "hour": hour, "window_length_hours": BACKUP_WINDOW_HOURS,
                  "retention_period_days": BACKUP_RETENTION_DAYS[plan]}
        if plan == "weekly":
            policy["weekday"] = weekday
        return policy

    def _backup_window(self, policy: dict) -> dict:
        now = self.clock.now().replace(minute=0, second=0, microsecond=0)
        start = now.replace(hour=policy["hour"]) + timedelta(days=1)
        if policy["plan"] == "weekly":
            target = BACKUP_WEEKDAYS.index(policy["weekday"])  # SUN=0
            days_ahead = (target - (start.weekday() + 1) % 7) % 7
            start += timedelta(days=days_ahead)
        return {"start": rfc3339(start), "end": rfc3339(start + timedelta(hours=policy["window_length_hours"]))}

    # -- backup policies
    def backup_policy(self, droplet_id) -> dict:
        """``GET /v2/droplets/{id}/backups/policy``: the policy when backups are on."""
        record = self._record(droplet_id)
        view = {"droplet_id": record["id"], "backup_enabled": "backups" in record["features"]}
        if view["backup_enabled"] and record["_backup_policy"]:
            view["backup_policy"] = public(record["_backup_policy"])
            view["next_backup_window"] = public(record["next_backup_window"])
        return view

    @staticmethod
    def supported_backup_policies() -> list[dict]:
        return [{"name": plan, "possible_window_starts": list(BACKUP_HOURS), "window_length_hours": BACKUP_WINDOW_HOURS,
                 "retention_period_days": BACKUP_RETENTION_DAYS[plan],
                 "possible_days": list(BACKUP_WEEKDAYS) if plan == "weekly" else []}
                for plan in ("weekly", "daily")]

    # -- delete
    def delete(self, droplet_id) -> None:
        record = self._record(droplet_id)
        urn = f"do:droplet:{record['id']}"
        for volume_id in list(record["volume_ids"]):
            links.neighbour(self.state, "volumes").unlink(volume_id, record["id"])
        links.neighbour(self.state, "tags").forget("droplet", record["id"])
        links.neighbour(self.state, "vpcs").remove_member(urn)
        for net in record["networks"]["v4"]:
            if net["type"] == "private":
                links.neighbour(self.state, "vpcs").release_ip(record["vpc_uuid"], net["ip_address"])
        links.neighbour(self.state, "projects").forget(urn)
        del self.table("droplets")[str(record["id"])]

        kubernetes = links.optional_neighbour(self.state, "kubernetes")
        if kubernetes is not None:
            kubernetes.worker_deleted(record["id"])

    def delete_by_tag(self, tag_name: str) -> None:
        if not tag_name:
            raise Unprocessable("tag_name is required to delete droplets by tag")
        for droplet in self.list(tag_name=tag_name):
            self.delete(droplet["id"])

    # -- Kubernetes workers (the kubernetes family owns the node pools and calls these)
    def check_capacity(self, count: int, region: str, vpc_uuid: str | None) -> None:
        """422 when ``count`` more droplets would pass the droplet limit or not fit the VPC: checked before
        a cluster or pool makes any node, so a refused request leaves nothing half-made."""
        self._check_limit(count)
        self._check_addresses(links.neighbour(self.state, "vpcs").resolve(region, vpc_uuid or None), count)

    def create_worker(self, name: str, region: str, size: str, vpc_uuid: str, tags: list[str],
                      image: str | int = WORKER_IMAGE) -> dict:
        """A droplet a pool makes (a DOKS node: Debian, in the cluster's VPC, carrying the pool's tags ``k8s``,
        ``k8s:<cluster id>``, ``k8s:worker``; an autoscale pool's member: its template's image). No create action
        and no project: the project holds the cluster or pool, not its droplets."""
        catalog = links.neighbour(self.state, "catalog")
        region_record = catalog.require_region(region)
        size_record = catalog.require_size(size, region)
        image = catalog.require_image(image, region)
        vpc = links.neighbour(self.state, "vpcs").resolve(region, vpc_uuid)
        record = self._insert(name, region_record, size_record, image, vpc, links.valid_tags(self.state, tags),
                              {}, [], "", None, in_project=False)
        schedule(self.state, record, {"status": "active"})
        return record

    # -- actions
    def act(self, droplet_id, body: dict) -> dict:
        """Run one droplet action (``POST /v2/droplets/{id}/actions``); returns the action."""
        record = self._record(droplet_id)
        action_type = body.get("type")
        if action_type not in ACTION_TYPES:
            raise Unprocessable(f"type must be one of {', '.join(ACTION_TYPES)}; got {action_type!r}")
        if links.neighbour(self.state, "actions").in_progress("droplet", record["id"]):
            raise Unprocessable("Droplet already has a pending event.")
        handler = getattr(self, f"_act_{action_type}")
        later = handler(record, body) or {}
        action = links.record_action(self.state, action_type, "droplet", record["id"], record["region"]["slug"])
        if later:
            schedule(self.state, record, later)
        return action

    def act_by_tag(self, tag_name: str | None, body: dict) -> list[dict]:
        if not tag_name:
            raise Unprocessable("tag_name is required for droplet actions by tag")
        if body.get("type") not in TAG_ACTION_TYPES:
            raise Unprocessable(f"type must be one of {', '.join(TAG_ACTION_TYPES)} for actions by tag; "
                                f"got {body.get('type')!r}")
        return [self.act(d["id"], body) for d in self.list(tag_name=tag_name)]

    @staticmethod
    def _require_on(record: dict) -> None:
        if record["status"] == "new":
            raise Unprocessable("Droplet is still being created; wait until it is active.")

    def _act_power_off(self, record: dict, body: dict) -> dict:
        self._require_on(record)
        if record["status"] == "off":
            raise Unprocessable("Droplet is already powered off.")
        return {"status": "off"}

    _act_shutdown = _act_power_off

    def _act_power_on(self, record: dict, body: dict) -> dict:
        self._require_on(record)
        if record["status"] == "active":
            raise Unprocessable("Droplet is already powered on.")
        return {"status": "active"}

    def _act_reboot(self, record: dict, body: dict) -> dict:
        self._require_on(record)
        if record["status"] == "off":
            raise Unprocessable("Droplet is powered off; use power_on instead of reboot.")
        return {"status": "active"}

    def _act_power_cycle(self, record: dict, body: dict) -> dict:
        self._require_on(record)
        return {"status": "active"}

    def _act_resize(self, record: dict, body: dict) -> dict:
        self._require_on(record)
        if record["status"] != "off":
            raise Unprocessable("Droplet is currently on. Please power it off to run this event.")
        size = links.neighbour(self.state, "catalog").require_size(body.get("size"), record["region"]["slug"])
        grow_disk = bool(body.get("disk"))
        if body.get("disk") is not None and not isinstance(body["disk"], bool):
            raise Unprocessable(f"disk must be a boolean; got {body['disk']!r}")
        disk = size["disk"] if grow_disk else record["disk"]
        if size["disk"] < record["disk"]:
            raise Unprocessable(f"size {size['slug']!r} has a {size['disk']} GB disk, smaller than the droplet's "
                                f"{record['disk']} GB disk; droplets cannot shrink their disk")
        return {"size": size, "size_slug": size["slug"], "memory": size["memory"], "vcpus": size["vcpus"],
                "disk": disk, "disk_info": [{"type": "local", "size": {"amount": disk, "unit": "gib"}}]}

    def _act_rename(self, record: dict, body: dict) -> dict:
        name = body.get("name")
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            raise Unprocessable(f"name {name!r} is invalid: only valid hostname characters are allowed "
                                "(a-z, A-Z, 0-9, . and -)")
        links.neighbour(self.state, "vpcs").rename_member(f"do:droplet:{record['id']}", name)
        return {"name": name}

    def _act_snapshot(self, record: dict, body: dict) -> dict:
        self._require_on(record)
        name = body.get("name") or f"{record['name']}-{self.clock.now().strftime('%Y%m%d%H%M%S')}"
        image = links.neighbour(self.state, "catalog").add_image(
            name=str(name), region=record["region"]["slug"], distribution=record["image"]["distribution"],
            size_gigabytes=record["image"]["size_gigabytes"] or 1.0, min_disk_size=record["disk"],
            droplet_id=record["id"])
        record["snapshot_ids"].append(image["id"])
        return {}

    def _act_enable_backups(self, record: dict, body: dict) -> dict:
        policy = self._backup_policy(body.get("backup_policy"))
        if "backups" not in record["features"]:
            record["features"].append("backups")
        record["_backup_policy"] = policy
        record["next_backup_window"] = self._backup_window(policy)
        return {}

    def _act_change_backup_policy(self, record: dict, body: dict) -> dict:
        if "backups" not in record["features"]:
            raise Unprocessable("Backups are not enabled for this droplet; use enable_backups first.")
        if not body.get("backup_policy"):
            raise Unprocessable("backup_policy is required for change_backup_policy")
        return self._act_enable_backups(record, body)

    def _act_disable_backups(self, record: dict, body: dict) -> dict:
        if "backups" not in record["features"]:
            raise Unprocessable("Backups are already disabled for this droplet.")
        record["features"].remove("backups")
        record["_backup_policy"] = None
        record["next_backup_window"] = None
        return {}

    def _act_enable_private_networking(self, record: dict, body: dict) -> dict:
        if "private_networking" not in record["features"]:
            record["features"].append("private_networking")
        return {}

    def _act_enable_ipv6(self, record: dict, body: dict) -> dict:
        if "ipv6" not in record["features"]:
            record["features"].append("ipv6")
            record["networks"]["v6"].append(self._public_v6())
        return {}

    def _act_rebuild(self, record: dict, body: dict) -> dict:
        self._require_on(record)
        image = links.neighbour(self.state, "catalog").require_image(body.get("image"), record["region"]["slug"])
        return {"image": image, "status": "active"}

    def _act_password_reset(self, record: dict, body: dict) -> dict:
        self._require_on(record)
        return {}

    # -- tag hooks (see the tags family)
    def tag_target_exists(self, resource_type: str, resource_id: str) -> bool:
        return resource_type == "droplet" and self.exists(resource_id)

    def set_tag(self, resource_id: str, tag: str, present: bool) -> None:
        record = self._record(resource_id)
        record["tags"] = with_tag(record["tags"], tag, present)

    # -- volume links (called by the volumes family; it owns the rules)
    def add_volume(self, droplet_id, volume_id: str) -> None:
        record = self._record(droplet_id)
        if volume_id not in record["volume_ids"]:
            record["volume_ids"].append(volume_id)

    def remove_volume(self, droplet_id, volume_id: str) -> None:
        record = self.table("droplets").get(str(droplet_id))
        if record is not None and volume_id in record["volume_ids"]:
            record["volume_ids"].remove(volume_id)

    # -- snapshots
    def snapshots(self, droplet_id) -> list[dict]:
        record = self._record(droplet_id)
        return [links.neighbour(self.state, "catalog").image(image_id) for image_id in record["snapshot_ids"]]

    def backups(self, droplet_id) -> list[dict]:
        """The droplet's backup images (none is ever taken by the emulator unless seeded)."""
        record = self._record(droplet_id)
        return [public(image) for image in links.neighbour(self.state, "catalog").data["images"].values()
                if image.get("_droplet_id") == record["id"] and image["type"] == "backup"]

    def snapshot_images(self, droplet_id: int) -> list[dict]:
        """The droplet's snapshots (its associated resources; they outlive the droplet)."""
        return [{"id": str(image["id"]), "name": image["name"], "size_gigabytes": image["size_gigabytes"]}
                for image in links.neighbour(self.state, "catalog").data["images"].values()
                if image.get("_droplet_id") == droplet_id and image["type"] == "snapshot"]

    def delete_snapshot_image(self, image_id: str) -> None:
        links.neighbour(self.state, "catalog").delete_image(int(image_id))

    def firewalls(self, droplet_id) -> list[dict]:
        """Firewalls applying to the droplet, directly or through one of its tags."""
        record = self._record(droplet_id)
        firewalls = links.optional_neighbour(self.state, "firewalls")
        if firewalls is None:  # the firewalls family is not part of this emulator build
            return []
        tags = {t.lower() for t in record["tags"]}
        return [firewalls.view(fw) for fw in firewalls.list()
                if record["id"] in fw.get("droplet_ids", []) or tags & {t.lower() for t in fw.get("tags") or []}]

    def forget_snapshot(self, image_id: int) -> None:
        """A snapshot image was deleted (called by the catalog)."""
        for record in self.table("droplets").values():
            if image_id in record["snapshot_ids"]:
                record["snapshot_ids"].remove(image_id)

    # -- seed
    def seed(self, payload: dict) -> dict:
        """``{"count": N, "region", "size", "image", "name_prefix", "tags", "status": "active"|"off"}``:
        N droplets created at once in their final state (no actions, limit not applied). They join the
        region's default VPC, a /20: at most 4093 droplets per region."""
        v.check_object(payload, SEED_SCHEMA)
        count = payload.get("count", 1)
        status = payload.get("status", "active")
        catalog = links.neighbour(self.state, "catalog")
        region = catalog.require_region(payload.get("region", "nyc3"))
        size = catalog.require_size(payload.get("size", "s-1vcpu-1gb"), region["slug"])
        image = catalog.require_image(payload.get("image", "ubuntu-24-04-x64"), region["slug"])
        tags = links.neighbour(self.state, "tags").validate(payload.get("tags"))
        vpc = links.neighbour(self.state, "vpcs").resolve(region["slug"], None)
        self._check_addresses(vpc, count)
        prefix = payload.get("name_prefix") or "seed"
        ids = []
        for i in range(count):
            record = self._insert(f"{prefix}-{i + 1}", region, size, image, vpc, tags, {}, [], "", None)
            record["status"] = status
            ids.append(record["id"])
        return {"droplets": count, "first_id": ids[0], "last_id": ids[-1]}
