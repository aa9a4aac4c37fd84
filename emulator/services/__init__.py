"""Resource families. Each subpackage defines ``FAMILY = Family(...)``; discovery collects them.

A new family is a folder ``emulator/services/<family>/`` with ``models.py`` (the backend),
``routes.py`` (the route table) and ``__init__.py`` exporting ``FAMILY``; nothing else to edit.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass

from emulator.core.routing import Routes
from emulator.core.state import Backend


@dataclass(frozen=True)
class Family:
    name: str
    routes: Routes
    backend: type[Backend] | None = None


def discover() -> list[Family]:
    families = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not module.ispkg:
            continue
        mod = importlib.import_module(f"{__name__}.{module.name}")
        family = getattr(mod, "FAMILY", None)
        if family is not None:
            families.append(family)
    return families
