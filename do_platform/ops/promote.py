"""Promotion: pin the exact image digests one stack runs into the next stack's ``Pulumi.<stack>.yaml``.

Order is ``do-platform:promotionOrder`` in ``Pulumi.yaml`` (default dev → staging → prod), one step at a
time (:func:`promotion_order`, :func:`check_order`). The source is read as committed (``git show
HEAD:Pulumi.<source>.yaml``), never from the working copy, so only what was reviewed and deployed is
promoted. Each source image's tag is resolved to its manifest digest through the registry API (a pinned
digest is checked to exist); into a production stack only digest-pinned images go (:func:`require_pinned`). The
target file is rewritten with ruamel.yaml's round trip (comments, order and quoting kept), through a
temporary file and a rename so it is never half-written, and only when asked (``dry_run=False``,
``--apply``). :func:`rollback` pins back the digests the target ran before, from its git history.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError
from ruamel.yaml import YAML

from do_platform.api.reader import ApiReader
from do_platform.config.messages import validation_error
from do_platform.config.models import DEFAULT_PROMOTION_ORDER, PromotionOrder, StackConfig
from do_platform.errors import ConfigError, PromotionBlocked
from do_platform.ops.registry_cleanup import list_manifests
from do_platform.stack_files import (
    PROJECT,
    REPO_ROOT,
    DeployedImage,
    config_of,
    images_in,
    images_of,
    parse_stack_document,
    read_stack_config,
    stack_file,
    stack_yaml,
)

ORDER = DEFAULT_PROMOTION_ORDER  # when Pulumi.yaml does not set do-platform:promotionOrder
ORDER_KEY = f"{PROJECT}:promotionOrder"
PROJECT_FILE = "Pulumi.yaml"
APPS_KEY = f"{PROJECT}:apps"
# A stack whose do-platform:environment is production takes only digest-pinned images: a tag (``main``,
# ``latest``, even ``1.4.2``) can be pushed again, so "the tag staging runs" is not a fixed image;
# ``sha256:<64 hex>`` names exactly one.
PINNED_ONLY_ENVIRONMENT = "production"
DIGEST_RE = re.compile(r"^sha256:[0-9a-f]{64}$")
# Tags that by convention follow a branch or a build: named in the refusal, so the reason is plain.
MOVING_TAGS = ("latest", "main", "master", "dev", "develop", "edge", "nightly", "stable", "head", "trunk", "next")


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
    source_revision: str | None = None  # the commit the source file was read at (None: the working copy)
    rollback_to: str | None = None  # --back: the commit whose pins are restored

    def to_json(self) -> dict:
        return asdict(self)


_ORDER_ADAPTER = TypeAdapter(PromotionOrder)


def _declared_order(document: dict, where: str) -> tuple[str, ...]:
    """``promotionOrder``'s project value in a parsed ``Pulumi.yaml`` (``value``, else ``default``), validated
    by the config model's rule; the default order when the file does not set it."""
    config = document.get("config") if isinstance(document, dict) else None
    decl = config.get("promotionOrder", config.get(ORDER_KEY)) if isinstance(config, dict) else None
    if decl is None:
        return ORDER
    value = decl.get("value", decl.get("default")) if isinstance(decl, dict) else decl
    if value is None:
        return ORDER
    try:
        return _ORDER_ADAPTER.validate_python(value)
    except ValidationError as exc:
        raise validation_error(exc, StackConfig, f"edit {ORDER_KEY} in {where}: the default is "
                               f"{list(ORDER)}", prefix=("promotionOrder",)) from None


def promotion_order(root: Path = REPO_ROOT) -> tuple[str, ...]:
    """The project's promotion order: ``do-platform:promotionOrder`` in ``Pulumi.yaml`` as committed at HEAD
    (an uncommitted edit cannot open a shortcut to production), or the working copy outside git; the default
    (dev, staging, prod) without the file or the key. It is project-wide: a stack file of the order that sets
    it is refused, since each stack seeing its own order would let two stacks disagree."""
    root = Path(root)
    path = root / PROJECT_FILE
    order = ORDER
    if path.is_file():
        found = committed(path)
        data, where = (found[0], f"{PROJECT_FILE} at {found[1][:12]}") if found else (path.read_bytes(), PROJECT_FILE)
        order = _declared_order(parse_stack_document(data, where), where)
    for stack in order:
        if (root / f"Pulumi.{stack}.yaml").is_file() and ORDER_KEY in read_stack_config(stack, root):
            raise ConfigError(f"{ORDER_KEY} is set in Pulumi.{stack}.yaml; allowed: only in {PROJECT_FILE}'s config "
                              f"block (the order is project-wide)",
                              f"delete it from Pulumi.{stack}.yaml and set it once in {PROJECT_FILE}")
    return order


def _steps(order: tuple[str, ...]) -> str:
    return ", ".join(f"{a}→{b}" for a, b in zip(order, order[1:], strict=False))


def check_order(source: str, target: str, root: Path = REPO_ROOT,
                flags: tuple[str, str] = ("--from", "--to")) -> tuple[str, ...]:
    """One step along :func:`promotion_order` (dev → staging, staging → prod by default); the order.
    ``flags`` name the two stacks in messages (the MCP tools call them source and target)."""
    order = promotion_order(root)
    for flag, stack in zip(flags, (source, target), strict=True):
        if stack not in order:
            raise PromotionBlocked(f"{flag} {stack!r} is not a promotion stage of {ORDER_KEY} in {PROJECT_FILE}; "
                                   f"allowed: {', '.join(order)}")
    if order.index(target) != order.index(source) + 1:
        raise PromotionBlocked(f"cannot promote {source}→{target}: promotion goes one step at a time along "
                               f"{' → '.join(order)} ({ORDER_KEY} in {PROJECT_FILE}); allowed: {_steps(order)}")
    return order


def check_rollback_target(target: str, root: Path = REPO_ROOT) -> tuple[str, ...]:
    """``--back`` rolls back a stack promotion writes: any stage of the order but the first."""
    order = promotion_order(root)
    if target not in order[1:]:
        raise PromotionBlocked(f"--to {target!r} cannot be rolled back by promotion (it is not a stage promotion "
                               f"writes, after the first, in {ORDER_KEY} of {PROJECT_FILE}); allowed: "
                               f"{', '.join(order[1:])}")
    return order


def pinned_only(target: str, root: Path = REPO_ROOT) -> bool:
    """Does ``target`` take only digest-pinned images? Yes when its ``do-platform:environment`` is production,
    whatever the stack is called."""
    return read_stack_config(target, root).get(f"{PROJECT}:environment") == PINNED_ONLY_ENVIRONMENT


def require_pinned(images: list[DeployedImage], target: str, where: str, *, always: bool = False,
                   production: bool = False, first_stage: bool = False) -> None:
    """Into a production stack (``production``; any stack when ``always``: a rollback restores digests, and a
    tag names no past image) only digest-pinned images go; ``where`` names the file read; ``first_stage``:
    the source has no stage before it, so its own file must pin the digest."""
    if not production and not always:
        return
    how = (f"pin image.digest in the source stack file ({where.split(' ')[0]}): it is the first stage of "
           f"{ORDER_KEY}" if first_stage else
           "promote into the stage before it first (that pins the digest), deploy it, then promote again")
    for image in images:
        if image.digest and DIGEST_RE.fullmatch(image.digest):
            continue
        moving = " (a moving tag: it names whatever was pushed last)" if (image.tag or "").lower() in MOVING_TAGS \
            else " (a tag can be pushed again)"
        why = f", as a stack whose {PROJECT}:environment is {PINNED_ONLY_ENVIRONMENT}" if production else ""
        raise PromotionBlocked(
            f"app {image.app}: {where} pins {image.repository}:{image.tag}{moving} without a digest; {target} takes "
            f"only digest-pinned images (image.digest: sha256:<64 hex>){why}, so it runs exactly what was reviewed",
            how)


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(["git", "-C", str(cwd), *args], capture_output=True, check=False)
    except OSError:
        return None


def committed(path: Path, revision: str = "HEAD") -> tuple[bytes, str] | None:
    """``path``'s content at ``revision`` and that commit's id; None without git, outside a work tree, or
    when the file is not in that revision."""
    sha = _git(path.parent, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    if sha is None or sha.returncode != 0:
        return None
    shown = _git(path.parent, "show", f"{revision}:./{path.name}")
    if shown is None or shown.returncode != 0:
        return None
    return shown.stdout, sha.stdout.decode().strip()


def source_images(source: str, root: Path, dry_run: bool) -> tuple[list[DeployedImage], str | None, list[str]]:
    """The source stack's images as committed at HEAD (the revision, notes); the working copy only for a
    dry run where nothing is committed (with a note), refused otherwise."""
    path = stack_file(source, root)
    found = committed(path)
    if found is None:
        if not dry_run:
            raise PromotionBlocked(f"{path.name} is not committed (or this is not a git work tree): promotion reads "
                                   f"the source as committed, so only reviewed config is promoted",
                                   f"git add {path.name} && git commit")
        return images_of(source, root), None, [f"{path.name} is not committed: read the working copy (a real run "
                                               f"would refuse)"]
    data, sha = found
    notes = [f"read {path.name} as committed at {sha[:12]} (HEAD)"]
    if path.read_bytes() != data:
        notes.append(f"{path.name} has uncommitted edits: they are not promoted")
    return images_in(source, config_of(parse_stack_document(data, f"{path.name}@{sha[:12]}"), path.name)), sha, notes


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


def _target_checks(path: Path, dry_run: bool) -> list[str]:
    """The target must be a clean, tracked file for a real run; a dry run only notes what would refuse."""
    dirty = uncommitted(path)
    if dirty is None:
        if not dry_run:
            raise PromotionBlocked(f"{path.name} is not in a git work tree (or git is not on PATH): a promotion "
                                   f"must be a reviewable commit", "run promote inside the repository's checkout")
        return [f"{path.name} is not in a git work tree"]
    if dirty:
        if not dry_run:
            raise PromotionBlocked(f"{path.name} has uncommitted edits; commit or discard them first so the "
                                   f"promotion is its own reviewable change", f"git diff -- {path.name}")
        return [f"{path.name} has uncommitted edits (a real run would refuse)"]
    return []


def _pin(path: Path, target: str, pins: list[PinnedImage], dry_run: bool) -> tuple[str, bool, bool, list[str]]:
    """Rewrite the target with ``pins``: (diff, changed, written, notes)."""
    before = path.read_text(encoding="utf-8")
    after, notes = rewrite(before, pins, target)
    diff = "".join(difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                        fromfile=f"a/{path.name}", tofile=f"b/{path.name}"))
    changed = after != before
    written = False
    if changed and not dry_run:
        write_atomically(path, after)
        written = True
    return diff, changed, written, notes


def promote(client, source: str, target: str, *, root: Path = REPO_ROOT, dry_run: bool = True) -> Promotion:
    """Pin ``source``'s committed image digests into ``target``'s stack file; only shows the diff unless
    ``dry_run=False`` (the CLI's ``--apply``)."""
    root = Path(root)
    order = check_order(source, target, root)
    path = stack_file(target, root)
    notes = _target_checks(path, dry_run)
    images, revision, source_notes = source_images(source, root, dry_run)
    notes = source_notes + notes
    if not images:
        raise PromotionBlocked(f"Pulumi.{source}.yaml deploys no images ({APPS_KEY}[*].image): nothing to promote")
    images_of(target, root)  # the target must be valid before it is touched
    require_pinned(images, target, f"Pulumi.{source}.yaml" + (f" at {revision[:12]}" if revision else ""),
                   production=pinned_only(target, root), first_stage=order.index(source) == 0)
    pins = resolve(client, images)
    diff, changed, written, rewrite_notes = _pin(path, target, pins, dry_run)
    return Promotion(source, target, str(path), pins, diff, changed, written, notes + rewrite_notes,
                     source_revision=revision)


def _history(path: Path) -> list[str]:
    """Commits that changed ``path``, newest first (HEAD's history only)."""
    log = _git(path.parent, "log", "--format=%H", "HEAD", "--", path.name)
    if log is None or log.returncode != 0:
        raise PromotionBlocked(f"{path.name}: git log failed (is this a git work tree with commits?); --back "
                               f"restores pins from the file's git history")
    return log.stdout.decode().split()


def previous_pins(target: str, root: Path) -> tuple[list[DeployedImage], str, str]:
    """The images ``target`` pinned before its current committed pins: (images, that commit, HEAD).

    Walks ``git log`` of the target's file from HEAD back and stops at the first revision whose
    app → digest mapping differs from HEAD's for the apps HEAD deploys (revisions that fail to parse
    are skipped: they were never deployable)."""
    path = stack_file(target, root)
    head = committed(path)
    if head is None:
        raise PromotionBlocked(f"{path.name} is not committed (or this is not a git work tree): --back restores "
                               f"pins from the file's git history")
    current = images_in(target, config_of(parse_stack_document(head[0], path.name), path.name))
    now = {i.app: i.digest for i in current}
    for sha in _history(path):
        found = committed(path, sha)
        if found is None:
            continue
        try:
            then = images_in(target, config_of(parse_stack_document(found[0], f"{path.name}@{sha[:12]}"), path.name))
        except ConfigError:
            continue
        earlier = [i for i in then if i.app in now]
        if earlier and any(i.digest != now[i.app] for i in earlier):
            return earlier, sha, head[1]
    raise PromotionBlocked(f"{path.name}: no earlier revision pins other digests for {', '.join(sorted(now))}; "
                           f"nothing to roll back to", f"git log -p -- {path.name}")


def rollback(client, target: str, *, root: Path = REPO_ROOT, dry_run: bool = True) -> Promotion:
    """``promote --to TARGET --back``: pin again the digests ``target`` pinned before its current ones (from
    git history), with promotion's checks: a clean target for a real run, digests that still exist in the
    registry, digest-pinned images only into prod. Only shows the diff unless ``dry_run=False``."""
    root = Path(root)
    check_rollback_target(target, root)
    path = stack_file(target, root)
    notes = _target_checks(path, dry_run)
    images, sha, head = previous_pins(target, root)
    notes.append(f"restoring the pins of {path.name} at {sha[:12]} (HEAD is {head[:12]})")
    require_pinned(images, target, f"{path.name} at {sha[:12]}", always=True)
    pins = resolve(client, images)
    diff, changed, written, rewrite_notes = _pin(path, target, pins, dry_run)
    return Promotion(target, target, str(path), pins, diff, changed, written, notes + rewrite_notes,
                     source_revision=head, rollback_to=sha)
