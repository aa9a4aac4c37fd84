"""``do-platform mcp`` through the SDK's own client: in-process for most tests, over stdio (the spawned
CLI) once, against the in-process emulator and stack files in a temporary project directory."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from do_platform import pricing
from do_platform.mcp_server import build_server
from do_platform.mcp_server import server as mcp_module
from do_platform.ops import plan as plan_ops
from do_platform.stack_files import PROJECT_DIR_ENV, REPO_ROOT, images_of
from tests.helpers.emulator import requests
from tests.helpers.git import commit_all, git
from tests.helpers.stacks import ALL, STAGING_PINNED, deploy_stack, stack, write_stack

PLANTED = "dop_v1_planted-token-0123456789abcdef"
READ_TOOLS = {"plan", "preflight", "status", "registry_cleanup_plan", "promote_plan", "price"}
WRITE_TOOLS = {"registry_cleanup_apply", "promote_apply"}


@pytest.fixture
def project(tmp_path, emulator, monkeypatch):
    """A git-tracked project with a dev and a staging stack; the environment the server reads."""
    for var in ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN", "DIGITALOCEAN_API_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", PLANTED)
    monkeypatch.setenv("DIGITALOCEAN_API_URL", emulator.url)
    monkeypatch.setenv(PROJECT_DIR_ENV, str(tmp_path))
    write_stack(tmp_path, "dev", stack(components=ALL))
    (tmp_path / "Pulumi.staging.yaml").write_text(STAGING_PINNED)
    commit_all(tmp_path, "stacks")
    return tmp_path


@pytest.fixture
def registry(emulator):
    """Registry do-platform with web:main (deployed by dev) and eight old builds."""
    pushes = [{"repository": "web", "tags": ["main"]}] + [
        {"repository": "web", "tags": [f"build-{i}"], "age_days": 100 + i} for i in range(8)]
    pushed = emulator.control.seed("registry", {"registry": "do-platform", "pushes": pushes})["pushed"]
    emulator.control.log.clear()
    return pushed


def call(tool: str, args: dict | None = None, *, allow_writes: bool = False, root: Path | None = None):
    """One tool call through the SDK client connected in-process to a fresh server."""
    server = build_server(root=root, allow_writes=allow_writes)

    async def go():
        async with Client(server) as client:
            return await client.call_tool(tool, args or {})

    return anyio.run(go)


def tools(*, allow_writes: bool = False):
    async def go():
        async with Client(build_server(allow_writes=allow_writes)) as client:
            return (await client.list_tools()).tools

    return {t.name: t for t in anyio.run(go)}


def text_of(result) -> str:
    return "\n".join(getattr(block, "text", "") for block in result.content)


def ok(result) -> dict:
    assert not result.is_error, text_of(result)
    return result.structured_content


def mutating(emulator) -> list[str]:
    return [r for r in requests(emulator) if not r.startswith("GET ")]


def test_read_only_by_default_and_writes_only_with_the_flag(project):
    read = tools()
    assert set(read) == READ_TOOLS
    assert all(t.annotations.read_only_hint for t in read.values())
    both = tools(allow_writes=True)
    assert set(both) == READ_TOOLS | WRITE_TOOLS
    assert all(both[name].annotations.destructive_hint for name in WRITE_TOOLS)
    result = call("promote_apply", {"source": "dev", "target": "staging"})
    assert result.is_error and "promote_apply" in text_of(result)


def test_every_tool_has_typed_parameters_and_an_output_schema_and_no_token_or_endpoint_argument(project):
    for tool in tools(allow_writes=True).values():
        assert tool.output_schema and tool.output_schema["type"] == "object", tool.name
        params = set(tool.input_schema.get("properties", {}))
        assert not {p for p in params if "token" in p or "url" in p or "endpoint" in p}, tool.name
    schema = tools()["price"].input_schema["properties"]
    assert "droplet" in json.dumps(schema["kind"]) and schema["count"]["minimum"] == 1


def test_plan_returns_the_operations_plan_with_cost_and_findings():
    result = ok(call("plan", {"stack": "prod"}, root=REPO_ROOT))
    expected = plan_ops.plan_stack("prod", root=REPO_ROOT)
    assert result["stack"] == "prod" and result["monthly"] == expected.monthly > 0
    assert result["blocking"] is expected.blocking
    assert [v["rule"] for v in result["violations"]] == [v["rule"] for v in expected.violations]
    assert len(result["resources"]) == len(expected.resources)
    assert all(r["inputs"] is None for r in result["resources"])  # only with include_inputs
    assert all(r["key_inputs"] is not None for r in result["resources"])


def test_plan_with_inputs_carries_every_resources_inputs_masked():
    result = ok(call("plan", {"stack": "dev", "include_inputs": True}, root=REPO_ROOT))
    assert all(isinstance(r["inputs"], dict) for r in result["resources"])
    droplets = [r for r in result["resources"] if r["type"] == pricing.DROPLET]
    assert droplets and all(r["inputs"]["size"] == r["key_inputs"]["size"] for r in droplets)


def test_plan_errors_are_tool_errors_with_the_operations_message(project):
    result = call("plan", {"stack": "nope"})
    assert result.is_error
    assert "no stack 'nope'" in text_of(result) and "dev" in text_of(result)
    result = call("plan", {"stack": "dev"})  # stack files only: no program to evaluate
    assert result.is_error and "has no Pulumi.yaml" in text_of(result) and "hint:" in text_of(result)


def test_preflight_and_status_read_the_account_with_gets_only(project, emulator, client):
    emulator.control.seed("registry", {"registry": "do-platform", "pushes": [
        {"repository": "web", "tags": ["main"]}]})
    deploy_stack(client, emulator)
    emulator.control.log.clear()
    report = ok(call("preflight", {"stack": "dev"}))
    assert report["stack"] == "dev" and report["region"] == "nyc3"
    assert {c["status"] for c in report["checks"]} <= {"ok", "warn", "fail", "skip"}
    assert any(c["name"].startswith("token") or "account" in c["name"] for c in report["checks"])
    status = ok(call("status", {"stack": "dev"}))
    assert status["healthy"] is True and status["project"] == "do-platform-dev"
    assert {"dev-web-0", "dev-db"} <= {r["name"] for r in status["resources"]}
    assert requests(emulator) and not mutating(emulator)


def test_registry_cleanup_plan_deletes_nothing_and_keeps_the_deployed_image(project, emulator, registry):
    report = ok(call("registry_cleanup_plan", {"registry": "do-platform", "keep_last": 2, "keep_days": 1}))
    assert report["applied"] is False and report["garbage_collection"] is None
    expired = {t["tag"] for r in report["repositories"] for t in r["expired_tags"]}
    assert expired == {f"build-{i}" for i in range(1, 8)}  # the newest two (main, build-0) kept
    assert not mutating(emulator)


def test_registry_cleanup_apply_deletes_with_the_same_policy_and_checks(project, emulator, registry):
    bad = call("registry_cleanup_apply", {"registry": "do-platform", "keep_last": -1}, allow_writes=True)
    assert bad.is_error and "keep_last" in text_of(bad)
    bad = call("registry_cleanup_apply", {"registry": "do-platform", "keep_patterns": ["("]}, allow_writes=True)
    assert bad.is_error and "keep_patterns" in text_of(bad)
    assert not mutating(emulator)  # refused before any write
    report = ok(call("registry_cleanup_apply", {"registry": "do-platform", "keep_last": 2, "keep_days": 1,
                                                "garbage_collect": False}, allow_writes=True))
    assert report["applied"] is True and report["totals"]["tags_expired"] == 7
    assert mutating(emulator) and all(r.startswith("DELETE ") for r in mutating(emulator))
    again = ok(call("registry_cleanup_plan", {"registry": "do-platform", "keep_last": 2, "keep_days": 1}))
    assert again["totals"]["tags_expired"] == 0 and again["totals"]["tags_kept"] == 2


def test_promote_plan_returns_the_diff_and_writes_nothing(project, emulator, registry):
    before = (project / "Pulumi.staging.yaml").read_text()
    result = ok(call("promote_plan", {"source": "dev", "target": "staging"}))
    digest = next(p["digest"] for p in registry if p["tags"] == ["main"])
    assert result["written"] is False and result["changed"] is True and digest in result["diff"]
    assert (project / "Pulumi.staging.yaml").read_text() == before


def test_promote_apply_writes_and_honours_order_and_clean_tree(project, emulator, registry):
    wrong = call("promote_apply", {"source": "dev", "target": "prod"}, allow_writes=True)
    assert wrong.is_error and "staging" in text_of(wrong)
    bad_stage = call("promote_plan", {"source": "qa", "target": "staging"})
    assert bad_stage.is_error and "source" in text_of(bad_stage)
    path = project / "Pulumi.staging.yaml"
    path.write_text(path.read_text() + "# local edit\n")
    dirty = call("promote_apply", {"source": "dev", "target": "staging"}, allow_writes=True)
    assert dirty.is_error and "uncommitted edits" in text_of(dirty)
    git(project, "checkout", "-q", "--", path.name)
    result = ok(call("promote_apply", {"source": "dev", "target": "staging"}, allow_writes=True))
    digest = next(p["digest"] for p in registry if p["tags"] == ["main"])
    assert result["written"] is True and images_of("staging", project)[0].digest == digest


def test_price_uses_the_plans_table():
    table = pricing.load_bundled()
    slug, unit = next(iter(table.droplet_sizes.items()))
    result = ok(call("price", {"kind": "droplet", "slug": slug, "count": 3}))
    assert result["monthly"] == pytest.approx(unit * 3) and result["prices_as_of"] == table.as_of
    tier, tier_price = next(iter(table.registry_tiers.items()))
    assert ok(call("price", {"kind": "container_registry", "slug": tier}))["monthly"] == tier_price
    assert ok(call("price", {"kind": "volume", "count": 100}))["monthly"] == pytest.approx(100 * table.volume_per_gib)
    unknown = ok(call("price", {"kind": "droplet", "slug": "s-999vcpu"}))
    assert unknown["monthly"] is None and "not in the price table" in unknown["basis"]
    bad = call("price", {"kind": "spaceship"})
    assert bad.is_error and "kind" in text_of(bad)


def test_a_planted_token_never_appears_in_any_result_or_error(project, emulator, registry, client, monkeypatch):
    deploy_stack(client, emulator)
    here, repo = None, REPO_ROOT  # the repository's stacks for a plan (the project holds stack files only)
    calls = [("plan", {"stack": "dev", "live_prices": True}, repo), ("plan", {"stack": "nope"}, repo),
             ("plan", {"stack": "dev"}, here), ("preflight", {"stack": "dev"}, here),
             ("status", {"stack": "dev"}, here),
             ("registry_cleanup_plan", {"registry": "do-platform"}, here),
             ("registry_cleanup_plan", {"registry": "nope"}, here),
             ("promote_plan", {"source": "dev", "target": "staging"}, here),
             ("price", {"kind": "droplet", "slug": "s-1vcpu-1gb", "live": True}, here),
             ("registry_cleanup_apply", {"registry": "do-platform", "garbage_collect": False}, here),
             ("promote_apply", {"source": "dev", "target": "staging"}, here)]
    seen = []
    for tool, args, root in calls:
        seen.append(call(tool, args, allow_writes=True, root=root))
    assert sum(not r.is_error for r in seen) >= 7
    emulator.state.settings.token = "another-token"  # the API now rejects the planted one: 401 on every call
    for tool, args, root in calls:
        seen.append(call(tool, args, allow_writes=True, root=root))
    assert any(r.is_error and "401" in text_of(r) for r in seen)
    for result in seen:
        dumped = result.model_dump_json()
        assert PLANTED not in dumped

    def leaky(*args, **kwargs):  # an operation that would echo the token: the server's guard still redacts it
        from do_platform.errors import ApiFailure
        raise ApiFailure(f"request failed with Authorization: Bearer {PLANTED}")

    monkeypatch.setattr(mcp_module, "make_api_client", leaky)
    result = call("status", {"stack": "dev"})
    assert result.is_error and PLANTED not in result.model_dump_json() and mcp_module.REDACTED in text_of(result)


def test_over_stdio_the_cli_serves_the_tools_with_the_environment_token(project, emulator, registry):
    exe = shutil.which("do-platform", path=str(Path(sys.executable).parent))
    assert exe, "the do-platform entry point is installed with the package"
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    env.update({"DIGITALOCEAN_TOKEN": PLANTED, "DIGITALOCEAN_API_URL": emulator.url,
                PROJECT_DIR_ENV: str(project)})
    params = StdioServerParameters(command=exe, args=["mcp"], env=env)

    async def go():
        async with Client(params) as session:
            names = {t.name for t in (await session.list_tools()).tools}
            report = await session.call_tool("registry_cleanup_plan", {"registry": "do-platform", "keep_last": 2,
                                                                       "keep_days": 1})
            return names, report

    names, report = anyio.run(go)
    assert names == READ_TOOLS
    assert ok(report)["totals"]["tags_expired"] == 7
    assert PLANTED not in report.model_dump_json()
    assert requests(emulator) and not mutating(emulator)


@pytest.mark.parametrize("flag", ["--token", "--api-url"])
def test_the_cli_refuses_a_token_or_endpoint_on_its_command_line(flag, tmp_path):
    from typer.testing import CliRunner

    from do_platform.cli.main import app

    value = PLANTED if flag == "--token" else "http://127.0.0.1:1"
    result = CliRunner().invoke(app, [flag, value, "mcp", "--project-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{flag} does not go with `mcp`" in result.stderr and PLANTED not in result.output


def test_the_cli_refuses_a_project_dir_that_is_not_a_directory(tmp_path):
    from typer.testing import CliRunner

    from do_platform.cli.main import app

    result = CliRunner().invoke(app, ["mcp", "--project-dir", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "--project-dir" in result.stderr and "is not a directory" in result.stderr


def test_without_an_endpoint_in_the_environment_the_stacks_own_endpoint_is_used(project, emulator, monkeypatch):
    monkeypatch.delenv("DIGITALOCEAN_API_URL")
    write_stack(project, "dev", {**stack(components=ALL), "digitalocean:apiEndpoint": emulator.url})
    emulator.control.log.clear()
    result = ok(call("status", {"stack": "dev"}))
    assert result["stack"] == "dev" and "GET /v2/projects" in " ".join(requests(emulator))


def test_without_a_token_the_error_says_where_the_server_reads_it_and_offers_no_flag(project, monkeypatch):
    """The server takes the token from its environment only: the message must not offer ``--token``."""
    for var in ("DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    for tool, args in (("status", {"stack": "dev"}), ("promote_plan", {"source": "dev", "target": "staging"}),
                       ("registry_cleanup_plan", {"registry": "do-platform"})):
        result = call(tool, args)
        text = text_of(result)
        assert result.is_error and "no DigitalOcean API token" in text, text
        assert "DIGITALOCEAN_TOKEN" in text and "environment" in text and "--token" not in text, text
