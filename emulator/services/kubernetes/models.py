"""Kubernetes (DOKS): the family's backend, its options and versions, rendering and seed.

The backend is composed of one part per resource (moto-style): clusters (clusters.py), node pools and nodes
(node_pools.py), registry integration, credentials and kubeconfig (access.py). The offered versions are
seedable (``POST /_emulator/seed/kubernetes {"versions": [...]}``).
"""

from __future__ import annotations

import copy

from emulator.core import links
from emulator.core.errors import Unprocessable
from emulator.core.state import Backend, public

from .access import Access
from .clusters import Clusters, default_subnet
from .node_pools import NodePools

DEFAULT_VERSIONS = ["1.33.1-do.0", "1.32.5-do.0", "1.31.9-do.0"]  # newest first, as the API lists them
FALLBACK_SIZES = ["s-1vcpu-2gb", "s-2vcpu-2gb", "s-2vcpu-4gb", "s-4vcpu-8gb", "s-8vcpu-16gb"]
MIN_NODE_MEMORY_MIB = 2048  # DOKS refuses droplet sizes smaller than this
SEEDABLE = {"versions", "failing_clusters", "failure_message"}
FEATURES = ("cluster-autoscaler", "docr-integration", "ha-control-plane", "token-authentication")


class KubernetesBackend(Clusters, NodePools, Access, Backend):
    name = "kubernetes"

    def reset(self) -> None:
        self.data = {"clusters": {}, "versions": list(DEFAULT_VERSIONS)}

    # -- options -------------------------------------------------------------------------------
    def versions(self) -> list[dict]:
        return [{"slug": slug, "kubernetes_version": slug.split("-do.")[0], "supported_features": list(FEATURES)}
                for slug in self.data["versions"]]

    def size_slugs(self) -> list[str]:
        catalog = links.optional_neighbour(self.state, "catalog")
        if catalog is None:
            return list(FALLBACK_SIZES)
        return [s["slug"] for s in catalog.sizes() if s.get("available", True) and s["memory"] >= MIN_NODE_MEMORY_MIB]

    def options(self) -> dict:
        catalog = links.optional_neighbour(self.state, "catalog")
        regions = ([{"name": r["name"], "slug": r["slug"]} for r in catalog.regions() if r.get("available", True)]
                   if catalog is not None else [{"name": s, "slug": s} for s in links.region_slugs(self.state)])
        return {"regions": regions, "versions": self.versions(),
                "sizes": [{"name": slug, "slug": slug} for slug in self.size_slugs()]}

    def resolve_version(self, value, field: str = "version") -> str:
        """A slug offered by /v2/kubernetes/options; ``latest`` is the newest one."""
        slugs = self.data["versions"]
        if value in (None, ""):
            raise Unprocessable(f"{field} is required; allowed: latest, {', '.join(slugs)}")
        if value == "latest":
            return slugs[0]
        if value not in slugs:
            raise Unprocessable(f"{field} {value!r} is not a supported Kubernetes version; "
                                f"allowed: latest, {', '.join(slugs)}")
        return value

    # -- rendering -----------------------------------------------------------------------------
    def view(self, record: dict) -> dict:
        out = {**{addon: {"enabled": False} for addon in self.ADDONS_OFF_BY_DEFAULT},
               "worker_subnet_uuid": default_subnet(record["vpc_uuid"]), **public(record)}
        out["node_pools"] = [self.pool_view(p) for p in record["node_pools"]]
        return out

    @staticmethod
    def pool_view(pool: dict) -> dict:
        return public(pool)

    # -- seed ----------------------------------------------------------------------------------
    def seed(self, payload: dict) -> dict:
        """``{"versions": ["1.33.1-do.0", ...]}`` (offered versions, newest first) and/or
        ``{"failing_clusters": n, "failure_message": "..."}`` (the next n clusters end in ``error``)."""
        unknown = sorted(set(payload) - SEEDABLE)
        if unknown:
            raise Unprocessable(f"unknown kubernetes seed fields {unknown}; allowed: {sorted(SEEDABLE)}")
        versions = payload.get("versions", self.data["versions"])
        if not isinstance(versions, list) or not versions or not all(
                isinstance(v, str) and "-do." in v for v in versions):
            raise Unprocessable("versions must be a non-empty list of slugs such as '1.33.1-do.0', newest first")
        failing = payload.get("failing_clusters", self.data.get("failing_clusters", 0))
        if isinstance(failing, bool) or not isinstance(failing, int) or failing < 0:
            raise Unprocessable(f"failing_clusters must be an integer >= 0; got {failing!r}")
        message = payload.get("failure_message", self.data.get("failure_message"))
        if message is not None and not isinstance(message, str):
            raise Unprocessable(f"failure_message must be a string; got {message!r}")
        self.data.update(versions=copy.copy(versions), failing_clusters=failing, failure_message=message)
        return {"versions": list(versions), "failing_clusters": failing}
