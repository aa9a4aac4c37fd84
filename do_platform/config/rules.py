"""Cross-field rules of the stack config, each tied to the one key it blames.

Field rules live on the models; these need several keys at once (a component and the ones it needs,
production's stricter settings, host names served twice) or the run's environment (the policy level).
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from do_platform.config.enums import Component, Environment, PolicyEnforcement
from do_platform.config.messages import allowed as _allowed
from do_vocab.catalog import load as load_catalog
from do_vocab.firewall_rules import DOKS_RESERVED
from do_vocab.names import ENV_NAME, SPACES_REGIONS
from do_vocab.regions import APP_REGIONS

if TYPE_CHECKING:
    from do_platform.config.models import StackConfig


def default_enforcement(environment: Environment) -> PolicyEnforcement:
    """The level of a stack that sets no ``policyEnforcement``: the program, the plan and the pack agree on it."""
    return PolicyEnforcement.mandatory if environment is Environment.production else PolicyEnforcement.advisory


POLICY_OVERRIDE_ENV = "DO_PLATFORM_POLICY_OVERRIDE"


def enforcement_problem(stack: str, environment: Environment, requested: PolicyEnforcement,
                        environ: Mapping[str, str] | None = None) -> str | None:
    """Why ``requested`` may not apply to ``stack``, or None. The one rule, used by the config and the pack.

    Production keeps mandatory guardrails: the stack file is what a pull request changes, so lowering the
    level there does not count. Only ``DO_PLATFORM_POLICY_OVERRIDE=<stack>:<level>`` in the environment of
    the run (the deploy environment's variable, changed in the repository settings, not in the diff) does.
    """
    if environment is not Environment.production or requested is PolicyEnforcement.mandatory:
        return None
    environ = os.environ if environ is None else environ
    grants = {item.strip() for item in (environ.get(POLICY_OVERRIDE_ENV) or "").split(",")}
    if f"{stack}:{requested.value}" in grants:
        return None
    return (f"production keeps mandatory guardrails; allowed: mandatory (or no key), or {requested.value!r} "
            f"only with {POLICY_OVERRIDE_ENV}={stack}:{requested.value} set outside the stack file (the deploy "
            f"environment's variable, see docs/delivery.md)")


# What each component needs switched on as well, and why.
REQUIRES: dict[Component, tuple[tuple[Component, str], ...]] = {
    Component.web: ((Component.network, "its droplets live in the VPC"),
                    (Component.dns, "its certificate and A record live in the domain")),
    Component.database: ((Component.network, "the cluster lives in the VPC"),),
    Component.kubernetes: ((Component.network, "the cluster lives in the VPC"),),
}


# A cross-field rule: the problems it finds, each (key it blames, that key's value, message).
Problem = tuple[str, Any, str]
Rule = Callable[["StackConfig"], list[Problem]]


def components_needed(cfg: StackConfig) -> list[Problem]:
    """Each enabled component's prerequisites are enabled too (REQUIRES)."""
    return [("components", [c.value for c in cfg.components],
             f"'{comp.value}' needs '{need.value}' ({why}); allowed: add '{need.value}' or remove '{comp.value}'")
            for comp, needs in REQUIRES.items() for need, why in needs if cfg.enabled(comp) and not cfg.enabled(need)]


def component_settings(cfg: StackConfig) -> list[Problem]:
    """What an enabled component cannot do without: the VPC range, the domain, an alert recipient."""
    on = cfg.enabled
    problems: list[Problem] = []
    if on(Component.network) and cfg.network is None:
        problems.append(("network.ipRange", None, "missing while 'network' is enabled; allowed: an RFC 1918 range "
                         "from /16 to /24, e.g. 10.110.0.0/20"))
    if on(Component.dns) and cfg.domain is None:
        problems.append(("domain", None, "required when 'dns' is enabled; allowed: a domain name such as "
                         "example.com"))
    if on(Component.web) and not cfg.alert_emails:
        problems.append(("alertEmails", [], "empty while 'web' is enabled (its alert policies need a recipient); "
                         "allowed: one or more addresses such as ops@example.com"))
    return problems


def apps_listed(cfg: StackConfig) -> list[Problem]:
    """The `apps` list and the 'apps' component go together."""
    if cfg.enabled(Component.apps) and not cfg.apps:
        return [("apps", [], "empty while 'apps' is enabled; allowed: at least one app")]
    if cfg.apps and not cfg.enabled(Component.apps):
        return [("apps", [a.name for a in cfg.apps], "set while 'apps' is not in components; allowed: "
                 "enable 'apps' or remove the list")]
    return []


def app_links(cfg: StackConfig) -> list[Problem]:
    """Each app's host name is served once and under the stack's domain; its database is enabled."""
    problems: list[Problem] = []
    # Host names already served: the web cluster's A record, then each app's custom domain in turn.
    taken: dict[str, str] = {}
    if cfg.enabled(Component.web) and cfg.web_hostname:
        taken[cfg.web_hostname] = "the web cluster (web.recordName)"
    for i, app in enumerate(cfg.apps):
        if app.domain in taken:
            problems.append((f"apps[{i}].domain", app.domain, f"already served by {taken[app.domain]}; allowed: "
                             f"a host name no other component uses"))
        elif app.domain:
            taken[app.domain] = f"apps[{i}]"
        if app.use_database and not cfg.enabled(Component.database):
            problems.append((f"apps[{i}].useDatabase", True, "needs 'database' in components; allowed: false"))
        if app.domain and cfg.domain and not (app.domain == cfg.domain or app.domain.endswith("." + cfg.domain)):
            problems.append((f"apps[{i}].domain", app.domain, f"outside the stack's domain; allowed: {cfg.domain} "
                             f"or a name under it"))
    return problems


def catalog_combinations(cfg: StackConfig) -> list[Problem]:
    """Sizes that exist but not in this combination, by DigitalOcean's catalog (``do_vocab/catalog.json``)."""
    catalog = load_catalog()
    errors: list[Problem] = []
    on = cfg.enabled
    if on(Component.apps) and cfg.apps and cfg.region not in APP_REGIONS:
        errors.append(("region", cfg.region, f"has no App Platform region for the stack's apps; allowed: "
                       f"{_allowed(sorted(APP_REGIONS))}, or no apps"))
    for i, app in enumerate(cfg.apps):
        size = catalog.app_instance_size(app.instance_size)
        if size is not None and size["single_instance_only"] and app.instance_count > 1:
            scalable = [s["slug"] for s in catalog.app_instance_sizes
                        if not s["single_instance_only"] and not s["deprecated"]][:4]
            errors.append((f"apps[{i}].instanceCount", app.instance_count,
                           f"{app.instance_size} runs a single instance only; allowed: 1, or a size that scales "
                           f"such as {_allowed(scalable)}"))
    db = cfg.database
    if on(Component.database) and db.size not in catalog.database_sizes_for("pg", db.node_count):
        offered = catalog.database_sizes_for("pg", db.node_count)
        size = catalog.database_size(db.size) or {}
        why = (f"standby nodes need a plan of at least {catalog.standby_min_memory // 1024} GB"
               if db.node_count > 1 and size.get("memory", 0) < catalog.standby_min_memory
               else f"not offered for {db.node_count} node(s)")
        errors.append(("database.size", db.size, f"cannot run with nodeCount {db.node_count} ({why}); allowed: "
                       f"{_allowed(offered[:4])} or another of the {len(offered)} sizes offered for "
                       f"{db.node_count} nodes, or nodeCount 1"))
    return errors


def replica_rules(cfg: StackConfig) -> list[Problem]:
    """Each read-only replica: a single-node size of the catalog, no smaller than the primary nor than a standby
    node may be (the catalog's standby rule), in the cluster's region (its VPC) wherever the stack is production."""
    db = cfg.database
    if not db.replicas:
        return []
    if not cfg.enabled(Component.database):
        return [("database.replicas", [r.name for r in db.replicas], "set while 'database' is not in components; "
                 "allowed: enable 'database' or remove the list")]
    catalog = load_catalog()
    single = catalog.database_sizes_for("pg", 1)
    primary = (catalog.database_size(db.size) or {}).get("memory", 0)
    floor = max(primary, catalog.standby_min_memory)
    fitting = [s for s in single if (catalog.database_size(s) or {}).get("memory", 0) >= floor][:4]
    problems: list[Problem] = []
    for i, replica in enumerate(db.replicas):
        size = replica.size or db.size
        memory = (catalog.database_size(size) or {}).get("memory", 0)
        key = f"database.replicas[{i}].size"
        if size not in single:
            problems.append((key, size, f"not offered for a single node (a replica is one node); allowed: "
                             f"{_allowed(fitting)} or another single-node size"))
        elif memory < catalog.standby_min_memory:
            problems.append((key, size, f"a replica follows the standby rule: at least "
                             f"{catalog.standby_min_memory // 1024} GB; allowed: {_allowed(fitting)}"))
        elif memory < primary:
            problems.append((key, size, f"smaller than the primary ({db.size}); allowed: {_allowed(fitting)} "
                             "(a replica replays every write of the primary)"))
        region = replica.region or cfg.region
        if region != cfg.region and cfg.production:
            problems.append((f"database.replicas[{i}].region", region, f"outside the cluster's VPC (region "
                             f"{cfg.region}); allowed: {cfg.region} (production replicas stay on the private "
                             "network)"))
    return problems


def database_settings(cfg: StackConfig) -> list[Problem]:
    """``database.settings``: each key a scalar setting of the provider's DatabasePostgresqlConfig, of its type."""
    settings = cfg.database.settings
    if not settings:
        return []
    if not cfg.enabled(Component.database):
        return [("database.settings", sorted(settings), "set while 'database' is not in components; allowed: "
                 "enable 'database' or remove the mapping")]
    from components.postgres_settings import setting_problem  # loads the provider only when settings are set

    return [(f"database.settings.{name}", None, problem) for name, value in settings.items()
            if (problem := setting_problem(name, value))]


def retention_registry(cfg: StackConfig) -> list[Problem]:
    if cfg.registry_retention.enabled and cfg.registry is None:
        return [("registryRetention.enabled", True, "needs `registry` (the registry to keep within the "
                 "policy); allowed: set do-platform:registry, or false")]
    return []


def app_secret_names(cfg: StackConfig) -> list[Problem]:
    """`appSecrets` names configured apps, and environment variable names under them."""
    app_names = {a.name for a in cfg.apps}
    problems: list[Problem] = []
    for name in cfg.app_secrets:
        if name not in app_names:
            problems.append(("appSecrets", name, f"no app named {name!r}; allowed: {_allowed(sorted(app_names))}"))
        problems += [(f"appSecrets.{name}", env_name, "not an environment variable name; allowed: [A-Z_][A-Z0-9_]*")
                     for env_name in cfg.app_secrets[name] if not ENV_NAME.fullmatch(env_name)]
    return problems


def public_web_address_problem(production: bool, public: bool, allowed: bool) -> str | None:
    """Why web droplets may not keep a public address, or None. The one rule, used by the config and the pack.

    Production web droplets are reached through the load balancer only, so they need no public address;
    one that has it is a way in that a firewall mistake opens. Keeping it is an explicit decision
    (``web.allowPublicAddress: true``), not a default."""
    if not production or not public or allowed:
        return None
    return ("production web droplets must have no public address; allowed: web.privateEgress: true (egress "
            "through a VPC NAT gateway), or web.allowPublicAddress: true to keep public addresses explicitly")


# Why an autoscale pool cannot be private with the pinned provider (see docs/architecture.md).
PRIVATE_POOL_GAP = ("provider 4.76.0 (terraform-provider-digitalocean v2.96.0) never sends the pool template's "
                    "public_networking to the API, so its droplets would get public addresses anyway")


def web_shape(cfg: StackConfig) -> list[Problem]:
    """``web.autoscale`` and ``web.privateEgress`` against the keys they exclude or need."""
    web = cfg.web
    if not cfg.enabled(Component.web):
        return []
    catalog = load_catalog()
    problems: list[Problem] = []
    if web.autoscale is not None:
        pool = "an autoscale pool's droplets are made and removed by DigitalOcean"
        if "count" in web.model_fields_set:
            problems.append(("web.count", web.count, "set together with web.autoscale, which sizes the pool "
                             "(minInstances..maxInstances); allowed: remove web.count, or remove web.autoscale"))
        if not web.ssh_keys:
            problems.append(("web.sshKeys", [], "empty while web.autoscale is set (DigitalOcean's autoscale pool "
                             "template requires SSH keys); allowed: one or more key fingerprints or ids"))
        if web.volume_size_gb:
            problems.append(("web.volumeSizeGb", web.volume_size_gb, f"not available with web.autoscale ({pool}: "
                             "no volume can follow them); allowed: 0"))
        if web.backups:
            problems.append(("web.backups", True, f"not available with web.autoscale ({pool}; the pool template "
                             "has no backups); allowed: false or no key"))
        if cfg.region not in catalog.droplet_autoscale_regions:
            problems.append(("web.autoscale", web.autoscale.model_dump(by_alias=True, exclude_none=True),
                             f"DigitalOcean offers no autoscale pools in {cfg.region}; allowed: a region among "
                             f"{_allowed(catalog.droplet_autoscale_regions)}, or fixed web.count"))
    if web.private_egress and web.autoscale is not None:
        problems.append(("web.privateEgress", True, f"not possible with web.autoscale: {PRIVATE_POOL_GAP}; allowed: "
                         "false (the pool's droplets keep public addresses, closed by the firewalls), or fixed "
                         "web.count droplets without web.autoscale"))
    elif web.private_egress and not cfg.enabled(Component.network):
        problems.append(("web.privateEgress", True, "needs 'network' in components (the NAT gateway serves the "
                         "VPC); allowed: false"))
    elif web.private_egress and cfg.region not in catalog.vpc_nat_gateway_regions:
        problems.append(("web.privateEgress", True, f"DigitalOcean offers no VPC NAT gateway in {cfg.region}; "
                         f"allowed: false, or a region among {_allowed(catalog.vpc_nat_gateway_regions)}"))
    if web.private_egress and web.allow_public_address:
        problems.append(("web.allowPublicAddress", True, "contradicts web.privateEgress: true (the droplets get no "
                         "public address); allowed: false or no key"))
    if problem := public_web_address_problem(cfg.production, not web.private_egress, web.allow_public_address):
        problems.append(("web.privateEgress", web.private_egress, problem))
    return problems


def production_settings(cfg: StackConfig) -> list[Problem]:
    """Production's stricter settings: high availability everywhere, a Kubernetes API not open to all."""
    if not cfg.production:
        return []
    on = cfg.enabled
    problems: list[Problem] = []
    if on(Component.web) and cfg.web.autoscale is not None and cfg.web.autoscale.min_instances < 2:
        problems.append(("web.autoscale.minInstances", cfg.web.autoscale.min_instances,
                         "production needs high availability; allowed: 2 or more"))
    elif on(Component.web) and cfg.web.autoscale is None and cfg.web.count < 2:
        problems.append(("web.count", cfg.web.count, "production needs high availability; allowed: 2 or more"))
    if on(Component.database) and cfg.database.node_count < 2:
        problems.append(("database.nodeCount", cfg.database.node_count,
                         "production needs a standby node; allowed: 2 or 3"))
    if on(Component.kubernetes) and cfg.kubernetes.ha is False:
        problems.append(("kubernetes.ha", False, "production needs an HA control plane; allowed: true"))
    if on(Component.kubernetes) and not cfg.kubernetes.control_plane_cidrs:
        problems.append(("kubernetes.controlPlaneCidrs", [], "production must not expose the Kubernetes API "
                         "to the internet; allowed: the admin networks, e.g. [203.0.113.10/32]"))
    return problems


PUBLIC_SITE_KEY = "objectStore.publicSite"


def public_bucket_problem(production: bool, declared_public_site: bool) -> str | None:
    """Why a bucket anyone may read (a public-read ACL or policy) is refused, or None. The one rule, used by the
    config (``objectStore.acl``) and the guardrail (``no-public-bucket``): production buckets are private unless
    the stack declares its bucket a public site."""
    if not production or declared_public_site:
        return None
    return (f"production buckets are private unless declared a public site; allowed: private, or public-read with "
            f"{PUBLIC_SITE_KEY}: true (the stack's bucket serves a public website)")


def object_store_settings(cfg: StackConfig) -> list[Problem]:
    """The region has Spaces, production keeps versions and stays private unless it
    is a declared public site, and the CDN's subdomain lives in the stack's zone without clashing."""
    o = cfg.object_store
    if not o.enabled:
        return [("objectStore.cdn.enabled", True, "set while objectStore.enabled is false; allowed: enable the "
                 "object store too, or false")] if o.cdn.enabled else []
    problems: list[Problem] = []
    if cfg.region not in SPACES_REGIONS:
        problems.append(("region", cfg.region, f"has no Spaces for objectStore; allowed: {_allowed(SPACES_REGIONS)}, "
                         "or objectStore.enabled: false"))
    if o.acl == "public-read" and (problem := public_bucket_problem(cfg.production, o.public_site)):
        problems.append(("objectStore.acl", o.acl, problem))
    if cfg.production and o.versioning is False:
        problems.append(("objectStore.versioning", False, "production keeps old versions of its objects; allowed: "
                         "true (or no key)"))
    sub = o.cdn.subdomain
    if sub is not None and not o.cdn.enabled:
        problems.append(("objectStore.cdn.subdomain", sub, "set while objectStore.cdn.enabled is false; allowed: "
                         "enabled: true, or no subdomain"))
    elif sub is not None and (not cfg.enabled(Component.dns) or cfg.domain is None):
        problems.append(("objectStore.cdn.subdomain", sub, "needs 'dns' in components and `domain` (the "
                         "certificate and the CNAME live in the stack's zone); allowed: enable dns, or no subdomain"))
    elif sub is not None:
        host = f"{sub}.{cfg.domain}"
        taken = {a.domain: f"apps[{i}].domain" for i, a in enumerate(cfg.apps) if a.domain}
        if cfg.enabled(Component.web) and cfg.web_hostname:
            taken[cfg.web_hostname] = "the web cluster (web.recordName)"
        if host in taken:
            problems.append(("objectStore.cdn.subdomain", sub, f"{host} is already served by {taken[host]}; allowed: "
                             "a label no other component uses, such as cdn"))
    return problems


# The cross-field rules in the order their problems are reported; a new rule is one function appended here.
RULES: tuple[Rule, ...] = (components_needed, component_settings, apps_listed, app_links, catalog_combinations,
                           replica_rules, database_settings, retention_registry, app_secret_names,
                           object_store_settings, production_settings, web_shape)


def cross_checks(cfg: StackConfig) -> list[Problem]:
    """Every cross-field problem of ``cfg``, rule by rule."""
    return [problem for rule in RULES for problem in rule(cfg)]


def vpc_overlap(ip_range: str, others: Mapping[str, str]) -> str | None:
    """Why ``ip_range`` clashes with another stack's VPC range (``others``: stack -> range), or None.

    Every stack of a project shares one account: VPC ranges that overlap cannot be peered, and the API
    refuses a range that overlaps one of the account's VPCs, so the clash is a config error naming the other
    stack, whatever the stacks are called. The message offers the first free range of the same size.
    """
    mine = ipaddress.ip_network(ip_range)
    taken = {stack: ipaddress.ip_network(other) for stack, other in others.items()}
    clash = sorted(stack for stack, net in taken.items() if net.overlaps(mine))
    if not clash:
        return None
    used = ", ".join(f"{stack} {taken[stack]}" for stack in clash)
    return (f"overlaps the VPC range of stack {used} (Pulumi.{clash[0]}.yaml); allowed: a range no other stack "
            f"of the project uses, e.g. {_free_range(mine.prefixlen, [*taken.values(), mine])}")


def _free_range(prefixlen: int, used: list) -> str:
    """The first 10.x range of ``prefixlen`` bits, from 10.100.0.0 up, that overlaps neither ``used`` nor DOKS."""
    blocked = [*used, *DOKS_RESERVED]
    for net in ipaddress.ip_network("10.100.0.0/14").subnets(new_prefix=prefixlen):
        if not any(net.overlaps(b) for b in blocked):
            return str(net)
    return f"an unused RFC 1918 /{prefixlen}"
