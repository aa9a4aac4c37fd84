"""The one place numbers become text or JSON: money as money, counts as counts, whole numbers as ints.

The Pulumi engine (and its mock runtime) carries every number as a float, and the API sends prices as
floats, so ``4.0`` nodes, ``$6.0/mo`` and ``"port": 8080.0`` leak wherever a number is printed as it came.
Values from the engine are made whole here once (:func:`whole_numbers`, applied where the offline
evaluation records them); text goes through :func:`money` and :func:`count`.
"""

from __future__ import annotations

from typing import Any


def whole_numbers(value: Any) -> Any:
    """Whole floats as ints, all the way down (lists and dicts): ``8080.0`` → ``8080``; ``0.5`` stays."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list | tuple):
        return [whole_numbers(v) for v in value]
    if isinstance(value, dict):
        return {k: whole_numbers(v) for k, v in value.items()}
    return value


def money(value: float | int | None, per: str = "", unknown: str = "unknown") -> str:
    """``$6.00``, ``$1,234.50``, ``$6.00/mo`` with ``per="/mo"``; ``unknown`` for None (and for text the
    API sent where a price belongs)."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return unknown
    if value is None or isinstance(value, bool):
        return unknown
    return f"${value:,.2f}{per}"


def count(value: Any) -> str:
    """A count as people write it: ``4`` not ``4.0``; a fraction keeps its digits (``0.5``)."""
    value = whole_numbers(value)
    return f"{value:g}" if isinstance(value, float) else str(value)
