"""Typed results of the MCP tools: the shapes the operations already print with ``--json``.

Each model validates an operation's ``to_json()`` (the same document ``do-platform <command> --json``
prints), so the server publishes an output schema without a second copy of the operation's logic.
``extra="allow"``: a field an operation adds later passes through instead of being dropped.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Result(BaseModel):
    model_config = ConfigDict(extra="allow")


class Finding(Result):
    """A guardrail finding of the plan: the rule, the resource it blames, the message, the enforcement."""

    rule: str
    message: str
    urn: str | None = None
    enforcement: str


class PlanResourceResult(Result):
    urn: str
    type: str
    name: str
    component: str | None
    protect: bool
    key_inputs: dict[str, Any]
    inputs: dict[str, Any] | None = Field(None, description="every input (secrets masked); only with "
                                                             "include_inputs")
    monthly: float | None = Field(description="monthly list price; null when it cannot be known")
    price_basis: str
    price_source: str
    violations: list[dict[str, Any]] = []
    monthly_max: float | None = Field(None, description="the ceiling when the price is a range (an autoscale pool "
                                                        "at maxInstances); null for a fixed price")


class PlanComponentResult(Result):
    urn: str | None
    type: str
    name: str
    monthly: float
    unknown: int
    resources: list[str]
    monthly_max: float | None = Field(None, description="the ceiling when a resource in it is priced as a range")


class PlanResult(Result):
    stack: str
    environment: str
    enforcement: str
    blocking: bool = Field(description="true when a mandatory guardrail is broken (`pulumi up` would stop)")
    monthly: float = Field(description="sum of the known monthly prices")
    unknown: int = Field(description="resources whose price is unknown (not counted in monthly)")
    monthly_max: float | None = Field(None, description="the total with every autoscale pool at maxInstances; "
                                                        "null when nothing is priced as a range")
    currency: str
    prices_as_of: str
    price_sources: dict[str, str]
    price_notes: list[str]
    violations: list[Finding]
    components: list[PlanComponentResult]
    resources: list[PlanResourceResult]


class CheckResult(Result):
    name: str
    status: str = Field(description="ok, warn, fail or skip")
    detail: str
    fix: str = ""


class PreflightResult(Result):
    stack: str
    region: str
    passed: bool
    planned: dict[str, int]
    checks: list[CheckResult]


class ResourceStatusResult(Result):
    kind: str
    name: str
    id: str
    state: str
    healthy: bool
    detail: str = ""


class StatusResult(Result):
    stack: str
    project: str | None
    healthy: bool
    resources: list[ResourceStatusResult]
    notes: list[str]


class RetentionPolicyResult(Result):
    keep_last: int
    keep_days: float
    keep_patterns: list[str]


class RepositoryCleanupResult(Result):
    repository: str
    expired_tags: list[dict[str, str]]
    delete_manifests: list[str]
    delete_tags: list[dict[str, str]]
    kept_tags: int
    protected_children: list[str]
    untagged_collectable: int
    bytes_freed_estimate: int
    manifests_deleted: int
    tags_deleted: int
    already_gone: int


class GarbageCollectionResult(Result):
    uuid: str | None
    status: str
    type: str
    freed_bytes: int
    blobs_deleted: int
    message: str


class CleanupResult(Result):
    registry: str
    applied: bool = Field(description="false for a dry run: nothing was deleted")
    policy: RetentionPolicyResult
    totals: dict[str, int]
    repositories: list[RepositoryCleanupResult]
    garbage_collection: GarbageCollectionResult | None
    warnings: list[str]


class PinnedImageResult(Result):
    app: str
    registry: str
    repository: str
    tag: str | None
    digest: str
    resolved_from: str = Field(description="tag (looked up) or digest (verified)")


class PromoteResult(Result):
    source: str
    target: str
    path: str
    images: list[PinnedImageResult]
    diff: str = Field(description="unified diff of the target's stack file")
    changed: bool
    written: bool = Field(description="false for a dry run: the stack file is untouched")
    notes: list[str]


class PriceResult(Result):
    kind: str
    slug: str | None
    count: int
    monthly: float | None = Field(description="monthly list price for `count` units; null when unknown")
    basis: str
    source: str
    currency: str
    prices_as_of: str
    notes: list[str] = Field([], description="live refresh notes (a family the API could not price)")
