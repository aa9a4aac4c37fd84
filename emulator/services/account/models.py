"""The account behind the token: limits that preflight checks read."""

from __future__ import annotations

from emulator.core import validate as v
from emulator.core.state import Backend, public

DEFAULT_ACCOUNT = {
    "droplet_limit": 25,
    "floating_ip_limit": 3,
    "volume_limit": 100,
    "email": "emulator@example.com",
    "name": "Emulated Account",
    "uuid": "b6fc48dbf6d9906cace5f8c8c4d5fe0d2ba0a0a7",
    "email_verified": True,
    "status": "active",
    "status_message": "",
    "team": {"uuid": "5df3e3004a17e242b7c20ca6c9fc25b701a47ece", "name": "Emulated Team"},
}
SEED_SCHEMA = {
    "droplet_limit": v.is_integer(minimum=0), "floating_ip_limit": v.is_integer(minimum=0),
    "volume_limit": v.is_integer(minimum=0), "email": v.is_string, "name": v.is_string, "uuid": v.is_string,
    "email_verified": v.is_boolean, "status": v.is_enum(("active", "warning", "locked")),
    "status_message": v.is_string,
    "team": v.is_object({"uuid": v.is_string, "name": v.is_string}, required=("uuid", "name")),
}


class AccountBackend(Backend):
    name = "account"

    def reset(self) -> None:
        self.data = {"account": dict(DEFAULT_ACCOUNT)}

    def get(self) -> dict:
        return self.data["account"]

    def seed(self, payload: dict) -> dict:
        v.check_object(payload, SEED_SCHEMA)
        self.data["account"].update({k: val for k, val in payload.items() if val is not None})
        return {"account": public(self.data["account"])}
