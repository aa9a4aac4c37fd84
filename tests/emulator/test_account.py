"""Account family and the request plumbing every family shares (auth, errors, headers)."""

import httpx


def test_account_round_trip_through_factory(client):
    account = client.account.get()["account"]
    assert account["status"] == "active"
    assert account["droplet_limit"] == 25


def test_seeded_account_limits_are_served(emulator, client):
    emulator.control.seed("account", {"droplet_limit": 3, "status": "warning"})
    account = client.account.get()["account"]
    assert (account["droplet_limit"], account["status"]) == (3, "warning")


def test_missing_token_gets_401_with_error_body(emulator):
    response = httpx.get(f"{emulator.url}/v2/account")
    assert response.status_code == 401
    assert response.json()["id"] == "unauthorized"
    assert set(response.json()) == {"id", "message", "request_id"}


def test_configured_token_rejects_others(emulator):
    emulator.control.configure(token="only-this")
    assert httpx.get(f"{emulator.url}/v2/account", headers={"Authorization": "Bearer other"}).status_code == 401
    ok = httpx.get(f"{emulator.url}/v2/account", headers={"Authorization": "Bearer only-this"})
    assert ok.status_code == 200


def test_ratelimit_headers_are_integers(emulator):
    response = httpx.get(f"{emulator.url}/v2/account", headers={"Authorization": "Bearer t"})
    for name in ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"):
        assert response.headers[name].isdigit(), name
    assert "retry-after" not in response.headers
