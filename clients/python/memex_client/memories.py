"""memories: curated facts, deduplicated on write, with history and two times (valid / believed)."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Union, overload

from ._base import MISSING, JsonObject, Store, opts, with_options
from .models import Fact, FactChange, Page, from_wire


FactInput = Union[str, Mapping[str, Any]]


def _fact(f: FactInput) -> Dict[str, Any]:
    if isinstance(f, str):
        return {"text": f}
    out: Dict[str, Any] = {}
    for k, v in f.items():
        out[{"valid_from": "validFrom", "valid_to": "validTo"}.get(k, k)] = v
    return out


class MemoryStore(Store):
    """Curated memory: facts deduplicated on write, with history and two times (valid / believed).

    Example::

        facts = mx.scope("acme/users/42").memories
        paris = facts.add({"text": "The user lives in Paris", "subject": "user"})
        again = facts.add("the user lives in Paris.")        # op 'unchanged', same id
        facts.update(paris.id, "The user lives in Lyon", if_version=paris.version, reason="moved")
        hits = facts.search("where does the user live?", top_k=3)
    """

    __slots__ = ()

    @overload
    def add(self, facts: FactInput, *, idempotency_key: Optional[str] = None, by: Optional[str] = None) -> FactChange: ...

    @overload
    def add(self, facts: Sequence[FactInput], *, idempotency_key: Optional[str] = None, by: Optional[str] = None) -> List[FactChange]: ...

    def add(
        self,
        facts: Union[FactInput, Sequence[FactInput]],
        *,
        idempotency_key: Optional[str] = None,
        by: Optional[str] = None,
    ) -> Union[FactChange, List[FactChange]]:
        """Adds a fact (text or ``{"text", "subject"?, "valid_from"?, "valid_to"?, "metadata"?}``)
        or a list of 1..100; a near-duplicate of a believed fact is ``unchanged`` (same id)."""
        single = isinstance(facts, (str, Mapping))
        wire: Any = _fact(facts) if single else [_fact(f) for f in facts]  # type: ignore[arg-type, union-attr]
        r = self._ctx.call("memories/add", with_options({"facts": wire}, idempotencyKey=idempotency_key, by=by))
        if isinstance(r, list):
            return [from_wire(FactChange, x) for x in r]
        return from_wire(FactChange, r)

    def ingest(
        self,
        messages: Sequence[Union[str, Mapping[str, Any]]],
        *,
        idempotency_key: Optional[str] = None,
        by: Optional[str] = None,
    ) -> JsonObject:
        """A language model (configured on the server) extracts and consolidates the facts of
        ``messages``; :class:`LlmError` (``kind`` ``not_configured``) without one."""
        wire = [m if isinstance(m, str) else dict(m) for m in messages]
        return dict(self._ctx.call("memories/ingest", with_options({"messages": wire}, idempotencyKey=idempotency_key, by=by)))

    def search(
        self,
        text: str,
        *,
        top_k: Optional[int] = None,
        filter: Optional[JsonObject] = None,
        as_of: Optional[int] = None,
        valid_at: Optional[int] = None,
        include_invalid: Optional[bool] = None,
        min_score: Optional[float] = None,
    ) -> List[Fact]:
        """Believed facts closest to ``text`` (``as_of``: what was believed then; ``valid_at``: what was true then)."""
        query = {
            "text": text,
            **opts(topK=top_k, filter=filter, asOf=as_of, validAt=valid_at, includeInvalid=include_invalid, minScore=min_score),
        }
        return [from_wire(Fact, f) for f in self._ctx.call("memories/search", {"query": query})]

    def get(self, id: str) -> Optional[Fact]:
        r = self._ctx.call("memories/get", {"id": id})
        return None if r is MISSING or r is None else from_wire(Fact, r)

    def list(self, *, limit: Optional[int] = None, cursor: Optional[str] = None, include_invalid: Optional[bool] = None) -> Page[Fact]:
        r = self._ctx.call("memories/list", with_options({}, limit=limit, cursor=cursor, includeInvalid=include_invalid))
        return Page(items=[from_wire(Fact, i) for i in r["items"]], cursor=r.get("cursor"))

    def update(
        self,
        id: str,
        text: str,
        *,
        if_version: Optional[int] = None,
        reason: Optional[str] = None,
        by: Optional[str] = None,
    ) -> FactChange:
        """Replaces a fact's text (the old one stays in its history)."""
        args = with_options({"id": id, "text": text}, ifVersion=if_version, reason=reason, by=by)
        return from_wire(FactChange, self._ctx.call("memories/update", args))

    def invalidate(
        self,
        id: str,
        *,
        at: Optional[int] = None,
        reason: Optional[str] = None,
        if_version: Optional[int] = None,
        by: Optional[str] = None,
    ) -> FactChange:
        """Marks a fact no longer true (from ``at``, default now) without erasing it."""
        args = with_options({"id": id}, at=at, reason=reason, ifVersion=if_version, by=by)
        return from_wire(FactChange, self._ctx.call("memories/invalidate", args))

    def delete(self, id: str) -> bool:
        """Erases a fact (every version's text and vector; a tombstone stays in its history)."""
        return bool(self._ctx.call("memories/delete", {"id": id}))

    def history(self, id: str) -> List[JsonObject]:
        """Every version of a fact, oldest first (``op``, ``text``, ``at``, ``reason``, ``source``…)."""
        return [dict(v) for v in self._ctx.call("memories/history", {"id": id})]
