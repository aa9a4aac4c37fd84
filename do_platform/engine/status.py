"""What the engine cache holds, and the environment that runs it offline.

The cache lives outside the repository, keyed by the pinned versions, in
``${XDG_CACHE_HOME:-~/.cache}/do-platform/engine/<key>/``: ``bin/`` (CLI, language host, dynamic-provider
wrapper: what goes on PATH), ``plugins/`` (the provider binary) and ``home/`` (the engine's PULUMI_HOME with
the provider installed as a plugin, so the CLI never finds it on PATH). ``engine.json`` records each part's
version and origin and, for each part that could not be had, the exact command and error (the end-to-end
tests skip with it). `build` fills it; `local_stack` and the end-to-end tests read it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

PROVIDER_NAME = "digitalocean"
PROVIDER_BINARY = f"pulumi-resource-{PROVIDER_NAME}"
LANGUAGE_HOST = "pulumi-language-python"
LANGUAGE_HOST_EXEC = "pulumi-language-python-exec"  # the host runs programs through this script, next to it
ENGINE_SRC_ENV = "DO_PLATFORM_ENGINE_SRC"


def engine_src() -> Path:
    """Where the source snapshots are: $DO_PLATFORM_ENGINE_SRC, else ../shared/engine-src beside the repository."""
    return Path(os.environ.get(ENGINE_SRC_ENV) or REPO_ROOT.parent / "shared" / "engine-src")


class EngineError(RuntimeError):
    """A part of the engine could not be provided; the message names the module, command and error."""


@dataclass
class Versions:
    """The versions the cache is keyed by: the pinned Python SDKs'."""

    sdk: str
    provider: str

    @classmethod
    def pinned(cls) -> Versions:
        return cls(sdk=_pinned("pulumi"), provider=_pinned("pulumi-digitalocean"))

    @property
    def key(self) -> str:
        return f"pulumi-{self.sdk}_digitalocean-{self.provider}"


def _pinned(package: str) -> str:
    """The version requirements.txt pins, else the installed one."""
    req = REPO_ROOT / "requirements.txt"
    if req.exists():
        for line in req.read_text().splitlines():
            m = re.fullmatch(rf"\s*{re.escape(package)}==([\w.]+)\s*(#.*)?", line)
            if m:
                return m.group(1)
    return metadata.version(package)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "do-platform" / "engine"


@dataclass
class Status:
    """What the cache holds for one key; persisted as engine.json in the key's directory."""

    key: str
    cli: str | None = None
    cli_version: str | None = None
    cli_source: str | None = None
    language_host: str | None = None
    language_host_version: str | None = None
    language_host_source: str | None = None
    provider: str | None = None
    provider_version: str | None = None
    provider_source: str | None = None
    blocked: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        return cache_root() / self.key

    @property
    def bin(self) -> Path:
        return self.directory / "bin"

    @property
    def home(self) -> Path:
        """The engine's PULUMI_HOME: the provider plugin is installed there, not put on PATH."""
        return self.directory / "home"

    @property
    def plugin_dir(self) -> Path | None:
        if not self.provider_version:
            return None
        return self.home / "plugins" / f"resource-{PROVIDER_NAME}-v{self.provider_version}"

    def save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / "engine.json.tmp"
        tmp.write_text(json.dumps(self.__dict__, indent=2, sort_keys=True) + "\n")
        tmp.replace(self.directory / "engine.json")

    @classmethod
    def load(cls, versions: Versions | None = None) -> Status:
        versions = versions or Versions.pinned()
        path = cache_root() / versions.key / "engine.json"
        if path.exists():
            data = json.loads(path.read_text())
            data["key"] = versions.key
            return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})
        return cls(key=versions.key)

    def cli_ok(self) -> bool:
        return bool(self.cli) and os.access(self.cli, os.X_OK) and cli_version(self.cli) is not None

    def language_host_ok(self) -> bool:
        return (bool(self.language_host) and os.access(self.language_host, os.X_OK)
                and os.access(Path(self.language_host).parent / LANGUAGE_HOST_EXEC, os.X_OK))

    def provider_ok(self) -> bool:
        plugin = self.plugin_dir
        return (bool(self.provider) and os.access(self.provider, os.X_OK) and plugin is not None
                and os.access(plugin / PROVIDER_BINARY, os.X_OK))


def cli_version(path: str) -> str | None:
    try:
        out = subprocess.run([path, "version"], capture_output=True, text=True, timeout=30,
                             env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "1"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"v?(\d+\.\d+\.\d+)", out.stdout)
    return m.group(1) if out.returncode == 0 and m else None


def environ(status: Status, base: dict[str, str] | None = None, python: str | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) set up to run the cached engine offline.

    The CLI and its language host come first on PATH, PULUMI_HOME is the engine's (the provider plugin is
    installed there); no update check and no plugin downloads. `python` is the interpreter the language host
    and dynamic providers fall back to when the project names no virtualenv (default: this one).
    """
    env = dict(os.environ if base is None else base)
    cli_dir = Path(status.cli).parent if status.cli else status.bin
    # An ambient CLI's own directory first: its vendor's language host, if it is there, goes with it.
    dirs = ([str(cli_dir)] if cli_dir != status.bin else []) + [str(status.bin)]
    env["PATH"] = os.pathsep.join([*dirs, env.get("PATH", "")])
    env["PULUMI_HOME"] = str(status.home)
    env["PULUMI_SKIP_UPDATE_CHECK"] = "1"
    env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
    env["PULUMI_PYTHON_CMD"] = python or sys.executable
    return env


def shell_env(status: Status) -> str:
    """The settings of `environ` as shell lines, for `eval "$(python -m do_platform.engine env)"`."""
    env = environ(status, base={"PATH": "$PATH"})
    lines = [f"export {k}={shlex.quote(v) if k != 'PATH' else v}" for k, v in sorted(env.items())]
    return "\n".join(lines) + "\n"


def describe(status: Status) -> str:
    def part(path: str | None, version: str | None, origin: str | None) -> str:
        return f"{path or 'missing'} ({version or '-'}, {origin or '-'})"

    out = [f"engine cache: {status.directory}",
           f"  CLI: {part(status.cli, status.cli_version, status.cli_source and 'from ' + status.cli_source)}",
           f"  language host: {part(status.language_host, status.language_host_version, status.language_host_source)}",
           f"  provider {PROVIDER_NAME}: {part(status.provider, status.provider_version, status.provider_source)}",
           f"  PULUMI_HOME: {status.home} (plugin {'installed' if status.provider_ok() else 'not installed'})",
           f"  source snapshots: {engine_src()}"]
    for name, why in status.blocked.items():
        out.append(f"  blocked [{name}]: {why}")
    if status.timings:
        out.append("  timings: " + ", ".join(f"{k}={v}" for k, v in sorted(status.timings.items())))
    return "\n".join(out)
