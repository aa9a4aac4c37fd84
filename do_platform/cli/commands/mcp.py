"""``do-platform mcp``: serve the operations to an MCP client (an editor, an agent) over stdio."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from do_platform.cli.settings import handle_errors
from do_platform.errors import ConfigError


def register(app: typer.Typer) -> None:
    app.command("mcp")(mcp)


@handle_errors
def mcp(
    ctx: typer.Context,
    allow_writes: Annotated[bool, typer.Option(
        "--allow-writes", help="also serve the writing tools: registry_cleanup_apply (deletes) and promote_apply "
                               "(rewrites a stack file); without it every tool is read-only")] = False,
    project_dir: Annotated[Path | None, typer.Option(
        "--project-dir", help="directory of the Pulumi.<stack>.yaml files (default: $DO_PLATFORM_PROJECT_DIR, "
                              "else this repository)")] = None,
) -> None:
    """Serve plan, preflight, status, registry cleanup (dry run), promote (dry run) and price lookup as MCP
    tools over stdio. The token and endpoint come from DIGITALOCEAN_TOKEN / DIGITALOCEAN_API_URL in the
    server's environment, never from a tool's arguments; stdout carries the protocol only."""
    from do_platform.mcp_server import serve

    root_ctx = ctx.find_root()
    for param, flag, env in (("token", "--token", "DIGITALOCEAN_TOKEN"),
                             ("api_url", "--api-url", "DIGITALOCEAN_API_URL")):
        # typer vendors click: the enum is compared by name, not imported from one click or the other
        if getattr(root_ctx.get_parameter_source(param), "name", None) == "COMMANDLINE":
            # A client's config would keep it in its args (visible in `ps`); the server reads only its environment.
            raise ConfigError(f"{flag} does not go with `mcp`: the server reads {env} from its environment",
                              f"set {env} in the MCP client's \"env\" block instead")
    if project_dir is not None and not project_dir.is_dir():
        raise ConfigError(f"--project-dir {str(project_dir)!r} is not a directory")
    serve(root=project_dir, allow_writes=allow_writes)
