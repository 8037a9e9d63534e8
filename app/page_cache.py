"""Pages kept as rendered, under the data version they were built at.

A request first reads the data version (with its session, in one query); a page kept under
that same version is served as it was rendered, with the values that must be new on every
request (the CSRF token, a new walk's client_id) put into it. A newer version makes every
kept page stale at once: the cache holds one version's pages only. Each process keeps its
own: nothing here is anything another worker needs, and a worker that has not seen a page
builds it from the database like any other request.
"""

import re
import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable

# Marks the places a fresh value goes; random per process so page content cannot forge one.
_MARK = "fresh" + secrets.token_hex(12)
_SAFE_VALUE = re.compile(r"[A-Za-z0-9._~-]+")


def placeholder(name: str) -> str:
    """What a page is rendered with in place of the fresh value `name`."""
    return f"{_MARK}{name}{_MARK}"


def fill(html: str, values: dict[str, str]) -> str:
    """Put the fresh values into a kept page."""
    for name, value in values.items():
        # The values go into attributes and JSON unescaped: only URL-safe characters.
        if not _SAFE_VALUE.fullmatch(value):
            raise ValueError(f"fresh value {name!r} has characters a page cannot hold as is")
        html = html.replace(placeholder(name), value)
    return html


class PageCache:
    """Rendered pages of one data version, least recently used dropped beyond `size`."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self.version: int | None = None
        self._pages: OrderedDict[Hashable, str] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.version = None

    def get(self, key: Hashable, version: int | None) -> str | None:
        """The page kept under `key` at this version (never for version None)."""
        with self._lock:
            page = self._pages.get(key) if version is not None and version == self.version else None
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: Hashable, version: int | None, page: str) -> None:
        """Keep `page` (not when there is no version to keep it under)."""
        if version is None:
            return
        with self._lock:
            if self.version is not None and version < self.version:
                return  # built from an older read than pages already kept: not kept
            if version != self.version:
                self._pages.clear()
                self.version = version
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)
