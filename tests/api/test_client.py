"""The PyDo client factory: endpoint and token rules, and rate pacing from the ratelimit headers."""

import time

import pytest
from azure.core.exceptions import ServiceResponseError

from do_platform.api.client import RateLimitPacingPolicy, RateLimitState, make_client, resolve_endpoint, resolve_token
from do_platform.errors import ConfigError


def test_plain_http_is_refused_off_loopback():
    with pytest.raises(ConfigError, match="plain http on a non-loopback host"):
        resolve_endpoint("http://api.example.com")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8089", "http://localhost:1", "http://[::1]:9", "https://x.example"])


def test_https_anywhere_and_http_on_loopback_are_accepted(url):
    assert resolve_endpoint(url) == url


def test_endpoint_comes_from_environment(monkeypatch):
    monkeypatch.setenv("DIGITALOCEAN_API_URL", "http://127.0.0.1:1234/")
    assert resolve_endpoint() == "http://127.0.0.1:1234"


def test_token_falls_back_to_access_token_and_names_both_when_missing(monkeypatch):
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="DIGITALOCEAN_TOKEN.*DIGITALOCEAN_ACCESS_TOKEN"):
        resolve_token()
    monkeypatch.setenv("DIGITALOCEAN_ACCESS_TOKEN", "abc")
    assert resolve_token() == "abc"


def test_token_whitespace_around_is_dropped_and_inside_is_refused_without_echoing_it(monkeypatch):
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
    assert resolve_token("dop_v1_abc\r\n") == "dop_v1_abc"
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", " dop_v1_env\n")
    assert resolve_token() == "dop_v1_env"
    for bad, source in (("dop_v1_se cret", "--token"), ("dop_v1_se\ncret", "--token"), ("dop_v1_sé", "--token")):
        with pytest.raises(ConfigError) as err:
            resolve_token(bad)
        assert source in err.value.message and "cret" not in err.value.message and "sé" not in err.value.message
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", "dop_v1_se\ncret")
    with pytest.raises(ConfigError, match="from DIGITALOCEAN_TOKEN contains a space, control"):
        resolve_token()


def test_pacing_is_free_while_plenty_remains():
    policy = RateLimitPacingPolicy()
    assert policy.header_wait(RateLimitState(5000, 4000, 3600), now=0) == 0.0


def test_pacing_spreads_the_last_requests_and_waits_for_reset_at_the_reserve():
    policy = RateLimitPacingPolicy(reserve=5)
    assert policy.header_wait(RateLimitState(5000, 105, 100), now=0) == pytest.approx(1.0)
    assert policy.header_wait(RateLimitState(5000, 5, 100), now=40) == pytest.approx(60)


def test_max_per_minute_spaces_requests():
    slept = []
    now = [1000.0]
    policy = RateLimitPacingPolicy(max_per_minute=120, sleep=slept.append, clock=lambda: now[0])
    for _ in range(3):
        policy.on_request(None)
    assert slept == [pytest.approx(0.5), pytest.approx(1.0)]


def test_factory_talks_to_the_emulator(client):
    assert client.account.get()["account"]["status"] == "active"


def test_factory_refuses_before_any_request_without_token(monkeypatch):
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
    with pytest.raises(ConfigError):
        make_client(endpoint="http://127.0.0.1:1")


def test_timeout_bounds_each_attempt(emulator):
    emulator.control.add_fault(match=r"^GET /v2/account", latency_ms=1500, count=1)
    quick = make_client(token="t", endpoint=emulator.url, timeout=0.3, retry_total=0)
    started = time.monotonic()
    with pytest.raises(ServiceResponseError):
        quick.account.get()
    assert time.monotonic() - started < 1.2


def test_eta_is_the_pace_within_the_budget_and_the_reset_beyond_it():
    """Long runs show an ETA from the rate budget: 250/min spacing, and past ratelimit-remaining the wait for
    ratelimit-reset plus an hourly window per ratelimit-limit requests."""
    now = [1000.0]
    policy = RateLimitPacingPolicy(max_per_minute=250, clock=lambda: now[0], reserve=5)
    assert policy.eta(500) == pytest.approx(120.0)  # no headers yet: the 250/min spacing
    policy.state = RateLimitState(limit=5000, remaining=4005, reset_epoch=1600)
    assert policy.eta(1000) == pytest.approx(240.0)  # within the budget
    policy.state = RateLimitState(limit=5000, remaining=105, reset_epoch=1600)
    assert policy.eta(50) == pytest.approx(12.0)
    assert policy.eta(200) == pytest.approx(600.0)  # 100 now, then the reset in 600 s
    assert policy.eta(100 + 4995 + 1) == pytest.approx(600.0 + 3600.0)  # one more hourly window


def test_eta_follows_the_pace_seen_when_it_is_slower():
    now = [0.0]
    policy = RateLimitPacingPolicy(clock=lambda: now[0], sleep=lambda s: None)
    for _ in range(10):
        policy.on_request(None)
    now[0] = 5.0  # 10 requests in 5 s
    assert policy.eta(20) == pytest.approx(10.0)


def test_the_factory_exposes_its_pacing_for_progress(emulator):
    client = make_client(token="t", endpoint=emulator.url, max_per_minute=600)
    client.account.get()
    assert client.pacing.requests == 1 and client.pacing.min_interval == pytest.approx(0.1)


def test_a_caller_without_a_token_flag_is_not_told_to_pass_one(monkeypatch):
    monkeypatch.delenv("DIGITALOCEAN_TOKEN", raising=False)
    monkeypatch.delenv("DIGITALOCEAN_ACCESS_TOKEN", raising=False)
    with pytest.raises(ConfigError, match="pass --token or set DIGITALOCEAN_TOKEN"):
        make_client()
    with pytest.raises(ConfigError) as err:
        make_client(token_flag=None)
    assert "--token" not in err.value.message and "environment" in err.value.message
    assert "DIGITALOCEAN_TOKEN" in err.value.message and "DIGITALOCEAN_ACCESS_TOKEN" in err.value.message
