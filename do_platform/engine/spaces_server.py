"""The local S3 server that stands in for Spaces when a stack runs offline (`make up-local`, the e2e tests).

Spaces buckets are not part of the DigitalOcean API: the provider reaches them over the S3 protocol (the AWS SDK
for Go, v1) at ``spaces_endpoint``, while Spaces keys and CDN endpoints go through the API (the emulator). Offline,
moto's server mode (Apache-2.0, pinned in requirements-dev.txt) answers the S3 side, in memory.

One wrinkle: the SDK addresses buckets virtual-host style, ``http://<bucket>.<endpoint host>/``, and
``<bucket>.localhost`` does not resolve here (the resolver asks DNS). So the engine runs with ``HTTP_PROXY``
pointing at the server itself: the SDK sends ``PUT http://<bucket>.localhost:<port>/`` to it, and moto reads the
bucket from the Host header. Loopback addresses bypass proxies, so the provider's API calls to the emulator on
127.0.0.1 go straight there; ``NO_PROXY`` is set to the loopback literals only (a ``localhost`` entry would
also exempt ``<bucket>.localhost``).
"""

from __future__ import annotations

import contextlib
import sys
import urllib.request
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from do_platform.engine.processes import background_server

# Keys the local server takes: it checks no signature, but the provider refuses to build a client without keys.
LOCAL_ACCESS_KEY = "LOCALSPACESKEY"
LOCAL_SECRET_KEY = "local-spaces-secret-for-the-offline-s3-server"
S3_NAMESPACE = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def endpoint(port: int) -> str:
    """The ``spaces_endpoint`` of the local server (``localhost``, so buckets get a host name to live under)."""
    return f"http://localhost:{port}"


def engine_environment(port: int) -> dict[str, str]:
    """What the engine's environment needs for the provider to reach the local server (see the module docstring):
    the endpoint, the keys, and the proxy that routes ``<bucket>.localhost`` to it."""
    proxy = f"http://127.0.0.1:{port}"
    no_proxy = "127.0.0.1,::1"
    return {"SPACES_ENDPOINT_URL": endpoint(port), "SPACES_ACCESS_KEY_ID": LOCAL_ACCESS_KEY,
            "SPACES_SECRET_ACCESS_KEY": LOCAL_SECRET_KEY, "HTTP_PROXY": proxy, "http_proxy": proxy,
            "NO_PROXY": no_proxy, "no_proxy": no_proxy}


def buckets(port: int, timeout: float = 2.0) -> list[str]:
    """The names of the buckets the local server holds (an S3 ListBuckets, path style)."""
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={
        "Authorization": f"AWS4-HMAC-SHA256 Credential={LOCAL_ACCESS_KEY}/20260101/us-east-1/s3/aws4_request"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - a loopback URL built here
        root = ET.fromstring(resp.read())
    return sorted(el.text or "" for el in root.iter(f"{S3_NAMESPACE}Name"))


@contextlib.contextmanager
def spaces_server(port: int, log_dir: Path, python: str = sys.executable) -> Iterator[str]:
    """moto's S3 server on 127.0.0.1:`port` in the background; yields its ``spaces_endpoint``, stops it on exit.

    Its log goes to ``log_dir/spaces-<port>.log``. Buckets live in memory: they end with the server.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    with background_server([python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                           log_dir / f"spaces-{port}.log", lambda: buckets(port, timeout=0.5),
                           f"the local S3 server on port {port}", wait_s=30):
        yield endpoint(port)
