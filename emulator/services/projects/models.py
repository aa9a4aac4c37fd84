"""Projects: a default project from the start, and each resource URN in exactly one project.

Families call :meth:`ProjectsBackend.assign_default` when they create a resource (the API puts new
resources in the default project) and :meth:`forget` when they delete it. Assigning a URN to a
project moves it out of its previous one; a project with resources cannot be deleted (412).
"""

from __future__ import annotations

import re

from emulator.core.errors import NotFound, PreconditionFailed, Unprocessable, require
from emulator.core.state import Backend, public

PURPOSES = (
    "Just trying out DigitalOcean",
    "Class project / Educational purposes",
    "Website or blog",
    "Web Application",
    "Service or API",
    "Mobile Application",
    "Machine learning / AI / Data processing",
    "IoT",
    "Operational / Developer tooling",
)
ENVIRONMENTS = ("Development", "Staging", "Production")
NAME_MAX = 175
DESCRIPTION_MAX = 255
URN_PATTERN = re.compile(r"^do:([a-z]+):(.+)$")
# URN kind → path of the resource's own URL (links.self of a project resource)
URN_PATHS = {
    "droplet": "/v2/droplets/{id}",
    "volume": "/v2/volumes/{id}",
    "loadbalancer": "/v2/load_balancers/{id}",
    "domain": "/v2/domains/{id}",
    "dbaas": "/v2/databases/{id}",
    "kubernetes": "/v2/kubernetes/clusters/{id}",
    "app": "/v2/apps/{id}",
    "floatingip": "/v2/floating_ips/{id}",
    "reservedip": "/v2/reserved_ips/{id}",
    "space": "/v2/spaces/{id}",
    "vpc": "/v2/vpcs/{id}",
}
# The kinds a project can hold. A VPC has a URN but belongs to no project: assigning one is refused (the
# provider's Project_CreateWithUnacceptedResourceExpectError acceptance test).
ASSIGNABLE_KINDS = tuple(kind for kind in URN_PATHS if kind != "vpc")
OWNER_UUID = "b6fc48dbf6d9906cace5f8c8c4d5fe0d2ba0a0a7"
OWNER_ID = 258992


class ProjectsBackend(Backend):
    name = "projects"

    def reset(self) -> None:
        self.data = {"projects": {}, "assignments": {}}
        record = self._insert({"name": "first-project", "description": "Update your project information under Settings",
                               "purpose": "Just trying out DigitalOcean", "environment": "Development"})
        record["is_default"] = True

    # -- lookups
    def _record(self, project_id: str) -> dict:
        if project_id == "default":
            return self.default_project()
        return self.get_or_404("projects", project_id, "project")

    def default_project(self) -> dict:
        for record in self.table("projects").values():
            if record["is_default"]:
                return record
        raise NotFound("There is no default project.")

    def get(self, project_id: str) -> dict:
        return public(self._record(project_id))

    def list(self) -> list[dict]:
        return [public(p) for p in self.table("projects").values()]

    # -- create / update / delete
    def create(self, body: dict) -> dict:
        require(body, "name", "purpose")
        fields = self._validated(body, partial=False)
        record = self._insert(fields)
        if body.get("is_default") is True:
            self._make_default(record)
        return public(record)

    def update(self, project_id: str, body: dict, *, partial: bool) -> dict:
        record = self._record(project_id)
        if not partial:
            require(body, "name", "purpose")
            for key in ("description", "environment", "is_default"):
                if key not in body:
                    raise Unprocessable(f"{key} is required (PUT replaces every field; use PATCH for some)")
        fields = self._validated(body, partial=True, exclude=record["id"])
        if "is_default" in body and body["is_default"] is not None:
            if not isinstance(body["is_default"], bool):
                raise Unprocessable(f"is_default must be a boolean; got {body['is_default']!r}")
            if record["is_default"] and not body["is_default"]:
                raise Unprocessable("is_default cannot be unset; make another project the default instead")
        record.update(fields)
        if body.get("environment") == "":
            record.pop("environment", None)
        if body.get("is_default") is True:
            self._make_default(record)
        record["updated_at"] = self.now()
        return public(record)

    def delete(self, project_id: str) -> None:
        record = self._record(project_id)
        if record["is_default"]:
            raise PreconditionFailed("cannot delete the default project")
        if any(a["project_id"] == record["id"] for a in self.data["assignments"].values()):
            raise PreconditionFailed("cannot delete a project with resources. Move or remove the resources first")
        del self.table("projects")[record["id"]]

    # -- resources
    def assign(self, project_id: str, urns) -> list[dict]:
        """Put each URN in this project (moving it out of any other); all validated first."""
        record = self._record(project_id)
        if not isinstance(urns, list) or not urns:
            raise Unprocessable("resources is required: a list of URNs such as do:droplet:123")
        for urn in urns:
            self._valid_urn(urn)
        out = []
        for urn in dict.fromkeys(urns):
            assignment = {"project_id": record["id"], "assigned_at": self.now()}
            self.data["assignments"][urn] = assignment
            out.append(self._entry(urn, assignment))
        return out

    def assign_default(self, urn: str) -> None:
        """Where a newly created resource lands (public for every family's create)."""
        self._valid_urn(urn)
        self.data["assignments"][urn] = {"project_id": self.default_project()["id"], "assigned_at": self.now()}

    def forget(self, urn: str) -> None:
        """Drop a deleted resource from its project (no error if unassigned)."""
        self.data["assignments"].pop(urn, None)

    def project_of(self, urn: str) -> str | None:
        assignment = self.data["assignments"].get(urn)
        return assignment["project_id"] if assignment else None

    def resources(self, project_id: str) -> list[dict]:
        record = self._record(project_id)
        return [self._entry(urn, a) for urn, a in self.data["assignments"].items() if a["project_id"] == record["id"]]

    # -- internals
    def _entry(self, urn: str, assignment: dict) -> dict:
        kind, ident = URN_PATTERN.match(urn).groups()
        path = URN_PATHS.get(kind, "/v2/{id}").format(id=ident)
        return {"urn": urn, "assigned_at": assignment["assigned_at"], "links": {"self": path}, "status": "ok"}

    @staticmethod
    def _valid_urn(urn) -> None:
        match = URN_PATTERN.match(urn) if isinstance(urn, str) else None
        if match is None or match.group(1) not in ASSIGNABLE_KINDS:
            raise Unprocessable(f"resource {urn!r} is not a valid URN; expected do:<kind>:<id> with kind one of "
                                f"{', '.join(ASSIGNABLE_KINDS)}")

    def _insert(self, fields: dict) -> dict:
        project_id = self.ids.uuid()
        now = self.now()
        record = {"id": project_id, "owner_uuid": OWNER_UUID, "owner_id": OWNER_ID, "name": fields["name"],
                  "description": fields.get("description", ""), "purpose": fields["purpose"], "is_default": False,
                  "created_at": now, "updated_at": now}
        if fields.get("environment"):  # unset: absent, since the schema's enum has no empty value
            record["environment"] = fields["environment"]
        self.table("projects")[project_id] = record
        return record

    def _make_default(self, record: dict) -> None:
        for other in self.table("projects").values():
            other["is_default"] = other is record
        record["updated_at"] = self.now()

    def _validated(self, body: dict, *, partial: bool, exclude: str | None = None) -> dict:
        fields = {}
        if body.get("name") is not None:
            name = str(body["name"])
            if not name or len(name) > NAME_MAX:
                raise Unprocessable(f"name must be 1-{NAME_MAX} characters; got {len(name)}")
            for other in self.table("projects").values():
                if other["name"] == name and other["id"] != exclude:
                    raise Unprocessable(f"name {name!r} is already used by project {other['id']}")
            fields["name"] = name
        if body.get("description") is not None:
            if len(str(body["description"])) > DESCRIPTION_MAX:
                raise Unprocessable(f"description must be at most {DESCRIPTION_MAX} characters")
            fields["description"] = str(body["description"])
        if body.get("purpose") is not None:
            fields["purpose"] = normalise_purpose(str(body["purpose"]))
        if body.get("environment") not in (None, ""):
            if body["environment"] not in ENVIRONMENTS:
                raise Unprocessable(f"environment must be one of {', '.join(ENVIRONMENTS)}; "
                                    f"got {body['environment']!r}")
            fields["environment"] = body["environment"]
        return fields


def normalise_purpose(purpose: str) -> str:
    """Known purposes are kept; anything else is stored as ``Other: <text>``, as the API does."""
    purpose = purpose.strip()
    if not purpose:
        raise Unprocessable("purpose is required")
    if purpose in PURPOSES or purpose.startswith("Other: "):
        return purpose
    return f"Other: {purpose}"
