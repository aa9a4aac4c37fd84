"""The operations as MCP tools: typed parameters in, the operations' JSON documents out.

Read-only tools are always served: plan, preflight, status, registry cleanup as a dry run, promote as a
dry run, price lookup. The two writing tools (``registry_cleanup_apply``, ``promote_apply``) are registered
only when the server is built with ``allow_writes=True`` (``do-platform mcp --allow-writes``); they call the
same operation functions as the CLI, so the same checks hold (retention policy ranges, deployed images
kept, promotion order, a clean git work tree).

The API token and endpoint come from the server's environment (``DIGITALOCEAN_TOKEN``,
``DIGITALOCEAN_API_URL``) through the project's one client factory; no tool takes a token or an endpoint,
so a model cannot send the token elsewhere. Results and error messages pass :func:`redact` before they
leave, a second guard behind the operations' own rule of never echoing the token.
"""

from __future__ import annotations

import functools
import os
import threading
from pathlib import Path
from typing import Annotated, Any, Literal

from azure.core.exceptions import AzureError
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import BaseModel, Field

from do_platform.api.client import ENDPOINT_ENV_VAR, TOKEN_ENV_VARS, make_client
from do_platform.errors import PlatformError, from_http_error
from do_platform.mcp_server import results
from do_platform.ops.registry_cleanup import DEFAULT_KEEP_DAYS, DEFAULT_KEEP_LAST

SERVER_NAME = "do-platform"
REDACTED = "[redacted]"

READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=True)
OFFLINE = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)
WRITES = ToolAnnotations(readOnlyHint=False, destructiveHint=True, idempotentHint=False, openWorldHint=True)

Stack = Annotated[str, Field(description="stack name, e.g. dev, staging, prod or local (a Pulumi.<stack>.yaml)")]
# The retention policy's parameters, shared by registry_cleanup_plan and registry_cleanup_apply (same policy).
Registry = Annotated[str, Field(description="container registry name (the /v2/registries family)")]
KeepLast = Annotated[int, Field(description="keep the newest N tags of each repository")]
KeepDays = Annotated[float, Field(description="keep tags whose manifest is younger than D days")]
KeepPatterns = Annotated[list[str] | None, Field(description="regexes of tags always kept (added to `latest` and "
                                                             "semantic versions)")]
DefaultPatterns = Annotated[bool, Field(description="keep `latest` and semantic versions")]
Stage = Annotated[str, Field(description="a promotion stage: a stack of do-platform:promotionOrder in Pulumi.yaml "
                                         "(default dev, staging, prod)")]
PriceKind = Literal["droplet", "kubernetes_node_pool", "database_cluster", "app_service", "load_balancer",
                    "volume", "container_registry"]
# One planned resource per kind, shaped like the program's inputs, so the plan's pricing rule prices it.
PRICE_KINDS: dict[str, str] = {
    "droplet": "digitalocean:index/droplet:Droplet",
    "kubernetes_node_pool": "digitalocean:index/kubernetesNodePool:KubernetesNodePool",
    "database_cluster": "digitalocean:index/databaseCluster:DatabaseCluster",
    "app_service": "digitalocean:index/app:App",
    "load_balancer": "digitalocean:index/loadBalancer:LoadBalancer",
    "volume": "digitalocean:index/volume:Volume",
    "container_registry": "digitalocean:index/containerRegistry:ContainerRegistry",
}

# The plan evaluates the program under Pulumi's mock runtime, which keeps process-wide settings: one at a time.
_PLAN_LOCK = threading.Lock()


def make_api_client(stack_endpoint: str | None = None, **kwargs):
    """A PyDo client from the environment through the project's one factory. ``DIGITALOCEAN_API_URL`` wins
    over the stack's ``digitalocean:apiEndpoint``, as in the CLI; the factory applies the endpoint rule
    (https, or http to loopback only)."""
    endpoint = None if os.environ.get(ENDPOINT_ENV_VAR) else stack_endpoint
    return make_client(token=None, endpoint=endpoint, token_flag=None, **kwargs)


def secrets_in_environment() -> list[str]:
    """The token values the factory could read (its TOKEN_ENV_VARS); redacted wherever they would appear."""
    return [v.strip() for name in TOKEN_ENV_VARS if (v := os.environ.get(name)) and v.strip()]


def redact(text: str) -> str:
    for secret in secrets_in_environment():
        text = text.replace(secret, REDACTED)
    return text


def _redacted_model(result: BaseModel) -> BaseModel:
    dumped = result.model_dump_json()
    clean = redact(dumped)
    return result if clean == dumped else type(result).model_validate_json(clean)


def tool_errors(func):
    """Operation errors become tool errors (``is_error`` results the model can read): the message and its
    hint, redacted; an azure-core error goes through the project's one adapter first."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            try:
                return _redacted_model(func(*args, **kwargs))
            except AzureError as exc:
                raise from_http_error(exc, func.__name__.replace("_", " ")) from exc
        except PlatformError as err:
            text = err.message + (f" (hint: {err.hint})" if err.hint else "")
            raise ToolError(redact(text)) from None

    return wrapper


class Operations:
    """The tool bodies: each calls one public operation function and validates its JSON document."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _config(self, stack: str):
        from do_platform.config import load_config

        return load_config(stack, self.root)  # a bad stack name or key fails here, before any request

    @tool_errors
    def plan(self, stack: Stack = "dev",
             live_prices: Annotated[bool, Field(description="refresh droplet, App Platform and registry prices "
                                                            "through the API (needs the token)")] = False,
             include_inputs: Annotated[bool, Field(description="include every resource's full inputs (large); "
                                                               "key inputs are always there")] = False,
             ) -> results.PlanResult:
        """The offline plan of a stack: resources per component, guardrail findings, monthly cost. Evaluates
        the program under Pulumi's mock runtime; nothing is created. `blocking` is true when a mandatory
        guardrail is broken."""
        from do_platform.ops import plan as ops

        client = make_api_client() if live_prices else None
        with _PLAN_LOCK:
            result = ops.plan_stack(stack, root=self.root, live_client=client)
        doc = {**result.to_json(), "blocking": result.blocking}
        if not include_inputs:
            for resource in doc["resources"]:
                resource.pop("inputs", None)
        return results.PlanResult.model_validate(doc)

    @tool_errors
    def preflight(self, stack: Stack = "dev") -> results.PreflightResult:
        """Can the account behind the token hold this stack? Token and account status, droplet and volume
        headroom, region and sizes, Kubernetes and Postgres versions, the DNS zone, the registry tier and the
        images the apps deploy. Only GET requests."""
        from do_platform.ops import preflight as ops

        cfg = self._config(stack)
        report = ops.run_checks(make_api_client(cfg.provider.api_endpoint), cfg)
        return results.PreflightResult.model_validate(report.to_json())

    @tool_errors
    def status(self, stack: Stack = "dev") -> results.StatusResult:
        """Live health of what a stack created (droplets, load balancers, certificates, databases, Kubernetes,
        apps, the DNS zone), found by its env:<stack> tag and its project. Only GET requests."""
        from do_platform.ops import status as ops

        cfg = self._config(stack)
        return results.StatusResult.model_validate(ops.collect(make_api_client(cfg.provider.api_endpoint),
                                                               cfg).to_json())

    def _cleanup(self, registry: str, keep_last: int, keep_days: float, keep_patterns: list[str] | None,
                 default_patterns: bool, *, apply: bool, gc: bool = False) -> results.CleanupResult:
        from do_platform.ops import registry_cleanup as ops
        from do_platform.stack_files import deployed_images, stack_names

        patterns = tuple(ops.DEFAULT_KEEP_PATTERNS if default_patterns else ()) + tuple(keep_patterns or ())
        policy = ops.RetentionPolicy(keep_last=keep_last, keep_days=keep_days, keep_patterns=patterns)
        deployed = deployed_images(self.root)
        warnings = [] if stack_names(self.root) else [
            f"no Pulumi.<stack>.yaml in {self.root}: no deployed image is protected beyond the policy"]
        report = ops.cleanup(make_api_client(max_per_minute=250), registry, policy, deployed=deployed,
                             apply=apply, gc=gc)
        doc = report.to_json()
        doc["warnings"] = warnings + doc["warnings"]
        return results.CleanupResult.model_validate(doc)

    @tool_errors
    def registry_cleanup_plan(
        self,
        registry: Registry,
        keep_last: KeepLast = DEFAULT_KEEP_LAST,
        keep_days: KeepDays = DEFAULT_KEEP_DAYS,
        keep_patterns: KeepPatterns = None,
        default_patterns: DefaultPatterns = True,
    ) -> results.CleanupResult:
        """Registry retention as a dry run: which tags and manifests would be deleted and the bytes garbage
        collection would free. Images a stack deploys are always kept. Deletes nothing."""
        return self._cleanup(registry, keep_last, keep_days, keep_patterns, default_patterns, apply=False)

    @tool_errors
    def registry_cleanup_apply(
        self,
        registry: Registry,
        keep_last: KeepLast = DEFAULT_KEEP_LAST,
        keep_days: KeepDays = DEFAULT_KEEP_DAYS,
        keep_patterns: KeepPatterns = None,
        default_patterns: DefaultPatterns = True,
        garbage_collect: Annotated[bool, Field(description="start garbage collection after deleting (the "
                                                           "registry is read-only until it ends)")] = True,
    ) -> results.CleanupResult:
        """DELETES the expired tags and manifests of a registry (same policy and protections as the dry run),
        then runs garbage collection. Run registry_cleanup_plan first and confirm with the user."""
        return self._cleanup(registry, keep_last, keep_days, keep_patterns, default_patterns, apply=True,
                             gc=garbage_collect)

    def _promote(self, source: str, target: str, *, write: bool) -> results.PromoteResult:
        from do_platform.ops import promote as ops

        ops.check_order(source, target, self.root, ("source", "target"))  # before any token lookup or request
        result = ops.promote(make_api_client(), source, target, root=self.root, dry_run=not write)
        return results.PromoteResult.model_validate(result.to_json())

    @tool_errors
    def promote_plan(self, source: Annotated[Stage, Field(description="the stack whose images are promoted")],
                     target: Annotated[Stage, Field(description="the next stack")]) -> results.PromoteResult:
        """Promotion as a dry run: resolves the source stack's image tags to digests through the registry API
        and returns the diff that would pin them in the target's stack file. Writes nothing."""
        return self._promote(source, target, write=False)

    @tool_errors
    def promote_apply(self, source: Annotated[Stage, Field(description="the stack whose images are promoted")],
                      target: Annotated[Stage, Field(description="the next stack")]) -> results.PromoteResult:
        """WRITES the target's Pulumi.<stack>.yaml with the source's image digests (one step along
        do-platform:promotionOrder: dev→staging and staging→prod by default; refused when the file has uncommitted
        edits). Commit the change as a pull request."""
        return self._promote(source, target, write=True)

    @tool_errors
    def price(
        self,
        kind: Annotated[PriceKind, Field(description="what to price")],
        slug: Annotated[str | None, Field(description="size or tier slug: droplet/node/database size "
                                                      "(s-1vcpu-1gb, db-s-1vcpu-1gb), app instance size, "
                                                      "registry tier; not for load_balancer or volume")] = None,
        count: Annotated[int, Field(ge=1, le=10_000, description="droplets, nodes, app instances or load "
                                                                   "balancer nodes; GiB for a volume")] = 1,
        live: Annotated[bool, Field(description="refresh droplet, App Platform and registry prices through "
                                                "the API first (needs the token)")] = False,
    ) -> results.PriceResult:
        """Monthly list price of a size or tier, from the plan's price table (bundled and dated, or live)."""
        from do_platform import pricing

        table, notes = pricing.load_bundled(), []
        if live:
            refreshed = pricing.refresh_live(table, make_api_client())
            table, notes = refreshed.table, refreshed.notes
        props: dict[str, Any] = {
            "droplet": {"size": slug},
            "kubernetes_node_pool": {"size": slug, "nodeCount": count},
            "database_cluster": {"size": slug, "nodeCount": count},
            "app_service": {"spec": {"services": [{"name": "service", "instanceSizeSlug": slug,
                                                   "instanceCount": count}]}},
            "load_balancer": {"sizeUnit": count},
            "volume": {"size": count},
            "container_registry": {"subscriptionTierSlug": slug},
        }[kind]
        quote = pricing.price_resource(PRICE_KINDS[kind], props, table)
        monthly, basis = quote.monthly, quote.basis
        if kind == "droplet" and count != 1 and monthly is not None:
            monthly, basis = monthly * count, f"{count} × {basis}"
        return results.PriceResult(kind=kind, slug=slug, count=count, monthly=monthly, basis=basis,
                                   source=quote.source, currency=table.currency, prices_as_of=table.as_of,
                                   notes=notes)


READ_TOOLS = {"plan": OFFLINE, "preflight": READ_ONLY, "status": READ_ONLY, "registry_cleanup_plan": READ_ONLY,
              "promote_plan": READ_ONLY, "price": OFFLINE}
WRITE_TOOLS = {"registry_cleanup_apply": WRITES, "promote_apply": WRITES}


def build_server(*, root: Path | None = None, allow_writes: bool = False) -> MCPServer:
    """The MCP server over the stack files in ``root`` (default: the project directory); the writing tools
    only with ``allow_writes``."""
    from do_platform.stack_files import project_dir

    ops = Operations(root or project_dir())
    mode = "read-write" if allow_writes else "read-only"
    server = MCPServer(SERVER_NAME, instructions=(
        f"do-platform operations for DigitalOcean stacks ({mode}). Stacks are the Pulumi.<stack>.yaml files of "
        f"{ops.root}. The API token comes from the server's environment; never ask for it."), log_level="WARNING")
    tools = {**READ_TOOLS, **(WRITE_TOOLS if allow_writes else {})}
    for name, hints in tools.items():
        server.add_tool(getattr(ops, name), name=name, annotations=hints, structured_output=True)
    return server


def serve(*, root: Path | None = None, allow_writes: bool = False) -> None:
    """Serve over stdio until the client closes the stream."""
    build_server(root=root, allow_writes=allow_writes).run("stdio")

