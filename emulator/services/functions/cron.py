"""Five-field cron expressions (minute hour day-of-month month day-of-week): parse, and the next run."""

from __future__ import annotations

from datetime import datetime, timedelta

from emulator.core.errors import Unprocessable

FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12), ("day of week", 0, 7))


def parse(expression: str, field: str = "cron") -> tuple[set[int], ...]:
    """The allowed values of each field; 422 naming ``field`` and the part that is wrong."""
    parts = expression.split() if isinstance(expression, str) else []
    if len(parts) != 5:
        raise Unprocessable(f"{field} must have five fields (minute hour day-of-month month day-of-week); "
                            f"got {expression!r}")
    return tuple(_values(part, name, low, high, field) for part, (name, low, high) in zip(parts, FIELDS, strict=True))


def _values(part: str, name: str, low: int, high: int, field: str) -> set[int]:
    out: set[int] = set()
    for item in part.split(","):
        body, _, step_text = item.partition("/")
        try:
            step = int(step_text) if step_text else 1
            if body == "*":
                start, end = low, high
            elif "-" in body:
                start, end = (int(x) for x in body.split("-", 1))
            else:
                start = end = int(body)
        except ValueError:
            raise Unprocessable(f"{field}: the {name} field {part!r} is not a cron field") from None
        if step < 1 or not low <= start <= end <= high:
            raise Unprocessable(f"{field}: the {name} field {part!r} must lie within {low}-{high}")
        out.update(range(start, end + 1, step))
    return {x % 7 for x in out} if name == "day of week" else out  # 7 is Sunday too


def next_run(expression: str, after: datetime) -> datetime:
    minutes, hours, days, months, weekdays = parse(expression)
    day = after.replace(second=0, microsecond=0)
    for _ in range(366 * 5):
        if day.month in months and day.day in days and (day.weekday() + 1) % 7 in weekdays:
            for hour in sorted(hours):
                for minute in sorted(minutes):
                    at = day.replace(hour=hour, minute=minute)
                    if at > after:
                        return at
        day = (day + timedelta(days=1)).replace(hour=0, minute=0)
    raise Unprocessable(f"cron {expression!r} never runs")
