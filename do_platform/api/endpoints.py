"""Which API endpoints a token may be sent to: https anywhere, plain http only to a loopback literal.

:func:`normalise_endpoint` is the one place that decides, for every way an endpoint arrives (``--api-url``,
``DIGITALOCEAN_API_URL``, the stack's ``digitalocean:apiEndpoint``, the retention resource's input). It
does not ask a general URL parser what the host is (parsers disagree: ``http://evil.example\\@127.0.0.1``
is host 127.0.0.1 to ``urllib.parse`` and ``evil.example`` to urllib3, which sends the request). It
accepts one strict grammar, ``scheme://host[:port][/path]``, refuses everything else (userinfo,
backslashes, percent-encoding, whitespace, query, fragment, numeric host forms other than a dotted quad,
IPv6 zone ids), and returns the normalised URL, which is what callers send: the checker and the sender
then cannot read it differently. Kept free of heavy imports (the Pulumi program loads it).
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

ALLOWED = ("https://host[:port][/path], or http:// to a loopback address (127.0.0.0/8, [::1], localhost) "
           "for the local emulator")

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
# host[:port][/path]; the host part is judged separately below.
_REST = re.compile(r"^(?P<host>\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(?P<port>[0-9]{1,5}))?"
                   r"(?P<path>(?:/[A-Za-z0-9._~-]*)*)$")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_DOTTED_QUAD = re.compile(r"^(?:0|[1-9][0-9]{0,2})(?:\.(?:0|[1-9][0-9]{0,2})){3}$")


class EndpointError(ValueError):
    """Why a URL may not carry the bearer token (the message names what is wrong and what is allowed)."""


def _host(raw: str) -> tuple[str, ipaddress.IPv4Address | ipaddress.IPv6Address | None]:
    """(normalised host, its address when it is an IP literal); EndpointError for anything ambiguous."""
    if raw.startswith("["):
        try:
            address = ipaddress.IPv6Address(raw[1:-1])
        except ValueError:
            raise EndpointError(f"{raw!r} is not an IPv6 address (zone ids are not allowed)") from None
        return f"[{address.compressed}]", address
    host = raw.lower()
    labels = host.split(".")
    if all(label.isdigit() for label in labels):
        # Only the four-part decimal form: 127.1, 2130706433 and 0177.0.0.1 mean different hosts to different
        # resolvers (inet_aton reads them as 127.0.0.1, a DNS lookup does not).
        if not _DOTTED_QUAD.match(host):
            raise EndpointError(f"{raw!r} is a numeric host in a form resolvers read differently; allowed: a "
                                f"dotted-quad IPv4 address such as 127.0.0.1")
        try:
            address = ipaddress.IPv4Address(host)
        except ValueError:
            raise EndpointError(f"{raw!r} is not an IPv4 address") from None
        return host, address
    if len(host) > 253 or not all(_LABEL.match(label) for label in labels):
        raise EndpointError(f"{raw!r} is not a host name; allowed: letters, digits and '-' in dot-separated "
                            f"labels (no empty label, no trailing dot)")
    if not labels[-1][0].isalpha():
        # 0x7f.1, 127.0.0.1x...: a last label that starts with a digit is parsed as a number by some clients.
        raise EndpointError(f"{raw!r} ends in a label that does not start with a letter; allowed: a host name "
                            f"such as api.digitalocean.com, or an IP address")
    return host, None


def normalise_endpoint(url: str, *, allow_path: bool = True) -> str:
    """The URL to send the token to, normalised (lower-case scheme and host, no trailing ``/``).

    EndpointError when ``url`` is not ``https://host[:port][/path]`` or ``http://`` to a loopback address.
    ``allow_path=False`` for the provider's endpoint, which its SDK resolves against the API root.
    """
    if not isinstance(url, str) or not url:
        raise EndpointError(f"empty; allowed: {ALLOWED}")
    if not url.isascii() or not url.isprintable() or any(c.isspace() for c in url):
        raise EndpointError(f"contains a space, control or non-ASCII character; allowed: {ALLOWED}")
    if "\\" in url or "@" in url or "%" in url:
        raise EndpointError(f"contains a backslash, '@' (userinfo) or percent-encoding, which HTTP libraries "
                            f"read differently; allowed: {ALLOWED}")
    scheme_match = _SCHEME.match(url)
    if not scheme_match or scheme_match.group(1).lower() not in ("http", "https"):
        raise EndpointError(f"not an http(s) URL; allowed: {ALLOWED}")
    scheme = scheme_match.group(1).lower()
    rest = _REST.match(url[scheme_match.end():])
    if not rest:
        raise EndpointError(f"not of the form {scheme}://host[:port][/path] (no query, fragment or empty host); "
                            f"allowed: {ALLOWED}")
    host, address = _host(rest.group("host"))
    port = rest.group("port")
    if port is not None and (port.startswith("0") or not 1 <= int(port) <= 65535):
        raise EndpointError(f"port {port} is not a port; allowed: 1 to 65535, without leading zeros")
    path = rest.group("path").rstrip("/")
    if path and not allow_path:
        raise EndpointError(f"has a path ({path}); allowed: the API root, {scheme}://host[:port] without a path")
    if any(segment in (".", "..") for segment in path.split("/")):
        raise EndpointError(f"has a '.' or '..' path segment; allowed: {ALLOWED}")
    if scheme == "http" and not is_loopback_host(host, address):
        raise EndpointError("plain http on a non-loopback host; the token would travel in clear. Use https, or "
                            "http only with 127.0.0.1/localhost/[::1] (the local emulator)")
    return f"{scheme}://{host}{'' if port is None else ':' + port}{path}"


def is_loopback_host(host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
    """Loopback literals only: 127.0.0.0/8, ::1 and the name ``localhost`` (never a name that resolves there)."""
    if address is None:
        return host == "localhost"
    return address.is_loopback and (address.version == 4 or address == ipaddress.IPv6Address("::1"))


def is_loopback_endpoint(url: str) -> bool:
    """True for an endpoint on a loopback address (the local emulator): a stack pointed there is emulator-only."""
    try:
        host = urlsplit(normalise_endpoint(url)).hostname or ""
    except EndpointError:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    return is_loopback_host(host, address)


def endpoint_problem(url: str) -> str | None:
    """Why ``url`` may not carry a bearer token, or None when it may (callers then send the normalised URL)."""
    try:
        normalise_endpoint(url)
    except EndpointError as exc:
        return str(exc)
    return None


def shown_endpoint(url: object) -> str:
    """``url`` for an error message: quoted, with anything before an ``@`` (credentials) left out."""
    text = repr(url) if not isinstance(url, str) else url
    if "@" in text:
        scheme, sep, rest = text.partition("://")
        text = f"{scheme}{sep}[userinfo not shown]@{rest.rsplit('@', 1)[1]}" if sep else "[not shown: contains '@']"
    return repr(text if len(text) <= 120 else text[:117] + "...")
