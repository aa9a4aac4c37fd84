"""Offline evaluation: run ``__main__.py`` under Pulumi's mock runtime and record every resource.

No CLI, no token, no network. Used by the stack tests, the benchmark and ``do-platform plan``. Each
call builds fresh mocks, settings and root stack, so it can run many times in one process. Secret
values (kubeconfigs, connection URIs, app secrets) are recorded as :data:`SECRET_MASK`, never plaintext.
"""

from __future__ import annotations

import asyncio
import json
import re
import runpy
import sys
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from do_platform.config import PROJECT, load_stack_config
from do_platform.errors import ConfigError
from do_platform.numbers import whole_numbers
from do_platform.stack_files import REPO_ROOT, read_stack_config, stack_names  # noqa: F401 (re-exported)

SECRET_MASK = "[secret]"
STACK_TYPE = "pulumi:pulumi:Stack"

# A Kubernetes release list the mocked versions lookup answers with (newest first, as the API does).
MOCK_KUBERNETES_VERSIONS = ("1.34.1-do.0", "1.33.5-do.0", "1.33.4-do.1", "1.32.9-do.0", "1.31.13-do.0")


@dataclass
class PlannedResource:
    urn: str
    type: str
    name: str
    parent_urn: str | None
    custom: bool
    inputs: dict[str, Any]
    protect: bool


@dataclass
class Evaluation:
    stack: str
    resources: list[PlannedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, type_: str) -> list[PlannedResource]:
        return [r for r in self.resources if r.type == type_]

    def count(self, type_: str) -> int:
        return len(self.of_type(type_))


def _yaml() -> YAML:
    return YAML(typ="safe", pure=True)


def project_defaults(root: Path = REPO_ROOT) -> dict[str, Any]:
    """``default``/``value`` entries of ``Pulumi.yaml``'s ``config:`` block, as full keys (what the CLI merges)."""
    doc = _yaml().load((Path(root) / "Pulumi.yaml").read_text()) or {}
    out: dict[str, Any] = {}
    for key, decl in (doc.get("config") or {}).items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if isinstance(decl, dict) and ("default" in decl or "value" in decl):
            out[full] = decl.get("value", decl.get("default"))
        elif not isinstance(decl, dict):
            out[full] = decl
    return out


def _normalise_keys(config: dict[str, Any]) -> dict[str, Any]:
    return {(k if ":" in k else f"{PROJECT}:{k}"): v for k, v in config.items()}


def _as_pulumi_value(value: Any) -> str:
    """Pulumi hands config to programs as strings: scalars as text, structures as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value)


def _has_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_has_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secure(v) for v in value)
    return False


def _placeholder_secrets(value: Any) -> Any:
    """``{secure: ...}`` cannot be decrypted offline: the program sees a masked placeholder."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_MASK
        return {k: _placeholder_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholder_secrets(v) for v in value]
    return value


# Inside a secret-marked input (e.g. an App spec carrying SECRET env values) structure stays readable
# for plans, but these leaves are masked: env ``value``s and anything that names a credential.
_SECRET_LEAF = re.compile(r"value|password|secret|token|uri|url|kube_?config|raw_?config|private_?key|certificate",
                          re.IGNORECASE)


def _mask(value: Any, inside_secret: bool = False, key: str = "") -> Any:
    """Replace Pulumi secret wrappers: scalars become :data:`SECRET_MASK`; structures keep their shape
    with every credential-like leaf masked."""
    from pulumi.runtime import rpc

    if rpc.is_rpc_secret(value):
        inner = rpc.unwrap_rpc_secret(value)
        if isinstance(inner, dict | list):
            return _mask(inner, True, key)
        return SECRET_MASK
    if isinstance(value, dict):
        return {k: _mask(v, inside_secret, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v, inside_secret, key) for v in value]
    if inside_secret and _SECRET_LEAF.search(key or ""):
        return SECRET_MASK
    return value


def make_mocks():
    """Fresh mocks per evaluation: computed outputs per resource type, answers per invoke token."""
    from pulumi.runtime import Mocks

    class EvaluationMocks(Mocks):
        def new_resource(self, args) -> tuple[str, dict[str, Any]]:
            return mock_id(args.typ, args.name), {**args.inputs, **computed_outputs(args.typ, args.name, args.inputs)}

        def call(self, args) -> dict[str, Any]:
            return answer_invoke(args.token, args.args)

    return EvaluationMocks()


def _stable(name: str, modulo: int) -> int:
    """A number derived from the name only, so evaluations are identical whatever the registration order."""
    return zlib.crc32(name.encode()) % modulo


def mock_id(typ: str, name: str) -> str:
    """Droplet ids are integers in the API (volume attachments convert them); others are strings."""
    return str(100000 + _stable(name, 900000)) if typ == "digitalocean:index/droplet:Droplet" else f"{name}-id"


def computed_outputs(typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Outputs the provider would compute for a few resource types (ids, IPs, URIs, kubeconfigs)."""
    host = _stable(name, 250) + 2
    if typ == "digitalocean:index/droplet:Droplet":
        return {"ipv4_address_private": f"10.0.0.{host}", "ipv4_address": f"192.0.2.{host}"}
    if typ == "digitalocean:index/loadBalancer:LoadBalancer":
        return {"ip": f"198.51.100.{host}"}
    if typ == "digitalocean:index/reservedIp:ReservedIp":
        return {"ip_address": f"203.0.113.{host}"}
    if typ == "digitalocean:index/databaseCluster:DatabaseCluster":
        host = f"{name}.db.ondigitalocean.com"
        return {"host": host, "private_host": f"private-{host}", "port": 25060, "user": "doadmin",
                "password": "mock-password", "uri": f"postgresql://doadmin:mock-password@{host}:25060/defaultdb",
                "private_uri": f"postgresql://doadmin:mock-password@private-{host}:25060/defaultdb"}
    if typ == "digitalocean:index/databaseReplica:DatabaseReplica":
        host = f"{name}.replica.db.ondigitalocean.com"
        return {"uuid": f"{name}-uuid", "host": host, "private_host": f"private-{host}", "port": 25060,
                "user": "doadmin", "password": "mock-password", "database": "defaultdb",
                "uri": f"postgresql://doadmin:mock-password@{host}:25060/defaultdb",
                "private_uri": f"postgresql://doadmin:mock-password@private-{host}:25060/defaultdb"}
    if typ == "digitalocean:index/databaseConnectionPool:DatabaseConnectionPool":
        host = f"{name}.pool.db.ondigitalocean.com"
        return {"private_uri": f"postgresql://app:mock-password@private-{host}:25061/{name}",
                "uri": f"postgresql://app:mock-password@{host}:25061/{name}", "password": "mock-password"}
    if typ == "digitalocean:index/databaseUser:DatabaseUser":
        return {"password": "mock-password"}
    if typ == "digitalocean:index/kubernetesCluster:KubernetesCluster":
        return {"endpoint": f"https://{name}.k8s.ondigitalocean.com",
                "kube_configs": [{"raw_config": "apiVersion: v1\nkind: Config\n# mock", "token": "mock-token"}]}
    if typ == "digitalocean:index/spacesBucket:SpacesBucket":
        bucket, region = inputs.get("name") or name, inputs.get("region") or "nyc3"
        return {"bucket_domain_name": f"{bucket}.{region}.digitaloceanspaces.com", "bucket_urn": f"do:space:{bucket}",
                "endpoint": f"{region}.digitaloceanspaces.com"}
    if typ == "digitalocean:index/spacesKey:SpacesKey":
        return {"access_key": f"DO{_stable(name, 10**18):018d}", "secret_key": "mock-spaces-secret"}
    if typ == "digitalocean:index/cdn:Cdn":
        origin = str(inputs.get("origin") or f"{name}.nyc3.digitaloceanspaces.com")
        return {"endpoint": origin.replace(".digitaloceanspaces.com", ".cdn.digitaloceanspaces.com")}
    if typ == "digitalocean:index/app:App":
        return {"default_ingress": f"https://{name}.ondigitalocean.app", "live_url": f"https://{name}.ondigitalocean.app"}
    return {}


def answer_invoke(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """Data sources the program calls: the Kubernetes versions lookup."""
    if token == "digitalocean:index/getKubernetesVersions:getKubernetesVersions":
        prefix = args.get("versionPrefix") or args.get("version_prefix") or ""
        valid = [v for v in MOCK_KUBERNETES_VERSIONS if v.startswith(prefix)]
        return {"id": "versions", "latestVersion": valid[0] if valid else None, "validVersions": valid,
                "versionPrefix": prefix}
    return {}


def recording_monitor(mocks: Any, records: list[PlannedResource],
                      on_register: Callable[[Any, str], None] | None = None):
    """A MockMonitor that also keeps parent, custom and protect of every registration.

    ``on_register(request, urn)`` sees the raw registration request (tests read ``ignoreChanges``,
    ``provider``, ``additionalSecretOutputs`` from it)."""
    from pulumi.runtime import rpc
    from pulumi.runtime.mocks import MockMonitor
    from pulumi.runtime.sync_await import _ensure_event_loop

    class RecordingMonitor(MockMonitor):
        def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
            response = super().RegisterResource(request)
            if request.type != STACK_TYPE:
                _ensure_event_loop()
                inputs = rpc.deserialize_properties(request.object)
                records.append(PlannedResource(
                    urn=response.urn, type=request.type, name=request.name,
                    parent_urn=request.parent or None, custom=bool(request.custom),
                    inputs=_mask(whole_numbers(inputs)), protect=bool(request.protect)))
                if on_register is not None:
                    on_register(request, response.urn)
            return response

    return RecordingMonitor(mocks)


@dataclass
class Resolved:
    """An awaited Output: its plain value (None when unknown) and whether it was secret."""

    value: Any
    secret: bool


@dataclass
class MockRun:
    records: list[PlannedResource]
    returned: dict[str, Resolved]
    stack_outputs: dict[str, Resolved]


def run_with_mocks(program: Callable[[], Any], *, stack: str, config: Mapping[str, str] | None = None,
                   secret_keys: Sequence[str] = (), mocks: Any = None, preview: bool = False,
                   on_register: Callable[[Any, str], None] | None = None) -> MockRun:
    """Run ``program`` under Pulumi's mock runtime with fresh settings, waiting for every registration.

    ``config`` is the flat key -> string view a program gets from Pulumi. If ``program`` returns a
    mapping, its values (Outputs or plain) are awaited into :attr:`MockRun.returned`.
    """
    import pulumi
    from pulumi.runtime import mocks as pulumi_mocks
    from pulumi.runtime import settings
    from pulumi.runtime.stack import run_pulumi_func

    records: list[PlannedResource] = []
    mocks = mocks if mocks is not None else make_mocks()
    returned: dict[str, Any] = {}
    previous = _current_loop()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        settings.ROOT.set(None)
        pulumi.runtime.set_all_config(dict(config or {}), list(secret_keys))
        pulumi_mocks.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview,
                               monitor=recording_monitor(mocks, records, on_register))
        settings.SETTINGS.outputs.clear()

        def body() -> None:
            result = program()
            if isinstance(result, Mapping):
                returned.update(result)

        loop.run_until_complete(run_pulumi_func(body))
        root_stack = settings.get_root_resource()
        got = loop.run_until_complete(_resolve(returned))
        outputs = loop.run_until_complete(_resolve(getattr(root_stack, "outputs", {})))
    finally:
        settings.ROOT.set(None)
        pulumi.runtime.set_all_config({}, [])
        loop.close()
        # Give the caller its loop back (or a fresh one): later Pulumi code in this thread needs one.
        asyncio.set_event_loop(previous if previous is not None and not previous.is_closed()
                               else asyncio.new_event_loop())
    return MockRun(records=records, returned=got, stack_outputs=outputs)


def _current_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        return None


async def _resolve(values: Mapping[str, Any]) -> dict[str, Resolved]:
    import pulumi

    resolved: dict[str, Resolved] = {}
    for name, value in values.items():
        out = pulumi.Output.from_input(value)
        resolved[name] = Resolved(await out.future(with_unknowns=False), bool(await out.is_secret()))
    return resolved


def evaluate(stack: str, *, root: Path = REPO_ROOT, config: dict[str, Any] | None = None,
             preview: bool = False, on_register: Callable[[Any, str], None] | None = None) -> Evaluation:
    """Run the program for ``stack`` under mocks; every resource (components too) and the stack outputs.

    ``config`` replaces the file's mapping (keys with or without the ``do-platform:`` prefix). Project
    defaults from ``Pulumi.yaml`` are merged first, as the CLI does. Bad config raises ConfigError.
    Secret outputs come back as :data:`SECRET_MASK`. ``preview`` runs it as ``pulumi preview`` would:
    what only ``up`` knows stays unknown (the engine's sentinel values in inputs). ``on_register`` sees
    each raw registration (resource options such as ``deleteBeforeReplace``), as in :func:`recording_monitor`.
    """
    root = Path(root)
    raw = read_stack_config(stack, root) if config is None else dict(config)
    missing = [name for name in ("Pulumi.yaml", "__main__.py") if not (root / name).is_file()]
    if missing:  # a directory of stack files only (DO_PLATFORM_PROJECT_DIR for preflight/status) has no program
        raise ConfigError(f"{root} has no {' and no '.join(missing)}: the plan evaluates the Pulumi program of the "
                          "project directory, so it needs the project (Pulumi.yaml, __main__.py) beside the "
                          f"Pulumi.{stack}.yaml", "point the project directory at a checkout of this repository")
    merged = {**project_defaults(root), **_normalise_keys(raw)}
    load_stack_config(merged, stack)  # fail fast with the key named, before any resource exists

    secret_keys = [k for k, v in merged.items() if _has_secure(v)]
    flat = {k: _as_pulumi_value(_placeholder_secrets(v)) for k, v in merged.items()}
    flat[f"{PROJECT}:preflight"] = "false"  # offline means no account: the preflight hook never runs here
    program = root / "__main__.py"
    added = str(root) not in sys.path
    if added:
        sys.path.insert(0, str(root))
    try:
        run = run_with_mocks(lambda: runpy.run_path(str(program), run_name="__main__"), stack=stack, config=flat,
                             secret_keys=secret_keys, preview=preview, on_register=on_register)
    finally:
        if added:
            sys.path.remove(str(root))
    outputs = {name: SECRET_MASK if r.secret else _mask(whole_numbers(r.value))
               for name, r in run.stack_outputs.items()}
    return Evaluation(stack=stack, resources=run.records, outputs=outputs)
