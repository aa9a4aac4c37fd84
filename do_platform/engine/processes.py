"""A local server (the emulator, the S3 server) run in the background for as long as a block needs it."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from do_platform.engine.status import REPO_ROOT


@contextlib.contextmanager
def background_server(cmd: Sequence[str], log_path: Path, ready: Callable[[], object], what: str,
                      wait_s: float = 20) -> Iterator[subprocess.Popen]:
    """Start ``cmd`` (output to ``log_path``), wait until ``ready()`` stops raising OSError, yield the process;
    stop it on exit (terminate, then kill after 10 s). RuntimeError naming ``what`` and the log when it exits
    early or is not ready within ``wait_s``."""
    log = log_path.open("w")
    proc = subprocess.Popen(list(cmd), cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{what} exited with code {proc.returncode}; see {log.name}")
            try:
                ready()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{what} did not answer within {wait_s:g} s; see {log.name}") from None
                time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
