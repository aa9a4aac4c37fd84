"""Talking to the in-process emulator in tests: the token its fixtures use, its request log, key material."""

from __future__ import annotations

import base64
import hashlib
import struct

TEST_TOKEN = "emulator-test-token"


def requests(emulator) -> list[str]:
    """``METHOD /path`` of every request the emulator logged, in order."""
    return [f"{e['method']} {e['route'].split(' ', 1)[1]}" for e in emulator.control.log.snapshot()["entries"]]


def make_key(seed: int, comment: str = "me@laptop") -> str:
    """A well-formed ssh-ed25519 public key line with deterministic key bytes."""
    kind = b"ssh-ed25519"
    raw = hashlib.sha256(str(seed).encode()).digest()
    blob = struct.pack(">I", len(kind)) + kind + struct.pack(">I", len(raw)) + raw
    return f"ssh-ed25519 {base64.b64encode(blob).decode()} {comment}"


def api_error(excinfo) -> tuple[int, str, str]:
    """``(status, error id, message)`` of the API error a PyDo call raised (``pytest.raises``' excinfo)."""
    response = excinfo.value.response
    return response.status_code, response.json()["id"], response.json()["message"]


def assert_refused_naming(excinfo, field: str) -> None:
    """The call was refused as a 422 whose message starts with the field at fault."""
    status, error_id, message = api_error(excinfo)
    assert (status, error_id) == (422, "unprocessable_entity"), (status, error_id, message)
    assert message.startswith(field), message
