"""The do-platform guardrails as a Pulumi CrossGuard pack.

``pulumi preview --policy-pack policy`` runs this file with the stack's name (``PULUMI_STACK``) and
config (``PULUMI_CONFIG``) in the environment. The stack's ``do-platform:environment`` and
``do-platform:policyEnforcement`` pick the prod-only rules and the enforcement level (advisory in dev,
mandatory in prod); the rule functions are the ones ``do-platform plan`` runs offline.
"""

from __future__ import annotations

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

from do_platform import guardrails  # noqa: E402

PACK_NAME = "do-platform-guardrails"
LEVELS = {"advisory": EnforcementLevel.ADVISORY, "mandatory": EnforcementLevel.MANDATORY,
          "disabled": EnforcementLevel.DISABLED}


def stack_context(environ=os.environ) -> guardrails.StackContext:
    """The stack being previewed, from the engine's environment, else from its Pulumi.<stack>.yaml."""
    stack = (environ.get("PULUMI_STACK") or "dev").rsplit("/", 1)[-1]
    try:
        config = json.loads(environ.get("PULUMI_CONFIG") or "{}")
    except ValueError:
        config = {}
    if not config and (REPO_ROOT / f"Pulumi.{stack}.yaml").is_file():
        from do_platform.stack_files import read_stack_config

        config = read_stack_config(stack, REPO_ROOT)
    return guardrails.StackContext.from_config(stack, config)


def _resource_policy(rule: guardrails.ResourceRule, ctx: guardrails.StackContext) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        protect = bool(args.opts.protect) if args.opts is not None else None
        for message in rule.check(args.resource_type, args.props, ctx, protect):
            report_violation(message, None)

    return ResourceValidationPolicy(name=rule.name, description=rule.description, validate=validate)


def _database_network_policy(ctx: guardrails.StackContext) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        resources = []
        for r in args.resources:
            refs = frozenset(dep.urn for deps in (r.property_dependencies or {}).values() for dep in deps)
            resources.append(guardrails.StackResource(
                urn=r.urn, type=r.resource_type, props=r.props, parent=r.parent.urn if r.parent else None,
                refs=refs, protect=bool(r.opts.protect) if r.opts is not None else False))
        for violation in guardrails.database_network(resources, ctx):
            report_violation(violation.message, violation.urn)

    return StackValidationPolicy(name=guardrails.DATABASE_NETWORK,
                                 description=guardrails.DATABASE_NETWORK_DESCRIPTION, validate=validate)


def build_policies(ctx: guardrails.StackContext) -> list:
    """Every guardrail as a CrossGuard policy, bound to the stack's context."""
    return [_resource_policy(rule, ctx) for rule in guardrails.RESOURCE_RULES] + [_database_network_policy(ctx)]


def enforcement_level(ctx: guardrails.StackContext) -> EnforcementLevel:
    return LEVELS[ctx.enforcement.value]


if __name__ == "__main__":
    CONTEXT = stack_context()
    PolicyPack(name=PACK_NAME, enforcement_level=enforcement_level(CONTEXT), policies=build_policies(CONTEXT))
