"""Async locks: :class:`AsyncLockStore` and its ``async with`` lock, :class:`AsyncHeldLock`."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Awaitable, Callable, Dict, Optional, Type, TypeVar

from ..locks import HeldLock, LockStore
from ..models import Lease
from ._base import AsyncStore, to_thread

T = TypeVar("T")


class AsyncHeldLock:
    """``async with`` form of :class:`HeldLock`: acquire and release run on a worker thread; the
    lease is renewed by the lock's background thread meanwhile."""

    def __init__(self, held: HeldLock) -> None:
        self.held = held

    @property
    def token(self) -> int:
        return self.held.token

    @property
    def lost(self) -> bool:
        return self.held.lost

    def check(self) -> None:
        """Raises :class:`LeaseLostError` if the lease was lost."""
        self.held.check()

    async def __aenter__(self) -> HeldLock:
        await to_thread(self.held.acquire)
        return self.held

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await to_thread(self.held.__exit__, exc_type, exc, tb)


class AsyncLockStore(AsyncStore):
    """Async :class:`LockStore` (each call runs the synchronous one on a worker thread)."""

    _s: LockStore

    async def acquire(self, name: str, *, mode: Optional[str] = None, timeout_ms: Optional[int] = None, lease_ms: Optional[int] = None) -> Lease:
        """Waits for the lock (at most ``timeout_ms``, server default 5000, then :class:`LockTimeoutError`) and holds it; renew within ``lease_ms`` or it ends. Never resent."""
        return await to_thread(self._s.acquire, name, mode=mode, timeout_ms=timeout_ms, lease_ms=lease_ms)

    async def renew(self, lease_id: str) -> bool:
        """Extends a lease; ``False`` when it was lost."""
        return await to_thread(self._s.renew, lease_id)

    async def release(self, lease_id: str) -> bool:
        """Ends a lease; ``False`` when it had already ended."""
        return await to_thread(self._s.release, lease_id)

    async def inspect(self, name: str) -> Dict[str, Any]:
        """``{"holders": [{mode, token, expiresAt}], "waiters": [{mode, expiresAt}]}``."""
        return await to_thread(self._s.inspect, name)

    def lock(
        self,
        name: str,
        *,
        mode: Optional[str] = None,
        timeout_ms: Optional[int] = None,
        lease_ms: Optional[int] = None,
        ttl_ms: Optional[int] = None,
    ) -> "AsyncHeldLock":
        """An async context manager holding the lock (``async with``); see :class:`HeldLock`."""
        return AsyncHeldLock(self._s.lock(name, mode=mode, timeout_ms=timeout_ms, lease_ms=lease_ms, ttl_ms=ttl_ms))

    async def with_lock(
        self,
        name: str,
        fn: Callable[[HeldLock], Awaitable[T]],
        *,
        mode: Optional[str] = None,
        timeout_ms: Optional[int] = None,
        lease_ms: Optional[int] = None,
    ) -> T:
        """Awaits ``fn(held)`` holding the lock; released when it returns or raises."""
        async with self.lock(name, mode=mode, timeout_ms=timeout_ms, lease_ms=lease_ms) as held:
            return await fn(held)
