"""Reusable DigitalOcean components for Pulumi (Python): usable from any Pulumi project.

Each module holds one component: a frozen ``<Name>Args`` dataclass, pure validation and decision
helpers, then the ComponentResource (type token ``do-platform:index:<Name>``, listed in
:data:`TYPE_TOKENS`). Pass an explicit provider with ``ResourceOptions(providers={"digitalocean": p})``;
children inherit it through ``parent=self``.
"""

from components.app_service import AppService, AppServiceArgs, DatabaseLink
from components.dns import Dns, DnsArgs, DnsRecordSpec
from components.kubernetes import Kubernetes, KubernetesArgs, NodePoolSpec
from components.managed_postgres import ManagedPostgres, ManagedPostgresArgs, ReplicaSpec, TrustedSources
from components.object_store import CorsRule, ObjectStore, ObjectStoreArgs
from components.secure_network import SecureNetwork, SecureNetworkArgs
from components.tokens import TYPE_TOKENS
from components.web_cluster import AutoscaleSpec, WebCluster, WebClusterArgs
from do_vocab.firewall_rules import FirewallRule
from do_vocab.images import ImageRef

__all__ = [
    "TYPE_TOKENS",
    "AppService", "AppServiceArgs", "DatabaseLink", "ImageRef",
    "Dns", "DnsArgs", "DnsRecordSpec",
    "Kubernetes", "KubernetesArgs", "NodePoolSpec",
    "ManagedPostgres", "ManagedPostgresArgs", "ReplicaSpec", "TrustedSources",
    "ObjectStore", "ObjectStoreArgs", "CorsRule",
    "SecureNetwork", "SecureNetworkArgs", "FirewallRule",
    "WebCluster", "WebClusterArgs", "AutoscaleSpec",
]
