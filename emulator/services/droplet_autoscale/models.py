"""Droplet autoscale pools: a droplet template and a static or utilization-driven instance count.

A pool makes its droplets from the template (through core/links: the droplets family, its limit and
VPC capacity checked before anything is made) and keeps the count it was configured for: a static
``target_number_instances``, or ``min_instances`` for a dynamic pool (the emulator has no load to
scale on). Every change of configuration is a history event. Deleting a pool (202) deletes its
droplets; the ``/dangerous`` delete needs ``X-Dangerous: true``.
"""

from __future__ import annotations

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import NotFound, Unprocessable
from emulator.core.state import Backend, public

STATIC_KEYS = {"target_number_instances"}
DYNAMIC_KEYS = {"min_instances", "max_instances", "target_cpu_utilization", "target_memory_utilization",
                "cooldown_minutes"}
TEMPLATE_KEYS = {"name", "region", "size", "image", "ssh_keys", "tags", "vpc_uuid", "with_droplet_agent",
                 "project_id", "ipv6", "user_data", "public_networking"}


class DropletAutoscaleBackend(Backend):
    name = "droplet_autoscale"

    def reset(self) -> None:
        self.data = {"pools": {}}

    def get_pool(self, pool_id: str) -> dict:
        # The API's wording: the provider's read and delete wait treat a pool as gone only when the 404 says
        # "autoscale group with id <id> not found" (terraform-provider-digitalocean's dropletAutoscaleRefreshFunc).
        if pool_id not in self.data["pools"]:
            raise NotFound(f"autoscale group with id {pool_id} not found")
        return self.get_or_404("pools", pool_id, "autoscale pool")

    def list(self, name: str | None = None) -> list[dict]:
        return [p for p in self.data["pools"].values() if not name or p["name"] == name]

    # -- validation
    @staticmethod
    def _config(body: dict) -> tuple[dict, int]:
        """(config as sent, droplets to run); 422 naming the field."""
        raw = body.get("config")
        if not isinstance(raw, dict) or not raw:
            raise Unprocessable("config is required: {target_number_instances} (static) or {min_instances, "
                                "max_instances, target_cpu_utilization | target_memory_utilization} (dynamic)")
        keys = set(raw)
        if keys & STATIC_KEYS and keys & DYNAMIC_KEYS:
            raise Unprocessable("config is static (target_number_instances) or dynamic (min/max_instances), not both")
        if keys & STATIC_KEYS:
            target = v.integer(raw, "target_number_instances", required=True, minimum=1, maximum=1000,
                               where="config")
            return {"target_number_instances": target}, target
        unknown = sorted(keys - DYNAMIC_KEYS)
        if unknown:
            raise Unprocessable(f"config: unknown fields {unknown}; allowed: {sorted(STATIC_KEYS | DYNAMIC_KEYS)}")
        low = v.integer(raw, "min_instances", required=True, minimum=1, maximum=500, where="config")
        high = v.integer(raw, "max_instances", required=True, minimum=1, maximum=1000, where="config")
        if high < low:
            raise Unprocessable(f"config.max_instances ({high}) must be >= config.min_instances ({low})")
        config = {"min_instances": low, "max_instances": high,
                  "cooldown_minutes": v.integer(raw, "cooldown_minutes", default=10, minimum=5, maximum=20,
                                                where="config")}
        for key in ("target_cpu_utilization", "target_memory_utilization"):
            value = v.number(raw, key, where="config")
            if value is not None:
                if not 0.05 <= value <= 1:
                    raise Unprocessable(f"config.{key} must be between 0.05 and 1; got {value}")
                config[key] = value
        if not {"target_cpu_utilization", "target_memory_utilization"} & set(config):
            raise Unprocessable("config: a dynamic pool needs target_cpu_utilization or target_memory_utilization")
        return config, low

    def _template(self, body: dict) -> dict:
        raw = body.get("droplet_template")
        if not isinstance(raw, dict):
            raise Unprocessable("droplet_template is required: an object with region, size, image and ssh_keys")
        unknown = sorted(set(raw) - TEMPLATE_KEYS)
        if unknown:
            raise Unprocessable(f"droplet_template: unknown fields {unknown}; allowed: {sorted(TEMPLATE_KEYS)}")
        where = "droplet_template"
        region = links.require_region(self.state, v.string(raw, "region", required=True, where=where),
                                      "droplet_template.region")
        template = {
            "region": region, "size": v.string(raw, "size", required=True, where=where),
            "image": v.string(raw, "image", required=True, where=where),
            "ssh_keys": v.string_list(raw, "ssh_keys", required=True, where=where),
            "tags": links.valid_tags(self.state, raw.get("tags")),
            "with_droplet_agent": v.boolean(raw, "with_droplet_agent", where=where),
            "ipv6": v.boolean(raw, "ipv6", where=where),
            "public_networking": v.boolean(raw, "public_networking", default=True, where=where),
        }
        for key in ("name", "vpc_uuid", "project_id", "user_data"):
            value = v.string(raw, key, where=where)
            if value is not None:
                template[key] = value
        if template["ipv6"] and not template["public_networking"]:
            raise Unprocessable("droplet_template.ipv6 needs public_networking")
        if template.get("vpc_uuid"):
            vpc = links.reference(self.state, "vpcs", template["vpc_uuid"], "droplet_template.vpc_uuid")
            if vpc is not None and vpc["region"] != region:
                raise Unprocessable(f"droplet_template.vpc_uuid is in {vpc['region']}, not {region}")
        links.check_project(self.state, template.get("project_id"), "droplet_template.project_id")
        return template

    def _name(self, body: dict, exclude: str | None = None) -> str:
        name = v.string(body, "name", required=True)
        if any(p["name"] == name and p["id"] != exclude for p in self.data["pools"].values()):
            raise Unprocessable(f"name {name!r} is already used by another autoscale pool")
        return name

    # -- operations
    def create(self, body: dict) -> dict:
        name = self._name(body)
        config, count = self._config(body)
        template = self._template(body)
        links.pool_capacity(self.state, count, template["region"], template.get("vpc_uuid"))
        pool_id = self.ids.uuid()
        record = {"id": pool_id, "name": name, "config": config, "droplet_template": template,
                  "created_at": self.now(), "updated_at": self.now(), "status": "active",
                  "_members": [], "_history": []}
        self.data["pools"][pool_id] = record
        self._scale(record, count)
        return record

    def update(self, pool_id: str, body: dict) -> dict:
        record = self.get_pool(pool_id)
        name = self._name(body, exclude=pool_id)
        config, count = self._config(body)
        template = self._template(body)
        live = self._live(record)
        links.pool_capacity(self.state, count - len(live), template["region"], template.get("vpc_uuid"))
        record.update(name=name, config=config, droplet_template=template, updated_at=self.now())
        self._scale(record, count)
        return record

    def _live(self, record: dict) -> list[dict]:
        """The members whose droplet still exists (a droplet deleted through /v2/droplets leaves the pool)."""
        droplets = v.optional_backend(self.state, "droplets")
        record["_members"] = [m for m in record["_members"] if droplets is None or droplets.exists(m["droplet_id"])]
        return record["_members"]

    def _scale(self, record: dict, count: int) -> None:
        members = self._live(record)
        before = len(members)
        template = record["droplet_template"]
        while len(members) < count:
            name = f"{template.get('name') or record['name']}-{self.ids.hex(3)[:6]}"
            droplet = links.make_pool_droplet(self.state, name, template["region"], template["size"],
                                              template["image"], template.get("vpc_uuid"), template["tags"])
            droplet_id = droplet["id"] if droplet else self.ids.next_int("autoscale-droplet", 800000000)
            members.append({"droplet_id": droplet_id, "created_at": self.now()})
        while len(members) > count:
            links.delete_droplet(self.state, members.pop()["droplet_id"])
        record["_history"].insert(0, {
            "history_event_id": self.ids.uuid(), "current_instance_count": before, "desired_instance_count": count,
            "reason": "CONFIGURATION_CHANGE", "status": "success", "created_at": self.now(), "updated_at": self.now()})

    def delete(self, pool_id: str) -> None:
        record = self.get_pool(pool_id)
        for member in self._live(record):
            links.delete_droplet(self.state, member["droplet_id"])
        del self.data["pools"][pool_id]

    # -- views
    def members(self, pool_id: str) -> list[dict]:
        record = self.get_pool(pool_id)
        out = []
        for member in self._live(record):
            droplet = links.lookup(self.state, "droplets", member["droplet_id"], "droplet_id")
            status = "active" if droplet is None else {"new": "provisioning"}.get(droplet["status"], droplet["status"])
            out.append({"droplet_id": member["droplet_id"], "created_at": member["created_at"],
                        "updated_at": member["created_at"], "health_status": "healthy",
                        "status": status if status in ("provisioning", "active", "off") else "active",
                        "current_utilization": {"memory": 0.35, "cpu": 0.05}})
        return out

    def history(self, pool_id: str) -> list[dict]:
        return public(self.get_pool(pool_id)["_history"])

    def view(self, record: dict) -> dict:
        out = public(record)
        out["active_resources_count"] = len(self._live(record))
        out["current_utilization"] = {"memory": 0.35, "cpu": 0.05}
        return out
