"""Uptime checks (envelope ``check``), their alerts (``alert``) and their state per region.

``regions`` is echoed exactly (``null`` becomes ``[]``) because the provider does not compute it.
The emulator does not probe targets: an enabled check reports ``UP`` in each of its regions with
100 % uptime, a disabled one ``CHECKING``.
"""

from __future__ import annotations

from urllib.parse import urlparse

from emulator.core import validate as v
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import Backend, public

CHECK_TYPES = ("ping", "http", "https")
REGIONS = ("us_east", "us_west", "eu_west", "se_asia")
ALERT_TYPES = ("latency", "down", "down_global", "ssl_expiry")
COMPARISONS = ("greater_than", "less_than")
PERIODS = ("2m", "3m", "5m", "10m", "15m", "30m", "1h")


class UptimeBackend(Backend):
    name = "uptime"

    def reset(self) -> None:
        self.data = {"checks": {}, "alerts": {}}

    # -- checks
    def _validated_check(self, body: dict, existing: dict | None = None) -> dict:
        base = existing or {}
        kind = v.choice(body, "type", CHECK_TYPES, default=base.get("type", "https"))
        target = v.string(body, "target", required=existing is None, default=base.get("target"))
        if kind in ("http", "https"):
            parsed = urlparse(target)
            if parsed.scheme not in ("http", "https") or not parsed.netloc:
                raise Unprocessable(f"target must be an http(s) URL for {kind} checks; got {target!r}")
        elif "/" in target.removeprefix("http://").removeprefix("https://").rstrip("/"):
            raise Unprocessable(f"target must be a host name or IP address for ping checks; got {target!r}")
        regions = v.string_list(body, "regions") if "regions" in body else base.get("regions", [])
        for region in regions:
            if region not in REGIONS:
                raise Unprocessable(f"regions must be drawn from {', '.join(REGIONS)}; got {region!r}")
        return {"name": v.string(body, "name", required=existing is None, default=base.get("name")),
                "type": kind, "target": target, "regions": regions,
                "enabled": v.boolean(body, "enabled", default=base.get("enabled", True))}

    def create_check(self, body: dict) -> dict:
        record = {"id": self.ids.uuid(), **self._validated_check(body), "_created_at": self.now()}
        self.table("checks")[record["id"]] = record
        self.table("alerts")[record["id"]] = {}
        return record

    def get_check(self, check_id: str) -> dict:
        return self.get_or_404("checks", check_id, "check")

    def list_checks(self) -> list[dict]:
        return list(self.table("checks").values())

    def update_check(self, check_id: str, body: dict) -> dict:
        record = self.get_check(check_id)
        record.update(self._validated_check(body, existing=record))
        return record

    def delete_check(self, check_id: str) -> None:
        self.get_check(check_id)
        del self.table("checks")[check_id]
        self.table("alerts").pop(check_id, None)

    def check_state(self, check_id: str) -> dict:
        record = self.get_check(check_id)
        status = "UP" if record["enabled"] else "CHECKING"
        return {"regions": {region: {"status": status, "status_changed_at": record["_created_at"],
                                     "thirty_day_uptime_percentage": 100.0 if record["enabled"] else 0.0}
                            for region in record["regions"]}}

    # -- alerts
    def _validated_alert(self, body: dict, existing: dict | None = None) -> dict:
        base = existing or {}
        required = existing is None
        kind = v.choice(body, "type", ALERT_TYPES, required=required, default=base.get("type"))
        fields = {
            "name": v.string(body, "name", required=required, default=base.get("name")),
            "type": kind,
            "threshold": v.integer(body, "threshold", minimum=0, default=base.get("threshold")),
            "comparison": v.choice(body, "comparison", COMPARISONS, default=base.get("comparison")),
            "notifications": v.notifications(body, "notifications") if "notifications" in body or required
            else base["notifications"],
            "period": v.choice(body, "period", PERIODS, default=base.get("period", "2m")),
        }
        if kind in ("latency", "ssl_expiry") and (fields["threshold"] is None or fields["comparison"] is None):
            raise Unprocessable(f"threshold and comparison are required for {kind} alerts")
        return {k: val for k, val in fields.items() if val is not None}

    def _alerts(self, check_id: str) -> dict:
        self.get_check(check_id)
        return self.table("alerts").setdefault(check_id, {})

    def create_alert(self, check_id: str, body: dict) -> dict:
        alerts = self._alerts(check_id)
        record = {"id": self.ids.uuid(), **self._validated_alert(body)}
        alerts[record["id"]] = record
        return record

    def get_alert(self, check_id: str, alert_id: str) -> dict:
        record = self._alerts(check_id).get(alert_id)
        if record is None:
            raise not_found("alert", alert_id)
        return record

    def list_alerts(self, check_id: str) -> list[dict]:
        return list(self._alerts(check_id).values())

    def update_alert(self, check_id: str, alert_id: str, body: dict) -> dict:
        record = self.get_alert(check_id, alert_id)
        record.update(self._validated_alert(body, existing=record))
        return record

    def delete_alert(self, check_id: str, alert_id: str) -> None:
        self.get_alert(check_id, alert_id)
        del self._alerts(check_id)[alert_id]

    def view(self, record: dict) -> dict:
        return public(record)
