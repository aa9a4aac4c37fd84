"""Kubernetes (DOKS): version resolved from a prefix, a small fixed default pool, autoscaled workload pools.

- ``version`` comes from the versions lookup for ``version_prefix`` (e.g. ``1.33.``), never ``latest``,
  which diffs forever and intermittently fails as an "invalid version slug".
- The default pool stays small and fixed: changing it replaces the whole cluster. Workloads go to
  separate ``KubernetesNodePool`` resources that can change freely.
- Production: HA control plane, surge upgrades, a maintenance window, ``protect``; outside production
  ``destroy_all_associated_resources`` so load balancers and volumes made by the cluster do not linger.
- The kubeconfig is exported as a secret. Its token is minted when the provider reads the cluster and
  lasts 7 days, so the copy in state goes stale: consumers that live longer should fetch credentials
  through the API (``doctl kubernetes cluster kubeconfig save``) rather than from the stack output.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_digitalocean as do

from components.naming import child_name, do_name, do_urn
from components.tagging import standard_tags
from components.tokens import TYPE_TOKENS
from do_vocab.addresses import describe_share, world_open
from do_vocab.firewall_rules import parse_cidr
from do_vocab.names import DEFAULT_K8S_PREFIX, K8S_MAINTENANCE_DAYS, POOL_NAME, RESERVED_POOL_NAME, is_k8s_prefix

KIND = "kubernetes"


@dataclass(frozen=True)
class NodePoolSpec:
    name: str
    size: str
    min_nodes: int = 1
    max_nodes: int = 3


@dataclass(frozen=True)
class KubernetesArgs:
    env: str
    region: str
    vpc_id: pulumi.Input[str]
    version_prefix: str = DEFAULT_K8S_PREFIX
    default_pool_size: str = "s-2vcpu-4gb"
    default_pool_count: int = 1
    pools: tuple[NodePoolSpec, ...] = ()
    production: bool = False
    ha: bool | None = None
    maintenance_day: str = "sunday"
    maintenance_start: str = "03:00"
    registry_integration: bool = True
    control_plane_cidrs: tuple[str, ...] = ()
    extra_tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClusterSettings:
    """What production changes, decided in one place."""

    ha: bool
    surge_upgrade: bool
    auto_upgrade: bool
    destroy_all_associated_resources: bool
    protect: bool


def decide_cluster_settings(args: KubernetesArgs) -> ClusterSettings:
    return ClusterSettings(ha=args.production if args.ha is None else args.ha, surge_upgrade=True,
                           auto_upgrade=True, destroy_all_associated_resources=not args.production,
                           protect=args.production)


def pick_version(prefix: str, latest: str | None, valid: list[str] | None) -> str:
    """The newest release under the prefix; refuses ``latest`` or an empty answer."""
    candidates = [v for v in (valid or []) if v.startswith(prefix)]
    version = latest if latest and latest.startswith(prefix) else (candidates[0] if candidates else None)
    if not version or version == "latest":
        # The lookup is filtered by the prefix, so ``valid`` is usually empty here: say what would be allowed.
        offered = f"one of {valid}" if valid else "a release offered now (doctl kubernetes options versions)"
        raise ValueError(f"[version_prefix] no Kubernetes release matches {prefix!r}; allowed: the minor prefix "
                         f"of {offered}, e.g. '1.33.'")
    return version


def validate_kubernetes_args(args: KubernetesArgs) -> None:
    if not is_k8s_prefix(args.version_prefix):
        raise ValueError(f"[version_prefix] {args.version_prefix!r}; allowed: a minor prefix such as '1.33.'")
    if not 1 <= args.default_pool_count <= 10:
        raise ValueError(f"[default_pool_count] {args.default_pool_count}; allowed: 1 to 10")
    names = [p.name for p in args.pools]
    for pool in args.pools:
        if not POOL_NAME.match(pool.name) or pool.name == RESERVED_POOL_NAME or names.count(pool.name) > 1:
            raise ValueError(f"[pools] name {pool.name!r}; allowed: unique lower-case names other than 'default'")
        if not 1 <= pool.min_nodes <= pool.max_nodes <= 100:
            raise ValueError(f"[pools] {pool.name}: min_nodes={pool.min_nodes}, max_nodes={pool.max_nodes}; "
                             "allowed: 1 <= min_nodes <= max_nodes <= 100")
    if args.maintenance_day not in K8S_MAINTENANCE_DAYS:
        raise ValueError(f"[maintenance_day] {args.maintenance_day!r}; allowed: {', '.join(K8S_MAINTENANCE_DAYS)}")
    for cidr in args.control_plane_cidrs:
        parse_cidr("control_plane_cidrs", cidr)
    if world_open(args.control_plane_cidrs):
        raise ValueError(f"[control_plane_cidrs] {list(args.control_plane_cidrs)} covers "
                         f"{describe_share(args.control_plane_cidrs)}: the whole internet; allowed: the admin networks")
    if args.production and not args.control_plane_cidrs:
        raise ValueError("[control_plane_cidrs] a production cluster's API must not be open to the internet; "
                         "allowed: the admin networks, e.g. ('203.0.113.10/32',)")
    if args.production and args.ha is False:
        raise ValueError("[ha] production clusters need an HA control plane; allowed: True or None")


class Kubernetes(pulumi.ComponentResource):
    """A DOKS cluster in the VPC plus one autoscaled node pool per workload."""

    cluster: do.KubernetesCluster
    pools: dict[str, do.KubernetesNodePool]

    def __init__(self, name: str, args: KubernetesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKENS["Kubernetes"], name, None, opts)
        validate_kubernetes_args(args)
        settings = decide_cluster_settings(args)
        tags = standard_tags(args.env, KIND, args.extra_tags)
        versions = do.get_kubernetes_versions_output(version_prefix=args.version_prefix,
                                                     opts=pulumi.InvokeOutputOptions(parent=self))
        self.version = pulumi.Output.all(versions.latest_version, versions.valid_versions).apply(
            lambda lv: pick_version(args.version_prefix, lv[0], lv[1]))
        firewall = None
        if args.control_plane_cidrs:
            firewall = do.KubernetesClusterControlPlaneFirewallArgs(enabled=True,
                                                                    allowed_addresses=list(args.control_plane_cidrs))
        self.cluster = do.KubernetesCluster(
            child_name(name, "cluster"), name=do_name(args.env, name), region=args.region, version=self.version,
            vpc_uuid=args.vpc_id, ha=settings.ha, surge_upgrade=settings.surge_upgrade,
            auto_upgrade=settings.auto_upgrade, registry_integration=args.registry_integration,
            destroy_all_associated_resources=settings.destroy_all_associated_resources,
            maintenance_policy=do.KubernetesClusterMaintenancePolicyArgs(day=args.maintenance_day,
                                                                         start_time=args.maintenance_start),
            control_plane_firewall=firewall,
            node_pool=do.KubernetesClusterNodePoolArgs(name="default", size=args.default_pool_size,
                                                       node_count=args.default_pool_count, auto_scale=False,
                                                       tags=tags),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=settings.protect,
                                        additional_secret_outputs=["kube_configs"]))
        self.pools = {
            pool.name: do.KubernetesNodePool(
                child_name(name, "pool", pool.name), cluster_id=self.cluster.id, name=pool.name, size=pool.size,
                auto_scale=pool.min_nodes < pool.max_nodes, min_nodes=pool.min_nodes, max_nodes=pool.max_nodes,
                node_count=pool.min_nodes, tags=standard_tags(args.env, KIND, [*args.extra_tags, f"pool:{pool.name}"]),
                labels={"pool": pool.name},
                # The autoscaler owns an autoscaled pool's node_count; a fixed pool's count is ours to change.
                opts=pulumi.ResourceOptions(parent=self.cluster, protect=False,
                                            ignore_changes=["node_count"] if pool.min_nodes < pool.max_nodes else None))
            for pool in args.pools
        }
        self.cluster_id = self.cluster.id
        # Output types of the SDK are dicts keyed by Python names, so one lookup serves mocks and the engine.
        self.kubeconfig = pulumi.Output.secret(self.cluster.kube_configs.apply(
            lambda cfgs: cfgs[0]["raw_config"] if cfgs else None))
        self.project_resources: list[pulumi.Output[str]] = [self.cluster.id.apply(lambda i: do_urn("kubernetes", i))]
        self.register_outputs({"cluster_id": self.cluster.id, "version": self.version, "kubeconfig": self.kubeconfig})
