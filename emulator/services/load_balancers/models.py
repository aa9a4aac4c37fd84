"""Load balancers: ``new`` then ``active``, with the defaults the API fills in.

``health_check`` and ``sticky_sessions`` get the API's defaults when not sent (both are computed by
the provider); a forwarding rule's ``certificate_id`` must name an existing certificate, which then
cannot be deleted. Targets are ``droplet_ids`` or a ``tag``, never both.
"""

from __future__ import annotations

import re

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable
from emulator.core.state import Backend, public, schedule
from emulator.core.tagging import with_tag

ENTRY_PROTOCOLS = ("http", "https", "http2", "http3", "tcp", "udp")
TARGET_PROTOCOLS = ("http", "https", "http2", "tcp", "udp")
SIZES = {"lb-small": 1, "lb-medium": 3, "lb-large": 6}
ALGORITHMS = ("round_robin", "least_connections")
TYPES = ("REGIONAL", "REGIONAL_NETWORK", "GLOBAL")
NETWORKS = ("EXTERNAL", "INTERNAL")
NETWORK_STACKS = ("IPV4", "DUALSTACK")
CIPHER_POLICIES = ("DEFAULT", "STRONG")
HEALTH_CHECK_DEFAULTS = {"protocol": "http", "port": 80, "path": "/", "check_interval_seconds": 10,
                         "response_timeout_seconds": 5, "unhealthy_threshold": 5, "healthy_threshold": 3}
HEALTH_CHECK_PROTOCOLS = ("http", "https", "tcp")
STICKY_TYPES = ("cookies", "none")
_REGION = re.compile(r"^[a-z]{3}\d$")
_FIREWALL_RULE = re.compile(r"^(ip|cidr):(.+)$")


class LoadBalancersBackend(Backend):
    name = "load_balancers"

    def reset(self) -> None:
        self.data = {"load_balancers": {}}

    # -- validation pieces
    def _forwarding_rules(self, body: dict, field: str = "forwarding_rules", required: bool = True) -> list[dict]:
        """Validated rules; a GLOBAL load balancer routes by ``glb_settings`` and may have none."""
        items = v.object_list(body, field, "entry_protocol, entry_port, target_protocol and target_port",
                              required=required)
        rules = []
        certificates = links.optional_neighbour(self.state, "certificates")
        for where, rule in items:
            out = {
                "entry_protocol": v.choice(rule, "entry_protocol", ENTRY_PROTOCOLS, required=True, where=where),
                "entry_port": v.integer(rule, "entry_port", required=True, minimum=1, maximum=65535, where=where),
                "target_protocol": v.choice(rule, "target_protocol", TARGET_PROTOCOLS, required=True, where=where),
                "target_port": v.integer(rule, "target_port", required=True, minimum=1, maximum=65535, where=where),
                "certificate_id": v.string(rule, "certificate_id", default="", where=where),
                "tls_passthrough": v.boolean(rule, "tls_passthrough", where=where),
            }
            if out["certificate_id"] and out["tls_passthrough"]:
                raise Unprocessable(f"{where}: certificate_id and tls_passthrough are mutually exclusive")
            if (out["certificate_id"] and certificates is not None
                    and out["certificate_id"] not in certificates.table("certificates")):
                    raise Unprocessable(f"{where}.certificate_id: certificate {out['certificate_id']!r} not found")
            if out["entry_protocol"] in ("https", "http2", "http3") and not (out["certificate_id"]
                                                                              or out["tls_passthrough"]):
                raise Unprocessable(f"{where}: an {out['entry_protocol']} rule needs certificate_id or "
                                    "tls_passthrough")
            rules.append(out)
        return rules

    def _health_check(self, body: dict) -> dict:
        raw = v.mapping(body, "health_check") or {}
        check = dict(HEALTH_CHECK_DEFAULTS)
        check["protocol"] = v.choice(raw, "protocol", HEALTH_CHECK_PROTOCOLS, default=check["protocol"],
                                     where="health_check")
        check["port"] = v.integer(raw, "port", default=check["port"], minimum=1, maximum=65535, where="health_check")
        check["path"] = v.string(raw, "path", default=check["path"], where="health_check")
        for key, low, high in (("check_interval_seconds", 3, 300), ("response_timeout_seconds", 3, 300),
                               ("unhealthy_threshold", 2, 10), ("healthy_threshold", 2, 10)):
            check[key] = v.integer(raw, key, default=check[key], minimum=low, maximum=high, where="health_check")
        if check["protocol"] == "tcp":
            check["path"] = ""
        return check

    def _sticky_sessions(self, body: dict) -> dict:
        raw = v.mapping(body, "sticky_sessions") or {}
        kind = v.choice(raw, "type", STICKY_TYPES, default="none", where="sticky_sessions")
        if kind == "none":
            return {"type": "none"}
        return {"type": "cookies", "cookie_name": v.string(raw, "cookie_name", required=True, where="sticky_sessions"),
                "cookie_ttl_seconds": v.integer(raw, "cookie_ttl_seconds", required=True, minimum=1,
                                                  where="sticky_sessions")}

    @staticmethod
    def _firewall(body: dict) -> dict:
        raw = v.mapping(body, "firewall") or {}
        out = {}
        for key in ("allow", "deny"):
            rules = v.string_list(raw, key, where="firewall")
            for rule in rules:
                match = _FIREWALL_RULE.match(rule)
                if not match:
                    raise Unprocessable(f"firewall.{key} entries look like 'ip:1.2.3.4' or 'cidr:1.2.0.0/16'; "
                                        f"got {rule!r}")
                if match.group(1) == "ip":
                    v.ip_address(match.group(2), f"firewall.{key}")
                else:
                    v.ip_or_cidr(match.group(2), f"firewall.{key}")
            out[key] = rules
        return out

    def _global(self, body: dict) -> dict:
        """GLOBAL load balancers: ``glb_settings``, ``domains`` (certificates checked), target LBs."""
        raw = v.mapping(body, "glb_settings") or {}
        g = "glb_settings"
        settings = {"target_protocol": v.choice(raw, "target_protocol", ("http", "https", "http2"), default="http",
                                                where=g),
                    "target_port": v.integer(raw, "target_port", default=80, minimum=1, maximum=65535, where=g)}
        cdn = v.mapping(raw, "cdn")
        if cdn is not None:
            settings["cdn"] = {"is_enabled": v.boolean(cdn, "is_enabled", where=f"{g}.cdn")}
        priorities = v.mapping(raw, "region_priorities")
        if priorities is not None:
            for region, priority in priorities.items():
                if isinstance(priority, bool) or not isinstance(priority, int):
                    raise Unprocessable(f"glb_settings.region_priorities.{region} must be an integer; got {priority!r}")
            settings["region_priorities"] = dict(priorities)
        failover = v.integer(raw, "failover_threshold", minimum=1, maximum=99, where=g)
        if failover is not None:
            settings["failover_threshold"] = failover
        domains = v.object_list(body, "domains", "name, is_managed and certificate_id")
        certificates = links.optional_neighbour(self.state, "certificates")
        out_domains = []
        for at, item in domains:
            entry = {"name": v.string(item, "name", required=True, where=at),
                     "is_managed": v.boolean(item, "is_managed", where=at),
                     "certificate_id": v.string(item, "certificate_id", default="", where=at)}
            if (entry["certificate_id"] and certificates is not None
                    and entry["certificate_id"] not in certificates.table("certificates")):
                raise Unprocessable(f"{at}.certificate_id: certificate {entry['certificate_id']!r} not found")
            out_domains.append(entry)
        targets = v.string_list(body, "target_load_balancer_ids")
        for target in targets:
            if target not in self.table("load_balancers"):
                raise Unprocessable(f"target_load_balancer_ids: load balancer {target!r} not found")
        return {"glb_settings": settings, "domains": out_domains, "target_load_balancer_ids": targets}

    def _region(self, slug: str) -> dict:
        catalog = links.optional_neighbour(self.state, "catalog")
        if catalog is not None and hasattr(catalog, "require_region"):
            region = catalog.require_region(slug)
            return public(region)
        if not _REGION.match(slug):
            raise Unprocessable(f"region must be a region slug such as nyc3; got {slug!r}")
        return {"name": slug, "slug": slug, "features": ["load_balancers"], "available": True, "sizes": []}

    def _vpc_uuid(self, region: str, vpc_uuid: str | None) -> str | None:
        vpcs = links.optional_neighbour(self.state, "vpcs")
        if vpcs is not None and hasattr(vpcs, "resolve"):
            resolved = vpcs.resolve(region, vpc_uuid)
            return resolved["id"] if isinstance(resolved, dict) else resolved
        return vpc_uuid

    def _validated(self, body: dict, existing: dict | None = None) -> dict:
        name = v.string(body, "name", required=True)
        if not re.match(r"^[A-Za-z0-9][A-Za-z0-9.\-]{0,254}$", name):
            raise Unprocessable(f"name may contain only letters, digits, '.' and '-'; got {name!r}")
        lb_type = v.choice(body, "type", TYPES, default=existing["type"] if existing else "REGIONAL")
        region_slug = v.string(body, "region", required=lb_type != "GLOBAL")
        if existing and region_slug and existing.get("region") and region_slug != existing["region"]["slug"]:
            raise Unprocessable(f"region cannot be changed (load balancer is in {existing['region']['slug']}); "
                                f"got {region_slug!r}")
        size = v.choice(body, "size", tuple(SIZES))
        size_unit = v.integer(body, "size_unit", minimum=1, maximum=100)
        if size_unit is None:
            size_unit = SIZES[size] if size else 1
        droplet_ids = v.int_list(body, "droplet_ids")
        tag = v.string(body, "tag")
        if droplet_ids and tag:
            raise Unprocessable("droplet_ids and tag are mutually exclusive; give one of them")
        links.droplets_exist(self.state, droplet_ids)
        fields = {
            "name": name,
            "type": lb_type,
            "size_unit": size_unit,
            "algorithm": v.choice(body, "algorithm", ALGORITHMS, default="round_robin"),
            "forwarding_rules": self._forwarding_rules(body, required=lb_type != "GLOBAL"),
            "health_check": self._health_check(body),
            "sticky_sessions": self._sticky_sessions(body),
            "redirect_http_to_https": v.boolean(body, "redirect_http_to_https"),
            "enable_proxy_protocol": v.boolean(body, "enable_proxy_protocol"),
            "enable_backend_keepalive": v.boolean(body, "enable_backend_keepalive"),
            "http_idle_timeout_seconds": v.integer(body, "http_idle_timeout_seconds", default=60, minimum=30,
                                                   maximum=600),
            "disable_lets_encrypt_dns_records": v.boolean(body, "disable_lets_encrypt_dns_records"),
            "firewall": self._firewall(body),
            # A GLOBAL load balancer is an edge service with no network of its own: the API answers no network.
            "network": v.choice(body, "network", NETWORKS, default=None if lb_type == "GLOBAL" else "EXTERNAL"),
            "network_stack": v.choice(body, "network_stack", NETWORK_STACKS, default="IPV4"),
            "tls_cipher_policy": v.choice(body, "tls_cipher_policy", CIPHER_POLICIES, default="DEFAULT"),
            "droplet_ids": droplet_ids,
            "project_id": v.string(body, "project_id", default=existing.get("project_id") if existing else None),
        }
        if lb_type == "GLOBAL":
            fields.update(self._global(body))
        if size:
            fields["size"] = size
        if tag:
            fields["tag"] = tag
            links.touch_tags(self.state, [tag])
        if region_slug:
            fields["region"] = existing["region"] if existing else self._region(region_slug)
            fields["vpc_uuid"] = self._vpc_uuid(region_slug, v.string(body, "vpc_uuid")) \
                if not existing else existing.get("vpc_uuid")
        if fields["project_id"] is None:
            fields.pop("project_id")
        if fields["network"] is None:
            fields.pop("network")
        if fields.get("vpc_uuid") is None:
            fields.pop("vpc_uuid", None)
        return fields

    def _address(self, version: int) -> str:
        rnd = self.ids.random()
        if version == 4:
            return f"104.131.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}"
        return f"2604:a880:400:d1::{rnd.randint(1, 0xffff):x}:{rnd.randint(1, 0xffff):x}"

    # -- operations
    def create(self, body: dict) -> dict:
        fields = self._validated(body)
        record = {"id": self.ids.uuid(), "status": "new", "created_at": self.now(), "ip": "", **fields}
        schedule(self.state, record, {"status": "active", "ip": self._address(4),
                                      **({"ipv6": self._address(6)} if fields["network_stack"] == "DUALSTACK"
                                         else {})})
        self.table("load_balancers")[record["id"]] = record
        self._vpc_membership(record)
        links.assign_to_project(self.state, self.urn(record), fields.get("project_id"))
        return record

    @staticmethod
    def urn(record: dict) -> str:
        return f"do:loadbalancer:{record['id']}"

    def _vpc_membership(self, record: dict, *, remove: bool = False) -> None:
        """Keep the VPC's member list (``GET /v2/vpcs/{id}/members``) in step with this LB."""
        vpcs = links.optional_neighbour(self.state, "vpcs")
        if vpcs is None or not hasattr(vpcs, "add_member") or not record.get("vpc_uuid"):
            return
        urn = f"do:loadbalancer:{record['id']}"
        if remove:
            vpcs.remove_member(urn)
        else:
            vpcs.add_member(record["vpc_uuid"], urn, record["name"])

    def get(self, lb_id: str) -> dict:
        return self.get_or_404("load_balancers", lb_id, "load balancer")

    def list(self) -> list[dict]:
        records = [self.get(i) for i in list(self.table("load_balancers"))]
        return list(records)

    def replace(self, lb_id: str, body: dict) -> dict:
        record = self.get(lb_id)
        fields = self._validated(body, existing=record)
        for key in ("size", "tag", "project_id", "glb_settings", "domains", "target_load_balancer_ids"):
            if key not in fields:
                record.pop(key, None)
        record.update(fields)
        self._vpc_membership(record)
        if fields.get("project_id") and fields["project_id"] != links.project_of(self.state, self.urn(record)):
            links.assign_to_project(self.state, self.urn(record), fields["project_id"])
        return record

    def delete(self, lb_id: str) -> None:
        record = self.get(lb_id)
        self._vpc_membership(record, remove=True)
        links.forget_in_projects(self.state, self.urn(record))
        tags = links.optional_neighbour(self.state, "tags")
        if tags is not None:
            tags.forget("load_balancer", record["id"])
        del self.table("load_balancers")[lb_id]

    def add_droplets(self, lb_id: str, body: dict) -> None:
        record = self.get(lb_id)
        if record.get("tag"):
            raise Unprocessable(f"load balancer targets tag {record['tag']!r}; droplet_ids cannot be added")
        droplet_ids = v.int_list(body, "droplet_ids")
        if not droplet_ids:
            raise Unprocessable("droplet_ids is required")
        links.droplets_exist(self.state, droplet_ids)
        record["droplet_ids"] += [d for d in droplet_ids if d not in record["droplet_ids"]]

    def remove_droplets(self, lb_id: str, body: dict) -> None:
        record = self.get(lb_id)
        droplet_ids = v.int_list(body, "droplet_ids")
        if not droplet_ids:
            raise Unprocessable("droplet_ids is required")
        record["droplet_ids"] = [d for d in record["droplet_ids"] if d not in droplet_ids]

    def add_forwarding_rules(self, lb_id: str, body: dict) -> None:
        record = self.get(lb_id)
        rules = self._forwarding_rules(body)
        record["forwarding_rules"] += [r for r in rules if r not in record["forwarding_rules"]]

    def remove_forwarding_rules(self, lb_id: str, body: dict) -> None:
        record = self.get(lb_id)
        rules = self._forwarding_rules(body)
        keep = [r for r in record["forwarding_rules"] if r not in rules]
        if not keep:
            raise Unprocessable("a load balancer needs at least one forwarding rule")
        record["forwarding_rules"] = keep

    def purge_cache(self, lb_id: str) -> None:
        record = self.get(lb_id)
        if record["type"] != "GLOBAL":
            raise Unprocessable("only GLOBAL load balancers have a CDN cache to purge")

    def using_certificate(self, certificate_id: str) -> list[str]:
        return [lb["id"] for lb in self.table("load_balancers").values()
                if any(r.get("certificate_id") == certificate_id for r in lb["forwarding_rules"])
                or any(d.get("certificate_id") == certificate_id for d in lb.get("domains", []))]

    # -- for the tags family (``POST /v2/tags/{tag}/resources`` with resource_type load_balancer)
    def tag_target_exists(self, resource_type: str, resource_id: str) -> bool:
        return str(resource_id) in self.table("load_balancers")

    def set_tag(self, resource_id: str, tag: str, present: bool) -> None:
        record = self.table("load_balancers")[str(resource_id)]
        record["_tags"] = with_tag(record.get("_tags", []), tag, present)

    def view(self, record: dict) -> dict:
        """The API's view: targets resolved now (tagged droplets, deleted droplets dropped), project known."""
        out = public(record)
        out["tag"] = record.get("tag") or ""  # the API always sends it, "" when the LB targets droplet_ids
        droplets = links.optional_neighbour(self.state, "droplets")
        if record.get("tag") and droplets is not None:
            out["droplet_ids"] = droplets.ids_with_tag(record["tag"])
        else:
            out["droplet_ids"] = links.live_droplets(self.state, record["droplet_ids"])
        project_id = links.project_of(self.state, self.urn(record))
        if project_id:
            out["project_id"] = project_id
        return out
