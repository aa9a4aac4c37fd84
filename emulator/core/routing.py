"""Route tables, the request a handler sees and the reply it returns.

Paths are matched segment by segment on the *raw* path, each segment percent-decoded after
splitting, so ``my%2Frepo`` is one segment (``my/repo``) and ``sha256%3Aabc`` decodes to
``sha256:abc``. Where several templates match, the one with literals earliest wins, so
``/v2/registries/subscription`` beats ``/v2/registries/{registry_name}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote

from .errors import Unprocessable

if TYPE_CHECKING:
    from .state import Backend, State

API_ORIGIN = "https://api.digitalocean.com"


def api_url(path: str) -> str:
    """A resource's canonical URL (action ``href``, project resource ``links.self``, tag ``last_tagged_uri``).

    The API writes its own address there whatever host served the request, and clients only show
    these. Pagination links are different: clients follow them, so they carry the address the
    emulator serves on (``Request.base_url``).
    """
    return f"{API_ORIGIN}{path}"


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict/list → JSON; str/bytes → raw with content_type; None → empty
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json; charset=utf-8"


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]
    query: dict[str, list[str]]
    body: Any
    headers: dict[str, str]
    base_url: str  # scheme://host:port the emulator serves on (never the Host header): pagination links
    state: State
    template: str = ""

    def backend(self, name: str) -> Backend:
        return self.state.backend(name)

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def int_arg(self, name: str, default: int) -> int:
        raw = self.arg(name)
        if raw in (None, ""):
            return default
        try:
            return int(raw)
        except ValueError:
            raise Unprocessable(f"{name} must be an integer; got {raw!r}") from None

    def bool_arg(self, name: str, default: bool = False) -> bool:
        raw = self.arg(name)
        if raw in (None, ""):
            return default
        return raw.lower() in ("1", "true", "yes")

    def json(self) -> dict:
        """The JSON object body ({} when absent); 422 if it is not an object."""
        if self.body in (None, b"", ""):
            return {}
        if not isinstance(self.body, dict):
            raise Unprocessable("request body must be a JSON object")
        return self.body

    def param_int(self, name: str) -> int:
        raw = self.params[name]
        try:
            return int(raw)
        except ValueError:
            from .errors import NotFound

            raise NotFound(f"{name} {raw!r} is not a valid id") from None


Handler = Callable[[Request], Any]


@dataclass
class Route:
    method: str
    template: str
    handler: Handler
    auth: bool = True
    segments: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.segments = tuple(s for s in self.template.strip("/").split("/"))
        self._specificity = tuple(0 if s.startswith("{") else 1 for s in self.segments)

    @property
    def specificity(self) -> tuple[int, ...]:
        return self._specificity

    def match(self, parts: list[str]) -> dict[str, str] | None:
        if len(parts) != len(self.segments):
            return None
        params: dict[str, str] = {}
        for seg, part in zip(self.segments, parts, strict=True):
            if seg.startswith("{") and seg.endswith("}"):
                if part == "":
                    return None
                params[seg[1:-1]] = part
            elif seg != part:
                return None
        return params


class Routes:
    """A family's route table, filled with decorators: ``@routes.get("/v2/droplets/{id}")``."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        self.routes.append(Route(method.upper(), template, handler, auth))

    def _decorator(self, method: str, template: str, auth: bool = True):
        def register(handler: Handler) -> Handler:
            self.add(method, template, handler, auth=auth)
            return handler

        return register

    def get(self, template: str, *, auth: bool = True):
        return self._decorator("GET", template, auth)

    def post(self, template: str, *, auth: bool = True):
        return self._decorator("POST", template, auth)

    def put(self, template: str, *, auth: bool = True):
        return self._decorator("PUT", template, auth)

    def patch(self, template: str, *, auth: bool = True):
        return self._decorator("PATCH", template, auth)

    def delete(self, template: str, *, auth: bool = True):
        return self._decorator("DELETE", template, auth)


class Router:
    """All routes of all families, indexed by segment count for a quick match."""

    def __init__(self, tables: list[Routes]) -> None:
        self.by_length: dict[int, list[Route]] = {}
        for table in tables:
            for route in table.routes:
                self.by_length.setdefault(len(route.segments), []).append(route)
        for routes in self.by_length.values():
            routes.sort(key=lambda r: r.specificity, reverse=True)
        # Hot path: candidates keyed by (segment count, first two segments) when both are literal
        # (every /v2/<family>/... route), so a request tries a handful of templates, not all.
        self._by_prefix: dict[tuple, list[Route]] = {}
        for length, routes in self.by_length.items():
            for route in routes:
                self._by_prefix.setdefault((length, *self._prefix(route.segments)), []).append(route)

    @staticmethod
    def _prefix(segments: tuple[str, ...] | list[str]) -> tuple[str | None, str | None]:
        """The first two segments when literal; ``None`` stands for a ``{param}`` (matches anything)."""
        first = segments[0] if segments and not segments[0].startswith("{") else None
        second = segments[1] if len(segments) > 1 and not segments[1].startswith("{") else None
        return first, second

    def _candidates(self, parts: list[str]) -> list[Route]:
        length = len(parts)
        first = parts[0] if parts else None
        second = parts[1] if length > 1 else None
        keys = {(length, first, second), (length, first, None), (length, None, second), (length, None, None)}
        found = [r for key in keys for r in self._by_prefix.get(key, ())]
        if len(keys) > 1:
            found.sort(key=lambda r: r.specificity, reverse=True)
        return found

    @staticmethod
    def split(raw_path: str) -> list[str]:
        return [unquote(p) for p in raw_path.strip("/").split("/")]

    def resolve(self, method: str, raw_path: str) -> tuple[Route | None, dict[str, str], bool]:
        """(route, params, path_known): path_known tells 405 from 404 when no method matches."""
        parts = self.split(raw_path)
        if raw_path.startswith("/v2/") and raw_path.endswith("/"):
            # An API path ending in "/" is an item with an empty id (a client formatting `/v2/monitoring/alerts/%s`
            # with ""), not the collection: no route matches it, so it is a 404 as from the API.
            parts.append("")
        path_known = False
        for route in self._candidates(parts):
            params = route.match(parts)
            if params is None:
                continue
            if route.method == method:
                return route, params, True
            path_known = True
        return None, {}, path_known

    def all_routes(self) -> list[Route]:
        return [r for routes in self.by_length.values() for r in routes]


def parse_query(query_string: str) -> dict[str, list[str]]:
    return parse_qs(query_string, keep_blank_values=True)
