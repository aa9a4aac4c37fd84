"""Serve the emulator with uvicorn: in the foreground (``python -m emulator``) or in a thread (tests)."""

from __future__ import annotations

import errno
import socket
import sys
import threading
import time

import uvicorn

from emulator.core.app import EmulatorApp, create_app
from emulator.core.state import Settings


class BindError(OSError):
    """The emulator cannot listen on ``host:port`` (in use, not an address of this machine, ...)."""

    def __init__(self, host: str, port: int, reason: str, flag: str) -> None:
        super().__init__(f"cannot listen on {host}:{port}: {reason}")
        self.host, self.port, self.reason, self.flag = host, port, reason, flag


class EmulatorServer:
    """The emulator on 127.0.0.1 in a background thread; ``port=0`` picks a free port.

    >>> with EmulatorServer() as emu:
    ...     client = make_client(token="t", endpoint=emu.url)
    """

    def __init__(self, port: int = 0, host: str = "127.0.0.1", *, state_file: str | None = None,
                 settings: Settings | None = None, seed: int | None = None,
                 flush_interval: float = 0.5) -> None:
        self.app: EmulatorApp = create_app(state_file=state_file, settings=settings, seed=seed)
        self.host = host
        self.port = port
        self.flush_interval = flush_interval
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()
        self._last_flush_error: str | None = None

    @property
    def state(self):
        return self.app.state

    @property
    def control(self):
        return self.app.control

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def bind(self) -> socket.socket:
        """The listening socket, bound here (not in uvicorn's thread) so a busy port or a bad host is a
        :class:`BindError` the caller can report, instead of a log line and a timeout."""
        try:
            family, kind, proto, _, address = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)[0]
        except (OSError, UnicodeError) as exc:
            raise BindError(self.host, self.port, f"cannot resolve the host: {exc}", "--host") from None
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            sock.close()
            reason = "the port is in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
            flag = "--host" if exc.errno == errno.EADDRNOTAVAIL else "--port"
            raise BindError(self.host, self.port, reason, flag) from None
        sock.set_inheritable(True)
        return sock

    def start(self) -> EmulatorServer:
        sock = self.bind()
        config = uvicorn.Config(self.app.asgi, host=self.host, port=self.port, log_level="warning",
                                access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, name="emulator",
                                        daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"emulator did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        self._flusher = threading.Thread(target=self._flush_loop, name="emulator-flush", daemon=True)
        self._flusher.start()
        return self

    def _flush_loop(self) -> None:
        while not self._stop.wait(self.flush_interval):
            try:
                self.app.state.compact_if_due()
            except Exception as exc:  # keep flushing: a full disk or a moved directory may come back
                message = f"emulator: cannot write the state file {self.app.state.state_file}: {exc}"
                if message != self._last_flush_error:
                    print(message, file=sys.stderr, flush=True)
                self._last_flush_error = message
            else:
                self._last_flush_error = None

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self.app.state.flush()
        self.app.state.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
