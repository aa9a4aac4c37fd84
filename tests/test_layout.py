"""The test suite's own habits: helpers live in helper modules or conftests, never in another test module, and
the tests of do_platform/ mirror its layout."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent
PLATFORM = TESTS.parent / "do_platform"
# Modules and packages of do_platform/ tested elsewhere than their mirror path, and where.
TESTED_ELSEWHERE = {
    "do_platform/engine": "tests/e2e/ (test_engine_tooling.py needs no engine; the rest runs it)",
    "do_platform/data": "the tests of the modules that read it (pricing, catalog)",
    "do_platform/errors.py": "every package's tests (each error is raised and asserted where it arises)",
    "do_platform/offline.py": "tests/program/ (it runs the program under mocks)",
    "do_platform/ops/prices.py": "tests/cli/test_prices_cli.py (drift against a seeded emulator, through the command)",
}


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


def mirror_path(source: Path) -> Path:
    """do_platform/a/b.py -> tests/a/test_b.py; do_platform/a/ -> tests/a/."""
    rel = source.relative_to(PLATFORM)
    if source.is_dir():
        return TESTS / rel
    return TESTS / rel.parent / f"test_{rel.stem}.py"


def test_do_platform_tests_mirror_its_layout():
    """Each package has its test folder; each top-level module and each ops/api/dynamic module its test module."""
    sources = [p for p in PLATFORM.iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    sources += [p for p in PLATFORM.glob("*.py") if not p.name.startswith("__")]
    sources += [p for pkg in ("ops", "api", "dynamic") for p in (PLATFORM / pkg).glob("*.py")
                if not p.name.startswith("__")]
    missing = [f"{src.relative_to(TESTS.parent)} -> {mirror_path(src).relative_to(TESTS.parent)}"
               for src in sorted(sources) if str(src.relative_to(TESTS.parent)) not in TESTED_ELSEWHERE
               and not mirror_path(src).exists()]
    assert missing == [], "tests mirror do_platform/ (or say where in TESTED_ELSEWHERE):\n" + "\n".join(missing)
    stale = [name for name in TESTED_ELSEWHERE if not (TESTS.parent / name).exists()]
    assert stale == [], f"TESTED_ELSEWHERE names what no longer exists: {stale}"

