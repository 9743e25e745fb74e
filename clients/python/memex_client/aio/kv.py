"""Async kv: :class:`AsyncKvStore`."""

from __future__ import annotations

from typing import Any, AsyncIterator, Callable, Iterable, List, Mapping, Optional, Sequence, TypeVar

from ..kv import KvStore, SetManyItem, Transaction
from ..models import Entry, Page, PatchResult
from ._base import AsyncStore, to_thread

T = TypeVar("T")


class AsyncKvStore(AsyncStore):
    """Async :class:`KvStore` (each call runs the synchronous one on a worker thread)."""

    _s: KvStore

    async def get(self, key: str, default: Any = None) -> Any:
        """The value, or ``default`` when the key is absent or expired."""
        return await to_thread(self._s.get, key, default)

    async def get_entry(self, key: str) -> Optional[Entry]:
        """The record with its version and times, or ``None``."""
        return await to_thread(self._s.get_entry, key)

    async def has(self, key: str) -> bool:
        return await to_thread(self._s.has, key)

    async def set(self, key: str, value: Any, *, ttl_ms: Optional[int] = None, if_version: Optional[int] = None) -> int:
        """Writes ``value``; returns its version. ``if_version`` is compare-and-set (0 = only if absent): on mismatch :class:`ConflictError`, nothing written."""
        return await to_thread(self._s.set, key, value, ttl_ms=ttl_ms, if_version=if_version)

    async def delete(self, key: str, *, if_version: Optional[int] = None) -> bool:
        """Removes the key; ``True`` if it existed."""
        return await to_thread(self._s.delete, key, if_version=if_version)

    async def get_many(self, keys: Sequence[str]) -> List[Any]:
        """Values aligned with ``keys`` (``None`` where absent), from one consistent snapshot."""
        return await to_thread(self._s.get_many, keys)

    async def get_entries(self, keys: Sequence[str]) -> List[Optional[Entry]]:
        """Records aligned with ``keys`` (``None`` where absent), from one consistent snapshot."""
        return await to_thread(self._s.get_entries, keys)

    async def set_many(self, entries: Iterable[SetManyItem]) -> List[int]:
        """Writes every entry or none. Each is ``(key, value)`` or a mapping with ``key``, ``value`` and optionally ``ttl_ms`` / ``if_version``. Returns the versions."""
        return await to_thread(self._s.set_many, entries)

    async def patch(self, key: str, ops: Sequence[Mapping[str, Any]], *, if_version: Optional[int] = None, ttl_ms: Optional[int] = None) -> PatchResult:
        """An atomic read-modify-write described as data, applied by the server in one request."""
        return await to_thread(self._s.patch, key, ops, if_version=if_version, ttl_ms=ttl_ms)

    async def commit(self, checks: Sequence[Mapping[str, Any]], writes: Sequence[Mapping[str, Any]]) -> List[int]:
        """The conditional batch ``update`` and ``transaction`` use (``POST /v1/kv/commit``): every check ``{"key", "version"}`` (0 = absent) must hold, then every write ``{"key", "value" | "delete": True, "ttlMs"?, "keepTtl"?}`` applies, atomically; else :class:`ConflictError` (its ``entries`` are the current records of the checked keys)."""
        return await to_thread(self._s.commit, checks, writes)

    async def update(self, key: str, fn: Callable[[Any], Any], *, default: Any = None, ttl_ms: Optional[int] = None, max_attempts: int = 100) -> Any:
        """Atomic read-modify-write: ``fn(current)`` (``default`` when absent) becomes the new value."""
        return await to_thread(self._s.update, key, fn, default=default, ttl_ms=ttl_ms, max_attempts=max_attempts)

    async def transaction(self, fn: Callable[[Transaction], T], *, keys: Optional[Sequence[str]] = None, max_attempts: int = 100) -> T:
        """Runs ``fn(tx)`` atomically over several keys (serializable); returns its result."""
        return await to_thread(self._s.transaction, fn, keys=keys, max_attempts=max_attempts)

    async def list(self, *, prefix: Optional[str] = None, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[Entry]:
        """A page of records in key order (``limit`` 1..1000, default 100); continue with ``cursor``."""
        return await to_thread(self._s.list, prefix=prefix, limit=limit, cursor=cursor)

    async def clear(self) -> int:
        """Removes every key of the namespace; how many."""
        return await to_thread(self._s.clear)

    async def scan(self, *, prefix: Optional[str] = None, page_size: int = 100) -> AsyncIterator[Entry]:
        """Every record (with ``prefix``), page by page."""
        cursor: Optional[str] = None
        while True:
            page = await self.list(prefix=prefix, limit=page_size, cursor=cursor)
            for e in page.items:
                yield e
            if not page.cursor:
                return
            cursor = page.cursor
