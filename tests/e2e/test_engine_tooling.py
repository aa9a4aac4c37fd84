"""Fast checks of the engine tooling (no engine needed): throw-away go.mod, cache status, sources, stack copies."""

from __future__ import annotations

import os

import pytest
from ruamel.yaml import YAML

from do_platform.engine import build
from do_platform.engine import status as engine_status
from do_platform.engine.__main__ import main as engine_main
from do_platform.engine.local_stack import prepare_project

CLI_GOMOD = {
    "Module": {"Path": "github.com/pulumi/pulumi/pkg/v3"},
    "Go": "1.24.0",
    "Replace": [
        {"Old": {"Path": "github.com/pulumi/pulumi/sdk/v3"}, "New": {"Path": "../sdk"}},
        {"Old": {"Path": "github.com/atotto/clipboard"},
         "New": {"Path": "github.com/tgummerer/clipboard", "Version": "v0.0.0-20241001131231-d02d263e614e"}},
    ],
}


def test_throwaway_go_mod_repeats_module_replacements_and_pins_sibling_modules():
    text = build.throwaway_go_mod("github.com/pulumi/pulumi/pkg/v3", "3.259.0", CLI_GOMOD, "doplatform.local/cli")
    assert text.startswith("module doplatform.local/cli\n\ngo 1.24.0\n")
    assert "\tgithub.com/pulumi/pulumi/pkg/v3 v3.259.0\n" in text
    assert "\tgithub.com/pulumi/pulumi/sdk/v3 v3.259.0\n" in text  # ../sdk: same repository, same tag
    assert ("replace github.com/atotto/clipboard => github.com/tgummerer/clipboard "
            "v0.0.0-20241001131231-d02d263e614e") in text
    assert "../sdk" not in text


def test_throwaway_go_mod_refuses_a_local_path_outside_the_repository():
    gomod = {"Replace": [{"Old": {"Path": "github.com/digitalocean/terraform-provider-digitalocean"},
                          "New": {"Path": "../upstream"}}]}
    with pytest.raises(engine_status.EngineError,
                       match=r"terraform-provider-digitalocean by the local path \.\./upstream"):
        build.throwaway_go_mod("github.com/pulumi/pulumi-digitalocean/provider/v4", "4.76.0", gomod, "x")


@pytest.mark.parametrize(("cli", "sdk", "ok"), [("3.259.0", "3.272.0", True), ("3.272.0", "3.272.0", True),
                                                ("3.200.0", "3.272.0", False), ("4.0.0", "3.272.0", False)])
def test_compatible(cli, sdk, ok):
    assert build.compatible(cli, sdk) is ok


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "do-platform" / "engine"


def test_pinned_versions_key_the_cache(cache):
    versions = engine_status.Versions.pinned()
    assert (versions.sdk, versions.provider) == ("3.272.0", "4.76.0")  # requirements.txt
    assert engine_status.Status.load(versions).directory == cache / "pulumi-3.272.0_digitalocean-4.76.0"


def test_failed_build_records_why_and_status_says_so(cache, monkeypatch, capsys):
    monkeypatch.setattr(build, "go_binary", lambda: None)
    monkeypatch.setattr(build, "_vendor_cli", lambda version, dest: False)
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    assert engine_main(["build"]) == 1
    status = engine_status.Status.load()
    assert not status.cli_ok()
    assert "no Go toolchain" in status.blocked["cli"]
    assert engine_main(["status"]) == 1
    assert "blocked [cli]: " in capsys.readouterr().out
    assert engine_main(["env"]) == 1


def test_install_wrappers_runs_the_project_interpreter_and_keeps_a_vendor_script(tmp_path):
    dynamic = tmp_path / "pulumi-resource-pulumi-python"
    dynamic.write_text("#!/bin/sh\n" + build._PYTHON + "\nexec an-older-wrapper\n")
    build.install_wrappers(tmp_path)
    assert os.access(dynamic, os.X_OK)
    assert dynamic.read_text() == build.WRAPPERS["pulumi-resource-pulumi-python"]  # ours, refreshed
    assert "-m pulumi.dynamic" in dynamic.read_text()
    vendor = "#!/bin/sh\nexec python3 -u -m pulumi.dynamic $@\n"  # a vendor's own script is kept
    dynamic.write_text(vendor)
    build.install_wrappers(tmp_path)
    assert dynamic.read_text() == vendor


def test_environ_puts_the_engine_first_and_stays_offline(cache):
    status = engine_status.Status(key="k", cli="/opt/pulumi/bin/pulumi")
    env = engine_status.environ(status, base={"PATH": "/usr/bin"}, python="/venv/bin/python")
    assert env["PATH"].split(os.pathsep) == ["/opt/pulumi/bin", str(status.bin), "/usr/bin"]
    assert env["PULUMI_HOME"] == str(cache / "k" / "home")  # the provider plugin is installed there
    assert env["PULUMI_SKIP_UPDATE_CHECK"] == "1"
    assert env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] == "true"
    assert env["PULUMI_PYTHON_CMD"] == "/venv/bin/python"


def test_prepare_project_copies_the_stack_and_keeps_the_salt(tmp_path):
    yaml = YAML(typ="safe")
    project = tmp_path / "repo"
    project.mkdir()
    (project / "Pulumi.yaml").write_text("name: p\nruntime:\n  name: python\n  options:\n    virtualenv: .venv\n")
    committed = "config:\n  p:region: nyc3\n  digitalocean:apiEndpoint: http://127.0.0.1:8089\n"
    (project / "Pulumi.local.yaml").write_text(committed)
    work = tmp_path / "state" / "project-local"

    prepare_project(project, "local", work, {"digitalocean:apiEndpoint": "http://127.0.0.1:9999"})
    copied = yaml.load((work / "Pulumi.yaml").read_text())
    assert (work / copied["main"]).resolve() == project.resolve()
    assert (work / copied["runtime"]["options"]["virtualenv"]).resolve() == (project / ".venv").resolve()

    stack = yaml.load((work / "Pulumi.local.yaml").read_text())
    assert stack["config"] == {"p:region": "nyc3", "digitalocean:apiEndpoint": "http://127.0.0.1:9999"}
    stack["encryptionsalt"] = "v1:salt"  # what `pulumi stack init` writes into the copy
    stack["config"]["p:token"] = {"secure": "v1:cipher"}
    stack["config"]["p:appSecrets"] = {"web": {"API_KEY": {"secure": "v1:nested"}}}  # config set --secret --path
    stack["config"]["p:plain"] = {"web": {"count": 3}}  # a plain value set in the copy is not kept
    with (work / "Pulumi.local.yaml").open("w") as fh:
        yaml.dump(stack, fh)

    prepare_project(project, "local", work)
    again = yaml.load((work / "Pulumi.local.yaml").read_text())
    assert again["encryptionsalt"] == "v1:salt"
    assert again["config"]["p:token"] == {"secure": "v1:cipher"}
    assert again["config"]["p:appSecrets"] == {"web": {"API_KEY": {"secure": "v1:nested"}}}
    assert "p:plain" not in again["config"]
    assert again["config"]["digitalocean:apiEndpoint"] == "http://127.0.0.1:8089"
    assert (project / "Pulumi.local.yaml").read_text() == committed  # the committed file is never touched


def test_engine_src_defaults_beside_the_repository_and_is_overridable(monkeypatch, tmp_path):
    monkeypatch.delenv(engine_status.ENGINE_SRC_ENV, raising=False)
    assert engine_status.engine_src() == engine_status.REPO_ROOT.parent / "shared" / "engine-src"
    monkeypatch.setenv(engine_status.ENGINE_SRC_ENV, str(tmp_path))
    assert engine_status.engine_src() == tmp_path


def test_missing_snapshots_block_the_host_and_the_provider_by_name(cache, monkeypatch, tmp_path, capsys):
    """A CLI without the snapshots: status exit 1, naming the missing archive and the variable that finds it."""
    monkeypatch.setenv(engine_status.ENGINE_SRC_ENV, str(tmp_path / "nowhere"))
    monkeypatch.setattr(build, "go_binary", lambda: "/usr/bin/true")
    monkeypatch.setattr(engine_status, "cli_version", lambda path: "3.259.0")
    monkeypatch.setattr(build, "provide_cli", lambda status, versions: setattr(status, "cli", "/bin/sh")
                        or setattr(status, "cli_version", "3.259.0"))
    assert engine_main(["build"]) == 0
    status = engine_status.Status.load()
    assert not status.language_host_ok()
    missing = tmp_path / "nowhere" / "pulumi-v3.259.0-language-python.tar.gz"
    assert f"source snapshot {missing} is missing (set DO_PLATFORM_ENGINE_SRC" in status.blocked["language-host"]
    assert "language host is missing" in status.blocked["provider"]
    assert engine_main(["status"]) == 1
    out = capsys.readouterr().out
    assert "language host: missing" in out and "blocked [language-host]" in out


def test_provider_build_names_its_snapshots(monkeypatch, tmp_path):
    monkeypatch.setenv(engine_status.ENGINE_SRC_ENV, str(tmp_path))
    with pytest.raises(engine_status.EngineError, match=r"no source snapshots are known for the provider 4\.84\.1; "
                                                 r"known: 4\.76\.0"):
        build.build_provider("4.84.1", tmp_path / "out")
    with pytest.raises(engine_status.EngineError, match=r"pulumi-digitalocean-v4\.76\.0\.tar\.gz is missing"):
        build.build_provider("4.76.0", tmp_path / "out")


def test_provider_counts_only_when_installed_in_the_engine_home(cache, tmp_path):
    binary = tmp_path / "pulumi-resource-digitalocean"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    status = engine_status.Status(key="k", provider=str(binary), provider_version="4.76.0")
    assert not status.provider_ok()  # built but not installed: the CLI would not find it offline
    installed = cache / "k" / "home" / "plugins" / "resource-digitalocean-v4.76.0"
    installed.mkdir(parents=True)
    (installed / "pulumi-resource-digitalocean").symlink_to(binary)
    assert status.provider_ok()


def test_a_cli_built_under_another_key_is_reused(cache, monkeypatch):
    """Changing the provider pin changes the cache key; the CLI (same version) is copied, not rebuilt."""
    old = engine_status.Status(key="pulumi-3.272.0_digitalocean-4.84.1", cli_version="3.259.0", cli_source="go-modules")
    old.bin.mkdir(parents=True)
    (old.bin / "pulumi").write_text("#!/bin/sh\necho v3.259.0\n")
    (old.bin / "pulumi").chmod(0o755)
    old.cli = str(old.bin / "pulumi")
    old.save()
    monkeypatch.setattr(build, "_vendor_cli", lambda version, dest: False)
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    monkeypatch.setattr(build, "build_go_binary", lambda *a, **k: pytest.fail("the CLI was rebuilt"))
    status = engine_status.Status(key="pulumi-3.272.0_digitalocean-4.76.0")
    build.provide_cli(status, engine_status.Versions(sdk="3.272.0", provider="4.76.0"))
    assert (status.cli_version, status.cli_source) == ("3.259.0", "go-modules")
    assert status.cli == str(status.bin / "pulumi") and status.cli_ok()


def test_a_background_server_that_exits_or_never_answers_is_named_with_its_log(tmp_path):
    import sys

    from do_platform.engine.processes import background_server

    def never_ready():
        raise ConnectionRefusedError

    with pytest.raises(RuntimeError, match=r"^the thing exited with code 3; see .*thing\.log$"), \
            background_server([sys.executable, "-c", "import sys; sys.exit(3)"], tmp_path / "thing.log",
                              never_ready, "the thing"):
        pass
    with pytest.raises(RuntimeError, match=r"^the sleeper did not answer within 0.3 s"), \
            background_server([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path / "sleeper.log",
                              never_ready, "the sleeper", wait_s=0.3) as proc:
        pass
    with background_server([sys.executable, "-c", "import time; time.sleep(30)"], tmp_path / "ok.log",
                           lambda: None, "the ready one") as proc:
        assert proc.poll() is None
    assert proc.poll() is not None  # stopped on exit


def test_a_rehearsal_of_a_stack_with_an_object_store_needs_the_local_s3_server(tmp_path):
    """The local stack enables objectStore: against the emulator without the S3 server its bucket could not be
    made ("Spaces credentials not configured"), so StackRun refuses it up front, naming spaces_port."""
    from do_platform.engine.local_stack import StackRun, object_store_enabled
    from do_platform.engine.status import REPO_ROOT

    with pytest.raises(ValueError, match="spaces_port"):
        StackRun(REPO_ROOT, "local", tmp_path / "a", status=object(), emulator_url="http://127.0.0.1:1")
    assert object_store_enabled(tmp_path / "a" / "project-local", "local")
    off = {"do-platform:objectStore": {"enabled": False}}
    prepare_project(REPO_ROOT, "local", tmp_path / "b", off)
    assert not object_store_enabled(tmp_path / "b", "local")
