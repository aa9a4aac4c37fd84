"""Conformance of the emulator to the API's OpenAPI description (``DO_OPENAPI_SPEC``).

Two checks, used by the test suite (tests/conftest.py, tests/emulator/test_conformance.py):

* :meth:`Spec.has_route` — a route template the emulator serves exists in the spec with that method
  (``{param}`` names are compared by position only);
* :meth:`Spec.response_errors` — a response body validates against the schema the spec gives for its
  operation and status code (``default`` when the code is not listed), with the OpenAPI 3.0
  validator openapi-core itself uses (``openapi_schema_validator.OAS30ReadValidator``, so
  ``nullable``/``readOnly``/``writeOnly`` follow OpenAPI rules), formats included (``date-time``,
  ``uuid``, ``ipv4``, ``email``, ``byte``...).

The spec is loaded once per process and one validator is built per (operation, status), lazily: the
3.6 MB document is never walked as a whole. Spec quirks — places where the API's own schema
disagrees with what the API (and its own examples) return — are listed in :data:`QUIRKS`, each with
the reason; a validation error is forgiven only when a quirk names its operation and field.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

SPEC_ENV = "DO_OPENAPI_SPEC"
METHODS = ("get", "put", "post", "delete", "patch", "head")
IGNORED_PREFIXES = ("/_emulator", "/metadata")


@dataclass(frozen=True)
class Quirk:
    """A known disagreement between the spec's schema and the API's behaviour."""

    operation: str  # operationId, or "*" for every operation
    field: str  # regex matched against the failing instance path, e.g. "^load_balancer/ipv6$"
    reason: str


_APP_URN_REASON = (
    "the spec's urn pattern lists no do:app, yet the API assigns apps to projects (the provider and the "
    "control panel do this) and lists them as do:app:<id>"
)
_PRESERVE_PATH_PREFIX_REASON = (
    "the spec types an ingress rule's component.preserve_path_prefix as a string, but godo (the provider's "
    "client) decodes it into a bool (AppIngressSpecRuleRoutingComponent.PreservePathPrefix), so a string would "
    "fail every app read; the route spec it comes from types it boolean"
)
_REGION_ENUM_REASON = (
    "the spec's region_slug enum (image and snapshot regions) stops at syd1, while the API lists atl1 and ric1 "
    "(the spec's own /v2/databases/options example offers them); the emulator's catalog has every current region"
)
_NAT_MEMBER_REASON = (
    "the spec's member URN pattern predates VPC NAT gateways, which hold their VPCs (a VPC cannot be deleted "
    "under one); the emulator lists them as do:natgateway:<id>"
)
_GLOBAL_LB_RULES_REASON = (
    "the spec gives every load balancer at least one forwarding rule, but a GLOBAL one routes by glb_settings and "
    "is created without any (the provider's GlobalLoadbalancer acceptance tests); the emulator answers [] for it "
    "and still requires rules of a regional one"
)
_UNKNOWN_OS_REASON = (
    "the spec's distribution enum lacks `Unknown OS`, which the API accepts for a custom image and answers with "
    "(the provider offers it and its acceptance suite imports with it)"
)
QUIRKS: tuple[Quirk, ...] = (
    *(Quirk(operation, r"^resources/\d+/urn$", _APP_URN_REASON)
      for operation in ("projects_list_resources", "projects_list_resources_default",
                        "projects_assign_resources", "projects_assign_resources_default")),
    Quirk("*", r"spec/ingress/rules/\d+/component/preserve_path_prefix$", _PRESERVE_PATH_PREFIX_REASON),
    Quirk("*", r"(^|/)regions/\d+$", _REGION_ENUM_REASON),
    Quirk("vpcs_list_members", r"^members/\d+/urn$", _NAT_MEMBER_REASON),
    Quirk("*", r"^load_balancers?/(\d+/)?forwarding_rules$", _GLOBAL_LB_RULES_REASON),
    Quirk("*", r"^images?/(\d+/)?distribution$", _UNKNOWN_OS_REASON),
)


def _forgiven(error, operation_id: str) -> bool:
    """A quirk names this error's operation and field; for a oneOf/anyOf miss, some branch fails only on quirks."""
    where = "/".join(str(p) for p in error.absolute_path)
    if any(q.operation in ("*", operation_id) and re.search(q.field, where) for q in QUIRKS):
        return True
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return False
    branches: dict = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    return any(all(_forgiven(sub, operation_id) for sub in subs) for subs in branches.values())


def _segments(template: str) -> tuple[str, ...]:
    return tuple("{}" if s.startswith("{") and s.endswith("}") else s for s in template.strip("/").split("/"))


# The AI families: out of the emulator's scope (model hosting and inference need no infrastructure rehearsal).
OUT_OF_SCOPE_TAGS = frozenset({"GradientAI Platform", "Dedicated Inference", "Serverless Inference",
                               "Batch Inference", "Agent Inference", "Vector Databases"})


@dataclass
class Coverage:
    total: int
    covered: int
    missing: list  # the Operations not served

    @property
    def percent(self) -> float:
        return 100.0 * self.covered / self.total if self.total else 100.0

    def missing_by_tag(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for op in self.missing:
            out.setdefault(op.tag, []).append(f"{op.method} {op.path}")
        return out


@dataclass
class Operation:
    method: str
    path: str
    operation_id: str
    pointer: str  # JSON pointer of the operation object
    segments: tuple[str, ...]
    tag: str = ""  # the spec's first tag: the API family ("Droplets", "Reserved IPs", ...)


class Spec:
    """The OpenAPI document, indexed by method and path template."""

    def __init__(self, path: str) -> None:
        with open(path, encoding="utf-8") as fh:
            self.document: dict = json.load(fh)
        self.operations: list[Operation] = []
        for spec_path, item in self.document.get("paths", {}).items():
            for method, op in item.items():
                if method in METHODS and isinstance(op, dict):
                    pointer = f"#/paths/{_escape(spec_path)}/{method}"
                    self.operations.append(Operation(method.upper(), spec_path, op.get("operationId", ""), pointer,
                                                     _segments(spec_path), (op.get("tags") or [""])[0]))
        self._by_shape = {(op.method, op.segments): op for op in self.operations}
        self._validators: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._registry = None

    # -- routes
    def has_route(self, method: str, template: str) -> bool:
        return (method.upper(), _segments(template)) in self._by_shape

    def operation_for_template(self, method: str, template: str) -> Operation | None:
        return self._by_shape.get((method.upper(), _segments(template)))

    # -- coverage
    def coverage(self, routes) -> Coverage:
        """Which in-scope operations (every family outside :data:`OUT_OF_SCOPE_TAGS`) ``routes`` serve."""
        served = {(r.method, _segments(r.template)) for r in routes}
        in_scope = [op for op in self.operations if op.tag not in OUT_OF_SCOPE_TAGS]
        missing = [op for op in in_scope if (op.method, op.segments) not in served]
        return Coverage(total=len(in_scope), covered=len(in_scope) - len(missing), missing=missing)

    # -- responses
    def response_errors(self, method: str, template: str, status: int, body: Any) -> list[str]:
        """Messages for every way ``body`` breaks the spec (empty when it conforms or is not checkable)."""
        op = self.operation_for_template(method, template)
        if op is None:
            return []
        responses = self._resolve(f"{op.pointer}/responses")
        key = str(status) if str(status) in responses else ("default" if "default" in responses else None)
        if key is None or (key == "default" and 200 <= status < 300):
            # PyDo raises on any success code its operation does not document

            return [f"{op.operation_id}: status {status} is not documented (documented: {sorted(responses)})"]
        response_pointer = self._follow(f"{op.pointer}/responses/{key}")
        content = self._resolve(response_pointer).get("content") or {}
        if body is None or body == b"":
            return []
        media = next((m for m in content if "json" in m), None)
        if media is None:
            return []  # non-JSON (kubeconfig YAML, ...) or no schema: nothing to validate
        validator = self._validator(f"{response_pointer}/content/{_escape(media)}/schema")
        errors = []
        for error in validator.iter_errors(body):
            where = "/".join(str(p) for p in error.absolute_path)
            if _forgiven(error, op.operation_id):
                continue
            errors.append(f"{op.operation_id} {status} at {where or '<root>'}: {error.message[:300]}")
        return errors

    # -- internals
    def _resolve(self, pointer: str) -> Any:
        node: Any = self.document
        for part in pointer.lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def _follow(self, pointer: str) -> str:
        """The pointer of the object at ``pointer`` after following ``$ref`` chains."""
        node = self._resolve(pointer)
        while isinstance(node, dict) and "$ref" in node:
            pointer = node["$ref"]
            node = self._resolve(pointer)
        return pointer

    def _validator(self, schema_pointer: str):
        with self._lock:
            validator = self._validators.get(schema_pointer)
            if validator is None:
                from openapi_schema_validator import OAS30ReadValidator
                from referencing import Registry, Resource
                from referencing.jsonschema import DRAFT4

                if self._registry is None:
                    self._registry = Registry().with_resource(
                        "urn:do-openapi", Resource.from_contents(self.document, default_specification=DRAFT4))
                validator = OAS30ReadValidator({"$ref": f"urn:do-openapi{schema_pointer}"}, registry=self._registry,
                                               format_checker=OAS30ReadValidator.FORMAT_CHECKER)
                self._validators[schema_pointer] = validator
            return validator


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


def spec_path() -> str | None:
    """The spec file named by ``DO_OPENAPI_SPEC``, or None when unset."""
    return os.environ.get(SPEC_ENV) or None


@lru_cache(maxsize=2)
def load_spec(path: str) -> Spec:
    """Load (once per process) the spec at ``path``."""
    return Spec(path)


def served(template: str) -> bool:
    """Whether a route template belongs to the public API (not the control API or the metadata service)."""
    return not template.startswith(IGNORED_PREFIXES)
