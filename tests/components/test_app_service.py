"""AppService: digest pinning, SECRET env values secret and diff-free, alerts, database link."""

from __future__ import annotations

import dataclasses

import pulumi
import pytest

from components import AppService, AppServiceArgs, DatabaseLink, ImageRef
from components.app_service import (
    APP_ALERT_RULES,
    app_name,
    build_envs,
    image_source,
    validate_app_service_args,
)
from do_platform.offline import SECRET_MASK

DIGEST = "sha256:" + "ab" * 32
ARGS = AppServiceArgs(env="staging", region="nyc", name="web",
                      image=ImageRef("do-platform", "web", tag="1.4.2", digest=DIGEST),
                      env_vars={"LOG_LEVEL": "info"}, secret_env={"API_KEY": "s3cr3t-value"})


def build(args: AppServiceArgs = ARGS):
    def program():
        app = AppService("app-web", args)
        return {"app_id": app.app_id}
    return program


def service(run):
    return run.one("App").inputs["spec"]["services"][0]


def test_digest_pins_the_image_and_wins_over_tag(run_component):
    run = run_component(build())
    image = service(run)["image"]
    assert image["digest"] == DIGEST and "tag" not in image
    assert image["registryType"] == "DOCR" and image["registry"] == "do-platform" and image["repository"] == "web"
    assert image["deployOnPushes"] == [{"enabled": False}]


def test_tag_when_no_digest():
    assert image_source(ImageRef("r", "web", tag="main")) == {"tag": "main"}
    with pytest.raises(ValueError, match=r"\[image\]"):
        image_source(ImageRef("r", "web"))


def test_secret_env_values_are_secret_and_ignored_for_diffs(run_component):
    run = run_component(build())
    app = run.one("App")
    envs = {e["key"]: e for e in service(run)["envs"]}
    assert envs["API_KEY"]["type"] == "SECRET" and envs["API_KEY"]["value"] == SECRET_MASK
    assert envs["LOG_LEVEL"]["type"] == "GENERAL"
    assert "s3cr3t-value" not in repr(run.records)
    assert run.ignore_changes(app) == ["spec.services[0].envs[0].value"]
    assert [e["key"] for e in service(run)["envs"]] == ["API_KEY", "LOG_LEVEL"]


def test_rotation_run_sends_new_secret_values(run_component):
    run = run_component(build(dataclasses.replace(ARGS, rotate_secrets=True)))
    assert run.ignore_changes(run.one("App")) == []


def test_secret_paths_follow_the_sorted_env_order(run_component):
    def program():
        args = dataclasses.replace(ARGS, env_vars={"B": "1", "A": "2"}, secret_env={"Z": "x", "Y": "y"})
        envs, paths = build_envs(args)
        return {"keys": [e.key for e in envs], "paths": paths, "z": envs[1].value}

    run = run_component(program)
    assert run.returned["keys"].value == ["Y", "Z", "A", "B"]
    assert run.returned["paths"].value == ["spec.services[0].envs[0].value", "spec.services[0].envs[1].value"]
    assert run.returned["z"].secret


def test_failure_alerts_health_check_and_domain(run_component):
    args = dataclasses.replace(ARGS, domain="app.staging.example.com", zone="staging.example.com")
    run = run_component(build(args))
    spec = run.one("App").inputs["spec"]
    assert sorted(a["rule"] for a in spec["alerts"]) == sorted(APP_ALERT_RULES)
    # No destinations: the provider never reads them back, so they would drift on every refresh.
    assert all(set(a) == {"rule"} for a in spec["alerts"]), spec["alerts"]
    assert spec["domainNames"] == [{"name": "app.staging.example.com", "type": "PRIMARY",
                                    "zone": "staging.example.com"}]
    assert service(run)["healthCheck"] == {"httpPath": "/healthz", "port": 8080}
    assert spec["region"] == "nyc" and spec["name"] == "staging-web"


def test_database_link_attaches_cluster_and_secret_url(run_component):
    def program():
        uri = pulumi.Output.secret("postgresql://app:pw@private-host/app")
        AppService("app-web", dataclasses.replace(ARGS, database=DatabaseLink("staging-db", "app", "app", uri)))

    run = run_component(program)
    spec = run.one("App").inputs["spec"]
    assert spec["databases"] == [{"name": "app", "clusterName": "staging-db", "dbName": "app", "dbUser": "app",
                                  "engine": "PG", "production": True}]
    envs = {e["key"]: e for e in service(run)["envs"]}
    assert envs["DATABASE_URL"] == {"key": "DATABASE_URL", "value": SECRET_MASK, "type": "SECRET",
                                    "scope": "RUN_TIME"}
    assert "pw@private-host" not in repr(run.records)


@pytest.mark.parametrize(("field", "change"), [
    ("name", {"name": "Web_App"}), ("image.digest", {"image": ImageRef("r", "web", digest="sha256:1234")}),
    ("http_port", {"http_port": 0}), ("instance_count", {"instance_count": 0}),
    ("env_vars", {"env_vars": {"lower": "x"}}), ("env_vars", {"env_vars": {"API_KEY": "x"}}),
])
def test_validation_names_the_field(field, change):
    with pytest.raises(ValueError, match=rf"\[{field}\]"):
        validate_app_service_args(dataclasses.replace(ARGS, **change))


def test_app_name_is_env_dash_name_within_the_apps_32_character_limit():
    """The one app naming rule: the component names its app with it and `do-platform status` looks for it."""
    assert app_name("staging", "web") == "staging-web"
    long = app_name("production", "a-very-long-application-name-indeed")
    assert len(long) <= 32 and long.startswith("production-a-very") and not long.endswith("-")



def test_database_link_with_a_replica_adds_a_secret_read_url(run_component):
    def program():
        uri = pulumi.Output.secret("postgresql://app:pw@private-host/app")
        read = pulumi.Output.secret("postgresql://app:pw@private-replica/app?sslmode=require")
        app = AppService("app-web", dataclasses.replace(ARGS, database=DatabaseLink("staging-db", "app", "app", uri,
                                                                                     read_uri=read)))
        return {"app_id": app.app_id}

    run = run_component(program)
    envs = service(run)["envs"]
    assert [e["key"] for e in envs if e["type"] == "SECRET"] == ["API_KEY", "DATABASE_READ_URL", "DATABASE_URL"]
    read = next(e for e in envs if e["key"] == "DATABASE_READ_URL")
    assert read == {"key": "DATABASE_READ_URL", "value": SECRET_MASK, "type": "SECRET", "scope": "RUN_TIME"}
    assert len(run.one("App").inputs["spec"]["databases"]) == 1  # a replica is not an attachable cluster
    assert "private-replica" not in repr(run.records)
    with pytest.raises(ValueError, match=r"\[env_vars\]/\[secret_env\] \['DATABASE_READ_URL'\] set twice"):
        validate_app_service_args(dataclasses.replace(ARGS, secret_env={"DATABASE_READ_URL": "x"},
                                                      database=DatabaseLink("db", "app", "app", "u", read_uri="r")))
