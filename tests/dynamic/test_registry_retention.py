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
    args = RegistryRetentionArgs(registry="reg", token=TOKEN, allow_empty_protect=True)
    assert TOKEN not in repr(args) and "'reg'" in repr(args)


def test_check_names_the_failing_inputs():
    result = RegistryRetentionProvider().check({}, {"registry": "reg", "keep_last": -1, "token": "",
                                                    "allow_empty_protect": True})
    assert {f.property for f in result.failures} == {"token", "keep_last"}


def test_check_names_a_policy_value_that_is_not_a_number():
    result = RegistryRetentionProvider().check({}, {"registry": "reg", "keep_days": "a month", "token": "t",
                                                    "allow_empty_protect": True})
    assert [(f.property, f.reason) for f in result.failures] == [
        ("keep_days", "keep_days 'a month' is not a finite number; allowed: a number >= 0")]


@pytest.mark.parametrize("key, value", [("keep_last", float("inf")), ("keep_last", "1e400"), ("keep_days", 1e12),
                                        ("keep_last", -1), ("keep_days", float("nan"))])
def test_check_names_a_policy_value_out_of_range_instead_of_overflowing(key, value):
    result = RegistryRetentionProvider().check({}, {"registry": "reg", key: value, "token": "t",
                                                    "allow_empty_protect": True})
    assert [f.property for f in result.failures] == [key], result.failures
    assert "allowed:" in result.failures[0].reason


def test_check_refuses_a_plain_http_endpoint_off_loopback_at_preview():
    news = {"registry": "reg", "token": "t", "api_endpoint": "http://registry-api.example.com",
            "protect": ["web:1.0.0"]}
    failures = RegistryRetentionProvider().check({}, news).failures
    assert [f.property for f in failures] == ["api_endpoint"]
    assert "'http://registry-api.example.com'" in failures[0].reason and "plain http" in failures[0].reason
    assert RegistryRetentionProvider().check({}, {**news, "api_endpoint": "http://127.0.0.1:8089"}).failures == []


def test_diff_ignores_the_token_and_replaces_on_registry_change():
    provider = RegistryRetentionProvider()
    olds = {"registry": "reg", "keep_last": 5, "token": "a", "apply_on_every_up": False}
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
            "keep_patterns": ["latest"], "protect": [], "allow_empty_protect": True, "gc": True,
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


def test_diff_reports_a_change_on_every_run_unless_told_otherwise():
    """The docstring says every ``up``: nothing changed in the inputs, yet the policy runs again."""
    provider = RegistryRetentionProvider()
    olds = {"registry": "reg", "keep_last": 5, "protect": ["web:1.0.0"], "apply_on_every_up": True}
    same = provider.diff("id", olds, dict(olds))
    assert same.changes is True and same.replaces == []
    quiet = {**olds, "apply_on_every_up": False}
    assert provider.diff("id", quiet, dict(quiet)).changes is False


def test_an_empty_protected_set_is_refused_everywhere():
    """Nothing protected would expire what production pins; it must be said, not assumed."""
    with pytest.raises(ConfigError, match="protect is empty"):
        RegistryRetention("none", RegistryRetentionArgs(registry="reg", token=TOKEN))
    failures = RegistryRetentionProvider().check({}, {"registry": "reg", "token": "t", "protect": []}).failures
    assert [f.property for f in failures] == ["protect"]
    with pytest.raises(ConfigError, match="protect is empty"):
        RegistryRetentionProvider._apply({"registry": "reg", "token": "t", "protect": []})


def test_installed_away_from_the_project_the_provider_still_keeps_what_prod_pins(emulator, seeded, tmp_path,
                                                                                 monkeypatch):
    """The old provider read Pulumi.*.yaml next to its own package: installed into site-packages it found
    none and expired prod's digest. Now protection arrives only as an input."""
    import do_platform.stack_files as stack_files

    monkeypatch.setattr(stack_files, "REPO_ROOT", tmp_path)  # an installed package: no stack files beside it
    monkeypatch.chdir(tmp_path)
    provider = RegistryRetentionProvider()
    created = provider.create(props(emulator, allow_empty_protect=False, protect=[f"web@{seeded[5]}"], keep_last=1))
    repo = emulator.state.backend("registry").data["stores"]["reg"]["repos"]["web"]
    assert seeded[5] in repo["manifests"]
    assert created.outs["manifests_deleted"] == 4


def test_protected_references_read_every_stack_file_of_the_project(tmp_path):
    from do_platform.stack_files import protected_references

    with pytest.raises(ConfigError, match="no Pulumi.<stack>.yaml"):
        protected_references("reg", tmp_path)
    digest = "sha256:" + "b" * 64
    (tmp_path / "Pulumi.prod.yaml").write_text(
        "config:\n  do-platform:apps:\n    - name: web\n      image:\n        registry: reg\n"
        f"        repository: web\n        tag: 1.4.1\n        digest: {digest}\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  do-platform:apps:\n    - name: api\n      image:\n"
        "        registry: registry.digitalocean.com/reg\n        repository: team/api\n        tag: main\n"
        "    - name: other\n      image:\n        registry: elsewhere\n        repository: x\n        tag: a\n")
    assert protected_references("reg", tmp_path) == ["team/api:main", "web:1.4.1", f"web@{digest}"]
