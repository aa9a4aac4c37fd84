"""The account behind the token: limits that preflight checks read."""

from __future__ import annotations

from emulator.core.errors import Unprocessable
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
SEEDABLE = set(DEFAULT_ACCOUNT)


class AccountBackend(Backend):
    name = "account"

    def reset(self) -> None:
        self.data = {"account": dict(DEFAULT_ACCOUNT)}

    def get(self) -> dict:
        return self.data["account"]

    def seed(self, payload: dict) -> dict:
        unknown = sorted(set(payload) - SEEDABLE)
        if unknown:
            raise Unprocessable(f"unknown account fields {unknown}; allowed: {sorted(SEEDABLE)}")
        if "status" in payload and payload["status"] not in ("active", "warning", "locked"):
            raise Unprocessable("status must be one of active, warning, locked")
        self.data["account"].update(payload)
        return {"account": public(self.data["account"])}
