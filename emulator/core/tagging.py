"""A resource's own tag list, as the tag hooks of every taggable family keep it.

Tag names compare case-insensitively (``Web`` and ``web`` are one tag, the first spelling wins), so
adding a tag the list already has in another case is a no-op and removing matches any case.
"""

from __future__ import annotations


def with_tag(tags: list[str], tag: str, present: bool) -> list[str]:
    """``tags`` with ``tag`` added (``present``) or removed, comparing names case-insensitively."""
    others = [t for t in tags if t.lower() != tag.lower()]
    if not present:
        return others
    return list(tags) if len(others) < len(tags) else [*tags, tag]
