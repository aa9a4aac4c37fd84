"""Promotion against the emulator's registry, on a copy of the stack files in a throwaway git repo."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from do_platform.errors import ConfigError, PromotionBlocked
from do_platform.ops import promote as ops
from do_platform.stack_files import images_of
from tests.helpers.git import commit_all, git

REPO = Path(__file__).resolve().parents[2]
STAGING_DIGEST = "sha256:" + "a" * 64


DEV = """\
# dev: apps pinned by tag
config:
  do-platform:environment: development
  do-platform:apps:
    - name: web
      image:
        registry: do-platform
        repository: web
        tag: main
    - name: worker
      image:
        registry: do-platform
        repository: team/worker
        digest: {worker_digest}
"""

STAGING = """\
# staging: pinned by digest (promotion writes here)
config:
  do-platform:environment: staging
  do-platform:apps:
      # the public site
      - name: web
        image:
          registry: do-platform
          repository: web
          tag: "1.4.2"
          digest: {old}  # promoted last week
        instanceCount: 1
      - name: worker
        image:
          registry: do-platform
          repository: team/worker
          tag: old
"""


@pytest.fixture
def pushed(emulator):
    summary = emulator.control.seed("registry", {"registry": "do-platform", "pushes": [
        {"repository": "web", "tags": ["main", "sha-1"], "age_days": 1},
        {"repository": "team/worker", "tags": ["v2"], "age_days": 2},
    ]})
    return {p["repository"]: p["digest"] for p in summary["pushed"]}


@pytest.fixture
def repo(tmp_path, pushed):
    (tmp_path / "Pulumi.dev.yaml").write_text(DEV.format(worker_digest=pushed["team/worker"]))
    (tmp_path / "Pulumi.staging.yaml").write_text(STAGING.format(old=STAGING_DIGEST))
    shutil.copy(REPO / "Pulumi.prod.yaml", tmp_path / "Pulumi.prod.yaml")
    commit_all(tmp_path, "stacks")
    return tmp_path


def test_promote_pins_resolved_digests_and_keeps_comments_and_layout(client, repo, pushed):
    result = ops.promote(client, "dev", "staging", root=repo, dry_run=False)
    assert result.written and result.changed
    text = (repo / "Pulumi.staging.yaml").read_text()
    assert "# the public site" in text and "# promoted last week" in text and text.startswith("# staging")
    assert "      - name: web" in text  # the file's own sequence indentation
    refs = {r.app: r for r in images_of("staging", repo)}
    assert refs["web"].digest == pushed["web"] and refs["web"].tag == "main"
    assert refs["worker"].digest == pushed["team/worker"] and refs["worker"].tag is None
    assert {p.app: p.resolved_from for p in result.images} == {"web": "tag", "worker": "digest"}
    assert f"-          digest: {STAGING_DIGEST}" in result.diff
    assert f"+          digest: {pushed['web']}" in result.diff
    assert "instanceCount: 1" in text  # untouched keys stay


def test_dry_run_is_the_default_prints_the_diff_and_writes_nothing(client, repo, pushed):
    before = (repo / "Pulumi.staging.yaml").read_text()
    result = ops.promote(client, "dev", "staging", root=repo)
    assert result.changed and not result.written and pushed["web"] in result.diff
    assert (repo / "Pulumi.staging.yaml").read_text() == before


def test_second_promotion_is_a_no_op(client, repo):
    ops.promote(client, "dev", "staging", root=repo, dry_run=False)
    git(repo, "commit", "-q", "-am", "promote")
    again = ops.promote(client, "dev", "staging", root=repo, dry_run=False)
    assert not again.changed and not again.written and again.diff == ""


@pytest.mark.parametrize("source,target", [("dev", "prod"), ("staging", "dev"), ("prod", "staging"), ("dev", "dev")])
def test_order_is_dev_staging_prod_one_step_at_a_time(client, repo, source, target):
    with pytest.raises(PromotionBlocked) as err:
        ops.promote(client, source, target, root=repo, dry_run=False)
    assert f"{source}→{target}" in err.value.message and "dev→staging, staging→prod" in err.value.message


def test_unknown_stage_names_the_flag():
    with pytest.raises(PromotionBlocked) as err:
        ops.check_order("qa", "staging")
    assert "--from 'qa'" in err.value.message and "dev, staging, prod" in err.value.message


def test_missing_tag_is_refused_and_nothing_is_written(client, emulator, repo):
    text = (repo / "Pulumi.dev.yaml").read_text().replace("tag: main", "tag: never-pushed")
    (repo / "Pulumi.dev.yaml").write_text(text)
    git(repo, "commit", "-q", "-am", "dev: an unpushed tag")
    before = (repo / "Pulumi.staging.yaml").read_text()
    with pytest.raises(PromotionBlocked) as err:
        ops.promote(client, "dev", "staging", root=repo, dry_run=False)
    assert "'never-pushed'" in err.value.message and "do-platform/web" in err.value.message
    assert (repo / "Pulumi.staging.yaml").read_text() == before


def test_missing_digest_is_refused(client, repo):
    text = (repo / "Pulumi.dev.yaml").read_text()
    worker = images_of("dev", repo)[1].digest
    (repo / "Pulumi.dev.yaml").write_text(text.replace(worker, "sha256:" + "b" * 64))
    git(repo, "commit", "-q", "-am", "dev: a collected digest")
    with pytest.raises(PromotionBlocked) as err:
        ops.promote(client, "dev", "staging", root=repo, dry_run=False)
    assert "sha256:" + "b" * 64 in err.value.message and "does not exist" in err.value.message


def test_uncommitted_target_edits_are_refused(client, repo):
    target = repo / "Pulumi.staging.yaml"
    target.write_text(target.read_text() + "# local edit\n")
    with pytest.raises(PromotionBlocked) as err:
        ops.promote(client, "dev", "staging", root=repo, dry_run=False)
    assert "uncommitted edits" in err.value.message
    assert target.read_text().endswith("# local edit\n")
    # A dry run still shows what would change, with a note.
    preview = ops.promote(client, "dev", "staging", root=repo, dry_run=True)
    assert preview.changed and any("uncommitted" in n for n in preview.notes)


def test_without_git_a_promotion_is_refused_and_a_dry_run_still_works(client, repo, monkeypatch):
    monkeypatch.setenv("PATH", str(repo / "no-bin"))  # no git to be found
    before = (repo / "Pulumi.staging.yaml").read_text()
    with pytest.raises(PromotionBlocked) as err:
        ops.promote(client, "dev", "staging", root=repo, dry_run=False)
    assert "not in a git work tree" in err.value.message
    preview = ops.promote(client, "dev", "staging", root=repo, dry_run=True)
    assert preview.changed and not preview.written
    assert (repo / "Pulumi.staging.yaml").read_text() == before


def test_missing_repository_is_refused(client, emulator, repo):
    text = (repo / "Pulumi.dev.yaml").read_text().replace("repository: web", "repository: nowhere")
    (repo / "Pulumi.dev.yaml").write_text(text)
    git(repo, "commit", "-q", "-am", "dev: a missing repository")
    with pytest.raises(PromotionBlocked) as err:
        ops.promote(client, "dev", "staging", root=repo, dry_run=False)
    assert "do-platform/nowhere does not exist" in err.value.message


def test_write_is_atomic_when_the_rename_fails(tmp_path, monkeypatch):
    path = tmp_path / "Pulumi.staging.yaml"
    path.write_text("old\n")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(ops.os, "replace", boom)
    with pytest.raises(OSError):
        ops.write_atomically(path, "new\n")
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["Pulumi.staging.yaml"]


def test_rewrite_of_the_real_staging_file_changes_only_the_image(pushed):
    text = (REPO / "Pulumi.staging.yaml").read_text()
    pin = ops.PinnedImage("web", "do-platform", "web", "main", pushed["web"], "tag")
    after, notes = ops.rewrite(text, [pin], "staging")
    changed = [line for line in after.splitlines() if line not in text.splitlines()]
    assert len(changed) == 2 and any(pushed["web"] in line for line in changed)
    assert notes == []


def test_the_source_is_read_as_committed_and_the_edit_is_named(client, repo, pushed):
    """An uncommitted edit of the source (what an earlier promote left behind) is never promoted."""
    source = repo / "Pulumi.dev.yaml"
    source.write_text(source.read_text().replace(pushed["team/worker"], "sha256:" + "e" * 64))
    result = ops.promote(client, "dev", "staging", root=repo, dry_run=False)
    assert {p.app: p.digest for p in result.images}["worker"] == pushed["team/worker"]
    assert "e" * 64 not in (repo / "Pulumi.staging.yaml").read_text()
    head = git(repo, "rev-parse", "HEAD").strip()
    assert result.source_revision == head
    assert any("Pulumi.dev.yaml has uncommitted edits: they are not promoted" in n for n in result.notes)
    assert any(f"as committed at {head[:12]}" in n for n in result.notes)


def test_an_uncommitted_source_is_refused_and_a_dry_run_says_it_read_the_working_copy(client, repo):
    git(repo, "rm", "-q", "--cached", "Pulumi.dev.yaml")
    git(repo, "commit", "-q", "-m", "dev untracked")
    with pytest.raises(PromotionBlocked) as err:
        ops.promote(client, "dev", "staging", root=repo, dry_run=False)
    assert "Pulumi.dev.yaml is not committed" in err.value.message
    preview = ops.promote(client, "dev", "staging", root=repo)
    assert any("read the working copy" in n for n in preview.notes) and not preview.written


def _commit_staging_pins(repo, web, worker="sha256:" + "d" * 64, message="staging pins"):
    text = STAGING.format(old=web).replace("          tag: old\n", f"          tag: old\n          digest: {worker}\n")
    (repo / "Pulumi.staging.yaml").write_text(text)
    git(repo, "commit", "-q", "-am", message)


@pytest.mark.parametrize("tag", ["main", "latest", "1.4.2"])
def test_prod_takes_only_digest_pinned_images(client, repo, pushed, tag):
    text = (repo / "Pulumi.staging.yaml").read_text().replace("          tag: old\n", f"          tag: {tag}\n")
    (repo / "Pulumi.staging.yaml").write_text(text)
    git(repo, "commit", "-q", "-am", "staging worker by tag")
    before = (repo / "Pulumi.prod.yaml").read_text()
    for dry_run in (True, False):
        with pytest.raises(PromotionBlocked) as err:
            ops.promote(client, "staging", "prod", root=repo, dry_run=dry_run)
        message = err.value.message
        assert "app worker: Pulumi.staging.yaml at " in message and f"team/worker:{tag}" in message
        assert "prod takes only digest-pinned images" in message
        assert ("moving tag" in message) == (tag != "1.4.2")
    assert (repo / "Pulumi.prod.yaml").read_text() == before


def test_staging_to_prod_pins_stagings_committed_digests(client, emulator, repo, pushed):
    _commit_staging_pins(repo, pushed["web"], pushed["team/worker"])
    result = ops.promote(client, "staging", "prod", root=repo, dry_run=False)
    assert result.written and {p.resolved_from for p in result.images} == {"digest"}
    assert {r.app: r.digest for r in images_of("prod", repo)}["web"] == pushed["web"]


def _seed_second_web(emulator):
    return emulator.control.seed("registry", {"registry": "do-platform", "pushes": [
        {"repository": "web", "tags": ["sha-2"], "age_days": 0}]})["pushed"][0]["digest"]


def test_back_restores_the_previous_pins_from_git_history(client, emulator, repo, pushed):
    second = _seed_second_web(emulator)
    _commit_staging_pins(repo, pushed["web"], pushed["team/worker"], "staging: first release")
    first_release = git(repo, "rev-parse", "HEAD").strip()
    _commit_staging_pins(repo, second, pushed["team/worker"], "staging: second release")
    preview = ops.rollback(client, "staging", root=repo)
    assert preview.changed and not preview.written and preview.rollback_to == first_release
    assert f"-          digest: {second}" in preview.diff and f"+          digest: {pushed['web']}" in preview.diff
    done = ops.rollback(client, "staging", root=repo, dry_run=False)
    assert done.written and {r.app: r.digest for r in images_of("staging", repo)}["web"] == pushed["web"]


def test_back_with_nothing_earlier_or_a_collected_digest_is_refused(client, emulator, repo, pushed):
    with pytest.raises(PromotionBlocked) as err:  # the fixture's single commit pins tags only
        ops.rollback(client, "prod", root=repo)
    assert "nothing to roll back to" in err.value.message
    _commit_staging_pins(repo, "sha256:" + "f" * 64, pushed["team/worker"], "staging: a digest gc'd since")
    _commit_staging_pins(repo, pushed["web"], pushed["team/worker"], "staging: now")
    with pytest.raises(PromotionBlocked) as err:
        ops.rollback(client, "staging", root=repo)
    assert "sha256:" + "f" * 64 in err.value.message and "does not exist" in err.value.message


def test_back_refuses_a_dirty_target_and_an_earlier_tag_only_revision(client, emulator, repo, pushed):
    _commit_staging_pins(repo, pushed["web"], pushed["team/worker"], "staging: digests")
    with pytest.raises(PromotionBlocked) as err:  # the revision before pins the worker by tag only
        ops.rollback(client, "staging", root=repo)
    assert "team/worker:old" in err.value.message and "without a digest" in err.value.message
    (repo / "Pulumi.staging.yaml").write_text((repo / "Pulumi.staging.yaml").read_text() + "# edit\n")
    with pytest.raises(PromotionBlocked) as err:
        ops.rollback(client, "staging", root=repo, dry_run=False)
    assert "uncommitted edits" in err.value.message


# --- the promotion order: do-platform:promotionOrder in Pulumi.yaml -----------------------------------------

def order_file(*stacks: str) -> str:
    return ("name: do-platform\nruntime: python\nconfig:\n  promotionOrder:\n    type: array\n    items:\n"
            f"      type: string\n    default: [{', '.join(stacks)}]\n")


@pytest.fixture
def live(repo):
    """The repository's stacks renamed to the adopter's own: dev → qa → live, live being production."""
    (repo / "Pulumi.yaml").write_text(order_file("dev", "qa", "live"))
    (repo / "Pulumi.qa.yaml").write_text((repo / "Pulumi.staging.yaml").read_text())
    (repo / "Pulumi.live.yaml").write_text((repo / "Pulumi.prod.yaml").read_text())
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "our own stages")
    return repo


def test_the_order_is_read_from_pulumi_yaml_and_defaults_without_it(repo, live):
    assert ops.promotion_order(REPO) == ("dev", "staging", "prod") == ops.ORDER
    assert ops.promotion_order(live) == ("dev", "qa", "live")


def test_a_configured_order_is_followed_and_out_of_order_names_the_key_and_the_order(client, live, pushed):
    result = ops.promote(client, "dev", "qa", root=live)
    assert result.changed and not result.written and pushed["web"] in result.diff
    for source, target in (("dev", "staging"), ("dev", "live"), ("qa", "dev")):
        with pytest.raises(PromotionBlocked) as err:
            ops.promote(client, source, target, root=live, dry_run=False)
        message = err.value.message
        assert "do-platform:promotionOrder" in message and "Pulumi.yaml" in message, message
        assert "dev, qa, live" in message or "dev→qa, qa→live" in message, message
    assert ops.check_rollback_target("live", live) == ("dev", "qa", "live")
    with pytest.raises(PromotionBlocked, match=r"promotionOrder.*allowed: qa, live"):
        ops.rollback(client, "prod", root=live)


def test_a_production_stack_takes_only_digests_whatever_its_name(client, live):
    text = (live / "Pulumi.qa.yaml").read_text().replace("          tag: old\n", "          tag: main\n")
    (live / "Pulumi.qa.yaml").write_text(text)
    git(live, "commit", "-q", "-am", "qa worker by tag")
    with pytest.raises(PromotionBlocked) as err:
        ops.promote(client, "qa", "live", root=live)
    assert "live takes only digest-pinned images" in err.value.message
    assert "do-platform:environment is production" in err.value.message


def test_an_uncommitted_order_opens_no_shortcut(client, repo):
    (repo / "Pulumi.yaml").write_text(order_file("dev", "staging", "prod"))
    git(repo, "add", "Pulumi.yaml")
    git(repo, "commit", "-q", "-m", "the order")
    (repo / "Pulumi.yaml").write_text(order_file("dev", "prod"))  # edited, not committed
    with pytest.raises(PromotionBlocked, match="staging→prod"):
        ops.promote(client, "dev", "prod", root=repo)


@pytest.mark.parametrize("order, problem", [
    ("[prod]", "at least two stack names"), ("[dev, dev, prod]", "listed twice"),
    ("[dev, Prod]", "not a stack name"), ('"dev,prod"', "promotionOrder")])
def test_a_bad_order_is_a_config_error_naming_the_key(repo, order, problem):
    (repo / "Pulumi.yaml").write_text(order_file("dev").replace("[dev]", order))
    with pytest.raises(ConfigError) as err:
        ops.promotion_order(repo)
    assert "do-platform:promotionOrder" in err.value.message and problem in err.value.message, err.value.message


def test_a_stack_file_cannot_set_the_project_wide_order(repo):
    text = (repo / "Pulumi.staging.yaml").read_text().replace(
        "config:\n", "config:\n  do-platform:promotionOrder: [dev, staging]\n")
    (repo / "Pulumi.staging.yaml").write_text(text)
    with pytest.raises(ConfigError) as err:
        ops.check_order("dev", "staging", repo)
    assert "do-platform:promotionOrder is set in Pulumi.staging.yaml" in err.value.message
    assert "Pulumi.yaml" in err.value.message
