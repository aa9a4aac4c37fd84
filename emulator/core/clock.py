"""The emulator's one source of time and ids: seedable, freezable, persisted with the state."""

from __future__ import annotations

import contextlib
import random
import threading
import uuid
from collections.abc import Iterator
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

    @contextlib.contextmanager
    def pinned(self, at: datetime) -> Iterator[None]:
        """Time stands at ``at`` inside the block (one instant per journaled mutation) unless already frozen."""
        if self._frozen is not None:
            yield
            return
        self._frozen = at
        try:
            yield
        finally:
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
        self.draws = 0  # ids handed out; tells a read that made something (a default VPC) from a pure read

    def next_int(self, kind: str, start: int = 1) -> int:
        with self._lock:
            self.draws += 1
            value = self._counters.get(kind, start - 1) + 1
            self._counters[kind] = value
            return value

    def uuid(self) -> str:
        with self._lock:
            self.draws += 1
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def hex(self, nbytes: int = 32) -> str:
        with self._lock:
            self.draws += 1
            return "".join(f"{self._random.getrandbits(8):02x}" for _ in range(nbytes))

    def random(self) -> random.Random:
        self.draws += 1
        return self._random

    def entry_seed(self) -> int:
        """A seed for one journaled mutation (see :meth:`fork`)."""
        with self._lock:
            return self._random.getrandbits(63)

    @contextlib.contextmanager
    def fork(self, seed: int) -> Iterator[Ids]:
        """UUIDs and random draws come from ``Random(seed)`` inside the block, so a journaled mutation replayed
        with the same seed (and state) hands out the same ids. ``draws`` counts what the block handed out."""
        with self._lock:
            saved, self._random = self._random, random.Random(seed)
            self.draws = 0
        try:
            yield self
        finally:
            with self._lock:
                self._random = saved

    def dump(self) -> dict:
        return {"counters": dict(self._counters)}

    def load(self, data: dict) -> None:
        self._counters = dict(data.get("counters", {}))
