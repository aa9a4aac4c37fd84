"""Spaces access keys: per-bucket grants (read, readwrite) or full access, the secret shown once.

The secret is answered by the create only and kept out of the state file's public views (it is a
``_`` field, as the API never shows it again). Lists filter by name, bucket and permission and sort by
name or creation time, as ``GET /v2/spaces/keys`` does.
"""

from __future__ import annotations

import string

from emulator.core import validate as v
from emulator.core.errors import Unprocessable
from emulator.core.state import Backend, public

PERMISSIONS = ("read", "readwrite", "fullaccess")
KEY_ALPHABET = string.ascii_uppercase + string.digits
SECRET_ALPHABET = string.ascii_letters + string.digits + "+/"
SORTS = ("name", "created_at")


class SpacesKeysBackend(Backend):
    name = "spaces_keys"

    def reset(self) -> None:
        self.data = {"keys": {}}

    def get(self, access_key: str) -> dict:
        return self.get_or_404("keys", access_key, "Spaces key")

    def _random(self, alphabet: str, length: int) -> str:
        rnd = self.ids.random()
        return "".join(rnd.choice(alphabet) for _ in range(length))

    def create(self, body: dict) -> dict:
        name = self._name(body)
        grants = self._grants(body)
        access_key = "DO" + self._random(KEY_ALPHABET, 18)
        record = {"name": name, "grants": grants, "access_key": access_key, "created_at": self.now(),
                  "_secret_key": self._random(SECRET_ALPHABET, 43)}
        self.data["keys"][access_key] = record
        return record

    @staticmethod
    def _name(body: dict) -> str:
        name = v.string(body, "name", required=True)
        if len(name) > 255:
            raise Unprocessable(f"name must be at most 255 characters; got {len(name)}")
        return name

    @staticmethod
    def _grants(body: dict) -> list[dict]:
        raw = body.get("grants")
        if raw is None:
            raise Unprocessable("grants is required: a list of {bucket, permission}; "
                                'full access is [{"bucket": "", "permission": "fullaccess"}]')
        if not isinstance(raw, list) or not raw:
            raise Unprocessable(f"grants must be a non-empty list of {{bucket, permission}}; got {raw!r}")
        grants = []
        for i, grant in enumerate(raw):
            if not isinstance(grant, dict):
                raise Unprocessable(f"grants[{i}] must be an object with bucket and permission")
            bucket = v.string(grant, "bucket", default="", where=f"grants[{i}]")
            permission = v.choice(grant, "permission", PERMISSIONS, required=True, where=f"grants[{i}]")
            if (permission == "fullaccess") != (bucket == ""):
                raise Unprocessable(f'grants[{i}]: fullaccess goes with bucket "" (every bucket); read and '
                                    "readwrite name a bucket")
            grants.append({"bucket": bucket, "permission": permission})
        if any(g["permission"] == "fullaccess" for g in grants) and len(grants) > 1:
            raise Unprocessable("grants: a fullaccess grant stands alone")
        return grants

    def update(self, access_key: str, body: dict, *, partial: bool) -> dict:
        record = self.get(access_key)
        if not partial or body.get("name") is not None:
            record["name"] = self._name(body)
        if not partial or body.get("grants") is not None:
            record["grants"] = self._grants(body)
        return record

    def delete(self, access_key: str) -> None:
        del self.data["keys"][self.get(access_key)["access_key"]]

    def list(self, *, name: str | None, bucket: str | None, permission: str | None, sort: str | None,
             direction: str | None) -> list[dict]:
        if sort not in (None, "", *SORTS):
            raise Unprocessable(f"sort must be one of {', '.join(SORTS)}; got {sort!r}")
        if direction not in (None, "", "asc", "desc"):
            raise Unprocessable(f"sort_direction must be asc or desc; got {direction!r}")
        out = [k for k in self.data["keys"].values()
               if (not name or k["name"] == name)
               and (not bucket or any(g["bucket"] == bucket for g in k["grants"]))
               and (not permission or any(g["permission"] == permission for g in k["grants"]))]
        out.sort(key=lambda k: k[sort or "created_at"], reverse=direction == "desc")  # stable: creation order
        return out

    @staticmethod
    def view(record: dict, *, with_secret: bool = False) -> dict:
        out = public(record)
        if with_secret:
            out["secret_key"] = record["_secret_key"]
        return out
