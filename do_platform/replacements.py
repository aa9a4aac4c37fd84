"""Which input changes replace a resource instead of updating it in place, offline.

The DigitalOcean Pulumi provider bridges the Terraform provider: an input whose Terraform schema says
``ForceNew: true`` makes the engine replace the resource. ``do_platform/data/replacements.json`` lists,
per resource type the program creates, those inputs (Pulumi path → Terraform attribute) with the source
file they come from (terraform-provider-digitalocean v2.96.0, the version pulumi-digitalocean 4.76.0
bridges), and the conditional ones (``customdiff.ForceNewIfChange``) as notes. :func:`force_new_paths`
reads the Go source the same way the table was derived, so ``tests/test_replacements.py`` can check the
table against the source whenever the archive is at hand.

Replacement order follows Pulumi: create the new resource, then delete the old one, unless the component
sets ``deleteBeforeReplace`` (the table's ``deleteBeforeReplace`` says which component does and why).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from do_platform.numbers import whole_numbers

TABLE_FILE = "replacements.json"


@dataclass(frozen=True)
class ReplaceRule:
    type: str
    source: str  # the Terraform provider's files the rule comes from
    force_new: dict[str, str]  # Pulumi input path -> Terraform attribute path
    conditional: tuple[str, ...]
    delete_before_replace: str | None  # why the component deletes first (None: create before delete)
    unique_name: str | None  # why a replacement that keeps the name collides with the old resource


@cache
def table() -> dict[str, Any]:
    return json.loads(resources.files("do_platform.data").joinpath(TABLE_FILE).read_text(encoding="utf-8"))


def rule(resource_type: str) -> ReplaceRule | None:
    """The rule for a resource type; None for types the table does not know (dynamic providers, components)."""
    entry = table()["resources"].get(resource_type)
    if entry is None:
        return None
    source = ", ".join(f"{s['file']} ({s['function']})" for s in entry["sources"])
    return ReplaceRule(resource_type, source, dict(entry.get("forceNew", {})), tuple(entry.get("conditional", ())),
                       entry.get("deleteBeforeReplace"), entry.get("uniqueName"))


def value_at(inputs: Any, path: str) -> Any:
    """The value at a dotted Pulumi path; through a list, the list of each element's value."""
    value = inputs
    for part in path.split("."):
        if isinstance(value, list):
            value = [item.get(part) if isinstance(item, dict) else None for item in value]
        elif isinstance(value, dict):
            value = value.get(part)
        else:
            return None
    return value


normal = whole_numbers  # the engine carries every number as a float (do_platform/numbers.py)


def forcing_inputs(resource_type: str, before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The Pulumi input paths whose change forces ``resource_type`` to be replaced (sorted)."""
    found = rule(resource_type)
    if found is None:
        return []
    return sorted(path for path in found.force_new
                  if normal(value_at(before, path)) != normal(value_at(after, path)))


# --- reading the Terraform provider's Go source -------------------------------------------------------

_ENTRY = re.compile(r'"([a-z0-9_]+)"\s*:\s*(?:&schema\.Schema)?\{|s\["([a-z0-9_]+)"\]\s*=\s*&schema\.Schema\{')
_FORCE_NEW = re.compile(r"\bForceNew\s*:\s*true\b")


def _function_body(text: str, function: str) -> str:
    match = re.search(rf"\nfunc {re.escape(function)}\(", text)
    if match is None:
        raise ValueError(f"function {function} not found")
    start = text.index("{", text.index(")", match.end()) + 1)
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return text[start:i + 1]
    raise ValueError(f"function {function}: unbalanced braces")


def force_new_paths(go_source: str, function: str) -> set[str]:
    """Dotted Terraform attribute paths marked ``ForceNew: true`` in a schema function's body.

    Every ``"name": {`` (or ``s["name"] = &schema.Schema{``) opens a schema entry; nested entries (under
    ``Elem: &schema.Resource{Schema: ...}``) extend the path; a ``ForceNew: true`` directly inside an
    entry's braces marks that entry. Comments and strings other than entry names carry no braces in these
    files, which is what makes a brace count enough.
    """
    body = re.sub(r"//[^\n]*", "", _function_body(go_source, function))
    found: set[str] = set()
    stack: list[tuple[str | None, int]] = []  # (entry name or None, depth of its opening brace)
    depth = 0
    i = 0
    while i < len(body):
        entry = _ENTRY.match(body, i)
        if entry:
            depth += 1
            stack.append((entry.group(1) or entry.group(2), depth))
            i = entry.end()
            continue
        force = _FORCE_NEW.match(body, i)
        if force:
            if stack and stack[-1][0] is not None and stack[-1][1] == depth:
                found.add(".".join(name for name, _ in stack if name is not None))
            i = force.end()
            continue
        char = body[i]
        if char == "{":
            depth += 1
            stack.append((None, depth))
        elif char == "}":
            depth -= 1
            stack.pop()
        i += 1
    return found
