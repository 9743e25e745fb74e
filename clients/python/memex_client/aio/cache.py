"""Async cache: :class:`AsyncCacheStore`, whose ``get_or_set`` also takes an ``async`` compute."""

from __future__ import annotations

import inspect
from typing import Any, Awaitable, Callable, Optional, Union

from .._base import JsonObject
from ..cache import CacheStore
from ._base import AsyncStore, to_thread


class AsyncCacheStore(AsyncStore):
    """Async :class:`CacheStore` (each call runs the synchronous one on a worker thread)."""

    _s: CacheStore

    async def get(self, key: Any, default: Any = None) -> Any:
        """The cached value, or ``default`` on a miss."""
        return await to_thread(self._s.get, key, default)

    async def set(self, key: Any, value: Any, *, ttl_ms: Optional[int] = None) -> None:
        """Caches ``value`` (the least recently used entries beyond the bounds are evicted)."""
        return await to_thread(self._s.set, key, value, ttl_ms=ttl_ms)

    async def delete(self, key: Any) -> bool:
        return await to_thread(self._s.delete, key)

    async def clear(self) -> int:
        """Removes every entry of the namespace; how many."""
        return await to_thread(self._s.clear)

    async def stats(self) -> JsonObject:
        """``{size, bytes, hits, misses, hitRate, evictions, computes, waits}`` of this namespace."""
        return await to_thread(self._s.stats)

    async def flush(self) -> None:
        """Writes the server's pending recency updates now."""
        return await to_thread(self._s.flush)

    async def claim(self, key: Any, *, ttl_ms: Optional[int] = None, timeout_ms: Optional[int] = None) -> JsonObject:
        """``get_or_set`` step 1 (``POST /v1/cache/claim``, never resent): ``{"hit": True, "value"}``, or — to exactly one caller — ``{"hit": False, "claimId"}``; other callers wait for its outcome."""
        return await to_thread(self._s.claim, key, ttl_ms=ttl_ms, timeout_ms=timeout_ms)

    async def fulfil(self, claim_id: str, value: Any) -> Any:
        """``get_or_set`` step 2: caches ``value`` and hands it to every waiter."""
        return await to_thread(self._s.fulfil, claim_id, value)

    async def fail(self, claim_id: str, name: str, message: str) -> None:
        """``get_or_set`` step 2 when computing failed: nothing cached, every waiter gets the error."""
        return await to_thread(self._s.fail, claim_id, name, message)

    async def get_or_set(
        self,
        key: Any,
        compute: Callable[[], Union[Any, Awaitable[Any]]],
        *,
        ttl_ms: Optional[int] = None,
        compute_timeout_ms: Optional[int] = None,
    ) -> Any:
        """The cached value, else ``compute()`` (a plain or an ``async`` function, awaited on the
        event loop) — single-flight across every client, as :meth:`CacheStore.get_or_set`."""
        r = await self.claim(key, ttl_ms=ttl_ms, timeout_ms=compute_timeout_ms)
        if r.get("hit"):
            return r.get("value")
        claim_id = str(r["claimId"])
        try:
            value = compute()
            if inspect.isawaitable(value):
                value = await value
        except BaseException as e:
            try:
                await self.fail(claim_id, type(e).__name__, str(e) or type(e).__name__)
            except Exception:
                pass
            raise
        return await to_thread(self._s._deliver, key, claim_id, value, ttl_ms)
