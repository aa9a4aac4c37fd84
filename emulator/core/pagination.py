"""The one list envelope: ``{key: [...], "links": {"pages": ...}, "meta": {"total": n}}``.

godo decides the current page from ``prev`` and stops when ``next`` is absent, so pages >= 2
always carry ``first``/``prev`` and the last page never carries ``next``. Links are absolute.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from .errors import Unprocessable
from .routing import Request

MAX_PER_PAGE = 200


def page_window(req: Request, default_per_page: int = 20) -> tuple[int, int]:
    page = req.int_arg("page", 1)
    per_page = req.int_arg("per_page", default_per_page)
    if page < 1:
        raise Unprocessable(f"page must be >= 1; got {page}")
    if per_page < 1:
        raise Unprocessable(f"per_page must be >= 1; got {per_page}")
    return page, min(per_page, MAX_PER_PAGE)


def page_link(req: Request, **overrides: Any) -> str:
    query = {k: v[0] for k, v in req.query.items() if v}
    query.update({k: str(v) for k, v in overrides.items()})
    return f"{req.base_url}{req.path}?{urlencode(query)}"


def paginate(req: Request, items: list[Any], key: str, *, default_per_page: int = 20,
             extra: dict | None = None) -> dict:
    """Slice ``items`` by ``page``/``per_page`` and wrap them in the API's list envelope."""
    page, per_page = page_window(req, default_per_page)
    total = len(items)
    last = max(1, -(-total // per_page))
    start = (page - 1) * per_page
    pages: dict[str, str] = {}
    if page > 1:
        pages["first"] = page_link(req, page=1, per_page=per_page)
        pages["prev"] = page_link(req, page=min(page - 1, last), per_page=per_page)
    if page < last:
        pages["next"] = page_link(req, page=page + 1, per_page=per_page)
        pages["last"] = page_link(req, page=last, per_page=per_page)
    body = {key: items[start:start + per_page], "links": {"pages": pages} if pages else {}, "meta": {"total": total}}
    if extra:
        body.update(extra)
    return body
