"""An app's ``spec``: validated where the API is strict (names, sources, sizes, enums), then echoed with what
the API fills in (a public service's ``http_port``, the default ingress rules)."""

from __future__ import annotations

import copy
import re
from typing import Any

from emulator.core.errors import Unprocessable
from emulator.core.validate import one_of

from .sizes import DEFAULT_SIZE, INSTANCE_SIZES, REGIONS

NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")
COMPONENT_KINDS = ("services", "static_sites", "workers", "jobs", "functions")
ROUTED_KINDS = ("services", "static_sites", "functions")  # components that serve HTTP behind the app's ingress
SOURCES = ("git", "github", "gitlab", "bitbucket", "image")
REGISTRY_TYPES = ("DOCKER_HUB", "DOCR", "GHCR")
DOMAIN_TYPES = ("UNSPECIFIED", "DEFAULT", "PRIMARY", "ALIAS")
ENV_SCOPES = ("UNSET", "RUN_TIME", "BUILD_TIME", "RUN_AND_BUILD_TIME")
ENV_TYPES = ("GENERAL", "SECRET")
DB_ENGINES = ("UNSET", "MYSQL", "PG", "REDIS", "MONGODB", "KAFKA", "OPENSEARCH", "VALKEY")
JOB_KINDS = ("UNSPECIFIED", "PRE_DEPLOY", "POST_DEPLOY", "FAILED_DEPLOY")
ALERT_RULES = ("UNSPECIFIED_RULE", "CPU_UTILIZATION", "MEM_UTILIZATION", "RESTART_COUNT", "DEPLOYMENT_FAILED",
               "DEPLOYMENT_LIVE", "DOMAIN_FAILED", "DOMAIN_LIVE", "AUTOSCALE_FAILED", "AUTOSCALE_SUCCEEDED",
               "FUNCTIONS_ACTIVATION_COUNT", "FUNCTIONS_AVERAGE_DURATION_MS", "FUNCTIONS_ERROR_RATE_PER_MINUTE",
               "FUNCTIONS_AVERAGE_WAIT_TIME_MS", "FUNCTIONS_ERROR_COUNT", "FUNCTIONS_GB_RATE_PER_SECOND",
               "REQUESTS_PER_SECOND", "REQUEST_DURATION_P95_MS")

DEFAULT_HTTP_PORT = 8080


def with_api_defaults(spec: dict) -> dict:
    """A copy of ``spec`` with what the API fills in: each public service's ``http_port`` (8080 unless given; a
    service with only ``internal_ports`` is internal and gets none), then the default ingress rules."""
    out = copy.deepcopy(spec)
    for comp in out.get("services") or []:
        if isinstance(comp, dict) and not comp.get("http_port") and not comp.get("internal_ports"):
            comp["http_port"] = DEFAULT_HTTP_PORT
    return with_default_ingress(out)


def with_default_ingress(spec: dict) -> dict:
    """A copy of ``spec`` with the ingress rules the API adds when the spec has none.

    The API routes each HTTP component's (deprecated) ``routes`` as rules, and gives ``/`` to the first
    HTTP component without routes: a one-service app comes back with ``ingress.rules ==
    [{"match": {"path": {"prefix": "/"}}, "component": {"name": <service>}}]`` (what the Terraform
    provider's acceptance tests read back). A spec with rules keeps them as sent.
    """
    out = copy.deepcopy(spec)
    ingress = out.get("ingress")
    if isinstance(ingress, dict) and ingress.get("rules"):
        return out
    rules: list[dict] = []
    for kind in ROUTED_KINDS:
        for comp in out.get(kind) or []:
            if kind == "services" and comp.get("internal_ports") and not comp.get("http_port"):
                continue  # an internal service: reachable inside the app only
            routes = comp.get("routes") or []
            if not routes and not any(r["match"]["path"]["prefix"] == "/" for r in rules):
                routes = [{"path": "/"}]
            for route in routes:
                if not isinstance(route, dict):
                    continue
                component = {"name": comp["name"]}
                if route.get("preserve_path_prefix"):
                    component["preserve_path_prefix"] = True
                rules.append({"match": {"path": {"prefix": route.get("path") or "/"}}, "component": component})
    if rules:
        out["ingress"] = {**(ingress if isinstance(ingress, dict) else {}), "rules": rules}
    return out


def validate_spec(spec: Any) -> dict:
    """422 naming the first bad field (``spec.services[0].name`` ...); returns the spec untouched."""
    if not isinstance(spec, dict):
        raise Unprocessable("spec is required: an object with at least a name")
    _name(spec.get("name"), "spec.name")
    region = spec.get("region")
    if region not in (None, "") and not one_of(region, REGIONS):
        raise Unprocessable(f"spec.region must be one of {', '.join(REGIONS)}; got {region!r}")
    seen: dict[str, str] = {}
    for kind in COMPONENT_KINDS:
        for i, comp in enumerate(_list(spec, kind, "spec")):
            field = f"spec.{kind}[{i}]"
            if not isinstance(comp, dict):
                raise Unprocessable(f"{field} must be an object")
            name = _name(comp.get("name"), f"{field}.name")
            if name in seen:
                raise Unprocessable(f"{field}.name {name!r} is already used by {seen[name]}; component names "
                                    "must be unique within an app")
            seen[name] = field
            _component(kind, comp, field)
    for i, db in enumerate(_list(spec, "databases", "spec")):
        field = f"spec.databases[{i}]"
        if not isinstance(db, dict):
            raise Unprocessable(f"{field} must be an object")
        _name(db.get("name"), f"{field}.name")
        _enum(db, "engine", DB_ENGINES, field)
    for i, domain in enumerate(_list(spec, "domains", "spec")):
        field = f"spec.domains[{i}]"
        if not isinstance(domain, dict) or not isinstance(domain.get("domain"), str) or not domain["domain"]:
            raise Unprocessable(f"{field}.domain is required")
        _enum(domain, "type", DOMAIN_TYPES, field)
    _alerts_spec(spec.get("alerts"), "spec.alerts")
    _envs(spec.get("envs"), "spec.envs")
    return spec

def _component(kind: str, comp: dict, field: str) -> None:
    allowed = SOURCES if kind not in ("functions",) else SOURCES[:-1]
    sources = [s for s in allowed if comp.get(s) not in (None, "", {})]
    if len(sources) != 1:
        raise Unprocessable(f"{field} needs exactly one source of {', '.join(allowed)}; "
                            f"got {', '.join(sources) or 'none'}")
    source = comp[sources[0]]
    if not isinstance(source, dict):
        raise Unprocessable(f"{field}.{sources[0]} must be an object")
    if sources[0] == "image":
        _enum(source, "registry_type", REGISTRY_TYPES, f"{field}.image", required=True)
        if not source.get("repository"):
            raise Unprocessable(f"{field}.image.repository is required")
    elif sources[0] in ("github", "gitlab", "bitbucket") and not source.get("repo"):
        raise Unprocessable(f"{field}.{sources[0]}.repo is required (owner/name)")
    elif sources[0] == "git" and not source.get("repo_clone_url"):
        raise Unprocessable(f"{field}.git.repo_clone_url is required")
    if kind in ("services", "workers", "jobs"):
        size = comp.get("instance_size_slug")
        if size not in (None, "") and not one_of(size, INSTANCE_SIZES):
            raise Unprocessable(f"{field}.instance_size_slug {size!r} is not an instance size; allowed: "
                                f"{', '.join(INSTANCE_SIZES)}")
        count = comp.get("instance_count")
        if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
            raise Unprocessable(f"{field}.instance_count must be an integer >= 1; got {count!r}")
        if (count or 1) > 1 and INSTANCE_SIZES[size or DEFAULT_SIZE][6]:
            raise Unprocessable(f"{field}.instance_count {count} needs a scalable size; "
                                f"{size or DEFAULT_SIZE!r} runs a single instance only")
        if comp.get("autoscaling") is not None:
            _autoscaling(comp["autoscaling"], size or DEFAULT_SIZE, field)
    if kind == "jobs":
        _enum(comp, "kind", JOB_KINDS, field)
    if kind == "services" and comp.get("protocol") not in (None, "", "HTTP", "HTTP2"):
        raise Unprocessable(f"{field}.protocol must be one of HTTP, HTTP2; got {comp['protocol']!r}")
    _alerts_spec(comp.get("alerts"), f"{field}.alerts")
    _envs(comp.get("envs"), f"{field}.envs")

def _autoscaling(raw: Any, size: str, field: str) -> None:
    """Autoscaling needs a dedicated-CPU size and 1 <= min_instance_count <= max_instance_count."""
    if not isinstance(raw, dict):
        raise Unprocessable(f"{field}.autoscaling must be an object with min/max_instance_count")
    if INSTANCE_SIZES[size][1] != "DEDICATED":
        raise Unprocessable(f"{field}.autoscaling needs a dedicated-CPU instance size (apps-d-*); got {size!r}")
    low, high = raw.get("min_instance_count"), raw.get("max_instance_count")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)) or not 1 <= low <= high:
        raise Unprocessable(f"{field}.autoscaling needs integers 1 <= min_instance_count <= max_instance_count; "
                            f"got {low!r}..{high!r}")

def _name(value: Any, field: str) -> str:
    if value in (None, ""):
        raise Unprocessable(f"{field} is required")
    if not isinstance(value, str) or not NAME.match(value):
        raise Unprocessable(f"{field} {value!r} must be 2-32 lowercase letters, digits or '-', starting with "
                            "a letter and not ending with '-'")
    return value

def _list(body: dict, key: str, where: str) -> list:
    value = body.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise Unprocessable(f"{where}.{key} must be a list")
    return value

def _enum(body: dict, key: str, allowed: tuple[str, ...], field: str, *, required: bool = False) -> None:
    value = body.get(key)
    if value in (None, "") and not required:
        return
    if value not in allowed:
        raise Unprocessable(f"{field}.{key} must be one of {', '.join(allowed)}; got {value!r}")

def _alerts_spec(alerts: Any, field: str) -> None:
    if alerts is None:
        return
    if not isinstance(alerts, list):
        raise Unprocessable(f"{field} must be a list of {{rule, ...}}")
    for i, alert in enumerate(alerts):
        if not isinstance(alert, dict):
            raise Unprocessable(f"{field}[{i}] must be an object with a rule")
        _enum(alert, "rule", ALERT_RULES, f"{field}[{i}]", required=True)
        if alert.get("destinations") is not None:
            destinations(alert["destinations"], f"{field}[{i}].destinations")

def destinations(body: Any, field: str) -> tuple[list[str], list[dict]]:
    """(emails, slack webhooks) of an alert's destinations (the spec's ``destinations`` or the body of
    ``POST .../alerts/{id}/destinations``); 422 naming ``field``."""
    prefix = f"{field}." if field else ""
    if not isinstance(body, dict):
        raise Unprocessable(f"{field} must be an object with emails and slack_webhooks")
    emails = body.get("emails") or []
    if not isinstance(emails, list) or not all(isinstance(e, str) and "@" in e for e in emails):
        raise Unprocessable(f"{prefix}emails must be a list of email addresses; got {emails!r}")
    hooks = body.get("slack_webhooks") or []
    if not isinstance(hooks, list) or not all(
            isinstance(h, dict) and str(h.get("url", "")).startswith("https://") for h in hooks):
        raise Unprocessable(f"{prefix}slack_webhooks must be a list of {{url (https://...), channel}}")
    return list(emails), [{"url": h["url"], "channel": h.get("channel", "")} for h in hooks]

def _envs(envs: Any, field: str) -> None:
    if envs is None:
        return
    if not isinstance(envs, list):
        raise Unprocessable(f"{field} must be a list of {{key, value, scope, type}}")
    for i, env in enumerate(envs):
        if not isinstance(env, dict) or not env.get("key"):
            raise Unprocessable(f"{field}[{i}].key is required")
        _enum(env, "scope", ENV_SCOPES, f"{field}[{i}]")
        _enum(env, "type", ENV_TYPES, f"{field}[{i}]")
