"""Provides the Pulumi engine offline: the CLI, a Python language host and the DigitalOcean provider plugin.

Users install the CLI from its vendor and the engine downloads provider plugins; where neither is reachable
but the Go module proxy is, the CLI and the provider are Go modules we can build by exact version. Their
modules carry `replace` directives that `go install` refuses, so each is built from a throw-away module in
the git-ignored `.engine-build/` that requires the module at its version and repeats its replacements.

Results are cached outside the repository, keyed by version, in
``${XDG_CACHE_HOME:-~/.cache}/do-platform/engine/<key>/bin`` so a fresh clone on the same machine (CI) finds
them; a second run only checks the cache. ``engine.json`` beside ``bin/`` records what is there and, for
each part that could not be had, the exact module, command and error (the end-to-end tests skip with it).

    python -m do_platform.engine build     # what `make engine` runs
    python -m do_platform.engine status    # what is cached, what is blocked and why
    python -m do_platform.engine env       # shell lines: PATH and plugin settings for the local stack
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

CLI_MODULE = "github.com/pulumi/pulumi/pkg/v3"
CLI_PACKAGE = f"{CLI_MODULE}/cmd/pulumi"
VERSION_SYMBOL = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
# The build tries the CLI version that matches the pinned Python SDK first, then these. The module proxy
# refuses pkg/v3 at 3.272.0 (and the separate language host module at every version tried) but serves it at
# 3.259.0. The Python SDK only asks the engine for features it probes for first, so a slightly older CLI
# runs it (the end-to-end tests prove it).
CLI_FALLBACK_VERSIONS = ("3.259.0",)
PROVIDER_NAME = "digitalocean"
PROVIDER_MODULE = "github.com/pulumi/pulumi-digitalocean/provider/v4"
PROVIDER_PACKAGE = f"{PROVIDER_MODULE}/cmd/pulumi-resource-digitalocean"
VENDOR_RELEASES = "https://get.pulumi.com/releases"
VENDOR_TIMEOUT = 5.0
# A module proxy that does not answer must not eat CI's time: the first lookup and each build step are bounded.
PROXY_TIMEOUT = 120.0
BUILD_TIMEOUT = 1800.0

# Wrappers installed next to the CLI. The language host is ours (do_platform.language_host); dynamic
# providers are served by the SDK's own module. Both run the interpreter the user runs the program with.
_PYTHON = 'PY="${PULUMI_PYTHON_CMD:-python3}"'
WRAPPERS = {
    "pulumi-language-python": f'#!/bin/sh\n{_PYTHON}\nexec "$PY" -u -m do_platform.language_host "$@"\n',
    "pulumi-resource-pulumi-python": f'#!/bin/sh\n{_PYTHON}\nexec "$PY" -u -m pulumi.dynamic "$@"\n',
}


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
    """What the cache holds for one key; persisted as engine.json next to bin/."""

    key: str
    cli: str | None = None
    cli_version: str | None = None
    cli_source: str | None = None
    provider: str | None = None
    provider_version: str | None = None
    blocked: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        return cache_root() / self.key

    @property
    def bin(self) -> Path:
        return self.directory / "bin"

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
        return bool(self.cli) and os.access(self.cli, os.X_OK) and _cli_version(self.cli) is not None

    def provider_ok(self) -> bool:
        return bool(self.provider) and os.access(self.provider, os.X_OK)


def _log(msg: str) -> None:
    print(f"engine: {msg}", file=sys.stderr, flush=True)


def _cli_version(path: str) -> str | None:
    try:
        out = subprocess.run([path, "version"], capture_output=True, text=True, timeout=30,
                             env={**os.environ, "PULUMI_SKIP_UPDATE_CHECK": "1"})
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r"v?(\d+\.\d+\.\d+)", out.stdout)
    return m.group(1) if out.returncode == 0 and m else None


def compatible(cli_version: str, sdk_version: str, oldest: str = CLI_FALLBACK_VERSIONS[-1]) -> bool:
    """A CLI runs the pinned SDK if it has the same major version and is no older than the oldest we build."""

    def parts(v: str) -> tuple[int, ...]:
        return tuple(int(p) for p in v.split(".")[:3])

    return parts(cli_version)[0] == parts(sdk_version)[0] and parts(cli_version) >= parts(oldest)


def go_binary() -> str | None:
    return shutil.which("go") or next((p for p in ("/usr/local/go/bin/go",) if os.access(p, os.X_OK)), None)


def _go_env(build_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("GOFLAGS", "")
    env["GOFLAGS"] = f"{env['GOFLAGS']} -mod=mod -buildvcs=false".strip()
    env.setdefault("GOMAXPROCS", "2")
    env["GOTOOLCHAIN"] = "local"
    env["CGO_ENABLED"] = "0"
    env["GOWORK"] = "off"
    go = go_binary()
    if go:
        env["PATH"] = f"{Path(go).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def _run(cmd: list[str], cwd: Path, env: dict[str, str], log, timeout: float) -> subprocess.CompletedProcess:
    log.write(f"$ {' '.join(cmd)}\n")
    log.flush()
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise EngineError(f"`{' '.join(cmd)}` in {cwd} did not finish within {timeout:g} s") from None
    log.write(proc.stdout)
    log.flush()
    return proc


def module_info(module: str, version: str, env: dict[str, str], cwd: Path) -> dict:
    """`go mod download -json` of one exact module version; raises EngineError with the proxy's answer."""
    cmd = [go_binary() or "go", "mod", "download", "-json", f"{module}@v{version}"]
    try:
        proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=PROXY_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise EngineError(f"`{' '.join(cmd)}`: the module proxy did not answer within {PROXY_TIMEOUT:g} s") from None
    try:
        info = json.loads(proc.stdout)
    except ValueError:
        info = {"Error": (proc.stderr or proc.stdout).strip()}
    if info.get("Error") or proc.returncode != 0:
        raise EngineError(f"`{' '.join(cmd)}` failed: {info.get('Error') or proc.stderr.strip()}")
    return info


def throwaway_go_mod(module: str, version: str, gomod: dict, name: str) -> str:
    """A go.mod that requires `module` at `version` and repeats the replacements its own go.mod declares.

    A replacement by another module version is copied as is. A replacement by a local path is only
    possible for a sibling module of the same repository (tagged together, e.g. the CLI's `../sdk`),
    which is required at the same version instead; any other local path cannot be repeated.
    """
    requires = {module: f"v{version}"}
    replaces: list[str] = []
    repo = "/".join(module.split("/")[:3])  # host/owner/name: the repository the module lives in
    for rep in gomod.get("Replace") or []:
        old, new = rep["Old"], rep["New"]
        old_spec = old["Path"] + (f" {old['Version']}" if old.get("Version") else "")
        if new.get("Version"):
            replaces.append(f"replace {old_spec} => {new['Path']} {new['Version']}")
        elif old["Path"].startswith(repo + "/"):
            requires[old["Path"]] = f"v{version}"
        else:
            raise EngineError(
                f"{module}@v{version} replaces {old['Path']} by the local path {new['Path']}, which is not part "
                "of the module and cannot be repeated in a throw-away module"
            )
    lines = [f"module {name}", "", f"go {gomod.get('Go') or '1.24'}", "", "require ("]
    lines += [f"\t{m} {v}" for m, v in sorted(requires.items())]
    lines += [")", ""] + replaces
    return "\n".join(lines) + "\n"


def build_go_binary(module: str, package: str, version: str, output: Path, build_dir: Path,
                    ldflags: str = "") -> float:
    """Build `package` of `module@version` into `output` from a throw-away module; returns seconds taken."""
    go = go_binary()
    if not go:
        raise EngineError("no Go toolchain on PATH (nor /usr/local/go/bin/go)")
    build_dir.mkdir(parents=True, exist_ok=True)
    env = _go_env(build_dir)
    log_path = build_dir.with_suffix(".log")
    started = time.monotonic()
    info = module_info(module, version, env, build_dir)
    gomod = json.loads(subprocess.run([go, "mod", "edit", "-json", info["GoMod"]], capture_output=True,
                                      text=True, check=True, env=env).stdout)
    (build_dir / "go.mod").write_text(throwaway_go_mod(module, version, gomod, f"doplatform.local/{build_dir.name}"))
    (build_dir / "tools.go").write_text(f'//go:build tools\n\npackage tools\n\nimport _ "{package}"\n')
    (build_dir / "go.sum").unlink(missing_ok=True)
    with log_path.open("w") as log:
        for cmd in ([go, "mod", "tidy"],
                    [go, "build", "-p", env.get("GOMAXPROCS", "2"), "-trimpath", "-ldflags", f"-s -w {ldflags}".strip(),
                     "-o", str(output), package]):
            proc = _run(cmd, build_dir, env, log, BUILD_TIMEOUT)
            if proc.returncode != 0:
                tail = "\n".join(proc.stdout.strip().splitlines()[-15:])
                raise EngineError(f"`{' '.join(cmd)}` in {build_dir} failed (log: {log_path}):\n{tail}")
    return time.monotonic() - started


def _vendor_archive(url: str, dest: Path, wanted: str) -> bool:
    """Unpack the files of a vendor release archive into `dest` if its host answers quickly; False if not."""
    try:
        with urllib.request.urlopen(url, timeout=VENDOR_TIMEOUT) as resp, tempfile.TemporaryFile() as tmp:
            shutil.copyfileobj(resp, tmp)
            tmp.seek(0)
            with tarfile.open(fileobj=tmp) as tar:
                for member in tar.getmembers():
                    if member.isfile() and Path(member.name).name.startswith(wanted):
                        member.name = Path(member.name).name
                        tar.extract(member, dest, filter="data")
    except (OSError, tarfile.TarError) as exc:
        _log(f"vendor release {Path(url).name} not reachable ({type(exc).__name__}: {exc}); building from Go modules")
        return False
    return (dest / wanted).exists()


def _vendor_cli(version: str, dest: Path) -> bool:
    return _vendor_archive(f"{VENDOR_RELEASES}/sdk/pulumi-v{version}-linux-x64.tar.gz", dest, "pulumi")


def _vendor_provider(version: str, dest: Path) -> bool:
    name = f"pulumi-resource-{PROVIDER_NAME}"
    return _vendor_archive(f"{VENDOR_RELEASES}/plugins/{name}-v{version}-linux-amd64.tar.gz", dest, name)


def install_wrappers(bin_dir: Path) -> None:
    """Our wrappers next to the CLI; a vendor's own host or dynamic provider already there is kept."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, text in WRAPPERS.items():
        path = bin_dir / name
        if path.exists():
            current = path.read_bytes()
            if current == text.encode() or not current.startswith(f"#!/bin/sh\n{_PYTHON}".encode()):
                continue
        path.write_text(text)
        path.chmod(0o755)


def provide_cli(status: Status, versions: Versions) -> None:
    if status.cli_ok():
        _log(f"CLI {status.cli_version} cached at {status.cli}")
        return
    status.bin.mkdir(parents=True, exist_ok=True)
    ambient = shutil.which("pulumi")
    if ambient and Path(ambient).resolve().parent != status.bin.resolve():
        found = _cli_version(ambient)
        if found and compatible(found, versions.sdk):
            status.cli, status.cli_version, status.cli_source = ambient, found, "PATH"
            _log(f"using the CLI {found} found on PATH at {ambient}")
            return
        _log(f"ignoring the CLI on PATH at {ambient}: version {found} does not run SDK {versions.sdk}")
    started = time.monotonic()
    if _vendor_cli(versions.sdk, status.bin):
        status.cli, status.cli_version, status.cli_source = str(status.bin / "pulumi"), versions.sdk, "vendor"
        status.timings["cli_download_s"] = round(time.monotonic() - started, 1)
        return
    failures = []
    for version in dict.fromkeys((versions.sdk, *CLI_FALLBACK_VERSIONS)):
        try:
            _log(f"building the CLI {CLI_MODULE}@v{version} (first build: tens of minutes on 2 cores)")
            seconds = build_go_binary(CLI_MODULE, CLI_PACKAGE, version, status.bin / "pulumi",
                                      REPO_ROOT / ".engine-build" / f"cli-{version}",
                                      ldflags=f"-X {VERSION_SYMBOL}=v{version}")
        except EngineError as exc:
            failures.append(str(exc))
            _log(str(exc))
            continue
        status.cli, status.cli_version, status.cli_source = str(status.bin / "pulumi"), version, "go-modules"
        status.timings["cli_build_s"] = round(seconds, 1)
        status.blocked.pop("cli", None)
        if failures:
            status.blocked["cli-exact"] = "\n".join(failures)
        return
    status.blocked["cli"] = "\n".join(failures)
    raise EngineError("the Pulumi CLI could not be provided:\n" + "\n".join(failures))


def provide_provider(status: Status, versions: Versions) -> None:
    target = status.bin / f"pulumi-resource-{PROVIDER_NAME}"
    if status.provider_ok():
        _log(f"provider {status.provider_version} cached at {status.provider}")
        return
    if target.exists() and os.access(target, os.X_OK):
        status.provider, status.provider_version = str(target), versions.provider
        return
    if _vendor_provider(versions.provider, status.bin):
        status.provider, status.provider_version = str(target), versions.provider
        status.blocked.pop("provider", None)
        return
    try:
        seconds = build_go_binary(PROVIDER_MODULE, PROVIDER_PACKAGE, versions.provider, target,
                                  REPO_ROOT / ".engine-build" / f"provider-{versions.provider}",
                                  ldflags=f"-X {PROVIDER_MODULE}/pkg/version.Version=v{versions.provider}")
    except EngineError as exc:
        status.blocked["provider"] = str(exc)
        _log(f"the DigitalOcean provider plugin {versions.provider} is not available: {exc}")
        return
    status.provider, status.provider_version = str(target), versions.provider
    status.timings["provider_build_s"] = round(seconds, 1)
    status.blocked.pop("provider", None)


def build(versions: Versions | None = None) -> Status:
    """Provide every part that can be had; raise EngineError only if the CLI itself cannot be."""
    versions = versions or Versions.pinned()
    status = Status.load(versions)
    started = time.monotonic()
    try:
        provide_cli(status, versions)
    finally:
        status.save()
    install_wrappers(status.bin)
    provide_provider(status, versions)
    status.timings["last_run_s"] = round(time.monotonic() - started, 1)
    status.save()
    return status


def environ(status: Status, base: dict[str, str] | None = None, python: str | None = None) -> dict[str, str]:
    """`base` (default: this process's environment) set up to run the cached engine offline.

    The CLI, language host and plugins come first on PATH; no update check and no plugin downloads.
    `python` is the interpreter the language host and dynamic providers run (default: this one).
    """
    env = dict(os.environ if base is None else base)
    cli_dir = Path(status.cli).parent if status.cli else status.bin
    # An ambient CLI's own directory first: the vendor's language host, if it is there, wins over ours.
    dirs = ([str(cli_dir)] if cli_dir != status.bin else []) + [str(status.bin)]
    env["PATH"] = os.pathsep.join([*dirs, env.get("PATH", "")])
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
    out = [f"engine cache: {status.directory}",
           f"  CLI: {status.cli or 'missing'} ({status.cli_version or '-'}, from {status.cli_source or '-'})",
           f"  language host: {status.bin / 'pulumi-language-python'}",
           f"  provider {PROVIDER_NAME}: {status.provider or 'missing'}"]
    for part, why in status.blocked.items():
        out.append(f"  blocked [{part}]: {why}")
    if status.timings:
        out.append("  timings: " + ", ".join(f"{k}={v}" for k, v in sorted(status.timings.items())))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m do_platform.engine", description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build", "status", "env"])
    args = parser.parse_args(argv)
    if args.command == "build":
        try:
            status = build()
        except EngineError as exc:
            _log(f"FAILED: {exc}")
            return 1
        print(describe(status))
        return 0
    status = Status.load()
    if args.command == "status":  # exit 0: complete; 2: the CLI without the provider plugin; 1: no CLI
        print(describe(status))
        return (0 if status.provider_ok() else 2) if status.cli_ok() else 1
    if not status.cli_ok():
        _log("no engine in the cache: run `make engine`")
        return 1
    sys.stdout.write(shell_env(status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
