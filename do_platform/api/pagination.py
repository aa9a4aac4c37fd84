"""Walking the API's paged lists from the client side: the one place that reads ``links.pages``.

Two styles exist: page numbers (``page``/``per_page``; the last page has no ``next``) and the
registry's cursor (``repositoriesV2``: ``page_token`` inside the ``next`` link). Callers receive each
page's body and decide what a page means; a call that answers ``None`` (the reader's 404) is yielded as
``None`` and ends the walk. Operations walk through :class:`do_platform.api.reader.ApiReader`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

MAX_PER_PAGE = 200  # the API's maximum: fewest list calls
TOKEN_PER_PAGE = 100  # repositoriesV2 pages are smaller on the API side


def next_link(body: Any) -> str | None:
    """The ``links.pages.next`` URL of a page body, or None on the last page."""
    if not isinstance(body, dict):
        return None
    return ((body.get("links") or {}).get("pages") or {}).get("next") or None


def iter_pages(call: Callable[..., Any], *args: Any, per_page: int = MAX_PER_PAGE,
               **kwargs: Any) -> Iterator[dict | None]:
    """Each page body of a page-numbered list, in order, until a page without a ``next`` link."""
    page = 1
    while True:
        body = call(*args, per_page=per_page, page=page, **kwargs)
        yield body
        if not next_link(body):
            return
        page += 1


def iter_token_pages(call: Callable[..., Any], *args: Any, per_page: int = TOKEN_PER_PAGE,
                     **kwargs: Any) -> Iterator[dict | None]:
    """Each page body of a cursor-paged list, following ``page_token`` from the ``next`` link."""
    token = None
    while True:
        extra = {"page_token": token} if token else {}
        body = call(*args, per_page=per_page, **extra, **kwargs)
        yield body
        nxt = next_link(body)
        token = (parse_qs(urlparse(nxt).query).get("page_token") or [None])[0] if nxt else None
        if not token:
            return


def list_all(call: Callable[..., Any], key: str, *args: Any, **kwargs: Any) -> list[dict]:
    """Every item under ``key`` across all pages of a page-numbered list."""
    return [item for body in iter_pages(call, *args, **kwargs) for item in (body or {}).get(key) or []]
