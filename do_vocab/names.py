"""Patterns of DigitalOcean names and slugs, and the fixed lists the API accepts.

Each pattern is the rule both the components (``ValueError`` naming the argument) and the stack config
(``ConfigError`` naming the key) check; their messages differ, the rule does not.
"""

from __future__ import annotations

import re

# A versioned distribution slug (ubuntu-24-04-x64); an alias such as "latest" could move under a running stack.
IMAGE_SLUG = re.compile(r"^[a-z][a-z0-9.-]*-\d[\w.-]*$")
DEFAULT_IMAGE = "ubuntu-24-04-x64"
DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")  # an App Platform environment variable
STACK_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")  # a stack of this project: Pulumi.<stack>.yaml
APP_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
POOL_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")  # a DOKS node pool
RESERVED_POOL_NAME = "default"  # the cluster's own pool
# A DOKS minor-version prefix, resolved through the versions lookup (never "latest").
K8S_PREFIX = re.compile(r"^1\.\d{2}\.$")
DEFAULT_K8S_PREFIX = "1.33."  # Pulumi.yaml documents it too (a test keeps the two equal)
# Managed Postgres databases and users.
REPLICA_NAME = re.compile(r"^[a-z][a-z0-9-]{0,18}[a-z0-9]$")  # a read-only replica (``<env>-db-<name>``)
DB_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
RESERVED_DB_NAMES = ("doadmin", "defaultdb", "postgres")
POSTGRES_VERSIONS = ("14", "15", "16", "17")
DEFAULT_POSTGRES_VERSION = "17"
# DigitalOcean Container Registry.
REGISTRY_HOST = "registry.digitalocean.com/"
REGISTRY = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
REPOSITORY = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")
TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
# Sizes are not patterns: they are the catalog's slugs (do_vocab.catalog, do_vocab/catalog.json).
# DNS and the rest.
HOST_LABEL = re.compile(r"^(@|[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$")  # a record name, @ for the apex
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
K8S_MAINTENANCE_DAYS = ("any", *WEEKDAYS)  # DOKS also accepts "any"


def is_pinned_image(slug: str) -> bool:
    """A droplet image that cannot move under a running stack: a versioned slug, never ``latest``."""
    return slug != "latest" and bool(IMAGE_SLUG.fullmatch(slug))


def is_k8s_prefix(prefix: str) -> bool:
    """A minor-version prefix such as ``1.33.`` (never ``latest``)."""
    return prefix != "latest" and bool(K8S_PREFIX.fullmatch(prefix))


def is_db_identifier(name: str) -> bool:
    """A database or user name the cluster lets us create (``doadmin``, ``defaultdb``, ``postgres`` are its own)."""
    return bool(DB_IDENTIFIER.fullmatch(name)) and name not in RESERVED_DB_NAMES


def registry_name(registry: str) -> str:
    """``registry.digitalocean.com/<name>/`` (how images are pushed) and ``<name>`` are the same registry."""
    return registry.removeprefix(REGISTRY_HOST).strip("/")
# Spaces object storage (Spaces has no tags; a bucket is found by its name, which is global across Spaces).
# Bucket names: 3-63 lower-case letters, digits and dashes, starting and ending with a letter or digit (no dots:
# wildcard certificates do not match dotted names).
SPACES_BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
# The regions with Spaces (the SpacesRegions list of provider 4.76.0).
SPACES_REGIONS = ("ams3", "atl1", "blr1", "fra1", "lon1", "nyc3", "sfo2", "sfo3", "sgp1", "syd1", "tor1")
SPACES_ACLS = ("private", "public-read")
SPACES_KEY_PERMISSIONS = ("read", "readwrite")  # a key scoped to one bucket (fullaccess covers every bucket)
CORS_METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")
CDN_TTLS = (60, 600, 3600, 86400, 604800)  # the TTLs the CDN endpoints API accepts
