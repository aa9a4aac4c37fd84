"""Metrics queries (``GET /v2/monitoring/metrics/...``): deterministic series derived from the world.

Each metric names the resource it is about (``host_id``, ``lb_id``, ``app_id``, ``autoscale_pool_id``,
``db_id``), which must exist (404 otherwise, reached through core/links like every neighbour). The
answer is the API's Prometheus-style matrix: one series of ``[unix seconds, "value"]`` points from
``start`` to ``end`` (at most 300 points, a step of at least 60 s). Values are plausible for the
resource — totals come from its size (memory, disk, a load balancer's connection limit, a pool's
instance counts) and the rest wave around a level fixed by the metric and resource id — and the same
query always answers the same numbers, so a test or a dashboard can assert them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass

from emulator.core import links
from emulator.core.errors import Unprocessable
from emulator.core.routing import Request

MAX_POINTS = 300
MIN_STEP = 60
GIB = 1024**3


@dataclass(frozen=True)
class Metric:
    family: str  # the family owning the resource the metric is about
    id_param: str  # the query parameter naming it
    level: Callable[[dict | None], tuple[float, float]]  # resource → (typical value, amplitude of the wave)
    enums: tuple[tuple[str, tuple[str, ...]], ...] = ()  # required query parameters with their allowed values
    extra: tuple[str, ...] = ()  # other required parameters (free text)
    integer: bool = False  # counts, not rates


def _memory_bytes(droplet: dict | None) -> float:
    return float((droplet or {}).get("memory", 1024)) * 1024**2


def _disk_bytes(droplet: dict | None) -> float:
    return float((droplet or {}).get("disk", 25)) * GIB


def _fixed(value: float, amplitude: float = 0.0) -> Callable[[dict | None], tuple[float, float]]:
    return lambda _resource: (value, amplitude)


def _lb_limit(lb: dict | None) -> float:
    return 10000.0 * float((lb or {}).get("size_unit") or 1)


def _pool_size(pool: dict | None, key: str) -> float:
    config = (pool or {}).get("config") or {}
    return float(config.get(key) or config.get("target_number_instances") or 1)


def _db_memory(cluster: dict | None) -> float:
    from do_vocab import catalog

    size = catalog.load().database_size((cluster or {}).get("size", "")) or {"memory": 1024}
    return float(size["memory"]) * 1024**2


DROPLET = "droplets"
LB = "load_balancers"
METRICS: dict[str, Metric] = {
    "droplet/bandwidth": Metric(DROPLET, "host_id", _fixed(2.5e5, 1.5e5),
                                enums=(("interface", ("private", "public")), ("direction", ("inbound", "outbound")))),
    "droplet/cpu": Metric(DROPLET, "host_id", _fixed(18.0, 12.0)),
    "droplet/filesystem_free": Metric(DROPLET, "host_id", lambda d: (_disk_bytes(d) * 0.7, _disk_bytes(d) * 0.05)),
    "droplet/filesystem_size": Metric(DROPLET, "host_id", lambda d: (_disk_bytes(d), 0.0)),
    "droplet/load_1": Metric(DROPLET, "host_id", _fixed(0.4, 0.3)),
    "droplet/load_5": Metric(DROPLET, "host_id", _fixed(0.35, 0.2)),
    "droplet/load_15": Metric(DROPLET, "host_id", _fixed(0.3, 0.1)),
    "droplet/memory_cached": Metric(DROPLET, "host_id", lambda d: (_memory_bytes(d) * 0.25, _memory_bytes(d) * 0.05)),
    "droplet/memory_free": Metric(DROPLET, "host_id", lambda d: (_memory_bytes(d) * 0.3, _memory_bytes(d) * 0.1)),
    "droplet/memory_total": Metric(DROPLET, "host_id", lambda d: (_memory_bytes(d), 0.0)),
    "droplet/memory_available": Metric(DROPLET, "host_id",
                                       lambda d: (_memory_bytes(d) * 0.55, _memory_bytes(d) * 0.1)),
    "apps/memory_percentage": Metric("apps", "app_id", _fixed(45.0, 15.0)),
    "apps/cpu_percentage": Metric("apps", "app_id", _fixed(20.0, 15.0)),
    "apps/restart_count": Metric("apps", "app_id", _fixed(0.0), integer=True),
    "load_balancer/frontend_connections_current": Metric(LB, "lb_id", lambda lb: (_lb_limit(lb) * 0.05,
                                                                                 _lb_limit(lb) * 0.03), integer=True),
    "load_balancer/frontend_connections_limit": Metric(LB, "lb_id", lambda lb: (_lb_limit(lb), 0.0), integer=True),
    "load_balancer/frontend_cpu_utilization": Metric(LB, "lb_id", _fixed(12.0, 8.0)),
    "load_balancer/frontend_firewall_dropped_bytes": Metric(LB, "lb_id", _fixed(0.0)),
    "load_balancer/frontend_firewall_dropped_packets": Metric(LB, "lb_id", _fixed(0.0)),
    "load_balancer/frontend_http_responses": Metric(LB, "lb_id", _fixed(40.0, 25.0)),
    "load_balancer/frontend_http_requests_per_second": Metric(LB, "lb_id", _fixed(40.0, 25.0)),
    "load_balancer/frontend_network_throughput_http": Metric(LB, "lb_id", _fixed(3e5, 2e5)),
    "load_balancer/frontend_network_throughput_udp": Metric(LB, "lb_id", _fixed(0.0)),
    "load_balancer/frontend_network_throughput_tcp": Metric(LB, "lb_id", _fixed(1e4, 5e3)),
    "load_balancer/frontend_nlb_tcp_network_throughput": Metric(LB, "lb_id", _fixed(0.0)),
    "load_balancer/frontend_nlb_udp_network_throughput": Metric(LB, "lb_id", _fixed(0.0)),
    "load_balancer/frontend_tls_connections_current": Metric(LB, "lb_id", _fixed(20.0, 15.0), integer=True),
    "load_balancer/frontend_tls_connections_limit": Metric(LB, "lb_id", lambda lb: (_lb_limit(lb) / 4, 0.0),
                                                           integer=True),
    "load_balancer/frontend_tls_connections_exceeding_rate_limit": Metric(LB, "lb_id", _fixed(0.0), integer=True),
    "load_balancer/droplets_http_session_duration_avg": Metric(LB, "lb_id", _fixed(0.12, 0.05)),
    "load_balancer/droplets_http_session_duration_50p": Metric(LB, "lb_id", _fixed(0.08, 0.03)),
    "load_balancer/droplets_http_session_duration_95p": Metric(LB, "lb_id", _fixed(0.3, 0.1)),
    "load_balancer/droplets_http_response_time_avg": Metric(LB, "lb_id", _fixed(0.09, 0.04)),
    "load_balancer/droplets_http_response_time_50p": Metric(LB, "lb_id", _fixed(0.06, 0.02)),
    "load_balancer/droplets_http_response_time_95p": Metric(LB, "lb_id", _fixed(0.25, 0.08)),
    "load_balancer/droplets_http_response_time_99p": Metric(LB, "lb_id", _fixed(0.6, 0.2)),
    "load_balancer/droplets_queue_size": Metric(LB, "lb_id", _fixed(0.0), integer=True),
    "load_balancer/droplets_http_responses": Metric(LB, "lb_id", _fixed(40.0, 25.0)),
    "load_balancer/droplets_connections": Metric(LB, "lb_id", _fixed(30.0, 20.0), integer=True),
    "load_balancer/droplets_health_checks": Metric(LB, "lb_id", _fixed(1.0), integer=True),
    "load_balancer/droplets_downtime": Metric(LB, "lb_id", _fixed(0.0), integer=True),
    "droplet_autoscale/current_instances": Metric("droplet_autoscale", "autoscale_pool_id",
                                                  lambda p: (_pool_size(p, "min_instances"), 0.0), integer=True),
    "droplet_autoscale/target_instances": Metric("droplet_autoscale", "autoscale_pool_id",
                                                 lambda p: (_pool_size(p, "min_instances"), 0.0), integer=True),
    "droplet_autoscale/current_cpu_utilization": Metric("droplet_autoscale", "autoscale_pool_id", _fixed(0.3, 0.15)),
    "droplet_autoscale/target_cpu_utilization": Metric(
        "droplet_autoscale", "autoscale_pool_id",
        lambda p: (float(((p or {}).get("config") or {}).get("target_cpu_utilization") or 0.5), 0.0)),
    "droplet_autoscale/current_memory_utilization": Metric("droplet_autoscale", "autoscale_pool_id",
                                                           _fixed(0.4, 0.1)),
    "droplet_autoscale/target_memory_utilization": Metric(
        "droplet_autoscale", "autoscale_pool_id",
        lambda p: (float(((p or {}).get("config") or {}).get("target_memory_utilization") or 0.6), 0.0)),
    "database/mysql/cpu_usage": Metric("databases", "db_id", _fixed(15.0, 10.0),
                                       enums=(("aggregate", ("avg", "max", "min")),)),
    "database/mysql/load": Metric("databases", "db_id", _fixed(0.3, 0.2),
                                  enums=(("metric", ("load1", "load5", "load15")), ("aggregate", ("avg", "max")))),
    "database/mysql/memory_usage": Metric("databases", "db_id", lambda c: (_db_memory(c) * 0.5, _db_memory(c) * 0.1),
                                          enums=(("aggregate", ("avg", "max", "min")),)),
    "database/mysql/disk_usage": Metric("databases", "db_id", _fixed(22.0, 2.0),
                                        enums=(("aggregate", ("avg", "max", "min")),)),
    "database/mysql/threads_connected": Metric("databases", "db_id", _fixed(12.0, 6.0), integer=True),
    "database/mysql/threads_created_rate": Metric("databases", "db_id", _fixed(0.5, 0.4)),
    "database/mysql/threads_active": Metric("databases", "db_id", _fixed(3.0, 2.0), integer=True),
    "database/mysql/index_vs_sequential_reads": Metric("databases", "db_id", _fixed(92.0, 5.0)),
    "database/mysql/op_rates": Metric("databases", "db_id", _fixed(25.0, 15.0),
                                      enums=(("metric", ("select", "insert", "update", "delete")),)),
    "database/mysql/schema_throughput": Metric("databases", "db_id", _fixed(10.0, 8.0), extra=("schema",),
                                               enums=(("metric", ("insert", "fetch", "update", "delete")),)),
    "database/mysql/schema_latency": Metric("databases", "db_id", _fixed(0.002, 0.001), extra=("schema",),
                                            enums=(("metric", ("insert", "fetch", "update", "delete")),)),
}


def _window(req: Request) -> tuple[int, int, int]:
    """(start, end, step) in Unix seconds; 422 naming the parameter when missing or reversed."""
    values = {}
    for name in ("start", "end"):
        raw = req.arg(name)
        if raw in (None, ""):
            raise Unprocessable(f"{name} is required: a Unix timestamp in seconds")
        try:
            values[name] = int(float(raw))
        except ValueError:
            raise Unprocessable(f"{name} must be a Unix timestamp in seconds; got {raw!r}") from None
    start, end = values["start"], values["end"]
    if end <= start:
        raise Unprocessable(f"end ({end}) must be after start ({start})")
    step = max(MIN_STEP, math.ceil((end - start) / MAX_POINTS))
    return start, end, step


def _noise(key: str, t: int) -> float:
    """A deterministic number in [-1, 1] for (series, time)."""
    digest = hashlib.sha256(f"{key}@{t}".encode()).digest()
    return int.from_bytes(digest[:4], "big") / 0xFFFFFFFF * 2 - 1


def query(req: Request, name: str) -> dict:
    """The answer to ``GET /v2/monitoring/metrics/<name>`` (``{"status", "data": {"resultType", "result"}}``)."""
    metric = METRICS[name]
    resource_id = req.arg(metric.id_param)
    if resource_id in (None, ""):
        raise Unprocessable(f"{metric.id_param} is required")
    labels = {metric.id_param: resource_id}
    for param, allowed in metric.enums:
        value = req.arg(param)
        if value not in allowed:
            raise Unprocessable(f"{param} must be one of {', '.join(allowed)}; got {value!r}")
        labels[param] = value
    for param in metric.extra:
        if req.arg(param) in (None, ""):
            raise Unprocessable(f"{param} is required")
        labels[param] = req.arg(param)
    if metric.family == "apps" and req.arg("app_component"):
        labels["app_component"] = req.arg("app_component")
    start, end, step = _window(req)
    resource = links.lookup(req.state, metric.family, resource_id, metric.id_param)
    level, amplitude = metric.level(resource)
    key = "|".join(f"{k}={v}" for k, v in sorted(labels.items())) + f"|{name}"
    values = []
    for t in range(start - start % step + step, end + 1, step):
        wave = math.sin(2 * math.pi * (t % 86400) / 86400)  # a daily rhythm plus a little noise
        value = max(0.0, level + amplitude * (0.7 * wave + 0.3 * _noise(key, t)))
        values.append([t, str(round(value)) if metric.integer else f"{value:.6f}".rstrip("0").rstrip(".")])
    return {"status": "success", "data": {"resultType": "matrix", "result": [{"metric": labels, "values": values}]}}
