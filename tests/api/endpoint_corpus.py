"""The parser-differential URL corpus: what the endpoint rule refuses and how it normalises what it accepts.

A helper module, shared by ``tests/api/test_endpoints.py`` and ``benchmarks/probe_hardening.py``.
"""

from __future__ import annotations

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
