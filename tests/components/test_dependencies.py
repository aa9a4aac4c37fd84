"""The components install alone: importing them needs only the core dependencies in ``pyproject.toml``.

The README offers ``components/`` to any Pulumi project; a user who installs ``do-platform`` without extras
must be able to import every component module. A fresh interpreter imports them all and every third-party
distribution it loaded must be a core dependency or something a core dependency requires.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

IMPORT_ALL = """
import json, pkgutil, sys, importlib
before = set(sys.modules)  # what the interpreter loaded at startup (site hooks) is not the components'
import components
for info in pkgutil.walk_packages(components.__path__, "components."):
    importlib.import_module(info.name)
print(json.dumps(sorted({name.split(".")[0] for name in set(sys.modules) - before})))
"""


def dist_name(requirement: str) -> str:
    return re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower().replace("_", "-").replace(".", "-")


def closure(names: list[str]) -> set[str]:
    """The distributions ``names`` need, transitively (optional extras of theirs excluded)."""
    seen: set[str] = set()
    todo = [dist_name(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        todo += [dist_name(r) for r in requires if "extra ==" not in r.split(";", 1)[-1]]
    return seen


def test_the_components_import_with_the_core_dependencies_only():
    allowed = closure(PYPROJECT["dependencies"]) | {"do-platform"}
    loaded = json.loads(subprocess.run([sys.executable, "-c", IMPORT_ALL], capture_output=True, text=True,
                                       check=True, cwd=ROOT).stdout)
    providers = metadata.packages_distributions()
    outside = {module: providers[module] for module in loaded if module in providers
               and not {dist_name(d) for d in providers[module]} & allowed}
    assert outside == {}, f"components/ imports modules of non-core distributions: {outside}"


def test_the_extras_are_what_the_cli_and_the_emulator_add():
    core = {dist_name(r) for r in PYPROJECT["dependencies"]}
    extras = PYPROJECT["optional-dependencies"]
    assert {"pydo", "typer", "rich", "azure-core", "ruamel-yaml"} <= {dist_name(r) for r in extras["cli"]}
    assert {"starlette", "uvicorn"} <= {dist_name(r) for r in extras["emulator"]}
    assert not core & {dist_name(r) for name in ("cli", "emulator", "policy") for r in extras[name]}


def test_every_declared_dependency_is_pinned_in_the_requirements_files():
    pinned = {dist_name(line) for path in ("requirements.txt", "requirements-dev.txt")
              for line in (ROOT / path).read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith(("#", "-r"))}
    declared = {dist_name(r) for r in PYPROJECT["dependencies"]} | {
        dist_name(r) for reqs in PYPROJECT["optional-dependencies"].values() for r in reqs
        if not r.startswith("do-platform")}
    assert declared - pinned == set()
