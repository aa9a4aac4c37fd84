"""The retention planner (pure): which tags a policy keeps and the fewest deletes for the rest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from do_platform.errors import ConfigError
from do_platform.ops.registry_cleanup import (
    DEFAULT_KEEP_PATTERNS,
    Manifest,
    RetentionPolicy,
    decide_tags,
    deployed_for,
    plan_repository,
    reachable,
)
from do_vocab.images import ImageRef

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def digest(n: int) -> str:
    return f"sha256:{n:064x}"


def image(n: int, *tags: str, age_days: float, blobs: tuple = (), size: int = 100) -> Manifest:
    own = ((f"sha256:b{n:063x}", size),)
    return Manifest(digest(n), tuple(tags), NOW - timedelta(days=age_days), size, blobs or own)


def plan(manifests, **policy):
    kwargs = {k: policy.pop(k) for k in ("deployed_digests", "deployed_tags") if k in policy}
    return plan_repository("web", manifests, RetentionPolicy(**policy), NOW, **kwargs)


def kept(p) -> set[str]:
    return {d.tag for d in p.decisions if d.keep}


def test_keeps_newest_n_then_expires_by_age():
    manifests = [image(i, f"sha-{i}", age_days=40 + i) for i in range(6)]
    p = plan(manifests, keep_last=2, keep_days=30)
    assert kept(p) == {"sha-0", "sha-1"}
    assert sorted(p.delete_manifests) == sorted(digest(i) for i in range(2, 6))
    assert p.delete_tags == []


def test_keeps_recent_and_pattern_tags():
    manifests = [image(0, "sha-0", age_days=10), image(1, "v1.2.3", age_days=100), image(2, "latest", age_days=200),
                 image(3, "v2.0.0-rc.1", age_days=300), image(4, "release-7", age_days=300),
                 image(5, "sha-5", age_days=300)]
    p = plan(manifests, keep_last=0, keep_days=30)
    assert kept(p) == {"sha-0", "v1.2.3", "latest", "v2.0.0-rc.1"}
    custom = plan(manifests, keep_last=0, keep_days=30, keep_patterns=(*DEFAULT_KEEP_PATTERNS, r"release-\d+"))
    assert "release-7" in kept(custom)
    assert {d.reason for d in custom.decisions if d.tag == "v1.2.3"} == {"pattern"}


def test_patterns_match_the_whole_tag():
    p = plan([image(0, "latest-broken", age_days=99), image(1, "v1.2.3.4", age_days=99)], keep_last=0, keep_days=1)
    assert kept(p) == set()


def test_bad_pattern_names_the_flag_and_the_value():
    with pytest.raises(ConfigError) as err:
        RetentionPolicy(keep_patterns=("v[0-9",))
    assert "--keep-pattern" in err.value.message and "keep_patterns" in err.value.message
    assert "'v[0-9'" in err.value.message


def test_one_manifest_delete_when_every_tag_expired_single_tags_otherwise():
    manifests = [image(0, "sha-0", "build-0", "pr-9", age_days=100), image(1, "sha-1", "v1.0.0", age_days=100)]
    p = plan(manifests, keep_last=0, keep_days=30)
    assert p.delete_manifests == [digest(0)]
    assert p.delete_tags == [("sha-1", digest(1))]
    assert p.calls == 2 and len(p.expired_tags) == 4


def test_deployed_digest_keeps_every_tag_and_pinned_tag_keeps_its_digest():
    manifests = [image(0, "sha-0", "build-0", age_days=300), image(1, "build-1", "sha-1", age_days=300),
                 image(2, "sha-2", age_days=300)]
    p = plan(manifests, keep_last=0, keep_days=1, deployed_digests={digest(0)}, deployed_tags={"build-1"})
    assert kept(p) == {"sha-0", "build-0", "build-1", "sha-1"}
    assert p.delete_manifests == [digest(2)] and p.delete_tags == []


def test_children_of_a_kept_index_are_never_deleted_by_digest():
    child_a = image(10, "amd64-build", age_days=300)  # a child that also carries an expired tag
    child_b = image(11, age_days=300)
    index = Manifest(digest(1), ("v1.0.0",), NOW - timedelta(days=300), 200,
                     ((child_a.digest, 100), (child_b.digest, 100)))
    p = plan([index, child_a, child_b], keep_last=0, keep_days=1)
    assert p.protected_children == {child_a.digest, child_b.digest}
    assert p.delete_manifests == []
    assert p.delete_tags == [("amd64-build", child_a.digest)]
    assert p.untagged_collectable == 0


def test_expired_index_goes_with_its_children_and_estimates_freed_bytes():
    shared = ("sha256:" + "f" * 64, 1000)
    children = [image(10 + i, age_days=300, blobs=(shared, (f"sha256:{'c' * 63}{i}", 50))) for i in range(2)]
    index = Manifest(digest(1), ("sha-old",), NOW - timedelta(days=300), 0,
                     tuple((c.digest, 0) for c in children))
    keeper = image(2, "v1.0.0", age_days=300, blobs=(shared,))
    p = plan([index, *children, keeper], keep_last=0, keep_days=1)
    assert p.delete_manifests == [digest(1)]
    assert p.bytes_freed == 100  # the shared layer stays with v1.0.0
    assert p.untagged_collectable == 2  # its untagged children go to garbage collection with it


def test_untagged_manifests_are_left_to_gc_and_counted():
    p = plan([image(0, "latest", age_days=1), image(1, age_days=50, size=70)], keep_last=1, keep_days=1)
    assert p.calls == 0 and p.untagged_collectable == 1 and p.bytes_freed == 70


def test_deployed_but_untagged_digest_warns():
    p = plan([image(0, age_days=5)], deployed_digests={digest(0)})
    assert p.warnings and "untagged" in p.warnings[0]


def test_deployed_platform_image_of_a_kept_index_does_not_warn():
    """Pinning one platform of a multi-arch image: the kept index holds the child, GC leaves it."""
    child_a, child_b = image(10, age_days=300), image(11, age_days=300)
    index = Manifest(digest(1), ("v1.0.0",), NOW - timedelta(days=300), 200,
                     ((child_a.digest, 100), (child_b.digest, 100)))
    p = plan([index, child_a, child_b], keep_last=0, keep_days=1, deployed_digests={child_a.digest})
    assert p.warnings == [] and p.calls == 0 and p.untagged_collectable == 0
    assert child_a.digest in p.kept_digests and p.protected_children == {child_b.digest}
    # Once the index itself expires nothing holds the child any more: then GC would take it.
    index_expired = Manifest(index.digest, ("sha-old",), index.updated_at, 200, index.blobs)
    gone = plan([index_expired, child_a, child_b], keep_last=0, keep_days=1, deployed_digests={child_a.digest})
    assert gone.delete_manifests == [digest(1)] and len(gone.warnings) == 1 and "untagged" in gone.warnings[0]


def test_replanning_after_applying_changes_nothing():
    manifests = [image(i, f"sha-{i}", *([f"v1.0.{i}"] if i % 4 == 0 else []), age_days=10 * i) for i in range(20)]
    policy = {"keep_last": 3, "keep_days": 45}
    first = plan(manifests, **policy)
    deleted = set(first.delete_manifests)
    dropped = {t for t, _ in first.delete_tags}
    after = [Manifest(m.digest, tuple(t for t in m.tags if t not in dropped), m.updated_at,
                      m.compressed_size_bytes, m.blobs) for m in manifests if m.digest not in deleted]
    second = plan(after, **policy)
    assert second.calls == 0 and kept(second) == kept(first)


def test_deployed_images_filter_by_registry_name_or_host_path():
    refs = [ImageRef("registry.digitalocean.com/reg", "web", None, digest(1)), ImageRef("reg", "web", "build-7"),
            ImageRef("elsewhere", "web", "x")]
    assert deployed_for(refs, "reg") == {"web": ({digest(1)}, {"build-7"})}


def test_negative_policy_values_name_their_flag():
    with pytest.raises(ConfigError, match="--keep-last"):
        RetentionPolicy(keep_last=-1)
    with pytest.raises(ConfigError, match="--keep-days"):
        RetentionPolicy(keep_days=-3)


@pytest.mark.parametrize(("field", "value", "flag"), [
    ("keep_days", float("inf"), "--keep-days"), ("keep_days", 1e12, "--keep-days"),
    ("keep_days", float("nan"), "--keep-days"), ("keep_days", -0.5, "--keep-days"),
    ("keep_last", 10**12, "--keep-last"), ("keep_last", -1, "--keep-last"),
])
def test_policy_values_out_of_range_name_the_flag_and_the_range(field, value, flag):
    with pytest.raises(ConfigError, match=rf"{flag}\) .* is out of range; allowed: .* from 0 to \d+"):
        RetentionPolicy(**{field: value})


def test_decide_tags_ranks_by_manifest_date_then_name_and_names_the_rule():
    ms = {m.digest: m for m in (image(1, "b", "a", age_days=100), image(2, "latest", age_days=200),
                                 image(3, "old", age_days=300), image(4, "pinned", age_days=400))}
    decisions = decide_tags(ms, RetentionPolicy(keep_last=1, keep_days=150), NOW, protected={digest(4)})
    assert [(d.tag, d.reason) for d in decisions] == [
        ("b", "newest"), ("a", "recent"), ("latest", "pattern"), ("old", "expired"), ("pinned", "deployed")]


def test_reachable_follows_index_blobs_to_grandchildren_and_stops_at_excluded_ones():
    child, grandchild, other = image(2, age_days=1), image(3, age_days=1), image(4, age_days=1)
    index = image(1, "v1", age_days=1, blobs=((digest(2), 0), (digest(4), 0)))
    child = Manifest(child.digest, (), child.updated_at, 0, ((digest(3), 0), ("sha256:layer", 5)))
    by_digest = {m.digest: m for m in (index, child, grandchild, other)}
    assert reachable(by_digest, [digest(1)], exclude=set()) == {digest(2), digest(3), digest(4)}
    assert reachable(by_digest, [digest(1)], exclude={digest(2)}) == {digest(4)}
