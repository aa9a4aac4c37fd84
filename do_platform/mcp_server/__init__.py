"""``do-platform mcp``: the operations as tools of a Model Context Protocol server (stdio)."""

from do_platform.mcp_server.server import build_server, serve

__all__ = ["build_server", "serve"]
