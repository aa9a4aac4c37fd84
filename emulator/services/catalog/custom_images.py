"""Custom images (imported from a URL) and image actions (``convert`` a backup to a snapshot,
``transfer`` to another region).

An import answers 202 with the image ``NEW``; it becomes ``available`` (with a size) after the lifecycle
delay, as the API's import finishes. A transfer adds the region once its action completes. Actions go
through core/links to the shared actions family (``resource_type`` ``image``).
"""

from __future__ import annotations

from emulator.core import links
from emulator.core import validate as v
from emulator.core.errors import Unprocessable, not_found
from emulator.core.state import public, schedule

ACTION_TYPES = ("convert", "transfer")
# The description's enum plus "Unknown OS", which the API accepts and answers with (the provider offers it and its
# acceptance suite imports with it); the description lacks it.
DISTRIBUTIONS = ("Arch Linux", "CentOS", "CoreOS", "Debian", "Fedora", "Fedora Atomic", "FreeBSD", "Gentoo",
                 "openSUSE", "RancherOS", "Rocky Linux", "Ubuntu", "Unknown", "Unknown OS")
IMPORTED_GIGABYTES = 2.36  # what an imported cloud image weighs once unpacked (the emulator downloads nothing)


def create(backend, body: dict) -> dict:
    name = v.string(body, "name", required=True)
    url = v.string(body, "url", required=True)
    if not url.startswith(("http://", "https://")):
        raise Unprocessable(f"url must be an http(s) URL of a raw, qcow2, vhdx, vdi or vmdk image; got {url!r}")
    region = links.require_region(backend.state, v.string(body, "region", required=True))
    distribution = v.choice(body, "distribution", DISTRIBUTIONS, default="Unknown")
    tags = links.valid_tags(backend.state, body.get("tags"))
    image_id = backend.ids.next_int("image", start=170000001)
    record = {"id": image_id, "name": name, "distribution": distribution, "slug": None, "public": False,
              "regions": [], "created_at": backend.now(), "type": "custom", "min_disk_size": 0,
              "size_gigabytes": 0.0, "description": v.string(body, "description", default=""), "tags": tags,
              "status": "NEW", "error_message": "", "_kind": "private", "_droplet_id": None}
    backend.data["images"][str(image_id)] = record
    links.apply_tags(backend.state, tags)
    schedule(backend.state, record, {"status": "available", "regions": [region], "size_gigabytes": IMPORTED_GIGABYTES,
                                     "min_disk_size": 10})
    return public(record)


def act(backend, image_ref, body: dict) -> dict:
    record = backend._require_private(image_ref)
    kind = v.choice(body, "type", ACTION_TYPES, required=True)
    if record["status"] != "available":
        raise Unprocessable(f"image {record['id']} is {record['status']}; wait until it is available")
    if kind == "convert":
        if record["type"] != "backup":
            raise Unprocessable(f"only a backup can be converted to a snapshot; image {record['id']} is a "
                                f"{record['type']}")
        action = links.record_action(backend.state, "convert", "image", record["id"], record["regions"][0])
        schedule(backend.state, record, {"type": "snapshot"})
        return action
    region = links.require_region(backend.state, v.string(body, "region", required=True))
    if region in record["regions"]:
        raise Unprocessable(f"image {record['id']} is already in region {region!r}")
    action = links.record_action(backend.state, "transfer", "image", record["id"], region)
    schedule(backend.state, record, {"regions": [*record["regions"], region]})
    return action


def actions(backend, image_ref) -> list[dict]:
    record = backend._require_private(image_ref)
    actions_backend = links.optional_neighbour(backend.state, "actions")
    return [] if actions_backend is None else actions_backend.list("image", record["id"])


def action(backend, image_ref, action_id: int) -> dict:
    record = backend._require_private(image_ref)
    actions_backend = links.optional_neighbour(backend.state, "actions")
    if actions_backend is None:
        raise not_found("action", action_id)
    return actions_backend.get_for("image", record["id"], action_id)
