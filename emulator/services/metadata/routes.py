"""Metadata routes: no auth, as on a droplet. Index paths work with or without a trailing slash."""

from emulator.core import links
from emulator.core.routing import Reply, Request, Routes

from .models import choose_droplet, document, lookup, text_tree

routes = Routes()
MAX_DEPTH = 6  # /metadata/v1/interfaces/public/0/ipv4/address
TEXT = "text/plain; charset=utf-8"


def _document(req: Request) -> dict:
    droplet = choose_droplet(req)
    droplets = links.neighbour(req.state, "droplets")
    user_data, keys = droplets.metadata_secrets(droplet["id"])
    return document(droplet, user_data, keys)


@routes.get("/metadata/v1.json", auth=False)
def metadata_json(req: Request):
    return _document(req)


@routes.get("/metadata/v1", auth=False)
def metadata_index(req: Request):
    return Reply(200, lookup(text_tree(_document(req)), []), content_type=TEXT)


def _text(req: Request):
    parts = [req.params[f"p{i}"] for i in range(1, MAX_DEPTH + 1) if f"p{i}" in req.params]
    return Reply(200, lookup(text_tree(_document(req)), parts), content_type=TEXT)


for depth in range(1, MAX_DEPTH + 1):
    template = "/metadata/v1/" + "/".join(f"{{p{i}}}" for i in range(1, depth + 1))
    routes.add("GET", template, _text, auth=False)
