"""``do-platform registry cleanup`` against the emulator, with fault injection.

The world: repository ``web`` with a year of builds (several tags per digest, releases, a kept and an
expired multi-arch index, a moving ``nightly`` tag that left an untagged manifest, one digest a stack
pins by digest and one it pins by tag), ``team/api`` (all recent) and ``worker`` (one build too many).
With ``--keep-last 3 --keep-days 30`` the expected end state is written out below, by hand.
"""

from __future__ import annotations

import functools
import json
import re
import shlex

import pytest
from typer.testing import CliRunner

import do_platform.api.client as client_module
from do_platform.cli.commands import registry as registry_command
from do_platform.cli.main import app
from do_platform.exit_codes import ExitCode
from do_platform.ops import registry_cleanup as ops

REGISTRY = "reg"
WEB_KEPT_TAGS = {"sha-000", "build-0", "latest", "v1.3.0", "v1.4.0", "sha-006", "build-6", "sha-008", "build-8"}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch):
    """The CLI builds its client through the factory; keep azure-core's backoff short in tests."""
    monkeypatch.setattr(client_module, "make_client", functools.partial(
        client_module.make_client, retry_backoff_factor=0.01, retry_backoff_max=0.05))


@pytest.fixture
def world(emulator, tmp_path):
    pushes = []
    for i in range(12):
        extra = {0: ["latest"], 3: ["v1.3.0"], 4: ["v1.4.0"]}.get(i, [])
        push = {"repository": "web", "tags": [f"sha-{i:03d}", f"build-{i}", *extra], "age_days": 5 + 40 * i}
        if i in (3, 10):
            push["platforms"] = ["linux/amd64", "linux/arm64"]
        pushes.append(push)
    pushes += [{"repository": "web", "tags": ["nightly"], "age_days": 300},
               {"repository": "web", "tags": ["nightly"], "age_days": 60}]
    pushes += [{"repository": "team/api", "tags": [f"sha-{i}"], "age_days": i + 1} for i in range(5)]
    pushes += [{"repository": "worker", "tags": [f"sha-{i}"], "age_days": 100 + 10 * i} for i in range(4)]
    pushed = emulator.control.seed("registry", {"registry": REGISTRY, "pushes": pushes})["pushed"]
    web = {i: pushed[i] for i in range(12)}
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.prod.yaml").write_text(
        "config:\n  do-platform:apps:\n    - name: web\n      image:\n"
        f"        registry: registry.digitalocean.com/{REGISTRY}\n        repository: web\n"
        f"        digest: {web[6]['digest']}\n")
    (stacks / "Pulumi.staging.yaml").write_text(
        "config:\n  do-platform:apps:\n    - name: web\n      image:\n"
        f"        registry: {REGISTRY}\n        repository: web\n        tag: build-8\n")
    kept_manifests = {web[i]["digest"] for i in (0, 3, 4, 6, 8)} | set(web[3]["children"])
    emulator.control.log.clear()
    return {"stacks": stacks, "web": web, "kept_manifests": kept_manifests,
            "api_digests": {p["digest"] for p in pushed[14:19]}, "worker": [p["digest"] for p in pushed[19:]]}


DIGESTS_ROUTE = "GET /v2/registries/{registry_name}/repositories/{repository_name}/digests"


def RUN_ARGS(emulator, world) -> list[str]:  # noqa: N802 - read as a constant
    return ["--api-url", emulator.url, "--token", "test-token", "registry", "cleanup", "--registry", REGISTRY,
            "--stacks-dir", str(world["stacks"]), "--keep-last", "3", "--keep-days", "30", "--max-rpm", "60000",
            "--gc-poll", "0.01", "--page-size", "2"]


def run(emulator, world, *args, env=None):
    return CliRunner().invoke(app, [*RUN_ARGS(emulator, world), *args],
                              env={"COLUMNS": "120", "NO_COLOR": "1", **(env or {})})


def summary_rows(stdout: str) -> dict[str, list[str]]:
    """The default output's table: repository → kept, deleted, manifest deletes, tag deletes, untagged, freed."""
    cells = [[c.strip() for c in line.strip("│").split("│")] for line in stdout.splitlines() if line.startswith("│")]
    return {row[0]: row[1:] for row in cells}


def store(emulator) -> dict:
    return emulator.state.backend("registry").data["stores"][REGISTRY]["repos"]


def mutating_calls(emulator) -> list[str]:
    return [e["route"] for e in emulator.control.log.snapshot()["entries"] if not e["route"].startswith("GET ")]


def assert_policy_state(emulator, world, *, collected: bool = True) -> None:
    repos = store(emulator)
    assert set(repos["web"]["tags"]) == WEB_KEPT_TAGS
    assert repos["web"]["tags"]["build-8"]["digest"] == world["web"][8]["digest"]
    if collected:
        assert set(repos["web"]["manifests"]) == world["kept_manifests"]
    else:
        assert world["kept_manifests"] <= set(repos["web"]["manifests"])
    assert set(repos["team/api"]["manifests"]) == world["api_digests"]
    assert set(repos["worker"]["manifests"]) == set(world["worker"][:3])


def test_dry_run_reports_and_changes_nothing(emulator, world):
    before = json.dumps(store(emulator), sort_keys=True)
    result = run(emulator, world)
    assert result.exit_code == 0, result.output
    assert summary_rows(result.stdout) == {"web": ["9", "19", "8", "4", "3", "100.0 MiB"],
                                           "worker": ["3", "1", "1", "0", "0", "10.0 MiB"]}
    assert "1 repository unchanged" in result.stdout  # team/api: a row per repository with work only
    assert "sha-001" not in result.stdout  # tags only with --details
    assert "dry run (use --apply to delete)" in result.stdout
    assert "9 manifest deletes + 4 tag deletes" in result.stdout
    assert mutating_calls(emulator) == []
    assert json.dumps(store(emulator), sort_keys=True) == before


FAULTS = {
    "none": [],
    "429 storm": [{"match": "^DELETE ", "status": 429, "count": 4, "retry_after": 0},
                  {"match": "^GET .*/digests", "status": 429, "count": 3, "retry_after": 0}],
    "5xx": [{"match": "^GET .*/repositoriesV2", "status": 503, "count": 2, "retry_after": 0},
            {"match": "^DELETE ", "status": 500, "count": 2},
            {"match": "^POST .*/garbage-collection", "status": 500, "count": 1}],
    "slow": [{"match": ".*", "latency_ms": 15}],
    "page fails once midway": [{"match": r"^GET .*/web/digests\?.*\bpage=3\b", "status": 502, "count": 2},
                               {"match": r"^GET .*/repositoriesV2\?.*page_token=", "status": 504, "count": 2}],
}


@pytest.mark.parametrize("faults", FAULTS.values(), ids=FAULTS.keys())
def test_apply_reaches_the_policy_under_faults_and_converges(emulator, world, faults):
    for fault in faults:
        emulator.control.add_fault(**fault)
    result = run(emulator, world, "--apply", "--yes")
    assert result.exit_code == 0, result.output
    injected = {str(f["status"]) for f in faults if "status" in f}
    assert injected <= set(emulator.control.log.snapshot()["by_status"]), "every fault must have fired"
    assert "read-only" in result.stderr
    assert_policy_state(emulator, world)
    gc = emulator.state.backend("registry").data["gcs"][REGISTRY]
    assert [(g["status"], g["type"]) for g in gc] == [("succeeded", ops.GC_TYPE)]
    assert f"garbage collection {gc[0]['uuid']} succeeded" in result.stdout

    emulator.control.faults.clear()
    emulator.control.log.clear()
    again = run(emulator, world, "--apply", "--yes")
    assert again.exit_code == 0, again.output
    assert mutating_calls(emulator) == []
    assert "nothing was deleted and nothing waits for collection" in again.stdout


def test_a_page_that_keeps_failing_aborts_before_touching_that_repository(emulator, world):
    emulator.control.add_fault(match=r"^GET .*/web/digests\?.*\bpage=3\b", status=500, count=50)
    result = run(emulator, world, "--apply", "--yes")
    assert result.exit_code == 1
    assert "list manifests of 'web'" in result.stderr and "500" in result.stderr
    assert len(store(emulator)["web"]["tags"]) == 28  # nothing deleted in web
    assert len(store(emulator)["worker"]["manifests"]) == 4  # never reached
    assert not any("garbage-collection" in call for call in mutating_calls(emulator))

    emulator.control.faults.clear()
    assert run(emulator, world, "--apply", "--yes").exit_code == 0
    assert_policy_state(emulator, world)


def test_rerun_after_an_interruption_before_gc_collects_and_converges(emulator, world):
    assert run(emulator, world, "--apply", "--yes", "--no-gc").exit_code == 0  # stopped before its collection
    assert_policy_state(emulator, world, collected=False)
    emulator.control.log.clear()
    result = run(emulator, world, "--apply", "--yes")
    assert result.exit_code == 0, result.output
    assert not any(call.startswith("DELETE") for call in mutating_calls(emulator))
    assert "succeeded" in result.stdout
    assert_policy_state(emulator, world)


def test_json_output_and_no_gc(emulator, world):
    result = run(emulator, world, "--apply", "--yes", "--no-gc", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["totals"]["manifest_deletes"] == 9 and report["totals"]["tag_deletes"] == 4
    assert report["garbage_collection"]["status"] == "skipped"
    assert "read-only" not in result.stderr
    web = next(r for r in report["repositories"] if r["repository"] == "web")
    assert web["manifests_deleted"] == 8 and web["tags_deleted"] == 4
    assert set(web["protected_children"]) == set(world["web"][3]["children"])
    assert_policy_state(emulator, world, collected=False)
    assert emulator.state.backend("registry").data["gcs"][REGISTRY] == []


def test_gc_timeout_cancels_and_lifts_read_only(emulator, world):
    emulator.control.seed("registry", {"registry": REGISTRY, "gc_step_seconds": 3600})
    result = run(emulator, world, "--apply", "--yes", "--gc-timeout", "0.05")
    assert result.exit_code == 1
    assert "did not finish within 0.05s" in result.stderr
    gc = emulator.state.backend("registry").data["gcs"][REGISTRY][0]
    assert gc["status"] in ("cancelling", "cancelled")
    emulator.control.seed("registry", {"registry": REGISTRY, "pushes": [{"repository": "web", "tags": ["after"]}]})


def test_running_gc_is_not_doubled(emulator, world):
    emulator.control.seed("registry", {"registry": REGISTRY, "gc_step_seconds": 3600})
    backend = emulator.state.backend("registry")
    running = backend.start_gc(REGISTRY, {})
    result = run(emulator, world, "--apply", "--yes")
    assert result.exit_code == 0, result.output
    assert f"{running['uuid']} is already requested" in result.stdout
    assert len(backend.data["gcs"][REGISTRY]) == 1


def test_delete_that_finds_nothing_counts_as_done(emulator, world, client):
    manifests = ops.list_manifests(client, REGISTRY, "worker")
    plan = ops.plan_repository("worker", manifests, ops.RetentionPolicy(keep_last=3, keep_days=30),
                               ops.parse_time(None).now(ops.UTC))
    emulator.state.backend("registry").delete_manifest(REGISTRY, "worker", plan.delete_manifests[0])
    result = ops.apply_plan(client, REGISTRY, plan)
    assert (result.manifests_deleted, result.already_gone) == (0, 1)


# -- bad input: a clear error and no call that changes anything
def test_unknown_registry_lists_the_known_ones(emulator, world):
    result = CliRunner().invoke(app, ["--api-url", emulator.url, "--token", "t", "registry", "cleanup", "--registry",
                                      "nope", "--stacks-dir", str(world["stacks"]), "--apply", "--yes"],
                                env={"COLUMNS": "120"})
    assert result.exit_code == 1
    assert "registry 'nope' does not exist" in result.stderr and "reg" in result.stderr
    assert mutating_calls(emulator) == []


def test_bad_pattern_names_the_flag_before_any_call(emulator, world):
    result = run(emulator, world, "--apply", "--yes", "--keep-pattern", "release-(")
    assert result.exit_code == 1
    assert "--keep-pattern" in result.stderr and "'release-('" in result.stderr
    assert emulator.control.log.snapshot()["total"] == 0


@pytest.mark.parametrize("pattern", ["[/x](", "[bold]release-("])
def test_a_bad_pattern_with_brackets_is_quoted_as_written(emulator, world, pattern):
    result = run(emulator, world, "--apply", "--yes", "--keep-pattern", pattern)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)  # not a markup error
    assert f"--keep-pattern): {pattern!r} is not a valid regular expression" in result.stderr
    assert emulator.control.log.snapshot()["total"] == 0


def test_a_stacks_dir_without_stack_files_is_warned_about(emulator, world, tmp_path):
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    result = run(emulator, world, "--stacks-dir", str(empty))
    assert result.exit_code == 0, result.output
    assert f"no Pulumi.<stack>.yaml in {empty}: no deployed image is protected" in result.stderr
    assert "no Pulumi.<stack>.yaml" not in run(emulator, world).stderr  # the world's stack files are found


def test_bad_stack_file_is_reported_before_any_call(emulator, world):
    (world["stacks"] / "Pulumi.Prod_EU.yaml").write_text("config: {}\n")
    result = run(emulator, world, "--apply", "--yes")
    assert result.exit_code == 1
    assert "stack name 'Prod_EU' is not valid" in result.stderr
    assert emulator.control.log.snapshot()["total"] == 0


def test_missing_token_is_reported_before_any_call(emulator, world):
    args = ["--api-url", emulator.url, "registry", "cleanup", "--registry", REGISTRY, "--stacks-dir",
            str(world["stacks"]), "--apply", "--yes"]
    result = CliRunner().invoke(app, args, env={"DIGITALOCEAN_TOKEN": None, "DIGITALOCEAN_ACCESS_TOKEN": None,
                                                "COLUMNS": "120"})
    assert result.exit_code == 1
    assert "DIGITALOCEAN_TOKEN" in result.stderr
    assert emulator.control.log.snapshot()["total"] == 0


@pytest.mark.parametrize(("args", "flag"), [
    (["--keep-days", "inf"], "--keep-days"), (["--keep-days", "1e12"], "--keep-days"),
    (["--keep-days", "nan"], "--keep-days"), (["--keep-last", "1000000000000"], "--keep-last"),
    (["--gc-timeout", "inf"], "--gc-timeout"), (["--gc-poll", "nan"], "--gc-poll"),
])
def test_out_of_range_numbers_are_a_message_naming_the_flag_not_a_traceback(args, flag):
    result = CliRunner().invoke(app, ["--token", "t", "--api-url", "http://127.0.0.1:9", "registry", "cleanup",
                                      "--registry", "reg", *args])
    assert result.exit_code == 1, result.output
    assert flag in result.stderr and "allowed:" in result.stderr and "Traceback" not in result.output
    assert not isinstance(result.exception, (OverflowError, ValueError))


# -- long runs that talk, and stop cleanly
def test_apply_without_yes_where_no_one_can_answer_is_refused_naming_yes(emulator, world):
    result = run(emulator, world, "--apply")  # CliRunner's stdin is not a terminal, like CI
    assert result.exit_code == ExitCode.ERROR
    assert "no one can answer here" in result.stderr and "--yes" in result.stderr
    assert emulator.control.log.snapshot()["total"] == 0


@pytest.mark.parametrize(("answer", "deleted"), [("n\n", False), ("y\n", True)])
def test_the_confirmation_shows_the_plan_and_only_yes_deletes(emulator, world, monkeypatch, answer, deleted):
    monkeypatch.setattr(registry_command, "stdin_is_interactive", lambda: True)
    before = json.dumps(store(emulator), sort_keys=True)
    result = CliRunner().invoke(app, RUN_ARGS(emulator, world) + ["--apply", "--no-gc"], input=answer,
                                env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    assert "Delete 20 tags (9 manifest and 4 tag deletes) from registry 'reg'" in result.stderr
    assert "web" in result.stderr  # the summary table before the question
    if deleted:
        assert_policy_state(emulator, world, collected=False)
    else:
        assert json.dumps(store(emulator), sort_keys=True) == before and mutating_calls(emulator) == []
        assert "not confirmed: nothing was deleted" in result.stderr


def test_details_lists_every_tag_with_the_rule_that_keeps_it(emulator, world):
    result = run(emulator, world, "--details")
    assert result.exit_code == 0, result.output
    lines = {line.split("│")[1].strip(): line for line in result.stdout.splitlines() if line.count("│") == 4}
    assert "kept: deployed by a stack" in lines["build-8"] and world["web"][8]["digest"] in lines["build-8"]
    assert "kept: keep_pattern semantic version (default)" in lines["v1.3.0"]
    assert "delete (manifest)" in lines["sha-001"]


def test_json_names_the_rule_that_kept_each_tag(emulator, world):
    report = json.loads(run(emulator, world, "--json").stdout)
    web = next(r for r in report["repositories"] if r["repository"] == "web")
    kept = {k["tag"]: (k["reason"], k["rule"]) for k in web["kept"]}
    assert set(kept) == WEB_KEPT_TAGS and web["kept_tags"] == len(WEB_KEPT_TAGS)
    assert kept["latest"][0] == "newest" and kept["latest"][1].startswith("keep_last 3 (number ")
    assert kept["v1.4.0"] == ("pattern", "keep_pattern semantic version (default)")
    assert kept["sha-006"][0] == "deployed"


def test_progress_is_told_by_requests_with_an_eta_where_no_terminal_shows_a_bar(emulator, world):
    result = run(emulator, world, "--apply", "--yes")
    assert result.exit_code == 0, result.output
    assert re.search(r"^reading 3 repositories of 'reg': ~14 requests, about \d+:\d\d at the rate budget$",
                     result.stderr, re.M), result.stderr
    assert "deleting in 2 repositories of 'reg': ~15 requests" in result.stderr
    gc_lines = [line for line in result.stderr.splitlines() if line.startswith("garbage collection ")]
    assert [line.split(": ")[1].split(",")[0] for line in gc_lines] == ["requested", "succeeded"]
    assert "(registry read-only)" in gc_lines[0] and "11 blobs deleted" in gc_lines[-1]


def test_progress_events_count_down_the_requests_to_zero(emulator, world, client):
    events = []
    ops.cleanup(client, REGISTRY, ops.RetentionPolicy(keep_last=3, keep_days=30), apply=True, gc=False,
                per_page=2, progress=events.append)
    assert [e.phase for e in events] == ["list"] * 4 + ["delete"] * 3
    assert events[0].requests_left == 3 + 9 + 2  # 5, 18 and 4 manifests at 2 a page: every repository's listing
    # then one re-read per repository with deletes, and the deletes (no stack files here: web has 14, worker 1)
    assert events[3].requests_left == (1 + 14) + (1 + 1)
    assert events[-1].requests_left == 0
    listed = emulator.control.log.snapshot()["by_route"][DIGESTS_ROUTE]
    assert listed == 14 + 2  # the estimate was the count


def test_a_failure_mid_run_says_what_was_deleted_and_the_command_that_resumes(emulator, world):
    emulator.control.add_fault(match=r"^DELETE .*/worker/", status=500, count=50)
    result = run(emulator, world, "--apply", "--yes")
    assert result.exit_code == ExitCode.ERROR
    assert "stopped: already deleted in 1 repositories: web (8 manifests, 4 tags)" in result.stderr
    assert "not finished: 1 repositories (worker), 1 deletes left" in result.stderr
    resume = next(line for line in result.stderr.splitlines() if line.startswith("resume with: "))
    words = shlex.split(resume.removeprefix("resume with: "))
    assert words[0] == "do-platform" and words[-2:] == ["--apply", "--yes"] and "test-token" not in resume
    emulator.control.faults.clear()
    again = CliRunner().invoke(app, ["--token", "test-token", *words[1:]], env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert again.exit_code == 0, again.output
    assert_policy_state(emulator, world)


def test_ctrl_c_mid_delete_exits_130_with_what_went(emulator, world, monkeypatch):
    real = ops.ApiReader.delete
    calls = []

    def interrupted(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    monkeypatch.setattr(ops.ApiReader, "delete", interrupted)
    result = run(emulator, world, "--apply", "--yes")
    assert result.exit_code == ExitCode.INTERRUPTED
    assert "stopped: already deleted in 1 repositories: web (2 manifests, 0 tags)" in result.stderr
    assert "resume with: do-platform --api-url" in result.stderr
    assert "interrupted" in result.stderr


def test_on_a_terminal_a_live_bar_counts_requests_and_shows_the_gc_line(emulator, world, monkeypatch):
    import io

    from rich.console import Console

    screen = io.StringIO()
    real = registry_command.console
    monkeypatch.setattr(registry_command, "console", lambda stderr=False: Console(
        file=screen, force_terminal=True, width=160, color_system=None) if stderr else real())
    emulator.control.add_fault(match=r"^GET .*/digests", latency_ms=40)  # long enough for a few refreshes
    emulator.control.seed("registry", {"registry": REGISTRY, "gc_step_seconds": 0.3})
    result = run(emulator, world, "--apply", "--yes", "--gc-poll", "0.1")
    assert result.exit_code == 0, result.output
    shown = screen.getvalue()
    assert re.search(r"reading (team/api|web|worker) \(\d/3\)", shown)
    assert re.search(r"\d+/\d+ requests, ETA \d+:\d\d", shown)
    assert re.search(r"garbage collection [0-9a-f-]+: \w+, \d+ blobs deleted, .* freed \(registry read-only\)", shown)
