"""The GitHub workflows: schema-valid, no high zizmor findings, pinned actions, least privilege."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
ACTIONS = sorted((ROOT / ".github" / "actions").glob("*/action.yml"))
BIN = Path(sys.executable).parent
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def tool(name: str) -> str:
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if not path:
        pytest.skip(f"{name} is not installed (it is pinned in requirements-dev.txt; run make setup)")
    return str(path)


def load(path: Path) -> dict:
    return YAML(typ="safe").load(path.read_text())


def steps(doc: dict):
    for job in (doc.get("jobs") or {}).values():
        yield from job.get("steps") or []
    yield from (doc.get("runs") or {}).get("steps") or []


def test_the_four_workflows_exist():
    assert {p.stem for p in WORKFLOWS} >= {"pull-request", "deploy", "promote", "drift"}


def test_workflows_match_the_github_workflow_schema():
    proc = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                           *map(str, WORKFLOWS)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_composite_action_matches_the_github_action_schema():
    proc = subprocess.run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-actions",
                           *map(str, ACTIONS)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_zizmor_finds_nothing_high():
    proc = subprocess.run([tool("zizmor"), "--offline", "--format", "json", str(ROOT / ".github")],
                          capture_output=True, text=True, check=False)
    # Exit 0: no findings; 10 and up: findings (the highest severity); anything else: zizmor could not audit
    # (an unreadable workflow, a bad argument) and printed no JSON, which must not pass as "nothing found".
    assert proc.returncode == 0 or proc.returncode >= 10, f"zizmor exit {proc.returncode}: {proc.stderr[-2000:]}"
    findings = json.loads(proc.stdout)
    high = [f"{f['ident']}: {f['desc']}" for f in findings if f["determinations"]["severity"] == "High"]
    assert high == []


@pytest.mark.parametrize("path", WORKFLOWS + ACTIONS, ids=lambda p: p.parent.name + "/" + p.name)


def test_every_action_is_pinned_to_a_commit_with_its_tag_noted(path):
    text = path.read_text()
    for step in steps(load(path)):
        uses = step.get("uses")
        if not uses or uses.startswith("./"):
            continue
        assert PINNED.match(uses), f"{path.name}: {uses} is not pinned to a full commit SHA"
        assert re.search(re.escape(uses) + r" # v\d", text), f"{path.name}: {uses} has no '# vX' tag comment"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)


def test_least_privilege_permissions(path):
    doc = load(path)
    assert doc.get("permissions") == {}, f"{path.name}: the workflow default must be no permissions"
    for name, job in doc["jobs"].items():
        assert "permissions" in job, f"{path.name}: job {name} does not declare its permissions"
        granted = job["permissions"]
        assert granted.get("contents") in ("read", "write")
        writes = {k for k, v in granted.items() if v == "write"}
        allowed = {"promote.yml": {"contents", "pull-requests"}, "pull-request.yml": {"pull-requests"}}
        assert writes <= allowed.get(path.name, set()), f"{path.name}: job {name} writes {writes}"


def _pulumi_steps(name: str) -> list[dict]:
    doc = load(ROOT / ".github" / "workflows" / name)
    return [s for s in steps(doc) if str(s.get("uses", "")).startswith("pulumi/actions@")]


def test_pull_request_previews_with_the_policy_pack_and_comments():
    (step,) = _pulumi_steps("pull-request.yml")
    assert step["with"]["command"] == "preview" and step["with"]["policyPacks"] == "policy"
    assert step["with"]["comment-on-pr"] is True and step["with"]["secrets-provider"] == "passphrase"
    assert step["with"]["cloud-url"] == "${{ secrets.PULUMI_BACKEND_URL }}"
    doc = load(ROOT / ".github" / "workflows" / "pull-request.yml")
    assert "head.repo.full_name == github.repository" in doc["jobs"]["preview"]["if"]  # forks skip cleanly
    plan_run = " ".join(s.get("run", "") for s in doc["jobs"]["plan"]["steps"])
    assert "plan --all-stacks --against" in plan_run and "make" not in plan_run


def test_deploy_goes_dev_then_staging_then_prod_through_environments():
    doc = load(ROOT / ".github" / "workflows" / "deploy.yml")
    jobs = doc["jobs"]
    assert [jobs[s]["with"]["stack"] for s in ("dev", "staging", "prod")] == ["dev", "staging", "prod"]
    assert jobs["staging"]["needs"] == "dev" and jobs["prod"]["needs"] == "staging"
    assert jobs["dev"]["if"] == "github.ref == 'refs/heads/main'"  # a manual run from a branch deploys nothing
    up = load(ROOT / ".github" / "workflows" / "pulumi-up.yml")["jobs"]["up"]
    assert up["environment"] == "${{ inputs.stack }}"
    (step,) = _pulumi_steps("pulumi-up.yml")
    assert step["with"]["command"] == "up" and step["with"]["policyPacks"] == "policy"


def test_drift_previews_with_refresh_and_expects_no_changes():
    doc = load(ROOT / ".github" / "workflows" / "drift.yml")
    assert doc["on"]["schedule"]
    (step,) = _pulumi_steps("drift.yml")
    assert step["with"]["refresh"] is True and step["with"]["expect-no-changes"] is True


def test_promote_is_a_manual_dispatch_that_opens_a_pull_request():
    doc = load(ROOT / ".github" / "workflows" / "promote.yml")
    assert set(doc["on"]) == {"workflow_dispatch"}
    run = " ".join(s.get("run", "") for s in steps(doc))
    assert 'do-platform promote --from "$FROM" --to "$TO" --apply' in run and "gh pr create" in run
    assert 'do-platform promote --to "$TO" --back --apply' in run and doc["on"]["workflow_dispatch"]["inputs"]["back"]


def test_a_cost_limit_breach_posts_the_comment_then_fails_the_check():
    """Exit 3 from the plan (cost above do-platform:maxMonthlyIncrease) must not stop the comment being posted."""
    steps = load(ROOT / ".github" / "workflows" / "pull-request.yml")["jobs"]["plan"]["steps"]
    names = [s.get("name", "") for s in steps]
    plan = steps[names.index("Plan every stack against the base branch")]
    assert "|| status=$?" in plan["run"] and '"$status" -ne 3' in plan["run"]
    post, fail = names.index("Post or update the plan comment"), names.index(
        "Fail on a monthly cost increase above the limit")
    assert names.index("Plan every stack against the base branch") < post < fail
    assert steps[fail]["if"] == "steps.plan.outputs.status == '3'" and "exit 3" in steps[fail]["run"]


def test_the_workflows_follow_the_projects_promotion_order():
    """do-platform:promotionOrder (Pulumi.yaml) is the one order: promote.yml offers its steps, deploy.yml
    deploys its stages one after the other, and the preview and drift matrices cover each stage."""
    from do_platform.ops.promote import promotion_order

    order = list(promotion_order(ROOT))
    inputs = load(ROOT / ".github" / "workflows" / "promote.yml")["on"]["workflow_dispatch"]["inputs"]
    assert inputs["from"]["options"] == order[:-1] and inputs["from"]["default"] == order[0]
    assert inputs["to"]["options"] == order[1:] and inputs["to"]["default"] == order[1]
    jobs = load(ROOT / ".github" / "workflows" / "deploy.yml")["jobs"]
    assert [jobs[s]["with"]["stack"] for s in order] == order
    assert [jobs[s]["needs"] for s in order[1:]] == order[:-1]
    for name, job in (("pull-request.yml", "preview"), ("drift.yml", "drift")):
        matrix = load(ROOT / ".github" / "workflows" / name)["jobs"][job]["strategy"]["matrix"]["stack"]
        assert set(order) <= set(matrix), name
