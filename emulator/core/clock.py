"""The emulator's one source of time and ids: seedable, freezable, persisted with the state."""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta


def rfc3339(dt: datetime) -> str:
    """RFC 3339 with a ``Z`` suffix: godo's ``time.Time`` accepts this and never ``""``."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Clock:
    """Wall time unless frozen; tests freeze it and advance it by hand."""

    def __init__(self) -> None:
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        return self._frozen if self._frozen is not None else datetime.now(UTC)

    def freeze(self, at: datetime | None = None) -> None:
        self._frozen = at or datetime.now(UTC)

    def unfreeze(self) -> None:
        self._frozen = None

    def advance(self, seconds: float) -> None:
        if self._frozen is None:
            raise RuntimeError("advance() needs a frozen clock; call freeze() first")
        self._frozen += timedelta(seconds=seconds)

    def stamp(self, offset_seconds: float = 0) -> str:
        return rfc3339(self.now() + timedelta(seconds=offset_seconds))


class Ids:
    """Integer ids per kind (droplets, actions, keys, records: >= 1) and UUIDs from one seeded source."""

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, int] = {}
        self._random = random.Random(seed)

    def next_int(self, kind: str, start: int = 1) -> int:
        with self._lock:
            value = self._counters.get(kind, start - 1) + 1
            self._counters[kind] = value
            return value

    def uuid(self) -> str:
        with self._lock:
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def hex(self, nbytes: int = 32) -> str:
        with self._lock:
            return "".join(f"{self._random.getrandbits(8):02x}" for _ in range(nbytes))

    def random(self) -> random.Random:
        return self._random

    def dump(self) -> dict:
        return {"counters": dict(self._counters)}

    def load(self, data: dict) -> None:
        self._counters = dict(data.get("counters", {}))
