"""What the account owes this month, derived from the world: one usage line per billable resource.

Droplets (their size's price), volumes ($0.10 per GiB), load balancers ($12 per node) and database
clusters (their size's price per node, from the one catalog) are billed by the hour since they were
created, or since the month began, up to their monthly price (DigitalOcean's 672-hour cap). Nothing
is stored: the balance, the invoice preview and its items, and the billing insights are computed
from the same lines at each request, so they always agree with each other and with the world.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime

from do_vocab import catalog
from emulator.core import links
from emulator.core.clock import parse_rfc3339, rfc3339

HOURS_PER_MONTH = catalog.load().hours_per_month
VOLUME_GIB_MONTHLY = 0.10
LB_NODE_MONTHLY = 12.0
INVOICE_NAMESPACE = uuid.UUID("6f1d1c4e-8b1f-4c55-9d6e-3c2a8f0b7a11")


@dataclass(frozen=True)
class Line:
    product: str  # the invoice's product group ("Droplets", "Volumes", ...)
    resource_id: str
    name: str
    region: str
    monthly: float
    start: datetime
    end: datetime
    sku: str

    @property
    def hours(self) -> int:
        return max(1, math.ceil((self.end - self.start).total_seconds() / 3600))

    @property
    def amount(self) -> float:
        return round(min(self.monthly, self.hours * self.monthly / HOURS_PER_MONTH), 2)


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def lines(state) -> list[Line]:
    now = state.clock.now()
    start = month_start(now)

    def line(product, resource_id, name, region, monthly, created_at, sku) -> Line:
        return Line(product, str(resource_id), name, region, float(monthly),
                    max(start, parse_rfc3339(created_at)), now, sku)

    out = [line("Droplets", d["id"], f"{d['name']} ({d['size']['slug']})", d["region"]["slug"],
                d["size"]["price_monthly"], d["created_at"], f"1-DO-DROP-{d['size']['slug']}")
           for d in links.listing(state, "droplets")]
    out += [line("Volumes", v["id"], f"{v['name']} ({v['size_gigabytes']} GiB)", v["region"]["slug"],
                 v["size_gigabytes"] * VOLUME_GIB_MONTHLY, v["created_at"], "1-DO-VOL-GIB")
            for v in links.listing(state, "volumes")]
    out += [line("Load Balancers", lb["id"], lb["name"], (lb.get("region") or {}).get("slug", ""),
                 LB_NODE_MONTHLY * (lb.get("size_unit") or 1), lb["created_at"], "1-DO-LB-NODE")
            for lb in links.listing(state, "load_balancers")]
    for db in links.listing(state, "databases"):
        size = catalog.load().database_size(db["size"]) or {}
        price = size.get("price_monthly_per_node")
        if price is not None:  # a size without a published price is not billed rather than billed wrongly
            out.append(line("Database Clusters", db["id"], f"{db['name']} ({db['size']})", db["region"],
                            price * db["num_nodes"], db["created_at"], f"1-DO-DBAAS-{db['size']}"))
    return out


def period(state) -> str:
    return state.clock.now().strftime("%Y-%m")


def preview_uuid(state, account_uuid: str) -> str:
    return str(uuid.uuid5(INVOICE_NAMESPACE, f"{account_uuid}/{period(state)}"))


def money(amount: float) -> str:
    return f"{amount:.2f}"


def item_view(item: Line) -> dict:
    return {"product": item.product, "resource_id": item.resource_id, "resource_uuid": item.resource_id,
            "group_description": "", "description": item.name, "amount": money(item.amount),
            "duration": str(item.hours), "duration_unit": "Hours", "start_time": rfc3339(item.start),
            "end_time": rfc3339(item.end), "project_name": ""}
