"""Promotion: pin the exact image digests one stack runs into the next stack's ``Pulumi.<stack>.yaml``.

Order is dev → staging → prod, one step at a time. Each source image's tag is resolved to its
manifest digest through the registry API (a pinned digest is checked to exist); the target file is
rewritten with ruamel.yaml's round trip (comments, order and quoting kept), through a temporary
file and a rename so it is never half-written. The change then goes through a pull request.
"""

from __future__ import annotations

import difflib
import io
import os
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ruamel.yaml import YAML

from do_platform.api.reader import ApiReader
from do_platform.errors import ConfigError, PromotionBlocked
from do_platform.ops.registry_cleanup import list_manifests
from do_platform.stack_files import PROJECT, REPO_ROOT, DeployedImage, images_of, stack_file, stack_yaml

ORDER = ("dev", "staging", "prod")
APPS_KEY = f"{PROJECT}:apps"


@dataclass(frozen=True)
class PinnedImage:
    app: str
    registry: str
    repository: str
    tag: str | None
    digest: str
    resolved_from: str  # "tag" (looked up) or "digest" (verified)


@dataclass
class Promotion:
    source: str
    target: str
    path: str
    images: list[PinnedImage]
    diff: str
    changed: bool
    written: bool
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return asdict(self)


def check_order(source: str, target: str) -> None:
    """Only dev → staging and staging → prod."""
    for flag, stack in (("--from", source), ("--to", target)):
        if stack not in ORDER:
            raise PromotionBlocked(f"{flag} {stack!r} is not a promotion stage; allowed: {', '.join(ORDER)}")
    if ORDER.index(target) != ORDER.index(source) + 1:
        steps = ", ".join(f"{a}→{b}" for a, b in zip(ORDER, ORDER[1:], strict=False))
        raise PromotionBlocked(f"cannot promote {source}→{target}: promotion goes one step at a time along "
                               f"{' → '.join(ORDER)}; allowed: {steps}")


def uncommitted(path: Path) -> bool | None:
    """True when git sees edits to ``path`` (staged or not); None when it is not in a git work tree
    (or git is not installed: then nothing can be committed either)."""
    try:
        proc = subprocess.run(["git", "-C", str(path.parent), "status", "--porcelain", "--", path.name],
                              capture_output=True, text=True, check=False)
    except OSError:
        return None
    if proc.returncode != 0:
        return None
    return bool(proc.stdout.strip())


def resolve(client, images: list[DeployedImage]) -> list[PinnedImage]:
    """Each image's digest from the registry: a tag is looked up, a pinned digest must exist."""
    api = ApiReader.of(client)
    manifests: dict[tuple[str, str], list] = {}
    pinned = []
    for image in images:
        key = (image.registry, image.repository)
        if key not in manifests:
            found = list_manifests(api, image.registry, image.repository)
            if found is None:
                raise PromotionBlocked(f"app {image.app}: repository {image.registry}/{image.repository} does not "
                                       f"exist in the registry; nothing to promote")
            manifests[key] = found
        listing = manifests[key]
        if image.digest:
            if not any(m.digest == image.digest for m in listing):
                raise PromotionBlocked(f"app {image.app}: digest {image.digest} does not exist in "
                                       f"{image.registry}/{image.repository}; it may have been garbage-collected")
            pinned.append(PinnedImage(image.app, image.registry, image.repository, image.tag, image.digest, "digest"))
            continue
        match = next((m for m in listing if image.tag in m.tags), None)
        if match is None:
            raise PromotionBlocked(f"app {image.app}: tag {image.tag!r} does not exist in "
                                   f"{image.registry}/{image.repository}; push it or pin a digest in "
                                   f"Pulumi.{image.stack}.yaml")
        pinned.append(PinnedImage(image.app, image.registry, image.repository, image.tag, match.digest, "tag"))
    return pinned


def guess_layout(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) as the file writes them, so a dump keeps its layout."""
    mapping = sequence = offset = None
    lines = [(len(raw) - len(raw.lstrip(" ")), raw.strip()) for raw in text.splitlines()
             if raw.strip() and not raw.lstrip().startswith("#")]
    for (prev_col, prev), (col, cur) in zip(lines, lines[1:], strict=False):
        if not prev.split(" #", 1)[0].rstrip().endswith(":"):
            continue
        if cur.startswith("- ") and col >= prev_col and offset is None:
            offset, sequence = col - prev_col, col - prev_col + 2
        elif not cur.startswith("- ") and col > prev_col and mapping is None:
            mapping = col - prev_col
    return mapping or 2, sequence or 2, offset or 0


def _yaml(text: str) -> tuple[YAML, object]:
    mapping, sequence, offset = guess_layout(text)
    yaml = stack_yaml()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml, yaml.load(text)


def rewrite(text: str, pins: list[PinnedImage], target: str) -> tuple[str, list[str]]:
    """The target file's text with every promoted app pinned; notes for apps that do not match."""
    yaml, doc = _yaml(text)
    config = (doc or {}).get("config") if hasattr(doc, "get") else None
    apps = config.get(APPS_KEY) if config is not None else None
    if not isinstance(apps, list):
        raise ConfigError(f"Pulumi.{target}.yaml: {APPS_KEY} is missing or not a list; promotion pins the images "
                          f"of apps the target already deploys")
    notes = []
    by_name = {str(app.get("name")): app for app in apps if hasattr(app, "get")}
    for pin in pins:
        app = by_name.get(pin.app)
        if app is None:
            notes.append(f"app {pin.app} is not deployed in {target}: not added (add it to "
                         f"Pulumi.{target}.yaml first)")
            continue
        image = app.get("image")
        if image is None:
            app["image"] = image = {}
        for key, value in (("registry", pin.registry), ("repository", pin.repository)):
            if image.get(key) != value:
                image[key] = value
        if pin.tag:
            if image.get("tag") != pin.tag:
                image["tag"] = pin.tag
        elif "tag" in image:
            del image["tag"]  # pinned by digest alone in the source: a stale tag would mislead
        if image.get("digest") != pin.digest:
            image["digest"] = pin.digest
    for name in by_name:
        if name not in {p.app for p in pins}:
            notes.append(f"app {name} of {target} has no image in the source stack: left as it is")
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue(), notes


def write_atomically(path: Path, text: str) -> None:
    """Write next to ``path`` and rename over it: readers see the old file or the new one, never half."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def promote(client, source: str, target: str, *, root: Path = REPO_ROOT, dry_run: bool = False) -> Promotion:
    """Pin ``source``'s image digests into ``target``'s stack file (or only show the diff)."""
    check_order(source, target)
    root = Path(root)
    path = stack_file(target, root)
    dirty = uncommitted(path)
    notes = []
    if dirty is None:
        if not dry_run:
            raise PromotionBlocked(f"{path.name} is not in a git work tree (or git is not on PATH): a promotion "
                                   f"must be a reviewable commit", "run promote inside the repository's checkout")
        notes.append(f"{path.name} is not in a git work tree")
    elif dirty:
        if not dry_run:
            raise PromotionBlocked(f"{path.name} has uncommitted edits; commit or discard them first so the "
                                   f"promotion is its own reviewable change", f"git diff -- {path.name}")
        notes.append(f"{path.name} has uncommitted edits (a real run would refuse)")
    images = images_of(source, root)
    if not images:
        raise PromotionBlocked(f"Pulumi.{source}.yaml deploys no images ({APPS_KEY}[*].image): nothing to promote")
    images_of(target, root)  # the target must be valid before it is touched
    pins = resolve(client, images)
    before = path.read_text(encoding="utf-8")
    after, rewrite_notes = rewrite(before, pins, target)
    notes += rewrite_notes
    diff = "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{path.name}", tofile=f"b/{path.name}"))
    changed = after != before
    written = False
    if changed and not dry_run:
        write_atomically(path, after)
        written = True
    return Promotion(source, target, str(path), pins, diff, changed, written, notes)
