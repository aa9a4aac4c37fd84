"""Fast checks of the engine tooling (no engine needed): throw-away go.mod, cache status, stack copies, host."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pulumi.runtime.proto import language_pb2
from ruamel.yaml import YAML

from do_platform import engine, language_host
from do_platform.local_stack import prepare_project

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
    text = engine.throwaway_go_mod("github.com/pulumi/pulumi/pkg/v3", "3.259.0", CLI_GOMOD, "doplatform.local/cli")
    assert text.startswith("module doplatform.local/cli\n\ngo 1.24.0\n")
    assert "\tgithub.com/pulumi/pulumi/pkg/v3 v3.259.0\n" in text
    assert "\tgithub.com/pulumi/pulumi/sdk/v3 v3.259.0\n" in text  # ../sdk: same repository, same tag
    assert ("replace github.com/atotto/clipboard => github.com/tgummerer/clipboard "
            "v0.0.0-20241001131231-d02d263e614e") in text
    assert "../sdk" not in text


def test_throwaway_go_mod_refuses_a_local_path_outside_the_repository():
    gomod = {"Replace": [{"Old": {"Path": "github.com/digitalocean/terraform-provider-digitalocean"},
                          "New": {"Path": "../upstream"}}]}
    with pytest.raises(engine.EngineError, match=r"terraform-provider-digitalocean by the local path \.\./upstream"):
        engine.throwaway_go_mod("github.com/pulumi/pulumi-digitalocean/provider/v4", "4.84.1", gomod, "x")


@pytest.mark.parametrize(("cli", "sdk", "ok"), [("3.259.0", "3.272.0", True), ("3.272.0", "3.272.0", True),
                                                ("3.200.0", "3.272.0", False), ("4.0.0", "3.272.0", False)])
def test_compatible(cli, sdk, ok):
    assert engine.compatible(cli, sdk) is ok


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "do-platform" / "engine"


def test_pinned_versions_key_the_cache(cache):
    versions = engine.Versions.pinned()
    assert (versions.sdk, versions.provider) == ("3.272.0", "4.84.1")  # requirements.txt
    assert engine.Status.load(versions).directory == cache / "pulumi-3.272.0_digitalocean-4.84.1"


def test_failed_build_records_why_and_status_says_so(cache, monkeypatch, capsys):
    monkeypatch.setattr(engine, "go_binary", lambda: None)
    monkeypatch.setattr(engine, "_vendor_cli", lambda version, dest: False)
    monkeypatch.setattr(engine.shutil, "which", lambda name: None)
    assert engine.main(["build"]) == 1
    status = engine.Status.load()
    assert not status.cli_ok()
    assert "no Go toolchain" in status.blocked["cli"]
    assert engine.main(["status"]) == 1
    assert "blocked [cli]: " in capsys.readouterr().out
    assert engine.main(["env"]) == 1


def test_install_wrappers_runs_the_project_interpreter_and_keeps_a_vendor_host(tmp_path):
    vendor_host = b"\x7fELF\x02\x01\x01\x00\xff"  # a vendor's compiled host (not text)
    (tmp_path / "pulumi-language-python").write_bytes(vendor_host)
    stale = "#!/bin/sh\n" + engine._PYTHON + "\nexec an-older-wrapper\n"
    (tmp_path / "pulumi-resource-pulumi-python").write_text(stale)
    engine.install_wrappers(tmp_path)
    assert (tmp_path / "pulumi-language-python").read_bytes() == vendor_host
    dynamic = tmp_path / "pulumi-resource-pulumi-python"
    assert os.access(dynamic, os.X_OK)
    assert dynamic.read_text() == engine.WRAPPERS["pulumi-resource-pulumi-python"]  # ours, refreshed
    (tmp_path / "pulumi-language-python").unlink()
    engine.install_wrappers(tmp_path)
    assert "-m do_platform.language_host" in (tmp_path / "pulumi-language-python").read_text()


def test_environ_puts_the_engine_first_and_stays_offline(cache):
    status = engine.Status(key="k", cli="/opt/pulumi/bin/pulumi")
    env = engine.environ(status, base={"PATH": "/usr/bin"}, python="/venv/bin/python")
    assert env["PATH"].split(os.pathsep) == ["/opt/pulumi/bin", str(status.bin), "/usr/bin"]
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
    with (work / "Pulumi.local.yaml").open("w") as fh:
        yaml.dump(stack, fh)

    prepare_project(project, "local", work)
    again = yaml.load((work / "Pulumi.local.yaml").read_text())
    assert again["encryptionsalt"] == "v1:salt"
    assert again["config"]["p:token"] == {"secure": "v1:cipher"}
    assert again["config"]["digitalocean:apiEndpoint"] == "http://127.0.0.1:8089"
    assert (project / "Pulumi.local.yaml").read_text() == committed  # the committed file is never touched


def test_language_host_reports_the_provider_plugin_the_sdk_declares():
    assert ("digitalocean", "v4.84.1", "") in language_host.required_plugins()


def test_language_host_program_path_and_virtualenv(tmp_path):
    info = language_pb2.ProgramInfo(root_directory=str(tmp_path), program_directory=str(tmp_path / "prog"),
                                    entry_point=".")
    assert language_host._program_path(language_pb2.RunRequest(info=info)) == str(tmp_path / "prog")
    with pytest.raises(FileNotFoundError, match=r"virtualenv='missing-venv'"):
        language_host._python_for({"virtualenv": "missing-venv"}, str(tmp_path))
    venv = tmp_path / "venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text("")
    assert language_host._python_for({"virtualenv": "venv"}, str(tmp_path)) == str(venv / "python")
    assert language_host._python_for({}, str(tmp_path)) == language_host.sys.executable


def test_engine_json_is_what_the_cache_holds(cache):
    status = engine.Status(key="k1", cli_version="3.259.0", blocked={"provider": "refused"})
    status.save()
    data = json.loads((cache / "k1" / "engine.json").read_text())
    assert data["blocked"] == {"provider": "refused"} and data["cli_version"] == "3.259.0"
    assert Path(status.bin) == cache / "k1" / "bin"


def test_up_local_stops_with_the_reason_when_the_engine_is_missing(cache, capsys):
    from do_platform import local_stack

    assert local_stack.main([]) == local_stack.EXIT_ENGINE_UNAVAILABLE
    err = capsys.readouterr().err
    assert "up-local: cannot run: no Pulumi CLI" in err and "run `make engine`" in err


def test_up_local_rejects_unknown_steps(capsys):
    from do_platform import local_stack

    with pytest.raises(SystemExit):
        local_stack.main(["--steps", "up,refresh"])
    err = capsys.readouterr().err
    assert "--steps: unknown step(s) refresh; allowed: up, preview, destroy" in err


def _fake_go(tmp_path: Path, body: str) -> str:
    go = tmp_path / "go"
    go.write_text(f"#!/bin/sh\n{body}\n")
    go.chmod(0o755)
    return str(go)


def test_a_refused_module_names_the_module_command_and_error(tmp_path, monkeypatch):
    refusal = '{"Path": "m", "Version": "v1.0.0", "Error": "m@v1.0.0: 403 Forbidden"}'
    monkeypatch.setattr(engine, "go_binary", lambda: _fake_go(tmp_path, f"echo '{refusal}'; exit 1"))
    with pytest.raises(engine.EngineError, match=r"`.*go mod download -json m@v1\.0\.0` failed: m@v1\.0\.0: 403"):
        engine.module_info("m", "1.0.0", dict(os.environ), tmp_path)


def test_a_module_proxy_that_does_not_answer_is_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(engine, "go_binary", lambda: _fake_go(tmp_path, "exec sleep 5"))
    monkeypatch.setattr(engine, "PROXY_TIMEOUT", 0.3)
    with pytest.raises(engine.EngineError, match=r"the module proxy did not answer within 0.3 s"):
        engine.module_info("m", "1.0.0", dict(os.environ), tmp_path)


def test_build_falls_back_to_a_served_cli_version_and_records_the_refusal(cache, monkeypatch):
    built = []

    def fake_build(module, package, version, output, build_dir, ldflags=""):
        if version == "3.272.0":
            raise engine.EngineError(f"`go mod download -json {module}@v{version}` failed: 403 Forbidden")
        built.append((module, package, version, ldflags))
        output.write_text(f"#!/bin/sh\necho v{version}\n")
        output.chmod(0o755)
        return 1.5

    monkeypatch.setattr(engine, "build_go_binary", fake_build)
    monkeypatch.setattr(engine, "_vendor_cli", lambda version, dest: False)
    monkeypatch.setattr(engine, "provide_provider", lambda status, versions: None)
    monkeypatch.setattr(engine.shutil, "which", lambda name: None)
    status = engine.build()
    assert built == [(engine.CLI_MODULE, engine.CLI_PACKAGE, "3.259.0", f"-X {engine.VERSION_SYMBOL}=v3.259.0")]
    assert (status.cli_version, status.cli_source) == ("3.259.0", "go-modules")
    assert "pkg/v3@v3.272.0` failed: 403" in status.blocked["cli-exact"]
    assert status.cli_ok()
    assert engine.build().timings["cli_build_s"] == 1.5 and len(built) == 1  # the second run builds nothing
