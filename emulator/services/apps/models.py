"""App Platform's backend: apps and the API's operations on them, split per resource the way moto splits a large
service. The pieces: ``spec.py`` (validation and API defaults of a spec), ``deployments.py`` (the lifecycle of a
deployment), ``alerts.py``, ``sizes.py`` (instance sizes, regions, costs), ``runtime.py`` (instances, bandwidth,
rollbacks). The app's ``active_deployment``/``pending_deployment``/``in_progress_deployment`` are derived from
its deployments on every read.
"""

from __future__ import annotations

import copy
import uuid

from emulator.core import links
from emulator.core.errors import Conflict, Unprocessable, not_found
from emulator.core.state import Backend, public
from emulator.core.validate import one_of

from . import alerts, deployments
from .deployments import IN_PROGRESS
from .sizes import DEFAULT_REGION, INSTANCE_SIZES, REGIONS, cost, instance_size, is_static, region_view, tier
from .spec import destinations, validate_spec, with_api_defaults

SEEDABLE = {"failing_deployments", "failure_message", "instance_size_prices"}


class AppsBackend(Backend):
    name = "apps"

    def reset(self) -> None:
        self.data = {"apps": {}}

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
        spec = validate_spec(body.get("spec"))
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
        record["_alerts"] = alerts.derive(self, spec, [])
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
        spec = validate_spec(body.get("spec"))
        self._unique_name(spec["name"], exclude=app_id)
        record["spec"] = with_api_defaults(spec)
        record["_alerts"] = alerts.derive(self, spec, record["_alerts"])
        record["dedicated_ips"] = self._dedicated_ips(spec, record.get("dedicated_ips") or [])
        record["updated_at"] = self.now()
        self._deploy(record, "app spec updated")
        return self.view(record)

    def delete_app(self, app_id: str) -> str:
        self._app(app_id)
        del self.data["apps"][app_id]
        links.forget(self.state, f"do:app:{app_id}")
        return app_id

    # -- deployments (deployments.py) -------------------------------------------------------------
    def _deploy(self, record: dict, cause: str) -> dict:
        return deployments.deploy(self, record, cause)

    def _refresh(self, record: dict) -> None:
        deployments.refresh(self, record)

    @staticmethod
    def _deployment(record: dict, deployment_id: str) -> dict:
        return deployments.find(record, deployment_id)

    def deployments(self, app_id: str) -> list[dict]:
        return [public(d) for d in self._app(app_id)["_deployments"]]

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
        deployments.set_phase(self, deployment, "CANCELED", deployment["progress"])
        return public(deployment)

    # -- alerts (alerts.py) -----------------------------------------------------------------------
    def alerts(self, app_id: str) -> list[dict]:
        return [alerts.view(a) for a in self._app(app_id)["_alerts"]]

    def assign_alert_destinations(self, app_id: str, alert_id: str, body: dict) -> dict:
        record = self._app(app_id)
        alert = next((a for a in record["_alerts"] if a["id"] == alert_id), None)
        if alert is None:
            raise not_found("alert", alert_id)
        alert["emails"], alert["slack_webhooks"] = destinations(body, "")
        return alerts.view(alert)

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
        spec = validate_spec(body.get("spec"))
        app_id = body.get("app_id") or None
        if app_id:
            self._app(app_id)
        taken = any(a["spec"]["name"] == spec["name"] and a["id"] != app_id for a in self.data["apps"].values())
        static_apps = sum(1 for a in self.data["apps"].values() if is_static(a["spec"]) and a["id"] != app_id)
        out = {"app_name_available": not taken, "spec": spec, "app_is_static": is_static(spec),
               "existing_static_apps": str(static_apps), "app_cost": cost(spec, downgrade=False),
               "app_tier_downgrade_cost": cost(spec, downgrade=True)}
        if taken:
            n = 2
            while any(a["spec"]["name"] == f"{spec['name'][:29]}-{n}" for a in self.data["apps"].values()):
                n += 1
            out["app_name_suggestion"] = f"{spec['name'][:29]}-{n}"
        return out

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
        out["tier_slug"] = tier(record["spec"])
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
