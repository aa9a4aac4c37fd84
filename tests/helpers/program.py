"""A copy of the Pulumi program and its stack files, for commands run against a throwaway tree."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def copy_program(dst: Path) -> Path:
    """``components/``, ``do_platform/``, ``do_vocab/``, the ``Pulumi*.yaml`` files and ``__main__.py`` copied to
    ``dst``, so a test or probe may spoil a stack file without touching the real ones. Returns ``dst``."""
    for name in ("components", "do_platform", "do_vocab"):
        shutil.copytree(REPO / name, dst / name, ignore=shutil.ignore_patterns("__pycache__"))
    for path in [*REPO.glob("Pulumi*.yaml"), REPO / "__main__.py"]:
        shutil.copy(path, dst / path.name)
    return dst
