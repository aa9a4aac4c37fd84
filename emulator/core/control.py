"""Test and benchmark controls: fault injection, a request budget, the request log, seed and reset.

Reachable in-process (``Control``) and over HTTP under the reserved prefix ``/_emulator/``
(no auth). Nothing here is persisted to the state file.
"""

from __future__ import annotations

import copy
import random
import re
import threading
import time
from collections import Counter, deque
from dataclasses import asdict, dataclass, field

from .errors import Unprocessable
from .routing import Reply, Request, Routes
from .state import Backend, State
from .validate import check_object, is_integer, is_number, is_string

CONTROL_PREFIX = "/_emulator"
CONTROL_HEADER = "X-Emulator-Control"  # or Content-Type: application/json; see app.require_control_header


BUDGET_SCHEMA = {"requests_per_minute": is_integer(minimum=1), "requests_per_hour": is_integer(minimum=1)}
CONFIG_SCHEMA = {"lifecycle_delay": is_number(minimum=0), "token": is_string}


@dataclass
class Fault:
    """Answer requests whose ``"METHOD /path?query"`` matches ``match`` (a regex, searched).

    ``status`` (optional) is returned instead of the real answer, for the next ``count`` matching
    calls (None: without end) or with ``probability``; ``latency_ms`` is added before answering.
    ``retry_after`` (seconds) is sent only with 429 and 503, as the API does.
    """

    match: str = ".*"
    status: int | None = None
    count: int | None = None
    probability: float = 1.0
    latency_ms: int = 0
    retry_after: int | None = 1
    message: str | None = None
    id: int = 0
    hits: int = 0
    _pattern: re.Pattern | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.match, str):
            raise Unprocessable(f"fault match must be a regular expression string; got {self.match!r}")
        try:
            self._pattern = re.compile(self.match)
        except re.error as exc:
            raise Unprocessable(f"fault match is not a valid regex: {exc}") from None
        if self.status is not None and not (_whole(self.status) and 400 <= self.status <= 599):
            raise Unprocessable(f"fault status must be an integer within 400-599; got {self.status!r}")
        if self.count is not None and not (_whole(self.count) and self.count >= 1):
            raise Unprocessable(f"fault count must be an integer >= 1, or null for without end; got {self.count!r}")
        if not (_number(self.probability) and 0.0 <= self.probability <= 1.0):
            raise Unprocessable(f"fault probability must be a number within 0..1; got {self.probability!r}")
        if not (_whole(self.latency_ms) and self.latency_ms >= 0):
            raise Unprocessable(f"fault latency_ms must be an integer >= 0; got {self.latency_ms!r}")
        if self.retry_after is not None and not (_whole(self.retry_after) and self.retry_after >= 0):
            raise Unprocessable(f"fault retry_after must be an integer >= 0 or null; got {self.retry_after!r}")
        if self.message is not None and not isinstance(self.message, str):
            raise Unprocessable(f"fault message must be a string; got {self.message!r}")

    def public(self) -> dict:
        data = asdict(self)
        data.pop("_pattern", None)
        return data


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class Faults:
    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._next_id = 1
        self._random = random.Random(seed)

    def add(self, **kwargs) -> Fault:
        fault = Fault(**kwargs)
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def list(self) -> list[dict]:
        with self._lock:
            return [f.public() for f in self._faults]

    def __bool__(self) -> bool:
        return bool(self._faults)

    def pick(self, key: str) -> tuple[int, Fault | None]:
        """(latency_ms, fault-with-status or None) for a request key; consumes counts."""
        latency = 0
        chosen = None
        with self._lock:
            for fault in list(self._faults):
                if not fault._pattern.search(key):
                    continue
                latency += fault.latency_ms
                if fault.status is None or chosen is not None:
                    continue
                if fault.probability < 1.0 and self._random.random() >= fault.probability:
                    continue
                fault.hits += 1
                chosen = fault
                if fault.count is not None:
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
        return latency, chosen


class Budget:
    """The request budget: an hourly window (the API's 5,000/h, reported in ``ratelimit-*``; enforced only
    when ``requests_per_hour`` is set, so long rehearsals are not throttled by default) or, when
    ``requests_per_minute`` is set, a one-minute window that is enforced and reported instead."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.window_start = 0.0
        self.used = 0

    def take(self, per_minute: int | None, per_hour: int | None, reported_per_hour: int) -> tuple[bool, int, int, int]:
        """(allowed, limit, remaining, reset_epoch)."""
        window = 60 if per_minute else 3600
        limit = per_minute or per_hour or reported_per_hour
        enforced = bool(per_minute or per_hour)
        now = time.time()
        with self._lock:
            if now - self.window_start >= window:
                self.window_start = now - (now % window) if not per_minute else now
                self.used = 0
            reset = int(self.window_start + window)
            if enforced and self.used >= limit:
                return False, limit, 0, reset
            self.used += 1
            return True, limit, max(0, limit - self.used), reset

    def reset(self) -> None:
        with self._lock:
            self.window_start = 0.0
            self.used = 0


class RequestLog:
    """Counts per route (``"GET /v2/droplets/{droplet_id}"``) and the last N requests."""

    def __init__(self, keep: int = 5000) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[str] = Counter()
        self.statuses: Counter[int] = Counter()
        self.entries: deque[dict] = deque(maxlen=keep)

    def record(self, method: str, path: str, route: str, status: int) -> None:
        with self._lock:
            self.counts[route] += 1
            self.statuses[status] += 1
            self.entries.append({"method": method, "path": path, "route": route, "status": status,
                                 "at": time.time()})

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "total": sum(self.counts.values()),
                "by_route": dict(self.counts.most_common()),
                "by_status": {str(k): v for k, v in sorted(self.statuses.items())},
                "entries": list(self.entries),
            }

    def clear(self) -> None:
        with self._lock:
            self.counts.clear()
            self.statuses.clear()
            self.entries.clear()


class Control:
    """The in-process control API; the HTTP routes below are a thin skin over it."""

    def __init__(self, state: State) -> None:
        self.state = state
        self.faults = Faults()
        self.budget = Budget()
        self.log = RequestLog()

    def reset(self) -> None:
        _, seq = self.state.journaled({"kind": "reset"}, self.state.reset)
        self.state.sync(seq)
        self.faults.clear()
        self.budget.reset()
        self.log.clear()

    def seed(self, family: str, payload: dict) -> dict:
        with self.state.lock:
            try:
                backend = self.state.backend(family)
            except KeyError as exc:
                raise Unprocessable(str(exc)) from None
            if type(backend).seed is Backend.seed:
                seedable = [name for name in self.state.families
                            if type(self.state.backend(name)).seed is not Backend.seed]
                raise Unprocessable(f"family {family!r} has no seed support; families with seeds: {seedable}")
            summary, seq = self.state.journaled({"kind": "seed", "family": family, "payload": payload},
                                                lambda: backend.seed(payload))
            self.state.mark_dirty()
        self.state.sync(seq)
        return summary

    def add_fault(self, **kwargs) -> dict:
        return self.faults.add(**kwargs).public()

    def set_budget(self, **budget: int | None) -> None:
        """``requests_per_minute`` and/or ``requests_per_hour`` (integers >= 1, or null for none); the
        fields not given keep their value."""
        check_object(budget, BUDGET_SCHEMA)
        for name, value in budget.items():
            setattr(self.state.settings, name, value)
        self.budget.reset()

    def budget_view(self) -> dict:
        settings = self.state.settings
        return {"requests_per_minute": settings.requests_per_minute, "requests_per_hour": settings.requests_per_hour,
                "reported_per_hour": settings.requests_per_hour or settings.ratelimit_limit}

    def configure(self, *, lifecycle_delay: float | None = None, token: str | None = None) -> None:
        check_object({"lifecycle_delay": lifecycle_delay, "token": token}, CONFIG_SCHEMA)
        if lifecycle_delay is not None:
            if not (_number(lifecycle_delay) and lifecycle_delay >= 0):
                raise Unprocessable(f"lifecycle_delay must be a number of seconds >= 0; got {lifecycle_delay!r}")
            self.state.settings.lifecycle_delay = float(lifecycle_delay)
        if token is not None:
            if not isinstance(token, str):
                raise Unprocessable(f"token must be a string (\"\" accepts any token); got {token!r}")
            self.state.settings.token = token or None


def control_routes(control: Control) -> Routes:
    routes = Routes()
    p = CONTROL_PREFIX

    @routes.post(f"{p}/reset", auth=False)
    def reset(req: Request):
        control.reset()
        return Reply(200, {"reset": True})

    @routes.post(p + "/seed/{family}", auth=False)
    def seed(req: Request):
        return Reply(200, {"seeded": control.seed(req.params["family"], req.json())})

    @routes.get(f"{p}/faults", auth=False)
    def list_faults(req: Request):
        return Reply(200, {"faults": control.faults.list()})

    @routes.post(f"{p}/faults", auth=False)
    def add_fault(req: Request):
        body = req.json()
        allowed = {"match", "status", "count", "probability", "latency_ms", "retry_after", "message"}
        unknown = sorted(set(body) - allowed)
        if unknown:
            raise Unprocessable(f"unknown fault fields {unknown}; allowed: {sorted(allowed)}")
        return Reply(201, {"fault": control.add_fault(**body)})

    @routes.delete(f"{p}/faults", auth=False)
    def clear_faults(req: Request):
        control.faults.clear()
        return Reply(204)

    @routes.get(f"{p}/budget", auth=False)
    def get_budget(req: Request):
        return Reply(200, control.budget_view())

    @routes.put(f"{p}/budget", auth=False)
    def set_budget(req: Request):
        control.set_budget(**check_object(req.json(), BUDGET_SCHEMA))
        return Reply(200, control.budget_view())

    @routes.put(f"{p}/config", auth=False)
    def configure(req: Request):
        body = check_object(req.json(), CONFIG_SCHEMA)
        control.configure(lifecycle_delay=body.get("lifecycle_delay"), token=body.get("token"))
        return Reply(200, {"lifecycle_delay": control.state.settings.lifecycle_delay})

    @routes.get(f"{p}/requests", auth=False)
    def request_log(req: Request):
        return Reply(200, control.log.snapshot())

    @routes.delete(f"{p}/requests", auth=False)
    def clear_log(req: Request):
        control.log.clear()
        return Reply(204)

    @routes.get(f"{p}/state", auth=False)
    def dump_state(req: Request):
        return Reply(200, copy.deepcopy(control.state.dump()))  # rendered after the lock is released

    return routes
