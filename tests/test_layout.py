"""The test suite's own habits: helpers live in helper modules or conftests, never in another test module."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
    return out


def test_no_test_module_imports_another_test_module():
    offenders = [f"{path.relative_to(TESTS.parent)} imports {name}"
                 for path in TESTS.rglob("*.py") if "projects" not in path.parts
                 for name in imported_modules(path)
                 if name.startswith("tests.") and name.rsplit(".", 1)[-1].startswith(("test_", "conftest"))]
    assert offenders == [], "move shared helpers to tests/helpers/ or a conftest.py:\n" + "\n".join(offenders)
