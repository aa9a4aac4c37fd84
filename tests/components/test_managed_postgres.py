"""ManagedPostgres: in the VPC, one authoritative firewall, no public source, secret URIs, protect in prod."""

from __future__ import annotations

import dataclasses

import pulumi
import pytest

from components import ManagedPostgres, ManagedPostgresArgs, ReplicaSpec, TrustedSources
from components.managed_postgres import firewall_rules, read_uri, validate_managed_postgres_args

ARGS = ManagedPostgresArgs(env="staging", region="nyc3", vpc_id="vpc-123", node_count=2,
                           trusted=TrustedSources(tags=("staging-web-web",), kubernetes_ids=("k8s-1",),
                                                  ip_ranges=("10.120.0.0/20",)))


def build(args: ManagedPostgresArgs = ARGS, app_ids=None):
    def program():
        trusted = args.trusted if app_ids is None else dataclasses.replace(
            args.trusted, app_ids=pulumi.Output.from_input(app_ids))
        db = ManagedPostgres("db", dataclasses.replace(args, trusted=trusted))
        return {"private_uri": db.private_uri, "pool_uri": db.pool_private_uri, "cluster": db.cluster_id}
    return program


def test_cluster_in_vpc_pinned_and_tagged(run_component):
    run = run_component(build())
    cluster = run.one("DatabaseCluster").inputs
    assert cluster["privateNetworkUuid"] == "vpc-123"
    assert cluster["engine"] == "pg" and cluster["version"] == "17" and cluster["nodeCount"] == 2
    assert cluster["maintenanceWindows"] == [{"day": "sunday", "hour": "03:00"}]
    assert cluster["tags"] == ["component:managed-postgres", "env:staging"]


def test_exactly_one_firewall_with_merged_private_sources(run_component):
    run = run_component(build(app_ids=["app-1", "app-2"]))
    firewall = run.one("DatabaseFirewall")
    assert firewall.inputs["clusterId"] == "db-cluster-id"
    assert firewall.inputs["rules"] == [
        {"type": "app", "value": "app-1"}, {"type": "app", "value": "app-2"},
        {"type": "ip_addr", "value": "10.120.0.0/20"}, {"type": "k8s", "value": "k8s-1"},
        {"type": "tag", "value": "staging-web-web"}]
    assert not [r for r in firewall.inputs["rules"] if r["value"] in ("0.0.0.0/0", "::/0")]


def test_rules_are_deduplicated_and_sorted():
    rules = firewall_rules(["b", "a", "a"], [], ["k"], ["x"], ["10.0.0.0/16"])
    assert rules == [{"type": "app", "value": "x"}, {"type": "ip_addr", "value": "10.0.0.0/16"},
                     {"type": "k8s", "value": "k"}, {"type": "tag", "value": "a"}, {"type": "tag", "value": "b"}]


def test_databases_users_and_transaction_pool(run_component):
    run = run_component(build())
    assert [d.inputs["name"] for d in run.of_type("DatabaseDb")] == ["app"]
    assert [u.inputs["name"] for u in run.of_type("DatabaseUser")] == ["app"]
    pool = run.one("DatabaseConnectionPool").inputs
    assert pool["mode"] == "transaction" and pool["dbName"] == "app" and pool["user"] == "app" and pool["size"] == 10


def test_connection_uris_are_secret_outputs(run_component):
    run = run_component(build())
    for key in ("private_uri", "pool_uri"):
        assert run.returned[key].secret, key
        assert run.returned[key].value.startswith("postgresql://")
    secret_outputs = set(run.requests[run.one("DatabaseCluster").urn].additionalSecretOutputs)
    assert {"uri", "privateUri", "password"} <= secret_outputs


def test_protect_in_production(run_component):
    run = run_component(build(dataclasses.replace(ARGS, protect=True)))
    assert run.one("DatabaseCluster").protect
    assert all(d.protect for d in run.of_type("DatabaseDb"))  # the data
    for kind in ("DatabaseFirewall", "DatabaseUser", "DatabaseConnectionPool"):  # changeable, not inherited
        assert not any(r.protect for r in run.of_type(kind)), kind
    pool = run.one("DatabaseConnectionPool")
    assert {"uri", "privateUri", "password"} <= set(run.requests[pool.urn].additionalSecretOutputs)
    assert not run_component(build()).one("DatabaseCluster").protect


@pytest.mark.parametrize(("field", "change"), [
    ("version", {"version": "latest"}), ("node_count", {"node_count": 4}),
    ("maintenance_day", {"maintenance_day": "someday"}), ("databases", {"databases": ()}),
    ("trusted.ip_ranges", {"trusted": TrustedSources(ip_ranges=("0.0.0.0/0",))}),
    ("trusted.ip_ranges", {"trusted": TrustedSources(ip_ranges=("8.8.8.0/24",))}),
    ("trusted.ip_ranges", {"trusted": TrustedSources(ip_ranges=("the-vpc",))}),
])
def test_validation_names_the_field(field, change):
    with pytest.raises(ValueError, match=rf"\[{field}\]"):
        validate_managed_postgres_args(dataclasses.replace(ARGS, **change))


def test_an_empty_firewall_is_refused():
    with pytest.raises(ValueError, match=r"\[trusted\]"):
        firewall_rules([], [], [], [], [])


def test_no_trusted_source_is_refused_before_the_cluster_is_registered(run_component):
    """Otherwise a real run would create the cluster, then fail on its firewall and leave it open."""
    registered = []

    def program():
        try:
            ManagedPostgres("db", dataclasses.replace(ARGS, trusted=TrustedSources()))
        except ValueError as exc:
            registered.append(str(exc))
        return {}

    run = run_component(program)
    assert registered and "[trusted]" in registered[0]
    assert run.of_type("DatabaseCluster") == []
    validate_managed_postgres_args(dataclasses.replace(ARGS, trusted=TrustedSources(
        app_ids=pulumi.Output.from_input(["app-1"]))))  # known later: checked when it resolves


def test_firewall_rules_have_a_known_shape_at_preview_even_when_ids_are_unknown(run_component):
    """A preview knows each rule's type and every literal source; only resource ids wait for `up`, so the
    database-network guardrail can run at preview instead of being skipped."""
    from do_platform import guardrails

    def program():
        def unknown():  # an id only `up` knows
            return pulumi.Output(set(), _done(None), _done(False))

        trusted = TrustedSources(tags=("prod-web",), kubernetes_ids=(unknown(),), app_ids=(unknown(), unknown()),
                                 ip_ranges=("10.130.0.0/20",))
        db = ManagedPostgres("db", dataclasses.replace(ARGS, trusted=trusted))
        return {"cluster": db.cluster_id}

    run = run_component(program, preview=True)
    rules = run.one("DatabaseFirewall").inputs["rules"]
    assert [r["type"] for r in rules] == ["ip_addr", "tag", "app", "app", "k8s"]
    assert rules[0]["value"] == "10.130.0.0/20" and rules[1]["value"] == "prod-web"
    assert all(guardrails.is_unknown(r["value"]) for r in rules[2:]), rules
    fw = guardrails.StackResource("urn:fw", guardrails.DATABASE_FIREWALL, {"rules": rules})
    prod = guardrails.StackContext("prod", guardrails.Environment.production,
                                   guardrails.PolicyEnforcement.mandatory)
    assert guardrails._firewall_rule_findings(fw, prod) == []


def _done(value):
    import asyncio

    future = asyncio.get_event_loop().create_future()
    future.set_result(value)
    return future


REPLICATED = dataclasses.replace(ARGS, replicas=(ReplicaSpec("read-1", "db-s-2vcpu-4gb", "nyc3"),
                                                 ReplicaSpec("far", "db-s-2vcpu-4gb", "ams3")),
                                 settings={"work_mem": 8, "jit": False, "shared_buffers_percentage": 25})


def build_replicated(args: ManagedPostgresArgs = REPLICATED):
    def program():
        db = ManagedPostgres("db", args)
        return {"replica_uris": pulumi.Output.all(**db.replica_private_uris), "read_uri": db.read_private_uri,
                "read_uris": pulumi.Output.all(**db.replica_read_uris)}
    return program


def test_replicas_in_the_vpc_tagged_with_their_own_firewall_of_the_clusters_rules(run_component):
    run = run_component(build_replicated())
    replicas = {r.inputs["name"]: r for r in run.of_type("DatabaseReplica")}
    assert set(replicas) == {"staging-db-read-1", "staging-db-far"}
    near, far = replicas["staging-db-read-1"].inputs, replicas["staging-db-far"].inputs
    assert near["clusterId"] == "db-cluster-id" and near["size"] == "db-s-2vcpu-4gb" and near["region"] == "nyc3"
    assert near["privateNetworkUuid"] == "vpc-123"
    assert "privateNetworkUuid" not in far  # another region: the VPC is regional
    assert near["tags"] == far["tags"] == run.one("DatabaseCluster").inputs["tags"]
    firewalls = {f.inputs["clusterId"]: f for f in run.of_type("DatabaseFirewall")}
    assert set(firewalls) == {"db-cluster-id", "db-replica-read-1-uuid", "db-replica-far-uuid"}  # uuid, not id
    assert all(f.inputs["rules"] == firewalls["db-cluster-id"].inputs["rules"] for f in firewalls.values())
    assert firewalls["db-replica-read-1-uuid"].parent_urn == replicas["staging-db-read-1"].urn


def test_replica_uris_are_secret_and_the_read_uri_uses_the_app_user(run_component):
    run = run_component(build_replicated())
    uris = run.returned["replica_uris"]
    assert uris.secret and set(uris.value) == {"read-1", "far"}
    assert uris.value["read-1"].startswith("postgresql://doadmin:")
    read = run.returned["read_uri"]
    assert read.secret
    assert read.value == ("postgresql://app:mock-password@private-db-replica-read-1.replica.db.ondigitalocean.com"
                          ":25060/app?sslmode=require")  # the first replica, never doadmin
    assert run.returned["read_uris"].secret
    for replica in run.of_type("DatabaseReplica"):
        assert {"uri", "privateUri", "password"} <= set(run.requests[replica.urn].additionalSecretOutputs)


def test_replicas_and_their_firewalls_stay_changeable_in_production(run_component):
    run = run_component(build_replicated(dataclasses.replace(REPLICATED, protect=True)))
    assert run.one("DatabaseCluster").protect
    assert not any(r.protect for r in run.of_type("DatabaseReplica") + run.of_type("DatabaseFirewall"))
    assert not run.one("DatabasePostgresqlConfig").protect


def test_settings_go_through_the_provider_config_resource(run_component):
    run = run_component(build_replicated())
    config = run.one("DatabasePostgresqlConfig").inputs
    assert config == {"clusterId": "db-cluster-id", "workMem": 8, "jit": False, "sharedBuffersPercentage": 25.0}
    assert run_component(build()).of_type("DatabasePostgresqlConfig") == []  # none without settings


def test_without_replicas_there_is_no_read_uri(run_component):
    def program():
        db = ManagedPostgres("db", ARGS)
        assert db.read_private_uri is None and db.replicas == {}
        return {"cluster": db.cluster_id}

    assert len(run_component(program).of_type("DatabaseFirewall")) == 1


@pytest.mark.parametrize(("change", "match"), [
    ({"replicas": (ReplicaSpec("Read_1", "db-s-2vcpu-4gb", "nyc3"),)}, r"\[replicas\] 'Read_1'"),
    ({"replicas": (ReplicaSpec("r1", "db-s-2vcpu-4gb", "nyc3"),) * 2}, r"\[replicas\] \['r1'\] used twice"),
    ({"settings": {"work_mme": 1}}, r"\[settings.work_mme\] not a PostgreSQL setting.*work_mem"),
    ({"settings": {"jit": "no"}}, r"\[settings.jit\] 'no' is not true or false"),
])
def test_replica_and_settings_validation_names_the_field(change, match):
    with pytest.raises(ValueError, match=match):
        validate_managed_postgres_args(dataclasses.replace(ARGS, **change))


def test_read_uri_quotes_the_password():
    assert read_uri("app", "p@ss/w:rd", "h", 25060, "app") == "postgresql://app:p%40ss%2Fw%3Ard@h:25060/app?sslmode=require"
