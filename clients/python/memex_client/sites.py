"""sites: what a browser agent learned about websites, keyed by normalized host."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from ._base import JsonObject, Store, opts, or_none, with_options
from .models import Page


class SiteStore(Store):
    """What a browser agent learned about websites, keyed by normalized host.

    Example::

        sites = mx.scope("agents/browser").sites
        sites.record_visit("https://www.shop.example/cart", ok=True, duration_ms=850)
        sites.cache_selector("https://shop.example", "search", "input[name=q]")
        sel = sites.selector("shop.example", "search")
        prompt = sites.context_for_prompt("shop.example", max_chars=600)
    """

    __slots__ = ()

    def profile(self, url: str) -> Optional[JsonObject]:
        """Everything learned about the site (visits, selectors, quirks, actions, notes), or ``None``."""
        return or_none(self._ctx.call("sites/profile", {"url": url}))

    def list(self, *, prefix: Optional[str] = None, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[JsonObject]:
        r = self._ctx.call("sites/list", with_options({}, prefix=prefix, limit=limit, cursor=cursor))
        return Page(items=list(r["items"]), cursor=r.get("cursor"))

    def record_visit(self, url: str, *, ok: bool, duration_ms: Optional[float] = None, note: Optional[str] = None) -> JsonObject:
        """Counts a visit; returns the site's updated record."""
        visit: Dict[str, Any] = {"ok": ok, **opts(durationMs=duration_ms, note=note)}
        return dict(self._ctx.call("sites/recordVisit", {"url": url, "visit": visit}))

    def cache_selector(self, url: str, name: str, selector: str) -> None:
        """Remembers a selector that worked for ``name`` (several candidates are kept, ranked)."""
        self._ctx.call("sites/cacheSelector", {"url": url, "name": name, "selector": selector})

    def selector(self, url: str, name: str) -> Optional[str]:
        """The best working selector for ``name``, or ``None``."""
        return or_none(self._ctx.call("sites/selector", {"url": url, "name": name}))

    def report_selector(self, url: str, name: str, ok: bool, selector: Optional[str] = None) -> Optional[str]:
        """Reports whether a selector worked (failing ones are demoted); the best one afterwards.
        Never resent after a network error (retry class ``never``)."""
        args: Dict[str, Any] = {"url": url, "name": name, "ok": ok}
        if selector is not None:
            args["selector"] = selector
        return or_none(self._ctx.call("sites/reportSelector", args))

    def record_quirk(self, url: str, text: str) -> bool:
        """Remembers a quirk (deduplicated ignoring case and whitespace); ``True`` if new."""
        return bool(self._ctx.call("sites/recordQuirk", {"url": url, "text": text}))

    def quirks(self, url: str) -> List[str]:
        return list(self._ctx.call("sites/quirks", {"url": url}))

    def cache_action_pattern(self, url: str, intent: str, steps: Sequence[Any]) -> None:
        """Remembers the steps that achieved ``intent`` on the site."""
        self._ctx.call("sites/cacheActionPattern", {"url": url, "intent": intent, "steps": list(steps)})

    def action_pattern(self, url: str, intent: str) -> Optional[List[Any]]:
        return or_none(self._ctx.call("sites/actionPattern", {"url": url, "intent": intent}))

    def context_for_prompt(self, url: str, *, max_chars: Optional[int] = None) -> str:
        """A compact, deterministic text summary of the site for an LLM prompt."""
        return str(self._ctx.call("sites/contextForPrompt", with_options({"url": url}, maxChars=max_chars)))
