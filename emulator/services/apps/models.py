"""App Platform: apps, their deployments (with ``progress``), alerts, instance sizes, regions, proposals.

The submitted ``spec`` is validated where the API is strict (names, sources, sizes, enums) and then
echoed exactly. Every create/update/manual deploy makes a deployment that walks ``PENDING_BUILD →
BUILDING → PENDING_DEPLOY → DEPLOYING → ACTIVE`` through the lifecycle helper; the app's
``active_deployment``/``pending_deployment``/``in_progress_deployment`` are derived from its
deployments on every read, and a newer ACTIVE deployment supersedes the older one.
"""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

from do_vocab import catalog
from emulator.core import links
from emulator.core.errors import Conflict, Unprocessable, not_found
from emulator.core.state import Backend, public, schedule, settle
from emulator.core.validate import one_of

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
IN_PROGRESS = ("PENDING_BUILD", "BUILDING", "PENDING_DEPLOY", "DEPLOYING")
TERMINAL = ("ACTIVE", "SUPERSEDED", "ERROR", "CANCELED")
DEFAULT_SIZE = "apps-s-1vcpu-0.5gb"
FREE_STATIC_SITES = 3
STATIC_SITE_USD = 3
DEV_DATABASE_USD = 7
SECONDS_PER_MONTH = 30 * 24 * 3600

# slug → (name, cpu_type, cpus, memory MiB, usd/month, bandwidth GiB, single instance only, deprecated),
# from the one catalog (do_vocab/catalog.json)
INSTANCE_SIZES = {
    s["slug"]: (s["name"], s["cpu_type"], s["cpus"], s["memory"], s["usd_per_month"], s["bandwidth_allowance_gib"],
                s["single_instance_only"], s["deprecated"])
    for s in catalog.load().app_instance_sizes
}
SHARED_LADDER = ["apps-s-1vcpu-0.5gb", "apps-s-1vcpu-1gb-fixed", "apps-s-1vcpu-1gb", "apps-s-1vcpu-2gb",
                 "apps-s-2vcpu-4gb"]
DEDICATED_LADDER = ["apps-d-1vcpu-0.5gb", "apps-d-1vcpu-1gb", "apps-d-1vcpu-2gb", "apps-d-1vcpu-4gb",
                    "apps-d-2vcpu-4gb", "apps-d-2vcpu-8gb", "apps-d-4vcpu-8gb", "apps-d-4vcpu-16gb",
                    "apps-d-8vcpu-32gb"]
# slug → (label, flag, continent, data centers), from the one catalog (do_vocab/catalog.json)
REGIONS = {r["slug"]: (r["label"], r["flag"], r["continent"], list(r["data_centers"]))
           for r in catalog.load().app_regions}
DEFAULT_REGION = "nyc"
# (fraction of the lifecycle delay, phase, step statuses: build, deploy, finalize)
PHASES = [
    (0.25, "BUILDING", ("RUNNING", "PENDING", "PENDING")),
    (0.5, "PENDING_DEPLOY", ("SUCCESS", "PENDING", "PENDING")),
    (0.75, "DEPLOYING", ("SUCCESS", "RUNNING", "PENDING")),
    (1.0, "ACTIVE", ("SUCCESS", "SUCCESS", "SUCCESS")),
]
FAILED_PHASES = [  # a seeded failure: the build step errors half-way through the delay
    (0.25, "BUILDING", ("RUNNING", "PENDING", "PENDING")),
    (0.5, "ERROR", ("ERROR", "PENDING", "PENDING")),
]
FAILURE_MESSAGE = "Your build job failed because it exited with a non-zero code (seeded failure)."
SEEDABLE = {"failing_deployments", "failure_message", "instance_size_prices"}


def instance_size(slug: str, usd: float | None = None) -> dict:
    """The API's view of one instance size; ``usd`` overrides the catalog's monthly price (a seeded change)."""
    name, cpu_type, cpus, memory, catalog_usd, bandwidth, single, deprecated = INSTANCE_SIZES[slug]
    usd = catalog_usd if usd is None else usd
    ladder = DEDICATED_LADDER if cpu_type == "DEDICATED" else SHARED_LADDER
    pos = ladder.index(slug) if slug in ladder else -1
    return {
        "name": name, "slug": slug, "cpu_type": cpu_type, "cpus": str(cpus), "memory_bytes": str(memory * 1048576),
        "usd_per_month": f"{usd:.2f}", "usd_per_second": f"{usd / SECONDS_PER_MONTH:.9f}",
        "tier_slug": "professional" if cpu_type == "DEDICATED" else "basic",
        "tier_upgrade_to": ladder[pos + 1] if 0 <= pos < len(ladder) - 1 else "",
        "tier_downgrade_to": ladder[pos - 1] if pos > 0 else "",
        "bandwidth_allowance_gib": str(bandwidth), "single_instance_only": single, "scalable": not single,
        "deprecation_intent": deprecated,
    }


def region_view(slug: str) -> dict:
    label, flag, continent, centers = REGIONS[slug]
    return {"slug": slug, "label": label, "flag": flag, "continent": continent, "data_centers": list(centers),
            "default": slug == DEFAULT_REGION, "disabled": False, "reason": ""}



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

class AppsBackend(Backend):
    name = "apps"

    def reset(self) -> None:
        self.data = {"apps": {}}

    # -- spec validation -------------------------------------------------------------------------
    def validate_spec(self, spec: Any) -> dict:
        """422 naming the first bad field (``spec.services[0].name`` ...); returns the spec untouched."""
        if not isinstance(spec, dict):
            raise Unprocessable("spec is required: an object with at least a name")
        self._name(spec.get("name"), "spec.name")
        region = spec.get("region")
        if region not in (None, "") and not one_of(region, REGIONS):
            raise Unprocessable(f"spec.region must be one of {', '.join(REGIONS)}; got {region!r}")
        seen: dict[str, str] = {}
        for kind in COMPONENT_KINDS:
            for i, comp in enumerate(self._list(spec, kind, "spec")):
                field = f"spec.{kind}[{i}]"
                if not isinstance(comp, dict):
                    raise Unprocessable(f"{field} must be an object")
                name = self._name(comp.get("name"), f"{field}.name")
                if name in seen:
                    raise Unprocessable(f"{field}.name {name!r} is already used by {seen[name]}; component names "
                                        "must be unique within an app")
                seen[name] = field
                self._component(kind, comp, field)
        for i, db in enumerate(self._list(spec, "databases", "spec")):
            field = f"spec.databases[{i}]"
            if not isinstance(db, dict):
                raise Unprocessable(f"{field} must be an object")
            self._name(db.get("name"), f"{field}.name")
            self._enum(db, "engine", DB_ENGINES, field)
        for i, domain in enumerate(self._list(spec, "domains", "spec")):
            field = f"spec.domains[{i}]"
            if not isinstance(domain, dict) or not isinstance(domain.get("domain"), str) or not domain["domain"]:
                raise Unprocessable(f"{field}.domain is required")
            self._enum(domain, "type", DOMAIN_TYPES, field)
        self._alerts_spec(spec.get("alerts"), "spec.alerts")
        self._envs(spec.get("envs"), "spec.envs")
        return spec

    def _component(self, kind: str, comp: dict, field: str) -> None:
        allowed = SOURCES if kind not in ("functions",) else SOURCES[:-1]
        sources = [s for s in allowed if comp.get(s) not in (None, "", {})]
        if len(sources) != 1:
            raise Unprocessable(f"{field} needs exactly one source of {', '.join(allowed)}; "
                                f"got {', '.join(sources) or 'none'}")
        source = comp[sources[0]]
        if not isinstance(source, dict):
            raise Unprocessable(f"{field}.{sources[0]} must be an object")
        if sources[0] == "image":
            self._enum(source, "registry_type", REGISTRY_TYPES, f"{field}.image", required=True)
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
                self._autoscaling(comp["autoscaling"], size or DEFAULT_SIZE, field)
        if kind == "jobs":
            self._enum(comp, "kind", JOB_KINDS, field)
        if kind == "services" and comp.get("protocol") not in (None, "", "HTTP", "HTTP2"):
            raise Unprocessable(f"{field}.protocol must be one of HTTP, HTTP2; got {comp['protocol']!r}")
        self._alerts_spec(comp.get("alerts"), f"{field}.alerts")
        self._envs(comp.get("envs"), f"{field}.envs")

    @staticmethod
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

    @staticmethod
    def _name(value: Any, field: str) -> str:
        if value in (None, ""):
            raise Unprocessable(f"{field} is required")
        if not isinstance(value, str) or not NAME.match(value):
            raise Unprocessable(f"{field} {value!r} must be 2-32 lowercase letters, digits or '-', starting with "
                                "a letter and not ending with '-'")
        return value

    @staticmethod
    def _list(body: dict, key: str, where: str) -> list:
        value = body.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise Unprocessable(f"{where}.{key} must be a list")
        return value

    @staticmethod
    def _enum(body: dict, key: str, allowed: tuple[str, ...], field: str, *, required: bool = False) -> None:
        value = body.get(key)
        if value in (None, "") and not required:
            return
        if value not in allowed:
            raise Unprocessable(f"{field}.{key} must be one of {', '.join(allowed)}; got {value!r}")

    def _alerts_spec(self, alerts: Any, field: str) -> None:
        if alerts is None:
            return
        if not isinstance(alerts, list):
            raise Unprocessable(f"{field} must be a list of {{rule, ...}}")
        for i, alert in enumerate(alerts):
            if not isinstance(alert, dict):
                raise Unprocessable(f"{field}[{i}] must be an object with a rule")
            self._enum(alert, "rule", ALERT_RULES, f"{field}[{i}]", required=True)
            if alert.get("destinations") is not None:
                self._destinations(alert["destinations"], f"{field}[{i}].destinations")

    @staticmethod
    def _destinations(body: Any, field: str) -> tuple[list[str], list[dict]]:
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

    def _envs(self, envs: Any, field: str) -> None:
        if envs is None:
            return
        if not isinstance(envs, list):
            raise Unprocessable(f"{field} must be a list of {{key, value, scope, type}}")
        for i, env in enumerate(envs):
            if not isinstance(env, dict) or not env.get("key"):
                raise Unprocessable(f"{field}[{i}].key is required")
            self._enum(env, "scope", ENV_SCOPES, f"{field}[{i}]")
            self._enum(env, "type", ENV_TYPES, f"{field}[{i}]")

    # -- apps ------------------------------------------------------------------------------------
    def _app(self, app_id: str) -> dict:
        record = self.data["apps"].get(app_id)
        if record is None:
            raise not_found("app", app_id)
        self._refresh(record)
        return record

    def _unique_name(self, name: str, exclude: str | None = None) -> None:
        for other in self.data["apps"].values():
            if other["spec"]["name"] == name and other["id"] != exclude:
                raise Conflict(f"spec.name {name!r} is already used by app {other['id']}; app names are unique "
                               "within an account")

    def create_app(self, body: dict) -> dict:
        spec = self.validate_spec(body.get("spec"))
        self._unique_name(spec["name"])
        project_id = body.get("project_id") or None
        links.check_project(self.state, project_id)
        spec = with_api_defaults(spec)
        app_id = self.ids.uuid()
        hostname = f"{spec['name']}-{self.ids.hex(3)[:5]}.ondigitalocean.app"
        account_backend = links.optional_neighbour(self.state, "account")
        account = account_backend.get() if account_backend is not None else {}
        now = self.now()
        record = {
            "id": app_id, "owner_uuid": account.get("uuid", ""), "spec": copy.deepcopy(spec),
            "created_at": now, "updated_at": now, "last_deployment_created_at": now, "dedicated_ips": [],
            "_hostname": hostname, "_deployments": [], "_alerts": [],
        }
        record["_alerts"] = self._derive_alerts(spec, [])
        record["dedicated_ips"] = self._dedicated_ips(spec, [])
        self.data["apps"][app_id] = record
        links.assign_project(self.state, f"do:app:{app_id}", project_id)
        self._deploy(record, "initial deployment")
        return self.view(record)

    DEDICATED_EGRESS_IPS = 2  # the emulator's choice; the API does not publish how many an app gets

    def _dedicated_ips(self, spec: dict, current: list[dict]) -> list[dict]:
        """An app with ``spec.egress.type == "DEDICATED_IP"`` gets static egress addresses (kept across updates);
        back to automatic egress, it has none."""
        if (spec.get("egress") or {}).get("type") != "DEDICATED_IP":
            return []
        if current:
            return copy.deepcopy(current)
        rnd = self.ids.random()
        return [{"ip": f"45.55.{rnd.randint(0, 255)}.{rnd.randint(1, 254)}", "id": self.ids.uuid(),
                 "status": "ASSIGNED"} for _ in range(self.DEDICATED_EGRESS_IPS)]

    def get_app(self, app_id: str) -> dict:
        return self.view(self._app(app_id))

    def list_apps(self) -> list[dict]:
        records = sorted(self.data["apps"].values(), key=lambda a: (a["created_at"], a["spec"]["name"]))
        return [self.view(self._app(r["id"])) for r in records]

    @staticmethod
    def _require_unpinned(record: dict) -> None:
        """A rollback not yet committed or reverted pins the app: no new deployment (see runtime.py)."""
        if record.get("_pinned"):
            raise Conflict(f"app {record['id']} is pinned to rollback deployment {record['_pinned']['deployment_id']}; "
                           "commit or revert the rollback first")

    def update_app(self, app_id: str, body: dict) -> dict:
        record = self._app(app_id)
        self._require_unpinned(record)
        spec = self.validate_spec(body.get("spec"))
        self._unique_name(spec["name"], exclude=app_id)
        record["spec"] = with_api_defaults(spec)
        record["_alerts"] = self._derive_alerts(spec, record["_alerts"])
        record["dedicated_ips"] = self._dedicated_ips(spec, record.get("dedicated_ips") or [])
        record["updated_at"] = self.now()
        self._deploy(record, "app spec updated")
        return self.view(record)

    def delete_app(self, app_id: str) -> str:
        self._app(app_id)
        del self.data["apps"][app_id]
        links.forget(self.state, f"do:app:{app_id}")
        return app_id

    # -- deployments -----------------------------------------------------------------------------
    def _deploy(self, record: dict, cause: str) -> dict:
        """A new deployment of the current spec; an older one still in progress is superseded."""
        for older in record["_deployments"]:
            if older["phase"] in IN_PROGRESS:
                older.pop("_pending", None)
                self._set_phase(older, "SUPERSEDED", older["progress"])
        spec = record["spec"]
        components = [(kind, c["name"]) for kind in COMPONENT_KINDS for c in spec.get(kind) or []]
        now = self.now()
        deployment = {
            "id": self.ids.uuid(), "cause": cause, "spec": copy.deepcopy(spec), "phase": "PENDING_BUILD",
            "phase_last_updated_at": now, "created_at": now, "updated_at": now, "tier_slug": self._tier(spec),
            "progress": self._progress(components, ("PENDING", "PENDING", "PENDING"), now, now),
        }
        for kind in COMPONENT_KINDS:
            deployment[kind] = [{"name": c["name"], "source_commit_hash": self.ids.hex(20)}
                                for c in spec.get(kind) or []]
        delay = self.state.settings.lifecycle_delay
        failing = self.data.get("failing_deployments", 0) > 0
        if failing:
            self.data["failing_deployments"] -= 1
        for fraction, phase, statuses in (FAILED_PHASES if failing else PHASES):
            at = self.clock.stamp(delay * fraction)
            progress = self._progress(components, statuses, now, at)
            if phase == "ERROR":
                progress["steps"][0]["reason"] = {"code": "BuildJobExitNonZero",
                                                  "message": self.data.get("failure_message") or FAILURE_MESSAGE}
                progress["summary_steps"][0]["reason"] = progress["steps"][0]["reason"]
            schedule(self.state, deployment, {"phase": phase, "phase_last_updated_at": at, "updated_at": at,
                                              "progress": progress}, delay * fraction)
        record["_deployments"].insert(0, deployment)  # newest first, as the API lists them
        record["last_deployment_created_at"] = now
        return deployment

    def _progress(self, components: list[tuple[str, str]], statuses: tuple[str, str, str], started: str,
                  at: str) -> dict:
        steps = []
        for (name, sub), status in zip((("build", True), ("deploy", True), ("finalize", False)), statuses,
                                       strict=True):
            step: dict[str, Any] = {"name": name, "status": status}
            if status != "PENDING":
                step["started_at"] = started
            if status == "SUCCESS":
                step["ended_at"] = at
            if sub:
                step["steps"] = [{"name": f"{name}-{component}", "component_name": component, "status": status}
                                 for _, component in components]
            steps.append(step)
        counts = {s: sum(1 for step in steps if step["status"] == s)
                  for s in ("SUCCESS", "ERROR", "PENDING", "RUNNING")}
        return {"steps": steps, "summary_steps": [{k: v for k, v in s.items() if k != "steps"} for s in steps],
                "total_steps": len(steps), "success_steps": counts["SUCCESS"], "error_steps": counts["ERROR"],
                "pending_steps": counts["PENDING"], "running_steps": counts["RUNNING"]}

    def _set_phase(self, deployment: dict, phase: str, progress: dict) -> None:
        now = self.now()
        deployment.update(phase=phase, phase_last_updated_at=now, updated_at=now, progress=progress)

    def _refresh(self, record: dict) -> None:
        """Apply due phase changes; only the newest ACTIVE deployment stays ACTIVE."""
        active_seen = False
        for deployment in record["_deployments"]:  # newest first
            settle(self.state, deployment)
            if deployment["phase"] == "ACTIVE":
                if active_seen:
                    self._set_phase(deployment, "SUPERSEDED", deployment["progress"])
                active_seen = True

    def deployments(self, app_id: str) -> list[dict]:
        return [public(d) for d in self._app(app_id)["_deployments"]]

    def _deployment(self, record: dict, deployment_id: str) -> dict:
        for deployment in record["_deployments"]:
            if deployment["id"] == deployment_id:
                return deployment
        raise not_found("deployment", deployment_id)

    def deployment(self, app_id: str, deployment_id: str) -> dict:
        return public(self._deployment(self._app(app_id), deployment_id))

    def create_deployment(self, app_id: str, body: dict) -> dict:
        record = self._app(app_id)
        self._require_unpinned(record)
        force = body.get("force_build")
        if force is not None and not isinstance(force, bool):
            raise Unprocessable(f"force_build must be a boolean; got {force!r}")
        return public(self._deploy(record, "manual deployment" + (" (force build)" if force else "")))

    def restart(self, app_id: str, body: dict) -> dict:
        """Restart components (all when ``components`` is empty): a deployment without a build."""
        record = self._app(app_id)
        names = body.get("components") or []
        known = [c["name"] for kind in ("services", "workers") for c in record["spec"].get(kind) or []]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise Unprocessable("components must be a list of component names")
        unknown = [n for n in names if n not in known]
        if unknown:
            raise Unprocessable(f"components: {', '.join(unknown)} are not services or workers of this app; "
                                f"known: {', '.join(known) or 'none'}")
        if not any(d["phase"] == "ACTIVE" for d in record["_deployments"]):
            raise Unprocessable("the app has no active deployment to restart")
        return public(self._deploy(record, "restart" + (f" of {', '.join(names)}" if names else "")))

    def cancel_deployment(self, app_id: str, deployment_id: str) -> dict:
        deployment = self._deployment(self._app(app_id), deployment_id)
        if deployment["phase"] not in IN_PROGRESS:
            raise Unprocessable(f"deployment {deployment_id} is {deployment['phase']}; only a deployment in "
                                f"progress ({', '.join(IN_PROGRESS)}) can be canceled")
        deployment.pop("_pending", None)
        self._set_phase(deployment, "CANCELED", deployment["progress"])
        return public(deployment)

    # -- alerts ----------------------------------------------------------------------------------
    def _derive_alerts(self, spec: dict, current: list[dict]) -> list[dict]:
        """One alert per (component, rule) in the spec; ids and destinations survive spec updates."""
        wanted = [("", a) for a in spec.get("alerts") or []]
        for kind in COMPONENT_KINDS:
            for comp in spec.get(kind) or []:
                wanted += [(comp["name"], a) for a in comp.get("alerts") or []]
        by_key = {(a["component_name"], a["spec"]["rule"]): a for a in current}
        out = []
        for component, alert_spec in wanted:
            existing = by_key.get((component, alert_spec["rule"]))
            if alert_spec.get("destinations") is not None:  # the spec's destinations win (the real API keeps them)
                emails, hooks = self._destinations(alert_spec["destinations"], "")
            else:
                emails, hooks = (existing["emails"], existing["slack_webhooks"]) if existing else ([], [])
            alert = {"id": existing["id"] if existing else self.ids.uuid(), "component_name": component,
                     "spec": copy.deepcopy(alert_spec), "emails": emails, "slack_webhooks": hooks,
                     "phase": "ACTIVE",
                     "progress": {"steps": [{"name": "alert-configure-insight-alert", "status": "SUCCESS",
                                             "started_at": self.now(), "ended_at": self.now()}]}}
            out.append(alert)
        return out

    def alerts(self, app_id: str) -> list[dict]:
        return [self._alert_view(a) for a in self._app(app_id)["_alerts"]]

    def assign_alert_destinations(self, app_id: str, alert_id: str, body: dict) -> dict:
        record = self._app(app_id)
        alert = next((a for a in record["_alerts"] if a["id"] == alert_id), None)
        if alert is None:
            raise not_found("alert", alert_id)
        alert["emails"], alert["slack_webhooks"] = self._destinations(body, "")
        return self._alert_view(alert)

    @staticmethod
    def _alert_view(alert: dict) -> dict:
        out = copy.deepcopy(alert)
        if not out["component_name"]:
            del out["component_name"]
        return out

    # -- catalog and proposals -------------------------------------------------------------------
    def instance_sizes(self) -> list[dict]:
        prices = self.data.get("instance_size_prices") or {}
        return [instance_size(slug, prices.get(slug)) for slug in INSTANCE_SIZES]

    def instance_size(self, slug: str) -> dict:
        if not one_of(slug, INSTANCE_SIZES):
            raise not_found("instance size", slug)
        return instance_size(slug, (self.data.get("instance_size_prices") or {}).get(slug))

    @staticmethod
    def regions() -> list[dict]:
        return [region_view(slug) for slug in REGIONS]

    def propose(self, body: dict) -> dict:
        spec = self.validate_spec(body.get("spec"))
        app_id = body.get("app_id") or None
        if app_id:
            self._app(app_id)
        taken = any(a["spec"]["name"] == spec["name"] and a["id"] != app_id for a in self.data["apps"].values())
        static_apps = sum(1 for a in self.data["apps"].values() if self._is_static(a["spec"]) and a["id"] != app_id)
        out = {"app_name_available": not taken, "spec": spec, "app_is_static": self._is_static(spec),
               "existing_static_apps": str(static_apps), "app_cost": self._cost(spec, downgrade=False),
               "app_tier_downgrade_cost": self._cost(spec, downgrade=True)}
        if taken:
            n = 2
            while any(a["spec"]["name"] == f"{spec['name'][:29]}-{n}" for a in self.data["apps"].values()):
                n += 1
            out["app_name_suggestion"] = f"{spec['name'][:29]}-{n}"
        return out

    @staticmethod
    def _is_static(spec: dict) -> bool:
        return bool(spec.get("static_sites")) and not any(spec.get(k) for k in ("services", "workers", "jobs",
                                                                                  "functions"))

    @staticmethod
    def _cost(spec: dict, *, downgrade: bool) -> int:
        """USD per month: instances × size price, static sites beyond the free ones, dev databases."""
        total = 0
        for kind in ("services", "workers", "jobs"):
            for comp in spec.get(kind) or []:
                slug = comp.get("instance_size_slug") or DEFAULT_SIZE
                if downgrade:
                    slug = instance_size(slug)["tier_downgrade_to"] or slug
                total += INSTANCE_SIZES[slug][4] * (comp.get("instance_count") or 1)
        total += max(0, len(spec.get("static_sites") or []) - FREE_STATIC_SITES) * STATIC_SITE_USD
        total += sum(DEV_DATABASE_USD for db in spec.get("databases") or [] if not db.get("production"))
        return total

    @staticmethod
    def _tier(spec: dict) -> str:
        sizes = [c.get("instance_size_slug") or DEFAULT_SIZE for k in ("services", "workers", "jobs")
                 for c in spec.get(k) or []]
        return "professional" if any(INSTANCE_SIZES[s][1] == "DEDICATED" for s in sizes) else "basic"

    # -- seed ------------------------------------------------------------------------------------
    def seed(self, payload: dict) -> dict:
        """``{"failing_deployments": n, "failure_message": "...", "instance_size_prices": {slug: usd}}``: the
        next n deployments end in ERROR; the listed instance sizes cost ``usd`` a month from now on."""
        unknown = sorted(set(payload) - SEEDABLE)
        if unknown:
            raise Unprocessable(f"unknown apps seed fields {unknown}; allowed: {sorted(SEEDABLE)}")
        prices = payload.get("instance_size_prices")
        if prices is not None:
            if not isinstance(prices, dict):
                raise Unprocessable(f"instance_size_prices must be an object of slug to USD; got {prices!r}")
            for slug, usd in prices.items():
                if slug not in INSTANCE_SIZES:
                    raise Unprocessable(f"instance_size_prices: unknown instance size {slug!r}")
                if isinstance(usd, bool) or not isinstance(usd, int | float) or usd < 0:
                    raise Unprocessable(f"instance_size_prices.{slug} must be a number >= 0; got {usd!r}")
            self.data["instance_size_prices"] = {**(self.data.get("instance_size_prices") or {}), **prices}
            if set(payload) == {"instance_size_prices"}:
                return {"instance_size_prices": dict(self.data["instance_size_prices"])}
        count = payload.get("failing_deployments", 0)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise Unprocessable(f"failing_deployments must be an integer >= 0; got {count!r}")
        message = payload.get("failure_message")
        if message is not None and not isinstance(message, str):
            raise Unprocessable(f"failure_message must be a string; got {message!r}")
        self.data["failing_deployments"] = count
        self.data["failure_message"] = message
        return {"failing_deployments": count}

    # -- rendering -------------------------------------------------------------------------------
    def view(self, record: dict) -> dict:
        out = public(record)
        deployments = record["_deployments"]
        active = next((d for d in deployments if d["phase"] == "ACTIVE"), None)
        in_progress = next((d for d in deployments if d["phase"] in IN_PROGRESS), None)
        region = record["spec"].get("region") or DEFAULT_REGION
        out["region"] = region_view(region)
        out["tier_slug"] = self._tier(record["spec"])
        out["default_ingress"] = f"https://{record['_hostname']}"
        if active is not None:
            out["active_deployment"] = public(active)
            out["live_url"] = f"https://{record['_hostname']}"
            out["live_url_base"] = out["live_url"]
            out["live_domain"] = record["_hostname"]
        if in_progress is not None:
            out["in_progress_deployment"] = public(in_progress)
            out["pending_deployment"] = public(in_progress)
        out["domains"] = [{"id": self._stable_id(record, d["domain"]), "phase": "ACTIVE" if active else "PENDING",
                           "spec": copy.deepcopy(d)} for d in record["spec"].get("domains") or []]
        project_id = links.project_of(self.state, f"do:app:{record['id']}")
        if project_id:
            out["project_id"] = project_id
        return out

    @staticmethod
    def _stable_id(record: dict, domain: str) -> str:
        return str(uuid.uuid5(uuid.UUID(record["id"]), domain))
