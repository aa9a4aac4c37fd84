"""The plan on hand-made evaluations: tree, prices, findings, JSON round trip, diff and Markdown."""

from __future__ import annotations

import pytest

from do_platform import guardrails, pricing
from do_platform.config import Environment, PolicyEnforcement
from do_platform.errors import ConfigError, PlatformError
from do_platform.offline import Evaluation, PlannedResource
from do_platform.ops import plan as ops
from tests.helpers.git import commit_all, git

TABLE = pricing.load_bundled()
DEV = guardrails.StackContext("dev")
STACK = "urn:pulumi:dev::do-platform::pulumi:pulumi:Stack::do-platform-dev"


def urn(typ, name, parent_types=""):
    return f"urn:pulumi:dev::do-platform::{parent_types}{typ}::{name}"


def res(typ, name, parent=None, custom=True, protect=False, **inputs):
    return PlannedResource(urn=urn(typ, name), type=typ, name=name, parent_urn=parent, custom=custom,
                           inputs=inputs, protect=protect)


def evaluation(*, web_size="s-1vcpu-1gb", count=2, extra=()):
    web = res("do-platform:index:WebCluster", "web", parent=STACK, custom=False)
    net = res("do-platform:index:SecureNetwork", "net", parent=STACK, custom=False)
    items = [
        net, web,
        res("digitalocean:index/vpc:Vpc", "net-vpc", parent=net.urn, region="nyc3", ipRange="10.10.0.0/20"),
        res("digitalocean:index/firewall:Firewall", "net-fw", parent=net.urn,
            inboundRules=[{"protocol": "tcp", "portRange": "22", "sourceAddresses": ["0.0.0.0/0"]}]),
        *[res(pricing.DROPLET, f"web-{i}", parent=web.urn, size=web_size, region="nyc3", monitoring=True,
              tags=["env:dev"]) for i in range(count)],
        res(pricing.LOAD_BALANCER, "web-lb", parent=web.urn, sizeUnit=1, redirectHttpToHttps=True,
            forwardingRules=[{"entryProtocol": "https"}]),
        res(pricing.DROPLET, "odd", parent=STACK, size="s-64vcpu-1tb", monitoring=True, tags=["env:dev"]),
        *extra,
    ]
    return Evaluation(stack="dev", resources=items)


def test_tree_groups_resources_under_their_component_with_costs():
    plan = ops.build_plan(evaluation(), DEV, TABLE)
    comps = {c.name: c for c in plan.components}
    assert set(comps) == {"net", "web", "dev"}
    assert comps["web"].monthly == pytest.approx(2 * 6.0 + TABLE.lb_per_size_unit)
    assert comps["net"].monthly == 0.0 and comps["net"].unknown == 0
    assert comps["dev"].unknown == 1  # the droplet with an unpriced size
    assert plan.unknown == 1
    assert plan.monthly == pytest.approx(12.0 + TABLE.lb_per_size_unit)
    droplet = next(r for r in plan.resources if r.name == "web-0")
    assert droplet.key_inputs == {"region": "nyc3", "size": "s-1vcpu-1gb", "monitoring": True}


def test_an_autoscale_pool_prices_the_range_up_to_the_component_and_the_total():
    pool = res(pricing.DROPLET_AUTOSCALE, "web-pool", parent=urn("do-platform:index:WebCluster", "web"),
               config={"minInstances": 1, "maxInstances": 3, "targetCpuUtilization": 0.7},
               dropletTemplate={"size": "s-1vcpu-1gb", "region": "nyc3"})
    plan = ops.build_plan(evaluation(count=0, extra=(pool,)), DEV, TABLE)
    web = next(c for c in plan.components if c.name == "web")
    lb = TABLE.lb_per_size_unit
    assert (web.monthly, web.monthly_max) == pytest.approx((6.0 + lb, 18.0 + lb))
    assert plan.monthly_max == pytest.approx(plan.monthly + 12.0)
    pool_row = next(r for r in plan.resources if r.name == "web-pool")
    assert pool_row.key_inputs == {"dropletTemplate.region": "nyc3", "dropletTemplate.size": "s-1vcpu-1gb",
                                   "config.minInstances": 1, "config.maxInstances": 3}
    text = ops.render_text(plan)
    assert "$6.00 … $18.00" in text and f"Total: ${plan.monthly:,.2f} … ${plan.monthly_max:,.2f}" in text
    assert ops.Plan.from_json(plan.to_json()).monthly_max == plan.monthly_max
    fixed = ops.build_plan(evaluation(), DEV, TABLE)
    assert fixed.monthly_max is None and " … " not in ops.render_text(fixed)


def test_findings_are_attached_to_their_resource_and_listed():
    plan = ops.build_plan(evaluation(), DEV, TABLE)
    assert [(v["rule"], v["urn"].rsplit("::", 1)[-1]) for v in plan.violations] == [("no-public-admin-ports", "net-fw")]
    fw = next(r for r in plan.resources if r.name == "net-fw")
    assert fw.violations[0]["rule"] == "no-public-admin-ports"
    assert not plan.blocking  # advisory in dev


def test_mandatory_findings_block():
    prod = guardrails.StackContext("dev", Environment.production, PolicyEnforcement.mandatory)
    assert ops.build_plan(evaluation(), prod, TABLE).blocking


def test_disabled_enforcement_reports_nothing():
    off = guardrails.StackContext("dev", enforcement=PolicyEnforcement.disabled)
    plan = ops.build_plan(evaluation(), off, TABLE)
    assert plan.violations == [] and all(not r.violations for r in plan.resources)


def test_text_rendering_shows_unknown_never_zero_and_the_price_date():
    text = ops.render_text(ops.build_plan(evaluation(), DEV, TABLE))
    assert f"as of {TABLE.as_of}" in text
    odd_line = next(line for line in text.splitlines() if " odd " in line)
    assert "unknown" in odd_line and "$0.00" not in odd_line
    assert "[no-public-admin-ports] net-fw" in text
    assert "+ 1 unknown" in text.splitlines()[-1]


def test_json_round_trip():
    plan = ops.build_plan(evaluation(), DEV, TABLE)
    again = ops.Plan.from_json(plan.to_json())
    assert again == plan


def test_diff_lists_added_removed_changed_and_the_cost_delta():
    base = ops.build_plan(evaluation(web_size="s-1vcpu-1gb", count=2), DEV, TABLE)
    extra = [res(pricing.VOLUME, "data", parent=STACK, size=100, tags=["env:dev"])]
    head = ops.build_plan(evaluation(web_size="s-2vcpu-4gb", count=1, extra=extra), DEV, TABLE)
    diff = ops.diff_plans(base, head, "origin/main")
    kinds = {(c.kind, c.name) for c in diff.changes}
    assert kinds == {("changed", "web-0"), ("removed", "web-1"), ("added", "data")}
    changed = next(c for c in diff.changes if c.kind == "changed")
    assert changed.changed_keys == ["size"] and (changed.before, changed.after) == (6.0, 24.0)
    assert diff.delta == pytest.approx((24.0 + 10.0) - (6.0 + 6.0))
    md = ops.render_diff_markdown([diff])
    assert md.startswith(ops.COMMENT_MARKER)
    assert "| dev |" in md and "+$22.00" in md and "origin/main" in md
    assert "➕ create | `data`" in md and "➖ delete | `web-1`" in md
    assert "✏️ update | `web-0` | Droplet | $6.00 | $24.00 | size: `s-1vcpu-1gb` → `s-2vcpu-4gb` |" in md
    assert {c.name: c.action for c in diff.changes} == {"web-0": "update", "web-1": "delete", "data": "create"}


def test_diff_against_a_missing_stack_is_all_added():
    head = ops.build_plan(evaluation(), DEV, TABLE)
    diff = ops.diff_plans(None, head, "main")
    assert {c.kind for c in diff.changes} == {"added"} and diff.before_monthly == 0.0
    assert diff.new_violations == head.violations


def test_plan_against_unknown_ref_is_a_clear_error(tmp_path):
    git(tmp_path, "init", "-q")
    with pytest.raises(ConfigError) as err:
        ops.plan_against("dev", "no-such-branch", root=tmp_path)
    assert "'no-such-branch'" in err.value.message and "no such git revision" in err.value.message


def test_plan_against_a_revision_without_the_stack_is_none(tmp_path):
    (tmp_path / "README.md").write_text("x\n")
    commit_all(tmp_path, "init")
    assert ops.plan_against("dev", "HEAD", root=tmp_path) is None
    worktrees = git(tmp_path, "worktree", "list")
    assert len(worktrees.strip().splitlines()) == 1  # the temporary worktree is gone


def test_plan_against_a_revision_from_before_the_plan_command_is_none(tmp_path):
    """The first pull request that adds do-platform: the base has a stack file but no plan command."""
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  do-platform:region: nyc3\n")
    commit_all(tmp_path, "stack file only")
    assert ops.plan_against("dev", "HEAD", root=tmp_path) is None


def test_plan_against_that_hangs_is_stopped_with_a_clear_error(tmp_path, monkeypatch):
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  do-platform:region: nyc3\n")
    (tmp_path / ops.PLAN_MODULE).parent.mkdir(parents=True)
    (tmp_path / ops.PLAN_MODULE).write_text("")
    commit_all(tmp_path, "stack and plan")
    hanging = tmp_path / "hanging-python"
    hanging.write_text("#!/bin/sh\nexec sleep 30\n")
    hanging.chmod(0o755)
    monkeypatch.setattr(ops, "AGAINST_TIMEOUT_S", 0.3)
    with pytest.raises(PlatformError) as err:
        ops.plan_against("dev", "HEAD", root=tmp_path, python=str(hanging))
    assert "'HEAD'" in err.value.message and "took longer than 0.3 s" in err.value.message
    worktrees = git(tmp_path, "worktree", "list")
    assert len(worktrees.strip().splitlines()) == 1  # the temporary worktree is gone


def test_json_from_another_version_ignores_fields_it_does_not_know():
    data = ops.build_plan(evaluation(), DEV, TABLE).to_json()
    data["added_later"] = 1
    data["resources"][0]["also_new"] = True
    assert ops.Plan.from_json(data).stack == "dev"


def test_output_order_does_not_depend_on_registration_order():
    forward = evaluation()
    backward = Evaluation(stack="dev", resources=list(reversed(forward.resources)))
    assert ops.build_plan(forward, DEV, TABLE).to_json() == ops.build_plan(backward, DEV, TABLE).to_json()


def _web(user_data="#cloud-config\nwrite_files:\n  - content: PORT=8080\n", ssh_keys=("1",), **extra):
    inputs = {"size": "s-1vcpu-1gb", "region": "nyc3", "userData": user_data, "sshKeys": list(ssh_keys), **extra}
    return res(pricing.DROPLET, "web-0", parent=STACK, **inputs)


def _named(typ, name, do_name, protect=False, **inputs):
    """A resource whose DigitalOcean ``name`` input differs from its Pulumi name."""
    made = res(typ, name, parent=STACK, protect=protect, **inputs)
    made.inputs["name"] = do_name
    return made


def _diff(before, after, **outputs):
    base = ops.build_plan(Evaluation(stack="dev", resources=before, outputs=outputs.get("base", {})), DEV, TABLE)
    head = ops.build_plan(Evaluation(stack="dev", resources=after, outputs=outputs.get("head", {})), DEV, TABLE)
    return ops.diff_plans(base, head, "origin/main")


def test_a_forcing_input_makes_a_replacement_with_the_input_and_its_before_and_after():
    port = "#cloud-config\nwrite_files:\n  - content: PORT=9090\n"
    diff = _diff([_web()], [_web(user_data=port, size="s-2vcpu-4gb")])
    (change,) = diff.changes
    assert (change.action, change.replace_mode, change.forced_by) == ("replace", "create-before-delete", ["userData"])
    by_input = {i.input: i for i in change.inputs}
    assert by_input["userData"].forces_replacement and not by_input["size"].forces_replacement
    assert (by_input["userData"].before, by_input["userData"].after) == ("line 3: - content: PORT=8080",
                                                                         "line 3: - content: PORT=9090")
    assert "resource_droplet.go" in change.rule_source
    md = ops.render_diff_markdown([diff])
    assert "♻️ **replace** (create-before-delete) | `web-0`" in md
    assert "**userData** (forces replacement): `line 3: - content: PORT=8080` → `line 3: - content: PORT=9090`" in md
    assert "1 **replace**" in md and "CAUTION" not in md  # not protected: no banner


def test_an_in_place_change_is_an_update_and_ssh_keys_replace():
    assert _diff([_web()], [_web(size="s-2vcpu-4gb")]).changes[0].action == "update"
    assert _diff([_web()], [_web(ssh_keys=("1", "2"))]).changes[0].forced_by == ["sshKeys"]


def test_protected_replacements_and_deletions_are_flagged_at_the_top():
    db = "digitalocean:index/databaseCluster:DatabaseCluster"
    vpc = "digitalocean:index/vpc:Vpc"
    before = [_named(db, "db", "prod-db", protect=True, engine="pg", size="db-s-1vcpu-1gb", privateNetworkUuid="v1"),
              _named(vpc, "net", "prod-net", protect=True, ipRange="10.0.0.0/20")]
    after = [_named(db, "db", "prod-db", protect=True, engine="pg", size="db-s-1vcpu-1gb", privateNetworkUuid="v2")]
    diff = _diff(before, after)
    assert {(c.name, c.action) for c in diff.destructive} == {("db", "replace"), ("net", "delete")}
    md = ops.render_diff_markdown([diff])
    banner = md.split("Monthly list prices")[0]
    assert "2 protected resource(s) would be replaced or deleted" in banner
    assert "replace `db` (DatabaseCluster) (forced by privateNetworkUuid)" in banner and "delete `net`" in banner
    db_change = next(c for c in diff.changes if c.name == "db")
    assert any("'prod-db'" in w and "unique" in w for w in db_change.warnings)  # same name: create-first collides


def test_delete_before_replace_comes_from_the_components_rule():
    attach = "digitalocean:index/volumeAttachment:VolumeAttachment"
    diff = _diff([res(attach, "a", parent=STACK, dropletId=1, volumeId="v")],
                 [res(attach, "a", parent=STACK, dropletId=2, volumeId="v")])
    assert diff.changes[0].replace_mode == "delete-before-replace"


def test_secrets_are_masked_in_before_and_after():
    cert = "digitalocean:index/certificate:Certificate"
    diff = _diff([res(cert, "c", parent=STACK, type="custom", privateKey="-----BEGIN KEY-----a")],
                 [res(cert, "c", parent=STACK, type="custom", privateKey="-----BEGIN KEY-----b")])
    md = ops.render_diff_markdown([diff])
    assert "BEGIN KEY" not in md and "`[secret]` → `[secret]`" in md


def test_stack_output_changes_are_shown():
    diff = _diff([_web()], [_web()], base={"web_url": "https://a.example.com", "old": 1, "kubeconfig": "[secret]"},
                 head={"web_url": "https://b.example.com", "vpc_id": "vpc-1", "kubeconfig": "[secret]"})
    assert [(o.name, o.kind) for o in diff.output_changes] == [("old", "removed"), ("vpc_id", "added"),
                                                               ("web_url", "changed")]
    md = ops.render_diff_markdown([diff])
    assert "✏️ `web_url`: `https://a.example.com` → `https://b.example.com`" in md and "➖ `old`" in md
    assert "kubeconfig" not in md  # unchanged (and masked) outputs are left out


def test_a_base_plan_from_a_version_without_outputs_shows_no_output_changes():
    head = ops.build_plan(Evaluation(stack="dev", resources=[_web()], outputs={"web_url": "https://a"}), DEV, TABLE)
    older = ops.Plan.from_json({k: v for k, v in head.to_json().items() if k != "outputs"})
    assert ops.diff_plans(older, head, "main").output_changes == []
    assert [o.kind for o in ops.diff_plans(None, head, "main").output_changes] == ["added"]


def test_a_directory_of_stack_files_without_the_program_is_a_config_error_naming_what_is_missing(tmp_path):
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  do-platform:environment: development\n")
    with pytest.raises(ConfigError, match=r"has no Pulumi\.yaml and no __main__\.py: the plan evaluates"):
        ops.plan_stack("dev", root=tmp_path)


def test_the_prod_plan_prices_the_object_store_and_finds_its_bucket_private():
    from do_platform.offline import evaluate

    ctx = guardrails.StackContext("prod", Environment.production, PolicyEnforcement.mandatory)
    plan = ops.build_plan(evaluate("prod"), ctx, pricing.load_bundled())
    store = next(c for c in plan.components if c.type == "do-platform:index:ObjectStore")
    assert store.monthly == pytest.approx(5.00) and store.unknown == 0
    bucket = next(r for r in plan.resources if r.type == pricing.SPACES_BUCKET)
    assert bucket.key_inputs == {"name": "do-platform-prod-objects", "region": "nyc3", "acl": "private",
                                 "versioning.enabled": True, "forceDestroy": False}
    assert bucket.protect and bucket.violations == [] and not plan.blocking
    site = {**_prod_config(), "do-platform:objectStore": {"enabled": True, "acl": "public-read", "publicSite": True}}
    public = evaluate("prod", config=site)
    declared = guardrails.StackContext.from_config("prod", site)  # as `plan` builds it from the stack file
    assert declared.public_buckets == {"do-platform-prod-objects"}
    assert not ops.build_plan(public, declared, pricing.load_bundled()).blocking
    undeclared = ops.build_plan(public, ctx, pricing.load_bundled())  # the same bucket, no declaration
    assert undeclared.blocking and [v["rule"] for v in undeclared.violations] == ["no-public-bucket"]
    key = next(r for r in plan.resources if r.type.endswith("spacesKey:SpacesKey"))
    assert key.key_inputs["grants"] == [{"bucket": "do-platform-prod-objects", "permission": "readwrite"}]


def _prod_config():
    from do_platform.offline import read_stack_config

    return read_stack_config("prod")


def test_the_prod_plan_prices_its_replica_and_masks_the_replica_uris():
    plan = ops.plan_stack("prod")
    replica = next(r for r in plan.resources if r.type == pricing.DATABASE_REPLICA)
    assert replica.key_inputs == {"region": "nyc3", "size": "db-s-2vcpu-4gb"}
    assert replica.monthly == pytest.approx(TABLE.database_sizes_per_node["db-s-2vcpu-4gb"])
    db = next(c for c in plan.components if c.name == "db")
    assert db.monthly == pytest.approx(3 * TABLE.database_sizes_per_node["db-s-2vcpu-4gb"])  # 2 nodes + 1 replica
    assert plan.outputs["database_replica_uris"] == "[secret]"
    assert not [v for v in plan.violations if v["rule"] == guardrails.DATABASE_NETWORK]
    assert "replica" not in ops.render_text(plan).split("Guardrail findings")[1]
