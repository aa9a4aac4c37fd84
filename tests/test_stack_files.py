"""Reading stack files without the CLI: the images each stack deploys, and what a bad file says."""

from __future__ import annotations

import pytest

from do_platform.errors import ConfigError
from do_platform.stack_files import images_of, load_stack_document, stack_file, stack_yaml

DIGEST = "sha256:" + "ab" * 32


def write_stack(tmp_path, body: str, stack: str = "dev"):
    (tmp_path / f"Pulumi.{stack}.yaml").write_text("config:\n  do-platform:apps:\n" + body)
    return tmp_path


def test_images_by_tag_and_by_digest(tmp_path):
    root = write_stack(tmp_path, "    - name: web\n      image: {registry: r, repository: web, tag: '1.10'}\n"
                       f"    - name: api\n      image: {{registry: r, repository: api, digest: '{DIGEST}'}}\n")
    web, api = images_of("dev", root)
    assert web.tag == "1.10" and web.reference == "r/web:1.10"
    assert api.tag is None and api.reference == f"r/api@{DIGEST}"


def test_an_unquoted_numeric_tag_is_refused_not_rounded(tmp_path):
    root = write_stack(tmp_path, "    - name: web\n      image: {registry: r, repository: web, tag: 1.10}\n")
    with pytest.raises(ConfigError, match=r"do-platform:apps\[0\]\.image\.tag: 1\.1 is not a string.*quoted"):
        images_of("dev", root)


@pytest.mark.parametrize(("image", "match"), [
    ("{registry: r, repository: web}", r"apps\[0\]\.image: neither tag nor digest"),
    ("{registry: r, repository: web, digest: sha256:abc}", r"apps\[0\]\.image\.digest: 'sha256:abc'"),
    ("{repository: web, tag: main}", r"apps\[0\]\.image\.registry: missing"),
    # an image the config refuses is an error for discovery too, never skipped (its tags would expire)
    ("r/web:1.0", r"apps\[0\]\.image: 'r/web:1.0' is not allowed.*allowed: a mapping"),
    ("[r, web]", r"apps\[0\]\.image: .* is not allowed.*allowed: a mapping"),
])
def test_bad_images_name_the_key(tmp_path, image, match):
    root = write_stack(tmp_path, f"    - name: web\n      image: {image}\n")
    with pytest.raises(ConfigError, match=match):
        images_of("dev", root)


def test_an_app_without_an_image_names_the_key(tmp_path):
    root = write_stack(tmp_path, "    - name: web\n")
    with pytest.raises(ConfigError, match=r"apps\[0\]\.image: missing"):
        images_of("dev", root)


def test_unknown_or_malformed_stack_names_the_known_ones(tmp_path):
    write_stack(tmp_path, "    []\n")
    with pytest.raises(ConfigError, match=r"no stack 'prod'.*known stacks: dev"):
        stack_file("prod", tmp_path)
    with pytest.raises(ConfigError, match=r"'Prod!' is not valid.*known stacks: dev"):
        stack_file("Prod!", tmp_path)


@pytest.mark.parametrize("typ", ["safe", "rt"])
def test_the_stack_file_writer_never_emits_aliases_the_reader_refuses(tmp_path, typ):
    shared = {"cidrs": ["203.0.113.0/24"], "enabled": True}
    path = tmp_path / "Pulumi.local.yaml"
    with path.open("w") as fh:
        stack_yaml(typ).dump({"config": {"do-platform:network": shared, "do-platform:copy": shared}}, fh)
    assert "*" not in path.read_text()
    assert load_stack_document(path)["config"]["do-platform:copy"] == shared
