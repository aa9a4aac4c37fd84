"""The write-ahead journal behind ``--state-file``: a mutation is answered only once it is on disk.

Each mutating request (and each reset or seed of the control API) is one JSON line: what was asked
(method, raw path, query, body), when (the clock), with which id seed and lifecycle delay. The line is
written, flushed and fsync'ed before the reply leaves; concurrent requests share one fsync (a group
commit: whoever syncs covers every line written before). On start the snapshot (the state file) is
loaded and the lines after its ``journal_seq`` are replayed through the same handlers, with the
clock frozen at their time and the same id seed, so the world — ids and UUIDs included — comes back
as it was answered. A compaction (in the background, and on shutdown) writes a new snapshot and
keeps only the lines after it. A torn last line (a crash mid-write, never acknowledged) is dropped.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator


class Journal:
    """An append-only file of JSON lines, each with a ``seq`` number that only grows."""

    def __init__(self, path: str, after_seq: int = 0) -> None:
        self.path = path
        self._sync_lock = threading.Lock()
        self.last_seq = after_seq
        self.synced_seq = after_seq
        self.entries_since_compaction = 0
        good_end = 0
        if os.path.exists(path):
            for seq, end, _entry in self._scan():
                self.last_seq = max(self.last_seq, seq)
                good_end = end
                self.entries_since_compaction += 1
            if os.path.getsize(path) != good_end:  # a torn last line: never acknowledged, dropped
                with open(path, "r+b") as fh:
                    fh.truncate(good_end)
                    fh.flush()
                    os.fsync(fh.fileno())
        self.synced_seq = self.last_seq
        self._fh = open(path, "ab")  # noqa: SIM115 - kept open for the life of the journal

    def _scan(self) -> Iterator[tuple[int, int, dict]]:
        """(seq, byte offset after the line, entry) of every whole line; stops at the first torn one."""
        offset = 0
        with open(self.path, "rb") as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    return
                try:
                    entry = json.loads(line)
                except ValueError:
                    return
                offset += len(line)
                yield entry["seq"], offset, entry

    def entries(self, after_seq: int) -> list[dict]:
        """The entries with ``seq`` > ``after_seq`` (those a snapshot does not hold yet), in order."""
        return [entry for seq, _end, entry in self._scan() if seq > after_seq]

    def append(self, entry: dict) -> int:
        """Write one entry (flushed to the OS, not yet synced); returns its seq. Call under the state lock."""
        self.last_seq += 1
        line = json.dumps({**entry, "seq": self.last_seq}, separators=(",", ":"), default=str) + "\n"
        self._fh.write(line.encode())
        self._fh.flush()
        self.entries_since_compaction += 1
        return self.last_seq

    def sync(self, upto_seq: int) -> None:
        """Return once every entry up to ``upto_seq`` is on disk (one fsync covers all written before it)."""
        if self.synced_seq >= upto_seq:
            return
        with self._sync_lock:
            if self.synced_seq >= upto_seq:
                return
            written = self.last_seq
            os.fsync(self._fh.fileno())
            self.synced_seq = max(self.synced_seq, written)

    def drop_through(self, seq: int) -> None:
        """Keep only the entries after ``seq`` (a snapshot now holds the others). Call under the state lock."""
        with self._sync_lock:
            self._fh.flush()
            keep = [line for s, line in self._lines() if s > seq]
            tmp = f"{self.path}.tmp"
            with open(tmp, "wb") as fh:
                fh.writelines(keep)
                fh.flush()
                os.fsync(fh.fileno())
            self._fh.close()
            os.replace(tmp, self.path)
            _sync_directory(self.path)
            self._fh = open(self.path, "ab")  # noqa: SIM115
            self.synced_seq = self.last_seq
            self.entries_since_compaction = len(keep)

    def _lines(self) -> Iterator[tuple[int, bytes]]:
        with open(self.path, "rb") as fh:
            for line in fh:
                if line.endswith(b"\n"):
                    yield json.loads(line)["seq"], line

    def close(self) -> None:
        with self._sync_lock:
            self._fh.close()


def _sync_directory(path: str) -> None:
    """fsync the directory holding ``path``, so a rename survives a power cut (no-op where unsupported)."""
    try:
        fd = os.open(os.path.dirname(os.path.abspath(path)), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
