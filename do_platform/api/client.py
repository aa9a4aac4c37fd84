"""The one place a PyDo client is built: token, endpoint, retries, rate pacing.

- Token from the argument, else ``DIGITALOCEAN_TOKEN``, else ``DIGITALOCEAN_ACCESS_TOKEN``.
- Endpoint from the argument, else ``DIGITALOCEAN_API_URL``, else the public API.
- ``http://`` is allowed for loopback addresses only (the emulator): a bearer token never travels in
  clear to anything else. :func:`do_platform.api.endpoints.normalise_endpoint` decides, and the client is
  built with the URL it returns. azure-core refuses bearer credentials over http outright, so for
  loopback the token is sent by a headers policy instead.
- Retries are azure-core's ``RetryPolicy`` (429/5xx, honours ``Retry-After``); pacing under the
  API's rate limit reads the ``ratelimit-*`` headers (:class:`RateLimitPacingPolicy`).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

import pydo
from azure.core.pipeline.policies import HeadersPolicy, RetryPolicy, SansIOHTTPPolicy

from do_platform.api.endpoints import EndpointError, normalise_endpoint, shown_endpoint
from do_platform.errors import ConfigError

PUBLIC_API = "https://api.digitalocean.com"
TOKEN_ENV_VARS = ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN")
ENDPOINT_ENV_VAR = "DIGITALOCEAN_API_URL"


def resolve_token(token: str | None = None, *, token_flag: str | None = "--token") -> str:
    """The explicit token or the first set environment variable; ConfigError naming them otherwise.

    ``token_flag`` is the caller's option that takes a token (None: the caller reads the environment only,
    as the MCP server does), so the message offers only what the user can do."""
    if token and token.strip():
        return _checked_token(token, f"{token_flag or 'the token argument'} / {TOKEN_ENV_VARS[0]}")
    for name in TOKEN_ENV_VARS:
        value = os.environ.get(name)
        if value and value.strip():
            return _checked_token(value, name)
    variables = f"{TOKEN_ENV_VARS[0]} (or {', '.join(TOKEN_ENV_VARS[1:])})"
    if token_flag:
        raise ConfigError(f"no DigitalOcean API token: pass {token_flag} or set {variables}")
    raise ConfigError(f"no DigitalOcean API token: set {variables} in this process's environment; it takes "
                      f"the token from there only", f"an MCP client: add {TOKEN_ENV_VARS[0]} to the server's "
                      f"\"env\" block")


def _checked_token(token: str, source: str) -> str:
    """Surrounding whitespace (a token file's trailing CR/LF) is dropped; anything else that cannot go in an
    HTTP header is refused here, without the value: the HTTP stack would echo the header in its error."""
    token = token.strip()
    if not (token.isascii() and token.isprintable()) or any(c.isspace() for c in token):
        raise ConfigError(f"the API token from {source} contains a space, control or non-ASCII character; "
                          "allowed: printable ASCII without spaces (the token itself is not shown)",
                          "copy the token again, without quotes or line breaks")
    return token


def resolve_endpoint(endpoint: str | None = None) -> str:
    """The endpoint to send the token to, normalised by :func:`normalise_endpoint` (the one rule):
    https anywhere, http only to a loopback address. The normalised URL is what the client sends."""
    if endpoint:
        url, source = endpoint, f"--api-url, {ENDPOINT_ENV_VAR} or digitalocean:apiEndpoint"
    elif os.environ.get(ENDPOINT_ENV_VAR):
        url, source = os.environ[ENDPOINT_ENV_VAR], ENDPOINT_ENV_VAR
    else:
        url, source = PUBLIC_API, "the default"
    try:
        return normalise_endpoint(url)
    except EndpointError as exc:
        raise ConfigError(f"API endpoint {shown_endpoint(url)} (set by {source}): {exc}") from None


@dataclass
class RateLimitState:
    limit: int | None = None
    remaining: int | None = None
    reset_epoch: int | None = None


class RateLimitPacingPolicy(SansIOHTTPPolicy):
    """Keeps a client under the API's rate limit instead of bursting into 429s.

    Header-driven (always on): nothing is slowed while ``ratelimit-remaining`` is comfortable; below
    ``low_water`` (a fraction of ``ratelimit-limit``) the remaining requests are spread evenly over the
    time left until ``ratelimit-reset``, and with ``reserve`` or fewer left the client waits for the
    reset. With ``max_per_minute`` (long walks such as registry cleanup: the API also allows 250
    requests/minute) requests are additionally spaced at least ``60 / max_per_minute`` s apart.
    """

    def __init__(self, reserve: int = 5, sleep=time.sleep, clock=time.time,
                 max_per_minute: int | None = None, low_water: float = 0.1) -> None:
        self.reserve = reserve
        self.low_water = low_water
        self.state = RateLimitState()
        self._lock = threading.Lock()
        self._sleep = sleep
        self._clock = clock
        self.min_interval = 60.0 / max_per_minute if max_per_minute else 0.0
        self._next_slot = 0.0

    def header_wait(self, state: RateLimitState, now: float) -> float:
        """Seconds to wait before the next request, from the last ``ratelimit-*`` headers seen."""
        if state.remaining is None or state.reset_epoch is None:
            return 0.0
        left = state.reset_epoch - now
        if left <= 0:
            return 0.0
        if state.remaining <= self.reserve:
            return left
        if state.limit and state.remaining > state.limit * self.low_water:
            return 0.0
        return left / (state.remaining - self.reserve)

    def on_request(self, request) -> None:  # noqa: D401 - azure-core hook
        with self._lock:
            now = self._clock()
            wait = self.header_wait(self.state, now)
            if self.min_interval:
                wait = max(wait, self._next_slot - now)
                self._next_slot = max(now, self._next_slot) + self.min_interval
        if wait > 0:
            self._sleep(wait)

    def on_response(self, request, response) -> None:
        headers = response.http_response.headers
        try:
            remaining = int(headers["ratelimit-remaining"])
            reset = int(headers["ratelimit-reset"])
        except (KeyError, TypeError, ValueError):
            return
        try:
            limit = int(headers["ratelimit-limit"])
        except (KeyError, TypeError, ValueError):
            limit = None
        with self._lock:
            self.state = RateLimitState(limit, remaining, reset)


def make_client(token: str | None = None, endpoint: str | None = None, *, retry_total: int = 6,
                retry_backoff_factor: float = 0.5, retry_backoff_max: float = 30.0,
                pace: bool = True, timeout: float = 60, max_per_minute: int | None = None,
                token_flag: str | None = "--token") -> pydo.Client:
    """A PyDo client for the API or the emulator, with retries and rate pacing configured (``token_flag``: as
    in :func:`resolve_token`)."""
    token = resolve_token(token, token_flag=token_flag)
    url = resolve_endpoint(endpoint)
    kwargs = {
        "endpoint": url,
        # Per attempt, read by the transport (a plain ``timeout`` keyword is silently ignored by it).
        "connection_timeout": timeout,
        "read_timeout": timeout,
        "retry_policy": RetryPolicy(
            retry_total=retry_total,
            retry_status=retry_total,  # azure-core stops status retries (429/5xx) after 3 otherwise
            retry_backoff_factor=retry_backoff_factor,
            retry_backoff_max=retry_backoff_max,
        ),
    }
    if pace:
        kwargs["custom_hook_policy"] = RateLimitPacingPolicy(max_per_minute=max_per_minute)
    if url.startswith("http://"):
        # Loopback only (checked above): azure-core's bearer policy refuses non-TLS URLs.
        kwargs["authentication_policy"] = HeadersPolicy({"Authorization": f"Bearer {token}"})
    return pydo.Client(token, **kwargs)
