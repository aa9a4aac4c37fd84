"""Which API endpoints a token may be sent to: https anywhere, plain http only on loopback.

Shared by the PyDo client factory and the stack config (``digitalocean:apiEndpoint``), so the
program's provider and the command-line tools follow one rule. Kept free of heavy imports.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlparse


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def endpoint_problem(url: str) -> str | None:
    """Why ``url`` may not carry a bearer token, or None when it may."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "not an http(s) URL"
    if parsed.scheme == "http" and not is_loopback(parsed.hostname):
        return ("plain http on a non-loopback host; the token would travel in clear. Use https, or http only "
                "with 127.0.0.1/localhost/::1 (the local emulator)")
    return None
