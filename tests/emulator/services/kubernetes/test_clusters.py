"""Kubernetes clusters as the DigitalOcean Terraform provider's acceptance suite reads them (through PyDo)."""

import base64
import uuid

import pytest
from azure.core.exceptions import HttpResponseError
from cryptography import x509

POOL = {"name": "default", "size": "s-2vcpu-4gb", "count": 1}


def _create(client, **extra):
    body = {"name": "k8s-main", "region": "nyc3", "version": "latest", "node_pools": [POOL], **extra}
    return client.kubernetes.create_cluster(body)["kubernetes_cluster"]


def test_workers_go_to_the_vpcs_default_subnet_unless_one_is_named(client):
    """The provider's Basic test checks worker_subnet_uuid is set on a cluster created without one."""
    first = _create(client)
    second = _create(client, name="k8s-second", vpc_uuid=first["vpc_uuid"])
    assert uuid.UUID(first["worker_subnet_uuid"])
    assert first["worker_subnet_uuid"] == second["worker_subnet_uuid"]  # one default subnet per VPC
    named = str(uuid.uuid4())
    third = _create(client, name="k8s-third", vpc_uuid=first["vpc_uuid"], worker_subnet_uuid=named)
    assert client.kubernetes.get_cluster(third["id"])["kubernetes_cluster"]["worker_subnet_uuid"] == named


@pytest.mark.parametrize("extra, words", [
    ({"worker_subnet_uuid": "cbd79771-23eb-49be-b5ea-59cc56222622"}, "worker_subnet_uuid needs vpc_uuid"),
    ({"worker_subnet_uuid": "subnet-1", "vpc_uuid": "*"}, "worker_subnet_uuid must be a UUID"),
])
def test_a_worker_subnet_needs_its_vpc_and_a_uuid(client, extra, words):
    if extra.get("vpc_uuid") == "*":
        extra = {**extra, "vpc_uuid": _create(client, name="k8s-vpc")["vpc_uuid"]}
    with pytest.raises(HttpResponseError) as err:
        _create(client, **extra)
    assert err.value.status_code == 422 and words in err.value.response.json()["message"]


def test_a_highly_available_control_plane_has_no_ipv4(client):
    """The provider's CreateWithHAControlPlane test expects ipv4_address "" (the description: "This will not
    be set if high availability is configured")."""
    ha = _create(client, ha=True)
    assert ha["ipv4"] == "" and ha["endpoint"]
    single = _create(client, name="k8s-single")
    assert single["ipv4"]
    client.kubernetes.update_cluster(single["id"], {"name": "k8s-single", "ha": True})
    assert client.kubernetes.get_cluster(single["id"])["kubernetes_cluster"]["ipv4"] == ""


def test_add_ons_never_set_are_answered_off(client):
    """The provider's Basic test reads `<add-on>.0.enabled = false` from a cluster created without them."""
    cluster = client.kubernetes.get_cluster(_create(client)["id"])["kubernetes_cluster"]
    for addon in ("p2p_oci_registry_plugin", "amd_gpu_device_plugin", "amd_gpu_device_metrics_exporter_plugin",
                  "nvidia_gpu_device_plugin", "rdma_shared_dev_plugin", "coredns_autoscaler"):
        assert cluster[addon] == {"enabled": False}, addon


def test_an_empty_expanders_list_unsets_the_expanders(client):
    """The description: "Passing an empty list (not null) will unset any previous expander customizations";
    the provider's ClusterAutoscalerConfiguration test removes them so (and sends null for what it keeps)."""
    cluster = _create(client, cluster_autoscaler_configuration={
        "scale_down_utilization_threshold": 0.8, "scale_down_unneeded_time": "2m", "expanders": ["priority"]})
    client.kubernetes.update_cluster(cluster["id"], {"name": "k8s-main", "cluster_autoscaler_configuration": {
        "scale_down_utilization_threshold": 0.8, "scale_down_unneeded_time": "2m", "expanders": []}})
    answered = client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]["cluster_autoscaler_configuration"]
    assert answered == {"scale_down_utilization_threshold": 0.8, "scale_down_unneeded_time": "2m"}
    client.kubernetes.update_cluster(cluster["id"], {"name": "k8s-main", "cluster_autoscaler_configuration": {
        "scale_down_utilization_threshold": None, "scale_down_unneeded_time": "", "expanders": None}})
    answered = client.kubernetes.get_cluster(cluster["id"])["kubernetes_cluster"]["cluster_autoscaler_configuration"]
    assert answered == {"scale_down_utilization_threshold": 0.8}


def test_the_clusters_ca_is_a_real_certificate(client):
    """kubectl and the Kubernetes providers parse certificate-authority-data; it was a placeholder PEM."""
    cluster = _create(client)
    first = client.kubernetes.get_credentials(cluster["id"])["certificate_authority_data"]
    ca = x509.load_pem_x509_certificate(base64.b64decode(first))
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert client.kubernetes.get_credentials(cluster["id"])["certificate_authority_data"] == first
    kubeconfig = client.kubernetes.get_kubeconfig(cluster["id"], cls=lambda resp, _d, _h: resp.http_response.text())
    assert f"certificate-authority-data: {first}" in kubeconfig
