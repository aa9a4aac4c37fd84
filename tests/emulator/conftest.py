"""Every emulator test also checks that no reply shares a dict or list with the live state.

Replies are serialised after the state lock is released, so a shared container could change under a
concurrent request (or fail with "changed size during iteration"); handlers must return copies.
"""

from __future__ import annotations

import pytest


def containers(value, out: set[int]) -> set[int]:
    """ids of every dict and list inside ``value``."""
    if isinstance(value, dict | list):
        out.add(id(value))
        for item in value.values() if isinstance(value, dict) else value:
            containers(item, out)
    return out


@pytest.fixture(autouse=True)
def _replies_are_copies(request, monkeypatch):
    if "emulator" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("emulator_server").app
    shared: list[str] = []
    render = app._render

    def checked(reply):
        if isinstance(reply.body, dict | list):
            with app.state.lock:
                live = containers({name: b.data for name, b in app.state._backends.items()}, set())
                if containers(reply.body, set()) & live:
                    shared.append(f"{reply.status} {str(reply.body)[:160]}")
        return render(reply)

    monkeypatch.setattr(app, "_render", checked)
    yield
    assert not shared, "replies sharing containers with the live state:\n" + "\n".join(dict.fromkeys(shared))
