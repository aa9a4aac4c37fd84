"""The one seam every operation talks to the API through: reads made once, 404 as ``None``.

PyDo reports a 404 two ways: it raises ``ResourceNotFoundError`` where the spec documents none and hands
a documented one back as the body (``{"id": "not_found", ...}``). Both are ``None`` here, whatever the
call. Any other HTTP error (after the client's retries) is raised as the project's error
(:func:`do_platform.errors.from_http_error`), its message starting with the operation's ``label`` (or the
call's ``what``), with the HTTP status kept on the error (``status``) for callers that judge a 401/403
themselves (preflight's rows for a scoped token). Transport errors (refused, timed out) pass through as
azure-core raised them; the CLI's error handler names the command they stopped.

Named reads (:meth:`ApiReader.account`, :meth:`ApiReader.registry`, ...) are cached for the reader's life
(one command, one check run, one resource operation), so checks and collectors can ask again without a
second request. Walks that must see the account as it is now (registry cleanup's re-read just before it
deletes) use the uncached :meth:`ApiReader.call` and :meth:`ApiReader.pages`; so do the few writes
(registry deletes, garbage collection), where a 404 then means "already gone".
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any

from azure.core.exceptions import HttpResponseError, ResourceNotFoundError

from do_platform.api.pagination import MAX_PER_PAGE, TOKEN_PER_PAGE, iter_pages, iter_token_pages
from do_platform.errors import from_http_error, is_not_found


class ApiReader:
    """A PyDo client behind one 404 rule, one error translation and one cache."""

    def __init__(self, client, label: str | None = None) -> None:
        self.client = client
        self.label = label
        self._cache: dict[Hashable, Any] = {}

    @classmethod
    def of(cls, client_or_reader) -> ApiReader:
        """The reader itself, or a new reader on a PyDo client (operations accept either)."""
        return client_or_reader if isinstance(client_or_reader, ApiReader) else cls(client_or_reader)

    @contextmanager
    def labelled(self, label: str) -> Iterator[ApiReader]:
        """Errors raised inside start with ``label`` (the operation as the user named it)."""
        previous, self.label = self.label, label
        try:
            yield self
        finally:
            self.label = previous

    # -- the mechanism

    def call(self, func: Callable[..., Any], *args: Any, what: str = "request", **kwargs: Any) -> Any:
        """One request, uncached: its body, ``None`` on a 404, PlatformError on any other HTTP error."""
        found, body = self._send(func, args, kwargs, what)
        return body if found else None

    def delete(self, func: Callable[..., Any], *args: Any, what: str = "request", **kwargs: Any) -> bool:
        """One delete: True when it deleted, False when the thing was already gone (a 404). A delete answers
        204 with no body, so :meth:`call`'s ``None`` cannot tell the two apart."""
        return self._send(func, args, kwargs, what)[0]

    def _send(self, func: Callable[..., Any], args: tuple, kwargs: dict, what: str) -> tuple[bool, Any]:
        """(found, body): the one place a 404, raised or returned, becomes "not found"."""
        try:
            body = func(*args, **kwargs)
        except ResourceNotFoundError:
            return False, None
        except HttpResponseError as exc:
            raise from_http_error(exc, self.label or what) from None
        return not is_not_found(body), body

    def once(self, key: Hashable, fetch: Callable[[], Any]) -> Any:
        """``fetch()`` the first time ``key`` is asked for, the remembered answer after that."""
        if key not in self._cache:
            self._cache[key] = fetch()
        return self._cache[key]

    def pages(self, func: Callable[..., Any], *args: Any, what: str = "request", per_page: int = MAX_PER_PAGE,
              cursor: bool = False, **kwargs: Any) -> Iterator[dict | None]:
        """Each page body of a list, uncached; a 404 page is yielded as ``None`` and ends the walk.
        ``cursor``: the registry's ``page_token`` paging instead of page numbers."""
        walk = iter_token_pages if cursor else iter_pages
        yield from walk(lambda **kw: self.call(func, *args, what=what, **kwargs, **kw), per_page=per_page)

    def items(self, func: Callable[..., Any], key: str, *args: Any, what: str = "request", **kwargs: Any
              ) -> list[dict] | None:
        """Every item under ``key`` across all pages, uncached; ``None`` when a page is a 404."""
        out: list[dict] = []
        for body in self.pages(func, *args, what=what, **kwargs):
            if body is None:
                return None
            out.extend(body.get(key) or [])
        return out

    def _field(self, key: Hashable, func: Callable[..., Any], *args: Any, field: str, what: str,
               **kwargs: Any) -> Any:
        body = self.once(key, lambda: self.call(func, *args, what=what, **kwargs))
        return None if body is None else body.get(field)

    def _all(self, key: Hashable, func: Callable[..., Any], field: str, *args: Any, what: str,
             **kwargs: Any) -> list[dict]:
        return self.once(key, lambda: self.items(func, field, *args, what=what, **kwargs) or [])

    # -- account and catalog

    def account(self) -> dict:
        return self._field(("account",), self.client.account.get, field="account", what="read the account") or {}

    def regions(self) -> dict[str, dict]:
        return {r["slug"]: r for r in self._all(("regions",), self.client.regions.list, "regions",
                                                  what="list regions")}

    def sizes(self) -> dict[str, dict]:
        return {s["slug"]: s for s in self._all(("sizes",), self.client.sizes.list, "sizes", what="list sizes")}

    # -- droplets, volumes, load balancers, certificates

    def droplets(self, tag: str | None = None) -> list[dict]:
        kwargs = {"tag_name": tag} if tag else {}
        return self._all(("droplets", tag), self.client.droplets.list, "droplets", what="list droplets", **kwargs)

    def droplet(self, droplet_id: int | str) -> dict | None:
        return self._field(("droplet", str(droplet_id)), self.client.droplets.get, int(droplet_id), field="droplet",
                           what=f"get droplet {droplet_id}")

    def volumes(self) -> list[dict]:
        return self._all(("volumes",), self.client.volumes.list, "volumes", what="list volumes")

    def load_balancers(self) -> list[dict]:
        return self._all(("lbs",), self.client.load_balancers.list, "load_balancers", what="list load balancers")

    def certificate(self, certificate_id: str) -> dict | None:
        return self._field(("certificate", certificate_id), self.client.certificates.get, certificate_id,
                           field="certificate", what=f"get certificate {certificate_id}")

    # -- projects and DNS

    def projects(self) -> list[dict]:
        return self._all(("projects",), self.client.projects.list, "projects", what="list projects")

    def project_urns(self, project_id: str) -> list[str]:
        return [r.get("urn", "") for r in self._all(("project-urns", project_id), self.client.projects.list_resources,
                                                    "resources", what="list project resources",
                                                    project_id=project_id)]

    def domain(self, name: str) -> dict | None:
        return self._field(("domain", name), self.client.domains.get, name, field="domain", what=f"get domain {name}")

    # -- databases and Kubernetes

    def database_options(self) -> dict:
        return self.once(("db-options",), lambda: self.call(self.client.databases.list_options,
                                                             what="list database options") or {})

    def databases(self, tag: str) -> list[dict]:  # not paged
        return self._field(("databases", tag), self.client.databases.list_clusters, field="databases",
                           what="list database clusters", tag_name=tag) or []

    def database(self, cluster_id: str) -> dict | None:
        return self._field(("database", cluster_id), self.client.databases.get_cluster, cluster_id,
                           field="database", what=f"get database cluster {cluster_id}")

    def database_replicas(self, cluster_id: str) -> list[dict]:  # not paged
        return self._field(("db-replicas", cluster_id), self.client.databases.list_replicas, cluster_id,
                           field="replicas", what=f"list replicas of database cluster {cluster_id}") or []

    def kubernetes_options(self) -> dict:
        return self._field(("k8s-options",), self.client.kubernetes.list_options, field="options",
                           what="list Kubernetes options") or {}

    def kubernetes_clusters(self) -> list[dict]:
        return self._all(("k8s",), self.client.kubernetes.list_clusters, "kubernetes_clusters",
                         what="list Kubernetes clusters")

    def node_pools(self, cluster_id: str) -> list[dict]:  # not paged
        return self._field(("node-pools", cluster_id), self.client.kubernetes.list_node_pools, cluster_id,
                           field="node_pools", what=f"list node pools of {cluster_id}") or []

    # -- Spaces keys and CDN endpoints (the buckets themselves speak S3, not this API)

    def spaces_keys(self) -> list[dict]:
        return self._all(("spaces-keys",), self.client.spaces_key.list, "keys", what="list Spaces keys")

    def cdn_endpoints(self) -> list[dict]:
        return self._all(("cdn",), self.client.cdn.list_endpoints, "endpoints", what="list CDN endpoints")

    # -- Droplet Autoscale pools and VPC NAT gateways

    def autoscale_pools(self) -> list[dict]:
        return self._all(("autoscale-pools",), self.client.autoscalepools.list, "autoscale_pools",
                         what="list autoscale pools")

    def autoscale_history(self, pool_id: str) -> list[dict]:
        return self._all(("autoscale-history", pool_id), self.client.autoscalepools.list_history, "history", pool_id,
                         what=f"list scaling history of autoscale pool {pool_id}")

    def nat_gateways(self) -> list[dict]:
        return self._all(("nat-gateways",), self.client.vpcnatgateways.list, "vpc_nat_gateways",
                         what="list VPC NAT gateways")

    # -- App Platform

    def apps(self) -> list[dict]:
        return self._all(("apps",), self.client.apps.list, "apps", what="list apps")

    def app_instance_sizes(self) -> dict[str, dict]:
        return {s["slug"]: s for s in self._field(("app-sizes",), self.client.apps.list_instance_sizes,
                                                  field="instance_sizes", what="list app instance sizes") or []}

    def app_regions(self) -> dict[str, dict]:
        return {r["slug"]: r for r in self._field(("app-regions",), self.client.apps.list_regions, field="regions",
                                                  what="list app regions") or []}

    # -- container registry

    def registry(self, name: str) -> dict | None:
        return self._field(("registry", name), self.client.registries.get, name, field="registry",
                           what=f"get registry {name!r}")

    def registry_names(self) -> list[str]:
        return sorted(r.get("name", "?") for r in self._field(("registries",), self.client.registries.list,
                                                              field="registries", what="list registries") or [])

    def registry_subscription(self) -> dict:
        return self._field(("subscription",), self.client.registries.get_subscription, field="subscription",
                           what="get the registry subscription") or {}

    def registry_options(self) -> dict:
        return self._field(("registry-options",), self.client.registries.get_options, field="options",
                           what="get registry options") or {}

    def repositories(self, registry: str, per_page: int = TOKEN_PER_PAGE) -> dict[str, dict] | None:
        """Repositories by name, in listing order (``repositoriesV2``'s cursor); None when the registry is gone."""
        def fetch() -> dict[str, dict] | None:
            out: dict[str, dict] = {}
            for body in self.pages(self.client.registries.list_repositories_v2, registry, per_page=per_page,
                                   cursor=True, what=f"list repositories of {registry!r}"):
                if body is None:
                    return None
                out.update((r["name"], r) for r in body.get("repositories") or [])
            return out
        return self.once(("repos", registry, per_page), fetch)

    def tags(self, registry: str, repository: str) -> list[dict]:
        return self._all(("tags", registry, repository), self.client.registries.list_repository_tags, "tags",
                         registry, repository, what=f"list tags of {repository!r}")

    def manifests(self, registry: str, repository: str) -> list[dict]:
        return self._all(("manifests", registry, repository), self.client.registries.list_repository_manifests,
                         "manifests", registry, repository, what=f"list manifests of {repository!r}")

    def manifest_pages(self, registry: str, repository: str, per_page: int = MAX_PER_PAGE) -> Iterator[dict | None]:
        """The manifest listing as it is now (uncached: registry cleanup re-reads it before deleting)."""
        return self.pages(self.client.registries.list_repository_manifests, registry, repository,
                          per_page=per_page, what=f"list manifests of {repository!r}")
