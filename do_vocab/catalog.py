"""DigitalOcean's catalog, one copy for the emulator, the config and the plan: regions, Droplet sizes with
prices, Managed Database layouts, App Platform instance sizes and regions.

The data lives next to this module in ``do_vocab/catalog.json`` with its date (``as_of``) and sources; this
module only reads it (standard library only, so the components, the emulator and the config import it
without the CLI's dependencies). Every value is a read-only view: callers copy what they change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True)
class Catalog:
    as_of: str
    sources: tuple[str, ...]
    hours_per_month: int
    regions: tuple[MappingProxyType, ...]  # {slug, name, available, features}
    # {slug, description, vcpus, memory MiB, disk GiB, transfer TiB, price_monthly}
    droplet_sizes: tuple[MappingProxyType, ...]
    database_regions: tuple[str, ...]
    database_sizes: tuple[MappingProxyType, ...]  # {slug, vcpus, memory MiB, disk MiB, price_monthly_per_node}
    database_layouts: MappingProxyType  # engine → ((num_nodes, (size slugs...)), ...)
    standby_min_memory: int  # MiB: the smallest node that may run with standby nodes
    app_instance_sizes: tuple[MappingProxyType, ...]  # {slug, name, cpu_type, cpus, memory MiB, usd_per_month, ...}
    app_regions: tuple[MappingProxyType, ...]  # {slug, label, flag, continent, data_centers, default?}
    droplet_autoscale_regions: tuple[str, ...] = ()  # where Droplet Autoscale pools may be created
    vpc_nat_gateway_regions: tuple[str, ...] = ()  # where VPC NAT gateways may be created

    def region_slugs(self, *, available_only: bool = False) -> list[str]:
        return [r["slug"] for r in self.regions if r["available"] or not available_only]

    def droplet_size(self, slug: str) -> MappingProxyType | None:
        return next((s for s in self.droplet_sizes if s["slug"] == slug), None)

    def database_size(self, slug: str) -> MappingProxyType | None:
        return next((s for s in self.database_sizes if s["slug"] == slug), None)

    def database_node_counts(self, engine: str) -> list[int]:
        return [n for n, _sizes in self.database_layouts.get(engine, ())]

    def database_sizes_for(self, engine: str, num_nodes: int) -> list[str]:
        """The size slugs ``engine`` offers for a cluster of ``num_nodes`` ([] when that count is not offered)."""
        return next((list(sizes) for n, sizes in self.database_layouts.get(engine, ()) if n == num_nodes), [])

    def app_instance_size(self, slug: str) -> MappingProxyType | None:
        return next((s for s in self.app_instance_sizes if s["slug"] == slug), None)

    def app_region_of(self, region: str) -> str | None:
        """The App Platform region serving data center ``region``: the one that lists it, else the one of its
        metro (``sfo2`` → ``sfo``, whose listed data center is ``sfo3``), else None (``ric1`` has none)."""
        listed = next((r["slug"] for r in self.app_regions if region in r["data_centers"]), None)
        if listed is not None:
            return listed
        return next((r["slug"] for r in self.app_regions if r["slug"] == region.rstrip("0123456789")), None)


def _frozen(items: list[dict[str, Any]]) -> tuple[MappingProxyType, ...]:
    return tuple(MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in item.items()})
                 for item in items)


@lru_cache(maxsize=1)
def load() -> Catalog:
    """The catalog shipped in ``do_vocab/catalog.json`` (read once per process)."""
    raw = json.loads(resources.files("do_vocab").joinpath("catalog.json").read_text(encoding="utf-8"))
    databases = raw["databases"]
    layouts = {engine: tuple((layout["num_nodes"], tuple(layout["sizes"])) for layout in spec["layouts"])
               for engine, spec in databases["engines"].items()}
    return Catalog(
        as_of=raw["as_of"],
        sources=tuple(raw["sources"]),
        hours_per_month=int(raw["hours_per_month"]),
        regions=_frozen(raw["regions"]),
        droplet_sizes=_frozen(raw["droplet_sizes"]),
        database_regions=tuple(databases["regions"]),
        database_sizes=_frozen(databases["sizes"]),
        database_layouts=MappingProxyType(layouts),
        standby_min_memory=int(databases["standby_min_memory"]),
        app_instance_sizes=_frozen(raw["app_instance_sizes"]),
        app_regions=_frozen(raw["app_regions"]),
        droplet_autoscale_regions=tuple(raw.get("droplet_autoscale_regions", ())),
        vpc_nat_gateway_regions=tuple(raw.get("vpc_nat_gateway_regions", ())),
    )
