"""The one exit-code table: the docs show it as it is, and no command exits with a number of its own."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from do_platform.exit_codes import markdown_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("doc", ["README.md", "docs/operations.md"])
def test_the_docs_exit_code_table_is_the_module_table(doc):
    text = (ROOT / doc).read_text()
    found = re.search(r"<!-- exit-codes:begin -->\n(.*?)<!-- exit-codes:end -->", text, re.S)
    assert found, f"{doc} lacks the exit-code table between its markers"
    assert found.group(1) == markdown_table(), f"regenerate {doc}'s table from do_platform.exit_codes.markdown_table()"


def test_commands_exit_only_through_the_table():
    """No literal exit code in a command: each goes through ExitCode (or a PlatformError's exit_code)."""
    literal = re.compile(r"Exit\(code=\d|sys\.exit\(\d|exit_code\s*=\s*\d")
    offenders = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "do_platform").rglob("*.py")
                 if "engine" not in p.parts
                 for n, line in enumerate(p.read_text().splitlines(), 1) if literal.search(line)]
    assert offenders == []
