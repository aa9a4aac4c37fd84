"""``RegistryRetention``: the registry cleanup policy as desired state, applied on ``pulumi up``.

Create and update run the same walker as ``do-platform registry cleanup --apply`` (then garbage
collection, unless ``gc`` is false); delete leaves the registry as it is. The API token is a secret
*input*, read inside ``create``/``update``: the provider object that Pulumi serializes into the state
holds no token (it has no state at all), and the token never appears in the outputs.

What is protected is an explicit input, ``protect``: the images every stack deploys, which the
program reads from its own stack files (:func:`do_platform.stack_files.protected_references`). The
provider never looks for stack files itself: installed as a package it would look next to the package,
find none and expire what production pins. An empty ``protect`` is refused unless
``allow_empty_protect`` says that no stack deploys from this registry.

When it runs: with ``apply_on_every_up`` (the default) ``diff`` reports a change on every preview and
``up``, so each ``up`` applies the policy again (new pushes since the last ``up`` are expired on time,
without a policy edit) and each preview says so (``~ update``, reason ``apply_on_every_up``). Set it
false for a stack whose drift check runs ``preview --expect-no-changes``: the policy is then applied
only when an input changes, and the CLI (``do-platform registry cleanup --apply``) keeps up between.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pulumi
from pulumi.dynamic import CheckFailure, CheckResult, CreateResult, DiffResult, ResourceProvider, UpdateResult

from do_platform.api.endpoints import endpoint_problem
from do_platform.errors import ConfigError
from do_platform.ops import registry_cleanup as ops
from do_platform.stack_files import DeployedImage
from do_vocab.names import DIGEST

# Inputs that change what the policy does; the token (rotatable) is deliberately not among them.
POLICY_INPUTS = ("registry", "keep_last", "keep_days", "keep_patterns", "protect", "allow_empty_protect", "gc",
                 "gc_timeout", "api_endpoint", "apply_on_every_up")
RESULT_OUTPUTS = ("manifests_deleted", "tags_deleted", "tags_kept", "gc_status", "freed_bytes", "applied_at")


@dataclass
class RegistryRetentionArgs:
    """Policy inputs; ``protect`` lists every image any stack deploys from this registry
    (``repo@sha256:…`` or ``repo:tag``); empty only with ``allow_empty_protect``."""

    registry: pulumi.Input[str]
    token: pulumi.Input[str] = field(repr=False)  # never in a repr, log line or traceback
    keep_last: int = ops.DEFAULT_KEEP_LAST
    keep_days: float = ops.DEFAULT_KEEP_DAYS
    keep_patterns: Sequence[str] = ops.DEFAULT_KEEP_PATTERNS
    protect: Sequence[pulumi.Input[str]] = field(default_factory=tuple)
    allow_empty_protect: bool = False
    apply_on_every_up: bool = True
    gc: bool = True
    gc_timeout: float = 1800.0
    gc_poll_seconds: float = 5.0
    max_requests_per_minute: int = 250
    api_endpoint: pulumi.Input[str] | None = None


def parse_protect(registry: str, refs: Sequence[str]) -> list[DeployedImage]:
    """``repo@sha256:<hex>`` or ``repo:tag`` → DeployedImage; ConfigError naming ``protect[i]`` otherwise."""
    out = []
    for i, ref in enumerate(refs):
        repo, sep, digest = str(ref).partition("@")
        if sep:
            if not DIGEST.match(digest):
                raise ConfigError(f"protect[{i}] {ref!r}: the digest must be sha256:<64 hex>")
            out.append(DeployedImage(registry=registry, repository=repo, digest=digest, stack="program",
                                     app=f"protect[{i}]"))
            continue
        repo, sep, tag = str(ref).rpartition(":")
        if not sep or not repo or not tag or "/" in tag:
            raise ConfigError(f"protect[{i}] {ref!r}: expected 'repository@sha256:<hex>' or 'repository:tag'")
        out.append(DeployedImage(registry=registry, repository=repo, tag=tag, stack="program", app=f"protect[{i}]"))
    return out


def check_protect_present(props: dict[str, Any]) -> None:
    """An empty protected set is an error unless the caller said no stack deploys from the registry."""
    if not (props.get("protect") or ()) and not props.get("allow_empty_protect"):
        raise ConfigError("protect is empty: retention would expire images the stacks deploy; pass every "
                          "deployed image (do_platform.stack_files.protected_references), or "
                          "allow_empty_protect=True when no stack deploys from this registry")


def policy_of(props: dict[str, Any]) -> ops.RetentionPolicy:
    numbers = {}
    for key, kind, default in (("keep_last", int, ops.DEFAULT_KEEP_LAST), ("keep_days", float, ops.DEFAULT_KEEP_DAYS)):
        value = props.get(key, default)
        try:
            numbers[key] = kind(value)
        except (TypeError, ValueError, OverflowError):  # int(inf) overflows; the ranges live in RetentionPolicy
            raise ConfigError(f"{key} {value!r} is not a finite number; allowed: a number >= 0") from None
    return ops.RetentionPolicy(**numbers, keep_patterns=tuple(props.get("keep_patterns") or ()))


class RegistryRetentionProvider(ResourceProvider):
    """Stateless on purpose: everything, the token included, arrives as inputs."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        failures = []
        if not news.get("registry"):
            failures.append(CheckFailure("registry", "registry is required"))
        if not news.get("token"):
            failures.append(CheckFailure("token", "token is required (a secret input)"))
        endpoint = news.get("api_endpoint")
        problem = endpoint_problem(str(endpoint)) if isinstance(endpoint, str) and endpoint else None
        if problem:
            failures.append(CheckFailure("api_endpoint", f"api_endpoint {endpoint!r}: {problem}"))
        try:
            policy_of(news)
            check_protect_present(news)
            parse_protect(str(news.get("registry") or ""), news.get("protect") or ())
        except ConfigError as err:
            failures.append(CheckFailure(re.match(r"\w+", err.message).group(0), err.message))
        return CheckResult(news, failures)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        """A change when a policy input changed, and on every run when ``apply_on_every_up``."""
        changed = [k for k in POLICY_INPUTS if olds.get(k) != news.get(k)]
        every_up = bool(news.get("apply_on_every_up", True))
        return DiffResult(changes=bool(changed) or every_up, replaces=[k for k in changed if k == "registry"],
                          delete_before_replace=False)

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"{props['registry']}-retention", self._apply(props))

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(self._apply(news))

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        """Removing the policy deletes nothing: images stay as they are."""

    @staticmethod
    def _apply(props: dict[str, Any]) -> dict[str, Any]:
        from do_platform.api.client import make_client
        from do_platform.api.reader import ApiReader

        registry = str(props["registry"])
        policy = policy_of(props)
        check_protect_present(props)
        deployed = parse_protect(registry, props.get("protect") or ())
        api = ApiReader(make_client(token=props["token"], endpoint=props.get("api_endpoint") or None,
                                    max_per_minute=int(props.get("max_requests_per_minute") or 250)))
        report = ops.cleanup(api, registry, policy, deployed=deployed, apply=True, gc=bool(props.get("gc", True)),
                             gc_timeout=float(props.get("gc_timeout", 1800.0)),
                             gc_poll_interval=float(props.get("gc_poll_seconds", 5.0)))
        if report.gc is not None and report.gc.status in ("failed", "cancelled", "cancelling"):
            raise ops.ApiFailure(f"registry {registry}: garbage collection {report.gc.uuid} ended "
                                 f"{report.gc.status}: {report.gc.message}")
        totals = report.totals
        outs = {k: props.get(k) for k in POLICY_INPUTS if k in props}
        outs.update(
            manifests_deleted=sum(r.manifests_deleted for r in report.repositories),
            tags_deleted=sum(r.tags_deleted for r in report.repositories),
            tags_kept=totals["tags_kept"],
            gc_status=report.gc.status if report.gc else "skipped",
            freed_bytes=report.gc.freed_bytes if report.gc else 0,
            applied_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        return outs


class RegistryRetention(pulumi.dynamic.Resource, module="do-platform", name="RegistryRetention"):
    """Keeps a container registry within a retention policy: applied on every ``pulumi up`` (a preview
    shows it as an update) unless ``apply_on_every_up`` is false, then on policy changes only."""

    registry: pulumi.Output[str]
    manifests_deleted: pulumi.Output[int]
    tags_deleted: pulumi.Output[int]
    tags_kept: pulumi.Output[int]
    gc_status: pulumi.Output[str]
    freed_bytes: pulumi.Output[int]
    applied_at: pulumi.Output[str]

    def __init__(self, name: str, args: RegistryRetentionArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        # Bad policy fails here, before the resource is registered (the provider checks again).
        policy_of({"keep_last": args.keep_last, "keep_days": args.keep_days, "keep_patterns": args.keep_patterns})
        check_protect_present({"protect": args.protect, "allow_empty_protect": args.allow_empty_protect})
        if isinstance(args.registry, str) and all(isinstance(ref, str) for ref in args.protect):
            parse_protect(args.registry, args.protect)
        props = {
            "registry": args.registry,
            "token": pulumi.Output.secret(args.token),
            "keep_last": args.keep_last,
            "keep_days": args.keep_days,
            "keep_patterns": list(args.keep_patterns),
            "protect": list(args.protect),
            "allow_empty_protect": args.allow_empty_protect,
            "apply_on_every_up": args.apply_on_every_up,
            "gc": args.gc,
            "gc_timeout": args.gc_timeout,
            "gc_poll_seconds": args.gc_poll_seconds,
            "max_requests_per_minute": args.max_requests_per_minute,
            "api_endpoint": args.api_endpoint,
            **{k: None for k in RESULT_OUTPUTS},
        }
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=["token"]))
        super().__init__(RegistryRetentionProvider(), name, props, opts)
