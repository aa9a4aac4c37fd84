"""Loading by stack name: one public function, one seam for where the stack files are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from do_platform.config import load_apps, load_config
from do_platform.errors import ConfigError
from do_platform.ops import preflight
from do_platform.stack_files import PROJECT_DIR_ENV

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_bad_and_unknown_stack_names():
    with pytest.raises(ConfigError, match=r"stack name 'Bad_Name' is not valid"):
        load_config("Bad_Name")
    with pytest.raises(ConfigError, match=r"no stack 'nosuch': Pulumi.nosuch.yaml does not exist \(known stacks: "
                                          r"dev, local, prod, staging\)"):
        load_config("nosuch")


def test_the_project_directory_is_an_argument_or_the_environment(tmp_path, monkeypatch):
    shutil.copy(REPO_ROOT / "Pulumi.dev.yaml", tmp_path / "Pulumi.qa.yaml")
    assert load_config("qa", tmp_path).stack == "qa"
    with pytest.raises(ConfigError, match=r"no stack 'qa'"):
        load_config("qa")  # the repository has no such stack
    monkeypatch.setenv(PROJECT_DIR_ENV, str(tmp_path))
    assert load_config("qa").region == "nyc3"
    with pytest.raises(ConfigError, match=r"known stacks: qa\)"):
        load_config("dev")


def test_preflight_uses_the_config_loader():
    assert preflight.load_config is load_config


def test_apps_alone_are_checked_by_the_same_model():
    with pytest.raises(ConfigError, match=r"^do-platform:apps\[0\]\.image: 'web:1' is not allowed") as err:
        load_apps([{"name": "web", "image": "web:1"}], "dev")
    assert err.value.hint == "edit Pulumi.dev.yaml"
    assert load_apps(None, "dev") == ()
