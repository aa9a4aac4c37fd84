"""The replace table (do_platform/data/replacements.json) against the provider's own source and schema.

The Terraform provider's Go source and the Pulumi provider's schema.json come from the source snapshots
the engine is built from (``../shared/engine-src``, ``$DO_PLATFORM_ENGINE_SRC``); without them the source
checks skip with the reason. The table must cover every resource type the program creates.
"""

from __future__ import annotations

import json
import tarfile
from functools import cache

import pytest

from do_platform import offline, replacements
from do_platform.engine.status import engine_src

TF_ARCHIVE = "terraform-provider-digitalocean-v2.96.0.tar.gz"
PULUMI_ARCHIVE = "pulumi-digitalocean-v4.76.0.tar.gz"
SCHEMA = "provider/cmd/pulumi-resource-digitalocean/schema.json"
RESOURCES = replacements.table()["resources"]


@cache
def _members(archive: str) -> dict[str, tarfile.TarInfo] | None:
    path = engine_src() / archive
    if not path.is_file():
        return None
    with tarfile.open(path) as tar:
        return {m.name.split("/", 1)[1]: m for m in tar.getmembers() if "/" in m.name}


def _read(archive: str, name: str) -> str:
    members = _members(archive)
    if members is None:
        pytest.skip(f"{archive} is not in {engine_src()} (set DO_PLATFORM_ENGINE_SRC): cannot read the provider's "
                    f"source")
    with tarfile.open(engine_src() / archive) as tar:
        return tar.extractfile(members[name]).read().decode()


@cache
def _schema() -> dict:
    return json.loads(_read(PULUMI_ARCHIVE, SCHEMA))


@pytest.mark.parametrize("resource_type", sorted(RESOURCES))
def test_table_matches_the_terraform_providers_force_new_attributes(resource_type):
    entry = RESOURCES[resource_type]
    found: set[str] = set()
    for source in entry["sources"]:
        paths = replacements.force_new_paths(_read(TF_ARCHIVE, source["file"]), source["function"])
        prefix = source.get("prefix")
        found |= {f"{prefix}.{p}" if prefix else p for p in paths}
    expected = found - set(entry.get("notInputs", {}))
    assert set(entry["forceNew"].values()) == expected, (
        f"{resource_type}: the table says {sorted(entry['forceNew'].values())}, "
        f"{', '.join(s['file'] for s in entry['sources'])} says {sorted(expected)}")


@pytest.mark.parametrize("resource_type", sorted(RESOURCES))
def test_table_inputs_are_inputs_of_the_pulumi_schema(resource_type):
    resource = _schema()["resources"][resource_type]
    for path in RESOURCES[resource_type]["forceNew"]:
        head, *rest = path.split(".")
        assert head in resource["inputProperties"], f"{resource_type}: {head} is not an input"
        if rest:  # one level of nesting: the property of the object type (or of a list's items)
            prop = resource["inputProperties"][head]
            ref = (prop.get("$ref") or prop["items"]["$ref"]).removeprefix("#/types/")  # an object or a list of them
            assert rest[0] in _schema()["types"][ref]["properties"], f"{resource_type}: {path}"


def test_extractor_reads_nested_entries_and_ignores_force_new_false():
    go = '''
func ResourceThing() *schema.Resource {
	return &schema.Resource{
		Schema: map[string]*schema.Schema{
			"region": {Type: schema.TypeString, ForceNew: true},
			"size": {Type: schema.TypeString, ForceNew: false}, // "size": {ForceNew: true} in a comment
			"pool": {
				Elem: &schema.Resource{Schema: map[string]*schema.Schema{
					"count": {Type: schema.TypeInt},
					"kind": {Type: schema.TypeString, ForceNew: true},
				}},
			},
		},
	}
}
'''
    assert replacements.force_new_paths(go, "ResourceThing") == {"region", "pool.kind"}


def test_every_resource_type_the_program_creates_has_a_rule():
    created = {r.type for stack in offline.stack_names() for r in offline.evaluate(stack).resources
               if r.custom and r.type.startswith("digitalocean:")}
    assert created - set(RESOURCES) == set()


def test_delete_before_replace_follows_the_components():
    """The table's deleteBeforeReplace is what the components set (today only the volume attachment); every
    other replacement is Pulumi's default, create before delete."""
    seen: dict[str, bool] = {}

    def record(request, urn):
        seen[request.type] = seen.get(request.type, False) or bool(request.deleteBeforeReplace)

    for stack in offline.stack_names():
        offline.evaluate(stack, on_register=record)
    declared = {t for t, e in RESOURCES.items() if e.get("deleteBeforeReplace")}
    assert {t for t, v in seen.items() if v} == declared


def test_forcing_inputs_compares_nested_paths_and_numbers_as_the_engine_carries_them():
    cluster = "digitalocean:index/kubernetesCluster:KubernetesCluster"
    before = {"region": "nyc3", "version": "1.33", "nodePool": {"size": "s-2vcpu-4gb", "nodeCount": 2.0}}
    assert replacements.forcing_inputs(cluster, before, {**before, "version": "1.34"}) == []
    bigger = {**before, "nodePool": {"size": "s-4vcpu-8gb", "nodeCount": 2}}
    assert replacements.forcing_inputs(cluster, before, bigger) == ["nodePool.size"]
    assert replacements.forcing_inputs("pulumi-python:dynamic:Resource", before, bigger) == []
