"""vectors: semantic memory, documents with vector, full-text and hybrid search."""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Union

from ._base import MISSING, JsonObject, Store, opts
from .models import Document, Hit, from_wire


class VectorStore(Store):
    """Semantic memory: documents (text and/or vector, metadata) with vector, full-text and
    hybrid search, and metadata filters.

    Example::

        notes = mx.scope("acme").vectors
        notes.upsert([{"id": "n1", "text": "Ada prefers Python", "metadata": {"type": "note"}}])
        hits = notes.search("which language does Ada like", top_k=3, filter={"type": "note"})
        print(hits[0].id, hits[0].score)
    """

    __slots__ = ()

    def upsert(self, docs: Union[Mapping[str, Any], Sequence[Mapping[str, Any]]]) -> int:
        """Inserts or replaces documents ``{"id", "text"?, "vector"?, "metadata"?}`` (a text without
        a vector is embedded by the server); a list is all or nothing. Returns how many."""
        wire: Any = dict(docs) if isinstance(docs, Mapping) else [dict(d) for d in docs]
        return int(self._ctx.call("vectors/upsert", {"docs": wire})["upserted"])

    def search(
        self,
        text: Optional[str] = None,
        *,
        vector: Optional[Sequence[float]] = None,
        top_k: Optional[int] = None,
        filter: Optional[JsonObject] = None,
        min_score: Optional[float] = None,
        mode: Optional[str] = None,
    ) -> List[Hit]:
        """Best matches first. ``mode``: ``"vector"`` (default), ``"text"`` (full text) or ``"hybrid"``."""
        query = opts(
            text=text,
            vector=list(vector) if vector is not None else None,
            topK=top_k,
            filter=filter,
            minScore=min_score,
            mode=mode,
        )
        return [from_wire(Hit, h) for h in self._ctx.call("vectors/search", {"query": query})]

    def get(self, id: str) -> Optional[Document]:
        r = self._ctx.call("vectors/get", {"id": id})
        return None if r is MISSING or r is None else from_wire(Document, r)

    def delete(self, id: str) -> bool:
        return bool(self._ctx.call("vectors/delete", {"id": id}))

    def count(self, filter: Optional[JsonObject] = None) -> int:
        return int(self._ctx.call("vectors/count", opts(filter=filter)))

    def delete_where(self, filter: JsonObject) -> JsonObject:
        """Deletes the documents matching ``filter``; ``{"deleted", "total"}``."""
        return dict(self._ctx.call("vectors/deleteWhere", {"filter": filter}))

    def wait_for_index(self) -> None:
        """Returns once the server's search index has caught up with every committed document."""
        self._ctx.call("vectors/waitForIndex")
