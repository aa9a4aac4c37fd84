"""Functions namespaces, their scheduled triggers and access keys.

A namespace lives in a region and has its API host, UUID and ``doctl`` key; a trigger runs a function
of the namespace on a cron schedule (``next_run_at`` is computed from the expression; nothing runs, so
``last_run_at`` stays null); access keys carry their secret on creation only.
"""

from __future__ import annotations

import re
from datetime import timedelta

from emulator.core import links
from emulator.core import validate as v
from emulator.core.clock import rfc3339
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import Backend, public

from . import cron

TRIGGER_TYPES = ("SCHEDULED",)
DURATION = re.compile(r"^(\d+)([hd])$")


class FunctionsBackend(Backend):
    name = "functions"

    def reset(self) -> None:
        self.data = {"namespaces": {}}

    # -- namespaces
    def get(self, namespace_id: str) -> dict:
        return self.get_or_404("namespaces", namespace_id, "namespace")

    def list(self) -> list[dict]:
        return list(self.data["namespaces"].values())

    def create(self, body: dict) -> dict:
        region = links.require_region(self.state, v.string(body, "region", required=True))
        label = v.string(body, "label", required=True)
        if any(n["label"] == label for n in self.data["namespaces"].values()):
            raise Unprocessable(f"label {label!r} is already used by another namespace")
        uid = self.ids.uuid()
        namespace = f"fn-{uid}"
        record = {"api_host": f"https://faas-{region}-{uid[:8]}.doserverless.co", "namespace": namespace,
                  "created_at": self.now(), "updated_at": self.now(), "label": label, "region": region,
                  "uuid": uid, "key": self.ids.hex(32), "_triggers": {}, "_keys": {}}
        self.data["namespaces"][namespace] = record
        return record

    def delete(self, namespace_id: str) -> None:
        del self.data["namespaces"][self.get(namespace_id)["namespace"]]

    @staticmethod
    def view(record: dict) -> dict:
        return public(record)

    # -- triggers
    def _trigger(self, namespace_id: str, name: str) -> dict:
        trigger = self.get(namespace_id)["_triggers"].get(name)
        if trigger is None:
            raise not_found("trigger", name)
        return trigger

    def _schedule(self, body: dict, required: bool) -> dict | None:
        raw = body.get("scheduled_details")
        if raw is None and not required:
            return None
        if not isinstance(raw, dict):
            raise Unprocessable("scheduled_details is required: {cron, body?}")
        expression = v.string(raw, "cron", required=True, where="scheduled_details")
        cron.parse(expression, "scheduled_details.cron")
        payload = raw.get("body")
        if payload is not None and not isinstance(payload, dict):
            raise Unprocessable("scheduled_details.body must be an object or null")
        return {"cron": expression, "body": payload}

    def create_trigger(self, namespace_id: str, body: dict) -> dict:
        record = self.get(namespace_id)
        name = v.string(body, "name", required=True)
        if name in record["_triggers"]:
            raise Unprocessable(f"name {name!r} is already used by another trigger of this namespace")
        if body.get("is_enabled") is None:
            raise Unprocessable("is_enabled is required")
        trigger = {"namespace": record["namespace"], "name": name,
                   "function": v.string(body, "function", required=True),
                   "type": v.choice(body, "type", TRIGGER_TYPES, required=True),
                   "is_enabled": v.boolean(body, "is_enabled"), "created_at": self.now(), "updated_at": self.now(),
                   "scheduled_details": self._schedule(body, required=True)}
        record["_triggers"][name] = trigger
        return self.trigger_view(trigger)

    def update_trigger(self, namespace_id: str, name: str, body: dict) -> dict:
        trigger = self._trigger(namespace_id, name)
        if body.get("is_enabled") is not None:
            trigger["is_enabled"] = v.boolean(body, "is_enabled")
        schedule = self._schedule(body, required=False)
        if schedule is not None:
            trigger["scheduled_details"] = schedule
        trigger["updated_at"] = self.now()
        return self.trigger_view(trigger)

    def delete_trigger(self, namespace_id: str, name: str) -> None:
        self._trigger(namespace_id, name)
        del self.get(namespace_id)["_triggers"][name]

    def triggers(self, namespace_id: str) -> list[dict]:
        return [self.trigger_view(t) for t in self.get(namespace_id)["_triggers"].values()]

    def trigger(self, namespace_id: str, name: str) -> dict:
        return self.trigger_view(self._trigger(namespace_id, name))

    def trigger_view(self, trigger: dict) -> dict:
        out = public(trigger)
        next_at = (rfc3339(cron.next_run(trigger["scheduled_details"]["cron"], self.clock.now()))
                   if trigger["is_enabled"] else None)
        out["scheduled_runs"] = {"last_run_at": None, "next_run_at": next_at}
        return out

    # -- access keys
    def create_key(self, namespace_id: str, body: dict) -> dict:
        record = self.get(namespace_id)
        name = v.string(body, "name", required=True)
        expires = v.string(body, "expires_in")
        expires_at = None
        if expires:
            match = DURATION.match(expires)
            if match is None:
                raise Unprocessable(f"expires_in must be a duration such as 720h or 30d; got {expires!r}")
            hours = int(match.group(1)) * (24 if match.group(2) == "d" else 1)
            expires_at = rfc3339(self.clock.now() + timedelta(hours=hours))
        key = {"id": f"dof_v1_{self.ids.hex(16)}", "name": name, "expires_at": expires_at, "created_at": self.now(),
               "updated_at": self.now(), "_secret": self.ids.hex(32)}
        record["_keys"][key["id"]] = key
        return {**public(key), "secret": key["_secret"]}

    def _key(self, namespace_id: str, key_id: str) -> dict:
        key = self.get(namespace_id)["_keys"].get(key_id)
        if key is None:
            raise not_found("access key", key_id)
        return key

    def keys(self, namespace_id: str) -> list[dict]:
        return [public(k) for k in self.get(namespace_id)["_keys"].values()]

    def rename_key(self, namespace_id: str, key_id: str, body: dict) -> dict:
        key = self._key(namespace_id, key_id)
        key.update(name=v.string(body, "name", required=True), updated_at=self.now())
        return public(key)

    def delete_key(self, namespace_id: str, key_id: str) -> None:
        self._key(namespace_id, key_id)
        del self.get(namespace_id)["_keys"][key_id]
