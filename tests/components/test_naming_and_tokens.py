"""Naming, tagging and the type-token table shared by every component."""

from __future__ import annotations

import pytest

import components
from components.naming import child_name, do_name, do_urn
from components.tagging import standard_tags


def test_every_component_has_its_token_in_the_one_table():
    assert {n: f"do-platform:index:{n}" for n in
                                      ("SecureNetwork", "WebCluster", "AppService", "ManagedPostgres", "Kubernetes",
                                       "Dns", "ObjectStore")} == components.TYPE_TOKENS
    for name in components.TYPE_TOKENS:
        assert hasattr(components, name) and hasattr(components, f"{name}Args")


def test_names():
    assert child_name("web", "node", 0) == "web-node-0"
    assert do_name("Prod", "web_cluster", 1) == "prod-web-cluster-1"
    assert len(do_name("x" * 80)) == 63
    assert do_urn("droplet", "12") == "do:droplet:12"


def test_tags_sorted_and_validated():
    assert standard_tags("dev", "web-cluster", ["b", "a"]) == ["a", "b", "component:web-cluster", "env:dev"]
    with pytest.raises(ValueError, match=r"\[tags\]"):
        standard_tags("dev", "web", ["has space"])


def test_components_do_not_depend_on_the_platform_package():
    import pathlib

    paths = list(pathlib.Path(components.__file__).parent.rglob("*.py"))
    assert any(p.parent.name == "templates" for p in paths)  # the script shipped inside cloud-init too
    for path in paths:
        text = path.read_text()
        assert "do_platform" not in text and "import emulator" not in text and "from emulator" not in text, path.name
