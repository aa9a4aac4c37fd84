"""``python -m benchmarks.probe_hardening``: bad inputs and attacks against the CLI, the config and the emulator.

Each probe is classified:

- ``clear``: refused with a message that names what is wrong (the key, flag or file) and no traceback;
- ``traceback``: a Python traceback, or an HTTP 500 from the emulator;
- ``silent``: accepted although it must be refused (or, for the URL corpus, accepted with a different host);
- ``leak``: a secret planted in the input shows up in the output;
- ``false positive``: a benign input refused (the ``guardrails`` group's allowed sources).

Groups ``cleanup`` (registry cleanup under injected faults and concurrent re-tags, ``--trials`` seeded
trials) and ``guardrails`` (bypass attempts) live in :mod:`benchmarks.probe_cleanup_guardrails`.
Target: every probe ``clear``. Results go to docs (notes) by hand with this command; ``--json`` prints them all.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

SECRET = "dop_v1_probe-secret-0123456789"
PASSWORD = "pr0be-pa55word"


@dataclass
class Probe:
    area: str
    name: str
    outcome: str  # clear | traceback | silent | leak
    detail: str


def classify(area: str, name: str, *, refused: bool, text: str, names: str, must_refuse: bool = True) -> Probe:
    """One probe's category from whether it was refused and what it printed."""
    first = text.strip().splitlines()[-1] if text.strip() else ""
    if SECRET in text or PASSWORD in text:
        return Probe(area, name, "leak", first[:200])
    if "Traceback" in text or "Internal Server Error" in text:
        return Probe(area, name, "traceback", first[:200])
    if must_refuse and not refused:
        return Probe(area, name, "silent", "accepted")
    if must_refuse and names not in text:
        return Probe(area, name, "silent", f"refused without naming {names!r}: {first[:160]}")
    return Probe(area, name, "clear", first[:200])


# -- URL attacks: every entry point -------------------------------------------------------------------------

def url_probes() -> list[Probe]:
    from typer.testing import CliRunner
    from urllib3.util import parse_url

    from do_platform.api.endpoints import normalise_endpoint
    from do_platform.cli.main import app
    from do_platform.config import load_stack_config
    from do_platform.errors import ConfigError
    from do_platform.offline import project_defaults, read_stack_config
    from tests.api.endpoint_corpus import ACCEPTED, REFUSED

    corpus = [u.replace("s3cr3tpw", PASSWORD) for u in REFUSED if u]
    out: list[Probe] = []
    runner = CliRunner()
    base = {**project_defaults(REPO), **read_stack_config("local", REPO)}
    for url in corpus:
        for via in ("--api-url", "DIGITALOCEAN_API_URL"):
            if via == "DIGITALOCEAN_API_URL" and "\x00" in url:
                continue  # an environment cannot hold NUL
            args, env = ["registry", "cleanup", "--registry", "reg"], {"DIGITALOCEAN_TOKEN": SECRET}
            if via == "--api-url":
                args = ["--api-url", url, *args]
            else:
                env[via] = url
            result = runner.invoke(app, args, env=env)
            text = result.output + "".join(
                __import__("traceback").format_exception(result.exception) if result.exception
                and not isinstance(result.exception, SystemExit) else [])
            out.append(classify("url", f"{via} {url!r}", refused=result.exit_code != 0, text=text,
                                names="API endpoint"))
        try:
            load_stack_config({**base, "digitalocean:apiEndpoint": url}, "local")
            out.append(classify("url", f"apiEndpoint {url!r}", refused=False, text="", names=""))
        except ConfigError as err:
            out.append(classify("url", f"apiEndpoint {url!r}", refused=True, text=err.message,
                                names="digitalocean:apiEndpoint"))
    for url, normalised in ACCEPTED.items():  # accepted ones: the sender must read the same host
        sent = parse_url(normalise_endpoint(url))
        same = normalise_endpoint(url) == normalised and sent.auth is None and \
            f"{sent.scheme}://{sent.netloc}{sent.path or ''}" == normalised
        out.append(Probe("url", f"accepted {url!r}", "clear" if same else "silent", normalised))
    return out


# -- stack files and config keys ------------------------------------------------------------------------------

BOMB = "a: &a [" + ", ".join(["ops@example.com"] * 9) + "]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True))


def _app(**image) -> list[dict]:
    return [{"name": "web", "image": {"registry": "do-platform", "repository": "web", "tag": "main", **image}}]


CONFIG_PROBES: list[tuple[str, str, dict, str]] = [
    # (name, stack, keys replaced in the merged config, what the message must name)
    ("token in clear", "dev", {"digitalocean:token": SECRET}, "digitalocean:token"),
    ("app secret in clear", "dev", {"do-platform:apps": _app(), "do-platform:appSecrets": {"web": {"K": SECRET}}},
     "do-platform:appSecrets.web.K"),
    ("prod policy disabled", "prod", {"do-platform:policyEnforcement": "disabled"}, "do-platform:policyEnforcement"),
    ("prod policy advisory", "prod", {"do-platform:policyEnforcement": "advisory"}, "do-platform:policyEnforcement"),
    ("health path ;{}#", "dev", {"do-platform:web": {"healthCheckPath": "/ok;{}#"}}, "web.healthCheckPath"),
    ("health path space", "dev", {"do-platform:web": {"healthCheckPath": "/ok x"}}, "web.healthCheckPath"),
    ("app health path newline", "dev", {"do-platform:apps": [{**_app()[0], "healthCheckPath": "/ok\n"}]},
     "apps[0].healthCheckPath"),
    ("image as a string", "dev", {"do-platform:apps": [{"name": "web", "image": "do-platform/web:main"}]},
     "apps[0].image"),
    ("tag with newline", "dev", {"do-platform:apps": _app(tag="main\n")}, "apps[0].image.tag"),
    ("numeric tag", "dev", {"do-platform:apps": _app(tag=1.1)}, "apps[0].image.tag"),
    ("a million emails", "dev", {"do-platform:alertEmails": ["ops@example.com"] * 1_000_000}, "alertEmails"),
    ("51 apps", "dev", {"do-platform:apps": _app() * 51}, "do-platform:apps"),
    ("1000 admin cidrs", "dev", {"do-platform:network": {"ipRange": "10.110.0.0/20",
                                                         "adminCidrs": ["203.0.113.4/32"] * 1000}},
     "network.adminCidrs"),
    ("1000 env vars", "dev", {"do-platform:apps": [{**_app()[0], "env": {f"V{i}": "x" for i in range(1000)}}]},
     "apps[0].env"),
    ("apiEndpoint with path", "local", {"digitalocean:apiEndpoint": "http://127.0.0.1:8089/v2"},
     "digitalocean:apiEndpoint"),
    ("prod plain http off loopback", "prod", {"digitalocean:apiEndpoint": "http://api.example.com:8089"},
     "digitalocean:apiEndpoint"),
]

FILE_PROBES: list[tuple[str, bytes, str]] = [
    ("a YAML list", b"- config\n- x\n", "Pulumi.dev.yaml"),
    ("a scalar", b"hello\n", "Pulumi.dev.yaml"),
    ("a number", b"42\n", "Pulumi.dev.yaml"),
    ("invalid UTF-8", b"config:\n  do-platform:region: \xff\xfe\n", "Pulumi.dev.yaml"),
    ("alias bomb", (BOMB + "config:\n  do-platform:alertEmails: *h\n").encode(), "alias"),
    ("config is a list", b"config: [a]\n", "config"),
    ("non-string key", b"config:\n  1: x\n", "config key"),
    ("duplicate key", b"config:\n  a: 1\n  a: 2\n", "Pulumi.dev.yaml"),
    ("unterminated", b"config: {a: [1\n", "Pulumi.dev.yaml"),
    ("tabs", b"config:\n\tdo-platform:region: nyc3\n", "Pulumi.dev.yaml"),
    ("oversized", b"config: {}\n" + b"#" * (2 << 20), "bytes"),
    ("apps a mapping", b"config:\n  do-platform:apps: {web: 1}\n", "do-platform:apps"),
    ("app image a string", b"config:\n  do-platform:apps:\n    - {name: web, image: r/web:1}\n", "apps[0].image"),
]


def config_probes() -> list[Probe]:
    from do_platform.config import load_stack_config
    from do_platform.errors import ConfigError
    from do_platform.offline import project_defaults, read_stack_config
    from do_platform.stack_files import images_of

    out = []
    os.environ.pop("DO_PLATFORM_POLICY_OVERRIDE", None)
    for name, stack, extra, names in CONFIG_PROBES:
        raw = {**project_defaults(REPO), **read_stack_config(stack, REPO), **extra}
        try:
            load_stack_config(raw, stack)
            out.append(classify("config", name, refused=False, text="", names=names))
        except ConfigError as err:
            out.append(classify("config", name, refused=True, text=f"{err.message}\n{err.hint or ''}", names=names))
        except Exception as exc:  # noqa: BLE001 - a probe records what escaped
            out.append(Probe("config", name, "traceback", repr(exc)[:200]))
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name, body, names in FILE_PROBES:
            (root / "Pulumi.dev.yaml").write_bytes(body)
            # read_stack_config reads the shape only; the apps' contents are for images_of (the config model)
            for reader in (images_of,) if names.startswith(("do-platform:apps", "apps[")) else \
                    (read_stack_config, images_of):
                try:
                    reader("dev", root)
                    out.append(classify("stack file", f"{name} ({reader.__name__})", refused=False, text="",
                                        names=names))
                except ConfigError as err:
                    out.append(classify("stack file", f"{name} ({reader.__name__})", refused=True,
                                        text=err.message, names=names))
                except Exception as exc:  # noqa: BLE001
                    out.append(Probe("stack file", f"{name} ({reader.__name__})", "traceback", repr(exc)[:200]))
    return out


def plan_cli_probes() -> list[Probe]:
    """``do-platform plan`` in a copy of the repository whose dev stack file is bad: the real command path."""
    from tests.helpers.program import copy_program

    out = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = copy_program(Path(tmp) / "repo")
        dev = (REPO / "Pulumi.dev.yaml").read_text()
        no_emails = dev.replace("  do-platform:alertEmails: [ops@example.com]\n", "")
        cases = [("alias bomb", BOMB + no_emails + "  do-platform:alertEmails: *h\n", "alias"),
                 ("token in clear", dev + f"  digitalocean:token: {SECRET}\n", "digitalocean:token"),
                 ("a YAML list", "- a\n- b\n", "Pulumi.dev.yaml"),
                 ("health path", dev.replace("config:\n", "config:\n  do-platform:web:\n    healthCheckPath: "
                                                        "'/ok;{}#'\n", 1) if "do-platform:web:" not in dev
                  else dev.replace("  do-platform:web:\n", "  do-platform:web:\n    healthCheckPath: '/ok;{}#'\n", 1),
                  "healthCheckPath")]
        for name, body, names in cases:
            (repo / "Pulumi.dev.yaml").write_text(body)
            try:
                proc = subprocess.run([sys.executable, "-m", "do_platform", "plan", "--stack", "dev"], cwd=repo,
                                      env={**os.environ, "PYTHONPATH": str(repo)}, capture_output=True, text=True,
                                      timeout=60, check=False)
                out.append(classify("plan", name, refused=proc.returncode != 0, text=proc.stdout + proc.stderr,
                                    names=names))
            except subprocess.TimeoutExpired:
                out.append(Probe("plan", name, "silent", "hung for 60 s"))
    return out


# -- CLI flags --------------------------------------------------------------------------------------------------

FLAG_PROBES: list[tuple[list[str], str]] = [
    (["--keep-days", "inf"], "--keep-days"), (["--keep-days", "1e12"], "--keep-days"),
    (["--keep-days", "nan"], "--keep-days"), (["--keep-days", "-1"], "--keep-days"),
    (["--keep-days", "x"], "--keep-days"), (["--keep-last", "1e3"], "--keep-last"),
    (["--keep-last", "-1"], "--keep-last"), (["--keep-last", "99999999999999999999"], "--keep-last"),
    (["--gc-timeout", "inf"], "--gc-timeout"), (["--gc-timeout", "nan"], "--gc-timeout"),
    (["--gc-poll", "nan"], "--gc-poll"), (["--gc-poll", "-1"], "--gc-poll"),
    (["--max-rpm", "0"], "--max-rpm"), (["--keep-pattern", "("], "--keep-pattern"),
    (["--keep-pattern", "[x"], "--keep-pattern"), (["--stacks-dir", "/nonexistent"], "--stacks-dir"),
]


def flag_probes() -> list[Probe]:
    from typer.testing import CliRunner

    from do_platform.cli.main import app

    out = []
    runner = CliRunner()
    for extra, names in FLAG_PROBES:
        args = ["--token", SECRET, "--api-url", "http://127.0.0.1:9", "registry", "cleanup", "--registry", "reg",
                *extra]
        result = runner.invoke(app, args)
        escaped = result.exception if result.exception and not isinstance(result.exception, SystemExit) else None
        text = result.output + (f"\nTraceback: {escaped!r}" if escaped else "")
        out.append(classify("cli flags", " ".join(extra), refused=result.exit_code != 0, text=text, names=names))
    for args, names in ((["plan", "--stack", "Prod!"], "Prod!"), (["plan", "--stack", "nope"], "nope"),
                        (["status", "--stack", "x" * 300], "stack"), (["--output", "xml", "plan"], "--output")):
        result = runner.invoke(app, args)
        escaped = result.exception if result.exception and not isinstance(result.exception, SystemExit) else None
        text = result.output + (f"\nTraceback: {escaped!r}" if escaped else "")
        out.append(classify("cli flags", " ".join(args)[:60], refused=result.exit_code != 0, text=text, names=names))
    return out


# -- emulator ---------------------------------------------------------------------------------------------------

def emulator_probes() -> list[Probe]:
    out = []
    with socket.socket() as busy, tempfile.TemporaryDirectory() as tmp:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = str(busy.getsockname()[1])
        bad_state = Path(tmp) / "state.json"
        bad_state.write_text("{not json")
        cases = [(["--port", port], "--port"), (["--port", "70000"], "--port"), (["--port", "x"], "--port"),
                 (["--port", "0", "--host", "192.0.2.1"], "--host"),
                 (["--port", "0", "--host", "no-such-host.invalid"], "--host"),
                 (["--port", "0", "--delay", "-1"], "--delay"),
                 (["--port", "0", "--requests-per-minute", "0"], "--requests-per-minute"),
                 (["--port", "0", "--state-file", str(bad_state)], "--state-file"),
                 (["--port", "0", "--state-file", tmp], "--state-file")]
        for args, names in cases:
            proc = subprocess.run([sys.executable, "-m", "emulator", *args], cwd=REPO, capture_output=True, text=True,
                                  timeout=30, check=False)
            out.append(classify("emulator start", " ".join(args)[-60:], refused=proc.returncode != 0,
                                text=proc.stdout + proc.stderr, names=names))
    out += emulator_request_probes()
    return out


def emulator_request_probes() -> list[Probe]:
    """Malformed requests: each must be a 4xx with a message, never a 500."""
    import httpx

    from emulator.server import EmulatorServer

    requests: list[tuple[str, str, object]] = [
        ("POST", "/v2/droplets", b"{not json"), ("POST", "/v2/droplets", []), ("POST", "/v2/droplets", {"name": 1}),
        ("POST", "/v2/droplets", {"name": "x", "region": "nyc3", "size": "s-1vcpu-1gb", "image": {"a": 1}}),
        ("GET", "/v2/droplets/99999999999999999999999", None), ("GET", "/v2/droplets?per_page=-1", None),
        ("GET", "/v2/droplets?page=abc", None), ("GET", "/v2/droplets?per_page=1e9", None),
        ("POST", "/v2/tags", {"name": "x" * 10000}), ("POST", "/v2/vpcs", {"name": "v", "ip_range": "nope"}),
        ("DELETE", "/v2/registry/reg/repositories/%2e%2e/digests/sha256:xyz", None),
        ("POST", "/v2/firewalls", {"name": "f", "inbound_rules": "all"}),
    ]
    out = []
    headers = {"Authorization": f"Bearer {SECRET}"}
    with EmulatorServer() as emu, httpx.Client(base_url=emu.url, headers=headers, timeout=10) as http:
        for method, path, body in requests:
            kwargs = {"content": body} if isinstance(body, bytes) else {} if body is None else {"json": body}
            response = http.request(method, path, **kwargs)
            name = f"{method} {path[:50]} {str(body)[:30]}"
            if response.status_code >= 500:
                out.append(Probe("emulator http", name, "traceback", f"{response.status_code}"))
            elif SECRET in response.text:
                out.append(Probe("emulator http", name, "leak", response.text[:120]))
            elif response.status_code < 400:
                out.append(Probe("emulator http", name, "silent", f"{response.status_code}"))
            else:
                out.append(Probe("emulator http", name, "clear", f"{response.status_code} {response.text[:100]}"))
    return out


from benchmarks.probe_cleanup_guardrails import (  # noqa: E402 - the sibling module imports Probe from here
    DEFAULT_SEED,
    DEFAULT_TRIALS,
    cleanup_probes,
    guardrail_probes,
)

GROUPS: dict[str, Callable[..., list[Probe]]] = {
    "url": url_probes, "config": config_probes, "plan": plan_cli_probes, "flags": flag_probes,
    "emulator": emulator_probes, "cleanup": cleanup_probes, "guardrails": guardrail_probes,
}
SEEDED = {"cleanup"}  # groups that take --trials and --seed
OUTCOMES = ("clear", "traceback", "silent", "leak", "false positive")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.probe_hardening", description=__doc__)
    parser.add_argument("groups", nargs="*", help=f"probe groups (default: all): {', '.join(GROUPS)}")
    parser.add_argument("--json", action="store_true", help="print every probe as JSON")
    parser.add_argument("--trials", type=int, default=DEFAULT_TRIALS,
                        help=f"cleanup trials (default {DEFAULT_TRIALS}; each takes about a second)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"cleanup seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.groups) - set(GROUPS))
    if unknown:
        parser.error(f"unknown group(s) {unknown}; allowed: {', '.join(GROUPS)}")
    if not 1 <= args.trials <= 1000:
        parser.error(f"--trials must be within 1..1000; got {args.trials}")
    probes = [p for name in (args.groups or GROUPS) for p in GROUPS[name](
        **({"trials": args.trials, "seed": args.seed} if name in SEEDED else {}))]
    if args.json:
        print(json.dumps([asdict(p) for p in probes], indent=1))
    counts = Counter(p.outcome for p in probes)
    by_area = Counter((p.area, p.outcome) for p in probes)
    for area in dict.fromkeys(p.area for p in probes):
        print(f"{area:15} tried {sum(v for (a, _), v in by_area.items() if a == area):4}  " + "  ".join(
            f"{o} {by_area[(area, o)]}" for o in OUTCOMES), file=sys.stderr)
    print(f"{'total':15} tried {len(probes):4}  " + "  ".join(f"{o} {counts[o]}" for o in OUTCOMES),
          file=sys.stderr)
    for p in probes:
        if p.outcome != "clear":
            print(f"  {p.outcome}: [{p.area}] {p.name!r}: {p.detail}", file=sys.stderr)
    return 0 if set(counts) <= {"clear"} else 1


if __name__ == "__main__":
    sys.exit(main())
