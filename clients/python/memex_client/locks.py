"""locks: leased named locks held by the server for this client, renewed on a background thread."""

from __future__ import annotations

import threading
import time
from types import TracebackType
from typing import Any, Callable, Dict, Optional, Type, TypeVar

from ._base import Store, opts
from .errors import LeaseLostError, MemexError
from .models import Lease, from_wire

T = TypeVar("T")


class HeldLock:
    """A lock held for the duration of a ``with`` block (from :meth:`LockStore.lock`).

    Entering acquires (waiting up to ``timeout_ms``, else :class:`LockTimeoutError`); while the
    block runs a daemon thread renews the lease every ``lease_ms / 3``; leaving releases it.
    If a renewal finds the lease lost (this process stalled, or the server could not be
    reached for ``lease_ms``), :attr:`lost` is set, :meth:`check` raises
    :class:`LeaseLostError`, and leaving the block raises it (unless the block raised
    already: its exception propagates unchanged).

    Example::

        with mx.locks.lock("report:2024", lease_ms=60_000, timeout_ms=10_000) as held:
            for part in parts:
                held.check()                       # stop early if the lease was lost
                mx.kv.set(f"report:{part}", build(part))
            print(held.token)                      # a fencing token
    """

    def __init__(
        self,
        store: "LockStore",
        name: str,
        *,
        mode: Optional[str],
        timeout_ms: Optional[int],
        lease_ms: Optional[int],
    ) -> None:
        self._store = store
        self.name = name
        self._mode = mode
        self._timeout_ms = timeout_ms
        self._lease_ms = lease_ms if lease_ms is not None else 30_000
        self._lease: Optional[Lease] = None
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.renewals = 0
        # Renewals must not wait longer than a third of the lease for an answer.
        self._renewer = LockStore(store._ctx.with_settings(max(0.1, self._lease_ms / 3000.0), None))

    # -- the lease ----------------------------------------------------------------------------

    @property
    def lease(self) -> Lease:
        if self._lease is None:
            raise MemexError("the lock is not held", code="invalid_state")
        return self._lease

    @property
    def token(self) -> int:
        """The fencing token of this grant (grows with every grant in the store)."""
        return self.lease.token

    @property
    def lease_id(self) -> str:
        return self.lease.lease_id

    @property
    def lost(self) -> bool:
        """Whether the lease was lost while held."""
        return self._lost.is_set()

    def wait_lost(self, timeout: Optional[float] = None) -> bool:
        """Blocks until the lease is lost (``True``) or ``timeout`` passes (``False``)."""
        return self._lost.wait(timeout)

    def check(self) -> None:
        """Raises :class:`LeaseLostError` if the lease was lost."""
        if self._lost.is_set():
            raise self._lost_error()

    def _lost_error(self) -> LeaseLostError:
        return LeaseLostError(
            f"the lease of lock {self.name!r} ended while it was held",
            problem={"code": "lease_lost", "lockName": self.name},
        )

    # -- acquire / renew / release -----------------------------------------------------------------

    def acquire(self) -> "HeldLock":
        self._lease = self._store.acquire(self.name, mode=self._mode, timeout_ms=self._timeout_ms, lease_ms=self._lease_ms)
        self._thread = threading.Thread(target=self._renew_loop, name=f"memex-lock-{self.name}", daemon=True)
        self._thread.start()
        return self

    def _renew_loop(self) -> None:
        interval = self._lease_ms / 3000.0
        last_ok = time.monotonic()
        while not self._stop.wait(interval):
            try:
                ok = self._renewer.renew(self.lease.lease_id)
            except MemexError:
                # Unreachable for now: keep trying while the lease may still be alive.
                if time.monotonic() - last_ok >= self._lease_ms / 1000.0:
                    self._lost.set()
                    return
                continue
            if not ok:
                self._lost.set()
                return
            last_ok = time.monotonic()
            self.renewals += 1

    def release(self) -> bool:
        """Stops renewing and ends the lease; ``False`` when it had already ended."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._lease is None:
            return False
        return self._store.release(self._lease.lease_id)

    def __enter__(self) -> "HeldLock":
        return self.acquire()

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        try:
            released = self.release()
        except MemexError:
            if exc_type is None:
                raise
            return
        if exc_type is None and (self._lost.is_set() or not released):
            self._lost.set()
            raise self._lost_error()


class LockStore(Store):
    """Leased locks for critical sections that span slow work, across processes and machines.

    Example::

        with mx.scope("acme").locks.lock("browser", lease_ms=30_000) as held:
            drive_the_browser(held.token)

        result = mx.locks.with_lock("config", lambda held: read_config(), mode="shared")
    """

    __slots__ = ()

    def acquire(
        self,
        name: str,
        *,
        mode: Optional[str] = None,
        timeout_ms: Optional[int] = None,
        lease_ms: Optional[int] = None,
    ) -> Lease:
        """Waits for the lock (at most ``timeout_ms``, server default 5000, then
        :class:`LockTimeoutError`) and holds it; renew within ``lease_ms`` or it ends. Never resent."""
        args: Dict[str, Any] = {"name": name}
        o = opts(mode=mode, timeoutMs=timeout_ms, leaseMs=lease_ms)
        if o:
            args["options"] = o
        wait = (timeout_ms if timeout_ms is not None else 5_000) / 1000.0
        return from_wire(Lease, self._ctx.call("locks/acquire", args, extra_timeout=wait))

    def renew(self, lease_id: str) -> bool:
        """Extends a lease; ``False`` when it was lost."""
        return bool(self._ctx.call("locks/renew", {"leaseId": lease_id}))

    def release(self, lease_id: str) -> bool:
        """Ends a lease; ``False`` when it had already ended."""
        return bool(self._ctx.call("locks/release", {"leaseId": lease_id}))

    def inspect(self, name: str) -> Dict[str, Any]:
        """``{"holders": [{mode, token, expiresAt}], "waiters": [{mode, expiresAt}]}``."""
        return dict(self._ctx.call("locks/inspect", {"name": name}))

    def lock(
        self,
        name: str,
        *,
        mode: Optional[str] = None,
        timeout_ms: Optional[int] = None,
        lease_ms: Optional[int] = None,
        ttl_ms: Optional[int] = None,
    ) -> HeldLock:
        """A context manager holding the lock (see :class:`HeldLock`). ``mode``: ``"exclusive"``
        (default) or ``"shared"``; ``lease_ms`` (100 .. 3,600,000, default 30,000; ``ttl_ms`` is
        an alias) is the lease renewed every third of it."""
        if lease_ms is not None and ttl_ms is not None and lease_ms != ttl_ms:
            raise ValueError("pass lease_ms or ttl_ms, not both")
        return HeldLock(self, name, mode=mode, timeout_ms=timeout_ms, lease_ms=lease_ms if lease_ms is not None else ttl_ms)

    def with_lock(
        self,
        name: str,
        fn: Callable[[HeldLock], T],
        *,
        mode: Optional[str] = None,
        timeout_ms: Optional[int] = None,
        lease_ms: Optional[int] = None,
    ) -> T:
        """Runs ``fn(held)`` holding the lock; released when it returns or raises."""
        with self.lock(name, mode=mode, timeout_ms=timeout_ms, lease_ms=lease_ms) as held:
            return fn(held)
