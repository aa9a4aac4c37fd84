"""The one way a family reaches a neighbour family: every call from one family's code into another's goes
through a function here (``tests/emulator/test_family_rules.py`` refuses any other way).

Regions come from the catalog, the default VPC of a region from vpcs, tags are auto-created through
tags, and new resources land in a project through projects. Most links degrade to a local rule when
that family is not installed (:func:`optional_neighbour` is None), so families also run alone (a trimmed
emulator, unit tests); :func:`neighbour` is for a family that cannot work without the other (a droplet
needs the catalog's sizes and images). Kept in core, not in any one family, so that each family depends
only on core.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from do_vocab import catalog
from emulator.core.errors import NotFound, Unprocessable

if TYPE_CHECKING:
    from emulator.core.state import Backend, State

# Used only when the catalog family is absent (its seeded availability wins otherwise): the one catalog's regions.
FALLBACK_REGIONS = catalog.load().region_slugs(available_only=True)


def optional_neighbour(state: State, family: str) -> Backend | None:
    """The backend of ``family``, or None when that family is not part of this emulator (the emulator discovers
    families at start, and a trimmed one may lack it): the caller degrades to "not verifiable"."""
    try:
        return state.backend(family)
    except KeyError:
        return None


def neighbour(state: State, family: str) -> Backend:
    """The backend of ``family``, a neighbour the caller cannot work without; KeyError naming the installed
    families when it is absent."""
    return state.backend(family)


def droplets_exist(state: State, droplet_ids: list[int], field: str = "droplet_ids") -> None:
    """422 naming the first unknown droplet id, when the droplets family is installed."""
    droplets = optional_neighbour(state, "droplets")
    if droplets is None or not droplet_ids:
        return
    for droplet_id in droplet_ids:
        if not droplets.exists(droplet_id):
            raise Unprocessable(f"{field}: droplet {droplet_id} does not exist")


def live_droplets(state: State, droplet_ids: list[int]) -> list[int]:
    """``droplet_ids`` without droplets deleted since (the API drops them from firewalls and LBs)."""
    droplets = optional_neighbour(state, "droplets")
    if droplets is None:
        return droplet_ids
    return [d for d in droplet_ids if droplets.exists(d)]


def assign_to_project(state: State, urn: str, project_id: str | None = None) -> None:
    """A new resource lands in ``project_id`` or the default project (no-op without the projects family)."""
    projects = optional_neighbour(state, "projects")
    if projects is None:
        return
    if project_id:
        projects.assign(project_id, [urn])
    else:
        projects.assign_default(urn)


def forget_in_projects(state: State, urn: str) -> None:
    projects = optional_neighbour(state, "projects")
    if projects is not None:
        projects.forget(urn)


def project_of(state: State, urn: str) -> str | None:
    projects = optional_neighbour(state, "projects")
    return None if projects is None else projects.project_of(urn)


def touch_tags(state: State, names: list[str]) -> None:
    """Creates auto-create their tags (the API does); a no-op without the tags family."""
    tags = optional_neighbour(state, "tags")
    if tags is not None and names:
        tags.touch(names)


def region_slugs(state: State) -> list[str]:
    catalog = optional_neighbour(state, "catalog")
    if catalog is not None:
        return [r["slug"] for r in catalog.regions() if r.get("available", True)]
    return list(FALLBACK_REGIONS)


def require_region(state: State, slug, field: str = "region") -> str:
    """The region slug; 422 naming ``field`` and the allowed slugs when unknown."""
    catalog = optional_neighbour(state, "catalog")
    if catalog is not None:
        return catalog.require_region(slug, field)["slug"]
    if slug in (None, ""):
        raise Unprocessable(f"{field} is required")
    if slug not in FALLBACK_REGIONS:
        raise Unprocessable(f"{field} {slug!r} is not a valid region; allowed: {', '.join(FALLBACK_REGIONS)}")
    return slug


def region_view(state: State, slug: str) -> dict:
    """The region object nested in a resource (``droplet.region``, ``reserved_ip.region``)."""
    catalog_backend = optional_neighbour(state, "catalog")
    if catalog_backend is not None:
        return catalog_backend.region(slug)
    return {"slug": slug, "name": slug, "features": [], "available": True, "sizes": []}


def join_vpc(owner: Backend, region: str, vpc_uuid: str | None, field: str, urn: str, name: str) -> str:
    """Place ``urn`` in ``vpc_uuid`` (422 naming ``field`` if unknown or elsewhere) or the region's default VPC."""
    vpcs = optional_neighbour(owner.state, "vpcs")
    if vpcs is None:
        if vpc_uuid:
            return vpc_uuid
        # No vpcs family: one stable id per region, kept in the owner's own data.
        defaults = owner.table("_default_vpcs")
        return defaults.setdefault(region, owner.ids.uuid())
    vpc_id = vpcs.resolve(region, vpc_uuid or None, field)["id"]
    vpcs.add_member(vpc_id, urn, name)
    return vpc_id


def vpc_address(state: State, vpc_id: str) -> str | None:
    """A free private address of ``vpc_id`` for a new member (a NAT gateway's), None without the vpcs family."""
    vpcs = optional_neighbour(state, "vpcs")
    return None if vpcs is None else vpcs.allocate_ip(vpc_id)


def release_vpc_address(state: State, vpc_id: str, address: str) -> None:
    vpcs = optional_neighbour(state, "vpcs")
    if vpcs is not None and address:
        vpcs.release_ip(vpc_id, address)


def leave_vpc(state: State, urn: str) -> None:
    vpcs = optional_neighbour(state, "vpcs")
    if vpcs is not None:
        vpcs.remove_member(urn)


def valid_tags(state: State, tags) -> list[str]:
    """The validated tag list (``null`` → ``[]``); 422 naming the first bad tag. Changes nothing."""
    tags_backend = optional_neighbour(state, "tags")
    if tags_backend is not None:
        return tags_backend.validate(tags)
    if tags is not None and (not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)):
        raise Unprocessable(f"tags must be a list of strings; got {tags!r}")
    return list(dict.fromkeys(tags or []))


def apply_tags(state: State, tags: list[str], resource_type: str | None = None, resource_id: str | None = None) -> None:
    """Create missing tags (the API auto-creates them) and, for taggable types, record membership."""
    if resource_type is None:
        touch_tags(state, tags)
        return
    tags_backend = optional_neighbour(state, "tags")
    if tags_backend is not None and tags:
        tags_backend.tag(resource_type, resource_id, tags)


def check_project(state: State, project_id: str | None, field: str = "project_id") -> None:
    """422 naming ``field`` when ``project_id`` is set and is not a project. Changes nothing."""
    projects = optional_neighbour(state, "projects")
    if projects is None or not project_id:
        return
    try:
        projects.get(project_id)
    except NotFound:
        raise Unprocessable(f"{field} {project_id!r} is not a project of this account") from None


def assign_project(state: State, urn: str, project_id: str | None, field: str = "project_id") -> str | None:
    """Put a new resource's ``urn`` in ``project_id``, or in the default project; returns the project id."""
    if optional_neighbour(state, "projects") is None:
        return project_id or None
    check_project(state, project_id, field)
    assign_to_project(state, urn, project_id)
    return project_of(state, urn)


def project_for(state: State, project_id: str | None, field: str = "project_id") -> str | None:
    """The project a new resource of a kind projects do not list goes in: ``project_id`` (422 naming ``field``
    when it is not a project) or the default project; ``None`` without the projects family."""
    projects = optional_neighbour(state, "projects")
    if projects is None:
        return project_id or None
    check_project(state, project_id, field)
    return project_id or projects.default_project()["id"]


# family → its backend's public lookup of one resource (raising the 404 with the family's own message).
LOOKUPS = {"droplets": "get", "load_balancers": "get", "apps": "get_app", "databases": "cluster",
           "droplet_autoscale": "get_pool", "reserved_ips": "get", "certificates": "get", "vpcs": "get",
           "kubernetes": "cluster"}


def lookup(state: State, family: str, resource_id, field: str) -> dict | None:
    """The ``family`` resource ``resource_id`` as that family shows it; a 404 naming ``field`` when it does not
    exist; None when the family is not part of this emulator (nothing to check against)."""
    backend = optional_neighbour(state, family)
    if backend is None:
        return None
    if resource_id in (None, ""):
        raise Unprocessable(f"{field} is required")
    try:
        return getattr(backend, LOOKUPS[family])(resource_id)
    except NotFound as exc:
        raise NotFound(f"{field} {resource_id!r}: {exc.message}") from None


def pool_capacity(state: State, count: int, region: str, vpc_uuid: str | None) -> None:
    """422 before a pool makes anything when ``count`` more droplets pass the droplet limit or the VPC."""
    droplets = optional_neighbour(state, "droplets")
    if droplets is not None and count > 0:
        droplets.check_capacity(count, region, vpc_uuid)


def make_pool_droplet(state: State, name: str, region: str, size: str, image, vpc_uuid: str | None,
                      tags: list[str]) -> dict | None:
    """A droplet made by a pool (a DOKS node pool, an autoscale pool); None without the droplets family."""
    droplets = optional_neighbour(state, "droplets")
    if droplets is None:
        return None
    return droplets.create_worker(name, region, size, vpc_uuid, tags, image)


def delete_droplet(state: State, droplet_id) -> None:
    """Delete a droplet a pool made, if it still exists."""
    droplets = optional_neighbour(state, "droplets")
    if droplets is not None and droplets.exists(droplet_id):
        droplets.delete(droplet_id)


# What a droplet can be destroyed with: kind → (family, lister of a droplet's resources, deleter). The listers
# answer [{"id", "name", "size_gigabytes"?}] and are the families' public methods.
ASSOCIATED = {
    "volumes": ("volumes", "attached_to", "delete"),
    "volume_snapshots": ("volumes", "snapshots_of_droplet", "delete_snapshot"),
    "snapshots": ("droplets", "snapshot_images", "delete_snapshot_image"),
    "reserved_ips": ("reserved_ips", "assigned_to", "delete"),
}


def associated(state: State, kind: str, droplet_id: int) -> list[dict]:
    """The ``kind`` resources tied to a droplet ([] when that family is not part of this emulator)."""
    family, lister, _ = ASSOCIATED[kind]
    backend = optional_neighbour(state, family)
    return [] if backend is None else getattr(backend, lister)(droplet_id)


def destroy_associated(state: State, kind: str, resource_id: str) -> None:
    family, _, deleter = ASSOCIATED[kind]
    backend = optional_neighbour(state, family)
    if backend is not None:
        getattr(backend, deleter)(resource_id)


# family → its backend's public list of every resource (as the family shows them).
LISTS = {"droplets": "list", "volumes": "list", "load_balancers": "list", "databases": "list_clusters"}


def listing(state: State, family: str) -> list[dict]:
    """Every resource of ``family`` ([] when that family is not part of this emulator)."""
    backend = optional_neighbour(state, family)
    return [] if backend is None else getattr(backend, LISTS[family])()


def reference(state: State, family: str, resource_id, field: str) -> dict | None:
    """Like :func:`lookup`, for an id sent in a request body: an unknown one is a 422 naming ``field``
    (the request is wrong, not the URL)."""
    try:
        return lookup(state, family, resource_id, field)
    except NotFound as exc:
        raise Unprocessable(exc.message) from None


def record_action(state: State, action_type: str, resource_type: str, resource_id: int, region: str | None,
                  *, owner=None) -> dict | None:
    """An action (``/v2/actions/{id}``) about a resource, completing after the lifecycle delay; None without
    the actions family."""
    actions = optional_neighbour(state, "actions")
    if actions is None:
        return None
    return actions.create_action(action_type, resource_type, resource_id, region, owner=owner)


def opensearch_index(state: State, cluster_id: str, index_name: str) -> None:
    """Logs sent to a managed OpenSearch cluster land in ``index_name`` there (made on first use)."""
    databases = optional_neighbour(state, "databases")
    if databases is not None:
        databases.add_index(cluster_id, index_name)


def forget(state: State, urn: str, resource_type: str | None = None, resource_id: str | None = None) -> None:
    """A deleted resource leaves its project, its VPC and (for taggable types) its tags."""
    forget_in_projects(state, urn)
    leave_vpc(state, urn)
    tags_backend = optional_neighbour(state, "tags")
    if tags_backend is not None and resource_type is not None:
        tags_backend.forget(resource_type, resource_id)
