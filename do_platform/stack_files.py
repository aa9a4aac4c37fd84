"""Reading ``Pulumi.<stack>.yaml`` files without the Pulumi CLI, and the images they deploy.

Used by the tools that look at stacks from outside the program (plan, preflight, promote,
registry cleanup). App images live under ``do-platform:apps[*].image`` as
``{registry, repository, tag, digest?}``: pinned by digest when present, by tag otherwise.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent

from do_platform.config import PROJECT, load_apps
from do_platform.errors import ConfigError
from do_vocab.images import ImageRef, image_reference
from do_vocab.names import STACK_NAME, registry_name

REPO_ROOT = Path(__file__).resolve().parent.parent
PROJECT_DIR_ENV = "DO_PLATFORM_PROJECT_DIR"
STACK_NAME_RE = STACK_NAME
STACK_FILE_RE = re.compile(r"^Pulumi\.([^.]+)\.yaml$")


@dataclass(frozen=True, kw_only=True)
class DeployedImage(ImageRef):
    """One container image a stack deploys: the vocabulary's :class:`ImageRef` and who deploys it."""

    stack: str
    app: str


def project_dir() -> Path:
    """Where the tools that name a stack (preflight, status) find ``Pulumi.<stack>.yaml``:
    ``$DO_PLATFORM_PROJECT_DIR`` when set (a project using the installed tools), the repository otherwise."""
    return Path(os.environ[PROJECT_DIR_ENV]) if os.environ.get(PROJECT_DIR_ENV) else REPO_ROOT


def stack_names(root: Path = REPO_ROOT) -> list[str]:
    """Stacks that have a ``Pulumi.<stack>.yaml`` in ``root``, sorted."""
    return sorted(m.group(1) for p in root.glob("Pulumi.*.yaml") if (m := STACK_FILE_RE.match(p.name)))


def stack_file(stack: str, root: Path = REPO_ROOT) -> Path:
    """The stack's file; ConfigError naming the stack and the known ones when absent or malformed."""
    if not STACK_NAME_RE.fullmatch(stack or ""):
        raise ConfigError(
            f"stack name {stack!r} is not valid: use lower-case letters, digits and '-' "
            f"(known stacks: {', '.join(stack_names(root)) or 'none'})"
        )
    path = root / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        raise ConfigError(f"no stack {stack!r}: {path.name} does not exist (known stacks: "
                          f"{', '.join(stack_names(root)) or 'none'})")
    return path


MAX_STACK_FILE_BYTES = 1 << 20  # the shipped stack files are a few KiB


def load_stack_document(path: Path) -> dict[str, Any]:
    """A stack file's YAML as a mapping: the one reader of ``Pulumi.<stack>.yaml`` for the tools.

    Refused with a message naming the file (never a traceback): more than ``MAX_STACK_FILE_BYTES``, invalid
    UTF-8, invalid YAML, any alias (``*name``: a few hundred bytes of nested aliases expand to billions of
    items, and stack files have no use for them), or a document that is not a mapping.
    """
    size = path.stat().st_size
    if size > MAX_STACK_FILE_BYTES:
        raise ConfigError(f"{path.name} is {size} bytes; allowed: at most {MAX_STACK_FILE_BYTES} bytes")
    return parse_stack_document(path.read_bytes(), path.name)


def parse_stack_document(data: bytes, name: str) -> dict[str, Any]:
    """:func:`load_stack_document` on bytes read elsewhere (a committed revision: ``git show``); ``name``
    is what messages call the file."""
    if len(data) > MAX_STACK_FILE_BYTES:
        raise ConfigError(f"{name} is {len(data)} bytes; allowed: at most {MAX_STACK_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name} is not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r}); "
                          f"allowed: a UTF-8 YAML file") from None
    try:
        for event in YAML(typ="safe", pure=True).parse(text):
            if isinstance(event, AliasEvent):
                line = event.start_mark.line + 1 if event.start_mark else "?"
                raise ConfigError(f"{name}: line {line}: YAML alias *{event.anchor} is not allowed in stack "
                                  f"files; allowed: values written out (no anchors or aliases)")
        document = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        raise ConfigError(f"{name} is not valid YAML: {exc}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(f"{name}: the file is a YAML {type(document).__name__}, not a mapping; allowed: "
                          f"a mapping with a `config:` mapping of keys such as do-platform:region")
    return document


def stack_yaml(typ: str = "rt") -> YAML:
    """The one YAML writer for stack files: it never emits anchors or aliases, which the reader refuses.

    A mapping placed twice in a document (an override shared by two keys) would otherwise be written once
    with an anchor and then as ``*id001``. ``typ="rt"`` keeps comments and order for rewrites (promote).
    """
    yaml = YAML(typ=typ, pure=True)
    yaml.representer.ignore_aliases = lambda _data: True
    return yaml


def read_stack_config(stack: str, root: Path = REPO_ROOT) -> dict[str, Any]:
    """The raw ``config:`` mapping of a stack file, keys as written (``do-platform:region``)."""
    path = stack_file(stack, root)
    return config_of(load_stack_document(path), path.name)


def config_of(document: dict[str, Any], name: str) -> dict[str, Any]:
    """The ``config:`` mapping of a parsed stack document (``name``: the file, for messages)."""
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError(f"{name}: `config` is a YAML {type(config).__name__}; allowed: a mapping of keys "
                          f"such as do-platform:region")
    bad = [k for k in config if not isinstance(k, str)]
    if bad:
        raise ConfigError(f"{name}: config key {bad[0]!r} is not a string; allowed: keys such as "
                          f"do-platform:region")
    return dict(config)


def vpc_ranges(root: Path = REPO_ROOT) -> dict[str, str]:
    """``{stack: network.ipRange}`` of every stack in ``root`` that builds a network (every
    ``Pulumi.*.yaml``, whatever its name). A range that does not parse is left to that stack's own load."""
    out: dict[str, str] = {}
    for stack in stack_names(root):
        config = read_stack_config(stack, root)
        components = config.get(f"{PROJECT}:components") or []
        network = config.get(f"{PROJECT}:network")
        if "network" not in components or not isinstance(network, dict):
            continue
        try:
            out[stack] = str(ipaddress.ip_network(str(network.get("ipRange")), strict=True))
        except ValueError:
            continue
    return out


def images_of(stack: str, root: Path = REPO_ROOT) -> list[DeployedImage]:
    """The images a stack's apps deploy, read by the config's own model (:func:`config.load_apps`), so
    discovery and validation cannot disagree: a bad or missing image names its key instead of being skipped."""
    return images_in(stack, read_stack_config(stack, root))


def images_in(stack: str, config: dict[str, Any]) -> list[DeployedImage]:
    """:func:`images_of` for a ``config:`` mapping read elsewhere (a committed revision of the file)."""
    apps = load_apps(config.get(f"{PROJECT}:apps"), stack)
    return [DeployedImage(registry=app.image.registry, repository=app.image.repository, tag=app.image.tag,
                          digest=app.image.digest, stack=stack, app=app.name) for app in apps]


def deployed_images(root: Path = REPO_ROOT) -> list[DeployedImage]:
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
    bare = registry_name(registry)
    refs: list[str] = []
    for ref in deployed_images(root):
        if registry_name(ref.registry) != bare:
            continue
        if ref.digest:
            refs.append(image_reference("", ref.repository, digest=ref.digest))
        if ref.tag:
            refs.append(image_reference("", ref.repository, tag=ref.tag))
    return sorted(set(refs))
