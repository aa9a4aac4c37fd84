"""Marketplace SaaS add-ons: the vendors' apps with their plans and metadata, and the resources provisioned.

The emulator's Marketplace holds two vendor apps of its own (``emulator-kv``, a key-value store, and
``emulator-mail``, an email relay): the real Marketplace is not published, and these are what a test or a
rehearsal provisions. A resource is ``provisioning`` then ``provisioned``; its metadata is checked
against the app's (required items, types, options); deleting it answers its ``deprovisioned`` state.
"""

from __future__ import annotations

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import Backend, public, schedule, settle

CREATED = "2025-01-15T00:00:00Z"
APPS = {
    "emulator-kv": {"name": "Emulator KV", "plans": [("kv-free", "Free", 0, True), ("kv-pro", "Pro", 15, False)],
                    "metadata": [("region", "Region", "Where the store runs", "string", ["nyc", "fra", "sgp"]),
                                 ("eviction", "Eviction", "Evict least recently used keys", "boolean", None)]},
    "emulator-mail": {"name": "Emulator Mail", "plans": [("mail-starter", "Starter", 10, True)],
                      "metadata": [("sender_domain", "Sender domain", "Domain mail is sent from", "string", None)]},
}


def _plan(app_index: int, plan_index: int, app_slug: str, slug: str, name: str, price: int, default: bool) -> dict:
    return {"id": app_index * 10 + plan_index, "app_id": app_index, "display_name": name,
            "description": f"{name} plan of {APPS[app_slug]['name']}", "slug": slug, "price_per_month": price,
            "active": True, "state": "approved", "features": [], "created_at": CREATED, "updated_at": CREATED,
            "available": True, "uuid": f"00000000-0000-4000-8000-{app_index:06d}{plan_index:06d}",
            "by_default": default, "dimensions": []}


class AddonsBackend(Backend):
    name = "addons"

    def reset(self) -> None:
        self.data = {"resources": {}}

    @staticmethod
    def apps() -> list[dict]:
        return [{"app_slug": slug, "tos": f"https://{slug}.example.com/tos", "eula": f"https://{slug}.example.com/eula",
                 "plans": [_plan(i + 1, j + 1, slug, *plan) for j, plan in enumerate(app["plans"])]}
                for i, (slug, app) in enumerate(APPS.items())]

    @staticmethod
    def metadata(app_slug: str) -> list[dict]:
        app = APPS.get(app_slug)
        if app is None:
            raise not_found("add-on app", app_slug)
        out = []
        for i, (name, display, description, kind, options) in enumerate(app["metadata"], 1):
            item = {"id": i, "name": name, "display_name": display, "description": description, "type": kind}
            if options:
                item["options"] = list(options)
            out.append(item)
        return out

    def get(self, resource_uuid: str) -> dict:
        return settle(self.state, self.get_or_404("resources", resource_uuid, "add-on resource"))

    def list(self) -> list[dict]:
        return [self.get(i) for i in list(self.data["resources"])]

    def _plan_of(self, app_slug: str, plan_slug: str) -> dict:
        plan = next((p for a in self.apps() if a["app_slug"] == app_slug for p in a["plans"] if p["slug"] == plan_slug),
                    None)
        if plan is None:
            allowed = [p["slug"] for a in self.apps() if a["app_slug"] == app_slug for p in a["plans"]]
            raise Unprocessable(f"plan_slug {plan_slug!r} is not a plan of {app_slug}; allowed: {', '.join(allowed)}")
        return plan

    def create(self, body: dict) -> dict:
        app_slug = v.choice(body, "app_slug", tuple(APPS), required=True)
        plan = self._plan_of(app_slug, v.string(body, "plan_slug", required=True))
        name = v.string(body, "name", required=True)
        metadata = self._metadata(app_slug, body.get("metadata"))
        droplet_id = v.integer(body, "linked_droplet_id", minimum=1)
        if droplet_id is not None:
            links.reference(self.state, "droplets", droplet_id, "linked_droplet_id")
        record = {"uuid": self.ids.uuid(), "name": name, "state": "provisioning", "app_name": APPS[app_slug]["name"],
                  "app_slug": app_slug, "plan_name": plan["display_name"], "plan_slug": plan["slug"],
                  "plan_price_per_month": plan["price_per_month"], "has_config": True, "metadata": metadata,
                  "message": "Resource is being provisioned."}
        self.data["resources"][record["uuid"]] = record
        schedule(self.state, record, {"state": "provisioned", "message": "Resource is provisioned successfully."})
        return record

    def _metadata(self, app_slug: str, raw) -> list[dict]:
        if not isinstance(raw, list):
            raise Unprocessable("metadata is required: a list of {name, value}")
        known = {m["name"]: m for m in self.metadata(app_slug)}
        out = []
        for i, item in enumerate(raw):
            if not isinstance(item, dict) or item.get("name") not in known:
                raise Unprocessable(f"metadata[{i}].name must be one of {', '.join(known)}; got {item!r}")
            spec = known[item["name"]]
            value = item.get("value")
            if spec["type"] == "boolean" and not isinstance(value, bool) or \
                    spec["type"] == "string" and not isinstance(value, str):
                raise Unprocessable(f"metadata[{i}].value must be a {spec['type']}; got {value!r}")
            if spec.get("options") and value not in spec["options"]:
                raise Unprocessable(f"metadata[{i}].value must be one of {', '.join(spec['options'])}; got {value!r}")
            out.append({"name": item["name"], "value": value})
        return out

    def rename(self, resource_uuid: str, body: dict) -> dict:
        record = self.get(resource_uuid)
        record["name"] = v.string(body, "name", required=True)
        return record

    def change_plan(self, resource_uuid: str, body: dict) -> dict:
        record = self.get(resource_uuid)
        plan = self._plan_of(record["app_slug"], v.string(body, "plan_slug", required=True))
        record.update(plan_name=plan["display_name"], plan_slug=plan["slug"],
                      plan_price_per_month=plan["price_per_month"])
        return record

    def delete(self, resource_uuid: str) -> None:
        self.get(resource_uuid)
        del self.data["resources"][resource_uuid]

    @staticmethod
    def view(record: dict) -> dict:
        return public(record)
