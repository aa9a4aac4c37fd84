"""1-Click applications: the Droplet ones are the catalog's application images; the Kubernetes ones are
the Marketplace add-ons below. Installing add-ons on a cluster (of this account, through core/links) is
recorded; nothing runs."""

from __future__ import annotations

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable
from emulator.core.state import Backend

KUBERNETES_ADDONS = ("monitoring", "kube-state-metrics", "loki", "ingress-nginx", "cert-manager", "metrics-server",
                     "argocd", "linkerd2")
TYPES = ("droplet", "kubernetes")


class OneClicksBackend(Backend):
    name = "one_clicks"

    def reset(self) -> None:
        self.data = {"installs": []}

    def list(self, kind: str | None) -> list[dict]:
        if kind not in (None, "", *TYPES):
            raise Unprocessable(f"type must be one of {', '.join(TYPES)}; got {kind!r}")
        out = []
        if kind in (None, "", "droplet"):
            catalog = links.optional_neighbour(self.state, "catalog")
            images = catalog.images(kind="application") if catalog is not None else []
            out += [{"slug": image["slug"], "type": "droplet"} for image in images]
        if kind in (None, "", "kubernetes"):
            out += [{"slug": slug, "type": "kubernetes"} for slug in KUBERNETES_ADDONS]
        return out

    def install_kubernetes(self, body: dict) -> str:
        slugs = v.string_list(body, "addon_slugs", required=True)
        if not slugs:
            raise Unprocessable("addon_slugs must name at least one add-on")
        unknown = [s for s in slugs if s not in KUBERNETES_ADDONS]
        if unknown:
            raise Unprocessable(f"addon_slugs: {unknown} are not Kubernetes 1-Click applications; "
                                f"allowed: {', '.join(KUBERNETES_ADDONS)}")
        cluster_uuid = v.string(body, "cluster_uuid", required=True)
        links.reference(self.state, "kubernetes", cluster_uuid, "cluster_uuid")
        self.data["installs"].append({"cluster_uuid": cluster_uuid, "addon_slugs": slugs, "at": self.now()})
        return "Successfully kicked off addon job."
