"""WebCluster: N droplets in the VPC behind a load balancer with a Let's Encrypt certificate.

- Droplets: pinned image slug, cloud-init ``user_data`` rendered from ``templates/``, SSH keys,
  monitoring agent, backups in production, an optional volume each. **Replacement triggers:** changing
  ``user_data`` (the template or anything rendered into it) or ``ssh_keys`` replaces every droplet,
  because the API accepts both only at create time. ``size`` resizes in place (with a power cycle).
- Droplets keep a public address for egress (packages, the monitoring agent) but no inbound path from
  the internet except through the load balancer: the baseline firewall admits only the VPC and admin
  SSH, and the app port is open to the load balancer alone.
- Load balancer in the same VPC: HTTP is redirected to HTTPS, HTTPS terminates with the certificate
  (referenced by name so renewals do not diff), health check on a configurable path.
- A firewall lets only the load balancer reach the app port; an A record points the host at the LB.
- CPU, memory and disk alert policies on the web tag, and an uptime check with an alert on the URL.
- ``autoscale``: instead of ``count`` droplets, one Droplet Autoscale pool whose template carries the same
  cloud-init, VPC, tags (so the same firewalls, load balancer target and alerts) and SSH keys; DigitalOcean
  adds and removes its droplets between ``min_instances`` and ``max_instances`` to hold the CPU / memory
  targets. Pool droplets have no volumes or backups (they come and go) and are found by tag, not by project.
- ``public_networking=False``: the droplets get no public address; their egress needs a NAT gateway in the
  VPC (``SecureNetwork``'s ``nat_gateway``), passed as ``egress_gateway`` so they boot after it exists. Fixed
  droplets only: provider 4.76.0 never sends an autoscale template's ``public_networking`` (its Terraform
  provider's ``expandTemplate`` leaves it out), so a private pool is refused rather than silently public.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import string
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_digitalocean as do

from components.firewall import to_inbound_args
from components.naming import check_pinned_image, child_name, do_name, do_urn
from components.tagging import standard_tags
from components.tokens import TYPE_TOKENS
from do_vocab.firewall_rules import FirewallRule
from do_vocab.http_paths import health_check_path_problem
from do_vocab.names import DEFAULT_IMAGE

KIND = "web-cluster"
TEMPLATES = Path(__file__).parent / "templates"
DEFAULT_TEMPLATE = "web-cloud-init.yaml.tmpl"
SELF_CHECK_SCRIPT = TEMPLATES / "metadata_selfcheck.py"
SELF_CHECK_PATH = "/usr/local/bin/do-platform-selfcheck"
SELF_CHECK_LOG = "/var/log/do-platform-selfcheck.log"
TEMPLATE_VALUE = re.compile(r"[A-Za-z0-9._~/:*-]+")  # what may be substituted into the cloud-init template
# (child suffix, metric type, threshold %, description)
ALERTS = (("cpu", "v1/insights/droplet/cpu", 80, "CPU above 80%"),
          ("memory", "v1/insights/droplet/memory_utilization_percent", 85, "memory above 85%"),
          ("disk", "v1/insights/droplet/disk_utilization_percent", 85, "disk above 85%"))
UPTIME_REGIONS = ("us_east", "eu_west")


@dataclass(frozen=True)
class AutoscaleSpec:
    """A Droplet Autoscale pool's size range and targets (fractions of CPU / memory, 0.05 to 1)."""

    min_instances: int
    max_instances: int
    target_cpu: float | None = None
    target_memory: float | None = None
    cooldown_minutes: int = 10


@dataclass(frozen=True)
class WebClusterArgs:
    env: str
    region: str
    vpc_id: pulumi.Input[str]
    domain: pulumi.Input[str]
    hostname: str
    alert_emails: tuple[str, ...]
    size: str = "s-1vcpu-1gb"
    count: int = 1
    image: str = DEFAULT_IMAGE
    ssh_keys: tuple[str, ...] = ()
    app_port: int = 8080
    health_check_path: str = "/healthz"
    record_name: str = "@"
    backups: bool = False
    volume_size_gb: int = 0
    member_tags: tuple[pulumi.Input[str], ...] = ()
    vpc_cidr: str | None = None
    self_check: bool = True
    user_data_template: str = DEFAULT_TEMPLATE
    protect: bool = False
    extra_tags: tuple[str, ...] = ()
    autoscale: AutoscaleSpec | None = None
    public_networking: bool = True
    egress_gateway: pulumi.Resource | None = None  # what private droplets reach the internet through


def self_check_command(args: WebClusterArgs, name: str) -> list[str]:
    """First-boot check that the metadata service describes the droplet we meant (env tag, region, VPC, name)."""
    return [SELF_CHECK_PATH, "--env", args.env, "--region", args.region, "--vpc-cidr", str(args.vpc_cidr),
            "--hostname", f"{do_name(args.env, name)}-*", "--tag", f"component:{KIND}"]


def render_user_data(args: WebClusterArgs, name: str = "web") -> str:
    """cloud-init for every web droplet; identical for all so one change replaces all (documented).

    With ``self_check`` and a ``vpc_cidr`` it installs ``templates/metadata_selfcheck.py`` and runs it once
    at first boot; the result is in the log file and in ``cloud-init status``."""
    file_part = run_part = ""
    if args.self_check and args.vpc_cidr:
        script = "".join(f"      {line}\n" if line else "\n" for line in SELF_CHECK_SCRIPT.read_text().splitlines())
        file_part = f"  - path: {SELF_CHECK_PATH}\n    permissions: '0755'\n    content: |\n{script}"
        command = " ".join(shlex.quote(part) for part in self_check_command(args, name))
        run_part = f"  - [sh, -c, {json.dumps(f'{command} > {SELF_CHECK_LOG} 2>&1')}]\n"
    template = string.Template((TEMPLATES / args.user_data_template).read_text())
    values = {"app_port": str(args.app_port), "health_check_path": args.health_check_path,
              "hostname": args.hostname, "env": args.env}
    if problem := health_check_path_problem(args.health_check_path):
        raise ValueError(f"[health_check_path] {args.health_check_path!r}: {problem}")
    for key, value in values.items():
        # These land inside nginx directives, YAML and an env file: nothing that could end or extend them.
        if not TEMPLATE_VALUE.fullmatch(value):
            raise ValueError(f"[{key}] {value!r} cannot go into the droplet config; allowed: letters, digits "
                             f"and '-', '.', '_', '~', '/', ':', '*'")
    return template.substitute(**values, self_check_file=file_part, self_check_run=run_part)


def certificate_name(args: WebClusterArgs, name: str) -> str:
    """Unique per hostname: a new hostname replaces the certificate (its domains are create-only), and the
    replacement is created before the old one is deleted, so it cannot reuse the name (the provider looks
    certificates up by name, and the LB still holds the old one)."""
    digest = hashlib.sha256(args.hostname.lower().encode()).hexdigest()[:8]
    return do_name(args.env, name, "cert", digest)


def app_port_rules(app_port: int, lb_id: pulumi.Input[str]) -> list[FirewallRule]:
    """The only inbound rule for the app port: from the load balancer."""
    return [FirewallRule("tcp", str(app_port), load_balancer_uids=(lb_id,))]


def validate_autoscale(spec: AutoscaleSpec, args: WebClusterArgs) -> None:
    """The API's bounds (``autoscale_pool_dynamic_config``) and what a pool cannot carry."""
    if not 1 <= spec.min_instances <= 500 or not spec.min_instances <= spec.max_instances <= 1000:
        raise ValueError(f"[autoscale] min_instances={spec.min_instances}, max_instances={spec.max_instances}; "
                         "allowed: 1 <= min_instances <= 500, min_instances <= max_instances <= 1000")
    targets = [t for t in (spec.target_cpu, spec.target_memory) if t is not None]
    if not targets or any(not 0.05 <= t <= 1 for t in targets):
        raise ValueError(f"[autoscale] target_cpu={spec.target_cpu}, target_memory={spec.target_memory}; "
                         "allowed: one or both, fractions from 0.05 to 1")
    if not 5 <= spec.cooldown_minutes <= 20:
        raise ValueError(f"[autoscale] cooldown_minutes={spec.cooldown_minutes}; allowed: 5 to 20")
    if args.volume_size_gb or args.backups:
        raise ValueError("[autoscale] a pool's droplets come and go: allowed: volume_size_gb 0 and backups False")
    if not args.ssh_keys:
        raise ValueError("[ssh_keys] empty; allowed: at least one key for an autoscale pool (its template requires "
                         "them)")
    if not args.public_networking:
        raise ValueError("[public_networking] False with autoscale; allowed: True: the provider (4.76.0, wrapping "
                         "terraform-provider-digitalocean v2.96.0) never sends the pool template's public_networking, "
                         "so its droplets would get public addresses anyway")


def validate_web_cluster_args(args: WebClusterArgs) -> None:
    if not 1 <= args.count <= 20:
        raise ValueError(f"[count] {args.count}; allowed: 1 to 20")
    if args.autoscale is not None:
        validate_autoscale(args.autoscale, args)
    check_pinned_image("image", args.image)
    if not 1 <= args.app_port <= 65535 or args.app_port == 22:
        raise ValueError(f"[app_port] {args.app_port}; allowed: 1 to 65535 except 22")
    if problem := health_check_path_problem(args.health_check_path):
        raise ValueError(f"[health_check_path] {args.health_check_path!r}: {problem}")
    if not args.alert_emails:
        raise ValueError("[alert_emails] empty; allowed: at least one address for the alert policies")
    if not (TEMPLATES / args.user_data_template).is_file():
        raise ValueError(f"[user_data_template] {args.user_data_template!r} not found; allowed: "
                         f"{sorted(p.name for p in TEMPLATES.glob('*.tmpl'))}")


def autoscale_config(spec: AutoscaleSpec) -> do.DropletAutoscaleConfigArgs:
    return do.DropletAutoscaleConfigArgs(
        min_instances=spec.min_instances, max_instances=spec.max_instances, target_cpu_utilization=spec.target_cpu,
        target_memory_utilization=spec.target_memory, cooldown_minutes=spec.cooldown_minutes)


def largest_size(args: WebClusterArgs) -> int:
    """The most droplets the cluster runs: what the load balancer is sized for."""
    return args.autoscale.max_instances if args.autoscale else args.count


class WebCluster(pulumi.ComponentResource):
    """Droplets (or an autoscale pool) + volumes + LB + certificate + firewall + A record + alerts + uptime check."""

    tag: do.Tag
    pool: do.DropletAutoscale | None
    droplets: list[do.Droplet]
    volumes: list[do.Volume]
    certificate: do.Certificate
    load_balancer: do.LoadBalancer
    firewall: do.Firewall
    record: do.DnsRecord
    alerts: list[do.MonitorAlert]
    uptime_check: do.UptimeCheck
    uptime_alert: do.UptimeAlert

    def __init__(self, name: str, args: WebClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKENS["WebCluster"], name, None, opts)
        validate_web_cluster_args(args)
        child = pulumi.ResourceOptions(parent=self)
        user_data = render_user_data(args, name)

        self.tag = do.Tag(child_name(name, "tag"), name=do_name(args.env, name, "web"), opts=child)
        tags = pulumi.Output.all(self.tag.name, *args.member_tags).apply(
            lambda t: standard_tags(args.env, KIND, [*args.extra_tags, *t]))
        # Private droplets boot after their way out exists (cloud-init installs packages at first boot).
        machines = pulumi.ResourceOptions(parent=self, depends_on=[args.egress_gateway] if args.egress_gateway else [])
        self.droplets, self.volumes, self.pool = [], [], None
        if args.autoscale is not None:
            self.pool = do.DropletAutoscale(
                child_name(name, "pool"), name=do_name(args.env, name, "pool"), config=autoscale_config(args.autoscale),
                droplet_template=do.DropletAutoscaleDropletTemplateArgs(
                    region=args.region, size=args.size, image=args.image,
                    ssh_keys=list(args.ssh_keys), vpc_uuid=args.vpc_id, user_data=user_data, tags=tags,
                    with_droplet_agent=True, ipv6=False),  # public_networking: never sent by the provider
                opts=machines)
        for i in range(0 if args.autoscale else args.count):
            droplet = do.Droplet(
                child_name(name, "node", i), name=do_name(args.env, name, i), region=args.region, size=args.size,
                image=args.image, vpc_uuid=args.vpc_id, ssh_keys=list(args.ssh_keys) or None, user_data=user_data,
                monitoring=True, droplet_agent=True, backups=args.backups, ipv6=False, tags=tags,
                public_networking=None if args.public_networking else False, graceful_shutdown=True, opts=machines)
            self.droplets.append(droplet)
            if args.volume_size_gb:
                volume = do.Volume(child_name(name, "data", i), name=do_name(args.env, name, "data", i),
                                   region=args.region, size=args.volume_size_gb, initial_filesystem_type="ext4",
                                   tags=standard_tags(args.env, KIND, args.extra_tags),
                                   opts=pulumi.ResourceOptions(parent=droplet))
                do.VolumeAttachment(child_name(name, "data", i, "attach"), droplet_id=droplet.id.apply(int),
                                    volume_id=volume.id,
                                    opts=pulumi.ResourceOptions(parent=volume, delete_before_replace=True))
                self.volumes.append(volume)

        # Let's Encrypt validates through DNS, so the certificate waits for the zone (``domain`` output).
        self.certificate = do.Certificate(
            child_name(name, "cert"), name=certificate_name(args, name), type="lets_encrypt",
            domains=[pulumi.Output.from_input(args.domain).apply(lambda _: args.hostname)], opts=child)
        self.load_balancer = do.LoadBalancer(
            child_name(name, "lb"), name=do_name(args.env, name, "lb"), region=args.region, vpc_uuid=args.vpc_id,
            size_unit=1 if largest_size(args) < 3 else 2, droplet_tag=self.tag.name, redirect_http_to_https=True,
            forwarding_rules=[
                do.LoadBalancerForwardingRuleArgs(entry_protocol="https", entry_port=443, target_protocol="http",
                                                  target_port=args.app_port,
                                                  certificate_name=self.certificate.name),
                do.LoadBalancerForwardingRuleArgs(entry_protocol="http", entry_port=80, target_protocol="http",
                                                  target_port=args.app_port)],
            healthcheck=do.LoadBalancerHealthcheckArgs(protocol="http", port=args.app_port,
                                                       path=args.health_check_path, check_interval_seconds=10),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect,
                                        depends_on=[*self.droplets, *([self.pool] if self.pool else [])]))
        self.firewall = do.Firewall(child_name(name, "app-port"), name=do_name(args.env, name, "app-port"),
                                    tags=[self.tag.name],
                                    inbound_rules=to_inbound_args(app_port_rules(args.app_port,
                                                                                 self.load_balancer.id)),
                                    opts=child)
        self.record = do.DnsRecord(child_name(name, "a"), domain=args.domain, type="A", name=args.record_name,
                                   value=self.load_balancer.ip, ttl=300, opts=child)
        emails = list(args.alert_emails)
        self.alerts = [
            do.MonitorAlert(child_name(name, "alert", suffix), type=metric, compare="GreaterThan",
                            value=threshold, window="5m", tags=[self.tag.name], enabled=True,
                            description=f"{args.env} {name}: {text}",
                            alerts=do.MonitorAlertAlertsArgs(emails=emails), opts=child)
            for suffix, metric, threshold, text in ALERTS]
        self.url = f"https://{args.hostname}{args.health_check_path}"
        self.uptime_check = do.UptimeCheck(child_name(name, "uptime"), name=do_name(args.env, name, "uptime"),
                                           target=self.url, type="https", regions=list(UPTIME_REGIONS),
                                           enabled=True, opts=child)
        self.uptime_alert = do.UptimeAlert(child_name(name, "uptime-down"), check_id=self.uptime_check.id,
                                           name=do_name(args.env, name, "down"), type="down", period="2m",
                                           notifications=[do.UptimeAlertNotificationArgs(emails=emails)],
                                           opts=pulumi.ResourceOptions(parent=self.uptime_check))

        self.tag_name = self.tag.name
        self.lb_ip = self.load_balancer.ip
        self.pool_id = self.pool.id if self.pool else None
        self.project_resources: list[pulumi.Output[str]] = [
            *(d.id.apply(lambda i: do_urn("droplet", i)) for d in self.droplets),
            *(v.id.apply(lambda i: do_urn("volume", i)) for v in self.volumes),
            self.load_balancer.id.apply(lambda i: do_urn("loadbalancer", i))]
        # Pool droplets are not project members: DigitalOcean makes and deletes them (status finds them by tag).
        self.register_outputs({"lb_ip": self.load_balancer.ip, "url": self.url, "tag": self.tag.name,
                               **({"pool_id": self.pool.id} if self.pool else {})})
