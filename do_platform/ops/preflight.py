"""Preflight: can this account hold this stack? Metadata checks against the API before ``pulumi up``.

Every API read goes through :class:`~do_platform.api.reader.ApiReader` (GETs only, each cached, 404 →
``None``); each
check is a small function ``(ctx) -> list[Check]`` over the typed stack config and that reader, so a
check says exactly what it read. Status is ``ok``, ``warn`` (the stack can be created but something
deserves a look), ``fail`` (``pulumi up`` would fail or exceed a limit) or ``skip`` (the API does not
expose what would be checked, or an earlier failure makes the check meaningless).

What counts as a droplet: web droplets, the bastion, and Kubernetes worker nodes (DOKS nodes are
droplets and count against the droplet limit): the default pool's count plus each pool's
``minNodes`` must fit; each pool's ``maxNodes`` (the autoscaler's ceiling) only warns. A web autoscale
pool counts at ``maxInstances``: DigitalOcean grows it without another preflight, so its ceiling must fit. Droplets
already tagged ``env:<stack>`` are this stack's own and are not counted twice.

The same checks run inside the program through :func:`run_for_program`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from components.naming import do_name
from components.tagging import env_tag
from do_platform.api.reader import ApiReader
from do_platform.config import Component, StackConfig, load_config  # noqa: F401 (the CLI reads it from here)
from do_platform.errors import PlatformError, PreflightFailed
from do_platform.exit_codes import ExitCode
from do_platform.numbers import money
from do_vocab.images import image_reference
from do_vocab.regions import APP_REGIONS

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
GIB = 1024**3


@dataclass(frozen=True)
class Check:
    """One row of the preflight table."""

    name: str
    status: str
    detail: str
    fix: str = ""


@dataclass
class PreflightReport:
    stack: str
    region: str
    checks: list[Check] = field(default_factory=list)
    planned: dict[str, int] = field(default_factory=dict)
    token_rejected: bool = False  # the API answered 401 to the token: nothing else could be checked

    @property
    def exit_code(self) -> int:
        """The command's exit code, from the one table: a rejected token as in every other command."""
        if self.token_rejected:
            return ExitCode.TOKEN_REJECTED
        return ExitCode.CHECKS_FAILED if self.failures else ExitCode.OK

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAIL]

    @property
    def warnings(self) -> list[Check]:
        return [c for c in self.checks if c.status == WARN]

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        counts = {s: sum(c.status == s for c in self.checks) for s in (OK, WARN, FAIL, SKIP)}
        return ", ".join(f"{n} {s}" for s, n in counts.items() if n)

    def to_json(self) -> dict[str, Any]:
        return {"stack": self.stack, "region": self.region, "passed": self.passed, "planned": dict(self.planned),
                "checks": [asdict(c) for c in self.checks]}


# ---------------------------------------------------------------------------------------------------------
# What the stack plans


@dataclass(frozen=True)
class Plan:
    """Counts derived from the config: what ``pulumi up`` would create on a fresh account."""

    droplets_min: int
    droplets_max: int
    droplet_parts: tuple[str, ...]
    volumes: int
    load_balancers: int
    droplet_sizes: tuple[tuple[str, str, str], ...]  # (role, slug, config key)
    node_sizes: tuple[tuple[str, str, str], ...]


def plan_of(cfg: StackConfig) -> Plan:
    on = cfg.enabled
    lo = hi = 0
    parts: list[str] = []
    sizes: list[tuple[str, str, str]] = []
    nodes: list[tuple[str, str, str]] = []
    if on(Component.web) and cfg.web.autoscale is not None:
        # The pool grows on its own, without a `pulumi up` to check first: its ceiling must fit.
        a = cfg.web.autoscale
        lo += a.max_instances
        hi += a.max_instances
        parts.append(f"web autoscale {a.min_instances}..{a.max_instances} (counted at maxInstances)")
    elif on(Component.web):
        lo += cfg.web.count
        hi += cfg.web.count
        parts.append(f"web {cfg.web.count}")
    if on(Component.web):
        sizes.append(("web droplets", cfg.web.size, "do-platform:web.size"))
    if on(Component.network) and cfg.network is not None and cfg.network.bastion.enabled:
        lo += 1
        hi += 1
        parts.append("bastion 1")
        sizes.append(("bastion", cfg.network.bastion.size, "do-platform:network.bastion.size"))
    if on(Component.kubernetes):
        k = cfg.kubernetes
        lo += k.default_pool.count + sum(p.min_nodes for p in k.pools)
        hi += k.default_pool.count + sum(p.max_nodes for p in k.pools)
        parts.append(f"kubernetes default pool {k.default_pool.count}")
        nodes.append(("kubernetes default pool", k.default_pool.size, "do-platform:kubernetes.defaultPool.size"))
        for i, p in enumerate(k.pools):
            span = str(p.min_nodes) if p.min_nodes == p.max_nodes else f"{p.min_nodes}..{p.max_nodes}"
            parts.append(f"pool {p.name} {span}")
            nodes.append((f"kubernetes pool {p.name}", p.size, f"do-platform:kubernetes.pools[{i}].size"))
    volumes = cfg.web.count if on(Component.web) and cfg.web.volume_size_gb else 0
    return Plan(lo, hi, tuple(parts), volumes, 1 if on(Component.web) else 0, tuple(sizes), tuple(nodes))


@dataclass
class Context:
    cfg: StackConfig
    api: ApiReader
    plan: Plan

    @property
    def env_tag(self) -> str:
        return env_tag(self.cfg.stack)

    def own(self, resource: dict) -> bool:
        return self.env_tag in (resource.get("tags") or [])


# ---------------------------------------------------------------------------------------------------------
# Checks: each reads what it needs through ctx.api and returns rows


def check_account(ctx: Context) -> list[Check]:
    acct = ctx.api.account()
    who = acct.get("email") or acct.get("uuid") or "?"
    team = (acct.get("team") or {}).get("name")
    rows = [Check("token", OK, f"accepted for {who}" + (f" (team {team})" if team else ""))]
    status, message = acct.get("status", "?"), acct.get("status_message") or ""
    if status == "active":
        rows.append(Check("account", OK, "active"))
    elif status == "warning":
        rows.append(Check("account", WARN, f"status warning: {message or 'no message'}",
                          "resolve the account warning in the control panel (billing or verification)"))
    else:
        rows.append(Check("account", FAIL, f"status {status}: {message or 'no message'}",
                          "an account that is not active cannot create resources; contact DigitalOcean support"))
    if acct.get("email_verified") is False:
        rows.append(Check("email verified", FAIL, f"{who} has not verified its email address",
                          "verify the account's email address before creating resources"))
    return rows


def check_droplet_limit(ctx: Context) -> list[Check]:
    limit = ctx.api.account().get("droplet_limit")
    plan = ctx.plan
    what = ", ".join(plan.droplet_parts) or "none"
    if not plan.droplets_max:
        return [Check("droplet limit", OK, "the stack plans no droplets")]
    if limit is None:
        return [Check("droplet limit", SKIP, "the account object carries no droplet_limit")]
    existing = ctx.api.droplets()
    own = sum(ctx.own(d) for d in existing)
    others = len(existing) - own
    headroom = limit - others
    detail = (f"plans {plan.droplets_min}" + (f"..{plan.droplets_max}" if plan.droplets_max != plan.droplets_min
                                               else "") + f" ({what}); {len(existing)} on the account "
              f"({own} already this stack's); limit {limit}")
    if plan.droplets_min > headroom:
        return [Check("droplet limit", FAIL, detail,
                      f"needs {plan.droplets_min - headroom} more: delete unused droplets, lower web.count (or "
                      "web.autoscale.maxInstances) or the pools' minNodes, or ask DigitalOcean support to raise the "
                      "droplet limit")]
    if plan.droplets_max > headroom:
        return [Check("droplet limit", WARN, detail + f"; autoscaling to the pools' maxNodes would need "
                      f"{plan.droplets_max - headroom} more",
                      "lower the pools' maxNodes or ask DigitalOcean support to raise the droplet limit")]
    return [Check("droplet limit", OK, detail + f"; {headroom - plan.droplets_max} to spare")]


def check_region(ctx: Context) -> list[Check]:
    regions = ctx.api.regions()
    region = regions.get(ctx.cfg.region)
    usable = sorted(s for s, r in regions.items() if r.get("available"))
    if region is None:
        return [Check("region", FAIL, f"{ctx.cfg.region} is not a region of this API",
                      f"set do-platform:region to one of {', '.join(usable)}")]
    if not region.get("available"):
        return [Check("region", FAIL, f"{ctx.cfg.region} does not accept new resources",
                      f"set do-platform:region to one of {', '.join(usable)}")]
    return [Check("region", OK, f"{ctx.cfg.region} ({region.get('name', '')}) available")]


def _droplet_size_row(ctx: Context, role: str, slug: str, key: str, extra_allowed: set[str] | None = None) -> Check:
    region = ctx.cfg.region
    size = ctx.api.sizes().get(slug)
    in_region = (ctx.api.regions().get(region) or {}).get("sizes") or []
    name = f"size: {role}"
    offered = sorted(s for s in in_region if extra_allowed is None or s in extra_allowed)
    hint = f"set {key} to a size offered in {region}, e.g. {', '.join(offered[:6]) or 'none'}"
    if size is None:
        return Check(name, FAIL, f"{slug} is not a size of this API", hint)
    if not size.get("available", True):
        return Check(name, FAIL, f"{slug} is not available for new droplets", hint)
    if region not in (size.get("regions") or []) or (in_region and slug not in in_region):
        return Check(name, FAIL, f"{slug} is not offered in {region}", hint)
    if extra_allowed is not None and slug not in extra_allowed:
        return Check(name, FAIL, f"{slug} is not a Kubernetes node size (too small or not offered to DOKS)", hint)
    return Check(name, OK, f"{slug} offered in {region} ({money(size.get('price_monthly'), '/mo')})")


def check_droplet_sizes(ctx: Context) -> list[Check]:
    return [_droplet_size_row(ctx, role, slug, key) for role, slug, key in ctx.plan.droplet_sizes]


def check_kubernetes(ctx: Context) -> list[Check]:
    if not ctx.cfg.enabled(Component.kubernetes):
        return []
    k = ctx.cfg.kubernetes
    opts = ctx.api.kubernetes_options()
    rows = []
    regions = {r.get("slug") for r in opts.get("regions") or []}
    if ctx.cfg.region not in regions:
        rows.append(Check("kubernetes region", FAIL, f"DOKS is not offered in {ctx.cfg.region}",
                          f"set do-platform:region to one of {', '.join(sorted(regions)) or 'none'}"))
    versions = [v for v in opts.get("versions") or [] if str(v.get("kubernetes_version", "")).startswith(
        k.version_prefix)]
    offered = sorted({".".join(str(v.get("kubernetes_version", "")).split(".")[:2]) + "."
                      for v in opts.get("versions") or []}, reverse=True)
    if versions:
        rows.append(Check("kubernetes version", OK, f"{k.version_prefix} resolves to {versions[0].get('slug')}"))
    else:
        rows.append(Check("kubernetes version", FAIL, f"no offered version starts with {k.version_prefix}",
                          f"set do-platform:kubernetes.versionPrefix to one of {', '.join(offered) or 'none'}"))
    node_sizes = {s.get("slug") for s in opts.get("sizes") or []}
    for role, slug, key in ctx.plan.node_sizes:
        rows.append(_droplet_size_row(ctx, role, slug, key, extra_allowed=node_sizes))
    return rows


def check_database(ctx: Context) -> list[Check]:
    if not ctx.cfg.enabled(Component.database):
        return []
    d = ctx.cfg.database
    body = ctx.api.database_options()
    pg = (body.get("options") or {}).get("pg") or {}
    rows = []
    versions = [str(v) for v in pg.get("versions") or []]
    if d.version in versions:
        eol = next((a for a in (body.get("version_availability") or {}).get("pg") or []
                    if str(a.get("version")) == d.version), {})
        if eol.get("end_of_availability") or eol.get("end_of_life"):
            rows.append(Check("postgres version", WARN, f"{d.version} is offered but ends "
                              f"{eol.get('end_of_availability') or eol.get('end_of_life')}",
                              f"plan an upgrade: set do-platform:database.version to {versions[-1]}"))
        else:
            rows.append(Check("postgres version", OK, f"{d.version} offered ({', '.join(versions)})"))
    else:
        rows.append(Check("postgres version", FAIL, f"{d.version} is not offered",
                          f"set do-platform:database.version to one of {', '.join(versions) or 'none'}"))
    if ctx.cfg.region not in (pg.get("regions") or []):
        rows.append(Check("database region", FAIL, f"managed Postgres is not offered in {ctx.cfg.region}",
                          f"set do-platform:region to one of {', '.join(sorted(pg.get('regions') or []))}"))
    layout = next((lay for lay in pg.get("layouts") or [] if lay.get("num_nodes") == d.node_count), None)
    if layout is None:
        counts = sorted(lay.get("num_nodes") for lay in pg.get("layouts") or [])
        rows.append(Check("size: database", FAIL, f"no layout with {d.node_count} node(s)",
                          f"set do-platform:database.nodeCount to one of {', '.join(map(str, counts))}"))
    elif d.size not in (layout.get("sizes") or []):
        rows.append(Check("size: database", FAIL, f"{d.size} is not offered for {d.node_count} node(s)",
                          f"set do-platform:database.size to one of {', '.join((layout.get('sizes') or [])[:6])}"))
    else:
        rows.append(Check("size: database", OK, f"{d.size} x {d.node_count} offered"))
    return rows


def check_database_replicas(ctx: Context) -> list[Check]:
    """Each read-only replica: its region offers managed Postgres and its size runs as a single node, by the
    live options (the API exposes no replica limit). One outside the cluster's region is a warning: it
    cannot join the cluster's VPC."""
    d = ctx.cfg.database
    if not ctx.cfg.enabled(Component.database) or not d.replicas:
        return []
    pg = ((ctx.api.database_options().get("options") or {}).get("pg")) or {}
    regions = sorted(pg.get("regions") or [])
    single = next((lay.get("sizes") or [] for lay in pg.get("layouts") or [] if lay.get("num_nodes") == 1), [])
    rows = []
    for i, r in enumerate(d.replicas):
        region, size, what = r.region or ctx.cfg.region, r.size or d.size, f"replica {r.name}"
        key = f"do-platform:database.replicas[{i}]"
        if region not in regions:
            rows.append(Check(f"{what} region", FAIL, f"managed Postgres is not offered in {region}",
                              f"set {key}.region to one of {', '.join(regions) or 'none'}"))
        elif region != ctx.cfg.region:
            rows.append(Check(f"{what} region", WARN, f"{region} is outside the cluster's region {ctx.cfg.region}: "
                              "the replica cannot join the cluster's VPC", f"set {key}.region to {ctx.cfg.region}"))
        if size not in single:
            rows.append(Check(f"size: {what}", FAIL, f"{size} is not offered for a single node",
                              f"set {key}.size to one of {', '.join(single[:6]) or 'none'}"))
        else:
            rows.append(Check(f"size: {what}", OK, f"{size} in {region} offered"))
    return rows


def check_apps(ctx: Context) -> list[Check]:
    if not ctx.cfg.enabled(Component.apps):
        return []
    rows = []
    region = APP_REGIONS.get(ctx.cfg.region, ctx.cfg.region)
    regions = ctx.api.app_regions()
    if region not in regions or regions[region].get("disabled"):
        rows.append(Check("app region", FAIL, f"App Platform region {region} (for {ctx.cfg.region}) is not offered",
                          f"set do-platform:region to a region whose App Platform region is one of "
                          f"{', '.join(sorted(regions))}"))
    sizes = ctx.api.app_instance_sizes()
    for i, app in enumerate(ctx.cfg.apps):
        key = f"do-platform:apps[{i}]"
        size = sizes.get(app.instance_size)
        name = f"size: app {app.name}"
        if size is None:
            rows.append(Check(name, FAIL, f"{app.instance_size} is not an App Platform instance size",
                              f"set {key}.instanceSize to one of {', '.join(sorted(sizes)[:6])}"))
        elif size.get("single_instance_only") and app.instance_count > 1:
            rows.append(Check(name, FAIL, f"{app.instance_size} runs a single instance; instanceCount is "
                              f"{app.instance_count}", f"set {key}.instanceSize to a scalable size such as "
                              f"{size.get('tier_upgrade_to') or 'apps-s-1vcpu-1gb'}, or instanceCount to 1"))
        elif size.get("deprecation_intent"):
            rows.append(Check(name, WARN, f"{app.instance_size} is being deprecated",
                              f"move {key}.instanceSize to {size.get('tier_upgrade_to') or 'a current size'}"))
        else:
            rows.append(Check(name, OK, f"{app.instance_size} x {app.instance_count}"))
    return rows


def check_domain(ctx: Context) -> list[Check]:
    domain = ctx.cfg.domain
    if domain is None:
        return []
    found = ctx.api.domain(domain)
    if found is not None:
        return [Check("domain", OK, f"{domain} is a DigitalOcean DNS zone (ttl {found.get('ttl', '?')})")]
    if ctx.cfg.enabled(Component.dns):
        return [Check("domain", WARN, f"{domain} is not in DigitalOcean DNS yet; the dns component will create it",
                      f"delegate {domain} to ns1/ns2/ns3.digitalocean.com at the registrar, or the Let's Encrypt "
                      "certificate cannot be issued")]
    return [Check("domain", FAIL, f"{domain} is not in DigitalOcean DNS and the dns component is off",
                  f"add 'dns' to do-platform:components or create the domain (doctl compute domain create {domain})")]


def check_registry(ctx: Context) -> list[Check]:
    images = [a.image for a in ctx.cfg.apps] if ctx.cfg.enabled(Component.apps) else []
    names = sorted({i.registry for i in images} | ({ctx.cfg.registry} if ctx.cfg.registry else set()))
    if not names:
        return []
    rows: list[Check] = []
    present = []
    for name in names:
        reg = ctx.api.registry(name)
        if reg is None:
            known = ctx.api.registry_names()
            rows.append(Check(f"registry {name}", FAIL, f"no registry {name!r} (on this account: "
                              f"{', '.join(known) or 'none'})",
                              f"create it (doctl registry create {name}) or fix do-platform:registry / "
                              "do-platform:apps[*].image.registry"))
        else:
            present.append(reg)
            rows.append(Check(f"registry {name}", OK, f"in {reg.get('region', '?')}"))
    if not present:
        return rows
    tier = (ctx.api.registry_subscription().get("tier") or {})
    tier_name = tier.get("slug") or tier.get("name") or "?"
    # Repository and storage allowances are per subscription; every registry on it counts.
    repos: set[tuple[str, str]] = set()
    used = 0
    for reg in present:
        repos |= {(reg["name"], r) for r in ctx.api.repositories(reg["name"]) or {}}
        used += int(reg.get("storage_usage_bytes") or 0)
    wanted = {(i.registry, i.repository) for i in images if ctx.api.registry(i.registry) is not None}
    total = len(repos | wanted)
    included = int(tier.get("included_repositories") or 0)
    if included and total > included:
        rows.append(Check("registry repositories", FAIL, f"tier {tier_name} includes {included} repositories; "
                          f"{total} in use or deployed", "upgrade the registry subscription (doctl registry "
                          "options subscription-tiers) or delete unused repositories"))
    else:
        rows.append(Check("registry repositories", OK, f"{total} of " + (str(included) if included else "unlimited")
                          + f" (tier {tier_name})"))
    storage = int(tier.get("included_storage_bytes") or 0)
    detail = f"{used / GIB:.2f} GiB used of {storage / GIB:.2f} GiB included (tier {tier_name})"
    if storage and used > storage and not tier.get("allow_storage_overage"):
        rows.append(Check("registry storage", FAIL, detail + "; this tier allows no overage, pushes are refused",
                          "run `do-platform registry cleanup --registry NAME --apply` or upgrade the tier"))
    elif storage and used > storage:
        rows.append(Check("registry storage", WARN, detail + "; the overage is billed",
                          "run `do-platform registry cleanup --registry NAME --apply` to expire old tags"))
    elif storage and used > 0.9 * storage and not tier.get("allow_storage_overage"):
        rows.append(Check("registry storage", WARN, detail + "; above 90%",
                          "run `do-platform registry cleanup --registry NAME` or upgrade the tier"))
    else:
        rows.append(Check("registry storage", OK, detail))
    for i, app in enumerate(ctx.cfg.apps if ctx.cfg.enabled(Component.apps) else ()):
        rows.append(_image_row(ctx, i, app.name, app.image))
    return rows


def _image_row(ctx: Context, index: int, app: str, image) -> Check:
    name = f"image: app {app}"
    ref = image_reference(image.registry, image.repository, image.tag, image.digest)
    key = f"do-platform:apps[{index}].image"
    if ctx.api.registry(image.registry) is None:
        return Check(name, SKIP, f"{ref}: its registry does not exist")
    if image.repository not in (ctx.api.repositories(image.registry) or {}):
        return Check(name, FAIL, f"{ref}: no repository {image.repository!r}",
                     f"push the image first, or fix {key}.repository")
    tags = {t.get("tag"): t.get("manifest_digest") for t in ctx.api.tags(image.registry, image.repository)}
    if image.digest:
        digests = set(tags.values()) | {m.get("digest") for m in ctx.api.manifests(image.registry, image.repository)}
        if image.digest not in digests:
            return Check(name, FAIL, f"{ref}: digest not in the repository (deleted by a cleanup?)",
                         f"promote a digest that exists (do-platform promote) or fix {key}.digest")
        if image.tag and tags.get(image.tag) not in (None, image.digest):
            return Check(name, WARN, f"{ref}: tag {image.tag} now points at another digest; the digest wins",
                         f"update {key}.tag to match the pinned digest")
        return Check(name, OK, f"{ref} present")
    if image.tag not in tags:
        return Check(name, FAIL, f"{ref}: tag not in the repository", f"push {ref} or fix {key}.tag")
    return Check(name, OK, f"{ref} present ({str(tags[image.tag])[:19]}…)")


def check_volume_limit(ctx: Context) -> list[Check]:
    if not ctx.plan.volumes:
        return []
    limit = ctx.api.account().get("volume_limit")
    existing = ctx.api.volumes()
    own = sum(ctx.own(v) for v in existing)
    detail = f"plans {ctx.plan.volumes}; {len(existing)} on the account ({own} already this stack's)"
    if limit is None:
        return [Check("volume limit", SKIP, detail + "; the account object reports no volume_limit",
                      "check the limit in the control panel")]
    headroom = limit - (len(existing) - own)
    if ctx.plan.volumes > headroom:
        return [Check("volume limit", FAIL, detail + f"; limit {limit}",
                      f"needs {ctx.plan.volumes - headroom} more: delete unused volumes, set "
                      "do-platform:web.volumeSizeGb to 0, or ask DigitalOcean support to raise the limit")]
    return [Check("volume limit", OK, detail + f"; limit {limit}")]


def check_load_balancers(ctx: Context) -> list[Check]:
    if not ctx.plan.load_balancers:
        return []
    existing = ctx.api.load_balancers()
    return [Check("load balancer limit", SKIP, f"plans {ctx.plan.load_balancers}; {len(existing)} on the account; "
                  "the API exposes no load balancer limit", "compare with the limit shown in the control panel")]


# Spaces limits per account (docs.digitalocean.com/products/spaces/details/limits, validated 1 Dec 2025, read
# 2026-11-28): 100 buckets and 200 access keys. The API lists keys; buckets are S3's, not the API's.
SPACES_KEY_LIMIT = 200
SPACES_DEFAULT_ENDPOINT = "https://{{.Region}}.digitaloceanspaces.com"


def bucket_name_answer(cfg: StackConfig, bucket: str, environ: dict | None = None, timeout: float = 5.0) -> int | None:
    """The HTTP status an anonymous ``HEAD <spaces endpoint>/<bucket>`` gets (path style, no keys sent): 404 when
    no one holds the name, 403 or 200 when someone does; None when the endpoint cannot be reached."""
    import os
    import urllib.error
    import urllib.request

    from do_platform.api.endpoints import EndpointError, normalise_endpoint

    environ = os.environ if environ is None else environ
    template = cfg.provider.spaces_endpoint or environ.get("SPACES_ENDPOINT_URL") or SPACES_DEFAULT_ENDPOINT
    try:
        base = normalise_endpoint(template.replace("{{.Region}}", cfg.region), allow_path=False)
    except EndpointError:
        return None
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{base}/{bucket}", method="HEAD"),  # noqa: S310
                                    timeout=timeout) as resp:
            return resp.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None


def check_object_store(ctx: Context) -> list[Check]:
    """The bucket's name is free (or already this stack's) and the account has room for the stack's key."""
    cfg = ctx.cfg
    store = cfg.object_store
    if not store.enabled:
        return []
    from do_platform.composition import OBJECT_STORE, project_name
    from do_vocab.names import SPACES_BUCKET

    bucket = store.bucket_for(cfg.stack)
    rows: list[Check] = []
    project = next((p for p in ctx.api.projects() if p.get("name") == project_name(cfg.stack)), None)
    if project and f"do:space:{bucket}" in ctx.api.project_urns(project["id"]):
        rows.append(Check("bucket name", OK, f"{bucket} is already this stack's (in {project_name(cfg.stack)})"))
    elif not SPACES_BUCKET.fullmatch(bucket):
        rows.append(Check("bucket name", FAIL, f"{bucket!r} is not a Spaces bucket name",
                          "set do-platform:objectStore.bucket to 3-63 lower-case letters, digits and dashes"))
    else:
        answer = bucket_name_answer(cfg, bucket)
        if answer == 404:
            rows.append(Check("bucket name", OK, f"{bucket} is free in {cfg.region}"))
        elif answer is None or answer >= 500:
            rows.append(Check("bucket name", SKIP, f"the Spaces endpoint did not answer for {bucket}",
                              "check the name in the control panel, or run preflight where Spaces is reachable"))
        else:
            rows.append(Check("bucket name", FAIL, f"{bucket} is taken (the endpoint answers {answer}; names are "
                              "global across Spaces and this stack's project does not hold it)",
                              "set do-platform:objectStore.bucket to a name nobody holds, e.g. <company>-"
                              f"{cfg.stack}-objects"))
    key_name = do_name(cfg.stack, OBJECT_STORE, "key")
    keys = ctx.api.spaces_keys()
    own = sum(k.get("name") == key_name for k in keys)
    detail = f"plans 1 key ({key_name}); {len(keys)} on the account ({own} already this stack's); limit " \
             f"{SPACES_KEY_LIMIT}"
    if len(keys) - own + 1 > SPACES_KEY_LIMIT:
        rows.append(Check("spaces key limit", FAIL, detail, "delete unused Spaces keys (API > Spaces Keys), or ask "
                          "DigitalOcean support to raise the limit"))
    else:
        rows.append(Check("spaces key limit", OK, detail))
    return rows


CHECKS: tuple[Callable[[Context], list[Check]], ...] = (
    check_droplet_limit, check_region, check_droplet_sizes, check_kubernetes, check_database, check_apps,
    check_domain, check_registry, check_volume_limit, check_load_balancers, check_database_replicas,
    check_object_store)


# ---------------------------------------------------------------------------------------------------------
# Entry points


def run_checks(client, cfg: StackConfig) -> PreflightReport:
    """Every check against the account behind ``client`` (a PyDo client or an ApiReader); GETs only."""
    ctx = Context(cfg, ApiReader.of(client), plan_of(cfg))
    report = PreflightReport(cfg.stack, cfg.region, planned={
        "droplets_min": ctx.plan.droplets_min, "droplets_max": ctx.plan.droplets_max,
        "volumes": ctx.plan.volumes, "load_balancers": ctx.plan.load_balancers})
    try:
        with ctx.api.labelled("read the account"):
            report.checks += check_account(ctx)
    except PlatformError as err:
        if err.status != 401:
            raise
        report.checks.append(Check("token", FAIL, "the API rejected the token (401)",
                                   "set DIGITALOCEAN_TOKEN (or --token) to a valid token with read scope"))
        report.checks += [Check(check_name(fn), SKIP, "not checked: no valid token") for fn in CHECKS]
        report.token_rejected = True
        return report
    for fn in CHECKS:
        try:
            with ctx.api.labelled(f"preflight {check_name(fn)}"):
                report.checks += fn(ctx)
        except PlatformError as err:
            if err.status not in (401, 403):  # 401/403 here: a scoped token that may not read this family
                raise
            report.checks.append(Check(check_name(fn), FAIL, f"the token may not read what this check needs "
                                       f"({err.status})", "give the token read scope for this resource family, "
                                       "or use a token with full read access"))
    return report


def check_name(fn: Callable[[Context], list[Check]]) -> str:
    """A check's row name from its function: ``check_droplet_limit`` → ``droplet limit``."""
    return fn.__name__.removeprefix("check_").replace("_", " ")


def iter_failures(report: PreflightReport) -> Iterator[str]:
    for c in report.failures:
        yield f"{c.name}: {c.detail}" + (f" (fix: {c.fix})" if c.fix else "")


def raise_on_failures(report: PreflightReport) -> None:
    if report.failures:
        raise PreflightFailed(f"preflight of stack {report.stack!r} failed {len(report.failures)} check(s):\n  "
                              + "\n  ".join(iter_failures(report)),
                              "fix the failures above, then run `do-platform preflight --stack "
                              f"{report.stack}` again")


def run_for_program(cfg: StackConfig, client=None) -> PreflightReport:
    """The hook for the Pulumi program: run every check, raise :class:`PreflightFailed` on failures.

    The client comes from the stack's own provider settings (``digitalocean:token`` /
    ``digitalocean:apiEndpoint``, else the environment) through the one factory.
    """
    if client is None:
        from do_platform.api.client import make_client

        token = cfg.provider.token.get_secret_value() if cfg.provider.token else None
        client = make_client(token=None if token == "[secret]" else token, endpoint=cfg.provider.api_endpoint,
                             retry_total=cfg.provider.http_retry_max)
    report = run_checks(client, cfg)
    raise_on_failures(report)
    return report
