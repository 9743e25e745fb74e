"""profiles: user profiles, JSON objects replaced whole, with versions for compare-and-set."""

from __future__ import annotations

import copy
import random
import time
from typing import Callable, Optional

from ._base import MISSING, JsonObject, Store, or_none, with_options
from .errors import ConflictError
from .models import Page, ProfileEntry, from_wire


class ProfileStore(Store):
    """User profiles: JSON objects, replaced whole, with versions for compare-and-set.

    Example::

        profiles = mx.scope("acme").profiles
        profiles.set("u42", {"name": "Ada", "visits": 0})
        profiles.update("u42", lambda p: {**p, "visits": p["visits"] + 1})
    """

    __slots__ = ()

    def get(self, user_id: str) -> Optional[JsonObject]:
        return or_none(self._ctx.call("profiles/get", {"userId": user_id}))

    def get_entry(self, user_id: str) -> Optional[ProfileEntry]:
        r = self._ctx.call("profiles/getEntry", {"userId": user_id})
        return None if r is MISSING or r is None else from_wire(ProfileEntry, r)

    def set(self, user_id: str, profile: JsonObject, *, if_version: Optional[int] = None) -> int:
        """Replaces the profile; returns its version (``if_version``: compare-and-set, 0 = only if absent)."""
        args = with_options({"userId": user_id, "profile": profile}, ifVersion=if_version)
        return int(self._ctx.call("profiles/set", args)["version"])

    def delete(self, user_id: str, *, if_version: Optional[int] = None) -> bool:
        return bool(self._ctx.call("profiles/delete", with_options({"userId": user_id}, ifVersion=if_version)))

    def list(self, *, prefix: Optional[str] = None, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[ProfileEntry]:
        r = self._ctx.call("profiles/list", with_options({}, prefix=prefix, limit=limit, cursor=cursor))
        return Page(items=[from_wire(ProfileEntry, i) for i in r["items"]], cursor=r.get("cursor"))

    def update(
        self,
        user_id: str,
        fn: Callable[[Optional[JsonObject]], JsonObject],
        *,
        max_attempts: int = 100,
    ) -> JsonObject:
        """Atomic read-modify-write: ``fn(current or None)`` becomes the profile, written with
        compare-and-set and retried on a conflict (``fn`` must be pure). Returns the new profile."""
        attempt = 0
        while True:
            e = self.get_entry(user_id)
            new = fn(copy.deepcopy(e.profile) if e else None)
            try:
                self.set(user_id, new, if_version=e.version if e else 0)
                return new
            except ConflictError:
                attempt += 1
                if attempt >= max_attempts:
                    raise
                time.sleep(random.uniform(0, min(0.05, 0.001 * (2 ** min(attempt, 10)))))
