"""The RegistryRetention dynamic resource through the real engine: up applies the policy to the emulator's
registry, preview finds no changes, a tighter policy updates it, destroy leaves the images alone."""

from __future__ import annotations

import json

import pytest

from do_platform.api.client import make_client

pytestmark = pytest.mark.e2e

TOKEN = "e2e-retention-token-7c1d"
REGISTRY = "e2e-reg"


def _manifest_tags(emulator) -> list[list[str]]:
    api = make_client(token=TOKEN, endpoint=emulator.url, retry_total=0)
    listed = api.registries.list_repository_manifests(REGISTRY, "web")["manifests"]
    return sorted(m["tags"] for m in listed)


def test_retention_applies_on_up_and_update_and_keeps_images_on_destroy(stack_run, emulator):
    emulator.state.settings.token = TOKEN
    emulator.control.seed("registry", {"registry": REGISTRY, "pushes": [
        {"repository": "web", "tags": [f"build-{i}"], "age_days": 10 - i} for i in range(5)]})
    run = stack_run("registry_retention", emulator_url=emulator.url,
                    overrides={"e2e-retention:registry": REGISTRY, "e2e-retention:keepLast": "2",
                               "e2e-retention:endpoint": emulator.url})
    run.select()
    run.pulumi("config", "set", "--secret", "e2e-retention:token", TOKEN, check=True)

    up = run.step("up")
    assert up.ok, up.output
    assert json.loads(run.pulumi("stack", "output", "--json", check=True).stdout) == {
        "manifests_deleted": 3, "tags_kept": 2, "gc_status": "skipped"}
    assert _manifest_tags(emulator) == [["build-3"], ["build-4"]]
    assert up.api_calls and up.api_calls >= 4  # listing + three manifest deletes

    preview = run.step("preview")
    assert preview.ok, preview.output
    assert preview.api_calls == 0  # a preview applies nothing

    run.pulumi("config", "set", "e2e-retention:keepLast", "1", check=True)
    update = run.step("up")
    assert update.ok, update.output
    assert _manifest_tags(emulator) == [["build-4"]]
    assert run.step("preview").ok

    backend = "\n".join(p.read_text(errors="replace") for p in (run.state_dir / "backend").rglob("*") if p.is_file())
    assert TOKEN not in backend

    destroy = run.step("destroy")
    assert destroy.ok, destroy.output
    assert destroy.api_calls == 0
    assert _manifest_tags(emulator) == [["build-4"]]  # removing the policy deletes nothing


def test_every_up_applies_the_policy_again_and_protect_keeps_what_a_stack_pins(stack_run, emulator):
    emulator.state.settings.token = TOKEN
    pushed = emulator.control.seed("registry", {"registry": REGISTRY, "pushes": [
        {"repository": "web", "tags": [f"build-{i}"], "age_days": 10 - i} for i in range(5)]})["pushed"]
    pinned = pushed[0]["digest"]  # the oldest build, pinned by a stack: never expired
    run = stack_run("registry_retention", emulator_url=emulator.url,
                    overrides={"e2e-retention:registry": REGISTRY, "e2e-retention:keepLast": "1",
                               "e2e-retention:endpoint": emulator.url, "e2e-retention:everyUp": "true",
                               "e2e-retention:protect": [f"web@{pinned}"]})
    run.select()
    run.pulumi("config", "set", "--secret", "e2e-retention:token", TOKEN, check=True)

    assert run.step("up").ok
    assert _manifest_tags(emulator) == [["build-0"], ["build-4"]]
    emulator.control.seed("registry", {"registry": REGISTRY, "pushes": [
        {"repository": "web", "tags": ["build-5"], "age_days": 0}]})

    preview = run.step("preview")  # --expect-no-changes: the next up will apply the policy, so it says so
    assert not preview.ok
    assert preview.api_calls == 0

    again = run.step("up")  # no input changed: the policy still runs
    assert again.ok, again.output
    assert _manifest_tags(emulator) == [["build-0"], ["build-5"]]
