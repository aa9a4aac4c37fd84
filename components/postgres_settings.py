"""PostgreSQL settings of a ManagedPostgres cluster, as the installed provider's config resource takes them.

The allowed settings are read from the pinned provider itself (the inputs of
``DatabasePostgresqlConfigArgs``: every keyword but ``cluster_id``, its scalar type, and the values its
documentation lists as supported), so a provider upgrade that adds or drops a setting changes what the
config accepts without an edit here. Nested blocks (``pgbouncers``, ``timescaledbs``) are not taken.
"""

from __future__ import annotations

import difflib
import inspect
import re
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

SCALARS = (bool, int, float, str)
TYPE_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
_PARAM = re.compile(r":param [^:]*? (\w+): (.*)")
_SUPPORTED = re.compile(r"Supported values are: (.*?)\.?$")


@dataclass(frozen=True)
class SettingSpec:
    """One setting the provider takes: its Python type and, when its docs list them, the allowed values."""

    name: str
    type: type
    choices: tuple[str, ...] = ()

    @property
    def allowed(self) -> str:
        return ", ".join(self.choices) if self.choices else TYPE_NAMES[self.type]


def _scalar(annotation: Any) -> type | None:
    """``int`` from ``pulumi.Input[Optional[int]]`` (a Union whose first member is the value's type)."""
    first = next(iter(typing.get_args(annotation)), None)
    return first if first in SCALARS else None


@lru_cache(maxsize=1)
def provider_settings() -> Mapping[str, SettingSpec]:
    """Every scalar setting of ``pulumi_digitalocean.DatabasePostgresqlConfig``, by its keyword name."""
    from pulumi_digitalocean.database_postgresql_config import DatabasePostgresqlConfigArgs

    docs = {m.group(1): m.group(2) for m in _PARAM.finditer(DatabasePostgresqlConfigArgs.__init__.__doc__ or "")}
    out: dict[str, SettingSpec] = {}
    for name, param in inspect.signature(DatabasePostgresqlConfigArgs.__init__).parameters.items():
        kind = _scalar(param.annotation)
        if name in ("self", "__self__", "cluster_id") or kind is None:
            continue
        found = _SUPPORTED.search(docs.get(name, ""))
        choices = tuple(re.findall(r"`([^`]*)`", found.group(1))) if found and kind is str else ()
        out[name] = SettingSpec(name, kind, choices)
    return out


def nested_settings() -> tuple[str, ...]:
    """The provider's block-valued settings, which the config does not take (named in the message)."""
    from pulumi_digitalocean.database_postgresql_config import DatabasePostgresqlConfigArgs

    params = inspect.signature(DatabasePostgresqlConfigArgs.__init__).parameters
    return tuple(n for n, p in params.items() if n not in ("self", "__self__", "cluster_id")
                 and _scalar(p.annotation) is None)


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def setting_problem(name: str, value: Any) -> str | None:
    """Why ``name: value`` is not a setting the provider takes, or None; the text lists what is allowed."""
    specs = provider_settings()
    spec = specs.get(name)
    if spec is None:
        if name in nested_settings():
            return f"a nested block of the provider; allowed: the scalar settings such as {_near(name, specs)}"
        return (f"not a PostgreSQL setting of the provider's DatabasePostgresqlConfig; allowed: one of "
                f"{len(specs)} such as {_near(_snake(name), specs)}")
    ok = isinstance(value, bool) if spec.type is bool else (
        isinstance(value, spec.type) and not isinstance(value, bool)
        or (spec.type is float and isinstance(value, int) and not isinstance(value, bool)))
    if not ok:
        quote = " (quoted: YAML reads on, off, yes and no unquoted as true/false)" \
            if spec.type is str and isinstance(value, bool) else ""
        return f"{value!r} is not {TYPE_NAMES[spec.type]}; allowed: {spec.allowed}{quote}"
    if spec.choices and value not in spec.choices:
        return f"{value!r} is not supported; allowed: {spec.allowed}"
    return None


def _near(name: str, specs: Mapping[str, SettingSpec]) -> str:
    close = difflib.get_close_matches(name, list(specs), n=4, cutoff=0.5)
    return ", ".join(close or sorted(specs)[:4])


def settings_args(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Keyword arguments of ``DatabasePostgresqlConfig``; raises ValueError naming the first bad setting."""
    for name, value in settings.items():
        if problem := setting_problem(name, value):
            raise ValueError(f"[settings.{name}] {problem}")
    return {name: (float(value) if provider_settings()[name].type is float else value)
            for name, value in sorted(settings.items())}
