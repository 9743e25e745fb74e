"""Async sites: :class:`AsyncSiteStore`."""

from __future__ import annotations

from typing import Any, List, Optional, Sequence

from .._base import JsonObject
from ..models import Page
from ..sites import SiteStore
from ._base import AsyncStore, to_thread


class AsyncSiteStore(AsyncStore):
    """Async :class:`SiteStore` (each call runs the synchronous one on a worker thread)."""

    _s: SiteStore

    async def profile(self, url: str) -> Optional[JsonObject]:
        """Everything learned about the site (visits, selectors, quirks, actions, notes), or ``None``."""
        return await to_thread(self._s.profile, url)

    async def list(self, *, prefix: Optional[str] = None, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[JsonObject]:
        return await to_thread(self._s.list, prefix=prefix, limit=limit, cursor=cursor)

    async def record_visit(self, url: str, *, ok: bool, duration_ms: Optional[float] = None, note: Optional[str] = None) -> JsonObject:
        """Counts a visit; returns the site's updated record."""
        return await to_thread(self._s.record_visit, url, ok=ok, duration_ms=duration_ms, note=note)

    async def cache_selector(self, url: str, name: str, selector: str) -> None:
        """Remembers a selector that worked for ``name`` (several candidates are kept, ranked)."""
        return await to_thread(self._s.cache_selector, url, name, selector)

    async def selector(self, url: str, name: str) -> Optional[str]:
        """The best working selector for ``name``, or ``None``."""
        return await to_thread(self._s.selector, url, name)

    async def report_selector(self, url: str, name: str, ok: bool, selector: Optional[str] = None) -> Optional[str]:
        """Reports whether a selector worked (failing ones are demoted); the best one afterwards. Never resent after a network error (retry class ``never``)."""
        return await to_thread(self._s.report_selector, url, name, ok, selector)

    async def record_quirk(self, url: str, text: str) -> bool:
        """Remembers a quirk (deduplicated ignoring case and whitespace); ``True`` if new."""
        return await to_thread(self._s.record_quirk, url, text)

    async def quirks(self, url: str) -> List[str]:
        return await to_thread(self._s.quirks, url)

    async def cache_action_pattern(self, url: str, intent: str, steps: Sequence[Any]) -> None:
        """Remembers the steps that achieved ``intent`` on the site."""
        return await to_thread(self._s.cache_action_pattern, url, intent, steps)

    async def action_pattern(self, url: str, intent: str) -> Optional[List[Any]]:
        return await to_thread(self._s.action_pattern, url, intent)

    async def context_for_prompt(self, url: str, *, max_chars: Optional[int] = None) -> str:
        """A compact, deterministic text summary of the site for an LLM prompt."""
        return await to_thread(self._s.context_for_prompt, url, max_chars=max_chars)
