"""What every async store holds: its synchronous store, called on a worker thread."""

from __future__ import annotations

import asyncio
import functools
from types import TracebackType
from typing import Any, Callable, Optional, Type, TypeVar

from .._base import Store

R = TypeVar("R")


async def to_thread(fn: Callable[..., R], *args: Any, **kwargs: Any) -> R:
    """Runs a synchronous call on a worker thread (``asyncio.to_thread`` semantics)."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, functools.partial(fn, *args, **kwargs))


class AsyncStore:
    """Base of every async store: holds the synchronous store it delegates to."""

    __slots__ = ("_s",)

    def __init__(self, sync: Store) -> None:
        self._s = sync  # type: ignore[assignment]

    @property
    def namespace(self) -> Optional[str]:
        return self._s.namespace


_A = TypeVar("_A", bound="AsyncClosesOnExit")


class AsyncClosesOnExit:
    """``async with obj:`` closes ``obj`` on the way out (the async client, an event stream)."""

    __slots__ = ()

    async def close(self) -> None:
        raise NotImplementedError

    async def __aenter__(self: _A) -> _A:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()
