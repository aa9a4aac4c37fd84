"""Stacks in tests: a raw ``Pulumi.<stack>.yaml`` config, its file, and its resources created through PyDo."""

from __future__ import annotations

from ruamel.yaml import YAML

ALL = ["network", "dns", "web", "database", "kubernetes", "apps"]
# A staging stack file as a person writes it (a comment, flow style), its web app pinned by digest: what
# promotion rewrites, keeping the rest of the text as it was.
STAGING_PINNED = """\
config:
  do-platform:environment: staging
  do-platform:apps:
    - name: web  # the site
      image: {registry: do-platform, repository: web, tag: "1.0.0", digest: "sha256:%s"}
""" % ("c" * 64)


def stack(stack_name: str = "dev", **overrides) -> dict:
    """A raw config mapping as in Pulumi.<stack>.yaml (dev-shaped unless overridden)."""
    raw = {
        "do-platform:environment": "development", "do-platform:region": "nyc3",
        "do-platform:components": ["network", "dns", "web", "database", "apps"],
        "do-platform:domain": "dev.example.com", "do-platform:registry": "do-platform",
        "do-platform:alertEmails": ["ops@example.com"], "do-platform:network": {"ipRange": "10.110.0.0/20"},
        "do-platform:web": {"size": "s-1vcpu-1gb", "count": 1},
        "do-platform:database": {"size": "db-s-1vcpu-1gb", "version": "17", "nodeCount": 1},
        "do-platform:apps": [{"name": "web", "image": {"registry": "do-platform", "repository": "web",
                                                      "tag": "main"}, "useDatabase": True}],
    }
    raw.update({f"do-platform:{k}": v for k, v in overrides.items()})
    return raw


def write_stack(root, name: str, raw: dict) -> None:
    with (root / f"Pulumi.{name}.yaml").open("w") as fh:
        YAML().dump({"config": raw}, fh)


def deploy_stack(client, emulator, name: str = "dev", *, web_count: int = 1, project: bool = True) -> dict:
    """Create a stack's resources as ``pulumi up`` would; returns what was made, by kind."""
    emulator.control.seed("registry", {"registry": "do-platform", "pushes": [{"repository": "web", "tags": ["main"]}]})
    domain = "dev.example.com" if name == "dev" else f"{name}.example.com"
    client.domains.create({"name": domain})
    vpc = client.vpcs.create({"name": f"{name}-network-vpc", "region": "nyc3", "ip_range": "10.110.0.0/20"})["vpc"]
    web_tag = f"{name}-web-web"
    droplets = [client.droplets.create({
        "name": f"{name}-web-{i}", "region": "nyc3", "size": "s-1vcpu-1gb", "image": "ubuntu-24-04-x64",
        "vpc_uuid": vpc["id"], "tags": ["component:web-cluster", web_tag, f"{name}-network-member", f"env:{name}"],
    })["droplet"] for i in range(web_count)]
    cert = client.certificates.create({"name": f"{name}-web-cert", "type": "lets_encrypt",
                                       "dns_names": [f"www.{domain}"]})["certificate"]
    lb = client.load_balancers.create({
        "name": f"{name}-web-lb", "region": "nyc3", "vpc_uuid": vpc["id"], "tag": web_tag,
        "redirect_http_to_https": True,
        "forwarding_rules": [{"entry_protocol": "https", "entry_port": 443, "target_protocol": "http",
                              "target_port": 8080, "certificate_id": cert["id"]},
                             {"entry_protocol": "http", "entry_port": 80, "target_protocol": "http",
                              "target_port": 8080}],
        "health_check": {"protocol": "http", "port": 8080, "path": "/healthz"}})["load_balancer"]
    db = client.databases.create_cluster({
        "name": f"{name}-db", "engine": "pg", "version": "17", "size": "db-s-1vcpu-1gb", "region": "nyc3",
        "num_nodes": 1, "private_network_uuid": vpc["id"], "tags": ["component:managed-postgres", f"env:{name}"]})
    k8s = client.kubernetes.create_cluster({
        "name": f"{name}-k8s", "region": "nyc3", "version": "1.33.1-do.0", "vpc_uuid": vpc["id"],
        "tags": ["component:kubernetes", f"env:{name}"],
        "node_pools": [{"name": "default", "size": "s-2vcpu-4gb", "count": 1, "tags": [f"env:{name}"]}]})
    app = client.apps.create({"spec": {"name": f"{name}-web", "region": "nyc", "services": [{
        "name": "web", "http_port": 8080, "instance_size_slug": "apps-s-1vcpu-0.5gb", "instance_count": 1,
        "image": {"registry_type": "DOCR", "registry": "do-platform", "repository": "web", "tag": "main"}}]}})["app"]
    made = {"droplets": droplets, "lb": lb, "cert": cert, "db": db["database"],
            "k8s": k8s["kubernetes_cluster"], "app": app}
    if project:
        proj = client.projects.create({"name": f"do-platform-{name}", "purpose": "Web Application",
                                       "environment": "Development"})["project"]
        # The app stays out of the project here: the API (and the program) assign do:app URNs, but the
        # OpenAPI description's URN pattern lacks them, so the conformance run would reject the answer.
        # Status finds the app by its name instead (also tested without any project below).
        urns = [f"do:droplet:{d['id']}" for d in droplets] + [
            f"do:loadbalancer:{lb['id']}", f"do:dbaas:{made['db']['id']}", f"do:kubernetes:{made['k8s']['id']}"]
        client.projects.assign_resources(proj["id"], {"resources": urns})
        made["project"] = proj
    return made
