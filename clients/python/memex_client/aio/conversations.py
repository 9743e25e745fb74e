"""Async conversations: :class:`AsyncConversationStore`."""

from __future__ import annotations

from typing import Any, List, Optional

from .._base import JsonObject
from ..conversations import ConversationStore
from ..models import Message, Page, Thread
from ._base import AsyncStore, to_thread


class AsyncConversationStore(AsyncStore):
    """Async :class:`ConversationStore` (each call runs the synchronous one on a worker thread)."""

    _s: ConversationStore

    async def append(self, thread_id: str, role: str, content: Any, *, metadata: Optional[JsonObject] = None) -> Message:
        """Appends a message (the thread policy — max messages, max threads, TTL — is enforced in the same transaction); returns it with its ``seq``."""
        return await to_thread(self._s.append, thread_id, role, content, metadata=metadata)

    async def recent(self, thread_id: str, limit: Optional[int] = None) -> List[Message]:
        """The newest ``limit`` messages (1..1000), oldest first."""
        return await to_thread(self._s.recent, thread_id, limit)

    async def page(self, thread_id: str, *, limit: int, before_seq: Optional[int] = None) -> List[Message]:
        """Older messages: the newest ``limit`` before ``before_seq``, oldest first."""
        return await to_thread(self._s.page, thread_id, limit=limit, before_seq=before_seq)

    async def get(self, thread_id: str) -> Optional[Thread]:
        """The thread's metadata and counts, or ``None``."""
        return await to_thread(self._s.get, thread_id)

    async def list(self, *, limit: Optional[int] = None, active_since: Optional[int] = None) -> List[Thread]:
        """Threads, most recently active first."""
        return await to_thread(self._s.list, limit=limit, active_since=active_since)

    async def list_page(self, *, limit: Optional[int] = None, active_since: Optional[int] = None, cursor: Optional[str] = None) -> Page[Thread]:
        """Every thread, most recently active first, a page at a time (past :meth:`list`'s 1,000): pass the answer's ``cursor`` back for the next page (``None`` on the last)."""
        return await to_thread(self._s.list_page, limit=limit, active_since=active_since, cursor=cursor)

    async def delete(self, thread_id: str) -> bool:
        """Deletes the thread and its messages; ``True`` if it existed."""
        return await to_thread(self._s.delete, thread_id)
