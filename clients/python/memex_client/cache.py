"""cache: the LLM response cache, LRU-bounded, with single-flight ``get_or_set``."""

from __future__ import annotations

from typing import Any, Callable, Optional

from ._base import MISSING, JsonObject, Store, or_none, with_options
from .errors import MemexTimeoutError, UnavailableError, ValidationError


class CacheStore(Store):
    """The LLM response cache: keys are strings or any JSON (hashed canonically), LRU-bounded.

    Example::

        answer = mx.cache.get_or_set({"model": "gpt-4o", "prompt": p}, lambda: call_model(p),
                                     ttl_ms=3_600_000)   # one caller computes, the others wait
    """

    __slots__ = ()

    def get(self, key: Any, default: Any = None) -> Any:
        """The cached value, or ``default`` on a miss."""
        v = self._ctx.call("cache/get", {"key": key})
        return default if v is MISSING else v

    def set(self, key: Any, value: Any, *, ttl_ms: Optional[int] = None) -> None:
        """Caches ``value`` (the least recently used entries beyond the bounds are evicted)."""
        self._ctx.call("cache/set", with_options({"key": key, "value": value}, ttlMs=ttl_ms))

    def delete(self, key: Any) -> bool:
        return bool(self._ctx.call("cache/delete", {"key": key}))

    def clear(self) -> int:
        """Removes every entry of the namespace; how many."""
        return int(self._ctx.call("cache/clear"))

    def stats(self) -> JsonObject:
        """``{size, bytes, hits, misses, hitRate, evictions, computes, waits}`` of this namespace."""
        return dict(self._ctx.call("cache/stats"))

    def flush(self) -> None:
        """Writes the server's pending recency updates now."""
        self._ctx.call("cache/flush")

    def claim(self, key: Any, *, ttl_ms: Optional[int] = None, timeout_ms: Optional[int] = None) -> JsonObject:
        """``get_or_set`` step 1 (``POST /v1/cache/claim``, never resent): ``{"hit": True, "value"}``,
        or — to exactly one caller — ``{"hit": False, "claimId"}``; other callers wait for its outcome."""
        wait = (timeout_ms if timeout_ms is not None else 60_000) / 1000.0
        r = self._ctx.call("cache/claim", with_options({"key": key}, ttlMs=ttl_ms, timeoutMs=timeout_ms), extra_timeout=wait)
        return dict(r)

    def fulfil(self, claim_id: str, value: Any) -> Any:
        """``get_or_set`` step 2: caches ``value`` and hands it to every waiter."""
        return or_none(self._ctx.call("cache/fulfil", {"claimId": claim_id, "value": value}))

    def fail(self, claim_id: str, name: str, message: str) -> None:
        """``get_or_set`` step 2 when computing failed: nothing cached, every waiter gets the error."""
        self._ctx.call("cache/fail", {"claimId": claim_id, "error": {"name": name, "message": message}})

    def get_or_set(
        self,
        key: Any,
        compute: Callable[[], Any],
        *,
        ttl_ms: Optional[int] = None,
        compute_timeout_ms: Optional[int] = None,
    ) -> Any:
        """The cached value, else ``compute()`` — single-flight across every client of the store.

        Uses the server's claim protocol: exactly one caller gets a claim and computes; the
        others wait on the server (up to the claimer's ``compute_timeout_ms``, server default
        60 s) and receive its value, or :class:`ComputeError` (``name`` = the failing error's
        class name) if it raised. A raising ``compute`` caches nothing and its exception
        propagates here unchanged.
        """
        r = self.claim(key, ttl_ms=ttl_ms, timeout_ms=compute_timeout_ms)
        if r.get("hit"):
            return r.get("value")
        claim_id = str(r["claimId"])
        try:
            value = compute()
        except BaseException as e:
            try:
                self.fail(claim_id, type(e).__name__, str(e) or type(e).__name__)
            except Exception:
                pass  # the waiters' claim ends at its deadline anyway
            raise
        return self._deliver(key, claim_id, value, ttl_ms)

    def _deliver(self, key: Any, claim_id: str, value: Any, ttl_ms: Optional[int]) -> Any:
        try:
            self.fulfil(claim_id, value)
        except ValidationError as e:
            if e.field != "claimId":
                raise
            # The claim timed out while computing: the value is still right, cache it plainly.
            self.set(key, value, ttl_ms=ttl_ms)
        except (UnavailableError, MemexTimeoutError):
            pass  # computed but not cached: the caller still gets its value
        return value
