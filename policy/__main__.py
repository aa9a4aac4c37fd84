"""The do-platform guardrails as a Pulumi CrossGuard pack.

``pulumi preview --policy-pack policy``. The stack's ``do-platform:environment`` and
``do-platform:policyEnforcement`` pick the prod-only rules and the enforcement level (advisory in dev,
mandatory in prod); the rule functions are the ones ``do-platform plan`` runs offline.

Which stack? Engines that start the pack through a language host do not pass ``PULUMI_STACK`` or
``PULUMI_CONFIG`` to it, so the stack is read from each resource's URN
(``urn:pulumi:<stack>::<project>::...``) and its config from ``Pulumi.<stack>.yaml``; the environment
is used when it names the same stack. Because an enforcement level is fixed when the pack starts,
each rule is registered twice, advisory (``<rule>``) and mandatory (``<rule>-mandatory``), and only
the copy matching the resource's stack reports.
"""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from pulumi_policy import (  # noqa: E402
    EnforcementLevel,
    PolicyPack,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError  # noqa: E402

from do_platform import guardrails  # noqa: E402

PACK_NAME = "do-platform-guardrails"
LEVELS = {"advisory": EnforcementLevel.ADVISORY, "mandatory": EnforcementLevel.MANDATORY,
          "disabled": EnforcementLevel.DISABLED}


def stack_context(environ=os.environ, stack: str | None = None) -> guardrails.StackContext:
    """A stack's context: the engine's environment when it names this stack, else its Pulumi.<stack>.yaml."""
    env_stack = (environ.get("PULUMI_STACK") or "").rsplit("/", 1)[-1] or None
    stack = stack or env_stack or "dev"
    config: dict = {}
    if env_stack == stack:
        try:
            config = json.loads(environ.get("PULUMI_CONFIG") or "{}")
        except ValueError:
            config = {}
    if not config and (REPO_ROOT / f"Pulumi.{stack}.yaml").is_file():
        from do_platform.stack_files import read_stack_config

        config = read_stack_config(stack, REPO_ROOT)
    return guardrails.StackContext.from_config(stack, config)


def stack_of_urn(urn: str | None) -> str | None:
    """``urn:pulumi:<stack>::<project>::<type>::<name>`` → ``<stack>`` (None for anything else)."""
    head = (urn or "").split("::", 1)[0]
    prefix = "urn:pulumi:"
    if not head.startswith(prefix):
        return None
    return head[len(prefix):] or None


@functools.lru_cache(maxsize=32)
def _context_of_stack(stack: str) -> guardrails.StackContext:
    return stack_context(os.environ, stack)


def context_for(urn: str | None, default: guardrails.StackContext) -> guardrails.StackContext:
    """The context of the stack a resource belongs to; ``default`` when its URN names none."""
    stack = stack_of_urn(urn)
    if stack is None or stack == default.stack:
        return default
    return _context_of_stack(stack)


def _reports_at(level: EnforcementLevel, ctx: guardrails.StackContext) -> bool:
    return LEVELS[ctx.enforcement.value] is level


def _policy_name(name: str, level: EnforcementLevel) -> str:
    return name if level is EnforcementLevel.ADVISORY else f"{name}-mandatory"


def raw_props(value):
    """The pack SDK's unknown-checking proxies unwrapped: unknown values stay as the engine's sentinels,
    so a rule can judge what is known instead of the SDK skipping it at the first unknown."""
    if type(value).__name__ in ("_DictProxy", "_ListProxy"):
        value = value["__target"]
    if isinstance(value, dict):
        return {k: raw_props(v) for k, v in value.items()}
    if isinstance(value, list):
        return [raw_props(v) for v in value]
    return value


def _resource_policy(rule: guardrails.ResourceRule, default: guardrails.StackContext,
                     level: EnforcementLevel) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        ctx = context_for(args.urn, default)
        if not _reports_at(level, ctx):
            return
        protect = bool(args.opts.protect) if args.opts is not None else None
        try:
            messages = rule.check(args.resource_type, args.props, ctx, protect)
        except UnknownValueError as err:  # the SDK would report an advisory note and let it pass
            messages = [f"cannot be checked during preview ({err.message}); it is checked again on `up`"
                        + (": mandatory guardrails fail closed" if level is EnforcementLevel.MANDATORY else "")]
        for message in messages:
            report_violation(message, None)

    return ResourceValidationPolicy(name=_policy_name(rule.name, level), description=rule.description,
                                    validate=validate, enforcement_level=level)


def _database_network_policy(default: guardrails.StackContext, level: EnforcementLevel) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        if not args.resources:
            return
        ctx = context_for(args.resources[0].urn, default)
        if not _reports_at(level, ctx):
            return
        resources = []
        for r in args.resources:
            refs = frozenset(dep.urn for deps in (r.property_dependencies or {}).values() for dep in deps)
            resources.append(guardrails.StackResource(
                urn=r.urn, type=r.resource_type, props=raw_props(r.props), parent=r.parent.urn if r.parent else None,
                refs=refs, protect=bool(r.opts.protect) if r.opts is not None else False))
        for violation in guardrails.database_network(resources, ctx):
            report_violation(violation.message, violation.urn)

    return StackValidationPolicy(name=_policy_name(guardrails.DATABASE_NETWORK, level),
                                 description=guardrails.DATABASE_NETWORK_DESCRIPTION, validate=validate,
                                 enforcement_level=level)


STACK_FILE_SECRETS = "stack-file-secrets"


def stack_file_secret_findings(stack: str, root: Path = REPO_ROOT) -> list[str]:
    """Secrets in clear in the committed ``Pulumi.<stack>.yaml`` (the rule is ``config.plaintext_secrets``;
    config loading refuses the same file). Values are never part of a message."""
    from do_platform.config import plaintext_secrets, secret_command
    from do_platform.errors import ConfigError
    from do_platform.stack_files import read_stack_config

    if not (root / f"Pulumi.{stack}.yaml").is_file():
        return []
    try:
        raw = read_stack_config(stack, root)
    except ConfigError as err:
        return [f"Pulumi.{stack}.yaml cannot be checked for secrets in clear: {err.message}"]
    return [f"{key} is a secret in clear in Pulumi.{stack}.yaml (committed); store it encrypted: "
            f"{secret_command(key, stack)}" for key in plaintext_secrets(raw)]


def _stack_file_secrets_policy(default: guardrails.StackContext, level: EnforcementLevel) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        ctx = context_for(args.resources[0].urn if args.resources else None, default)
        if not _reports_at(level, ctx):
            return
        for message in stack_file_secret_findings(ctx.stack):
            report_violation(message, None)

    return StackValidationPolicy(name=_policy_name(STACK_FILE_SECRETS, level),
                                 description="digitalocean:token and appSecrets are stored encrypted "
                                             "(pulumi config set --secret), never in clear in the stack file",
                                 validate=validate, enforcement_level=level)


def stack_file_policies(default: guardrails.StackContext) -> list:
    """Checks of the committed stack file itself (not of resources), advisory and mandatory like the rest."""
    return [_stack_file_secrets_policy(default, level)
            for level in (EnforcementLevel.ADVISORY, EnforcementLevel.MANDATORY)]


def build_policies(default: guardrails.StackContext) -> list:
    """Every guardrail as a CrossGuard policy, once advisory and once mandatory (see the module docstring)."""
    policies: list = []
    for level in (EnforcementLevel.ADVISORY, EnforcementLevel.MANDATORY):
        policies += [_resource_policy(rule, default, level) for rule in guardrails.RESOURCE_RULES]
        policies.append(_database_network_policy(default, level))
    return policies


def enforcement_level(ctx: guardrails.StackContext) -> EnforcementLevel:
    return LEVELS[ctx.enforcement.value]


if __name__ == "__main__":
    CONTEXT = stack_context()
    # Each policy carries its own level; the pack's level only applies to policies that set none.
    PolicyPack(name=PACK_NAME, enforcement_level=EnforcementLevel.ADVISORY,
               policies=build_policies(CONTEXT) + stack_file_policies(CONTEXT))
