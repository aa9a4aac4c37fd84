"""The droplet metadata service (``169.254.169.254`` on a real droplet), served from droplet state.

There is only one emulator address, so the droplet answered is chosen per request, in this order:
the ``X-Emulator-Droplet-Id`` header, the ``droplet_id`` query parameter, else the most recently
created droplet; 404 when that droplet does not exist (or there is none). The document mirrors
``/metadata/v1.json``; the plain-text tree under ``/metadata/v1/`` is derived from it.
"""

from __future__ import annotations

import hashlib

from emulator.core import links
from emulator.core.errors import NotFound
from emulator.core.routing import Request

NAMESERVERS = ["67.207.67.3", "67.207.67.2"]
VENDOR_DATA = "#cloud-config\ndisable_root: false\nmanage_etc_hosts: true\n"
DROPLET_HEADER = "x-emulator-droplet-id"


def choose_droplet(req: Request) -> dict:
    """The droplet this request speaks for (see the module docstring)."""
    droplets = links.neighbour(req.state, "droplets")
    chosen = req.headers.get(DROPLET_HEADER) or req.arg("droplet_id")
    if chosen:
        if not str(chosen).isdigit() or not droplets.exists(chosen):
            raise NotFound(f"No droplet {chosen} to serve metadata for.")
        return droplets.get(int(chosen))
    latest = droplets.latest()
    if latest is None:
        raise NotFound("No droplet exists yet, so there is no metadata to serve.")
    return droplets.get(latest["id"])


def _mac(droplet_id: int, kind: str) -> str:
    digest = hashlib.sha256(f"{droplet_id}:{kind}".encode()).hexdigest()
    return "ae:" + ":".join(digest[i:i + 2] for i in range(0, 10, 2))


def _anchor(droplet_id: int) -> dict:
    host = droplet_id % 65000 + 5
    return {"ip_address": f"10.19.{host // 256}.{host % 256}", "netmask": "255.255.0.0", "gateway": "10.19.0.1"}


def document(droplet: dict, user_data: str, public_keys: list[str]) -> dict:
    """``/metadata/v1.json`` for one droplet."""
    public, private = [], []
    v6 = droplet["networks"]["v6"]
    for net in droplet["networks"]["v4"]:
        ipv4 = {"ip_address": net["ip_address"], "netmask": net["netmask"], "gateway": net["gateway"]}
        iface = {"ipv4": ipv4, "mac": _mac(droplet["id"], net["type"]), "type": net["type"]}
        if net["type"] == "public":
            iface["anchor_ipv4"] = _anchor(droplet["id"])
            if v6:
                iface["ipv6"] = {"ip_address": v6[0]["ip_address"], "cidr": v6[0]["netmask"],
                                 "gateway": v6[0]["gateway"]}
            public.append(iface)
        else:
            private.append(iface)
    doc = {
        "droplet_id": droplet["id"],
        "hostname": droplet["name"],
        "vendor_data": VENDOR_DATA,
        "public_keys": list(public_keys),
        "auth_key": "",
        "region": droplet["region"]["slug"],
        "interfaces": {"private": private, "public": public},
        "floating_ip": {"ipv4": {"active": False}},
        "reserved_ip": {"ipv4": {"active": False}},
        "dns": {"nameservers": list(NAMESERVERS)},
        "tags": list(droplet["tags"]),
        "features": {"dhcp_enabled": False},
    }
    if user_data:
        doc["user_data"] = user_data
    return doc


def _interface_tree(iface: dict) -> dict:
    tree: dict = {"mac": iface["mac"], "type": iface["type"]}
    for key in ("ipv4", "anchor_ipv4"):
        if key in iface:
            addr = iface[key]
            tree[key] = {"address": addr["ip_address"], "netmask": addr["netmask"], "gateway": addr["gateway"]}
    if "ipv6" in iface:
        addr = iface["ipv6"]
        tree["ipv6"] = {"address": addr["ip_address"], "cidr": str(addr["cidr"]), "gateway": addr["gateway"]}
    return tree


def text_tree(doc: dict) -> dict:
    """The ``/metadata/v1/`` hierarchy: dicts are indexes (listed with a trailing ``/``), strings leaves."""
    tree: dict = {
        "id": str(doc["droplet_id"]),
        "hostname": doc["hostname"],
        "user-data": doc.get("user_data", ""),
        "vendor-data": doc["vendor_data"],
        "public-keys": "\n".join(doc["public_keys"]),
        "region": doc["region"],
        "interfaces": {kind: {str(i): _interface_tree(iface) for i, iface in enumerate(ifaces)}
                       for kind, ifaces in doc["interfaces"].items() if ifaces},
        "dns": {"nameservers": "\n".join(doc["dns"]["nameservers"])},
        "floating_ip": {"ipv4": {"active": "false"}},
        "reserved_ip": {"ipv4": {"active": "false"}},
        "tags": {tag: tag for tag in doc["tags"]},
        "features": {"dhcp_enabled": "false"},
    }
    return tree


def lookup(tree: dict, parts: list[str]) -> str:
    """The text at ``parts``: a leaf's value, or an index listing; 404 when there is no such entry."""
    node: object = tree
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            raise NotFound(f"No metadata at /metadata/v1/{'/'.join(parts)}")
        node = node[part]
    if isinstance(node, dict):
        return "".join(f"{k}/\n" if isinstance(v, dict) else f"{k}\n" for k, v in node.items())
    return node
