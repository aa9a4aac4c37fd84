"""The account's organization: its teams (the account's own first) and the invitations sent with a new team.

Invitations are recorded, not mailed; at most ``DAILY_INVITES`` a day are sent, the rest answer
``daily_invite_limit_reached`` as the API does. The owner role cannot be given by invitation.
"""

from __future__ import annotations

import re
import uuid

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable
from emulator.core.state import Backend

ROLES = ("member", "biller", "billing viewer", "resource viewer", "modifier")
DAILY_INVITES = 50
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class OrganizationsBackend(Backend):
    name = "organizations"

    def reset(self) -> None:
        self.data = {"teams": [], "invites": []}

    def _account(self) -> dict:
        account = links.optional_neighbour(self.state, "account")
        return account.get() if account is not None else {"team": {"uuid": "", "name": ""}, "email": ""}

    def teams(self) -> list[dict]:
        account = self._account()
        own = {"id": 1, "uuid": _as_uuid(account["team"]["uuid"]), "name": account["team"]["name"],
               "email": account["email"],
               "member_count": 1, "status": "joined", "joined_organization_at": "2024-01-01T00:00:00Z"}
        return [own, *[dict(t) for t in self.data["teams"]]]

    def create_team(self, body: dict) -> tuple[dict, dict]:
        name = v.string(body, "name", required=True)
        if any(t["name"] == name for t in self.teams()):
            raise Unprocessable(f"name {name!r} is already used by another team of this organization")
        invitations = []
        for where, item in v.object_list(body, "invitations", "email and role"):
            email = v.string(item, "email", required=True, where=where)
            if not EMAIL.match(email):
                raise Unprocessable(f"{where}.email must be an email address; got {email!r}")
            role = v.string(item, "role", required=True, where=where)
            if role == "owner":
                raise Unprocessable(f"{where}.role: the owner role cannot be given by invitation")
            if role not in ROLES:
                raise Unprocessable(f"{where}.role must be one of {', '.join(ROLES)}; got {role!r}")
            invitations.append((email, role))
        team = {"id": self.ids.next_int("organization-team", 2), "uuid": self.ids.uuid(), "name": name,
                "email": self._account()["email"], "member_count": 1, "status": "joined",
                "joined_organization_at": self.now()}
        self.data["teams"].append(team)
        today = self.now()[:10]
        statuses = {}
        for email, role in invitations:
            sent_today = sum(1 for i in self.data["invites"] if i["at"][:10] == today)
            if sent_today >= DAILY_INVITES:
                statuses[email] = {"status": "daily_invite_limit_reached"}
                continue
            self.data["invites"].append({"team": team["uuid"], "email": email, "role": role, "at": self.now()})
            statuses[email] = {"status": "ok"}
        return {"uuid": team["uuid"], "name": team["name"]}, statuses


def _as_uuid(team_uuid: str) -> str:
    """The account's team id (40 hex digits in ``/v2/account``) in the UUID form organizations use."""
    try:
        return str(uuid.UUID(hex=team_uuid[:32]))
    except ValueError:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, f"do:team:{team_uuid}"))
