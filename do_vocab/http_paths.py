"""The one rule for HTTP health-check paths (web droplets' nginx, the load balancer, App Platform, uptime).

A health-check path is written into the droplets' nginx config (``location = <path>``) and sent to the
load balancer and App Platform APIs. ``/ok;{}#`` ends the nginx directive early; a space, quote or brace
breaks it too. So the path is an absolute path of URL-unreserved characters only (letters, digits and
``-._~``) in ``/``-separated segments, no query or fragment, at most 255 characters. The components own
the rule (they render the template); the config model applies the same function to its keys.
"""

from __future__ import annotations

import re

HEALTH_CHECK_PATH = re.compile(r"/(?:[A-Za-z0-9._~-]+/?)*")  # used with fullmatch: no trailing newline
MAX_LENGTH = 255
ALLOWED = ("a path starting with '/' of letters, digits, '-', '.', '_', '~' and '/' (no query, spaces, quotes, "
           "';', '{', '}' or '#'), at most 255 characters, e.g. /healthz")


def health_check_path_problem(path: object) -> str | None:
    """Why ``path`` cannot be a health-check path, or None."""
    if not isinstance(path, str) or len(path) > MAX_LENGTH or not HEALTH_CHECK_PATH.fullmatch(path) \
            or any(part in (".", "..") for part in path.split("/")):
        return f"not a health-check path; allowed: {ALLOWED}"
    return None
