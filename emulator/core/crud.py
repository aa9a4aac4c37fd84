"""The routes of a collection (list, create, get, put/patch, delete) written once.

Most families serve a collection the same way: ``GET /v2/<things>`` paginates the backend's list, ``POST``
creates, ``GET/PUT/PATCH/DELETE /v2/<things>/{id}`` read, change and remove one. A family declares its
``Collection`` (paths, envelope keys, which backend method does what, status codes) and its route module keeps
only the routes that differ. Behaviour stays in the backend (models); this module only routes.

Parent path parameters (``/v2/uptime/checks/{check_id}/alerts``) come first in every backend call, in the
order of the path, then the item's id, then the body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .pagination import paginate
from .routing import Handler, Reply, Request, Routes

PARAM = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Collection:
    family: str  # the backend's name
    path: str  # the collection's path; the item's is path + "/{id_param}"
    id_param: str
    one: str  # envelope of one resource: {"<one>": ...}
    many: str  # list key of the paginated listing
    view: str | Callable[[Any], Any] | None = "view"  # backend method (or function) rendering a record; None: as is
    list: str | None = "list"
    filters: dict[str, str] = field(default_factory=dict)  # backend.list keyword -> query argument ("" is None)
    scope: dict[str, str] = field(default_factory=dict)  # the same for get and delete (an NFS share's region)
    create: str | None = "create"
    get: str | None = "get"
    put: str | None = None
    patch: str | None = None
    partial: bool = False  # put/patch take partial=False/True (one update method for both)
    delete: str | None = "delete"
    create_status: int = 201
    delete_status: int = 204
    change_status: int = 200  # of put and patch
    delete_view: bool = False  # delete answers {"<one>": the deleted record} (a peering being deleted)
    paginated: bool = True  # False: the listing is {"<many>": [...]} without links and meta
    int_id: bool = False  # the item's id is an integer (a droplet's): anything else is a 404

    @property
    def item(self) -> str:
        return f"{self.path}/{{{self.id_param}}}"

    def backend(self, req: Request):
        return req.backend(self.family)

    def parents(self, req: Request) -> list[str]:
        """The values of the collection path's parameters (``check_id``), in path order."""
        return [req.params[name] for name in PARAM.findall(self.path)]

    def key(self, req: Request) -> list[str]:
        """Parents then the item's id: the leading arguments of get/update/delete."""
        return [*self.parents(req), req.param_int(self.id_param) if self.int_id else req.params[self.id_param]]

    @staticmethod
    def query(req: Request, names: dict[str, str]) -> dict[str, str | None]:
        return {keyword: req.arg(arg) or None for keyword, arg in names.items()}

    def render(self, req: Request, record):
        if self.view is None:
            return record
        if callable(self.view):
            return self.view(record)
        return getattr(self.backend(req), self.view)(record)

    def call(self, req: Request, method: str, *args, **kwargs):
        return getattr(self.backend(req), method)(*args, **kwargs)

    # -- handlers
    def list_handler(self, req: Request):
        listed = self.call(req, self.list, *self.parents(req), **self.query(req, self.filters))
        records = [self.render(req, r) for r in listed]
        return paginate(req, records, self.many) if self.paginated else {self.many: records}

    def create_handler(self, req: Request):
        record = self.call(req, self.create, *self.parents(req), req.json())
        return Reply(self.create_status, {self.one: self.render(req, record)})

    def get_handler(self, req: Request):
        return {self.one: self.render(req, self.call(req, self.get, *self.key(req), **self.query(req, self.scope)))}

    def change_handler(self, method: str, partial: bool) -> Handler:
        def change(req: Request):
            extra = {"partial": partial} if self.partial else {}
            record = self.call(req, method, *self.key(req), req.json(), **extra)
            return Reply(self.change_status, {self.one: self.render(req, record)})

        return change

    def delete_handler(self, req: Request):
        record = self.call(req, self.delete, *self.key(req), **self.query(req, self.scope))
        return Reply(self.delete_status, {self.one: self.render(req, record)} if self.delete_view else None)

    def register(self, routes: Routes) -> dict[str, Handler]:
        """Add the collection's routes to ``routes``; returns its handlers by operation (to wrap or reuse)."""
        ops: list[tuple[str, str, str, Handler]] = [
            ("list", "GET", self.path, self.list_handler), ("create", "POST", self.path, self.create_handler),
            ("get", "GET", self.item, self.get_handler),
            ("put", "PUT", self.item, self.change_handler(self.put or "", partial=False)),
            ("patch", "PATCH", self.item, self.change_handler(self.patch or "", partial=True)),
            ("delete", "DELETE", self.item, self.delete_handler)]
        handlers = {}
        for op, method, path, handler in ops:
            if getattr(self, op) is not None:
                handlers[op] = named(handler, f"{self.family}_{self.one}_{op}")
                routes.add(method, path, handlers[op])
        return handlers


def named(handler: Handler, name: str) -> Handler:
    """``handler`` as a plain function called ``name`` (tracebacks and route listings say which route)."""
    def route(req: Request):
        return handler(req)

    route.__name__ = route.__qualname__ = name
    return route


def member_routes(routes: Routes, collection: Collection, suffix: str, add: str, remove: str) -> None:
    """``POST``/``DELETE`` ``<item>/<suffix>``: add or remove members (droplets, tags, rules) with the body; 204."""
    def change(method: str) -> Handler:
        def handler(req: Request):
            collection.call(req, method, *collection.key(req), req.json())
            return Reply(204)

        return named(handler, f"{collection.family}_{method}")

    routes.add("POST", f"{collection.item}/{suffix}", change(add))
    routes.add("DELETE", f"{collection.item}/{suffix}", change(remove))
