"""The one place a PyDo client is built: token, endpoint, retries, rate pacing.

- Token from the argument, else ``DIGITALOCEAN_TOKEN``, else ``DIGITALOCEAN_ACCESS_TOKEN``.
- Endpoint from the argument, else ``DIGITALOCEAN_API_URL``, else the public API.
- ``http://`` is allowed for loopback addresses only (the emulator): a bearer token never travels in
  clear to anything else. :func:`do_platform.api.endpoints.normalise_endpoint` decides, and the client is
  built with the URL it returns. azure-core refuses bearer credentials over http outright, so for
  loopback the token is sent by a headers policy instead.
- Retries are azure-core's ``RetryPolicy`` (429/5xx, honours ``Retry-After``); pacing under the
  API's rate limit reads the ``ratelimit-*`` headers (:class:`RateLimitPacingPolicy`).
- Every attempt is traced on the ``do_platform.http`` logger (:class:`HttpTracePolicy`): ``--verbose``
  shows it on stderr, for every command, with credentials redacted.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

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


TRACE_LOGGER = "do_platform.http"
trace_log = logging.getLogger(TRACE_LOGGER)
REDACTED = "REDACTED"
# Query parameters that carry credentials (presigned URLs, OAuth callbacks): their values are never traced.
CREDENTIAL_PARAM = re.compile(r"token|key|secret|password|passwd|signature|credential|auth|session", re.I)
_TRACE_START = "do_platform.trace_start"


def redact_url(url: str, secrets: tuple[str, ...] = ()) -> str:
    """The URL with credentials replaced by REDACTED: userinfo, credential-named query values, and any
    ``secrets`` (the token) wherever they appear. The rest of the query stays: it is what one debugs."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    if "@" in parts.netloc:
        netloc = f"{REDACTED}@{netloc}"
    query = urlencode([(k, REDACTED if CREDENTIAL_PARAM.search(k) else v)
                       for k, v in parse_qsl(parts.query, keep_blank_values=True)], safe="/:,*")
    text = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    return text


class HttpTracePolicy(SansIOHTTPPolicy):
    """One line per attempt (retries included) on :data:`TRACE_LOGGER` at DEBUG: method, URL with its query,
    status, request id, rate-limit headers, time on the wire. Request headers (Authorization) and bodies are
    never traced; the URL goes through :func:`redact_url`. Sits in PyDo's ``logging_policy`` slot: after
    the retry policy (each attempt) and after pacing (a rate-limit wait is not counted as the request's)."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self.secrets = tuple(s for s in secrets if s)

    def on_request(self, request) -> None:
        request.context[_TRACE_START] = time.monotonic()

    def _head(self, request) -> tuple[str, str]:
        started = request.context.get(_TRACE_START)
        took = f"{(time.monotonic() - started) * 1000:.0f} ms" if started is not None else "?"
        return f"{request.http_request.method} {redact_url(request.http_request.url, self.secrets)}", took

    def on_response(self, request, response) -> None:
        if not trace_log.isEnabledFor(logging.DEBUG):
            return
        what, took = self._head(request)
        headers = response.http_response.headers
        parts = [f"{what} -> {response.http_response.status_code} in {took}"]
        request_id = headers.get("x-request-id") or headers.get("request-id")
        if request_id:
            parts.append(f"request-id {request_id}")
        if headers.get("ratelimit-remaining") is not None:
            reset = headers.get("ratelimit-reset")
            when = ""
            if reset and reset.isdigit():
                when = f", resets in {max(0, int(reset) - int(time.time()))} s"
            parts.append(f"ratelimit {headers.get('ratelimit-remaining')}/{headers.get('ratelimit-limit', '?')}"
                         f" left{when}")
        if headers.get("retry-after"):
            parts.append(f"retry-after {headers['retry-after']}")
        trace_log.debug("; ".join(parts))

    def on_exception(self, request) -> None:
        if trace_log.isEnabledFor(logging.DEBUG):
            what, took = self._head(request)
            exc = sys.exc_info()[1]
            message = str(exc)
            for secret in self.secrets:
                message = message.replace(secret, REDACTED)
            trace_log.debug(f"{what} -> failed after {took}: {type(exc).__name__}: {message}")


RATE_WINDOW_S = 3600  # DigitalOcean's request budget (ratelimit-limit) is per hour


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
        self.requests = 0  # requests sent through this client (retries included): long runs show progress by it
        self.started = clock()

    def eta(self, requests: int, now: float | None = None) -> float:
        """Seconds the next ``requests`` requests will take at the pace this client keeps: the slower of the
        pace seen so far and ``max_per_minute``; beyond the ``ratelimit-remaining`` budget, the wait for
        ``ratelimit-reset`` and a further window (:data:`RATE_WINDOW_S`) per ``ratelimit-limit`` requests."""
        now = self._clock() if now is None else now
        seen = (now - self.started) / self.requests if self.requests else 0.0
        steady = requests * max(self.min_interval, seen)
        state = self.state
        if state.remaining is None or state.reset_epoch is None:
            return steady
        budget = max(0, state.remaining - self.reserve)
        if requests <= budget:
            return steady
        per_window = max(1, (state.limit or state.remaining + 1) - self.reserve)
        windows = -(-(requests - budget) // per_window) - 1  # full windows after the first reset
        return max(steady, max(0.0, state.reset_epoch - now) + windows * RATE_WINDOW_S)

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
            self.requests += 1
            now = self._clock()
            wait = self.header_wait(self.state, now)
            if self.min_interval:
                wait = max(wait, self._next_slot - now)
                self._next_slot = max(now, self._next_slot) + self.min_interval
        if wait > 0:
            trace_log.debug(f"waiting {wait:.2f} s to stay under the rate limit")
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
    kwargs["logging_policy"] = HttpTracePolicy(secrets=(token,))
    pacing = RateLimitPacingPolicy(max_per_minute=max_per_minute) if pace else None
    if pacing is not None:
        kwargs["custom_hook_policy"] = pacing
    if url.startswith("http://"):
        # Loopback only (checked above): azure-core's bearer policy refuses non-TLS URLs.
        kwargs["authentication_policy"] = HeadersPolicy({"Authorization": f"Bearer {token}"})
    client = pydo.Client(token, **kwargs)
    client.pacing = pacing  # its request count and ETA: long runs (registry cleanup) report progress by them
    return client
