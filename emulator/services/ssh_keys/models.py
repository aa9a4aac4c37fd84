"""SSH keys of the account, addressed by int id or by MD5 fingerprint.

Droplets resolve their ``ssh_keys`` (ints and fingerprints mixed) with :meth:`SshKeysBackend.resolve`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct

from emulator.core.errors import Unprocessable, not_found, require
from emulator.core.state import Backend, public

KEY_TYPES = ("ssh-rsa", "ssh-dss", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
             "ecdsa-sha2-nistp521", "sk-ssh-ed25519@openssh.com", "sk-ecdsa-sha2-nistp256@openssh.com")
NAME_MAX = 255


def fingerprint(public_key: str) -> str:
    """Colon-separated hex MD5 of the decoded key blob; 422 when the key does not parse."""
    parts = str(public_key).strip().split()
    if len(parts) < 2 or parts[0] not in KEY_TYPES:
        raise Unprocessable(f"public_key is invalid: it must start with one of {', '.join(KEY_TYPES)} "
                            "followed by the base64 key")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise Unprocessable("public_key is invalid: the key body is not valid base64") from None
    if len(blob) < 4:
        raise Unprocessable("public_key is invalid: the key body is too short")
    (length,) = struct.unpack(">I", blob[:4])
    if blob[4:4 + length].decode("latin-1") != parts[0]:
        raise Unprocessable(f"public_key is invalid: the key body does not encode a {parts[0]} key")
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i:i + 2] for i in range(0, 32, 2))


class SshKeysBackend(Backend):
    name = "ssh_keys"

    def reset(self) -> None:
        self.data = {"keys": {}}

    def _find(self, ref) -> dict | None:
        ref = str(ref)
        if ref.isdigit():
            return self.table("keys").get(ref)
        for record in self.table("keys").values():
            if record["fingerprint"] == ref:
                return record
        return None

    def get(self, ref) -> dict:
        record = self._find(ref)
        if record is None:
            raise not_found("ssh key", ref)
        return public(record)

    def list(self) -> list[dict]:
        return [public(k) for k in self.table("keys").values()]

    def create(self, body: dict) -> dict:
        require(body, "name", "public_key")
        name = self._valid_name(body["name"])
        key = str(body["public_key"]).strip()
        fp = fingerprint(key)
        if self._find(fp) is not None:
            raise Unprocessable("SSH Key is already in use on your account")
        key_id = self.ids.next_int("ssh_key", start=512189)
        record = {"id": key_id, "fingerprint": fp, "public_key": key, "name": name}
        self.table("keys")[str(key_id)] = record
        return public(record)

    def update(self, ref, body: dict) -> dict:
        record = self._find(ref)
        if record is None:
            raise not_found("ssh key", ref)
        if body.get("name") not in (None, ""):
            record["name"] = self._valid_name(body["name"])
        return public(record)

    def delete(self, ref) -> None:
        record = self._find(ref)
        if record is None:
            raise not_found("ssh key", ref)
        del self.table("keys")[str(record["id"])]

    def resolve(self, refs, field: str = "ssh_keys") -> list[dict]:
        """Keys for a droplet create: each ref an int id or a fingerprint; 422 naming the unknown one."""
        if refs in (None, ""):
            return []
        if not isinstance(refs, list):
            raise Unprocessable(f"{field} must be a list of key ids or fingerprints; got {refs!r}")
        out = []
        for ref in refs:
            record = self._find(ref) if isinstance(ref, (int, str)) and not isinstance(ref, bool) else None
            if record is None:
                raise Unprocessable(f"{field}: {ref!r} is not the id or fingerprint of a key on this account")
            out.append(public(record))
        return out

    @staticmethod
    def _valid_name(name) -> str:
        name = str(name)
        if len(name) > NAME_MAX:
            raise Unprocessable(f"name must be at most {NAME_MAX} characters")
        return name
