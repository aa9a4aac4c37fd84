"""App Platform's instance sizes and regions (from the one catalog, do_vocab/catalog.json) and what an app
costs: the prices a proposal and the app's ``tier_slug`` show."""

from __future__ import annotations

from do_vocab import catalog

DEFAULT_SIZE = "apps-s-1vcpu-0.5gb"
FREE_STATIC_SITES = 3
STATIC_SITE_USD = 3
DEV_DATABASE_USD = 7
SECONDS_PER_MONTH = 30 * 24 * 3600

# slug → (name, cpu_type, cpus, memory MiB, usd/month, bandwidth GiB, single instance only, deprecated),
# from the one catalog (do_vocab/catalog.json)
INSTANCE_SIZES = {
    s["slug"]: (s["name"], s["cpu_type"], s["cpus"], s["memory"], s["usd_per_month"], s["bandwidth_allowance_gib"],
                s["single_instance_only"], s["deprecated"])
    for s in catalog.load().app_instance_sizes
}
SHARED_LADDER = ["apps-s-1vcpu-0.5gb", "apps-s-1vcpu-1gb-fixed", "apps-s-1vcpu-1gb", "apps-s-1vcpu-2gb",
                 "apps-s-2vcpu-4gb"]
DEDICATED_LADDER = ["apps-d-1vcpu-0.5gb", "apps-d-1vcpu-1gb", "apps-d-1vcpu-2gb", "apps-d-1vcpu-4gb",
                    "apps-d-2vcpu-4gb", "apps-d-2vcpu-8gb", "apps-d-4vcpu-8gb", "apps-d-4vcpu-16gb",
                    "apps-d-8vcpu-32gb"]
# slug → (label, flag, continent, data centers), from the one catalog (do_vocab/catalog.json)
REGIONS = {r["slug"]: (r["label"], r["flag"], r["continent"], list(r["data_centers"]))
           for r in catalog.load().app_regions}
DEFAULT_REGION = "nyc"


def instance_size(slug: str, usd: float | None = None) -> dict:
    """The API's view of one instance size; ``usd`` overrides the catalog's monthly price (a seeded change)."""
    name, cpu_type, cpus, memory, catalog_usd, bandwidth, single, deprecated = INSTANCE_SIZES[slug]
    usd = catalog_usd if usd is None else usd
    ladder = DEDICATED_LADDER if cpu_type == "DEDICATED" else SHARED_LADDER
    pos = ladder.index(slug) if slug in ladder else -1
    return {
        "name": name, "slug": slug, "cpu_type": cpu_type, "cpus": str(cpus), "memory_bytes": str(memory * 1048576),
        "usd_per_month": f"{usd:.2f}", "usd_per_second": f"{usd / SECONDS_PER_MONTH:.9f}",
        "tier_slug": "professional" if cpu_type == "DEDICATED" else "basic",
        "tier_upgrade_to": ladder[pos + 1] if 0 <= pos < len(ladder) - 1 else "",
        "tier_downgrade_to": ladder[pos - 1] if pos > 0 else "",
        "bandwidth_allowance_gib": str(bandwidth), "single_instance_only": single, "scalable": not single,
        "deprecation_intent": deprecated,
    }


def region_view(slug: str) -> dict:
    label, flag, continent, centers = REGIONS[slug]
    return {"slug": slug, "label": label, "flag": flag, "continent": continent, "data_centers": list(centers),
            "default": slug == DEFAULT_REGION, "disabled": False, "reason": ""}


def is_static(spec: dict) -> bool:
    return bool(spec.get("static_sites")) and not any(spec.get(k) for k in ("services", "workers", "jobs",
                                                                              "functions"))


def cost(spec: dict, *, downgrade: bool) -> int:
    """USD per month: instances × size price, static sites beyond the free ones, dev databases."""
    total = 0
    for kind in ("services", "workers", "jobs"):
        for comp in spec.get(kind) or []:
            slug = comp.get("instance_size_slug") or DEFAULT_SIZE
            if downgrade:
                slug = instance_size(slug)["tier_downgrade_to"] or slug
            total += INSTANCE_SIZES[slug][4] * (comp.get("instance_count") or 1)
    total += max(0, len(spec.get("static_sites") or []) - FREE_STATIC_SITES) * STATIC_SITE_USD
    total += sum(DEV_DATABASE_USD for db in spec.get("databases") or [] if not db.get("production"))
    return total


def tier(spec: dict) -> str:
    sizes = [c.get("instance_size_slug") or DEFAULT_SIZE for k in ("services", "workers", "jobs")
             for c in spec.get(k) or []]
    return "professional" if any(INSTANCE_SIZES[s][1] == "DEDICATED" for s in sizes) else "basic"
