"""Async memories: :class:`AsyncMemoryStore`."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Union, overload

from .._base import JsonObject
from ..memories import FactInput, MemoryStore
from ..models import Fact, FactChange, Page
from ._base import AsyncStore, to_thread


class AsyncMemoryStore(AsyncStore):
    """Async :class:`MemoryStore` (each call runs the synchronous one on a worker thread)."""

    _s: MemoryStore

    async def ingest(self, messages: Sequence[Union[str, Mapping[str, Any]]], *, idempotency_key: Optional[str] = None, by: Optional[str] = None) -> JsonObject:
        """A language model (configured on the server) extracts and consolidates the facts of ``messages``; :class:`LlmError` (``kind`` ``not_configured``) without one."""
        return await to_thread(self._s.ingest, messages, idempotency_key=idempotency_key, by=by)

    async def search(self, text: str, *, top_k: Optional[int] = None, filter: Optional[JsonObject] = None, as_of: Optional[int] = None, valid_at: Optional[int] = None, include_invalid: Optional[bool] = None, min_score: Optional[float] = None) -> List[Fact]:
        """Believed facts closest to ``text`` (``as_of``: what was believed then; ``valid_at``: what was true then)."""
        return await to_thread(self._s.search, text, top_k=top_k, filter=filter, as_of=as_of, valid_at=valid_at, include_invalid=include_invalid, min_score=min_score)

    async def get(self, id: str) -> Optional[Fact]:
        return await to_thread(self._s.get, id)

    async def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None, include_invalid: Optional[bool] = None) -> Page[Fact]:
        return await to_thread(self._s.list, limit=limit, cursor=cursor, include_invalid=include_invalid)

    async def update(self, id: str, text: str, *, if_version: Optional[int] = None, reason: Optional[str] = None, by: Optional[str] = None) -> FactChange:
        """Replaces a fact's text (the old one stays in its history)."""
        return await to_thread(self._s.update, id, text, if_version=if_version, reason=reason, by=by)

    async def invalidate(self, id: str, *, at: Optional[int] = None, reason: Optional[str] = None, if_version: Optional[int] = None, by: Optional[str] = None) -> FactChange:
        """Marks a fact no longer true (from ``at``, default now) without erasing it."""
        return await to_thread(self._s.invalidate, id, at=at, reason=reason, if_version=if_version, by=by)

    async def delete(self, id: str) -> bool:
        """Erases a fact (every version's text and vector; a tombstone stays in its history)."""
        return await to_thread(self._s.delete, id)

    async def history(self, id: str) -> List[JsonObject]:
        """Every version of a fact, oldest first (``op``, ``text``, ``at``, ``reason``, ``source``…)."""
        return await to_thread(self._s.history, id)

    @overload
    async def add(self, facts: FactInput, *, idempotency_key: Optional[str] = None, by: Optional[str] = None) -> FactChange: ...

    @overload
    async def add(self, facts: Sequence[FactInput], *, idempotency_key: Optional[str] = None, by: Optional[str] = None) -> List[FactChange]: ...

    async def add(
        self,
        facts: Union[FactInput, Sequence[FactInput]],
        *,
        idempotency_key: Optional[str] = None,
        by: Optional[str] = None,
    ) -> Union[FactChange, List[FactChange]]:
        """Adds a fact or a list of 1..100; a near-duplicate of a believed fact is ``unchanged``."""
        return await to_thread(self._s.add, facts, idempotency_key=idempotency_key, by=by)
