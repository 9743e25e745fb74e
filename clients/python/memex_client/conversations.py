"""conversations: bounded chat history, threads of messages ordered by ``seq``."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ._base import MISSING, JsonObject, Store, with_options
from .models import Message, Page, Thread, from_wire


class ConversationStore(Store):
    """Bounded chat history: threads of messages ordered by ``seq``.

    Example::

        chat = mx.scope("acme/users/42").conversations
        chat.append("t1", "user", "hi", metadata={"channel": "web"})
        last10 = chat.recent("t1", 10)            # oldest first
        older = chat.page("t1", before_seq=last10[0].seq, limit=50)
    """

    __slots__ = ()

    def append(self, thread_id: str, role: str, content: Any, *, metadata: Optional[JsonObject] = None) -> Message:
        """Appends a message (the thread policy — max messages, max threads, TTL — is enforced in
        the same transaction); returns it with its ``seq``."""
        message: Dict[str, Any] = {"role": role, "content": content}
        if metadata is not None:
            message["metadata"] = metadata
        return from_wire(Message, self._ctx.call("conversations/append", {"threadId": thread_id, "message": message}))

    def recent(self, thread_id: str, limit: Optional[int] = None) -> List[Message]:
        """The newest ``limit`` messages (1..1000), oldest first."""
        args: Dict[str, Any] = {"threadId": thread_id}
        if limit is not None:
            args["limit"] = limit
        return [from_wire(Message, m) for m in self._ctx.call("conversations/recent", args)]

    def page(self, thread_id: str, *, limit: int, before_seq: Optional[int] = None) -> List[Message]:
        """Older messages: the newest ``limit`` before ``before_seq``, oldest first."""
        args = with_options({"threadId": thread_id}, beforeSeq=before_seq, limit=limit)
        return [from_wire(Message, m) for m in self._ctx.call("conversations/page", args)]

    def get(self, thread_id: str) -> Optional[Thread]:
        """The thread's metadata and counts, or ``None``."""
        r = self._ctx.call("conversations/get", {"threadId": thread_id})
        return None if r is MISSING or r is None else from_wire(Thread, r)

    def list(self, *, limit: Optional[int] = None, active_since: Optional[int] = None) -> List[Thread]:
        """Threads, most recently active first."""
        args = with_options({}, limit=limit, activeSince=active_since)
        return [from_wire(Thread, t) for t in self._ctx.call("conversations/list", args)]

    def list_page(
        self,
        *,
        limit: Optional[int] = None,
        active_since: Optional[int] = None,
        cursor: Optional[str] = None,
    ) -> Page[Thread]:
        """Every thread, most recently active first, a page at a time (past :meth:`list`'s 1,000):
        pass the answer's ``cursor`` back for the next page (``None`` on the last)."""
        r = self._ctx.call("conversations/listPage", with_options({}, limit=limit, activeSince=active_since, cursor=cursor))
        return Page(items=[from_wire(Thread, t) for t in r["items"]], cursor=r.get("cursor"))

    def delete(self, thread_id: str) -> bool:
        """Deletes the thread and its messages; ``True`` if it existed."""
        return bool(self._ctx.call("conversations/delete", {"threadId": thread_id}))
