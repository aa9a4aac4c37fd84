"""Request-body checks shared by families: each raises a 422 that names the field and the bad value.

Checks only look at the body; anything that asks another family (does this droplet exist, which project)
is a link in ``emulator.core.links``.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

from .errors import Unprocessable


def unset(value: Any) -> bool:
    """``""`` and ``null`` mean "not given" in every request body (the provider sends both)."""
    return value is None or value == ""


def _label(field: str, where: str) -> str:
    """``where.field`` for a field nested in an object (``alerts.email``), else ``field``."""
    return f"{where}.{field}" if where else field


def string(body: dict, field: str, *, required: bool = False, default: str | None = None,
           where: str = "") -> str | None:
    value = body.get(field)
    if unset(value):
        if required:
            raise Unprocessable(f"{_label(field, where)} is required")
        return default
    if not isinstance(value, str):
        raise Unprocessable(f"{_label(field, where)} must be a string; got {value!r}")
    return value


def _optional(body: dict, field: str, kind: type, described: str, where: str) -> Any:
    """``body[field]`` when it is a ``kind``, None when absent or ``null``; 422 "must be <described>" otherwise."""
    value = body.get(field)
    if value is not None and not isinstance(value, kind):
        raise Unprocessable(f"{_label(field, where)} must be {described}; got {value!r}")
    return value


def boolean(body: dict, field: str, default: bool = False, *, where: str = "") -> bool:
    value = _optional(body, field, bool, "a boolean", where)
    return default if value is None else value


def mapping(body: dict, field: str, *, where: str = "") -> dict | None:
    """A nested object (``health_check``), None when absent or ``null``."""
    return _optional(body, field, dict, "an object", where)


def integer(body: dict, field: str, *, default: int | None = None, required: bool = False,
            minimum: int | None = None, maximum: int | None = None, where: str = "") -> int | None:
    value = body.get(field)
    if unset(value):
        if required:
            raise Unprocessable(f"{_label(field, where)} is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unprocessable(f"{_label(field, where)} must be an integer; got {value!r}")
    if minimum is not None and value < minimum or maximum is not None and value > maximum:
        raise Unprocessable(f"{_label(field, where)} must be between {minimum} and {maximum}; got {value}")
    return value


def number(body: dict, field: str, *, required: bool = False, where: str = "") -> float | int | None:
    value = body.get(field)
    if value is None:
        if required:
            raise Unprocessable(f"{_label(field, where)} is required")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Unprocessable(f"{_label(field, where)} must be a number; got {value!r}")
    return value


def string_list(body: dict, field: str, *, required: bool = False, where: str = "") -> list[str]:
    """A list of strings; ``null`` or absent is ``[]`` unless required."""
    value = body.get(field)
    if value is None:
        if required:
            raise Unprocessable(f"{_label(field, where)} is required")
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Unprocessable(f"{_label(field, where)} must be a list of strings; got {value!r}")
    return list(value)


def object_list(body: dict, field: str, keys: str, *, required: bool = False,
                where: str = "") -> list[tuple[str, dict]]:
    """A list of objects as ``(label, object)`` pairs, ``label`` being ``field[i]`` for the item's own 422s;
    unset (absent, ``null``, ``""``) is ``[]`` unless required (then it must not be empty). ``keys`` says what an
    item holds (``"type and value"``), for the messages."""
    label = _label(field, where)
    value = body.get(field)
    if unset(value) or (required and value == []):
        if required:
            raise Unprocessable(f"{label} is required: a non-empty list of objects with {keys}")
        return []
    if not isinstance(value, list):
        raise Unprocessable(f"{label} must be a list of objects with {keys}; got {value!r}")
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise Unprocessable(f"{label}[{i}] must be an object with {keys}; got {item!r}")
    return [(f"{label}[{i}]", item) for i, item in enumerate(value)]


def int_list(body: dict, field: str, *, where: str = "") -> list[int]:
    """A list of integer ids (>= 1); ``null`` or absent is ``[]``."""
    value = body.get(field)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1
                                              for v in value):
        raise Unprocessable(f"{_label(field, where)} must be a list of integer ids; got {value!r}")
    return list(value)


def choice(body: dict, field: str, allowed, *, default: Any = None, required: bool = False,
           where: str = "") -> Any:
    value = body.get(field)
    if unset(value):
        if required:
            raise Unprocessable(f"{_label(field, where)} is required; allowed: {', '.join(map(str, allowed))}")
        return default
    if not one_of(value, allowed):
        raise Unprocessable(f"{_label(field, where)} must be one of {', '.join(map(str, allowed))}; got {value!r}")
    return value


def one_of(value: Any, allowed) -> bool:
    """``value in allowed``, False (not a TypeError) for a list or object sent where a dict/set key is expected."""
    try:
        return value in allowed
    except TypeError:
        return False


def ip_address(value: str, field: str, version: int | None = None) -> str:
    try:
        parsed = ipaddress.ip_address(value)
    except ValueError:
        kind = f"an IPv{version}" if version else "an IP"
        raise Unprocessable(f"{field} must be {kind} address; got {value!r}") from None
    if version is not None and parsed.version != version:
        raise Unprocessable(f"{field} must be an IPv{version} address; got {value!r}")
    return value


def ip_or_cidr(value: str, field: str) -> str:
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise Unprocessable(f"{field} must be an IP address or CIDR block; got {value!r}") from None
    return value


def notifications(body: dict, field: str) -> dict:
    """An alert's ``{"email": [...], "slack": [{"channel", "url"}]}`` (monitoring policies, uptime alerts) validated;
    ``null`` lists become ``[]``."""
    raw = body.get(field)
    if not isinstance(raw, dict):
        raise Unprocessable(f"{field} is required: an object with email and slack lists; got {raw!r}")
    email = string_list(raw, "email", where=field)
    slack = raw.get("slack") or []
    if not isinstance(slack, list):
        raise Unprocessable(f"{field}.slack must be a list of {{channel, url}}; got {slack!r}")
    for i, item in enumerate(slack):
        if not isinstance(item, dict):
            raise Unprocessable(f"{field}.slack[{i}] must be an object with channel and url; got {item!r}")
        string(item, "channel", required=True, where=f"{field}.slack[{i}]")
        url = string(item, "url", required=True, where=f"{field}.slack[{i}]")
        if not url.startswith(("https://", "http://")):
            raise Unprocessable(f"{field}.slack[{i}].url must be an http(s) URL; got {url!r}")
    return {"email": email, "slack": [dict(item) for item in slack]}


# -- declarative checks for the control API's bodies (seeds, budget, config): like an API body, a
# wrong type is a 422 naming the field, checked before anything changes.
Check = Callable[[Any, str], None]
DIGEST_PATTERN = re.compile(r"^sha256:[0-9a-f]{64}$")


def check_object(body: Any, spec: dict[str, Check], where: str = "", *, required: tuple[str, ...] = ()) -> dict:
    """422 unless ``body`` is an object whose fields are all in ``spec`` and pass their checks."""
    label = where or "body"
    if not isinstance(body, dict):
        raise Unprocessable(f"{label} must be a JSON object; got {body!r}")
    unknown = sorted(set(body) - set(spec))
    if unknown:
        prefix = f"{where}: " if where else ""
        raise Unprocessable(f"{prefix}unknown fields {unknown}; allowed: {sorted(spec)}")
    for name in required:
        if body.get(name) is None:
            raise Unprocessable(f"{_label(name, where)} is required")
    for name, value in body.items():
        if value is not None:
            spec[name](value, _label(name, where))
    return body


def is_string(value: Any, label: str) -> None:
    if not isinstance(value, str):
        raise Unprocessable(f"{label} must be a string; got {value!r}")


def is_boolean(value: Any, label: str) -> None:
    if not isinstance(value, bool):
        raise Unprocessable(f"{label} must be a boolean; got {value!r}")


def is_integer(minimum: int | None = None, maximum: int | None = None) -> Check:
    def check(value: Any, label: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Unprocessable(f"{label} must be an integer; got {value!r}")
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
            raise Unprocessable(f"{label} must be {bounds}; got {value}")
    return check


def is_number(minimum: float | None = None, maximum: float | None = None) -> Check:
    def check(value: Any, label: str) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Unprocessable(f"{label} must be a number; got {value!r}")
        if minimum is not None and value < minimum or maximum is not None and value > maximum:
            bounds = f">= {minimum}" if maximum is None else f"between {minimum} and {maximum}"
            raise Unprocessable(f"{label} must be {bounds}; got {value}")
    return check


def is_enum(allowed) -> Check:
    def check(value: Any, label: str) -> None:
        if not one_of(value, allowed):
            raise Unprocessable(f"{label} must be one of {', '.join(map(str, allowed))}; got {value!r}")
    return check


def is_time(value: Any, label: str) -> None:
    """An RFC 3339 date-time (``2026-01-02T03:04:05Z``)."""
    from .clock import parse_rfc3339

    try:
        if not isinstance(value, str) or "T" not in value:
            raise ValueError
        parse_rfc3339(value)
    except ValueError:
        raise Unprocessable(f"{label} must be an RFC 3339 date-time such as 2026-01-02T03:04:05Z; "
                            f"got {value!r}") from None


def is_digest(value: Any, label: str) -> None:
    if not isinstance(value, str) or not DIGEST_PATTERN.match(value):
        raise Unprocessable(f"{label} must be a digest sha256:<64 lowercase hex digits>; got {value!r}")


def is_list(item: Check, *, min_items: int = 0) -> Check:
    def check(value: Any, label: str) -> None:
        if not isinstance(value, list):
            raise Unprocessable(f"{label} must be a list; got {value!r}")
        if len(value) < min_items:
            raise Unprocessable(f"{label} must have at least {min_items} item(s)")
        for i, element in enumerate(value):
            item(element, f"{label}[{i}]")
    return check


def is_object_of_objects(value: Any, label: str) -> None:
    """An object of objects (``{"nyc3": {"available": false}}``); the caller checks their fields."""
    if not isinstance(value, dict) or not all(isinstance(item, dict) for item in value.values()):
        raise Unprocessable(f"{label} must be an object of objects (slug → fields); got {value!r}")


def is_object_any(value: Any, label: str) -> None:
    """Any JSON object (its fields are checked where it is used, e.g. as an API create body)."""
    if not isinstance(value, dict):
        raise Unprocessable(f"{label} must be a JSON object; got {value!r}")


def is_object(spec: dict[str, Check], *, required: tuple[str, ...] = ()) -> Check:
    def check(value: Any, label: str) -> None:
        check_object(value, spec, label, required=required)
    return check

