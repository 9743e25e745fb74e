"""Async events: :class:`AsyncEventStore` and its ``async for`` stream, :class:`AsyncEventStream`."""

from __future__ import annotations

from typing import List, Optional

from ..events import EventStore, EventStream
from ..models import Event
from ._base import AsyncClosesOnExit, AsyncStore, to_thread


class AsyncEventStream(AsyncClosesOnExit):
    """``async for`` form of :class:`EventStream` (the reading happens on its own thread)."""

    def __init__(self, stream: EventStream) -> None:
        self.stream = stream

    def __aiter__(self) -> "AsyncEventStream":
        return self

    async def __anext__(self) -> Event:
        try:
            return await to_thread(self.stream.__next__)
        except StopIteration:
            raise StopAsyncIteration from None

    async def next(self, timeout: Optional[float] = None) -> Optional[Event]:
        """The next event, or ``None`` if none arrives within ``timeout`` seconds."""
        try:
            return await to_thread(self.stream.next, timeout)
        except StopIteration:
            raise StopAsyncIteration from None

    @property
    def last_seq(self) -> int:
        return self.stream.last_seq

    async def close(self) -> None:
        await to_thread(self.stream.close)


class AsyncEventStore(AsyncStore):
    """Async :class:`EventStore` (each call runs the synchronous one on a worker thread)."""

    _s: EventStore

    async def since(self, seq: int = 0, *, limit: Optional[int] = None, store: Optional[str] = None) -> List[Event]:
        """Events after ``seq``, oldest first (commit order); ``limit`` up to 10,000."""
        return await to_thread(self._s.since, seq, limit=limit, store=store)

    async def last_seq(self) -> int:
        """The newest seq of the whole store: a starting point for :meth:`since` / :meth:`watch`."""
        return await to_thread(self._s.last_seq)

    async def watch(
        self,
        *,
        from_seq: Optional[int] = None,
        store: Optional[str] = None,
        read_timeout: float = 45.0,
    ) -> "AsyncEventStream":
        """A live :class:`AsyncEventStream` (``async for``) of events after ``from_seq`` (default:
        from now); it reconnects and resumes by itself after a dropped connection."""
        s = await to_thread(self._s.watch, from_seq=from_seq, store=store, read_timeout=read_timeout)
        return AsyncEventStream(s)
