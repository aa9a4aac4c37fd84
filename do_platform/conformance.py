"""`make conformance`: the DigitalOcean Terraform provider's own acceptance suite against the emulator.

The provider the Pulumi bridge wraps (its snapshot in ../shared/engine-src) ships `digitalocean/<family>/*_test.go`:
`TestAcc…` tests that create, read, update, import and destroy each resource family through a real `terraform`
binary and check what the API gives back. Run against the emulator they are an outside judge of its fidelity that
nobody in this project wrote. OpenTofu (from its snapshot) stands in for `terraform`; both are built into the
engine cache once, outside the repository, reusing the engine's snapshot helpers.

The run parses `go test -json` into per-family passed/failed/skipped with each failure's first failing check and
writes the table into docs/emulator.md between markers. Tests that need something no emulator can offer are
declared in `UNAVAILABLE` with the reason, skipped by name and listed in the same section.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from do_platform.engine import build as engine_build
from do_platform.engine import status as engine_status

TOFU_VERSION = "1.12.6"
TOFU_ARCHIVE = f"opentofu-v{TOFU_VERSION}.tar.gz"
# The provider release whose snapshots hold the suite: its `upstream` is the Terraform provider, its
# `provider` archive carries the one patch (a go.mod for the vendored godo) applied inside upstream.
SUITE_RELEASE = "4.76.0"
GO_TEST_TIMEOUT = "60m"
GO_PACKAGES_AT_ONCE = "2"  # the machine's two cores are shared
PARALLEL_TESTS = "8"

# The families the Pulumi program's components use (components/ and the stacks).
PROGRAM_FAMILIES = ("vpc", "firewall", "droplet", "loadbalancer", "certificate", "domain", "database",
                    "kubernetes", "app", "project", "tag", "uptime", "monitoring", "registry")


@dataclass(frozen=True)
class Unavailable:
    """Tests no emulator of the DigitalOcean API can pass: `family` whole, or the tests `tests` (a regex) in it."""

    family: str
    reason: str
    tests: str = ""  # empty: the whole family


UNAVAILABLE = (
    Unavailable("spaces", "the suite's own S3 client, not the provider's: its exists/destroy checks and object "
                          "getter build one at the hard-coded https://<region>.digitaloceanspaces.com, ignoring "
                          "spaces_endpoint, so they reach the real Spaces over TLS whatever endpoint the provider is "
                          "given (the local S3 server does hold the bucket: the provider's own create and read pass)",
                "^(TestAccDigitalOceanBucket_(basic|region|UpdateAcl|UpdateCors|WithCors|WithMultipleCorsRules|"
                "shouldFailNotFound|Versioning|importBasic)|TestAccDigitalOceanSpacesBucket_Lifecycle(Basic|"
                "ExpireMarkerOnly)|TestAccDataSourceDigitalOceanSpacesBucket_Basic|"
                "TestAccDataSourceDigitalOceanSpacesBucketObject_"
                "(basic|readableBody|allParams|LeadingSlash|MultipleSlashes))$"),
    Unavailable("spaces", "a Spaces behaviour the local S3 server lacks, and the suite's hard-coded endpoint above: "
                          "the provider lists buckets once per Spaces region (11 endpoints), each of which answers "
                          "only its region's buckets; one local server answers every bucket at each, so the name "
                          "filter finds the bucket 11 times (`buckets.#` 11, not 1)",
                "^TestAccDataSourceDigitalOceanSpacesBuckets_Basic$"),
    Unavailable("spaces", "a Spaces behaviour the local S3 server (moto, AWS's rules) lacks: Spaces enables access "
                          "logging into any bucket of the account, moto requires the target bucket to grant the "
                          "log-delivery group WRITE and READ_ACP (InvalidTargetBucketForLogging)",
                "^TestAccDigitalOceanSpacesBucketLogging_(basic|update|importBasic)$"),
    Unavailable("spaces", "a Spaces behaviour the local S3 server lacks: with encoding-type=url Spaces escapes a "
                          "key's `/` (`arch%2Fru…`), moto escapes the rest but keeps `/`",
                "^TestAccDataSourceDigitalOceanSpacesBucketObjects_encoded$"),
    Unavailable("spaces", "a Spaces behaviour the local S3 server lacks: Spaces answers a policy write on a missing "
                          "bucket with NoSuchKey (the provider turns that into `bucket '…' does not exist`), moto "
                          "with AWS's NoSuchBucket",
                "^TestAccDigitalOceanBucketPolicy_unknownBucket$"),
    Unavailable("spaces", "the suite's own defect, against any API: its config names the key by `name`, the data "
                          "source requires `access_key` (`Missing required argument`)",
                "^TestAccDataSourceDigitalOceanSpacesKey_basic$"),
    Unavailable("cdn", "needs the hashicorp/tls provider from the OpenTofu registry (no internet here)",
                "^TestAccDigitalOceanCDN_CustomDomain$"),
    Unavailable("byoipprefix", "bring-your-own-IP needs a signed ownership proof of a real prefix (RIR/ROA)"),
    Unavailable("gradientai", "the AI agent platform (models, knowledge bases, agents) is out of the emulator's scope"),
    Unavailable("dedicatedinference", "GPU inference endpoints are out of the emulator's scope"),
    Unavailable("loadbalancer", "the suite's own defect, against any API: the resource's read never sets network, "
                                "network_stack, tls_cipher_policy, so ImportStateVerify finds them missing",
                r"^TestAccDigitalOceanLoadBalancer_importBasic$"),
    Unavailable("droplet", "a timing race in the suite, against any API: the create context's 5 s deadline starts "
                           "before the wait's own 5 s timer (and its 10 s first-poll delay), so the error is "
                           "`context deadline exceeded`, not the `timeout while waiting for state` it expects",
                r"^TestAccDigitalOceanDroplet_withTimeout$"),
    Unavailable("project", "moves the project onto a real Spaces bucket, created through S3",
                r"^TestAccDigitalOceanProject_UpdateFromDropletToSpacesResource$"),
    Unavailable("app", "expects the first deployment to outlast a 10 s create timeout; the emulator deploys at once "
                       "(a --delay for every test would slow the whole suite)",
                r"^TestAccDigitalOceanApp_TimeoutConfig$"),
    Unavailable("app", "the suite's own defect, against any API: step 5 checks `spec.0.ingress.1.rule…` and "
                       "`ingress.2`, but `ingress` holds at most one item (MaxItems 1)",
                r"^(TestAccDataSourceDigitalOceanApp_Basic|TestAccDigitalOceanApp_Basic)$"),
    Unavailable("app", "the suite's own defect, against any API: `deployment_per_page` is a provider-side "
                       "setting (default 20) that no read sets, so ImportStateVerify finds it missing",
                r"^TestAccDigitalOceanApp_importBasic$"),
    Unavailable("database", "the suite's own defect, against any API that returns the field: the provider sets "
                            "log_message_timestamp_difference_max_ms (a *uint64) into a string attribute and panics, "
                            "which ends the whole database package",
                r"^TestAccDigitalOceanDatabaseKafkaConfig_Basic$"),
    Unavailable("database", "the suite's own defect, against any API: the replica data source shares the resource's "
                            "read, which sets `size`, an attribute the data source's schema lacks; under TF_ACC the "
                            "SDK panics on it, which ends the whole database package",
                r"^TestAccDataSourceDigitalOceanDatabaseReplica_Basic$"),
    Unavailable("database", "vector databases are an AI family (GenAI knowledge-base storage, "
                            "/v2/vector-databases), out of the emulator's scope like the other AI families",
                r"^TestAcc(DataSource)?DigitalOceanVectorDatabase_"),
    Unavailable("database", "the suite's own configuration, refused by the API as described: a 3-node Kafka cluster "
                            "of db-s-1vcpu-1gb and an advanced_pg cluster of db-s-1vcpu-1gb, sizes the API's "
                            "/v2/databases/options do not offer for those engines (Kafka: db-s-2vcpu-2gb and up; "
                            "Advanced Edition: General Purpose and Storage-Optimized plans only)",
                r"^(TestAccDigitalOceanDatabaseKafkaSchemaRegistry_Basic|"
                r"TestAccDigitalOceanDatabaseAdvancedPostgreSQLConfig_Basic)$"),
    Unavailable("registry", "each revokes its credentials' OAuth token at the hard-coded "
                            "https://cloud.digitalocean.com (not the API URL); unreachable here, and the provider "
                            "then dereferences the nil response and panics, ending the registry package",
                r"^TestAccDigitalOceanContainerRegistryDockerCredentials_"),
    Unavailable("registry", "the provider's own defect, against any API (terraform-provider-digitalocean#1535, fix "
                            "proposed in #1594): the data source's read asks for the registry by its id before any "
                            "is set, `GET /v2/registries/`, which the API answers 404 (as the emulator does), so "
                            "the data source comes back with no id",
                r"^TestAccDataSourceDigitalOceanContainerRegistry_Basic$"),
    Unavailable("kubernetes", "needs the hashicorp/kubernetes provider from the OpenTofu registry (no internet here)",
                r"^(TestAccDataSourceDigitalOceanKubernetesCluster_Basic|"
                r"TestAccDigitalOceanKubernetesCluster_KubernetesProviderInteroperability)$"),
    Unavailable("nfs", "the suite's own defect, against any API: the config leaves performance_tier to the "
                       "provider's default (`high`, sent on create) and the test expects `standard` back; an API "
                       "that answered `standard` would leave a non-empty plan",
                r"^TestAccDigitalOceanNfs_Basic$"),
    Unavailable("nfs", "the suite's own defect, against any API: checks the share's vpc_ids.# = 2 in the step that "
                       "creates the second attachment, but the share was read before that attachment and nothing "
                       "reads it again (the check sees the state the apply left)",
                r"^TestAccDigitalOceanNfsAttachment_MultipleVPCs$"),
    Unavailable("vpcpeering", "the suite's own defect, against any API: vpc_ids is a set, kept in the order of its "
                              "elements' hashes, yet the test checks vpc_ids.0 is vpc1's id and vpc_ids.1 vpc2's; "
                              "with random VPC ids that holds half the time",
                r"^(TestAccDigitalOceanVPCPeering_Basic|TestAccDataSourceDigitalOceanVPCPeering_ByID|"
                r"TestAccDataSourceDigitalOceanVPCPeering_ByName)$"),
    Unavailable("vpcnatgateway", "the suite's own defect, against any API: the update step replaces "
                                 "`udp_timeout_seconds = 30` in a config that aligns it as `udp_timeout_seconds  = 30` "
                                 "(tcp too), so only the ICMP timeout changes and the check for 60 fails",
                r"^TestAccResourceDigitalOceanVPCNATGateway$"),
    Unavailable("vpcnatgateway", "the suite's own defect, against any API: the same config's resource test expects "
                                 "vpcs.0.subnet_uuid read back as sent, this one expects it empty from the same read "
                                 "(an API answering it empty leaves the resource's plan non-empty: replacement)",
                r"^TestAccDataSourceDigitalOceanVPCNATGateway$"),
    Unavailable("partnernetworkconnect", "partner interconnects need a physical partner circuit"),
)

# Families whose tests collide with each other when run in parallel (against any API), run one test at a time.
SERIAL_FAMILIES = {
    "tag": "Tag_Basic and Tag_importBasic both create the account-wide tag `foobar`; run in parallel, one's "
           "destroy deletes the other's tag",
    "registry": "an account has one container registry; each test creates and destroys it, so two at once take "
                "it from each other",
}

# The CI subset: per family, a -run regex of representative tests (create/update/import/data source) that
# together touch every resource of the family the program uses. Wall time measured: docs/benchmarks.md.
CI_SUBSET: dict[str, str] = {
    "vpc": "TestAccDigitalOceanVPC_Basic",
    "firewall": "TestAccDigitalOceanFirewall_AllowOnlyOutbound",
    "droplet": "TestAccDigitalOceanDroplet_Basic",
    "loadbalancer": "TestAccDigitalOceanLoadbalancer_sslTermination",
    "certificate": "TestAccDigitalOceanCertificate_Basic",
    "domain": "TestAccDigitalOceanRecord_TXT",
    "database": "TestAccDigitalOceanDatabaseUser_Basic|TestAccDigitalOceanDatabaseFirewall_Basic",
    "kubernetes": "TestAccDigitalOceanKubernetesNodePool_Basic",
    "app": "TestAccDigitalOceanApp_Image",
    "project": "TestAccDigitalOceanProject_CreateWithDefaults",
    "tag": "TestAccDigitalOceanTag_Basic",
    "uptime": "TestAccDigitalOceanUptimeCheck_Basic|TestAccDigitalOceanUptimeAlert_Basic",
    "monitoring": "TestAccDigitalOceanMonitorAlert",
    "registry": "TestAccDigitalOceanContainerRegistry_importBasic",
}

BEGIN_MARKER = "<!-- BEGIN GENERATED: conformance (make conformance) -->"
END_MARKER = "<!-- END GENERATED: conformance -->"
DOCS = engine_status.REPO_ROOT / "docs" / "emulator.md"
RESULTS = engine_status.REPO_ROOT / "docs" / "conformance.json"


class ConformanceError(RuntimeError):
    """A step of the run could not be done (no Go, a missing snapshot, a failed build); the message says which."""


# --- building and preparing ---------------------------------------------------------------------------------------

def work_root() -> Path:
    return engine_status.cache_root() / f"conformance-{SUITE_RELEASE}"


def tofu_path() -> Path:
    return engine_status.cache_root() / f"opentofu-{TOFU_VERSION}" / "bin" / "tofu"


def build_tofu(log=print) -> Path:
    """OpenTofu from its snapshot into the engine cache; a no-op when it is there (`tofu version` answers)."""
    tofu = tofu_path()
    if tofu.exists() and (_tofu_version(tofu) or "").split("-")[0] == TOFU_VERSION:  # a source build says -dev
        return tofu
    go = engine_build.go_binary()
    if not go:
        raise ConformanceError("no Go toolchain on PATH (nor /usr/local/go/bin/go): OpenTofu cannot be built")
    home = tofu.parent.parent
    src = home / "src"
    if src.exists():
        shutil.rmtree(src)
    src.mkdir(parents=True)
    tofu.parent.mkdir(parents=True, exist_ok=True)
    log(f"building OpenTofu {TOFU_VERSION} from {engine_status.engine_src() / TOFU_ARCHIVE} (about 10 min of CPU cold)")
    started = time.monotonic()
    try:
        engine_build._unpack(engine_build._archive(TOFU_ARCHIVE), src)
        partial = tofu.with_suffix(".partial")
        engine_build._steps([(["nice", go, "build", "-p", GO_PACKAGES_AT_ONCE, "-trimpath", "-o", str(partial),
                         "./cmd/tofu"], src / "opentofu")], engine_build._snapshot_env(src), home / "build.log")
    except engine_status.EngineError as exc:
        raise ConformanceError(str(exc)) from None
    partial.replace(tofu)
    shutil.rmtree(src)
    log(f"OpenTofu {TOFU_VERSION} built in {time.monotonic() - started:.0f} s: {tofu}")
    return tofu


def _tofu_version(tofu: Path) -> str | None:
    try:
        out = subprocess.run([str(tofu), "version", "-json"], capture_output=True, text=True, timeout=30,
                             env={**os.environ, "TF_CLI_CONFIG_FILE": "/dev/null"}).stdout
        return json.loads(out).get("terraform_version")
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def prepare_suite(log=print) -> Path:
    """The Terraform provider's tree (its tests) unpacked outside the repository with the one patch applied."""
    root = work_root()
    tree = root / "terraform-provider-digitalocean"
    stamp = root / "prepared"
    if stamp.exists() and tree.is_dir():
        return tree
    sources = engine_build.PROVIDER_SOURCES[SUITE_RELEASE]
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    try:
        engine_build._unpack(engine_build._archive(sources.upstream), root)
        engine_build._unpack(engine_build._archive(sources.provider), root)
        patches = sorted((root / "pulumi-digitalocean" / "patches").glob("*.patch"))
        engine_build._steps([([shutil.which("git") or "git", "apply", str(p)], tree) for p in patches],
                      engine_build._snapshot_env(root), root / "prepare.log")
    except engine_status.EngineError as exc:
        raise ConformanceError(str(exc)) from None
    shutil.rmtree(root / "pulumi-digitalocean")
    stamp.write_text(f"{sources.upstream} + {len(patches)} patch(es)\n")
    log(f"suite prepared in {tree}")
    return tree


def families_in(tree: Path) -> list[str]:
    """The suite's families: the folders of digitalocean/ holding TestAcc tests."""
    found = []
    for folder in sorted((tree / "digitalocean").iterdir()):
        if folder.is_dir() and any("func TestAcc" in f.read_text() for f in folder.glob("*_test.go")):
            found.append(folder.name)
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# The account the suite runs as. A new account's limits (3 reserved IPs, 25 Droplets) are raised on request; the
# suite's account has them raised, or its parallel tests (8 at a time, each holding a reserved IP or several
# Droplets) could not pass against the API either.
SUITE_ACCOUNT = {"floating_ip_limit": 100, "droplet_limit": 200, "volume_limit": 200}


def seed_account(url: str, account: dict | None = None) -> dict:
    """Seed the emulator's account (the control API, JSON as every control call) with the suite's limits."""
    req = urllib.request.Request(f"{url}/_emulator/seed/account", method="POST",
                                 data=json.dumps(account or SUITE_ACCOUNT).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


@contextlib.contextmanager
def emulator(python: str = sys.executable) -> Iterator[str]:
    """An in-memory emulator on a free loopback port (through the local stack's launcher), seeded with the
    suite's account."""
    from do_platform.engine.local_stack import emulator_process

    with (tempfile.TemporaryDirectory(prefix="conformance-emulator-") as tmp,
          emulator_process(_free_port(), None, python=python, log_dir=Path(tmp)) as url):
        seed_account(url)
        yield url


def suite_env(tofu: Path, url: str, base: dict[str, str] | None = None,
              spaces: dict[str, str] | None = None) -> dict[str, str]:
    """The acceptance framework's settings: OpenTofu as `terraform`, the provider's legacy address, the emulator;
    `spaces`: the local S3 server's environment (spaces_for), for the S3 families' invocation only."""
    env = engine_build._snapshot_env(work_root())
    if base is not None:
        env.update(base)
    env.update({
        "TF_ACC": "1",
        "TF_ACC_TERRAFORM_PATH": str(tofu),
        # Without these two OpenTofu refuses the framework's legacy provider address.
        "TF_ACC_PROVIDER_NAMESPACE": "hashicorp",
        "TF_ACC_PROVIDER_HOST": "registry.opentofu.org",
        "TF_CLI_CONFIG_FILE": "/dev/null",
        "CHECKPOINT_DISABLE": "1",
        "DIGITALOCEAN_TOKEN": "conformance-emulator-token",
        "DIGITALOCEAN_API_URL": url,
    })
    env.update(spaces or {})
    return env


# Families whose tests reach Spaces buckets over S3 (the cdn family's origins are buckets): they run in their own
# `go test` invocation beside the local S3 server (do_platform.engine.spaces_server), with its environment; the
# other families' invocations never see it.
S3_FAMILIES = ("spaces", "cdn")


def needs_spaces(cmd: list[str]) -> bool:
    """Whether a `go test` invocation runs an S3 family (and so needs the local S3 server's environment)."""
    return any(f"./digitalocean/{f}/..." in cmd for f in S3_FAMILIES)


@contextlib.contextmanager
def spaces_for(families: Iterable[str], python: str = sys.executable) -> Iterator[dict[str, str] | None]:
    """The local S3 server on a free port when `families` include an S3 family; yields the suite's extra
    environment for it (the endpoint, keys, proxy: spaces_server.engine_environment), else None and starts nothing."""
    if not set(families) & set(S3_FAMILIES):
        yield None
        return
    from do_platform.engine.spaces_server import engine_environment, spaces_server

    port = _free_port()
    with (tempfile.TemporaryDirectory(prefix="conformance-spaces-") as tmp,
          spaces_server(port, Path(tmp), python=python)):
        yield engine_environment(port)


def go_test_command(families: Iterable[str], run: str = "^TestAcc", skip: str = "",
                    parallel: str = PARALLEL_TESTS) -> list[str]:
    go = engine_build.go_binary() or "go"
    cmd = [go, "test", "-json", "-count=1", "-p", GO_PACKAGES_AT_ONCE, "-parallel", parallel,
           "-timeout", GO_TEST_TIMEOUT, "-run", run]
    if skip:
        cmd += ["-skip", skip]
    return cmd + [f"./digitalocean/{f}/..." for f in families]


def suite_commands(families: list[str], run: str = "^TestAcc") -> list[list[str]]:
    """The go test invocations for `families`: one for the parallel ones, one at -parallel 1 for SERIAL_FAMILIES."""
    parallel = [f for f in families if f not in SERIAL_FAMILIES and f not in S3_FAMILIES]
    s3 = [f for f in families if f in S3_FAMILIES and f not in SERIAL_FAMILIES]
    serial = [f for f in families if f in SERIAL_FAMILIES]
    return ([go_test_command(parallel, run=run, skip=skip_regex(parallel))] if parallel else []) + \
        ([go_test_command(s3, run=run, skip=skip_regex(s3))] if s3 else []) + \
        ([go_test_command(serial, run=run, skip=skip_regex(serial), parallel="1")] if serial else [])


def ci_run_regex(subset: dict[str, str] | None = None) -> str:
    """One -run regex naming exactly the CI subset's tests."""
    return "^(" + "|".join((subset or CI_SUBSET).values()) + ")$"


def skip_regex(families: Iterable[str]) -> str:
    """The declared unavailable tests of partly available families, for `go test -skip`."""
    wanted = set(families)
    return "|".join(f"({u.tests})" for u in UNAVAILABLE if u.tests and u.family in wanted)


def _key(u: Unavailable) -> str:
    return f"{u.family}:{u.tests}"


def test_names(tree: Path, family: str) -> list[str]:
    """The family's TestAcc functions in the suite's source."""
    return [m.group(1) for f in sorted((tree / "digitalocean" / family).glob("*_test.go"))
            for m in re.finditer(r"^func (TestAcc\w+)\(", f.read_text(), re.M)]


def declared_counts(tree: Path, unavailable: Iterable[Unavailable] = UNAVAILABLE) -> dict[str, int]:
    """Per declaration (`family:regex`), how many of the suite's TestAcc functions it leaves out."""
    return {_key(u): len([n for n in test_names(tree, u.family) if not u.tests or re.search(u.tests, n)])
            for u in unavailable}


def runnable(tree: Path, family: str, unavailable: Iterable[Unavailable] = UNAVAILABLE) -> list[str]:
    """The family's tests no declaration leaves out (none: the family has nothing to run, not a failure)."""
    mine = [u for u in unavailable if u.family == family]
    return [n for n in test_names(tree, family) if not any(not u.tests or re.search(u.tests, n) for u in mine)]


def unavailable_families() -> set[str]:
    return {u.family for u in UNAVAILABLE if not u.tests}


# --- parsing `go test -json` ------------------------------------------------------------------------------------

@dataclass
class Failure:
    test: str
    check: str  # the first failing check the test printed


@dataclass
class FamilyResult:
    family: str
    passed: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    failures: list[Failure] = field(default_factory=list)
    error: str = ""  # the package did not build or crashed outside any test

    @property
    def total(self) -> int:
        return self.passed + self.failed + self.skipped

    @property
    def percent(self) -> float:
        ran = self.passed + self.failed
        return 100.0 * self.passed / ran if ran else 0.0


_CHECK_LINE = re.compile(r"^\s*\S+\.go:\d+:\s*(.*)$")
_NOISE = re.compile(r"^\s*(=== |--- |PASS|FAIL|ok\s|panic: test timed out)")


def first_check(lines: list[str]) -> str:
    """The first failing check a test printed: the text after `file.go:N:` up to the next such line or the end,
    joined on one line and shortened; else the first non-framework line."""
    for i, line in enumerate(lines):
        m = _CHECK_LINE.match(line)
        if not m:
            continue
        parts = [m.group(1).strip()]
        for more in lines[i + 1:]:
            if _CHECK_LINE.match(more) or _NOISE.match(more):
                break
            if more.strip():
                parts.append(more.strip())
        return _shorten(" ".join(p for p in parts if p))
    rest = [line.strip() for line in lines if line.strip() and not _NOISE.match(line)]
    return _shorten(rest[0]) if rest else "failed without output"


def _shorten(text: str, limit: int = 300) -> str:
    text = re.sub(r"\s+", " ", text)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def family_of(package: str) -> str:
    """`github.com/digitalocean/terraform-provider-digitalocean/digitalocean/vpc` -> `vpc`."""
    parts = package.split("terraform-provider-digitalocean/digitalocean/", 1)
    return parts[1].split("/")[0] if len(parts) == 2 else package.rsplit("/", 1)[-1]


def _events(lines: Iterable[str]) -> Iterator[dict]:
    """The JSON events among `go test -json` lines (anything else, such as build chatter, is passed over)."""
    for raw in lines:
        raw = raw.strip()
        if not raw.startswith("{"):
            continue
        try:
            ev = json.loads(raw)
        except ValueError:
            continue
        if ev.get("Package"):
            yield ev


@dataclass
class _Collected:
    """What `go test -json` said, per package and per top-level test."""

    outputs: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    outcome: dict[tuple[str, str], str] = field(default_factory=dict)
    package_output: dict[str, list[str]] = field(default_factory=dict)
    package_action: dict[str, tuple[str, float]] = field(default_factory=dict)
    panics: dict[str, str] = field(default_factory=dict)  # package -> its first panic, which ends every test

    def add(self, ev: dict) -> None:
        pkg, test, action = ev["Package"], ev.get("Test"), ev.get("Action")
        if not test:
            if action == "output":
                self.package_output.setdefault(pkg, []).append(ev.get("Output", ""))
            elif action in ("pass", "fail", "skip"):
                self.package_action[pkg] = (action, float(ev.get("Elapsed") or 0.0))
            return
        top = test.split("/", 1)[0]
        key = (pkg, top)
        if action == "output" and ev.get("Output", "").startswith("panic:") and pkg not in self.panics:
            self.panics[pkg] = f"the package crashed in {top}: {ev['Output'].strip()}"
        if action == "run" and test == top:
            self.outputs.setdefault(key, [])
        elif action == "output":
            self.outputs.setdefault(key, []).append(ev.get("Output", ""))
        elif action in ("pass", "fail", "skip") and test == top:
            self.outcome[key] = action

    def unfinished(self, pkg: str) -> str:
        last_words = next((x.strip() for x in self.package_output.get(pkg, []) if x.strip()),
                          "the package ended without a result")
        return "did not finish: " + _shorten(self.panics.get(pkg) or last_words)


def parse_events(lines: Iterable[str]) -> dict[str, FamilyResult]:
    """Per family, the top-level tests' outcomes from `go test -json` lines (subtests fold into their parent).

    A test that started but never ended (the package timed out or crashed) counts as failed with the package's
    last words; a package that failed with no test at all (a build failure) records the error.
    """
    seen = _Collected()
    for ev in _events(lines):
        seen.add(ev)
    results: dict[str, FamilyResult] = {}

    def result(pkg: str) -> FamilyResult:
        fam = family_of(pkg)
        return results.setdefault(fam, FamilyResult(fam))

    for (pkg, test), output in seen.outputs.items():
        res = result(pkg)
        action = seen.outcome.get((pkg, test))
        if action == "pass":
            res.passed += 1
        elif action == "skip":
            res.skipped += 1
        else:
            res.failed += 1
            res.failures.append(Failure(test, first_check(output) if action == "fail" else seen.unfinished(pkg)))
    for pkg, (action, elapsed) in seen.package_action.items():
        res = result(pkg)
        res.seconds += elapsed
        if action == "fail" and res.total == 0:
            res.error = _shorten(" ".join(x.strip() for x in seen.package_output.get(pkg, []) if x.strip())
                                 or "the package failed without output")
    for res in results.values():
        res.failures.sort(key=lambda f: f.test)
    return results


# --- the report ---------------------------------------------------------------------------------------------------

def load_results(path: Path | None = None) -> dict[str, dict]:
    path = path or RESULTS
    if not path.exists():
        return {}
    return json.loads(path.read_text()).get("families", {})


def merge_results(previous: dict[str, dict], fresh: dict[str, FamilyResult], when: str) -> dict[str, dict]:
    """The recorded families with the fresh ones replacing theirs (a run of some families keeps the others)."""
    merged = dict(previous)
    for fam, res in fresh.items():
        merged[fam] = {**asdict(res), "run_at": when}
    return dict(sorted(merged.items()))


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _rate(passed: int, ran: int) -> str:
    return f"{100.0 * passed / ran:.0f}%" if ran else "—"


def render(families: dict[str, dict], unavailable: Iterable[Unavailable] = UNAVAILABLE,
           program: Iterable[str] = PROGRAM_FAMILIES, declared: dict[str, int] | None = None) -> str:
    """The generated section: one row per family, the whole suite's line (in scope: the tests that ran, passed or
    failed), then each failure's first failing check, then the declared unavailable tests with their reasons
    and how many tests each leaves out."""
    program = set(program)
    unavailable = list(unavailable)
    out = ["| family | used by the program | passed | failed | skipped | pass rate | run at (UTC) |",
           "|---|---|---:|---:|---:|---:|---|"]
    totals = [0, 0, 0]
    for fam, r in families.items():
        ran = r["passed"] + r["failed"]
        rate = f"{100.0 * r['passed'] / ran:.0f}%" if ran else ("build error" if r.get("error") else "—")
        out.append(f"| {fam} | {'yes' if fam in program else ''} | {r['passed']} | {r['failed']} | {r['skipped']} "
                   f"| {rate} | {r.get('run_at', '')} |")
        totals = [totals[0] + r["passed"], totals[1] + r["failed"], totals[2] + r["skipped"]]
    ran = totals[0] + totals[1]
    out.append(f"| **all** | | **{totals[0]}** | **{totals[1]}** | **{totals[2]}** | "
               f"**{(100.0 * totals[0] / ran if ran else 0):.0f}%** | |")
    other = [r for fam, r in families.items() if fam not in program]
    other_passed, other_ran = sum(r["passed"] for r in other), sum(r["passed"] + r["failed"] for r in other)
    left_out = sum((declared or {}).values())
    out += ["", f"**Whole suite, in scope: {totals[0]} of {ran} tests pass ({_rate(totals[0], ran)})** "
                f"over the {len(families)} families run; the families the program does not use: {other_passed} of "
                f"{other_ran} ({_rate(other_passed, other_ran)}). In scope means run: "
                f"{totals[2]} tests skip themselves (they need an environment variable, e.g. GPU Droplets)"
                + (f" and {left_out} are declared out of scope below" if declared else "") + "."]
    failing = [(fam, r) for fam, r in families.items() if r["failures"] or r.get("error")]
    if failing:
        out += ["", "First failing check of each failure:", ""]
        for fam, r in failing:
            if r.get("error"):
                out.append(f"- **{fam}** (package): {_cell(r['error'])}")
            for f in r["failures"]:
                out.append(f"- **{fam}** `{f['test']}`: {_cell(f['check'])}")
    out += ["", "Not run, with the reason (declared in `do_platform/conformance.py`, `UNAVAILABLE`):", "",
            "| family | tests | how many | reason |", "|---|---|---:|---|"]
    for u in unavailable:
        count = (declared or {}).get(_key(u), "")
        out.append(f"| {u.family} | {('`' + u.tests + '`') if u.tests else 'all'} | {count} | {_cell(u.reason)} |")
    return "\n".join(out)


def write_section(doc: Path, body: str) -> None:
    """Replace the text between the markers in `doc` (appending the section with its markers if absent)."""
    text = doc.read_text()
    block = f"{BEGIN_MARKER}\n{body}\n{END_MARKER}"
    if BEGIN_MARKER in text and END_MARKER in text:
        head, rest = text.split(BEGIN_MARKER, 1)
        _, tail = rest.split(END_MARKER, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n## The Terraform provider's acceptance suite\n\n" + block + "\n"
    doc.write_text(text)


# --- the run ------------------------------------------------------------------------------------------------------

def select_families(requested: str, available: list[str]) -> list[str]:
    """`FAMILIES=vpc,droplet` (empty or `all`: every available family); unknown or unavailable names are errors."""
    blocked = unavailable_families()
    usable = [f for f in available if f not in blocked]
    if not requested or requested == "all":
        return usable
    if requested == "program":
        return [f for f in PROGRAM_FAMILIES if f in usable]
    wanted = [f.strip() for f in requested.split(",") if f.strip()]
    for fam in wanted:
        if fam in blocked:
            reason = next(u.reason for u in UNAVAILABLE if u.family == fam and not u.tests)
            raise ConformanceError(f"FAMILIES: {fam} cannot run against an emulator: {reason}")
        if fam not in usable:
            raise ConformanceError(f"FAMILIES: unknown family {fam!r}; allowed: {', '.join(usable)}, all, program")
    return wanted


def run_suite(families: list[str], tree: Path, tofu: Path, url: str, run: str = "^TestAcc",
              json_log: Path | None = None, echo=print,
              spaces: dict[str, str] | None = None) -> dict[str, FamilyResult]:
    """`go test -json` over the families; returns the parsed results. `spaces` (the local S3 server's environment)
    goes to the S3 families' invocation only."""
    lines: list[str] = []
    log = json_log.open("w") if json_log else None
    try:
        for cmd in suite_commands(families, run):
            echo(f"$ {' '.join(cmd)}")
            env = suite_env(tofu, url, spaces=spaces if needs_spaces(cmd) else None)
            proc = subprocess.Popen(cmd, cwd=tree, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                    text=True)
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.append(line)
                if log:
                    log.write(line)
                _echo_event(line, echo)
            proc.wait()
    finally:
        if log:
            log.close()
    return parse_events(lines)


def _echo_event(line: str, echo) -> None:
    """One line of progress per finished top-level test; non-JSON lines (go's own errors) as they are."""
    if not line.startswith("{"):
        echo(line.rstrip())
        return
    with contextlib.suppress(ValueError):
        ev = json.loads(line)
        if ev.get("Test") and "/" not in ev["Test"] and ev.get("Action") in ("pass", "fail", "skip"):
            echo(f"{ev['Action']:4} {family_of(ev['Package'])} {ev['Test']} ({ev.get('Elapsed', 0)} s)")


def write_docs(tree: Path, fresh: dict[str, FamilyResult], when: str,
               unavailable: tuple[Unavailable, ...] = UNAVAILABLE) -> None:
    """Merge `fresh` into docs/conformance.json (families not rerun keep their rows; a family whose every test
    is now declared loses its row) and rewrite the table in docs/emulator.md."""
    declared = declared_counts(tree, unavailable)
    merged = {f: r for f, r in merge_results(load_results(), fresh, when).items()
              if runnable(tree, f, unavailable)}
    RESULTS.write_text(json.dumps({"suite": f"terraform-provider-digitalocean (pulumi-digitalocean "
                                            f"{SUITE_RELEASE}'s upstream), OpenTofu {TOFU_VERSION}",
                                   "families": merged, "declared": declared}, indent=1) + "\n")
    write_section(DOCS, render(merged, unavailable, declared=declared))
    print(f"wrote {DOCS.relative_to(engine_status.REPO_ROOT)} and {RESULTS.relative_to(engine_status.REPO_ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m do_platform.conformance", description=__doc__.split("\n")[0])
    parser.add_argument("--families", default=os.environ.get("FAMILIES", ""),
                        help="comma-separated families (default: all available; `program`: the program's families)")
    parser.add_argument("--ci", action="store_true",
                        help="the CI subset (CI_SUBSET's tests); skips loudly when the cache holds no OpenTofu")
    parser.add_argument("--run", default="^TestAcc", help="go test -run regex (default ^TestAcc)")
    parser.add_argument("--no-docs", action="store_true", help="do not rewrite docs/emulator.md")
    parser.add_argument("--build-only", action="store_true", help="build OpenTofu and prepare the suite, then stop")
    parser.add_argument("--render-only", action="store_true",
                        help="run nothing: rewrite the docs table from docs/conformance.json and the declarations")
    parser.add_argument("--json-log", type=Path, default=None,
                        help="where the go test -json log goes (default: last-run.json in the engine cache; give "
                             "each of two runs at once its own)")
    args = parser.parse_args(argv)
    try:
        if args.ci and not tofu_path().exists():
            print(f"!!! SKIPPED: the provider's acceptance subset needs OpenTofu in the engine cache ({tofu_path()});"
                  " `make conformance` builds it", file=sys.stderr, flush=True)
            return 0
        tofu = build_tofu()
        tree = prepare_suite()
        if args.build_only:
            return 0
        if args.render_only:
            write_docs(tree, {}, "")
            return 0
        if args.ci:
            families = list(CI_SUBSET)
            run = ci_run_regex()
        else:
            families = select_families(args.families, families_in(tree))
            run = args.run
        started = time.monotonic()
        json_log = args.json_log or work_root() / ("last-ci-run.json" if args.ci else "last-run.json")
        with emulator() as url, spaces_for(families) as spaces:
            results = run_suite(families, tree, tofu, url, run=run, json_log=json_log, spaces=spaces)
        wall = time.monotonic() - started
    except ConformanceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for fam in families:
        if not runnable(tree, fam):  # every test declared: no row (go test still reports the empty package)
            results.pop(fam, None)
        else:
            results.setdefault(fam, FamilyResult(fam, error="no test ran (see the go test log)"))
    table = render({f: {**asdict(r), "run_at": ""} for f, r in sorted(results.items())},
                   declared=declared_counts(tree))
    print(table)
    print(f"wall time {wall:.0f} s; go test -json log: {json_log}")
    if not args.ci and not args.no_docs and args.run == "^TestAcc":
        write_docs(tree, results, time.strftime("%Y-%m-%d %H:%M", time.gmtime()))
    failed = sum(r.failed for r in results.values()) + sum(1 for r in results.values() if r.error)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
