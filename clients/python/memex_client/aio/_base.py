"""What every async store holds: its synchronous store, called on a worker thread."""

from __future__ import annotations

import asyncio
import functools
from typing import Any, Callable, Optional, TypeVar

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
