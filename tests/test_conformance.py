"""The acceptance-suite report: `go test -json` parsing, the family table and the docs section it rewrites."""

import contextlib
import json

import pytest

from do_platform import conformance as c

PKG = "github.com/digitalocean/terraform-provider-digitalocean/digitalocean/"


def ev(action, test=None, output=None, pkg="vpc", elapsed=None):
    e = {"Time": "2026-11-28T22:00:00Z", "Action": action, "Package": PKG + pkg}
    if test:
        e["Test"] = test
    if output is not None:
        e["Output"] = output
    if elapsed is not None:
        e["Elapsed"] = elapsed
    return json.dumps(e)


# Captured shapes: a pass, a skip, a failure with the framework's check message spread over two lines, a
# subtest failing inside a passing-looking parent, a test cut off by the package's timeout.
SAMPLE = [
    ev("start"),
    ev("run", "TestAccDigitalOceanVPC_Basic"),
    ev("output", "TestAccDigitalOceanVPC_Basic", "=== RUN   TestAccDigitalOceanVPC_Basic\n"),
    ev("output", "TestAccDigitalOceanVPC_Basic", "--- PASS: TestAccDigitalOceanVPC_Basic (1.20s)\n"),
    ev("pass", "TestAccDigitalOceanVPC_Basic", elapsed=1.2),
    ev("run", "TestAccDigitalOceanVPC_Skipped"),
    ev("output", "TestAccDigitalOceanVPC_Skipped", "    resource_vpc_test.go:40: needs a real account\n"),
    ev("skip", "TestAccDigitalOceanVPC_Skipped", elapsed=0),
    ev("run", "TestAccDigitalOceanVPC_Update"),
    ev("output", "TestAccDigitalOceanVPC_Update", "=== RUN   TestAccDigitalOceanVPC_Update\n"),
    ev("output", "TestAccDigitalOceanVPC_Update",
       "    resource_vpc_test.go:71: Step 2/2 error: Check failed: Check 3/4 error: digitalocean_vpc.foo: "
       "Attribute 'description' expected \"new\",\n"),
    ev("output", "TestAccDigitalOceanVPC_Update", "        got \"old\"\n"),
    ev("output", "TestAccDigitalOceanVPC_Update", "    testing_new.go:90: second message\n"),
    ev("output", "TestAccDigitalOceanVPC_Update", "--- FAIL: TestAccDigitalOceanVPC_Update (2.00s)\n"),
    ev("fail", "TestAccDigitalOceanVPC_Update", elapsed=2.0),
    ev("run", "TestAccDigitalOceanVPC_Table"),
    ev("run", "TestAccDigitalOceanVPC_Table/ipv6"),
    ev("output", "TestAccDigitalOceanVPC_Table/ipv6", "    datasource_vpc_test.go:12: Error: 404 not found\n"),
    ev("fail", "TestAccDigitalOceanVPC_Table/ipv6", elapsed=0.5),
    ev("fail", "TestAccDigitalOceanVPC_Table", elapsed=0.5),
    ev("output", None, "FAIL\n"),
    ev("fail", elapsed=9.5),
    ev("start", pkg="droplet"),
    ev("run", "TestAccDigitalOceanDroplet_Basic", pkg="droplet"),
    ev("output", "TestAccDigitalOceanDroplet_Basic", "=== RUN   TestAccDigitalOceanDroplet_Basic\n", pkg="droplet"),
    ev("output", None, "panic: test timed out after 1m0s\n", pkg="droplet"),
    ev("fail", elapsed=60.0, pkg="droplet"),
    ev("run", "TestAccDatabaseA", pkg="database"),
    ev("run", "TestAccDatabaseB", pkg="database"),
    ev("output", "TestAccDatabaseB", "panic: x: expected type 'string', got unconvertible type 'uint64'\n",
       pkg="database"),
    ev("output", None, "FAIL\tgithub.com/x/database\t148.6s\n", pkg="database"),
    ev("fail", elapsed=148.6, pkg="database"),
    ev("output", None, "# some/pkg\n", pkg="tag"),
    ev("output", None, "tag/x.go:3:1: syntax error\n", pkg="tag"),
    ev("fail", elapsed=0.0, pkg="tag"),
    "not json at all",
]


def test_parse_counts_top_level_tests_per_family():
    res = c.parse_events(SAMPLE)
    vpc = res["vpc"]
    assert (vpc.passed, vpc.failed, vpc.skipped) == (1, 2, 1)
    assert vpc.seconds == pytest.approx(9.5)
    assert vpc.percent == pytest.approx(100 / 3)


def test_parse_first_failing_check_joins_its_continuation_lines():
    vpc = c.parse_events(SAMPLE)["vpc"]
    by_test = {f.test: f.check for f in vpc.failures}
    assert by_test["TestAccDigitalOceanVPC_Update"] == (
        "Step 2/2 error: Check failed: Check 3/4 error: digitalocean_vpc.foo: Attribute 'description' expected "
        "\"new\", got \"old\"")
    assert by_test["TestAccDigitalOceanVPC_Table"] == "Error: 404 not found"


def test_parse_unfinished_test_fails_with_the_package_panic():
    droplet = c.parse_events(SAMPLE)["droplet"]
    assert droplet.failed == 1
    assert droplet.failures[0].check == "did not finish: panic: test timed out after 1m0s"


def test_parse_a_panic_inside_one_test_is_named_for_every_unfinished_test():
    database = c.parse_events(SAMPLE)["database"]
    assert database.failed == 2
    assert {f.check for f in database.failures} == {
        "did not finish: the package crashed in TestAccDatabaseB: panic: x: expected type 'string', got "
        "unconvertible type 'uint64'"}


def test_parse_build_failure_is_a_package_error():
    tag = c.parse_events(SAMPLE)["tag"]
    assert tag.total == 0
    assert "syntax error" in tag.error


def test_first_check_without_a_test_file_line_takes_first_real_line():
    assert c.first_check(["=== RUN   TestX\n", "something broke\n", "--- FAIL: TestX\n"]) == "something broke"
    assert c.first_check(["--- FAIL: TestX\n"]) == "failed without output"


def test_family_of_package_path():
    assert c.family_of(PKG + "domain") == "domain"
    assert c.family_of(PKG + "kubernetes/sub") == "kubernetes"


def test_merge_keeps_families_not_rerun():
    previous = {"tag": {"family": "tag", "passed": 5, "failed": 0, "skipped": 0, "seconds": 1, "failures": [],
                        "error": "", "run_at": "earlier"}}
    merged = c.merge_results(previous, c.parse_events(SAMPLE), "now")
    assert merged["tag"]["run_at"] == "now"  # rerun (as a build error) replaces the old row
    assert merged["vpc"]["passed"] == 1 and merged["vpc"]["run_at"] == "now"
    assert list(merged) == sorted(merged)
    assert c.merge_results(previous, {}, "now")["tag"]["run_at"] == "earlier"


def test_render_table_failures_and_declared_unavailable():
    merged = c.merge_results({}, c.parse_events(SAMPLE), "2026-11-28 22:00")
    text = c.render(merged, unavailable=[c.Unavailable("spaces", "needs S3 | really")], program=["vpc"])
    lines = text.splitlines()
    assert "| vpc | yes | 1 | 2 | 1 | 33% | 2026-11-28 22:00 |" in lines
    assert "| tag |  | 0 | 0 | 0 | build error | 2026-11-28 22:00 |" in lines
    assert "| **all** | | **1** | **5** | **1** | **17%** | |" in lines
    assert any(line.startswith("- **vpc** `TestAccDigitalOceanVPC_Update`: Step 2/2 error") for line in lines)
    assert any(line.startswith("- **tag** (package):") for line in lines)
    assert "| spaces | all |  | needs S3 \\| really |" in lines
    assert lines[lines.index("| **all** | | **1** | **5** | **1** | **17%** | |") + 2].startswith(
        "**Whole suite, in scope: 1 of 6 tests pass (17%)** over the 4 families run; the families the program does "
        "not use: 0 of 3 (0%).")


def test_write_section_replaces_only_between_markers(tmp_path):
    doc = tmp_path / "emulator.md"
    doc.write_text("# Emulator\n\nintro\n")
    c.write_section(doc, "first")
    assert c.BEGIN_MARKER in doc.read_text() and "first" in doc.read_text()
    doc.write_text(doc.read_text() + "\n## After\n\nkept\n")
    c.write_section(doc, "second")
    text = doc.read_text()
    assert "first" not in text and "second" in text
    assert text.startswith("# Emulator\n\nintro\n") and text.endswith("## After\n\nkept\n")
    assert text.count(c.BEGIN_MARKER) == 1


def test_select_families_rejects_unknown_and_unavailable_names():
    available = ["vpc", "byoipprefix", "tag"]
    assert c.select_families("", available) == ["vpc", "tag"]
    assert c.select_families("vpc, tag", available) == ["vpc", "tag"]
    with pytest.raises(c.ConformanceError, match="FAMILIES: unknown family 'nope'; allowed: vpc, tag"):
        c.select_families("vpc,nope", available)
    with pytest.raises(c.ConformanceError, match="FAMILIES: byoipprefix cannot run against an emulator: bring"):
        c.select_families("byoipprefix", available)


def test_skip_regex_covers_declared_tests_of_selected_families_only():
    assert c.skip_regex(["vpcpeering", "vpc"]).startswith(r"(^(TestAccDigitalOceanVPCPeering_Basic|")
    assert c.skip_regex(["vpc"]) == ""


def test_go_test_command_runs_families_at_most_two_packages_at_once():
    cmd = c.go_test_command(["vpc"], skip="(^X)")
    assert cmd[1:3] == ["test", "-json"]
    assert cmd[cmd.index("-p") + 1] == "2"
    assert cmd[cmd.index("-skip") + 1] == "(^X)"
    assert cmd[-1] == "./digitalocean/vpc/..."


def test_suite_env_points_the_provider_at_the_emulator(tmp_path):
    env = c.suite_env(tmp_path / "tofu", "http://127.0.0.1:1234", base={"PATH": "/bin"})
    assert env["DIGITALOCEAN_API_URL"] == "http://127.0.0.1:1234"
    assert env["TF_ACC"] == "1" and env["TF_ACC_TERRAFORM_PATH"] == str(tmp_path / "tofu")
    assert env["TF_ACC_PROVIDER_HOST"] == "registry.opentofu.org" and env["TF_CLI_CONFIG_FILE"] == "/dev/null"


def test_serial_families_run_in_their_own_invocation_one_test_at_a_time():
    cmds = c.suite_commands(["vpc", "tag", "nfs"])
    assert [cmd[-len(fams):] for cmd, fams in zip(cmds, (["vpc", "nfs"], ["tag"]), strict=True)] == [
        ["./digitalocean/vpc/...", "./digitalocean/nfs/..."], ["./digitalocean/tag/..."]]
    assert cmds[0][cmds[0].index("-parallel") + 1] == c.PARALLEL_TESTS
    assert cmds[1][cmds[1].index("-parallel") + 1] == "1"
    assert "-skip" in cmds[0] and "-skip" not in cmds[1]  # nfs's declared tests are skipped by name
    assert c.suite_commands(["vpc"]) == [c.go_test_command(["vpc"])]


def test_build_tofu_reuses_a_cached_source_build(tmp_path, monkeypatch):
    """A binary built from the snapshot reports `1.12.6-dev`; it is the cached build, not a reason to rebuild."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    tofu = c.tofu_path()
    tofu.parent.mkdir(parents=True)
    tofu.write_text(f'#!/bin/sh\necho \'{{"terraform_version": "{c.TOFU_VERSION}-dev"}}\'\n')
    tofu.chmod(0o755)
    monkeypatch.setattr(c.engine_build, "go_binary", lambda: pytest.fail("a cached OpenTofu must not be rebuilt"))
    assert c.build_tofu(log=lambda _msg: None) == tofu


def test_ci_mode_skips_loudly_without_opentofu(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(c, "build_tofu", lambda *a, **k: pytest.fail("CI must not build OpenTofu"))
    assert c.main(["--ci"]) == 0
    assert "!!! SKIPPED" in capsys.readouterr().err


def test_ci_subset_covers_every_program_family_by_exact_test_names():
    assert set(c.CI_SUBSET) == set(c.PROGRAM_FAMILIES)
    regex = c.ci_run_regex()
    assert regex.startswith("^(") and regex.endswith(")$")
    import re
    assert re.match(regex, "TestAccDigitalOceanVPC_Basic") and not re.match(regex, "TestAccDigitalOceanVPC_BasicX")


def test_the_suite_emulator_runs_as_an_account_with_the_suites_limits():
    """16 reserved-IP tests at 8 at a time need more than a new account's 3 reserved IPs (as on the API)."""
    import urllib.request

    with c.emulator() as url:
        req = urllib.request.Request(f"{url}/v2/account", headers={"Authorization": "Bearer t"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            account = json.loads(resp.read())["account"]
    assert account["floating_ip_limit"] == c.SUITE_ACCOUNT["floating_ip_limit"] >= 2 * int(c.PARALLEL_TESTS)
    assert account["droplet_limit"] == c.SUITE_ACCOUNT["droplet_limit"]


def test_declared_counts_count_the_suites_tests_each_declaration_leaves_out(tmp_path):
    family = tmp_path / "digitalocean" / "nfs"
    family.mkdir(parents=True)
    (family / "a_test.go").write_text("func TestAccNfs_Basic(t *testing.T) {}\nfunc TestAccNfs_Other(t *testing.T) {}\n"
                                      "func testAccHelper() {}\n")
    (family / "b_test.go").write_text("func TestAccNfsSnapshot_Basic(t *testing.T) {}\n")
    declared = [c.Unavailable("nfs", "whole"), c.Unavailable("nfs", "one", r"^TestAccNfs_Basic$")]
    counts = c.declared_counts(tmp_path, declared)
    assert counts == {"nfs:": 3, "nfs:^TestAccNfs_Basic$": 1}
    merged = c.merge_results({}, c.parse_events(SAMPLE), "now")
    text = c.render(merged, unavailable=declared, program=["vpc"], declared=counts)
    assert "and 4 are declared out of scope below." in text
    assert "| nfs | `^TestAccNfs_Basic$` | 1 | one |" in text.splitlines()


def test_runnable_leaves_out_declared_tests(tmp_path):
    family = tmp_path / "digitalocean" / "vpcnatgateway"
    family.mkdir(parents=True)
    (family / "a_test.go").write_text("func TestAccA(t *testing.T) {}\nfunc TestAccB(t *testing.T) {}\n")
    assert c.runnable(tmp_path, "vpcnatgateway", [c.Unavailable("vpcnatgateway", "x", r"^TestAccA$")]) == ["TestAccB"]
    assert c.runnable(tmp_path, "vpcnatgateway", [c.Unavailable("vpcnatgateway", "x", r"^TestAcc(A|B)$")]) == []
    assert c.runnable(tmp_path, "vpcnatgateway", [c.Unavailable("vpcnatgateway", "whole")]) == []


def test_write_docs_merges_and_drops_families_with_nothing_left_to_run(tmp_path, monkeypatch):
    for fam, tests in (("vpc", "TestAccVPC_Basic"), ("vpcnatgateway", "TestAccNat_Basic")):
        (tmp_path / "digitalocean" / fam).mkdir(parents=True)
        (tmp_path / "digitalocean" / fam / "a_test.go").write_text(f"func {tests}(t *testing.T) {{}}\n")
    results, doc = tmp_path / "conformance.json", tmp_path / "emulator.md"
    row = {"passed": 0, "failed": 1, "skipped": 0, "seconds": 1, "failures": [], "error": "", "run_at": "earlier"}
    results.write_text(json.dumps({"families": {"vpcnatgateway": {"family": "vpcnatgateway", **row}}}))
    doc.write_text("# Emulator\n")
    monkeypatch.setattr(c, "RESULTS", results)
    monkeypatch.setattr(c, "DOCS", doc)
    monkeypatch.setattr(c.engine_status, "REPO_ROOT", tmp_path)
    declared = (c.Unavailable("vpcnatgateway", "suite defect", r"^TestAccNat_Basic$"),)
    c.write_docs(tmp_path, {"vpc": c.FamilyResult("vpc", passed=1)}, "now", declared)
    written = json.loads(results.read_text())
    assert list(written["families"]) == ["vpc"] and written["declared"] == {"vpcnatgateway:^TestAccNat_Basic$": 1}
    assert "| vpc | yes | 1 | 0 | 0 | 100% | now |" in doc.read_text()


def test_s3_families_run_in_their_own_invocation_and_only_it_gets_the_spaces_environment(tmp_path):
    cmds = c.suite_commands(["vpc", "spaces", "tag", "cdn"])
    assert [cmd[cmd.index("-run") + 2 + ("-skip" in cmd) * 2:] for cmd in cmds] == [
        ["./digitalocean/vpc/..."], ["./digitalocean/spaces/...", "./digitalocean/cdn/..."], ["./digitalocean/tag/..."]]
    assert [c.needs_spaces(cmd) for cmd in cmds] == [False, True, False]
    spaces = {"HTTP_PROXY": "http://127.0.0.1:9", "SPACES_ENDPOINT_URL": "http://localhost:9"}
    env = c.suite_env(tmp_path / "tofu", "http://127.0.0.1:1234", base={"PATH": "/bin"}, spaces=spaces)
    assert env["HTTP_PROXY"] == "http://127.0.0.1:9" and env["SPACES_ENDPOINT_URL"] == "http://localhost:9"
    assert "HTTP_PROXY" not in c.suite_env(tmp_path / "tofu", "http://127.0.0.1:1234", base={"PATH": "/bin"})


def test_spaces_for_starts_no_s3_server_for_families_that_do_not_need_one(monkeypatch):
    import do_platform.engine.spaces_server as spaces_server

    monkeypatch.setattr(spaces_server, "spaces_server", lambda *a, **k: pytest.fail("started an S3 server"))
    with c.spaces_for(["vpc", "tag"]) as env:
        assert env is None


def test_spaces_for_hands_the_s3_families_the_local_servers_environment(monkeypatch):
    import do_platform.engine.spaces_server as spaces_server

    started = []

    @contextlib.contextmanager
    def fake_server(port, log_dir, python=None):
        started.append(port)
        yield spaces_server.endpoint(port)

    monkeypatch.setattr(spaces_server, "spaces_server", fake_server)
    with c.spaces_for(["vpc", "cdn"]) as env:
        assert env == spaces_server.engine_environment(started[0])
        assert env["NO_PROXY"] == "127.0.0.1,::1"  # the emulator's loopback address bypasses the proxy
