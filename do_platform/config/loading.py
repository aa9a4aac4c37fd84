"""Loading the stack config: from a stack file's ``config:`` mapping, from Pulumi, or by stack name.

Every reader goes through :func:`load_stack_config`, so a bad value fails the same way everywhere.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Collection, Mapping
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from do_platform.config.enums import PROJECT, PROVIDER_NS, Component, Environment
from do_platform.config.messages import Encrypted, allowed, short, validation_error
from do_platform.config.models import AppConfig, Apps, ProviderConfig, StackConfig
from do_platform.config.rules import cross_checks, vpc_overlap
from do_platform.errors import ConfigError
from do_vocab.regions import REGIONS

_APPS = TypeAdapter(Apps)


def load_apps(value: Any, stack: str) -> tuple[AppConfig, ...]:
    """``do-platform:apps`` alone, through the same model as :class:`StackConfig` (image discovery uses it:
    an app the config would refuse, such as an ``image`` that is a string, is an error, never skipped)."""
    try:
        return _APPS.validate_python([] if value is None else value)
    except ValidationError as exc:
        raise validation_error(exc, StackConfig, f"edit Pulumi.{stack}.yaml", prefix=("apps",)) from None


def program_fields() -> dict[str, FieldInfo]:
    """``{camelKey: field}`` of the ``do-platform:*`` keys (the model's ``stack`` and ``provider`` are not keys)."""
    return {field.alias or name: field for name, field in StackConfig.model_fields.items()
            if name not in ("stack", "provider")}


def provider_fields() -> dict[str, FieldInfo]:
    """``{camelKey: field}`` of the ``digitalocean:*`` keys the program reads."""
    return {field.alias or name: field for name, field in ProviderConfig.model_fields.items()}


def _unflatten(raw: Mapping[str, Any], stack: str) -> dict[str, Any]:
    """Raw ``config:`` mapping (``do-platform:web`` / ``digitalocean:apiEndpoint`` keys) -> model input."""
    data: dict[str, Any] = {"stack": stack, "provider": {}}
    for full_key, value in raw.items():
        ns, _, key = str(full_key).partition(":")
        if not key:
            ns, key = PROJECT, ns
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(json.JSONDecodeError):
                value = json.loads(value)
        if ns == PROJECT:
            if key in ("stack", "provider"):
                raise ConfigError(f"{PROJECT}:{key}: unknown key; allowed keys: see Pulumi.yaml")
            data[key] = value
        elif ns == PROVIDER_NS and key in provider_fields():
            data["provider"][key] = value
        # other namespaces (e.g. pulumi:*) belong to other tools
    return data


def _strip_encrypted(data: Any) -> Any:
    """Replace undecryptable ``{secure: ...}`` values with :class:`Encrypted`.

    ``load_stack_config`` turns those under ``appSecrets`` and the token into placeholders; anywhere else a
    placeholder fails validation without echoing the ciphertext."""
    if isinstance(data, Mapping):
        if set(data) == {"secure"}:
            return Encrypted()
        return {k: _strip_encrypted(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_strip_encrypted(v) for v in data]
    return data


SECRET_CONFIG_KEYS = (f"{PROVIDER_NS}:token", f"{PROJECT}:appSecrets")


def _is_secure(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"secure"}


def plaintext_secrets(raw: Mapping[str, Any], secret_keys: Collection[str] | None = None) -> list[str]:
    """Keys that hold a secret in clear: ``digitalocean:token`` and every ``appSecrets`` value.

    ``secret_keys=None`` reads ``raw`` as a stack file's ``config:`` mapping, where a secret is a
    ``{secure: ...}`` value; otherwise ``raw`` is the program's decrypted view and ``secret_keys`` the keys
    Pulumi marks secret. The values are never returned, only where they are.
    """
    def full(key: str) -> str:
        return key if ":" in key else f"{PROJECT}:{key}"

    found: list[str] = []
    for key, value in raw.items():
        name = full(str(key))
        if isinstance(value, str) and value.strip() in ("{}", "null"):
            value = None  # the program's view of an empty mapping (the project default of appSecrets)
        if name not in SECRET_CONFIG_KEYS or value is None or value == "" or value == {}:
            continue
        if secret_keys is not None:
            if name not in secret_keys and str(key) not in secret_keys:
                found.append(name)
        elif name == SECRET_CONFIG_KEYS[0]:
            if not _is_secure(value):
                found.append(name)
        elif not _is_secure(value):
            if not isinstance(value, Mapping):
                found.append(name)
                continue
            for app, envs in value.items():
                if _is_secure(envs):
                    continue
                if not isinstance(envs, Mapping):
                    found.append(f"{name}.{app}")
                    continue
                found += [f"{name}.{app}.{env}" for env, v in envs.items() if not _is_secure(v)]
    return found


def secret_command(key: str, stack: str) -> str:
    """The command that stores ``key`` (a name from :func:`plaintext_secrets`) encrypted."""
    if key == SECRET_CONFIG_KEYS[0]:
        return f"pulumi config set --stack {stack} --secret {key} <token>"
    path = key.removeprefix(f"{PROJECT}:")
    return f"pulumi config set --stack {stack} --secret --path '{path}' <value>"


def load_stack_config(raw: Mapping[str, Any], stack: str, *,
                      secret_keys: Collection[str] | None = None) -> StackConfig:
    """Validate a stack's raw config mapping; :class:`ConfigError` names the first bad key.

    ``raw`` is either the ``config:`` mapping of ``Pulumi.<stack>.yaml`` (values may be nested YAML or
    ``{secure: ...}``) or the flat key -> string view the program gets from Pulumi (JSON strings for
    structured values). Undecryptable secrets are accepted as placeholders. A secret in clear (see
    :func:`plaintext_secrets`; ``secret_keys`` as there) is refused after the values themselves pass.
    """
    data = _strip_encrypted(_unflatten(raw, stack))
    secrets = data.get("appSecrets")
    if isinstance(secrets, Encrypted):
        data["appSecrets"] = {}  # names unknown without the passphrase; the real run checks them
    elif isinstance(secrets, Mapping):
        data["appSecrets"] = {
            app: ({} if isinstance(envs, Encrypted) else
                  {k: ("[secret]" if isinstance(v, Encrypted) else v) for k, v in envs.items()}
                  if isinstance(envs, Mapping) else envs)
            for app, envs in secrets.items()
        }
    if isinstance(data["provider"].get("token"), Encrypted):
        data["provider"]["token"] = "[secret]"
    for key in ("environment", "region", "components"):
        if key not in data:
            raise ConfigError(f"{PROJECT}:{key}: missing in Pulumi.{stack}.yaml; allowed: "
                              + {"environment": allowed(Environment), "region": allowed(REGIONS),
                                 "components": f"a list drawn from {allowed(Component)}"}[key])
    try:
        cfg = StackConfig.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, StackConfig, f"edit Pulumi.{stack}.yaml or run `pulumi config set --path ...`"
                               ) from None
    problems = cross_checks(cfg)
    if problems:
        key, value, text = problems[0]
        name = key if ":" in key else f"{PROJECT}:{key}"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        shown = "" if value is None else f"{short(value)} is not allowed: "
        raise ConfigError(f"{name}: {shown}{text}{more}", hint=f"edit Pulumi.{stack}.yaml")
    clear = plaintext_secrets(raw, secret_keys)
    if clear:
        more = f" (and {len(clear) - 1} more: {', '.join(clear[1:])})" if len(clear) > 1 else ""
        raise ConfigError(f"{clear[0]}: a secret in clear in Pulumi.{stack}.yaml, which is committed{more}; "
                          f"allowed: an encrypted value (the value itself is not shown)",
                          hint=f"delete it from Pulumi.{stack}.yaml, then run: {secret_command(clear[0], stack)}")
    return cfg


def from_pulumi_config(project_dir: Path | None = None) -> StackConfig:
    """The running program's config: every known key read through ``pulumi.Config``; with ``project_dir``,
    also checked against the project's other stacks (:func:`check_other_stacks`)."""
    import pulumi

    raw: dict[str, Any] = {}
    for ns, keys in ((PROJECT, program_fields()), (PROVIDER_NS, provider_fields())):
        config = pulumi.Config(ns)
        for key in keys:
            value = config.get(key)
            if value is not None:
                raw[f"{ns}:{key}"] = value
    from pulumi.runtime.config import is_config_secret

    cfg = load_stack_config(raw, pulumi.get_stack(), secret_keys={k for k in raw if is_config_secret(k)})
    if project_dir is not None:
        check_other_stacks(cfg, project_dir)
    return cfg


def check_other_stacks(cfg: StackConfig, root: Path) -> None:
    """Rules over every ``Pulumi.*.yaml`` in ``root``, whatever the stacks are named: no two VPC ranges
    overlap. ConfigError naming ``network.ipRange`` and the other stack."""
    from do_platform.stack_files import vpc_ranges  # stack_files reads the models too

    if cfg.network is None or not cfg.enabled(Component.network):
        return
    others = {stack: r for stack, r in vpc_ranges(root).items() if stack != cfg.stack}
    if problem := vpc_overlap(cfg.network.ip_range, others):
        raise ConfigError(f"{PROJECT}:network.ipRange: {cfg.network.ip_range} is not allowed: {problem}",
                          hint=f"edit Pulumi.{cfg.stack}.yaml")


def program_keys() -> dict[str, Any]:
    """``{camelKey: default}`` of every ``do-platform:*`` key (``...`` when required): for docs and tests."""
    out: dict[str, Any] = {}
    for key, field in program_fields().items():
        default = ... if field.is_required() else (field.get_default(call_default_factory=True))
        if isinstance(default, BaseModel):
            default = default.model_dump(mode="json", by_alias=True)
        elif isinstance(default, tuple):
            default = [d.model_dump(mode="json", by_alias=True) if isinstance(d, BaseModel) else d for d in default]
        elif isinstance(default, Enum):
            default = default.value
        out[key] = default
    return out


def load_config(stack: str, root: Path | None = None) -> StackConfig:
    """The stack's typed config from ``Pulumi.<stack>.yaml`` in ``root`` (default: the project directory,
    :func:`do_platform.stack_files.project_dir`), checked against the other stacks there; ConfigError names
    a bad stack or key."""
    from do_platform.stack_files import project_dir, read_stack_config  # stack_files reads the models too

    root = root or project_dir()
    cfg = load_stack_config(read_stack_config(stack, root), stack)
    check_other_stacks(cfg, root)
    return cfg
