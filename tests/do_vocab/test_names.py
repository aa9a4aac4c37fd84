"""The vocabulary is the one place for DigitalOcean names: components, config and docs agree with it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from do_vocab import names
from do_vocab.images import ImageRef, image_reference
from do_vocab.regions import APP_REGIONS, REGIONS

REPO_ROOT = Path(__file__).resolve().parents[2]
DIGEST = "sha256:" + "a" * 64


@pytest.mark.parametrize(("slug", "ok"), [("ubuntu-24-04-x64", True), ("debian-12-x64", True), ("latest", False),
                                          ("ubuntu", False), ("ubuntu-24-04-x64\n", False)])
def test_pinned_image(slug, ok):
    assert names.is_pinned_image(slug) is ok


@pytest.mark.parametrize(("prefix", "ok"), [("1.33.", True), ("1.33", False), ("latest", False), ("1.33.\n", False),
                                            ("2.1.", False)])
def test_k8s_prefix(prefix, ok):
    assert names.is_k8s_prefix(prefix) is ok


@pytest.mark.parametrize(("name", "ok"), [("app", True), ("_x9", True), ("postgres", False), ("doadmin", False),
                                          ("App", False), ("a" * 64, False)])
def test_db_identifier(name, ok):
    assert names.is_db_identifier(name) is ok


def test_default_kubernetes_prefix_matches_pulumi_yaml():
    """Pulumi.yaml documents the default versionPrefix in prose; it must name the vocabulary's default."""
    text = (REPO_ROOT / "Pulumi.yaml").read_text()
    documented = re.findall(r"versionPrefix: minor prefix[^(]*\((1\.\d+\.)\)", text)
    assert documented == [names.DEFAULT_K8S_PREFIX]
    assert names.is_k8s_prefix(names.DEFAULT_K8S_PREFIX)


def test_pulumi_yaml_lists_the_vocabulary_regions_and_versions():
    text = (REPO_ROOT / "Pulumi.yaml").read_text()
    assert f"Region slug for every regional resource: {', '.join(REGIONS)}." in text
    lo, hi = names.POSTGRES_VERSIONS[0], names.POSTGRES_VERSIONS[-1]
    assert f"version: {lo}-{hi} ({names.DEFAULT_POSTGRES_VERSION})" in text
    assert f"image: pinned slug ({names.DEFAULT_IMAGE})" in text


def test_registry_name_drops_the_push_host():
    assert names.registry_name("registry.digitalocean.com/reg/") == "reg" == names.registry_name("reg")


def test_app_platform_regions_cover_every_region_but_those_without_one():
    """The catalog lists no App Platform region for ric1; every other region maps to its metro's."""
    assert set(REGIONS) - set(APP_REGIONS) == {"ric1"}
    text = (REPO_ROOT / "Pulumi.yaml").read_text()
    assert "apps need a region with App Platform (every one but ric1)" in text


def test_one_image_reference_format():
    assert image_reference("reg", "web", tag="1.2") == "reg/web:1.2"
    assert image_reference("reg", "web", tag="1.2", digest=DIGEST) == f"reg/web@{DIGEST}"  # digest wins
    assert image_reference("", "team/web", digest=DIGEST) == f"team/web@{DIGEST}"
    assert ImageRef("reg", "web", digest=DIGEST).reference == f"reg/web@{DIGEST}"


def test_the_vocabulary_needs_only_the_standard_library():
    """Components (usable from any Pulumi project), the platform and the emulator all import it."""
    import ast

    for path in (REPO_ROOT / "do_vocab").rglob("*.py"):
        tree = ast.parse(path.read_text())
        imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        assert not imported & {"pulumi", "pulumi_digitalocean", "pydantic", "components", "do_platform", "emulator"}, \
            path.name
