"""WebCluster: only the LB reaches the app port, HTTPS redirect, certificate, alerts, replacement triggers."""

from __future__ import annotations

import dataclasses
import re
import shlex

import pulumi
import pytest
from ruamel.yaml import YAML

from components import AutoscaleSpec, WebCluster, WebClusterArgs
from components.web_cluster import (
    ALERTS,
    SELF_CHECK_PATH,
    SELF_CHECK_SCRIPT,
    certificate_name,
    render_user_data,
    self_check_command,
    validate_web_cluster_args,
)

from .conftest import TAGGABLE

ARGS = WebClusterArgs(env="staging", region="nyc3", vpc_id="vpc-123", domain="staging.example.com",
                      hostname="www.staging.example.com", alert_emails=("ops@example.com",), count=2,
                      volume_size_gb=10, member_tags=("staging-network-member",), vpc_cidr="10.120.0.0/20")


def build(args: WebClusterArgs = ARGS):
    def program():
        web = WebCluster("web", args)
        return {"lb_ip": web.lb_ip, "tag": web.tag_name, **({"pool_id": web.pool_id} if web.pool_id else {})}
    return program


def test_only_the_load_balancer_reaches_the_app_port(run_component):
    run = run_component(build())
    lb = run.one("LoadBalancer")
    firewall = run.one("Firewall")
    assert firewall.inputs["tags"] == [run.returned["tag"].value]
    assert firewall.inputs["inboundRules"] == [
        {"protocol": "tcp", "portRange": "8080", "sourceLoadBalancerUids": [f"{lb.name}-id"]}]
    assert "outboundRules" not in firewall.inputs  # egress stays the baseline firewall's job


def test_load_balancer_redirects_to_https_with_certificate(run_component):
    run = run_component(build())
    lb = run.one("LoadBalancer").inputs
    cert = run.one("Certificate").inputs
    assert lb["redirectHttpToHttps"] is True
    assert lb["vpcUuid"] == "vpc-123"
    https = [r for r in lb["forwardingRules"] if r["entryProtocol"] == "https"]
    assert len(https) == 1 and https[0]["certificateName"] == cert["name"] and https[0]["targetPort"] == 8080
    assert cert["type"] == "lets_encrypt" and cert["domains"] == ["www.staging.example.com"]
    assert lb["healthcheck"]["path"] == "/healthz" and lb["healthcheck"]["port"] == 8080
    assert lb["dropletTag"] == run.returned["tag"].value


def test_droplets_private_in_vpc_with_rendered_user_data(run_component):
    run = run_component(build())
    droplets = run.of_type("Droplet")
    assert len(droplets) == 2
    user_data = render_user_data(ARGS, "web")
    for droplet in droplets:
        d = droplet.inputs
        assert d["vpcUuid"] == "vpc-123" and d["monitoring"] is True and d["image"] == "ubuntu-24-04-x64"
        assert d["userData"] == user_data and "listen 8080" in user_data
        assert not re.search(r"\$\{(app_port|health_check_path|hostname|env|self_check_\w+)\}", user_data)
        assert d["backups"] is False
        assert {"env:staging", "component:web-cluster", "staging-network-member",
                run.returned["tag"].value} <= set(d["tags"])
    assert len(run.of_type("Volume")) == 2 and len(run.of_type("VolumeAttachment")) == 2


def test_backups_and_protection_in_production(run_component):
    args = dataclasses.replace(ARGS, env="prod", backups=True, protect=True, count=3)
    run = run_component(build(args))
    assert all(d.inputs["backups"] is True for d in run.of_type("Droplet"))
    assert run.one("LoadBalancer").protect


def test_a_new_hostname_gets_a_certificate_under_a_new_name():
    """Replacing a certificate creates the new one first: a fixed name would collide with the one in use."""
    moved = dataclasses.replace(ARGS, hostname="staging.example.com")
    assert certificate_name(ARGS, "web") == certificate_name(dataclasses.replace(ARGS, count=5), "web")
    assert certificate_name(moved, "web") != certificate_name(ARGS, "web")
    assert certificate_name(ARGS, "web").startswith("staging-web-cert-") and len(certificate_name(ARGS, "web")) <= 63


def test_a_record_alerts_and_uptime(run_component):
    run = run_component(build())
    record = run.one("DnsRecord").inputs
    assert record == {"domain": "staging.example.com", "type": "A", "name": "@", "value": run.returned["lb_ip"].value,
                      "ttl": 300}
    alerts = run.of_type("MonitorAlert")
    assert sorted(a.inputs["type"] for a in alerts) == sorted(m for _, m, _, _ in ALERTS)
    assert all(a.inputs["alerts"]["emails"] == ["ops@example.com"] and a.inputs["tags"] == [run.returned["tag"].value]
               for a in alerts)
    check = run.one("UptimeCheck").inputs
    assert check["target"] == "https://www.staging.example.com/healthz" and check["type"] == "https"
    assert run.one("UptimeAlert").inputs["type"] == "down"


def test_every_taggable_child_tagged_and_parented(run_component):
    run = run_component(build())
    component = run.one("WebCluster")
    assert component.type == "do-platform:index:WebCluster"
    urns = {r.urn for r in run.records}
    for record in run.records:
        if record is not component:
            assert record.parent_urn in urns
        if record.type.rsplit(":", 1)[-1] in TAGGABLE:
            assert {"env:staging", "component:web-cluster"} <= set(record.inputs["tags"]), record.name


def test_ssh_keys_and_user_data_are_the_replacement_triggers():
    """Documented: both are create-only in the API; the rendered user_data is identical for every node."""
    changed = dataclasses.replace(ARGS, app_port=9090)
    assert render_user_data(changed) != render_user_data(ARGS)
    assert render_user_data(dataclasses.replace(ARGS, count=5)) == render_user_data(ARGS)


@pytest.mark.parametrize(("field", "change"), [
    ("count", {"count": 0}), ("image", {"image": "latest"}), ("app_port", {"app_port": 22}),
    ("health_check_path", {"health_check_path": "healthz"}), ("alert_emails", {"alert_emails": ()}),
    ("user_data_template", {"user_data_template": "missing.tmpl"}),
])
def test_validation_names_the_field(field, change):
    with pytest.raises(ValueError, match=rf"\[{field}\]"):
        validate_web_cluster_args(dataclasses.replace(ARGS, **change))


def test_cloud_init_installs_and_runs_the_metadata_self_check():
    doc = YAML(typ="safe", pure=True).load(render_user_data(ARGS, "web"))
    files = {f["path"]: f for f in doc["write_files"]}
    assert files[SELF_CHECK_PATH]["content"] == SELF_CHECK_SCRIPT.read_text()
    assert files[SELF_CHECK_PATH]["permissions"] == "0755"
    command = doc["runcmd"][-1]
    assert command[:2] == ["sh", "-c"]
    assert shlex.split(command[2])[:len(self_check_command(ARGS, "web"))] == self_check_command(ARGS, "web")
    assert self_check_command(ARGS, "web") == [
        SELF_CHECK_PATH, "--env", "staging", "--region", "nyc3", "--vpc-cidr", "10.120.0.0/20",
        "--hostname", "staging-web-*", "--tag", "component:web-cluster"]


def test_no_self_check_without_a_vpc_range_or_when_off():
    for args in (dataclasses.replace(ARGS, vpc_cidr=None), dataclasses.replace(ARGS, self_check=False)):
        doc = YAML(typ="safe", pure=True).load(render_user_data(args, "web"))
        assert SELF_CHECK_PATH not in {f["path"] for f in doc["write_files"]}
        assert all("selfcheck" not in str(c) for c in doc["runcmd"])


@pytest.mark.parametrize("path", ["/ok;{}#", "/ok page", "/ok\n", '/ok"', "/ok?x=1", "/a/../b", "/ok{", "/ok#x",
                                  "/" + "a" * 255])
def test_a_health_check_path_nginx_or_the_load_balancer_would_misread_is_refused(path):
    with pytest.raises(ValueError, match=r"\[health_check_path\].*allowed: a path starting with '/'"):
        validate_web_cluster_args(dataclasses.replace(ARGS, health_check_path=path))
    with pytest.raises(ValueError, match=r"\[health_check_path\]"):
        render_user_data(dataclasses.replace(ARGS, health_check_path=path))


@pytest.mark.parametrize(("field", "value"), [("hostname", "www.example.com; }"), ("env", "dev\nX=1")])
def test_nothing_that_could_end_a_directive_is_rendered_into_the_droplet_config(field, value):
    with pytest.raises(ValueError, match=rf"\[{field}\] .* cannot go into the droplet config"):
        render_user_data(dataclasses.replace(ARGS, **{field: value}))


@pytest.mark.parametrize("path", ["/healthz", "/", "/api/v1/health", "/ok.txt", "/a_b~c-d/"])
def test_ordinary_health_check_paths_render_as_written(path):
    validate_web_cluster_args(dataclasses.replace(ARGS, health_check_path=path))
    assert f"location = {path} {{ return 200" in render_user_data(dataclasses.replace(ARGS, health_check_path=path))


# -- web.autoscale and web.privateEgress

POOL_ARGS = dataclasses.replace(ARGS, count=1, volume_size_gb=0, ssh_keys=("123",),
                                autoscale=AutoscaleSpec(min_instances=2, max_instances=5, target_cpu=0.6,
                                                        cooldown_minutes=10))


def test_autoscale_makes_one_pool_with_the_droplets_template_and_no_fixed_droplets(run_component):
    run = run_component(build(POOL_ARGS))
    assert run.of_type("Droplet") == [] and run.of_type("Volume") == []
    pool = run.one("DropletAutoscale")
    assert run.returned["pool_id"].value == f"{pool.name}-id"
    assert pool.inputs["name"] == "staging-web-pool"
    assert pool.inputs["config"] == {"minInstances": 2, "maxInstances": 5, "targetCpuUtilization": 0.6,
                                     "cooldownMinutes": 10}
    template = pool.inputs["dropletTemplate"]
    assert template["userData"] == render_user_data(POOL_ARGS, "web")  # the same cloud-init as fixed droplets
    assert template["vpcUuid"] == "vpc-123" and template["size"] == "s-1vcpu-1gb"
    assert template["image"] == "ubuntu-24-04-x64" and template["sshKeys"] == ["123"]
    assert template["withDropletAgent"] is True and template["ipv6"] is False
    # The same tags: the baseline firewall (member tag), the app-port firewall, the LB target and the alerts.
    assert {"env:staging", "component:web-cluster", "staging-network-member",
            run.returned["tag"].value} <= set(template["tags"])
    lb = run.one("LoadBalancer")
    assert lb.inputs["dropletTag"] == run.returned["tag"].value and lb.inputs["sizeUnit"] == 2  # sized for 5
    assert run.one("Firewall").inputs["tags"] == [run.returned["tag"].value]
    assert all(a.inputs["tags"] == [run.returned["tag"].value] for a in run.of_type("MonitorAlert"))
    assert pool.urn in run.requests[lb.urn].dependencies  # the LB waits for its targets


def test_private_web_droplets_have_no_public_networking_and_wait_for_the_gateway(run_component):
    def program():
        gateway = pulumi.CustomResource("digitalocean:index/vpcNatGateway:VpcNatGateway", "nat", {})
        fixed = WebCluster("web", dataclasses.replace(ARGS, public_networking=False, egress_gateway=gateway))
        pooled = WebCluster("pool", dataclasses.replace(POOL_ARGS, egress_gateway=gateway))
        return {"fixed": fixed.tag_name, "pooled": pooled.tag_name, "gateway": gateway.urn}
    run = run_component(program)
    gateway = run.returned["gateway"].value
    droplets = run.of_type("Droplet")
    assert len(droplets) == 2 and all(d.inputs["publicNetworking"] is False for d in droplets)
    pool = run.one("DropletAutoscale")
    assert "publicNetworking" not in pool.inputs["dropletTemplate"]  # the provider would not send it anyway
    for machine in (*droplets, pool):
        assert gateway in run.requests[machine.urn].dependencies


def test_a_private_pool_is_refused_because_the_provider_would_make_it_public():
    with pytest.raises(ValueError, match=r"\[public_networking\] False with autoscale.*never sends"):
        validate_web_cluster_args(dataclasses.replace(POOL_ARGS, public_networking=False))


def test_public_droplets_send_no_public_networking_input_so_existing_stacks_do_not_diff(run_component):
    run = run_component(build())
    assert all("publicNetworking" not in d.inputs for d in run.of_type("Droplet"))


@pytest.mark.parametrize(("change", "field"), [
    ({"autoscale": AutoscaleSpec(3, 2, target_cpu=0.5)}, "[autoscale] min_instances=3, max_instances=2"),
    ({"autoscale": AutoscaleSpec(1, 2)}, "[autoscale] target_cpu=None, target_memory=None"),
    ({"autoscale": AutoscaleSpec(1, 2, target_memory=1.5)}, "fractions from 0.05 to 1"),
    ({"autoscale": AutoscaleSpec(1, 2, target_cpu=0.5, cooldown_minutes=60)}, "cooldown_minutes=60"),
    ({"autoscale": AutoscaleSpec(1, 2, target_cpu=0.5), "volume_size_gb": 10}, "volume_size_gb 0"),
    ({"autoscale": AutoscaleSpec(1, 2, target_cpu=0.5), "ssh_keys": ()}, "[ssh_keys] empty"),
])
def test_autoscale_args_are_checked_before_anything_is_made(change, field):
    with pytest.raises(ValueError, match=re.escape(field)):
        validate_web_cluster_args(dataclasses.replace(ARGS, **{"volume_size_gb": 0, "ssh_keys": ("1",), **change}))
