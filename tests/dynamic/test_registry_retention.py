"""RegistryRetention: secret token input, nothing captured in the serialized provider, policy on create/update."""

from __future__ import annotations

import base64

import pulumi
import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc

from do_platform.dynamic import RegistryRetention, RegistryRetentionArgs
from do_platform.dynamic.registry_retention import RegistryRetentionProvider
from do_platform.errors import ConfigError

TOKEN = "dop_v1_super-secret-token-for-tests"


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.inputs: dict = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.inputs = dict(args.inputs)
        outs = {k: v for k, v in args.inputs.items() if k not in ("token", "__provider")}
        return f"{args.name}-id", outs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


def unwrap(value):
    return value["value"] if rpc.is_rpc_secret(value) else value


def test_token_is_a_secret_input_and_not_in_the_serialized_provider():
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, preview=False)

    @pulumi.runtime.test
    def program():
        retention = RegistryRetention("ret", RegistryRetentionArgs(
            registry="reg", token=TOKEN, keep_last=5, keep_days=14, keep_patterns=("latest", r"release-\d+"),
            protect=("web@sha256:" + "a" * 64,)))

        def check(registry):
            assert registry == "reg"
            assert rpc.is_rpc_secret(mocks.inputs["token"]), "the token must reach the engine as a secret"
            assert unwrap(mocks.inputs["token"]) == TOKEN
            provider = base64.b64decode(unwrap(mocks.inputs["__provider"]))
            assert provider and TOKEN.encode() not in provider
            assert mocks.inputs["keep_patterns"] == ["latest", r"release-\d+"]
            assert (mocks.inputs["keep_last"], mocks.inputs["keep_days"]) == (5, 14)

        return retention.registry.apply(check)

    program()


def test_bad_policy_fails_before_registration():
    with pytest.raises(ConfigError, match="keep_patterns"):
        RegistryRetention("bad", RegistryRetentionArgs(registry="reg", token=TOKEN, keep_patterns=("v[",)))
    with pytest.raises(ConfigError, match=r"protect\[0\]"):
        RegistryRetention("bad2", RegistryRetentionArgs(registry="reg", token=TOKEN, protect=("web@md5:x",)))


def test_the_token_is_not_in_the_args_repr():
    args = RegistryRetentionArgs(registry="reg", token=TOKEN)
    assert TOKEN not in repr(args) and "'reg'" in repr(args)


def test_check_names_the_failing_inputs():
    result = RegistryRetentionProvider().check({}, {"registry": "reg", "keep_last": -1, "token": ""})
    assert {f.property for f in result.failures} == {"token", "keep_last"}


def test_check_names_a_policy_value_that_is_not_a_number():
    result = RegistryRetentionProvider().check({}, {"registry": "reg", "keep_days": "a month", "token": "t"})
    assert [(f.property, f.reason) for f in result.failures] == [
        ("keep_days", "keep_days 'a month' is not a number; allowed: a number >= 0")]


def test_check_refuses_a_plain_http_endpoint_off_loopback_at_preview():
    news = {"registry": "reg", "token": "t", "api_endpoint": "http://registry-api.example.com"}
    failures = RegistryRetentionProvider().check({}, news).failures
    assert [f.property for f in failures] == ["api_endpoint"]
    assert "'http://registry-api.example.com'" in failures[0].reason and "plain http" in failures[0].reason
    assert RegistryRetentionProvider().check({}, {**news, "api_endpoint": "http://127.0.0.1:8089"}).failures == []


def test_diff_ignores_the_token_and_replaces_on_registry_change():
    provider = RegistryRetentionProvider()
    olds = {"registry": "reg", "keep_last": 5, "token": "a"}
    assert provider.diff("id", olds, {**olds, "token": "rotated"}).changes is False
    assert provider.diff("id", olds, {**olds, "keep_last": 3}).changes is True
    assert provider.diff("id", olds, {**olds, "registry": "other"}).replaces == ["registry"]


@pytest.fixture
def seeded(emulator):
    pushes = [{"repository": "web", "tags": [f"sha-{i}", f"build-{i}"], "age_days": 40 + i} for i in range(6)]
    pushed = emulator.control.seed("registry", {"registry": "reg", "pushes": pushes})["pushed"]
    return [p["digest"] for p in pushed]


def props(emulator, **overrides):
    base = {"registry": "reg", "token": TOKEN, "api_endpoint": emulator.url, "keep_last": 4, "keep_days": 30,
            "keep_patterns": ["latest"], "protect": [], "include_stack_files": False, "gc": True,
            "gc_timeout": 5, "gc_poll_seconds": 0.01, "max_requests_per_minute": 60_000}
    return {**base, **overrides}


def test_create_then_update_apply_the_policy_against_the_emulator(emulator, seeded):
    provider = RegistryRetentionProvider()
    created = provider.create(props(emulator, protect=[f"web@{seeded[5]}"]))
    assert created.id == "reg-retention"
    assert created.outs["manifests_deleted"] == 3  # builds 2..4 (0-1 newest, 5 protected)
    assert created.outs["gc_status"] == "succeeded" and created.outs["freed_bytes"] > 0
    assert "token" not in created.outs
    repo = emulator.state.backend("registry").data["stores"]["reg"]["repos"]["web"]
    assert set(repo["manifests"]) == {seeded[0], seeded[1], seeded[5]}

    updated = provider.update(created.id, props(emulator), props(emulator, keep_last=2))
    assert updated.outs["manifests_deleted"] == 2 and updated.outs["tags_deleted"] == 0  # build 1, unprotected 5
    assert set(repo["manifests"]) == {seeded[0]}
    assert TOKEN.encode() not in base64.b64decode(serialize_provider(provider))
