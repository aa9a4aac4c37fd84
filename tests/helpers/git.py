"""Throwaway git repositories in tests: one identity, one way to commit a tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

IDENTITY = ("-c", "user.email=t@example.com", "-c", "user.name=t")


def git(root: Path, *args: str) -> str:
    """``git -C root <args>`` as the test identity; its stdout (raises when git fails)."""
    return subprocess.run(["git", "-C", str(root), *IDENTITY, *args], capture_output=True, text=True,
                          check=True).stdout


def commit_all(root: Path, message: str) -> None:
    """``root`` made a git repository (if it is not one) with everything in it committed."""
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", message)
