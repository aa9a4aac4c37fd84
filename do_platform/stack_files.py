"""Reading ``Pulumi.<stack>.yaml`` files without the Pulumi CLI, and the images they deploy.

Used by the tools that look at stacks from outside the program (plan, preflight, promote,
registry cleanup). App images live under ``do-platform:apps[*].image`` as
``{registry, repository, tag, digest?}``: pinned by digest when present, by tag otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from do_platform.config import DIGEST as DIGEST_RE
from do_platform.config import PROJECT
from do_platform.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
STACK_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
STACK_FILE_RE = re.compile(r"^Pulumi\.([^.]+)\.yaml$")


@dataclass(frozen=True)
class ImageRef:
    """One container image a stack deploys."""

    stack: str
    app: str
    registry: str
    repository: str
    tag: str | None
    digest: str | None

    @property
    def reference(self) -> str:
        base = f"{self.registry}/{self.repository}"
        return f"{base}@{self.digest}" if self.digest else f"{base}:{self.tag}"


def stack_names(root: Path = REPO_ROOT) -> list[str]:
    """Stacks that have a ``Pulumi.<stack>.yaml`` in ``root``, sorted."""
    return sorted(m.group(1) for p in root.glob("Pulumi.*.yaml") if (m := STACK_FILE_RE.match(p.name)))


def stack_file(stack: str, root: Path = REPO_ROOT) -> Path:
    """The stack's file; ConfigError naming the stack and the known ones when absent or malformed."""
    if not STACK_NAME_RE.match(stack or ""):
        raise ConfigError(
            f"stack name {stack!r} is not valid: use lower-case letters, digits and '-' "
            f"(known stacks: {', '.join(stack_names(root)) or 'none'})"
        )
    path = root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise ConfigError(f"no stack {stack!r}: {path.name} does not exist (known stacks: "
                          f"{', '.join(stack_names(root)) or 'none'})")
    return path


def read_stack_config(stack: str, root: Path = REPO_ROOT) -> dict[str, Any]:
    """The raw ``config:`` mapping of a stack file, keys as written (``do-platform:region``)."""
    path = stack_file(stack, root)
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    except YAMLError as exc:
        raise ConfigError(f"{path.name} is not valid YAML: {exc}") from None
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError(f"{path.name}: `config` must be a mapping")
    return dict(config)


def images_of(stack: str, root: Path = REPO_ROOT) -> list[ImageRef]:
    """The images a stack's apps deploy, validated (a bad digest names its key)."""
    config = read_stack_config(stack, root)
    apps = config.get(f"{PROJECT}:apps") or []
    if not isinstance(apps, list):
        raise ConfigError(f"Pulumi.{stack}.yaml: {PROJECT}:apps must be a list")
    refs = []
    for i, app in enumerate(apps):
        key = f"{PROJECT}:apps[{i}].image"
        image = (app or {}).get("image") if isinstance(app, dict) else None
        if not isinstance(image, dict):
            continue
        for field in ("registry", "repository"):
            if not image.get(field):
                raise ConfigError(f"Pulumi.{stack}.yaml: {key}.{field} is required")
        digest = image.get("digest") or None
        if digest is not None and not DIGEST_RE.match(str(digest)):
            raise ConfigError(f"Pulumi.{stack}.yaml: {key}.digest {digest!r} is not sha256:<64 hex>")
        tag = image.get("tag")
        if tag is not None and not isinstance(tag, str):  # YAML read `tag: 1.10` as the number 1.1
            raise ConfigError(f"Pulumi.{stack}.yaml: {key}.tag {tag!r} is not a string; allowed: a quoted tag "
                              f"such as \"1.10\" (unquoted, YAML turns it into a number)")
        tag = tag or None
        if tag is None and digest is None:
            raise ConfigError(f"Pulumi.{stack}.yaml: {key} needs a tag or a digest")
        refs.append(ImageRef(stack, str(app.get("name") or f"app-{i}"), str(image["registry"]),
                             str(image["repository"]), tag, digest))
    return refs


def deployed_images(root: Path = REPO_ROOT) -> list[ImageRef]:
    """Every image of every stack in the repository."""
    return [ref for stack in stack_names(root) for ref in images_of(stack, root)]


def protected_references(registry: str, root: Path = REPO_ROOT) -> list[str]:
    """What ``RegistryRetention(protect=...)`` needs: every image any stack in ``root`` deploys from
    ``registry``, as ``repository@sha256:…`` and ``repository:tag`` (a tag-pinned stack deploys what the
    tag points to). ConfigError when ``root`` holds no stack file: that is the case that used to expire
    production's images silently (a package installed away from the project finds no stack files)."""
    if not stack_names(root):
        raise ConfigError(f"no Pulumi.<stack>.yaml in {root}: cannot tell which images the stacks deploy, so "
                          "registry retention would expire them; pass the project directory")
    bare = registry.removeprefix("registry.digitalocean.com/").strip("/")
    refs: list[str] = []
    for ref in deployed_images(root):
        if ref.registry.removeprefix("registry.digitalocean.com/").strip("/") != bare:
            continue
        if ref.digest:
            refs.append(f"{ref.repository}@{ref.digest}")
        if ref.tag:
            refs.append(f"{ref.repository}:{ref.tag}")
    return sorted(set(refs))
