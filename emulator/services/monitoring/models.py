"""Monitoring alert policies (envelope ``policy``): entities, tags and alerts echoed as sent.

The one normalisation: ``alerts.email``/``alerts.slack`` sent as ``null`` come back as ``[]``
(the API's schema says arrays; Go clients read both the same). Metrics queries are in
``metrics.py``; sinks and destinations are not emulated.
"""

from __future__ import annotations

from emulator.core import validate as v
from emulator.core.state import Backend, public

POLICY_TYPES = (
    "v1/insights/droplet/load_1", "v1/insights/droplet/load_5", "v1/insights/droplet/load_15",
    "v1/insights/droplet/memory_utilization_percent", "v1/insights/droplet/disk_utilization_percent",
    "v1/insights/droplet/cpu", "v1/insights/droplet/disk_read", "v1/insights/droplet/disk_write",
    "v1/insights/droplet/public_outbound_bandwidth", "v1/insights/droplet/public_inbound_bandwidth",
    "v1/insights/droplet/private_outbound_bandwidth", "v1/insights/droplet/private_inbound_bandwidth",
    "v1/insights/lbaas/avg_cpu_utilization_percent", "v1/insights/lbaas/connection_utilization_percent",
    "v1/insights/lbaas/droplet_health", "v1/insights/lbaas/tls_connections_per_second_utilization_percent",
    "v1/insights/lbaas/increase_in_http_error_rate_percentage_5xx",
    "v1/insights/lbaas/increase_in_http_error_rate_percentage_4xx",
    "v1/insights/lbaas/increase_in_http_error_rate_count_5xx",
    "v1/insights/lbaas/increase_in_http_error_rate_count_4xx",
    "v1/insights/lbaas/high_http_request_response_time", "v1/insights/lbaas/high_http_request_response_time_50p",
    "v1/insights/lbaas/high_http_request_response_time_95p",
    "v1/insights/lbaas/high_http_request_response_time_99p",
    "v1/dbaas/alerts/load_15_alerts", "v1/dbaas/alerts/memory_utilization_alerts",
    "v1/dbaas/alerts/disk_utilization_alerts", "v1/dbaas/alerts/cpu_alerts",
    "v1/droplet/autoscale_alerts/current_instances", "v1/droplet/autoscale_alerts/target_instances",
    "v1/droplet/autoscale_alerts/current_cpu_utilization", "v1/droplet/autoscale_alerts/target_cpu_utilization",
    "v1/droplet/autoscale_alerts/current_memory_utilization",
    "v1/droplet/autoscale_alerts/target_memory_utilization",
    "v1/droplet/autoscale_alerts/scale_up", "v1/droplet/autoscale_alerts/scale_down",
)
COMPARE = ("GreaterThan", "LessThan")
WINDOWS = ("5m", "10m", "30m", "1h")


class MonitoringBackend(Backend):
    name = "monitoring"

    def reset(self) -> None:
        self.data = {"policies": {}}

    def _validated(self, body: dict) -> dict:
        fields = {
            "type": v.choice(body, "type", POLICY_TYPES, required=True),
            "description": v.string(body, "description", required=True),
            "compare": v.choice(body, "compare", COMPARE, required=True),
            "value": v.number(body, "value", required=True),
            "window": v.choice(body, "window", WINDOWS, required=True),
            "entities": v.string_list(body, "entities"),
            "tags": v.string_list(body, "tags"),
            "alerts": v.notifications(body, "alerts"),
            "enabled": v.boolean(body, "enabled", default=True),
        }
        return fields

    def create(self, body: dict) -> dict:
        record = {"uuid": self.ids.uuid(), **self._validated(body)}
        self.table("policies")[record["uuid"]] = record
        return record

    def get(self, uuid: str) -> dict:
        return self.get_or_404("policies", uuid, "alert policy")

    def list(self) -> list[dict]:
        return list(self.table("policies").values())

    def replace(self, uuid: str, body: dict) -> dict:
        record = self.get(uuid)
        record.update(self._validated(body))
        return record

    def delete(self, uuid: str) -> None:
        self.get(uuid)
        del self.table("policies")[uuid]

    def view(self, record: dict) -> dict:
        return public(record)
