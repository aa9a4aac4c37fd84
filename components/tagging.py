"""The one tagging rule: every taggable resource carries ``env:<stack>`` and ``component:<kind>``."""

from __future__ import annotations

import re
from collections.abc import Iterable

_TAG = re.compile(r"^[A-Za-z0-9:_\-]{1,255}$")


def env_tag(env: str) -> str:
    return f"env:{env}"


def component_tag(kind: str) -> str:
    return f"component:{kind}"


def standard_tags(env: str, kind: str, extra: Iterable[str] = ()) -> list[str]:
    """Sorted, de-duplicated tags for one resource; sorting keeps previews free of order diffs."""
    tags = {env_tag(env), component_tag(kind), *extra}
    bad = sorted(t for t in tags if not _TAG.match(t))
    if bad:
        raise ValueError(f"[tags] {bad} are not valid DigitalOcean tags; allowed: letters, digits, ':', '-', '_'")
    return sorted(tags)
