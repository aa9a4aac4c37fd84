"""The offline engine end to end without a provider plugin: CLI + the vendor's language host + a dynamic resource.

up creates a tag in the emulator through the project's client factory, preview finds no changes, destroy
deletes it; the API token is a secret input and never reaches the state in plaintext.
"""

from __future__ import annotations

import json

import pytest

from do_platform.api.client import make_client

pytestmark = pytest.mark.e2e

TOKEN = "e2e-secret-token-4f9a1c"


def _backend_text(run) -> str:
    return "\n".join(p.read_text(errors="replace") for p in (run.state_dir / "backend").rglob("*") if p.is_file())


def test_up_preview_destroy_dynamic_resource(stack_run, emulator):
    emulator.state.settings.token = TOKEN  # the emulator accepts only the token the stack holds as a secret
    run = stack_run("engine_smoke", overrides={"e2e-engine:tagName": "e2e-engine-tag",
                                               "e2e-engine:endpoint": emulator.url}, emulator_url=emulator.url)
    run.select()
    run.pulumi("config", "set", "--secret", "e2e-engine:token", TOKEN, check=True)

    up = run.step("up")
    assert up.ok, up.output
    assert up.api_calls == 1  # one POST /v2/tags
    assert emulator.control.log.snapshot()["by_route"] == {"POST /v2/tags": 1}
    api = make_client(token=TOKEN, endpoint=emulator.url, retry_total=0)
    assert api.tags.get(tag_id="e2e-engine-tag")["tag"]["name"] == "e2e-engine-tag"
    outputs = json.loads(run.pulumi("stack", "output", "--json", check=True).stdout)
    assert outputs == {"stack": "e2e", "tag": "e2e-engine-tag"}

    preview = run.step("preview")
    assert preview.ok, preview.output
    assert preview.api_calls == 0

    assert TOKEN not in _backend_text(run)
    assert TOKEN not in (run.work_dir / "Pulumi.e2e.yaml").read_text()

    destroy = run.step("destroy")
    assert destroy.ok, destroy.output
    assert emulator.control.log.snapshot()["by_route"] == {"DELETE /v2/tags/{tag_id}": 1}
    assert api.tags.get(tag_id="e2e-engine-tag")["id"] == "not_found"  # PyDo returns a 404's body


def test_preview_reports_a_real_change(stack_run, emulator):
    """--expect-no-changes fails when the program's inputs did change: the no-phantom-diff check can fail."""
    run = stack_run("engine_smoke", overrides={"e2e-engine:tagName": "first", "e2e-engine:endpoint": emulator.url})
    run.select()
    run.pulumi("config", "set", "--secret", "e2e-engine:token", TOKEN, check=True)
    assert run.step("up").ok
    run.pulumi("config", "set", "e2e-engine:tagName", "second", check=True)
    preview = run.step("preview")
    assert not preview.ok
    assert "replace" in preview.output
    assert run.step("destroy").ok


def test_program_error_is_reported_and_fails_the_step(stack_run, emulator):
    """A program that raises fails `up` with the traceback in the engine's diagnostics, not silently."""
    run = stack_run("engine_smoke", overrides={"e2e-engine:endpoint": emulator.url})  # tagName missing
    run.select()
    run.pulumi("config", "set", "--secret", "e2e-engine:token", TOKEN, check=True)
    up = run.step("up")
    assert not up.ok
    assert "tagName" in up.output
