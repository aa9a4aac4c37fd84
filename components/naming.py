"""Child resource names and DigitalOcean naming rules, in one place.

Names come only from the component name and a fixed suffix, never from mutable inputs (size, tags),
so changing an input never renames (and so never replaces) a child. The one exception: a DigitalOcean
name that must be unique, on a resource an input already replaces (a VPC's range, a certificate's
hostname), carries that input, so the replacement created first does not clash with the original.
"""

from __future__ import annotations

import re

from do_vocab.names import is_pinned_image

_INVALID = re.compile(r"[^a-z0-9-]+")


def check_pinned_image(field_name: str, slug: str) -> None:
    """A droplet image must be a versioned slug (``ubuntu-24-04-x64``): an alias could move under a running stack."""
    if not is_pinned_image(slug):
        raise ValueError(f"[{field_name}] {slug!r} is not a pinned slug; allowed: e.g. ubuntu-24-04-x64")


def child_name(name: str, *suffix: str | int) -> str:
    """Pulumi logical name of a child: ``web-lb``, ``web-node-0``."""
    return "-".join([name, *(str(s) for s in suffix)])


def do_name(name: str, *suffix: str | int, limit: int = 63) -> str:
    """A DigitalOcean resource name: lower-case letters, digits and dashes, at most ``limit`` characters."""
    text = _INVALID.sub("-", child_name(name, *suffix).lower()).strip("-")
    return text[:limit].rstrip("-") or "do"


def do_urn(kind: str, resource_id: str) -> str:
    """DigitalOcean URN of a project member (``do:droplet:123``), as projects expect it."""
    return f"do:{kind}:{resource_id}"
