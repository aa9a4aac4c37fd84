"""The ASGI application: auth, rate-limit headers, budget, faults, dispatch, errors, request log.

Built on Starlette; one catch-all endpoint dispatches on the raw path through :class:`Router`
so that percent-encoded segments survive. Handlers run under the state lock (thread-safe).
"""

from __future__ import annotations

import asyncio
import json

from starlette.applications import Starlette
from starlette.requests import Request as HttpRequest
from starlette.responses import Response
from starlette.routing import Route as StarletteRoute

from .control import CONTROL_HEADER, CONTROL_PREFIX, Control, control_routes
from .errors import (
    ApiError,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
    error_for_status,
)
from .routing import API_ORIGIN, Reply, Request, Router, parse_query
from .state import State

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"]

# Callables ``(method, template, raw_path, status, headers, body_bytes)`` told of every response of
# every emulator in this process (the test suite's conformance check). Empty outside tests.
RESPONSE_OBSERVERS: list = []


def require_control_header(headers) -> None:
    """403 unless a control call says it is one: ``Content-Type: application/json`` or ``X-Emulator-Control``.

    A web page can send neither to another origin without a CORS preflight, which the emulator never
    grants, so a page open in the user's browser cannot reset, seed or read the emulator.
    """
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "application/json" or CONTROL_HEADER in headers:
        return
    raise Forbidden(f"control API calls need the header 'Content-Type: application/json' or "
                    f"'{CONTROL_HEADER}: 1' (a guard against requests made by web pages)")


def _json_bytes(body) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def error_reply(err: ApiError, request_id: str) -> Reply:
    headers = dict(err.headers)
    if err.status not in (429, 503):
        headers.pop("retry-after", None)
    return Reply(err.status, {"id": err.error_id, "message": err.message, "request_id": request_id}, headers)


class EmulatorApp:
    """Holds state, control and router; ``.asgi`` is the Starlette app to serve."""

    def __init__(self, state: State, route_tables: list) -> None:
        self.state = state
        self.control = Control(state)
        self.router = Router([*route_tables, control_routes(self.control)])
        self.asgi = Starlette(routes=[StarletteRoute("/{path:path}", self.endpoint, methods=METHODS)])
        self.asgi.state.emulator = self
        self.response_observers: list = []  # like RESPONSE_OBSERVERS, for this emulator only
        replayed = self.state.replay(self._apply_entry)  # mutations acknowledged after the last snapshot
        if replayed:
            self.state.flush()

    async def endpoint(self, http: HttpRequest) -> Response:
        raw_path = http.scope.get("raw_path") or http.url.path.encode()
        raw_path = raw_path.decode("latin-1").split("?", 1)[0]
        query_string = http.scope.get("query_string", b"").decode("latin-1")
        method = http.method
        request_id = self.state.ids.uuid()
        route, params, path_known = self.router.resolve(method, raw_path)
        template = route.template if route else raw_path
        rate_headers: dict[str, str] = {}
        try:
            if route is None:
                raise (MethodNotAllowed() if path_known else NotFound())
            if template.startswith(CONTROL_PREFIX):
                require_control_header(http.headers)
            if route.auth:
                self._authenticate(http.headers.get("authorization", ""))
                rate_headers = self._rate_limit()
            latency_ms, fault = (self.control.faults.pick(f"{method} {raw_path}?{query_string}")
                                 if self.control.faults else (0, None))
            if latency_ms:
                await asyncio.sleep(latency_ms / 1000)
            if fault is not None:
                err = error_for_status(fault.status, fault.message or f"Injected fault ({fault.status})")
                if fault.status in (429, 503) and fault.retry_after is not None:
                    err.headers["retry-after"] = str(fault.retry_after)
                raise err
            body = await http.body()
            parsed = None
            if body:
                try:
                    parsed = json.loads(body)
                except ValueError:
                    raise Unprocessable("request body is not valid JSON") from None
            req = Request(
                method=method,
                path=raw_path,
                params=params,
                query=parse_query(query_string),
                body=parsed,
                headers=dict(http.headers),
                base_url=self.state.settings.base_url or self._base_url(http),
                state=self.state,
                template=route.template,
            )
            result, seq = self._run(route, req, query_string)
            if seq:  # answered only once durable; other requests go on while this one's fsync runs
                await asyncio.to_thread(self.state.sync, seq)
            reply = result if isinstance(result, Reply) else Reply(200, result)
        except ApiError as err:
            reply = error_reply(err, request_id)
        reply.headers.update(rate_headers)
        reply.headers.setdefault("x-request-id", request_id)
        if not template.startswith(CONTROL_PREFIX):  # the log counts API calls, not the test harness's
            self.control.log.record(method, raw_path, f"{method} {template}", reply.status)
        response = self._render(reply)
        if RESPONSE_OBSERVERS or self.response_observers:
            for observer in (*RESPONSE_OBSERVERS, *self.response_observers):
                observer(method, template, raw_path, reply.status, dict(response.headers), bytes(response.body))
        return response

    def _run(self, route, req: Request, query_string: str):
        """(handler result, journal seq to sync before replying). Control calls journal themselves (reset, seed)."""
        if route.template.startswith(CONTROL_PREFIX):
            with self.state.lock:
                return route.handler(req), 0
        read = req.method in ("GET", "HEAD")
        headers = {k: val for k, val in req.headers.items() if k.startswith("x-") or k == "accept"}  # never the token
        entry = {"kind": "request", "method": req.method, "path": req.path, "query": query_string, "body": req.body,
                 "headers": headers}
        result, seq = self.state.journaled(entry, lambda: route.handler(req), only_if_ids_drawn=read)
        if not read:
            self.state.mark_dirty()
        return result, seq

    def _apply_entry(self, entry: dict) -> None:
        """Replay one journal entry (``State.replay`` pins the clock and the id seed around it)."""
        kind = entry["kind"]
        if kind == "reset":
            self.state.reset()
        elif kind == "seed":
            self.state.backend(entry["family"]).seed(entry["payload"])
        elif kind == "request":
            route, params, _known = self.router.resolve(entry["method"], entry["path"])
            if route is None:
                raise NotFound(f"no route for {entry['method']} {entry['path']}")
            route.handler(Request(method=entry["method"], path=entry["path"], params=params,
                                  query=parse_query(entry["query"]), body=entry["body"],
                                  headers=entry.get("headers", {}),
                                  base_url=API_ORIGIN, state=self.state, template=route.template))
        else:
            raise ValueError(f"unknown journal entry kind {kind!r}")

    @staticmethod
    def _base_url(http: HttpRequest) -> str:
        """``scheme://address:port`` of the socket the request arrived on, for absolute pagination links.

        Never the ``Host`` header: a client (or a DNS-rebinding page) would choose where the links of
        the answer point.
        """
        scope = http.scope
        host, port = scope.get("server") or ("127.0.0.1", 80)
        if ":" in str(host):  # IPv6 literal
            host = f"[{host}]"
        return f"{scope.get('scheme', 'http')}://{host}:{port}"

    def _authenticate(self, header: str) -> None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Unable to authenticate you")
        expected = self.state.settings.token
        if expected is not None and token.strip() != expected:
            raise Unauthorized("Unable to authenticate you")

    def _rate_limit(self) -> dict[str, str]:
        settings = self.state.settings
        allowed, limit, remaining, reset = self.control.budget.take(
            settings.requests_per_minute, settings.requests_per_hour, settings.ratelimit_limit)
        headers = {"ratelimit-limit": str(limit), "ratelimit-remaining": str(remaining),
                   "ratelimit-reset": str(reset)}
        if not allowed:
            import time

            err = TooManyRequests("API Rate limit exceeded.")
            err.headers = {**headers, "retry-after": str(max(1, reset - int(time.time())))}
            raise err
        return headers

    @staticmethod
    def _render(reply: Reply) -> Response:
        if reply.status == 204 or reply.body is None:
            return Response(status_code=reply.status, headers=reply.headers)
        if isinstance(reply.body, (dict, list)):
            return Response(_json_bytes(reply.body), status_code=reply.status, headers=reply.headers,
                            media_type="application/json")
        return Response(reply.body, status_code=reply.status, headers=reply.headers, media_type=reply.content_type)


def create_app(state: State | None = None, **state_kwargs) -> EmulatorApp:
    """Build the emulator with every discovered family (see ``emulator.services``)."""
    from emulator.services import discover

    families = discover()
    if state is None:
        state = State([f.backend for f in families if f.backend is not None], **state_kwargs)
    return EmulatorApp(state, [f.routes for f in families])
