"""Where a bearer token may go: one rule (``normalise_endpoint``), applied to every way an endpoint arrives.

The corpus is parser differentials: URLs that different parsers (``urllib.parse``, urllib3 which sends the
request, Go's ``net/url``, resolvers) read as different hosts. Each is refused with a clear message by the
flag, the environment variable and the stack key alike; what is accepted is sent exactly as normalised,
and urllib3 (the sender) reads the normalised URL as the same scheme, host and port.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner
from urllib3.util import parse_url

from do_platform.api.client import make_client, resolve_endpoint
from do_platform.api.endpoints import EndpointError, normalise_endpoint
from do_platform.cli.main import app
from do_platform.config import load_stack_config
from do_platform.errors import ConfigError
from do_platform.offline import project_defaults, read_stack_config
from tests.api.endpoint_corpus import ACCEPTED, PORT, REFUSED


@pytest.mark.parametrize("url", REFUSED)
def test_the_rule_refuses_every_parser_differential(url):
    with pytest.raises(EndpointError):
        normalise_endpoint(url)


@pytest.mark.parametrize(("url", "normalised"), ACCEPTED.items())
def test_accepted_urls_are_normalised_and_the_sender_reads_them_the_same_way(url, normalised):
    assert normalise_endpoint(url) == normalised
    sent = parse_url(normalised)  # urllib3, under requests under azure-core: the code that connects
    assert f"{sent.scheme}://{sent.netloc}{sent.path or ''}" == normalised
    assert sent.auth is None and sent.query is None and sent.fragment is None


def test_a_root_url_is_required_where_the_sdk_resolves_paths_against_the_root():
    with pytest.raises(EndpointError, match="path"):
        normalise_endpoint("https://proxy.example/do-api", allow_path=False)


@pytest.mark.parametrize("url", REFUSED)
def test_refused_by_the_client_factory_with_the_argument_and_the_environment(monkeypatch, url):
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", "dop_v1_secret-token")
    if not url:
        return  # an empty --api-url or variable means "not set": the public API
    with pytest.raises(ConfigError, match="API endpoint") as argument:
        make_client(endpoint=url)
    assert "s3cr3tpw" not in argument.value.message and "secret-token" not in argument.value.message
    if "\x00" not in url:  # an environment cannot hold NUL
        monkeypatch.setenv("DIGITALOCEAN_API_URL", url)
        with pytest.raises(ConfigError, match="DIGITALOCEAN_API_URL"):
            make_client()


def test_the_client_sends_the_normalised_url(monkeypatch):
    monkeypatch.setenv("DIGITALOCEAN_TOKEN", "t")
    client = make_client(endpoint=f"HTTP://LOCALHOST:{PORT}/")
    assert client._client._base_url == f"http://localhost:{PORT}"
    assert resolve_endpoint(f"HTTP://LOCALHOST:{PORT}/") == f"http://localhost:{PORT}"


runner = CliRunner()


@pytest.mark.parametrize("url", [u for u in REFUSED if u and "\x00" not in u])
@pytest.mark.parametrize("via", ["flag", "env"])
def test_the_cli_refuses_them_with_a_message_not_a_request(monkeypatch, url, via):
    monkeypatch.delenv("DO_PLATFORM_DEBUG", raising=False)
    args, env = ["registry", "cleanup", "--registry", "reg"], {"DIGITALOCEAN_TOKEN": "dop_v1_secret-token"}
    if via == "flag":
        args = ["--api-url", url, *args]
    else:
        env["DIGITALOCEAN_API_URL"] = url
    result = runner.invoke(app, args, env=env)
    assert result.exit_code != 0
    assert "API endpoint" in result.stderr and "Traceback" not in result.output
    assert "secret-token" not in result.output and "s3cr3tpw" not in result.output


def _stack_with_endpoint(url: str) -> dict:
    return {**project_defaults(), **read_stack_config("local"), "digitalocean:apiEndpoint": url}


@pytest.mark.parametrize("url", REFUSED)
def test_the_stack_key_refuses_them_naming_the_key(url):
    with pytest.raises(ConfigError, match="digitalocean:apiEndpoint") as err:
        load_stack_config(_stack_with_endpoint(url), "local")
    assert "s3cr3tpw" not in err.value.message


def test_the_provider_is_given_the_normalised_endpoint():
    cfg = load_stack_config(_stack_with_endpoint(f"HTTP://127.0.0.1:{PORT}/"), "local")
    assert cfg.provider.api_endpoint == f"http://127.0.0.1:{PORT}"
