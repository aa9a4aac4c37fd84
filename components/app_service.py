"""AppService: an App Platform service running a DigitalOcean Container Registry image.

- The image is pinned by ``digest`` when one is given (what promotion writes), by ``tag`` otherwise.
- SECRET env values: App Platform stores them encrypted (``EV[1:...]``) and returns the ciphertext, so a
  plaintext value in the program diffs forever. Their paths go into ``ignore_changes`` unless
  ``rotate_secrets`` is set for the one run that should push new values (also the run that adds or
  removes a secret name, since that moves the ignored paths).
- Deployment and domain failures raise alerts, sent to the account's email (the API's default destination).
  The spec's alert ``destinations`` are not set: provider 4.76.0 writes them through the alerts API but never
  reads them back, so every refresh drops them from the state and every drift check reports them (upstream
  terraform-provider-digitalocean issue 1606).
- An optional link to ManagedPostgres attaches the cluster and hands the app its connection string as a secret
  (DATABASE_URL); when the cluster has a read-only replica, the link also carries the replica's URI
  (DATABASE_READ_URL, same user and database) for read traffic. Adding it adds a secret name: one
  ``rotate_secrets`` run, as for any new secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_digitalocean as do

from components.naming import child_name, do_name, do_urn
from components.tokens import TYPE_TOKENS
from do_vocab.http_paths import health_check_path_problem
from do_vocab.images import ImageRef
from do_vocab.names import APP_NAME, DIGEST, ENV_NAME

KIND = "app-service"
APP_ALERT_RULES = ("DEPLOYMENT_FAILED", "DOMAIN_FAILED")


@dataclass(frozen=True)
class DatabaseLink:
    """An attached ManagedPostgres cluster (by name), the URI handed to the app as DATABASE_URL and, when the
    cluster has a read-only replica, the replica's URI as DATABASE_READ_URL."""

    cluster_name: str
    db_name: str
    db_user: str
    uri: pulumi.Input[str]
    read_uri: pulumi.Input[str] | None = None


@dataclass(frozen=True)
class AppServiceArgs:
    env: str
    region: str
    name: str
    image: ImageRef
    instance_size: str = "apps-s-1vcpu-0.5gb"
    instance_count: int = 1
    http_port: int = 8080
    health_check_path: str = "/healthz"
    env_vars: Mapping[str, str] = field(default_factory=dict)
    secret_env: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    domain: str | None = None
    zone: str | None = None
    database: DatabaseLink | None = None
    rotate_secrets: bool = False
    project_id: pulumi.Input[str] | None = None


def app_name(env: str, name: str) -> str:
    """The App Platform app's name: ``<env>-<name>``, at most 32 characters (the API's limit)."""
    return do_name(env, name, limit=32)


def image_source(image: ImageRef) -> dict[str, str]:
    """Digest when present (immutable), tag otherwise; never both sent, never neither."""
    if image.digest:
        return {"digest": image.digest}
    if image.tag:
        return {"tag": image.tag}
    raise ValueError("[image] needs a tag or a digest")


def validate_app_service_args(args: AppServiceArgs) -> None:
    if not APP_NAME.match(args.name):
        raise ValueError(f"[name] {args.name!r}; allowed: lower-case letters, digits and dashes, 2-32 characters")
    image_source(args.image)
    if args.image.digest and not DIGEST.match(args.image.digest):
        raise ValueError(f"[image.digest] {args.image.digest!r}; allowed: sha256: and 64 hex digits")
    if not 1 <= args.http_port <= 65535:
        raise ValueError(f"[http_port] {args.http_port}; allowed: 1 to 65535")
    if not 1 <= args.instance_count <= 50:
        raise ValueError(f"[instance_count] {args.instance_count}; allowed: 1 to 50")
    if problem := health_check_path_problem(args.health_check_path):
        raise ValueError(f"[health_check_path] {args.health_check_path!r}: {problem}")
    names = [*args.env_vars, *args.secret_env, *database_env_names(args.database)]
    for key in names:
        if not ENV_NAME.match(key):
            raise ValueError(f"[env_vars] {key!r}; allowed: [A-Z_][A-Z0-9_]*")
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ValueError(f"[env_vars]/[secret_env] {dupes} set twice; allowed: each name once")


def database_env_names(link: DatabaseLink | None) -> list[str]:
    """The env names a database link sets: DATABASE_URL, and DATABASE_READ_URL with a replica."""
    if link is None:
        return []
    return ["DATABASE_URL"] + (["DATABASE_READ_URL"] if link.read_uri is not None else [])


def build_envs(args: AppServiceArgs) -> tuple[list[do.AppSpecServiceEnvArgs], list[str]]:
    """Env entries (SECRET ones first, each group sorted by name) and the spec paths of the SECRET values.

    Secrets come first so editing plain variables never shifts the ignored paths onto another
    variable's stored value; adding or removing a secret name needs a ``rotate_secrets`` run."""
    secrets = dict(args.secret_env)
    if args.database:
        secrets["DATABASE_URL"] = args.database.uri
        if args.database.read_uri is not None:
            secrets["DATABASE_READ_URL"] = args.database.read_uri
    envs = [do.AppSpecServiceEnvArgs(key=k, value=pulumi.Output.secret(v), type="SECRET", scope="RUN_TIME")
            for k, v in sorted(secrets.items())]
    secret_paths = [f"spec.services[0].envs[{i}].value" for i in range(len(envs))]
    envs += [do.AppSpecServiceEnvArgs(key=k, value=v, type="GENERAL", scope="RUN_AND_BUILD_TIME")
             for k, v in sorted(args.env_vars.items())]
    return envs, secret_paths


class AppService(pulumi.ComponentResource):
    """One App Platform app with one service."""

    app: do.App

    def __init__(self, name: str, args: AppServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKENS["AppService"], name, None, opts)
        validate_app_service_args(args)
        envs, secret_paths = build_envs(args)
        image = do.AppSpecServiceImageArgs(registry_type="DOCR", registry=args.image.registry,
                                           repository=args.image.repository, **image_source(args.image),
                                           deploy_on_pushes=[do.AppSpecServiceImageDeployOnPushArgs(enabled=False)])
        service = do.AppSpecServiceArgs(
            name=args.name, image=image, instance_size_slug=args.instance_size, instance_count=args.instance_count,
            http_port=args.http_port, envs=envs or None,
            health_check=do.AppSpecServiceHealthCheckArgs(http_path=args.health_check_path, port=args.http_port))
        spec = do.AppSpecArgs(
            name=app_name(args.env, args.name), region=args.region, services=[service],
            alerts=[do.AppSpecAlertArgs(rule=rule) for rule in APP_ALERT_RULES],
            domain_names=[do.AppSpecDomainNameArgs(name=args.domain, type="PRIMARY", zone=args.zone)]
            if args.domain else None,
            databases=[do.AppSpecDatabaseArgs(name=args.database.db_name, cluster_name=args.database.cluster_name,
                                              db_name=args.database.db_name, db_user=args.database.db_user,
                                              engine="PG", production=True)] if args.database else None)
        self.app = do.App(child_name(name, "app"), spec=spec, project_id=args.project_id,
                          opts=pulumi.ResourceOptions(
                              parent=self, ignore_changes=[] if args.rotate_secrets else secret_paths))
        self.secret_paths = secret_paths
        self.app_id = self.app.id
        self.live_url = self.app.live_url
        self.project_resources: list[pulumi.Output[str]] = [self.app.id.apply(lambda i: do_urn("app", i))]
        self.register_outputs({"app_id": self.app.id, "live_url": self.app.live_url})
