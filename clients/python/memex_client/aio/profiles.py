"""Async profiles: :class:`AsyncProfileStore`."""

from __future__ import annotations

from typing import Callable, Optional

from .._base import JsonObject
from ..models import Page, ProfileEntry
from ..profiles import ProfileStore
from ._base import AsyncStore, to_thread


class AsyncProfileStore(AsyncStore):
    """Async :class:`ProfileStore` (each call runs the synchronous one on a worker thread)."""

    _s: ProfileStore

    async def get(self, user_id: str) -> Optional[JsonObject]:
        return await to_thread(self._s.get, user_id)

    async def get_entry(self, user_id: str) -> Optional[ProfileEntry]:
        return await to_thread(self._s.get_entry, user_id)

    async def set(self, user_id: str, profile: JsonObject, *, if_version: Optional[int] = None) -> int:
        """Replaces the profile; returns its version (``if_version``: compare-and-set, 0 = only if absent)."""
        return await to_thread(self._s.set, user_id, profile, if_version=if_version)

    async def delete(self, user_id: str, *, if_version: Optional[int] = None) -> bool:
        return await to_thread(self._s.delete, user_id, if_version=if_version)

    async def list(self, *, prefix: Optional[str] = None, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[ProfileEntry]:
        return await to_thread(self._s.list, prefix=prefix, limit=limit, cursor=cursor)

    async def update(self, user_id: str, fn: Callable[[Optional[JsonObject]], JsonObject], *, max_attempts: int = 100) -> JsonObject:
        """Atomic read-modify-write: ``fn(current or None)`` becomes the profile, written with compare-and-set and retried on a conflict (``fn`` must be pure). Returns the new profile."""
        return await to_thread(self._s.update, user_id, fn, max_attempts=max_attempts)
