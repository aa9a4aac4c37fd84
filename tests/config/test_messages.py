"""Bad stack configurations: each error names the exact key, shows the bad value and what is allowed."""

from __future__ import annotations

import copy

import pytest

from do_platform.config import load_stack_config
from do_platform.errors import ConfigError
from do_platform.offline import evaluate, project_defaults, read_stack_config

P = "do-platform:"


def base(stack: str = "dev") -> dict:
    return {**project_defaults(), **read_stack_config(stack)}


def with_(stack: str, key: str, value, path: tuple = ()) -> dict:
    """``stack``'s merged config with ``key`` (or a path inside it) replaced."""
    cfg = copy.deepcopy(base(stack))
    if not path:
        cfg[key] = value
        return cfg
    node = cfg.setdefault(key, {})
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return cfg


def without(stack: str, key: str) -> dict:
    cfg = base(stack)
    del cfg[key]
    return cfg


APP = {"name": "web", "image": {"registry": "do-platform", "repository": "web", "tag": "main"}}
# (id, stack, config, key named in the message, bad value shown in the message)
CASES = [
    ("region", "dev", with_("dev", P + "region", "mars1"), P + "region", "'mars1'"),
    ("environment", "dev", with_("dev", P + "environment", "prod"), P + "environment", "'prod'"),
    ("environment-missing", "dev", without("dev", P + "environment"), P + "environment", "missing"),
    ("component-unknown", "dev", with_("dev", P + "components", ["network", "cdn"]), P + "components", "'cdn'"),
    ("components-not-list", "dev", with_("dev", P + "components", "web"), P + "components", "'web'"),
    ("component-not-a-name", "dev", with_("dev", P + "components", ["network", ["dns"]]), P + "components",
     "['dns']"),
    ("web-needs-network", "dev", with_("dev", P + "components", ["web", "dns"]), P + "components", "'network'"),
    ("web-needs-dns", "dev", with_("dev", P + "components", ["network", "web"]), P + "components", "'dns'"),
    ("ip-range-public", "dev", with_("dev", P + "network", "8.8.8.0/24", ("ipRange",)), P + "network.ipRange",
     "'8.8.8.0/24'"),
    ("ip-range-doks", "dev", with_("dev", P + "network", "10.244.0.0/20", ("ipRange",)), P + "network.ipRange",
     "10.244.0.0/16"),
    ("ip-range-host-bits", "dev", with_("dev", P + "network", "10.110.0.1/20", ("ipRange",)), P + "network.ipRange",
     "'10.110.0.1/20'"),
    ("ip-range-too-big", "dev", with_("dev", P + "network", "10.0.0.0/8", ("ipRange",)), P + "network.ipRange",
     "'10.0.0.0/8'"),
    ("ip-range-missing", "dev", with_("dev", P + "network", {"adminCidrs": []}), P + "network.ipRange", "missing"),
    ("ssh-from-anywhere", "dev", with_("dev", P + "network", ["0.0.0.0/0"], ("adminCidrs",)),
     P + "network.adminCidrs", "'0.0.0.0/0'"),
    ("web-count", "dev", with_("dev", P + "web", 0, ("count",)), P + "web.count", "0"),
    ("web-size", "dev", with_("dev", P + "web", "huge", ("size",)), P + "web.size", "'huge'"),
    ("web-image-latest", "dev", with_("dev", P + "web", "latest", ("image",)), P + "web.image", "'latest'"),
    ("bastion-image-latest", "prod", with_("prod", P + "network", {"enabled": True, "image": "latest"}, ("bastion",)),
     P + "network.bastion.image", "'latest'"),
    ("web-app-port-ssh", "dev", with_("dev", P + "web", 22, ("appPort",)), P + "web.appPort", "22"),
    ("web-unknown-key", "dev", with_("dev", P + "web", 2, ("cout",)), P + "web.cout", "count"),
    ("web-volume", "dev", with_("dev", P + "web", -1, ("volumeSizeGb",)), P + "web.volumeSizeGb", "-1"),
    ("db-version", "dev", with_("dev", P + "database", "9", ("version",)), P + "database.version", "'9'"),
    ("db-nodes", "dev", with_("dev", P + "database", 5, ("nodeCount",)), P + "database.nodeCount", "5"),
    ("db-size", "dev", with_("dev", P + "database", "db-huge", ("size",)), P + "database.size", "'db-huge'"),
    ("db-maintenance", "dev", with_("dev", P + "database", {"day": "someday"}, ("maintenance",)),
     P + "database.maintenance.day", "'someday'"),
    ("k8s-latest", "staging", with_("staging", P + "kubernetes", "latest", ("versionPrefix",)),
     P + "kubernetes.versionPrefix", "'latest'"),
    ("k8s-pool-range", "staging", with_("staging", P + "kubernetes", [{"name": "wk", "minNodes": 4, "maxNodes": 2}],
                                        ("pools",)), P + "kubernetes.pools[0]", "minNodes=4"),
    ("app-digest", "dev", with_("dev", P + "apps", [{**APP, "image": {**APP["image"], "digest": "sha256:abc"}}]),
     P + "apps[0].image.digest", "'sha256:abc'"),
    ("app-unpinned", "dev", with_("dev", P + "apps", [{**APP, "image": {"registry": "do-platform",
                                                                         "repository": "web"}}]),
     P + "apps[0].image", "neither tag nor digest"),
    ("app-size", "dev", with_("dev", P + "apps", [{**APP, "instanceSize": "xl"}]), P + "apps[0].instanceSize", "'xl'"),
    ("app-duplicate", "dev", with_("dev", P + "apps", [APP, APP]), P + "apps", "['web']"),
    ("app-db-without-db", "dev", with_("dev", P + "components", ["network", "dns", "web", "apps"]),
     P + "apps[0].useDatabase", "True"),
    ("app-domain-is-the-web-host", "dev", with_("dev", P + "apps", [{**APP, "domain": "www.dev.example.com"}]),
     P + "apps[0].domain", "web.recordName"),
    ("app-domain-twice", "dev", with_("dev", P + "apps", [{**APP, "domain": "a.dev.example.com"},
                                                          {**APP, "name": "api", "domain": "a.dev.example.com"}]),
     P + "apps[1].domain", "apps[0]"),
    ("domain", "dev", with_("dev", P + "domain", "not_a_domain"), P + "domain", "'not_a_domain'"),
    ("registry", "dev", with_("dev", P + "registry", "Bad_Name"), P + "registry", "'Bad_Name'"),
    ("alert-email", "dev", with_("dev", P + "alertEmails", ["not-an-email"]), P + "alertEmails", "'not-an-email'"),
    ("alert-emails-empty", "dev", with_("dev", P + "alertEmails", []), P + "alertEmails", "[]"),
    ("prod-single-droplet", "prod", with_("prod", P + "web", 1, ("count",)), P + "web.count", "1"),
    ("prod-no-standby", "prod", with_("prod", P + "database", 1, ("nodeCount",)), P + "database.nodeCount", "1"),
    ("prod-no-ha", "prod", with_("prod", P + "kubernetes", False, ("ha",)), P + "kubernetes.ha", "False"),
    ("prod-plain-http", "prod", with_("prod", "digitalocean:apiEndpoint", "http://10.0.0.1:8089"),
     "digitalocean:apiEndpoint", "'http://10.0.0.1:8089'"),
    ("dev-plain-http-off-loopback", "dev", with_("dev", "digitalocean:apiEndpoint", "http://10.0.0.1:8089"),
     "digitalocean:apiEndpoint", "'http://10.0.0.1:8089'"),
    ("endpoint", "local", with_("local", "digitalocean:apiEndpoint", "ftp://x"), "digitalocean:apiEndpoint",
     "'ftp://x'"),
    ("unknown-key", "dev", with_("dev", P + "colour", "blue"), P + "colour", "unknown key"),
    ("secret-for-unknown-app", "dev", with_("dev", P + "appSecrets", {"api": {"TOKEN": "x"}}), P + "appSecrets",
     "'api'"),
    ("web-count-type", "dev", with_("dev", P + "web", "three", ("count",)), P + "web.count", "'three'"),
    ("backups-type", "dev", with_("dev", P + "web", "sometimes", ("backups",)), P + "web.backups", "'sometimes'"),
    ("policy", "dev", with_("dev", P + "policyEnforcement", "strict"), P + "policyEnforcement", "'strict'"),
    ("secret-where-plain-expected", "dev", with_("dev", P + "web", {"secure": "v1:abc"}, ("count",)),
     P + "web.count", "only appSecrets and digitalocean:token"),
    ("bucket-name", "staging", with_("staging", P + "objectStore", "Assets.Bucket", ("bucket",)),
     P + "objectStore.bucket", "'Assets.Bucket'"),
    ("bucket-acl", "staging", with_("staging", P + "objectStore", "public-read-write", ("acl",)),
     P + "objectStore.acl", "'public-read-write'"),
    ("key-permission", "staging", with_("staging", P + "objectStore", "fullaccess", ("keyPermission",)),
     P + "objectStore.keyPermission", "'fullaccess'"),
    ("cdn-ttl", "staging", with_("staging", P + "objectStore", 120, ("cdn", "ttl")), P + "objectStore.cdn.ttl",
     "120"),
    ("cdn-apex", "staging", with_("staging", P + "objectStore", "@", ("cdn", "subdomain")),
     P + "objectStore.cdn.subdomain", "'@'"),
    ("cors-method", "staging", with_("staging", P + "objectStore", [{"allowedOrigins": ["*"],
                                                                     "allowedMethods": ["PATCH"]}], ("cors",)),
     P + "objectStore.cors[0].allowedMethods", "'PATCH'"),
    ("cors-origin", "staging", with_("staging", P + "objectStore", [{"allowedOrigins": ["ftp://x"]}], ("cors",)),
     P + "objectStore.cors[0].allowedOrigins", "'ftp://x'"),
    ("lifecycle-days", "prod", with_("prod", P + "objectStore", -1, ("noncurrentVersionDays",)),
     P + "objectStore.noncurrentVersionDays", "-1"),
    ("prod-public-bucket", "prod", with_("prod", P + "objectStore", "public-read", ("acl",)),
     P + "objectStore.acl", "objectStore.publicSite: true"),
    ("objectstore-unknown-key", "prod", with_("prod", P + "objectStore", True, ("public",)),
     P + "objectStore.public", "unknown key"),
    ("spaces-endpoint", "dev", with_("dev", "digitalocean:spacesEndpoint", "http://10.0.0.1:8090"),
     "digitalocean:spacesEndpoint", "'http://10.0.0.1:8090'"),
    ("objectstore-region", "staging", with_(
        "staging", P + "region", "ric1"), P + "region", "'ric1'"),
    ("autoscale-min-above-max", "dev", with_("dev", P + "web", {"minInstances": 3, "maxInstances": 2,
                                                                "targetCpu": 0.6}, ("autoscale",)),
     P + "web.autoscale", "minInstances=3, maxInstances=2"),
    ("autoscale-no-target", "dev", with_("dev", P + "web", {"minInstances": 1, "maxInstances": 2}, ("autoscale",)),
     P + "web.autoscale", "neither targetCpu nor targetMemory"),
    ("autoscale-target-percent", "dev", with_("dev", P + "web", {"minInstances": 1, "maxInstances": 2,
                                                                 "targetCpu": 70}, ("autoscale",)),
     P + "web.autoscale.targetCpu", "70"),
    ("autoscale-cooldown", "dev", with_("dev", P + "web", {"minInstances": 1, "maxInstances": 2, "targetCpu": 0.5,
                                                           "cooldownMinutes": 1}, ("autoscale",)),
     P + "web.autoscale.cooldownMinutes", "1"),
    ("autoscale-and-count", "dev", with_("dev", P + "web", {"minInstances": 1, "maxInstances": 2, "targetCpu": 0.5},
                                         ("autoscale",)), P + "web.count", "1"),
    ("autoscale-volumes", "staging", with_("staging", P + "web", 10, ("volumeSizeGb",)), P + "web.volumeSizeGb",
     "10"),
    ("autoscale-prod-min", "prod", with_("prod", P + "web", {"size": "s-2vcpu-4gb", "privateEgress": True,
                                                           "autoscale": {"minInstances": 1, "maxInstances": 4,
                                                                         "targetCpu": 0.6}}),
     P + "web.autoscale.minInstances", "1"),
    ("prod-public-web", "prod", with_("prod", P + "web", False, ("privateEgress",)), P + "web.privateEgress",
     "False"),
    ("private-pool", "dev", with_("dev", P + "web", {"sshKeys": ["1"], "privateEgress": True,
                                                    "autoscale": {"minInstances": 1, "maxInstances": 2,
                                                                  "targetCpu": 0.5}}),
     P + "web.privateEgress", "True"),
    ("private-and-public", "dev", with_("dev", P + "web", {"privateEgress": True, "allowPublicAddress": True}),
     P + "web.allowPublicAddress", "True"),
]


@pytest.mark.parametrize(("stack", "config", "key", "shown"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_config_names_key_value_and_allowed(stack, config, key, shown):
    with pytest.raises(ConfigError) as info:
        load_stack_config(config, stack)
    message = info.value.message
    assert message.startswith(key + ":") or message.startswith(key + "["), message
    assert shown in message, message
    assert "allowed" in message, message


def test_web_tier_messages_say_what_is_allowed():
    """The autoscale and private-egress rules name the alternative, not only the fault."""
    def message(config, stack="dev") -> str:
        with pytest.raises(ConfigError) as info:
            load_stack_config(config, stack)
        return info.value.message

    both = with_("dev", P + "web", {"minInstances": 1, "maxInstances": 2, "targetCpu": 0.5}, ("autoscale",))
    assert "allowed: remove web.count, or remove web.autoscale" in message(both)
    public = message(with_("prod", P + "web", False, ("privateEgress",)), "prod")
    assert "production web droplets must have no public address" in public
    assert "web.allowPublicAddress: true" in public
    allowed = with_("prod", P + "web", {**base("prod")[P + "web"], "privateEgress": False, "allowPublicAddress": True})
    assert load_stack_config(allowed, "prod").web.allow_public_address is True
    ric = with_("dev", P + "region", "ric1")
    ric[P + "web"] = {"autoscale": {"minInstances": 1, "maxInstances": 2, "targetCpu": 0.5}, "sshKeys": ["123"]}
    ric[P + "components"] = ["network", "dns", "web"]
    ric.pop(P + "apps", None)
    assert "no autoscale pools in ric1" in message(ric)
    assert "template requires SSH keys" in message({**ric, P + "web": {**ric[P + "web"], "sshKeys": []}})
    percent = with_("dev", P + "web", {"minInstances": 1, "maxInstances": 2, "targetCpu": 70}, ("autoscale",))
    assert "a fraction from 0.05 to 1, e.g. 0.7 for 70%" in message(percent)


def test_there_are_at_least_twenty_cases():
    assert len(CASES) >= 20


def test_every_stack_file_is_valid():
    for stack in ("dev", "staging", "prod", "local"):
        load_stack_config(base(stack), stack)


@pytest.mark.parametrize("case", ["region", "web-count", "k8s-latest", "app-digest"])
def test_offline_evaluation_raises_before_any_resource(case):
    _, stack, config, key, _ = next(c for c in CASES if c[0] == case)
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace(".", r"\.")):
        evaluate(stack, config=config)


def test_secret_values_never_appear_in_errors():
    cfg = with_("dev", P + "appSecrets", {"web": {"bad-name": "hunter2-secret"}})
    with pytest.raises(ConfigError) as info:
        load_stack_config(cfg, "dev")
    assert "hunter2-secret" not in info.value.message and "appSecrets" in info.value.message


def test_secret_values_never_appear_in_type_errors():
    cfg = with_("dev", P + "appSecrets", {"web": {"API_KEY": ["hunter2-secret"]}})
    cfg["digitalocean:token"] = ["tok-secret-123"]
    for bad in (cfg, {**base(), "digitalocean:token": ["tok-secret-123"]}):
        with pytest.raises(ConfigError) as info:
            load_stack_config(bad, "dev")
        assert "hunter2-secret" not in info.value.message and "tok-secret-123" not in info.value.message
        assert "[secret]" in info.value.message


@pytest.mark.parametrize("level", ["advisory", "disabled"])
def test_production_cannot_lower_its_guardrails_in_the_stack_file(monkeypatch, level):
    monkeypatch.delenv("DO_PLATFORM_POLICY_OVERRIDE", raising=False)
    cfg = with_("prod", P + "policyEnforcement", level)
    with pytest.raises(ConfigError) as err:
        load_stack_config(cfg, "prod")
    assert err.value.message.startswith(P + "policyEnforcement:")
    assert "production keeps mandatory guardrails" in err.value.message
    assert f"DO_PLATFORM_POLICY_OVERRIDE=prod:{level}" in err.value.message
    monkeypatch.setenv("DO_PLATFORM_POLICY_OVERRIDE", f"prod:{level}")
    assert load_stack_config(cfg, "prod").policy_enforcement.value == level
    monkeypatch.setenv("DO_PLATFORM_POLICY_OVERRIDE", f"staging:{level}")
    with pytest.raises(ConfigError):
        load_stack_config(cfg, "prod")


@pytest.mark.parametrize("cidrs", [["0.0.0.0/1", "128.0.0.0/1"], ["::/1", "8000::/1"], ["1.0.0.0/8"]])
def test_admin_cidrs_split_to_cover_the_internet_are_refused(cidrs):
    from do_platform.offline import evaluate, read_stack_config

    config = read_stack_config("prod")
    config["do-platform:network"] = {**config["do-platform:network"], "adminCidrs": cidrs}
    with pytest.raises(ConfigError, match=r"network\.adminCidrs: .*opens SSH to the whole internet"):
        evaluate("prod", config=config)


@pytest.mark.parametrize(("cidrs", "reason"), [([], "must not expose the Kubernetes API"),
                                               (["0.0.0.0/0"], "the whole internet"),
                                               (["0.0.0.0/1", "128.0.0.0/1"], "the whole internet")])
def test_production_needs_a_control_plane_allowlist_that_is_not_world_open(cidrs, reason):
    config = read_stack_config("prod")
    config["do-platform:kubernetes"] = {**config["do-platform:kubernetes"], "controlPlaneCidrs": cidrs}
    with pytest.raises(ConfigError, match=rf"kubernetes\.controlPlaneCidrs: .*{reason}"):
        evaluate("prod", config=config)


def test_every_shipped_stack_with_kubernetes_sets_a_control_plane_allowlist():
    from do_platform.offline import stack_names

    for stack in stack_names():
        cfg = load_stack_config({**project_defaults(), **read_stack_config(stack)}, stack)
        if cfg.enabled("kubernetes"):
            assert cfg.kubernetes.control_plane_cidrs, stack


def test_production_accepts_plain_http_only_on_loopback():
    """A production-shaped rehearsal against the local emulator is allowed (the token stays on this machine, and
    the real API is never on loopback); plain http anywhere else is refused, by the one endpoint rule."""
    for url in ("http://127.0.0.1:8089", "http://localhost:8089", "http://[::1]:8089"):
        load_stack_config(with_("prod", "digitalocean:apiEndpoint", url), "prod")
    with pytest.raises(ConfigError, match="plain http on a non-loopback host"):
        load_stack_config(with_("prod", "digitalocean:apiEndpoint", "http://example.com:8089"), "prod")
