"""Actions: the shared in-progress → completed records behind droplet and volume operations.

Families call :meth:`ActionsBackend.create_action`; the action completes (``status`` and
``completed_at``) after ``settings.lifecycle_delay``, the same delay the family uses for the
resource's own transition, so a poller sees both change together.
"""

from __future__ import annotations

from datetime import timedelta

from emulator.core import links
from emulator.core.clock import rfc3339
from emulator.core.errors import not_found
from emulator.core.state import Backend, public, schedule, settle


class ActionsBackend(Backend):
    name = "actions"

    def reset(self) -> None:
        self.data = {"actions": {}}

    def create_action(self, action_type: str, resource_type: str, resource_id: int | None,
                      region_slug: str | None, *, delay: float | None = None, owner=None) -> dict:
        """Record an action that completes after ``delay`` (default: the lifecycle delay); returns it.

        ``owner`` ties the action to a resource whose id is not an int (a volume's uuid), for
        ``/v2/volumes/{id}/actions``; it defaults to ``resource_id``.
        """
        action_id = self.ids.next_int("action")
        region = links.neighbour(self.state, "catalog").region(region_slug) if region_slug else None
        record = {
            "id": action_id, "status": "in-progress", "type": action_type, "started_at": self.now(),
            "completed_at": None, "resource_id": resource_id, "resource_type": resource_type,
            "region": region, "region_slug": region_slug,
        }
        wait = self.state.settings.lifecycle_delay if delay is None else delay
        done_at = rfc3339(self.clock.now() + timedelta(seconds=wait))
        schedule(self.state, record, {"status": "completed", "completed_at": done_at}, delay)
        if owner is not None:
            record["_owner"] = str(owner)
        self.table("actions")[str(action_id)] = record
        return public(record)

    def get(self, action_id) -> dict:
        return public(self.get_or_404("actions", action_id, "action"))

    def list(self, resource_type: str | None = None, resource_id=None) -> list[dict]:
        """Newest first, as the API lists them; optionally only one resource's actions."""
        return [public(r) for r in self.records(resource_type, resource_id)]

    def records(self, resource_type: str | None = None, resource_id=None) -> list[dict]:
        """The stored (settled) actions, newest first; callers copy with ``public`` what they show."""
        out = []
        for record in reversed(self.table("actions").values()):
            if resource_type is not None and record["resource_type"] != resource_type:
                continue
            if resource_id is not None and str(record.get("_owner", record["resource_id"])) != str(resource_id):
                continue
            out.append(settle(self.state, record))
        return out

    def get_for(self, resource_type: str, resource_id, action_id) -> dict:
        """One action of one resource (``/v2/droplets/{id}/actions/{action_id}``); 404 if it is another's."""
        record = self.get_or_404("actions", action_id, "action")
        owner = record.get("_owner", record["resource_id"])
        if record["resource_type"] != resource_type or str(owner) != str(resource_id):
            raise not_found("action", action_id)
        return public(record)

    def in_progress(self, resource_type: str, resource_id) -> list[dict]:
        """Unfinished actions of one resource (after applying due transitions)."""
        return [public(a) for a in self.records(resource_type, resource_id) if a["status"] == "in-progress"]
