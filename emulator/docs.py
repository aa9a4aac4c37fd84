"""Render the families-and-endpoints table of docs/emulator.md from the live route table.

``python -m emulator.docs`` rewrites the part of docs/emulator.md between the markers;
``python -m emulator.docs --check`` exits 1 when the committed file is out of date (a test runs it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emulator.services import discover

BEGIN = "<!-- BEGIN GENERATED: endpoints (python -m emulator.docs) -->"
END = "<!-- END GENERATED: endpoints -->"
DOC = Path(__file__).resolve().parent.parent / "docs" / "emulator.md"
METHOD_ORDER = {"GET": 0, "POST": 1, "PUT": 2, "PATCH": 3, "DELETE": 4, "HEAD": 5}


def render() -> str:
    """The generated block: a summary table, then each family's endpoints."""
    families = discover()
    lines = [BEGIN, "", "| Family | Endpoints |", "|---|---|"]
    for family in families:
        lines.append(f"| `{family.name}` | {len(family.routes.routes)} |")
    total = sum(len(f.routes.routes) for f in families)
    lines += [f"| **total** | **{total}** |", ""]
    for family in families:
        lines += [f"#### `{family.name}`", ""]
        routes = sorted(family.routes.routes, key=lambda r: (r.template, METHOD_ORDER.get(r.method, 9)))
        lines += [f"- `{r.method} {r.template}`" + ("" if r.auth else " (no auth)") for r in routes]
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def splice(document: str, block: str) -> str:
    """``document`` with the text between the markers replaced by ``block``."""
    start, end = document.find(BEGIN), document.find(END)
    if start < 0 or end < start:
        raise ValueError(f"{DOC} lacks the markers {BEGIN!r} … {END!r}")
    return document[:start] + block + document[end + len(END):]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m emulator.docs", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/emulator.md is out of date")
    parser.add_argument("--file", type=Path, default=DOC, help="the document to update (default: docs/emulator.md)")
    args = parser.parse_args(argv)
    current = args.file.read_text(encoding="utf-8")
    updated = splice(current, render())
    if args.check:
        if updated != current:
            print(f"{args.file} is out of date: run python -m emulator.docs", file=sys.stderr)
            return 1
        return 0
    if updated != current:
        args.file.write_text(updated, encoding="utf-8")
        print(f"updated {args.file}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
