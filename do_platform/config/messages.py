"""Validation errors -> one-line messages naming the exact key, the bad value and what is allowed.

``do-platform:web.count: 0 is out of range; allowed: an integer from 1 to 20``. Secrets are never echoed.
"""

from __future__ import annotations

import difflib
import os.path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from do_platform.config.enums import PROJECT, PROVIDER_NS
from do_platform.errors import ConfigError


class Whole(ValueError):
    """A validation message that already names the bad part (``'cdn' is not a component; ...``)."""


def allowed(values) -> str:
    """``a, b, c`` of enum members or plain values, for the ``allowed:`` part of a message."""
    return ", ".join(str(getattr(v, "value", v)) for v in values)


def nearest(value: str, choices, limit: int = 4) -> str:
    """The few ``choices`` closest to a mistyped ``value`` (a catalog has 60 sizes; a message shows 4):
    those sharing the longest prefix with it first (its family: ``s-1vcpu-``), then by similarity."""
    def rank(choice: str) -> tuple[int, float]:
        return (len(os.path.commonprefix([value, choice])), difflib.SequenceMatcher(None, value, choice).ratio())

    return ", ".join(sorted(choices, key=rank, reverse=True)[:limit])


class Encrypted:
    """Stands for a ``{secure: ...}`` value that could not be decrypted (offline tools)."""

    def __repr__(self) -> str:
        return "[secret]"


def _key_name(loc: tuple[Any, ...]) -> str:
    """('web', 'count') -> 'do-platform:web.count'; ('apps', 0, 'image') -> 'do-platform:apps[0].image'."""
    parts = list(loc)
    if parts and parts[0] == "provider":
        head = f"{PROVIDER_NS}:{to_camel(str(parts[1]))}" if len(parts) > 1 else f"{PROVIDER_NS}:*"
        parts = parts[2:]
    else:
        head = f"{PROJECT}:{to_camel(str(parts[0]))}" if parts else PROJECT
        parts = parts[1:]
    for p in parts:
        head += f"[{p}]" if isinstance(p, int) else f".{p}"
    return head


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that owns the last element of ``loc`` (for 'unknown key' messages)."""
    model: Any = root
    for p in loc[:-1]:
        if isinstance(p, int):
            continue
        field = next((f for n, f in model.model_fields.items() if p in (n, f.alias)), None)
        if field is None:
            return None
        ann = field.annotation
        inner = [a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type) and issubclass(a, BaseModel)]
        if not inner and hasattr(ann, "__args__"):
            inner = [a for arg in ann.__args__ for a in getattr(arg, "__args__", ())
                     if isinstance(a, type) and issubclass(a, BaseModel)]
        if not inner:
            return None
        model = inner[0]
    return model


MISSING_HINTS = {
    "ipRange": "an RFC 1918 range from /16 to /24, e.g. 10.110.0.0/20",
    "name": "a lower-case name such as web",
    "image": "a mapping {registry, repository, tag and/or digest}",
    "registry": "a registry name such as do-platform",
    "repository": "a repository name such as web",
}


def message(err: dict[str, Any], root: type[BaseModel]) -> str:
    """One pydantic error of a model rooted at ``root`` (the stack config) as a message naming its key."""
    loc = tuple(err["loc"])
    kind = err["type"]
    value = err.get("input")
    if str(loc[0]) in ("appSecrets", "app_secrets") or "token" in loc:
        value = Encrypted()  # never echo a secret value in an error
    elif isinstance(value, Encrypted):  # `pulumi config set --secret` on a key that is not meant to be secret
        return (f"{_key_name(loc)}: an encrypted value, which tools without the passphrase cannot read; allowed: "
                f"a plain value (only appSecrets and digitalocean:token are secrets)")
    if kind == "extra_forbidden":
        owner = _model_at(root, loc)
        allowed = sorted(f.alias or n for n, f in owner.model_fields.items()) if owner else []
        if owner is root:
            allowed = [k for k in allowed if k not in ("stack", "provider")]
        return f"{_key_name(loc)}: unknown key; allowed keys: {', '.join(allowed)}"
    if kind == "missing":
        hint = MISSING_HINTS.get(str(loc[-1]), "see the key's description in Pulumi.yaml")
        return f"{_key_name(loc)}: missing; allowed: {hint}"
    if kind == "enum":
        return f"{_key_name(loc)}: {value!r} is not allowed; allowed: {err['ctx'].get('expected', '')}"
    text = err["msg"].removeprefix("Value error, ")
    if kind == "value_error":
        if isinstance(err.get("ctx", {}).get("error"), Whole):
            return f"{_key_name(loc)}: {text}"
        return f"{_key_name(loc)}: {short(value)} is {text}"
    expected = next((v for k, v in TYPE_HINTS.items() if kind.startswith(k)), "a value of the documented type")
    return f"{_key_name(loc)}: {short(value)} is not allowed ({text[:1].lower()}{text[1:]}); allowed: {expected}"


TYPE_HINTS = {"int": "an integer", "bool": "true or false", "float": "a number", "string": "a string",
              "list": "a list", "tuple": "a list", "dict": "a mapping", "model": "a mapping"}


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def validation_error(exc: ValidationError, root: type[BaseModel], hint: str,
                     prefix: tuple[Any, ...] = ()) -> ConfigError:
    """The first error of ``exc`` (located under ``prefix`` in the stack config) and how many more there are."""
    errors = [{**e, "loc": (*prefix, *e["loc"])} for e in exc.errors()]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ConfigError(message(errors[0], root) + more, hint=hint)
