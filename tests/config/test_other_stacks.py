"""Rules across a project's stacks: every Pulumi.*.yaml counts, whatever the stacks are named."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from do_platform.config import load_config
from do_platform.config.rules import vpc_overlap
from do_platform.errors import ConfigError
from do_platform.offline import evaluate
from do_platform.stack_files import stack_names, vpc_ranges

REPO = Path(__file__).resolve().parents[2]


def _project(tmp_path: Path, stacks: dict[str, str]) -> Path:
    """A project directory with the repository's program and one copy of the dev stack per name, each with
    the given VPC range."""
    for name in ("Pulumi.yaml", "__main__.py"):
        shutil.copy(REPO / name, tmp_path / name)
    dev = (REPO / "Pulumi.dev.yaml").read_text()
    for stack, ip_range in stacks.items():
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(dev.replace("10.110.0.0/20", ip_range))
    return tmp_path


def test_overlap_names_the_other_stack_and_a_free_range():
    text = vpc_overlap("10.110.0.0/20", {"qa": "10.110.8.0/21", "perf": "10.200.0.0/20"})
    assert "stack qa 10.110.8.0/21" in text and "Pulumi.qa.yaml" in text and "perf" not in text
    assert "allowed: a range no other stack of the project uses, e.g. 10.100.0.0/20" in text
    assert vpc_overlap("10.110.0.0/20", {"qa": "10.120.0.0/20"}) is None


def test_stacks_with_any_names_and_overlapping_ranges_are_refused(tmp_path):
    root = _project(tmp_path, {"alpha": "10.110.0.0/20", "feature-x": "10.110.4.0/22", "beta": "10.150.0.0/20"})
    assert vpc_ranges(root) == {"alpha": "10.110.0.0/20", "feature-x": "10.110.4.0/22", "beta": "10.150.0.0/20"}
    with pytest.raises(ConfigError) as err:
        load_config("alpha", root=root)
    assert str(err.value).startswith("do-platform:network.ipRange: 10.110.0.0/20 is not allowed: overlaps the VPC "
                                     "range of stack feature-x 10.110.4.0/22")
    assert load_config("beta", root=root).network.ip_range == "10.150.0.0/20"


def test_the_program_refuses_an_overlapping_stack_too(tmp_path):
    root = _project(tmp_path, {"alpha": "10.110.0.0/20", "omega": "10.110.0.0/20"})
    with pytest.raises(Exception, match=r"network\.ipRange: 10\.110\.0\.0/20 is not allowed: overlaps .*omega"):
        evaluate("alpha", root=root)


def test_every_stack_of_the_repository_passes_the_rule():
    assert len(stack_names()) >= 4
    for stack in stack_names():
        load_config(stack, root=REPO)
