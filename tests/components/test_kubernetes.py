"""Kubernetes: version from the lookup (never latest), separate pools, prod HA/protect, secret kubeconfig."""

from __future__ import annotations

import dataclasses

import pytest

from components import Kubernetes, KubernetesArgs, NodePoolSpec
from components.kubernetes import decide_cluster_settings, pick_version, validate_kubernetes_args
from do_platform.offline import MOCK_KUBERNETES_VERSIONS

VERSIONS_TOKEN = "digitalocean:index/getKubernetesVersions:getKubernetesVersions"
ARGS = KubernetesArgs(env="dev", region="nyc3", vpc_id="vpc-123", version_prefix="1.33.",
                      pools=(NodePoolSpec("workers", "s-2vcpu-4gb", 1, 3), NodePoolSpec("fixed", "s-1vcpu-2gb", 2, 2)))


def build(args: KubernetesArgs = ARGS):
    def program():
        k8s = Kubernetes("k8s", args)
        return {"kubeconfig": k8s.kubeconfig, "version": k8s.version}
    return program


def test_version_resolved_from_prefix_never_latest(run_component):
    run = run_component(build())
    cluster = run.one("KubernetesCluster").inputs
    expected = next(v for v in MOCK_KUBERNETES_VERSIONS if v.startswith("1.33."))
    assert cluster["version"] == expected != "latest"
    assert run.returned["version"].value == expected
    assert (VERSIONS_TOKEN, {"versionPrefix": "1.33."}) in run.calls


def test_pick_version():
    assert pick_version("1.33.", "1.33.5-do.0", ["1.33.5-do.0"]) == "1.33.5-do.0"
    assert pick_version("1.33.", None, ["1.33.4-do.1"]) == "1.33.4-do.1"
    with pytest.raises(ValueError, match=r"\[version_prefix\] no Kubernetes release matches '1\.99\.'; .*offered"):
        pick_version("1.99.", None, [])
    with pytest.raises(ValueError, match=r"\[version_prefix\]"):
        pick_version("1.33.", "latest", [])


def test_small_fixed_default_pool_and_autoscaled_workload_pools(run_component):
    run = run_component(build())
    cluster = run.one("KubernetesCluster")
    assert cluster.inputs["nodePool"] == {"name": "default", "size": "s-2vcpu-4gb", "nodeCount": 1,
                                          "autoScale": False, "tags": ["component:kubernetes", "env:dev"]}
    pools = {p.inputs["name"]: p for p in run.of_type("KubernetesNodePool")}
    assert pools["workers"].inputs["autoScale"] is True and pools["workers"].inputs["maxNodes"] == 3
    assert pools["fixed"].inputs["autoScale"] is False
    assert all(p.parent_urn == cluster.urn and p.inputs["clusterId"] == "k8s-cluster-id" for p in pools.values())
    assert run.ignore_changes(pools["workers"]) == ["nodeCount"]  # the autoscaler owns it
    assert run.ignore_changes(pools["fixed"]) == []  # resizing a fixed pool must reach the API
    assert pools["fixed"].inputs["nodeCount"] == 2


def test_outside_production_cleans_up_and_is_not_protected(run_component):
    run = run_component(build())
    cluster = run.one("KubernetesCluster")
    assert cluster.inputs["destroyAllAssociatedResources"] is True and cluster.inputs["ha"] is False
    assert not cluster.protect
    assert cluster.inputs["vpcUuid"] == "vpc-123" and cluster.inputs["registryIntegration"] is True


def test_production_ha_surge_maintenance_protect(run_component):
    run = run_component(build(dataclasses.replace(ARGS, env="prod", production=True, maintenance_start="04:00",
                                                           control_plane_cidrs=("203.0.113.10/32",))))
    cluster = run.one("KubernetesCluster")
    assert cluster.protect
    assert cluster.inputs["ha"] is True and cluster.inputs["surgeUpgrade"] is True
    assert cluster.inputs["destroyAllAssociatedResources"] is False
    assert cluster.inputs["maintenancePolicy"] == {"day": "sunday", "startTime": "04:00"}
    assert all(not p.protect for p in run.of_type("KubernetesNodePool"))


def test_kubeconfig_is_a_secret_output(run_component):
    run = run_component(build())
    assert run.returned["kubeconfig"].secret
    assert "kind: Config" in run.returned["kubeconfig"].value
    assert "kubeConfigs" in run.requests[run.one("KubernetesCluster").urn].additionalSecretOutputs


def test_tags_on_cluster_and_pools(run_component):
    run = run_component(build())
    for record in [run.one("KubernetesCluster"), *run.of_type("KubernetesNodePool")]:
        assert {"env:dev", "component:kubernetes"} <= set(record.inputs["tags"])


def test_decisions():
    assert decide_cluster_settings(ARGS).destroy_all_associated_resources
    prod = decide_cluster_settings(dataclasses.replace(ARGS, production=True))
    assert prod.ha and prod.protect and not prod.destroy_all_associated_resources


@pytest.mark.parametrize(("field", "change"), [
    ("version_prefix", {"version_prefix": "latest"}), ("version_prefix", {"version_prefix": "1.33"}),
    ("default_pool_count", {"default_pool_count": 0}),
    ("pools", {"pools": (NodePoolSpec("default", "s-2vcpu-4gb"),)}),
    ("pools", {"pools": (NodePoolSpec("w", "s-2vcpu-4gb", 3, 1),)}),
    ("ha", {"production": True, "ha": False, "control_plane_cidrs": ("203.0.113.10/32",)}),
    ("control_plane_cidrs", {"control_plane_cidrs": ("office-vpn",)}),
    ("control_plane_cidrs", {"control_plane_cidrs": ("0.0.0.0/1", "128.0.0.0/1")}),
    ("control_plane_cidrs", {"production": True, "control_plane_cidrs": ()}),
])
def test_validation_names_the_field(field, change):
    with pytest.raises(ValueError, match=rf"\[{field}\]"):
        validate_kubernetes_args(dataclasses.replace(ARGS, **change))
