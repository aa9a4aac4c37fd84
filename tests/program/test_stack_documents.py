"""Stack files the tools read: one loader, and every bad shape is a message naming the file, never a traceback
or a hang (alias bombs), and every list or mapping of the config is bounded."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from do_platform.config import MAX_CIDRS, MAX_ITEMS, load_stack_config
from do_platform.errors import ConfigError
from do_platform.offline import project_defaults, read_stack_config
from do_platform.stack_files import MAX_STACK_FILE_BYTES, images_of
from tests.helpers.program import copy_program

REPO = Path(__file__).resolve().parents[2]
# A few hundred bytes that a YAML loader expands to 9**8 email addresses.
BOMB_ANCHORS = "a: &a [" + ", ".join(["ops@example.com"] * 9) + "]\n" + "".join(
    f"{b}: &{b} [{', '.join(['*' + a] * 9)}]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True))
BOMB_USE = "  do-platform:alertEmails: *h\n"
ALIAS_BOMB = BOMB_ANCHORS + "config:\n" + BOMB_USE


@pytest.mark.parametrize(("body", "match"), [
    (ALIAS_BOMB.encode(), r"Pulumi\.dev\.yaml: line 2: YAML alias \*a is not allowed"),
    (b"config:\n  do-platform:region: &r nyc3\n  do-platform:x: *r\n", r"line 3: YAML alias \*r is not allowed"),
    (b"- config\n- x\n", r"Pulumi\.dev\.yaml: the file is a YAML list, not a mapping; allowed: a mapping"),
    (b"just a string\n", r"the file is a YAML str, not a mapping"),
    (b"42\n", r"the file is a YAML int, not a mapping"),
    (b"config: [a, b]\n", r"`config` is a YAML list; allowed: a mapping"),
    (b"config:\n  1: x\n", r"config key 1 is not a string"),
    (b"config:\n  do-platform:region: \xff\xfe nyc3\n", r"is not UTF-8 text \(byte 30: b'\\xff'\).*UTF-8"),
    (b"config: {a: [1, 2\n", r"is not valid YAML"),
    (b"config:\n  a: 1\n  a: 2\n", r"is not valid YAML"),
])
def test_bad_stack_files_are_one_clear_error(tmp_path, body, match):
    (tmp_path / "Pulumi.dev.yaml").write_bytes(body)
    with pytest.raises(ConfigError, match=match):
        read_stack_config("dev", tmp_path)
    with pytest.raises(ConfigError, match=match):
        images_of("dev", tmp_path)


def test_an_oversized_stack_file_is_refused_before_it_is_read(tmp_path):
    (tmp_path / "Pulumi.dev.yaml").write_bytes(b"config: {}\n" + b"#" * MAX_STACK_FILE_BYTES)
    with pytest.raises(ConfigError, match=r"bytes; allowed: at most 1048576 bytes"):
        read_stack_config("dev", tmp_path)


def test_an_empty_stack_file_is_an_empty_config(tmp_path):
    (tmp_path / "Pulumi.dev.yaml").write_bytes(b"")
    assert read_stack_config("dev", tmp_path) == {}


def _dev(**extra) -> dict:
    return {**project_defaults(), **read_stack_config("dev"), **extra}


@pytest.mark.parametrize(("key", "value", "named", "limit"), [
    ("do-platform:alertEmails", ["ops@example.com"] * (MAX_ITEMS + 1), "do-platform:alertEmails", MAX_ITEMS),
    ("do-platform:apps", [{"name": "web"}] * (MAX_ITEMS + 1), "do-platform:apps", MAX_ITEMS),
    ("do-platform:appSecrets", {f"a{i}": {} for i in range(MAX_ITEMS + 1)}, "do-platform:appSecrets", MAX_ITEMS),
    ("do-platform:network", {"ipRange": "10.110.0.0/20", "adminCidrs": ["203.0.113.4/32"] * (MAX_CIDRS + 1)},
     "do-platform:network.adminCidrs", MAX_CIDRS),
    ("do-platform:network", {"ipRange": "10.110.0.0/20", "egressCidrs": ["0.0.0.0/0"] * (MAX_CIDRS + 1)},
     "do-platform:network.egressCidrs", MAX_CIDRS),
    ("do-platform:web", {"sshKeys": ["1"] * (MAX_ITEMS + 1)}, "do-platform:web.sshKeys", MAX_ITEMS),
    ("do-platform:database", {"users": ["app"] * (MAX_ITEMS + 1)}, "do-platform:database.users", MAX_ITEMS),
    ("do-platform:kubernetes", {"pools": [{}] * (MAX_ITEMS + 1)}, "do-platform:kubernetes.pools", MAX_ITEMS),
])
def test_every_collection_is_bounded_and_the_error_names_the_key(key, value, named, limit):
    with pytest.raises(ConfigError) as err:
        load_stack_config(_dev(**{key: value}), "dev")
    assert err.value.message.startswith(f"{named}: {limit + 1} items; allowed: at most {limit} items")


def test_a_million_emails_fail_fast_naming_the_key():
    with pytest.raises(ConfigError, match=r"do-platform:alertEmails: 1000000 items; allowed: at most 50"):
        load_stack_config(_dev(**{"do-platform:alertEmails": ["ops@example.com"] * 1_000_000}), "dev")


def test_plan_of_an_alias_bomb_stack_fails_at_once_naming_the_alias(tmp_path):
    repo = copy_program(tmp_path / "repo")
    stack = (repo / "Pulumi.dev.yaml").read_text()
    stack = stack.replace("  do-platform:alertEmails: [ops@example.com]\n", "")
    (repo / "Pulumi.dev.yaml").write_text(BOMB_ANCHORS + stack + BOMB_USE)
    proc = subprocess.run([sys.executable, "-m", "do_platform", "plan", "--stack", "dev"], cwd=repo,
                          env={**os.environ, "PYTHONPATH": str(repo)}, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout
    assert "YAML alias *a is not allowed" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("section", ["do-platform:web"])
@pytest.mark.parametrize("path", ["/ok;{}#", "/ok page", "healthz", "/x?y"])
def test_the_config_refuses_a_health_check_path_with_the_same_rule(section, path):
    with pytest.raises(ConfigError, match=r"do-platform:web\.healthCheckPath: .* is not a health-check path; "
                                          r"allowed: a path starting with '/'"):
        load_stack_config(_dev(**{section: {"healthCheckPath": path}}), "dev")


@pytest.mark.parametrize(("key", "value", "named"), [
    ("do-platform:apps", [{"name": "web\n", "image": {"registry": "do-platform", "repository": "web", "tag": "x"}}],
     "do-platform:apps[0].name"),
    ("do-platform:apps", [{"name": "web", "image": {"registry": "do-platform", "repository": "web",
                                                    "tag": "main\n"}}], "do-platform:apps[0].image.tag"),
    ("do-platform:alertEmails", ["ops@example.com\n"], "do-platform:alertEmails"),
    ("do-platform:web", {"size": "s-1vcpu-1gb\n"}, "do-platform:web.size"),
])
def test_a_trailing_newline_does_not_slip_through_a_pattern(key, value, named):
    with pytest.raises(ConfigError, match=rf"^{re.escape(named)}"):
        load_stack_config(_dev(**{key: value}), "dev")
