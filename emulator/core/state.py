"""The emulator's world: one backend per resource family, one lock, an optional state file.

Backends keep their records as plain JSON-able dicts (``self.data``) so that the whole world can be
written to a state file and read back after a restart. Keys starting with ``_`` are private
bookkeeping (scheduled transitions, owners) and are stripped by :func:`public`.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar, TypeVar

from .clock import Clock, Ids, parse_rfc3339
from .errors import ApiError, not_found
from .journal import Journal, _sync_directory

T = TypeVar("T")
COMPACT_EVERY = 2000  # journal entries before a background compaction writes a new snapshot


def journal_path(state_file: str) -> str:
    return f"{state_file}.journal"


@dataclass
class Settings:
    """Knobs a test or a user turns (see docs/emulator.md); flags of a run, not persisted in the state file."""

    token: str | None = None  # None: any non-empty bearer token is accepted
    lifecycle_delay: float = 0.0  # seconds before new→active, creating→online, actions complete, ...
    ratelimit_limit: int = 5000  # requests per hour reported in ratelimit-limit (the API's figure)
    requests_per_minute: int | None = None  # a budget that answers 429 when exceeded
    requests_per_hour: int | None = None  # enforced hourly budget (reported instead of ratelimit_limit)
    base_url: str | None = None  # absolute base for links; defaults to the request's own


class Backend:
    """Base of every family backend. Subclasses set ``name`` and fill ``self.data`` in ``reset``."""

    name: ClassVar[str] = ""

    def __init__(self, state: State) -> None:
        self.state = state
        self.data: dict[str, Any] = {}
        self.reset()

    # -- lifecycle of the backend itself
    def reset(self) -> None:
        """Rebuild the initial world of this family (defaults such as regions or a default project)."""
        self.data = {}

    def seed(self, payload: dict) -> dict:
        """Bulk-load test data; families override. Returns a summary."""
        raise NotImplementedError(f"family {self.name!r} has no seed support")

    def dump(self) -> dict:
        return self.data

    def load(self, data: dict) -> None:
        self.data = data

    # -- shortcuts
    @property
    def clock(self) -> Clock:
        return self.state.clock

    @property
    def ids(self) -> Ids:
        return self.state.ids

    def now(self) -> str:
        return self.state.clock.stamp()

    def table(self, key: str) -> dict[str, Any]:
        """A named dict of records inside ``self.data`` (created on first use)."""
        return self.data.setdefault(key, {})

    def get_or_404(self, key: str, record_id: Any, what: str | None = None) -> dict:
        """The record ``record_id`` of table ``key``, its due scheduled changes applied: the one lookup of a
        family's own records; 404 ``The <what> <id> could not be found.`` (``what`` defaults to the table's
        name in the singular)."""
        record = self.table(key).get(str(record_id))
        if record is None:
            raise not_found(what or key.rstrip("s"), record_id)
        settle(self.state, record)
        return record

    def backend(self, name: str) -> Backend:
        return self.state.backend(name)


def schedule(state: State, record: dict, updates: dict[str, Any], delay: float | None = None) -> None:
    """Apply ``updates`` (dotted keys allowed) to ``record`` once ``delay`` seconds have passed.

    The delay defaults to ``state.settings.lifecycle_delay`` (0). A scheduled change is applied on
    the next read, never in the response that created it, so ``new`` is seen once then ``active``.
    """
    wait = state.settings.lifecycle_delay if delay is None else delay
    # Internal bookkeeping keeps sub-second precision (rfc3339() drops it), so short delays are honoured.
    due = (state.clock.now() + timedelta(seconds=wait)).isoformat()
    record.setdefault("_pending", []).append({"due": due, "wait": wait, "set": updates})


def settle(state: State, record: dict) -> dict:
    """Apply every due scheduled change to ``record`` (in order) and return it."""
    pending = record.get("_pending")
    if not pending:
        return record
    now = state.clock.now()
    remaining = []
    for i, item in enumerate(pending):
        if item["wait"] and parse_rfc3339(item["due"]) > now:
            remaining = pending[i:]
            break
        for dotted, value in item["set"].items():
            target = record
            *path, last = dotted.split(".")
            for part in path:
                target = target.setdefault(part, {})
            target[last] = value
    if remaining:
        record["_pending"] = remaining
    else:
        record.pop("_pending", None)
    return record


def public(record: Any) -> Any:
    """A deep copy without private (``_``-prefixed) keys: what the API shows."""
    if isinstance(record, dict):
        return {k: public(v) for k, v in record.items() if not (isinstance(k, str) and k.startswith("_"))}
    if isinstance(record, list):
        return [public(v) for v in record]
    return copy.copy(record)


class State:
    """All backends, the clock, ids, settings, and the file they persist to."""

    def __init__(self, backend_classes: list[type[Backend]], *, state_file: str | None = None,
                 seed: int | None = None, settings: Settings | None = None) -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.seed = seed
        self.ids = Ids(seed)
        self.settings = settings or Settings()
        self.state_file = state_file
        self._backend_classes = {cls.name: cls for cls in backend_classes}
        self._backends: dict[str, Backend] = {}
        self._dirty = False
        self.journal: Journal | None = None
        self.snapshot_seq = 0  # the last journal entry the state file holds
        with self.lock:
            self._build()
            if state_file and os.path.exists(state_file):
                self.load_file(state_file)
            elif state_file and not os.path.exists(journal_path(state_file)):
                self._dirty = True  # the initial world (default project, ids) first: the journal builds on it
                self.flush()
            if state_file:
                self.journal = Journal(journal_path(state_file), self.snapshot_seq)

    def _build(self) -> None:
        self._backends = {}
        # Backends may look each other up while resetting, so create lazily in a fixed order.
        for name in sorted(self._backend_classes):
            self.backend(name)

    def backend(self, name: str) -> Backend:
        existing = self._backends.get(name)
        if existing is not None:
            return existing
        cls = self._backend_classes.get(name)
        if cls is None:
            raise KeyError(f"no emulator family named {name!r}; known: {sorted(self._backend_classes)}")
        instance = cls.__new__(cls)
        self._backends[name] = instance
        instance.__init__(self)
        return instance

    @property
    def families(self) -> list[str]:
        return sorted(self._backend_classes)

    def reset(self) -> None:
        with self.lock:
            # A seeded emulator stays reproducible across resets; an unseeded one draws the new seed from the
            # current source, so a journaled reset replays to the same world.
            self.ids = Ids(self.seed if self.seed is not None else self.ids.entry_seed())
            self._build()
            self.mark_dirty()

    # -- persistence
    def dump(self) -> dict:
        with self.lock:
            return {
                "version": 1,
                "ids": self.ids.dump(),
                "families": {name: b.dump() for name, b in self._backends.items()},
            }

    def load(self, data: dict) -> None:
        with self.lock:
            self.ids.load(data.get("ids", {}))
            for name, payload in data.get("families", {}).items():
                if name in self._backend_classes:
                    self.backend(name).load(payload)

    def load_file(self, path: str) -> None:
        """Load a state file; ValueError naming the file when it is not one this emulator wrote."""
        try:
            with open(path, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            raise ValueError(f"state file {path} cannot be read: {exc}") from None
        if not isinstance(data, dict) or data.get("version") != 1:
            raise ValueError(f"state file {path} is not an emulator state file (expected a JSON object with "
                             f"\"version\": 1); move it away or pass another --state-file")
        self.load(data)
        self.snapshot_seq = int(data.get("journal_seq", 0))

    # -- the journal (see emulator.core.journal)
    def journaled(self, entry: dict, action: Callable[[], T], *, only_if_ids_drawn: bool = False) -> tuple[T, int]:
        """Run the mutation ``action`` under the lock, at one instant and with a forked id source, and append
        ``entry`` (what replays it) to the journal; returns (result, seq to sync before replying; 0: none).

        ``only_if_ids_drawn``: a read is journaled only when it made something (a region's default VPC).
        Without a state file the action simply runs.
        """
        with self.lock:
            if self.journal is None:
                return action(), 0
            entry = json.loads(json.dumps(entry))  # as asked: a handler may change its body in place
            ids, at, delay = self.ids, self.clock.now(), self.settings.lifecycle_delay
            seed = ids.entry_seed()
            with ids.fork(seed), self.clock.pinned(at):
                result = action()
            if only_if_ids_drawn and not ids.draws:
                return result, 0
            return result, self.journal.append({**entry, "at": at.isoformat(), "delay": delay, "id_seed": seed})

    def sync(self, seq: int) -> None:
        """Block until journal entry ``seq`` is on disk (call outside the lock: concurrent syncs share one fsync)."""
        if seq and self.journal is not None:
            self.journal.sync(seq)

    def replay(self, apply: Callable[[dict], None]) -> int:
        """Re-run the journal entries the snapshot does not hold, as they first ran; returns how many."""
        if self.journal is None:
            return 0
        entries = self.journal.entries(self.snapshot_seq)
        with self.lock:
            saved_delay = self.settings.lifecycle_delay
            try:
                for entry in entries:
                    self.settings.lifecycle_delay = entry["delay"]
                    with self.ids.fork(entry["id_seed"]), self.clock.pinned(datetime.fromisoformat(entry["at"])):
                        try:
                            apply(entry)
                        except ApiError as exc:  # answered 2xx when it first ran: the journal is not this code's
                            print(f"emulator: journal entry {entry['seq']} ({entry.get('method', '')} "
                                  f"{entry.get('path', entry.get('kind'))}) no longer applies: {exc.message}",
                                  file=sys.stderr, flush=True)
            finally:
                self.settings.lifecycle_delay = saved_delay
        self._dirty = bool(entries)
        return len(entries)

    def compact_if_due(self) -> bool:
        if self.journal is not None and self.journal.entries_since_compaction >= COMPACT_EVERY:
            return self.flush()
        return False

    def mark_dirty(self) -> None:
        self._dirty = True

    def flush(self) -> bool:
        """Compact: write a snapshot of the world atomically (synced), then drop the journal entries it holds.

        Done in the background every ``COMPACT_EVERY`` journal entries and on shutdown; every acknowledged
        mutation is already durable in the journal. A failed write leaves no temporary file behind and
        keeps the journal whole, so nothing is lost and the next flush tries again.
        """
        pending = self.journal.entries_since_compaction if self.journal is not None else 0
        if not self.state_file or not (self._dirty or pending):
            return False
        with self.lock:
            seq = self.journal.last_seq if self.journal is not None else 0
            payload = json.dumps({**self.dump(), "journal_seq": seq}, separators=(",", ":"), default=str)
            self._dirty = False
        tmp = None
        try:
            directory = os.path.dirname(os.path.abspath(self.state_file))
            os.makedirs(directory, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".emulator-state-", dir=directory)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(payload)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.state_file)
            _sync_directory(self.state_file)
        except BaseException:
            self._dirty = True
            if tmp is not None and os.path.exists(tmp):
                os.unlink(tmp)
            raise
        with self.lock:
            self.snapshot_seq = seq
            if self.journal is not None:
                self.journal.drop_through(seq)
        return True

    def close(self) -> None:
        if self.journal is not None:
            self.journal.close()
