"""`make up-local`: a stack through the real Pulumi engine against the local API emulator.

Runs `pulumi up --yes`, `pulumi preview --expect-no-changes` (no phantom diffs), `pulumi refresh
--expect-no-changes` (what the API reads back is what was written) and `pulumi destroy --yes`, with the policy
pack on, and reports each step's wall time and the API calls it made (from the emulator's request log).
Everything stays on this machine: the emulator on loopback with a state file, a file:// backend and
PULUMI_HOME under the git-ignored `.state/` (its plugins are the engine cache's), the passphrase secrets
provider (set for this stack only), no update check, no plugin downloads. The project's Pulumi.yaml and
stack file are copied into `.state/` first, so `pulumi stack init` writes its encryption salt there and never
into the committed Pulumi.<stack>.yaml; the copy's `main` points back at the program.

The stack's Spaces buckets go to a local S3 server started beside the emulator (:mod:`spaces_server`, port 8090).

    python -m do_platform.engine.local_stack [--port 8089] [--spaces-port 8090] [--stack local]
        [--steps up,preview,refresh,destroy]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from do_platform.engine.processes import background_server
from do_platform.engine.spaces_server import endpoint as spaces_endpoint
from do_platform.engine.spaces_server import engine_environment as spaces_environment
from do_platform.engine.spaces_server import spaces_server
from do_platform.engine.status import REPO_ROOT, Status, Versions, environ
from do_platform.stack_files import load_stack_document, stack_yaml

STEPS = ("up", "preview", "refresh", "destroy")
# The local stack's passphrase: it guards an emulator-only stack on this machine, never a real secret.
LOCAL_PASSPHRASE = "do-platform-local-emulator"
EMULATOR_TOKEN = "local-emulator-token"
EXIT_ENGINE_UNAVAILABLE = 3


class EngineUnavailable(RuntimeError):
    """The engine (or the provider plugin the stack needs) is not on this machine; the message says why."""


def require_engine(need_provider: bool = True) -> Status:
    status = Status.load()
    if not status.cli_ok():
        why = status.blocked.get("cli") or "nothing is cached yet"
        raise EngineUnavailable(f"no Pulumi CLI in {status.directory} ({why}); run `make engine`")
    if not status.language_host_ok():
        why = status.blocked.get("language-host") or "not built yet"
        raise EngineUnavailable(f"no Python language host in {status.bin} ({why}); run `make engine`")
    if need_provider and not status.provider_ok():
        why = status.blocked.get("provider") or "not built yet; run `make engine`"
        raise EngineUnavailable(f"the DigitalOcean provider plugin {Versions.pinned().provider} "
                                f"is not available: {why}")
    return status


@dataclass
class StepResult:
    step: str
    seconds: float
    api_calls: int | None
    returncode: int
    output: str = field(repr=False, default="")
    by_route: dict[str, int] = field(repr=False, default_factory=dict)  # "GET /v2/droplets/{droplet_id}": n

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _http(url: str, method: str = "GET", timeout: float = 2.0) -> dict:
    req = urllib.request.Request(url, method=method, headers={"X-Emulator-Control": "1"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        body = resp.read()
    return json.loads(body) if body else {}


@contextlib.contextmanager
def emulator_process(port: int, state_file: Path | None, python: str = sys.executable,
                     log_dir: Path | None = None) -> Iterator[str]:
    """`python -m emulator` in the background on 127.0.0.1:`port`; yields its URL, stops it on exit.

    Without `state_file` the emulator keeps its world in memory; its log goes to `log_dir` (default: beside the
    state file).
    """
    log_dir = log_dir or (state_file.parent if state_file else None)
    if log_dir is None:
        raise ValueError("emulator_process needs a state_file or a log_dir for the emulator's log")
    log_dir.mkdir(parents=True, exist_ok=True)
    state_args = ["--state-file", str(state_file)] if state_file else []
    url = f"http://127.0.0.1:{port}"
    with background_server([python, "-m", "emulator", "--port", str(port), *state_args],
                           log_dir / f"emulator-{port}.log", lambda: _http(f"{url}/_emulator/requests", timeout=0.5),
                           f"the emulator on {url}"):
        yield url


def _holds_secret(value) -> bool:
    if isinstance(value, dict):
        return "secure" in value or any(_holds_secret(v) for v in value.values())
    return isinstance(value, list) and any(_holds_secret(v) for v in value)


def prepare_project(project_dir: Path, stack: str, work_dir: Path, overrides: dict | None = None) -> Path:
    """Copy Pulumi.yaml and Pulumi.<stack>.yaml into `work_dir`, keeping the salt of an earlier run.

    The copy runs the original program (`main` points back at it, `virtualenv` at the original one);
    `overrides` are stack config values set on top (e.g. the emulator's endpoint).
    """
    yaml = stack_yaml("safe")
    project_dir, work_dir = project_dir.resolve(), work_dir.resolve()
    work_dir.mkdir(parents=True, exist_ok=True)
    project = yaml.load((project_dir / "Pulumi.yaml").read_text())
    main = project_dir / project.get("main", ".")
    project["main"] = os.path.relpath(main, work_dir)
    runtime = project.get("runtime")
    if isinstance(runtime, dict) and (runtime.get("options") or {}).get("virtualenv"):
        venv = project_dir / runtime["options"]["virtualenv"]
        runtime["options"]["virtualenv"] = os.path.relpath(venv, work_dir)
    with (work_dir / "Pulumi.yaml").open("w") as fh:
        yaml.dump(project, fh)

    source = project_dir / f"Pulumi.{stack}.yaml"
    stack_cfg = load_stack_document(source) if source.exists() else {}
    target = work_dir / f"Pulumi.{stack}.yaml"
    previous = load_stack_document(target) if target.exists() else {}
    for key in ("encryptionsalt", "secretsprovider", "encryptedkey"):
        if key in previous:
            stack_cfg[key] = previous[key]
    config = stack_cfg.setdefault("config", {}) or {}
    stack_cfg["config"] = config
    # Secrets set in an earlier run (`pulumi config set --secret [--path]` against the copy) stay, also when
    # nested in a structured value (`appSecrets.web.API_KEY`), unless the committed file or an override sets
    # the key.
    for key, value in (previous.get("config") or {}).items():
        if _holds_secret(value) and key not in config and key not in (overrides or {}):
            config[key] = value
    config.update(overrides or {})
    with target.open("w") as fh:
        yaml.dump(stack_cfg, fh)
    return work_dir


def object_store_enabled(work_dir: Path, stack: str) -> bool:
    """Whether the prepared stack file turns the object store on (``do-platform:objectStore.enabled``). Read raw:
    StackRun drives other projects too (tests/e2e/projects) whose stack files are not this program's config."""
    from do_platform.stack_files import read_stack_config

    store = read_stack_config(stack, work_dir).get("do-platform:objectStore")
    return isinstance(store, dict) and store.get("enabled") is True


class StackRun:
    """One project and stack, driven through the real CLI in an offline environment."""

    def __init__(self, project_dir: Path, stack: str, state_dir: Path, *, policy_pack: Path | None = None,
                 emulator_url: str | None = None, overrides: dict | None = None,
                 status: Status | None = None, passphrase: str = LOCAL_PASSPHRASE,
                 timeout: float = 900, extra_env: dict[str, str] | None = None,
                 spaces_port: int | None = None) -> None:
        """``spaces_port``: the local S3 server standing in for Spaces (:mod:`spaces_server`); a stack against the
        emulator whose object store is enabled needs it, and is refused here without it (one place, every caller)."""
        self.status = status or require_engine(need_provider=False)
        self.stack = stack
        self.state_dir = state_dir.resolve()
        self.policy_pack = policy_pack
        self.emulator_url = emulator_url
        self.timeout = timeout
        self.project_dir = project_dir
        self.overrides = dict(overrides or {})
        if spaces_port is not None:
            self.overrides.setdefault("digitalocean:spacesEndpoint", spaces_endpoint(spaces_port))
        self.work_dir = prepare_project(project_dir, stack, self.state_dir / f"project-{stack}", self.overrides)
        if spaces_port is None and emulator_url and object_store_enabled(self.work_dir, stack):
            raise ValueError(f"stack {stack} enables objectStore: its bucket needs the local S3 server beside the "
                             "emulator; pass spaces_port (do_platform.engine.spaces_server), or set "
                             "do-platform:objectStore.enabled false in the overrides")
        self.env = environ(self.status)
        self.env.update({
            "PULUMI_HOME": str(self._home()),
            "PULUMI_BACKEND_URL": f"file://{self.state_dir / 'backend'}",
            "PULUMI_CONFIG_PASSPHRASE": passphrase,
            "DIGITALOCEAN_TOKEN": EMULATOR_TOKEN,
            "PULUMI_NON_INTERACTIVE": "true",
        })
        for name in ("DIGITALOCEAN_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE_FILE", "PULUMI_ACCESS_TOKEN"):
            self.env.pop(name, None)
        self.env.update(spaces_environment(spaces_port) if spaces_port is not None else {})
        self.env.update(extra_env or {})
        (self.state_dir / "backend").mkdir(parents=True, exist_ok=True)

    def configure(self, **changes) -> None:
        """Stack config values set on top of the earlier overrides (``{"do-platform:web": {...}}``): the next
        step sees the stack file as a user's edit would leave it."""
        self.overrides.update(changes)
        prepare_project(self.project_dir, self.stack, self.work_dir, self.overrides)

    def plan(self, refresh: bool = False) -> dict:
        """`pulumi preview --json [--refresh]`: the engine's plan, with ``steps`` (op, urn, ...) and
        ``changeSummary``; with ``refresh``, read from the API first (what the drift check runs)."""
        extra = ["--refresh"] if refresh else []
        proc = self.pulumi("preview", "--json", *extra, "--stack", self.stack, *self._policy_args(), check=True)
        return json.loads(proc.stdout)

    def _home(self) -> Path:
        """This run's PULUMI_HOME (credentials, workspace): its plugins are the engine cache's, shared."""
        home = self.state_dir / "pulumi-home"
        home.mkdir(parents=True, exist_ok=True)
        plugins, shared = home / "plugins", self.status.home / "plugins"
        shared.mkdir(parents=True, exist_ok=True)
        if not plugins.is_symlink():
            if plugins.exists():
                shutil.rmtree(plugins)
            plugins.symlink_to(shared, target_is_directory=True)
        return home

    def pulumi(self, *args: str, check: bool = False, echo: bool = False) -> subprocess.CompletedProcess:
        cmd = [self.status.cli, *args, "--non-interactive", "--color", "never"]
        proc = subprocess.run(cmd, cwd=self.work_dir, env=self.env, capture_output=True, text=True,
                              timeout=self.timeout)
        if echo:
            sys.stdout.write(proc.stdout)
            sys.stderr.write(proc.stderr)
        if check and proc.returncode != 0:
            raise RuntimeError(f"`pulumi {' '.join(args)}` failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
        return proc

    def select(self) -> None:
        """Log in to the file:// backend and select (or create) the stack with the passphrase provider."""
        self.pulumi("login", self.env["PULUMI_BACKEND_URL"], check=True)
        self.pulumi("stack", "select", self.stack, "--create", "--secrets-provider", "passphrase", check=True)

    def _policy_args(self) -> list[str]:
        return ["--policy-pack", str(self.policy_pack)] if self.policy_pack else []

    def command(self, step: str) -> list[str]:
        if step == "up":
            return ["up", "--yes", "--stack", self.stack, *self._policy_args()]
        if step == "preview":
            return ["preview", "--expect-no-changes", "--diff", "--stack", self.stack, *self._policy_args()]
        if step == "refresh":
            return ["refresh", "--yes", "--expect-no-changes", "--diff", "--stack", self.stack]
        if step == "destroy":
            return ["destroy", "--yes", "--stack", self.stack]
        raise ValueError(f"step must be one of {', '.join(STEPS)}; got {step!r}")

    def step(self, step: str, echo: bool = False) -> StepResult:
        args = self.command(step)
        if self.emulator_url:
            _http(f"{self.emulator_url}/_emulator/requests", method="DELETE")
        started = time.monotonic()
        proc = self.pulumi(*args, echo=echo)
        seconds = time.monotonic() - started
        log = _http(f"{self.emulator_url}/_emulator/requests") if self.emulator_url else {}
        return StepResult(step, round(seconds, 2), log.get("total"), proc.returncode, proc.stdout + proc.stderr,
                          log.get("by_route") or {})

    def run(self, steps: Sequence[str] = STEPS, echo: bool = False) -> list[StepResult]:
        """Run `steps` in order, stopping at the first that fails."""
        self.select()
        results = []
        for step in steps:
            result = self.step(step, echo=echo)
            results.append(result)
            if not result.ok:
                break
        return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m do_platform.engine.local_stack",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8089")),
                        help="emulator port (default 8089, the port Pulumi.local.yaml names)")
    parser.add_argument("--spaces-port", type=int, default=int(os.environ.get("SPACES_PORT", "8090")),
                        help="port of the local S3 server standing in for Spaces (default 8090, as Pulumi.local.yaml)")
    parser.add_argument("--stack", default="local")
    parser.add_argument("--steps", default=",".join(STEPS), help="comma-separated, from: " + ", ".join(STEPS))
    parser.add_argument("--no-policy", action="store_true", help="run without the policy pack")
    args = parser.parse_args(argv)
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    bad = [s for s in steps if s not in STEPS]
    if bad:
        parser.error(f"--steps: unknown step(s) {', '.join(bad)}; allowed: {', '.join(STEPS)}")
    try:
        status = require_engine(need_provider=True)
    except EngineUnavailable as exc:
        print(f"up-local: cannot run: {exc}", file=sys.stderr)
        return EXIT_ENGINE_UNAVAILABLE
    state_dir = REPO_ROOT / ".state"
    policy = REPO_ROOT / "policy"
    with emulator_process(args.port, state_dir / "emulator.json") as url, \
            spaces_server(args.spaces_port, state_dir) as spaces_url:
        run = StackRun(REPO_ROOT, args.stack, state_dir, emulator_url=url, status=status,
                       policy_pack=None if args.no_policy or not (policy / "PulumiPolicy.yaml").exists() else policy,
                       overrides={"digitalocean:apiEndpoint": url, "digitalocean:spacesEndpoint": spaces_url},
                       spaces_port=args.spaces_port)
        results = run.run(steps, echo=True)
    (state_dir / "up-local.json").write_text(json.dumps([
        {k: v for k, v in asdict(r).items() if k != "output"} for r in results], indent=2) + "\n")
    print(f"\nup-local summary (stack {args.stack}):")
    for r in results:
        print(f"  {r.step:8} {'ok' if r.ok else 'FAILED':6} {r.seconds:8.1f} s  {r.api_calls} API calls")
    return 0 if len(results) == len(steps) and all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
