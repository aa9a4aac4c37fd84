"""ObjectStore: a Spaces bucket, an access key scoped to it, and optionally a CDN with a custom subdomain.

- The bucket is private unless ``acl="public-read"`` (a public site); versioning and lifecycle rules
  (non-current versions expire after ``noncurrent_version_days``, incomplete multipart uploads are aborted
  after ``abort_incomplete_upload_days``) are set on the bucket itself; CORS rules, when given, through
  ``SpacesBucketCorsConfiguration`` (the bucket's own ``cors_rules`` are deprecated and drift-blind); an
  optional bucket policy through ``SpacesBucketPolicy``.
- The access key (``SpacesKey``) has one grant, on this bucket only (``read`` or ``readwrite``); its id and
  secret are Pulumi secrets, in the state and in the component's outputs.
- The CDN (``Cdn``) fronts the bucket's origin; with a ``cdn_subdomain`` and a ``zone`` (a DigitalOcean
  DNS zone, e.g. the ``Dns`` component's ``domain_name``) it gets a Let's Encrypt certificate for
  ``<subdomain>.<zone>`` and a CNAME record to the endpoint. The CDN serves what the bucket lets anonymous
  readers see: objects of a private bucket need signed URLs.
- Spaces speaks S3 on its own endpoint: the provider needs Spaces keys (``spaces_access_id`` /
  ``spaces_secret_key`` or ``SPACES_ACCESS_KEY_ID`` / ``SPACES_SECRET_ACCESS_KEY``) and, off DigitalOcean,
  ``spaces_endpoint`` (or ``SPACES_ENDPOINT_URL``).

The bucket name is global across Spaces, so it is an explicit argument; Spaces has no tags, so the bucket is
found by its name and its project membership (``project_resources``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pulumi
import pulumi_digitalocean as do

from components.naming import child_name, do_name
from components.tokens import TYPE_TOKENS
from do_vocab.names import (
    CDN_TTLS,
    CORS_METHODS,
    HOST_LABEL,
    SPACES_ACLS,
    SPACES_BUCKET,
    SPACES_KEY_PERMISSIONS,
    SPACES_REGIONS,
)

KIND = "object-store"
BUCKET_NAME = SPACES_BUCKET
ACLS = SPACES_ACLS
KEY_PERMISSIONS = SPACES_KEY_PERMISSIONS
LIFECYCLE_OLD_VERSIONS = "expire-noncurrent-versions"
LIFECYCLE_UPLOADS = "abort-incomplete-uploads"


@dataclass(frozen=True)
class CorsRule:
    """One CORS rule: which origins may use which methods (and send which headers)."""

    allowed_origins: tuple[str, ...]
    allowed_methods: tuple[str, ...] = ("GET", "HEAD")
    allowed_headers: tuple[str, ...] = ()
    max_age_seconds: int = 3000


@dataclass(frozen=True)
class ObjectStoreArgs:
    env: str
    region: str
    bucket: str
    acl: str = "private"
    versioning: bool = False
    noncurrent_version_days: int = 30
    abort_incomplete_upload_days: int = 7
    cors: tuple[CorsRule, ...] = ()
    policy: pulumi.Input[str] | None = None  # a bucket policy document (JSON), when the ACL is not enough
    key_permission: str = "readwrite"
    cdn: bool = False
    cdn_ttl: int = 3600
    cdn_subdomain: str | None = None
    zone: pulumi.Input[str] | None = None
    force_destroy: bool = False
    protect: bool = False


def validate_object_store_args(args: ObjectStoreArgs) -> None:
    """Refuse what the provider or Spaces would refuse later, naming the argument and what is allowed."""
    if args.region not in SPACES_REGIONS:
        raise ValueError(f"[region] {args.region!r} has no Spaces; allowed: {', '.join(SPACES_REGIONS)}")
    if not BUCKET_NAME.fullmatch(args.bucket):
        raise ValueError(f"[bucket] {args.bucket!r} is not a bucket name; allowed: 3-63 lower-case letters, "
                         "digits and dashes, starting and ending with a letter or digit")
    checks = ((args.acl, ACLS, "acl"), (args.key_permission, KEY_PERMISSIONS, "key_permission"),
              (args.cdn_ttl, CDN_TTLS, "cdn_ttl"))
    for value, allowed, key in checks:
        if value not in allowed:
            raise ValueError(f"[{key}] {value!r} is not allowed; allowed: {', '.join(map(str, allowed))}")
    if args.noncurrent_version_days < 0 or args.abort_incomplete_upload_days < 0:
        raise ValueError("[noncurrent_version_days, abort_incomplete_upload_days] negative; allowed: 0 (no rule) "
                         "or a number of days")
    for i, rule in enumerate(args.cors):
        bad = [m for m in rule.allowed_methods if m not in CORS_METHODS]
        if not rule.allowed_origins or not rule.allowed_methods or bad:
            raise ValueError(f"[cors[{i}]] needs origins and methods from {', '.join(CORS_METHODS)}; got origins "
                             f"{list(rule.allowed_origins)}, methods {list(rule.allowed_methods)}")
    if args.cdn_subdomain is not None:
        if not args.cdn:
            raise ValueError("[cdn_subdomain] set without cdn=True; allowed: cdn=True, or no subdomain")
        if args.zone is None or args.cdn_subdomain == "@" or not HOST_LABEL.fullmatch(args.cdn_subdomain):
            raise ValueError(f"[cdn_subdomain] {args.cdn_subdomain!r} needs a DNS label (not @) and a zone; "
                             "allowed: a label such as cdn, with zone set to the stack's DNS zone")


def lifecycle_rules(args: ObjectStoreArgs) -> list[do.SpacesBucketLifecycleRuleArgs]:
    """Old versions expire (only on a versioned bucket) and incomplete uploads are aborted; 0 days is no rule."""
    rules = []
    if args.versioning and args.noncurrent_version_days:
        rules.append(do.SpacesBucketLifecycleRuleArgs(
            id=LIFECYCLE_OLD_VERSIONS, enabled=True,
            noncurrent_version_expiration=do.SpacesBucketLifecycleRuleNoncurrentVersionExpirationArgs(
                days=args.noncurrent_version_days)))
    if args.abort_incomplete_upload_days:
        rules.append(do.SpacesBucketLifecycleRuleArgs(
            id=LIFECYCLE_UPLOADS, enabled=True,
            abort_incomplete_multipart_upload_days=args.abort_incomplete_upload_days))
    return rules


def cors_rule_args(args: ObjectStoreArgs) -> list[do.SpacesBucketCorsConfigurationCorsRuleArgs]:
    return [do.SpacesBucketCorsConfigurationCorsRuleArgs(
        allowed_origins=list(r.allowed_origins), allowed_methods=list(r.allowed_methods),
        allowed_headers=list(r.allowed_headers) or None, max_age_seconds=r.max_age_seconds) for r in args.cors]


def cdn_certificate_name(env: str, name: str, host: str) -> str:
    """Unique per host name, like the web cluster's: a new host replaces the certificate, created first."""
    return do_name(env, name, "cdn-cert", hashlib.sha256(host.lower().encode()).hexdigest()[:8])


class ObjectStore(pulumi.ComponentResource):
    """A Spaces bucket with its scoped access key, and an optional CDN endpoint."""

    bucket: do.SpacesBucket
    key: do.SpacesKey
    cdn: do.Cdn | None

    def __init__(self, name: str, args: ObjectStoreArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(TYPE_TOKENS["ObjectStore"], name, None, opts)
        validate_object_store_args(args)
        self.bucket = do.SpacesBucket(
            child_name(name, "bucket"), name=args.bucket, region=args.region, acl=args.acl,
            versioning=do.SpacesBucketVersioningArgs(enabled=args.versioning),
            lifecycle_rules=lifecycle_rules(args), force_destroy=args.force_destroy,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        under_bucket = pulumi.ResourceOptions(parent=self.bucket, protect=False)
        self.cors = do.SpacesBucketCorsConfiguration(
            child_name(name, "cors"), bucket=self.bucket.name, region=args.region, cors_rules=cors_rule_args(args),
            opts=under_bucket) if args.cors else None
        self.policy = do.SpacesBucketPolicy(
            child_name(name, "policy"), bucket=self.bucket.name, region=args.region, policy=args.policy,
            opts=under_bucket) if args.policy is not None else None
        self.key = do.SpacesKey(
            child_name(name, "key"), name=do_name(args.env, name, "key"),
            grants=[do.SpacesKeyGrantArgs(bucket=self.bucket.name, permission=args.key_permission)],
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["access_key", "secret_key"]))

        self.cdn = self.certificate = self.record = None
        self.cdn_host: pulumi.Output[str] | None = None  # the custom subdomain's host name, when there is one
        if args.cdn:
            self._cdn(name, args)

        self.bucket_name = self.bucket.name
        self.bucket_domain_name = self.bucket.bucket_domain_name
        self.endpoint = self.bucket.endpoint
        self.access_key_id = pulumi.Output.secret(self.key.access_key)
        self.secret_access_key = pulumi.Output.secret(self.key.secret_key)
        self.cdn_endpoint = self.cdn.endpoint if self.cdn else None
        # Where objects are served: the custom subdomain, else the CDN endpoint, else the bucket itself.
        served = self.cdn_host if self.cdn_host is not None else \
            self.cdn.endpoint if self.cdn is not None else self.bucket.bucket_domain_name
        self.url = served.apply(lambda host: f"https://{host}")
        self.project_resources: list[pulumi.Output[str]] = [self.bucket.bucket_urn]
        self.register_outputs({"bucket": self.bucket.name, "url": self.url, "access_key_id": self.access_key_id,
                               "secret_access_key": self.secret_access_key})

    def _cdn(self, name: str, args: ObjectStoreArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        if args.cdn_subdomain is None:
            self.cdn = do.Cdn(child_name(name, "cdn"), origin=self.bucket.bucket_domain_name, ttl=args.cdn_ttl,
                              opts=child)
            return
        zone = pulumi.Output.from_input(args.zone)
        self.cdn_host = zone.apply(lambda z: f"{args.cdn_subdomain}.{z}")
        # The certificate's name carries the host, as the web cluster's does: a new zone or label replaces it.
        cert_name = self.cdn_host.apply(lambda host: cdn_certificate_name(args.env, name, host))
        # Let's Encrypt validates through DNS, so the certificate waits for the zone.
        self.certificate = do.Certificate(child_name(name, "cdn-cert"), name=cert_name, type="lets_encrypt",
                                          domains=[self.cdn_host], opts=child)
        self.cdn = do.Cdn(child_name(name, "cdn"), origin=self.bucket.bucket_domain_name, ttl=args.cdn_ttl,
                          custom_domain=self.cdn_host, certificate_name=self.certificate.name, opts=child)
        self.record = do.DnsRecord(child_name(name, "cdn-cname"), domain=zone, type="CNAME", name=args.cdn_subdomain,
                                   value=self.cdn.endpoint.apply(lambda e: e.rstrip(".") + "."), ttl=300,
                                   opts=pulumi.ResourceOptions(parent=self.cdn))
