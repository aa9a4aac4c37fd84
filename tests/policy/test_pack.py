"""The CrossGuard pack builds its policies from the shared rules and enforces per stack."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy
from pulumi_policy.policy import PolicyResource, PolicyResourceOptions, ResourceValidationArgs, StackValidationArgs

from do_platform import guardrails

POLICY_DIR = Path(__file__).resolve().parents[2] / "policy"


@pytest.fixture(scope="module")
def pack():
    # Loaded under another name: the PolicyPack (a gRPC server) starts only as __main__.
    return runpy.run_path(str(POLICY_DIR / "__main__.py"), run_name="policy_pack_under_test")


def _opts(protect=False):
    return PolicyResourceOptions(protect, [], False, [], None, [], None)


def test_pack_files_pin_pulumi_policy_and_use_the_repo_venv():
    assert "pulumi-policy==1.21.0" in (POLICY_DIR / "requirements.txt").read_text()
    yaml_text = (POLICY_DIR / "PulumiPolicy.yaml").read_text()
    assert "name: python" in yaml_text and "virtualenv: ../.venv" in yaml_text


def test_pack_builds_every_rule_once_advisory_and_once_mandatory(pack):
    policies = pack["build_policies"](guardrails.StackContext("dev"))
    names = [name for name, _ in guardrails.ALL_RULES]
    assert [p.name for p in policies] == names + [f"{n}-mandatory" for n in names]
    assert {p.enforcement_level for p in policies[:len(names)]} == {EnforcementLevel.ADVISORY}
    assert {p.enforcement_level for p in policies[len(names):]} == {EnforcementLevel.MANDATORY}
    assert isinstance(policies[len(names) - 1], StackValidationPolicy)
    assert isinstance(policies[0], ResourceValidationPolicy)


def test_stack_is_read_from_the_urn(pack):
    assert pack["stack_of_urn"]("urn:pulumi:prod::do-platform::digitalocean:index/firewall:Firewall::fw") == "prod"
    assert pack["stack_of_urn"]("urn:fw") is None
    assert pack["stack_of_urn"](None) is None


def test_a_violation_reports_at_the_level_of_the_resource_stack(pack):
    """Engines give the pack no PULUMI_STACK: the URN's stack and its file pick the level."""
    default = pack["stack_context"]({})  # what the pack falls back to without the engine's environment
    policies = {p.name: p for p in pack["build_policies"](default)}
    props = {"inboundRules": [{"protocol": "tcp", "portRange": "22", "sourceAddresses": ["0.0.0.0/0"]}]}
    for stack, reporting, silent in (("prod", "no-public-admin-ports-mandatory", "no-public-admin-ports"),
                                     ("dev", "no-public-admin-ports", "no-public-admin-ports-mandatory")):
        urn = f"urn:pulumi:{stack}::do-platform::{guardrails.FIREWALL}::fw"
        args = ResourceValidationArgs(guardrails.FIREWALL, props, urn, "fw", _opts(), None)
        reported: dict[str, list[str]] = {}
        for name in (reporting, silent):
            messages = reported.setdefault(name, [])
            policies[name].validate(args, lambda message, urn=None, messages=messages: messages.append(message))
        assert len(reported[reporting]) == 1 and reported[silent] == [], stack


def test_enforcement_is_advisory_in_dev_and_mandatory_in_prod(pack):
    dev = pack["stack_context"]({"PULUMI_STACK": "dev",
                                 "PULUMI_CONFIG": json.dumps({"do-platform:environment": "development"})})
    prod = pack["stack_context"]({"PULUMI_STACK": "organization/do-platform/prod",
                                  "PULUMI_CONFIG": json.dumps({"do-platform:environment": "production"})})
    assert prod.stack == "prod"
    assert pack["enforcement_level"](dev) is EnforcementLevel.ADVISORY
    assert pack["enforcement_level"](prod) is EnforcementLevel.MANDATORY


def test_resource_policy_reports_what_the_rule_finds(pack):
    ctx = guardrails.StackContext("dev")
    policy = next(p for p in pack["build_policies"](ctx) if p.name == "no-public-admin-ports")
    reported = []
    props = {"inboundRules": [{"protocol": "tcp", "portRange": "22", "sourceAddresses": ["0.0.0.0/0"]}]}
    args = ResourceValidationArgs(guardrails.FIREWALL, props, "urn:fw", "fw", _opts(), None)
    policy.validate(args, lambda message, urn=None: reported.append(message))
    assert len(reported) == 1 and "22 (SSH)" in reported[0]
    reported.clear()
    policy.validate(ResourceValidationArgs(guardrails.DROPLET, props, "urn:d", "d", _opts(), None),
                    lambda message, urn=None: reported.append(message))
    assert reported == []


def test_the_pack_reports_a_public_production_web_pool_from_the_shared_rule(pack):
    ctx = guardrails.StackContext("prod", guardrails.Environment.production, guardrails.PolicyEnforcement.mandatory)
    policy = next(p for p in pack["build_policies"](ctx)
                  if p.name == "web-droplets-private-in-production-mandatory")
    reported = []
    template = {"tags": ["component:web-cluster", "env:prod"], "publicNetworking": True}
    args = ResourceValidationArgs(guardrails.DROPLET_AUTOSCALE, {"dropletTemplate": template},
                                  "urn:pulumi:prod::do-platform::pool", "pool", _opts(), None)
    policy.validate(args, lambda message, urn=None: reported.append(message))
    assert len(reported) == 1 and "web.allowPublicAddress" in reported[0]
    reported.clear()
    private = ResourceValidationArgs(guardrails.DROPLET_AUTOSCALE,
                                     {"dropletTemplate": {**template, "publicNetworking": False}},
                                     "urn:pulumi:prod::do-platform::pool", "pool", _opts(), None)
    policy.validate(private, lambda message, urn=None: reported.append(message))
    assert reported == []


def test_stack_policy_follows_property_dependencies(pack):
    ctx = guardrails.StackContext("dev")
    policy = next(p for p in pack["build_policies"](ctx) if p.name == guardrails.DATABASE_NETWORK)
    cluster = PolicyResource(guardrails.DATABASE_CLUSTER, {"privateNetworkUuid": "v"}, "urn:db", "db", _opts(),
                             None, None, [], {})
    covering = PolicyResource(guardrails.DATABASE_FIREWALL, {"rules": [{"type": "k8s", "value": "k"}]},
                              "urn:fw", "fw", _opts(), None, None, [cluster], {"clusterId": [cluster]})
    reported = []
    policy.validate(StackValidationArgs([cluster, covering]), lambda message, urn=None: reported.append((message, urn)))
    assert reported == []
    policy.validate(StackValidationArgs([cluster]), lambda message, urn=None: reported.append((message, urn)))
    assert reported and reported[0][1] == "urn:db"


def _serve_pack(monkeypatch, environ: dict) -> object:
    """Run policy/__main__.py as the engine does; the analyzer starts, then stops at its first sleep."""
    import pulumi_policy.policy as runtime

    servicers = []
    real = runtime._PolicyAnalyzerServicer

    def recording(*args, **kwargs):
        servicers.append(real(*args, **kwargs))
        return servicers[-1]

    def stop(_seconds):
        raise KeyboardInterrupt  # the pack's serve loop ends on Ctrl-C: server.stop(0)

    monkeypatch.setattr(runtime, "_PolicyAnalyzerServicer", recording)
    monkeypatch.setattr(runtime.time, "sleep", stop)
    monkeypatch.setattr(runtime.sys, "stdout", type("Out", (), {"buffer": __import__("io").BytesIO()})())
    for key, value in environ.items():
        monkeypatch.setenv(key, value)
    runpy.run_path(str(POLICY_DIR / "__main__.py"), run_name="__main__")
    (servicer,) = servicers
    return servicer


def test_pack_builds_and_serves_its_policy_pack_per_stack(monkeypatch):
    from pulumi.runtime.proto import analyzer_pb2

    prod = _serve_pack(monkeypatch, {"PULUMI_STACK": "prod",
                                     "PULUMI_CONFIG": json.dumps({"do-platform:environment": "production"})})
    info = prod.GetAnalyzerInfo(None, None)
    assert info.name == "do-platform-guardrails"
    names = [name for name, _ in guardrails.ALL_RULES]
    stack_file = ["stack-file-secrets", "stack-file-secrets-mandatory"]  # policy/__main__.py:stack_file_policies
    assert [p.name for p in info.policies] == names + [f"{n}-mandatory" for n in names] + stack_file
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert {levels[n] for n in names} == {analyzer_pb2.ADVISORY}
    assert {levels[f"{n}-mandatory"] for n in names} == {analyzer_pb2.MANDATORY}


UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"  # what the engine sends at preview for a value known later
PROD_URN = "urn:pulumi:prod::do-platform::do-platform:index:ManagedPostgres$digitalocean:index/"


def _analyze_stack(servicer, firewall_props: dict) -> list:
    """AnalyzeStack as the engine calls it during preview: a cluster and its firewall."""
    from google.protobuf import struct_pb2
    from pulumi.runtime.proto import analyzer_pb2

    def struct(props):
        out = struct_pb2.Struct()
        out.update(props)
        return out

    cluster_urn, firewall_urn = PROD_URN + "databaseCluster:DatabaseCluster::db", PROD_URN + \
        "databaseFirewall:DatabaseFirewall::fw"
    request = analyzer_pb2.AnalyzeStackRequest(resources=[
        analyzer_pb2.AnalyzerResource(type=guardrails.DATABASE_CLUSTER, urn=cluster_urn, name="db",
                                      properties=struct({"privateNetworkUuid": UNKNOWN}),
                                      options=analyzer_pb2.AnalyzerResourceOptions(protect=True)),
        analyzer_pb2.AnalyzerResource(
            type=guardrails.DATABASE_FIREWALL, urn=firewall_urn, name="fw",
            properties=struct({"clusterId": UNKNOWN, **firewall_props}),
            propertyDependencies={"clusterId": analyzer_pb2.AnalyzerPropertyDependencies(urns=[cluster_urn])}),
    ])
    response = servicer.AnalyzeStack(request, None)
    return [(d.policyName, d.enforcementLevel, d.message) for d in response.diagnostics]


@pytest.fixture
def prod_servicer(monkeypatch):
    import pulumi_policy.policy as runtime

    servicer = _serve_pack(monkeypatch, {"PULUMI_STACK": "prod",
                                         "PULUMI_CONFIG": json.dumps({"do-platform:environment": "production"})})
    monkeypatch.setattr(runtime, "_PolicyAnalyzerServicer", type(servicer))  # AnalyzeStack names the class
    return servicer


def test_database_network_runs_at_preview_on_what_is_known(prod_servicer):
    """Rule types and literal sources are known at preview; resource ids are not and need not be."""
    known_shape = {"rules": [{"type": "app", "value": UNKNOWN}, {"type": "k8s", "value": UNKNOWN},
                             {"type": "ip_addr", "value": "10.130.0.0/20"}, {"type": "tag", "value": "prod-web"}]}
    assert _analyze_stack(prod_servicer, known_shape) == []  # evaluated and compliant: no "can't run" note
    public = {"rules": [{"type": "app", "value": UNKNOWN}, {"type": "ip_addr", "value": "0.0.0.0/1"}]}
    (finding,) = _analyze_stack(prod_servicer, public)
    assert finding[0] == "database-network-mandatory" and "0.0.0.0/1" in finding[2]


@pytest.mark.parametrize("firewall_props", [
    {"rules": UNKNOWN},  # the whole list only known at up (what the engine reported before)
    {"rules": [{"type": UNKNOWN, "value": "x"}]},
    {"rules": [{"type": "ip_addr", "value": UNKNOWN}]},
])
def test_database_network_fails_closed_when_a_rule_cannot_be_known(prod_servicer, firewall_props):
    from pulumi.runtime.proto import analyzer_pb2

    findings = _analyze_stack(prod_servicer, firewall_props)
    assert findings, "an unknowable rule must not pass"
    assert all(level == analyzer_pb2.MANDATORY and name == "database-network-mandatory"
               for name, level, _ in findings)
    assert all("can't be known before `up`" in message and "fail closed" in message for *_, message in findings)
    assert not any("can't run policy" in message for *_, message in findings)


def test_a_resource_rule_that_meets_an_unknown_fails_closed_in_a_mandatory_stack(prod_servicer):
    from google.protobuf import struct_pb2
    from pulumi.runtime.proto import analyzer_pb2

    props = struct_pb2.Struct()
    props.update({"inboundRules": [{"protocol": "tcp", "portRange": "22", "sourceAddresses": UNKNOWN}]})
    request = analyzer_pb2.AnalyzeRequest(type=guardrails.FIREWALL, properties=props, name="fw",
                                          urn="urn:pulumi:prod::do-platform::digitalocean:index/firewall:Firewall::fw")
    response = prod_servicer.Analyze(request, None)
    findings = [(d.policyName, d.enforcementLevel, d.message) for d in response.diagnostics]
    assert ("no-public-admin-ports-mandatory", analyzer_pb2.MANDATORY) in {f[:2] for f in findings}


def test_a_public_bucket_is_refused_in_prod_unless_its_stack_file_declares_it(pack, tmp_path, monkeypatch):
    """The pack reads the public-site declaration from the resource's stack file, like the enforcement level."""
    policies = {p.name: p for p in pack["build_policies"](pack["stack_context"]({}))}
    urn = f"urn:pulumi:prod::do-platform::{guardrails.SPACES_BUCKET}::objects-bucket"
    args = ResourceValidationArgs(guardrails.SPACES_BUCKET, {"name": "do-platform-prod-objects", "acl": "public-read"},
                                  urn, "objects-bucket", _opts(), None)
    reported: list[str] = []
    policies["no-public-bucket-mandatory"].validate(args, lambda message, urn=None: reported.append(message))
    assert len(reported) == 1 and "objectStore.publicSite" in reported[0]  # Pulumi.prod.yaml declares no site
    declared = guardrails.StackContext.from_config("prod", {"do-platform:environment": "production",
                                                            "do-platform:objectStore": {"enabled": True,
                                                                                        "publicSite": True}})
    monkeypatch.setitem(pack["_context_of_stack"].__wrapped__.__globals__, "stack_context",
                        lambda environ, stack: declared)
    pack["_context_of_stack"].cache_clear()
    try:
        reported.clear()
        policies["no-public-bucket-mandatory"].validate(args, lambda message, urn=None: reported.append(message))
        assert reported == []
    finally:
        pack["_context_of_stack"].cache_clear()
