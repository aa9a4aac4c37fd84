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

from do_platform.cli.main import app
from do_platform.client import make_client, resolve_endpoint
from do_platform.config import load_stack_config
from do_platform.endpoints import EndpointError, normalise_endpoint
from do_platform.errors import ConfigError
from do_platform.offline import project_defaults, read_stack_config

PORT = 8089
REFUSED = [
    # userinfo: the token goes to whatever host the sender reads
    rf"http://evil.example\@127.0.0.1:{PORT}",
    f"http://evil.example@127.0.0.1:{PORT}",
    f"http://127.0.0.1:{PORT}@evil.example",
    f"http://user:s3cr3tpw@127.0.0.1:{PORT}",
    "https://user@api.digitalocean.com",
    # backslashes
    rf"http://127.0.0.1:{PORT}\@evil.example",
    rf"http:\\127.0.0.1:{PORT}",
    r"http://127.0.0.1\evil.example",
    # '@' in the path, query, fragment
    f"http://127.0.0.1:{PORT}/@evil.example",
    f"http://127.0.0.1:{PORT}?@evil.example",
    f"http://127.0.0.1:{PORT}#@evil.example",
    f"http://127.0.0.1:{PORT}/v2?x=1",
    # percent-encoding and encoded dots in the host
    f"http://127%2E0%2E0%2E1:{PORT}",
    f"http://127.0.0.1%2eevil.example:{PORT}",
    f"http://%31%32%37.0.0.1:{PORT}",
    f"http://evil.example%40127.0.0.1:{PORT}",
    f"http://127.0.0.1:{PORT}/%2e%2e/",
    # IPv6 forms: zone ids, mapped addresses, brackets missing
    f"http://[::1%25eth0]:{PORT}",
    f"http://[fe80::1%eth0]:{PORT}",
    f"http://[::ffff:8.8.8.8]:{PORT}",
    f"http://::1:{PORT}",
    f"http://[::2]:{PORT}",
    # numeric host forms resolvers read as 127.0.0.1 but a DNS name elsewhere
    f"http://0x7f.1:{PORT}",
    f"http://0x7f000001:{PORT}",
    f"http://2130706433:{PORT}",
    f"http://127.1:{PORT}",
    f"http://0177.0.0.1:{PORT}",
    f"http://127.0.0.01:{PORT}",
    f"http://127.0.0.256:{PORT}",
    "https://0x7f.1",
    # names that merely contain a loopback literal
    f"http://127.0.0.1.evil.example:{PORT}",
    f"http://localhost.evil.example:{PORT}",
    f"http://evil-localhost:{PORT}",
    f"http://localhost.:{PORT}",
    # whitespace and control characters anywhere
    f" http://127.0.0.1:{PORT}",
    f"http://127.0.0.1:{PORT} ",
    f"http://127.0.0.1 :{PORT}",
    f"http://evil.example\t@127.0.0.1:{PORT}",
    f"http://evil.example\n@127.0.0.1:{PORT}",
    f"http://127.0.0.1:{PORT}\r\nHost: evil.example",
    f"http://127.0.0.1:{PORT}\x00",
    f"http://ｅvil.example:{PORT}",
    # empty host, bad ports, bad schemes
    "http://",
    f"http://:{PORT}",
    "https:///api.digitalocean.com",
    "http://127.0.0.1:0",
    "http://127.0.0.1:65536",
    "http://127.0.0.1:99999",
    "http://127.0.0.1:08089",
    "http://127.0.0.1:-1",
    "http://127.0.0.1:",
    "http://127.0.0.1:http",
    "ftp://127.0.0.1",
    "file:///etc/passwd",
    "ws://127.0.0.1:1",
    "//127.0.0.1:8089",
    "127.0.0.1:8089",
    "https:api.digitalocean.com",
    "http:/127.0.0.1",
    # plain http off loopback
    "http://api.digitalocean.com",
    "http://10.0.0.1:8089",
    "http://0.0.0.0:8089",
    "HTTP://EVIL.EXAMPLE",
    # dot segments
    f"http://127.0.0.1:{PORT}/../x",
    "",
]
ACCEPTED = {
    "https://api.digitalocean.com": "https://api.digitalocean.com",
    "https://api.digitalocean.com/": "https://api.digitalocean.com",
    "HTTPS://API.DigitalOcean.com": "https://api.digitalocean.com",
    f"http://127.0.0.1:{PORT}": f"http://127.0.0.1:{PORT}",
    f"HTTP://127.0.0.1:{PORT}/": f"http://127.0.0.1:{PORT}",
    f"http://127.1.2.3:{PORT}": f"http://127.1.2.3:{PORT}",
    "http://localhost:1": "http://localhost:1",
    "http://LocalHost:1": "http://localhost:1",
    f"http://[::1]:{PORT}": f"http://[::1]:{PORT}",
    f"http://[0:0:0:0:0:0:0:1]:{PORT}": f"http://[::1]:{PORT}",
    "https://proxy.example:8443/do-api": "https://proxy.example:8443/do-api",
    "https://10.0.0.1:8443": "https://10.0.0.1:8443",
}


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
