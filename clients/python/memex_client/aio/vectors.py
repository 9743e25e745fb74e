"""Async vectors: :class:`AsyncVectorStore`."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Union

from .._base import JsonObject
from ..models import Document, Hit
from ..vectors import VectorStore
from ._base import AsyncStore, to_thread


class AsyncVectorStore(AsyncStore):
    """Async :class:`VectorStore` (each call runs the synchronous one on a worker thread)."""

    _s: VectorStore

    async def upsert(self, docs: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> int:
        """Inserts or replaces documents ``{"id", "text"?, "vector"?, "metadata"?}`` (a text without a vector is embedded by the server); a list is all or nothing. Returns how many."""
        return await to_thread(self._s.upsert, docs)

    async def search(self, text: Optional[str] = None, *, vector: Optional[Sequence[float]] = None, top_k: Optional[int] = None, filter: Optional[JsonObject] = None, min_score: Optional[float] = None, mode: Optional[str] = None) -> List[Hit]:
        """Best matches first. ``mode``: ``"vector"`` (default), ``"text"`` (full text) or ``"hybrid"``."""
        return await to_thread(self._s.search, text, vector=vector, top_k=top_k, filter=filter, min_score=min_score, mode=mode)

    async def get(self, id: str) -> Optional[Document]:
        return await to_thread(self._s.get, id)

    async def delete(self, id: str) -> bool:
        return await to_thread(self._s.delete, id)

    async def count(self, filter: Optional[JsonObject] = None) -> int:
        return await to_thread(self._s.count, filter)

    async def delete_where(self, filter: JsonObject) -> JsonObject:
        """Deletes the documents matching ``filter``; ``{"deleted", "total"}``."""
        return await to_thread(self._s.delete_where, filter)

    async def wait_for_index(self) -> None:
        """Returns once the server's search index has caught up with every committed document."""
        return await to_thread(self._s.wait_for_index)
