"""What a cluster has been through, derived from its record: daily backups and its events.

Backups are taken when the cluster comes online, then daily at the creation time's hour and minute, kept
7 days, each the size of the data the cluster holds (a small, fixed figure: nothing is stored in an emulated
database). Events are the
creation and, when the cluster was changed since, an update.
"""

from __future__ import annotations

from datetime import timedelta

from emulator.core.clock import parse_rfc3339, rfc3339
from emulator.core.errors import PreconditionFailed
from emulator.core.state import settle

RETENTION_DAYS = 7
BACKUP_GIGABYTES = 0.03364864  # the API's example: an almost empty database


def backups(backend, cluster_id: str) -> dict:
    """The first backup is taken when the cluster comes online (before that: 412, which the provider's
    backup-restore test waits through), then one a day."""
    record = settle(backend.state, backend.cluster(cluster_id))
    if record["status"] == "creating":
        raise PreconditionFailed(f"database cluster {cluster_id} has no backup yet: the first is taken once it is "
                                 "online")
    created = parse_rfc3339(record["created_at"])
    now = backend.clock.now()
    days = int((now - created).total_seconds() // 86400)
    taken = [created + timedelta(days=n) for n in range(max(0, days - RETENTION_DAYS + 1), days + 1)]
    return {"backups": [{"created_at": rfc3339(at), "size_gigabytes": BACKUP_GIGABYTES,
                         **({"incremental": False} if record["engine"] == "mysql" else {})}
                        for at in reversed(taken)],
            "scheduled_backup_time": {"backup_hour": created.hour, "backup_minute": created.minute,
                                      "backup_interval_hours": 24}}


def events(backend, cluster_id: str) -> list[dict]:
    record = backend.cluster(cluster_id)
    out = [{"id": f"{record['id'][:8]}-create", "cluster_name": record["name"], "event_type": "cluster_create",
            "create_time": record["created_at"]}]
    updated = record.get("_updated_at")
    if updated and updated != record["created_at"]:
        out.append({"id": f"{record['id'][:8]}-update", "cluster_name": record["name"],
                    "event_type": "cluster_update", "create_time": updated})
    return out
