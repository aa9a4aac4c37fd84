"""Provides the Pulumi engine offline: the CLI, the Python language host and the DigitalOcean provider plugin.

Users install the CLI from its vendor and the engine downloads provider plugins; where neither is reachable
but the Go module proxy is, each part is built from source by exact version:

- the CLI from the Go module ``pkg/v3``, through a throw-away module in the git-ignored ``.engine-build/``
  (its own module carries ``replace`` directives that ``go install`` refuses);
- the vendor's Python language host and the DigitalOcean provider plugin from the public source snapshots in
  ``../shared/engine-src`` (``DO_PLATFORM_ENGINE_SRC`` overrides it), which the module proxy does not serve:
  the archives are unpacked into ``.engine-build/`` and built there, never copied into the repository.

Results are cached outside the repository, keyed by the pinned versions, in
``${XDG_CACHE_HOME:-~/.cache}/do-platform/engine/<key>/``: ``bin/`` (CLI, language host, dynamic-provider
wrapper: what goes on PATH), ``plugins/`` (the provider binary) and ``home/`` (the engine's PULUMI_HOME with
the provider installed as a plugin, so the CLI never finds it on PATH). A fresh clone on the same machine
(CI) finds them; a second run only checks the cache. ``engine.json`` records each part's version and origin
and, for each part that could not be had, the exact command and error (the end-to-end tests skip with it).

    python -m do_platform.engine build     # what `make engine` runs
    python -m do_platform.engine status    # each part, its version and origin; what is blocked and why
    python -m do_platform.engine env       # shell lines: PATH, PULUMI_HOME and offline settings
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
SDK_MODULE = "github.com/pulumi/pulumi/sdk/v3"
CLI_PACKAGE = f"{CLI_MODULE}/cmd/pulumi"
VERSION_SYMBOL = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
# The build tries the CLI version that matches the pinned Python SDK first, then these. The module proxy
# refuses pkg/v3 at 3.272.0 but serves it at 3.259.0. The Python SDK only asks the engine for features it
# probes for first, so a slightly older CLI runs it (the end-to-end tests prove it).
CLI_FALLBACK_VERSIONS = ("3.259.0",)
PROVIDER_NAME = "digitalocean"
PROVIDER_MODULE = "github.com/pulumi/pulumi-digitalocean/provider/v4"
PROVIDER_BINARY = f"pulumi-resource-{PROVIDER_NAME}"
LANGUAGE_HOST = "pulumi-language-python"
LANGUAGE_HOST_EXEC = "pulumi-language-python-exec"  # the host runs programs through this script, next to it
VENDOR_RELEASES = "https://get.pulumi.com/releases"
VENDOR_TIMEOUT = 5.0
# A module proxy that does not answer must not eat CI's time: the first lookup and each build step are bounded.
PROXY_TIMEOUT = 120.0
BUILD_TIMEOUT = 1800.0
ENGINE_SRC_ENV = "DO_PLATFORM_ENGINE_SRC"


@dataclass(frozen=True)
class ProviderSources:
    """The snapshots one provider version is built from (see ../shared/engine-src/README.md)."""

    provider: str  # pulumi-digitalocean: provider/ (the Go module) and patches/
    upstream: str  # the Terraform provider the bridge wraps; provider/go.mod replaces it by ../upstream
    # Modules in the build list that the module proxy refuses (none is linked into the binary): module path ->
    # (archive, folder inside it holding the module's go.mod).
    refused: tuple[tuple[str, str, str], ...] = ()


PROVIDER_SOURCES = {
    "4.76.0": ProviderSources(
        provider="pulumi-digitalocean-v4.76.0.tar.gz",
        upstream="terraform-provider-digitalocean-v2.96.0.tar.gz",
        refused=(("github.com/pulumi/pulumi-yaml", "pulumi-yaml-294c561f.tar.gz", "pulumi-yaml"),
                 ("github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3",
                  "pulumi-dotnet-6a2eb258-language-dotnet.tar.gz", "pulumi-dotnet/pulumi-language-dotnet")),
    ),
}


def language_host_archive(version: str) -> str:
    return f"pulumi-v{version}-language-python.tar.gz"


def engine_src() -> Path:
    """Where the source snapshots are: $DO_PLATFORM_ENGINE_SRC, else ../shared/engine-src beside the repository."""
    return Path(os.environ.get(ENGINE_SRC_ENV) or REPO_ROOT.parent / "shared" / "engine-src")


# Installed next to the CLI: dynamic providers are served by the SDK's own module, run by the interpreter the
# user runs the program with (the vendor's release ships the same one-line script).
_PYTHON = 'PY="${PULUMI_PYTHON_CMD:-python3}"'
WRAPPERS = {
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
        return bool(self.cli) and os.access(self.cli, os.X_OK) and _cli_version(self.cli) is not None

    def language_host_ok(self) -> bool:
        return (bool(self.language_host) and os.access(self.language_host, os.X_OK)
                and os.access(Path(self.language_host).parent / LANGUAGE_HOST_EXEC, os.X_OK))

    def provider_ok(self) -> bool:
        plugin = self.plugin_dir
        return (bool(self.provider) and os.access(self.provider, os.X_OK) and plugin is not None
                and os.access(plugin / PROVIDER_BINARY, os.X_OK))


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
        _log(f"vendor release {Path(url).name} not reachable ({type(exc).__name__}: {exc}); building it here")
        return False
    return (dest / wanted).exists()


def _vendor_cli(version: str, dest: Path) -> bool:
    return _vendor_archive(f"{VENDOR_RELEASES}/sdk/pulumi-v{version}-linux-x64.tar.gz", dest, "pulumi")


def _vendor_provider(version: str, dest: Path) -> bool:
    name = f"pulumi-resource-{PROVIDER_NAME}"
    return _vendor_archive(f"{VENDOR_RELEASES}/plugins/{name}-v{version}-linux-amd64.tar.gz", dest, name)


def install_wrappers(bin_dir: Path) -> None:
    """Our wrappers next to the CLI; a vendor's own script already there is kept."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, text in WRAPPERS.items():
        path = bin_dir / name
        if path.exists():
            current = path.read_bytes()
            if current == text.encode() or not current.startswith(f"#!/bin/sh\n{_PYTHON}".encode()):
                continue
        path.write_text(text)
        path.chmod(0o755)


def _cached_cli_elsewhere(version: str, here: Status) -> Path | None:
    """A CLI of `version` built from Go modules under another cache key (the key also names the provider)."""
    for record in sorted(cache_root().glob("*/engine.json")):
        if record.parent == here.directory:
            continue
        try:
            data = json.loads(record.read_text())
        except (OSError, ValueError):
            continue
        cli = data.get("cli")
        if data.get("cli_source") == "go-modules" and data.get("cli_version") == version and cli \
                and _cli_version(cli) == version:
            return Path(cli)
    return None


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
    target = status.bin / "pulumi"
    candidates = tuple(dict.fromkeys((versions.sdk, *CLI_FALLBACK_VERSIONS)))
    for version in candidates:
        other = _cached_cli_elsewhere(version, status)
        if other:
            shutil.copy2(other, target)
            _log(f"CLI {version} copied from the cache entry {other.parent.parent.name}")
            status.cli, status.cli_version, status.cli_source = str(target), version, "go-modules"
            status.blocked.pop("cli", None)
            return
    failures = []
    for version in candidates:
        try:
            _log(f"building the CLI {CLI_MODULE}@v{version} (first build: tens of minutes on 2 cores)")
            seconds = build_go_binary(CLI_MODULE, CLI_PACKAGE, version, target,
                                      REPO_ROOT / ".engine-build" / f"cli-{version}",
                                      ldflags=f"-X {VERSION_SYMBOL}=v{version}")
        except EngineError as exc:
            failures.append(str(exc))
            _log(str(exc))
            continue
        status.cli, status.cli_version, status.cli_source = str(target), version, "go-modules"
        status.timings["cli_build_s"] = round(seconds, 1)
        status.blocked.pop("cli", None)
        if failures:
            status.blocked["cli-exact"] = "\n".join(failures)
        return
    status.blocked["cli"] = "\n".join(failures)
    raise EngineError("the Pulumi CLI could not be provided:\n" + "\n".join(failures))


def _archive(name: str) -> Path:
    path = engine_src() / name
    if not path.is_file():
        raise EngineError(f"source snapshot {path} is missing (set {ENGINE_SRC_ENV} to the folder that holds it)")
    return path


def _unpack(archive: Path, dest: Path) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall(dest, filter="data")


def _fresh_build_dir(name: str) -> Path:
    build_dir = REPO_ROOT / ".engine-build" / name
    if build_dir.exists():
        shutil.rmtree(build_dir)
    build_dir.mkdir(parents=True)
    return build_dir


def _steps(steps: list[tuple[list[str], Path]], env: dict[str, str], log_path: Path) -> None:
    """Run build commands in order into one log; the first failure raises with the log's tail."""
    with log_path.open("w") as log:
        for cmd, cwd in steps:
            proc = _run(cmd, cwd, env, log, BUILD_TIMEOUT)
            if proc.returncode != 0:
                tail = "\n".join(proc.stdout.strip().splitlines()[-15:])
                raise EngineError(f"`{' '.join(cmd)}` in {cwd} failed (log: {log_path}):\n{tail}")


def _snapshot_env(build_dir: Path) -> dict[str, str]:
    env = _go_env(build_dir)
    env["GOSUMDB"] = "off"  # the replaced snapshot modules have no checksum database entry
    # git must not take the unpacked folders for part of the repository around them (git apply, VCS stamping).
    env["GIT_CEILING_DIRECTORIES"] = str(build_dir)
    return env


def build_language_host(version: str, bin_dir: Path) -> float:
    """The vendor's pulumi-language-python `version` from its snapshot, with its exec script, into `bin_dir`.

    The host's go.mod replaces pkg/v3 and sdk/v3 by folders of the vendor's repository; the snapshot holds only
    the host's folder, so both are required at the host's own tag from the module proxy instead.
    """
    go = go_binary()
    if not go:
        raise EngineError("no Go toolchain on PATH (nor /usr/local/go/bin/go)")
    archive = _archive(language_host_archive(version))
    build_dir = _fresh_build_dir(f"language-python-{version}")
    started = time.monotonic()
    _unpack(archive, build_dir)
    cmd_dir = build_dir / "pulumi" / "sdk" / "python" / "cmd"
    src = cmd_dir / LANGUAGE_HOST
    env = _snapshot_env(build_dir)
    edit = [go, "mod", "edit", f"-dropreplace={CLI_MODULE}", f"-dropreplace={SDK_MODULE}",
            f"-require={CLI_MODULE}@v{version}", f"-require={SDK_MODULE}@v{version}"]
    _steps([(edit, src), ([go, "mod", "tidy"], src),
            ([go, "build", "-p", env["GOMAXPROCS"], "-trimpath", "-ldflags", f"-s -w -X {VERSION_SYMBOL}=v{version}",
              "-o", str(bin_dir / LANGUAGE_HOST), "."], src)],
           env, build_dir.with_suffix(".log"))
    shutil.copy2(cmd_dir / LANGUAGE_HOST_EXEC, bin_dir / LANGUAGE_HOST_EXEC)
    (bin_dir / LANGUAGE_HOST_EXEC).chmod(0o755)
    return time.monotonic() - started


def provide_language_host(status: Status) -> None:
    host = status.bin / LANGUAGE_HOST
    if status.language_host_ok():
        _log(f"language host {status.language_host_version} cached at {status.language_host}")
        return
    if status.cli_source == "vendor" and host.exists() and (status.bin / LANGUAGE_HOST_EXEC).exists():
        status.language_host, status.language_host_version = str(host), status.cli_version
        status.language_host_source = "vendor release (with the CLI)"
        return
    version = status.cli_version or ""
    try:
        _log(f"building the language host {LANGUAGE_HOST} {version} from {engine_src()} (minutes)")
        seconds = build_language_host(version, status.bin)
    except EngineError as exc:
        status.blocked["language-host"] = str(exc)
        _log(f"the Python language host is not available: {exc}")
        return
    status.language_host, status.language_host_version = str(host), version
    status.language_host_source = f"built from the snapshot {language_host_archive(version)}"
    status.timings["language_host_build_s"] = round(seconds, 1)
    status.blocked.pop("language-host", None)


def build_provider(version: str, output: Path) -> tuple[float, str]:
    """The DigitalOcean provider plugin `version` from its snapshots into `output`; (seconds, origin).

    Layout as the provider's go.mod expects: provider/ and upstream/ side by side (its `replace` of the
    Terraform provider by ../upstream and of godo by upstream's vendored copy), the provider's one patch applied
    in upstream/, and the modules the proxy refuses replaced by their unpacked snapshots.
    """
    go = go_binary()
    if not go:
        raise EngineError("no Go toolchain on PATH (nor /usr/local/go/bin/go)")
    sources = PROVIDER_SOURCES.get(version)
    if sources is None:
        raise EngineError(f"no source snapshots are known for the provider {version}; "
                          f"known: {', '.join(sorted(PROVIDER_SOURCES))}")
    archives = [_archive(sources.provider), _archive(sources.upstream)] + [_archive(a) for _, a, _ in sources.refused]
    build_dir = _fresh_build_dir(f"provider-{version}")
    started = time.monotonic()
    for archive in archives:
        _unpack(archive, build_dir)
    (build_dir / "pulumi-digitalocean" / "provider").rename(build_dir / "provider")
    (build_dir / "terraform-provider-digitalocean").rename(build_dir / "upstream")
    provider, upstream = build_dir / "provider", build_dir / "upstream"
    env = _snapshot_env(build_dir)
    patches = sorted((build_dir / "pulumi-digitalocean" / "patches").glob("*.patch"))
    replaces = [f"-replace={module}=../{folder}" for module, _, folder in sources.refused]
    steps = [([shutil.which("git") or "git", "apply", str(patch)], upstream) for patch in patches]
    steps += [([go, "mod", "edit", *replaces], provider), ([go, "mod", "download"], provider),
              ([go, "generate", "./cmd/" + PROVIDER_BINARY], provider),
              ([go, "build", "-p", env["GOMAXPROCS"], "-trimpath", "-ldflags",
                f"-X {PROVIDER_MODULE}/pkg/version.Version={version} -s -w", "-o", str(output),
                "./cmd/" + PROVIDER_BINARY], provider)]
    _steps(steps, {**env, "VERSION": version}, build_dir.with_suffix(".log"))
    origin = f"built from the snapshots {', '.join(a.name for a in archives)}"
    return time.monotonic() - started, origin


def install_plugin(status: Status) -> None:
    """`pulumi plugin install resource digitalocean <version> --file <binary>` into the engine's PULUMI_HOME."""
    env = environ(status)
    cmd = [status.cli, "plugin", "install", "resource", PROVIDER_NAME, status.provider_version,
           "--file", status.provider, "--non-interactive"]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise EngineError(f"`{' '.join(cmd)}` failed: {(proc.stderr or proc.stdout).strip()}")


def provide_provider(status: Status, versions: Versions) -> None:
    if status.provider_ok():
        _log(f"provider {status.provider_version} cached, installed in {status.plugin_dir}")
        return
    target = status.directory / "plugins" / PROVIDER_BINARY
    target.parent.mkdir(parents=True, exist_ok=True)
    if not (target.exists() and os.access(target, os.X_OK) and status.provider_version == versions.provider):
        with tempfile.TemporaryDirectory() as tmp:
            vendor = _vendor_provider(versions.provider, Path(tmp))
            if vendor:
                shutil.move(Path(tmp) / PROVIDER_BINARY, target)
                status.provider_source = "vendor release"
        if not vendor:
            try:
                _log(f"building the provider plugin {versions.provider} from {engine_src()} (minutes)")
                seconds, status.provider_source = build_provider(versions.provider, target)
            except EngineError as exc:
                status.blocked["provider"] = str(exc)
                _log(f"the DigitalOcean provider plugin {versions.provider} is not available: {exc}")
                return
            status.timings["provider_build_s"] = round(seconds, 1)
    status.provider, status.provider_version = str(target), versions.provider
    try:
        install_plugin(status)
    except EngineError as exc:
        status.blocked["provider"] = str(exc)
        _log(str(exc))
        return
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
    provide_language_host(status)
    status.save()
    if status.language_host_ok():  # `plugin install` runs the CLI, which is complete only with its host
        provide_provider(status, versions)
    else:
        status.blocked.setdefault("provider", "not built: the language host is missing (see blocked [language-host])")
    status.timings["last_run_s"] = round(time.monotonic() - started, 1)
    status.save()
    return status


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
    if args.command == "status":  # exit 0: complete; 2: CLI and host without the provider plugin; 1: no engine
        print(describe(status))
        return (0 if status.provider_ok() else 2) if status.cli_ok() and status.language_host_ok() else 1
    if not status.cli_ok():
        _log("no engine in the cache: run `make engine`")
        return 1
    sys.stdout.write(shell_env(status))
    return 0


if __name__ == "__main__":
    sys.exit(main())
