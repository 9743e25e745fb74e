"""Every store's operations round trip through `memex serve` (run on SQLite and on PostgreSQL by
test_backends.py); bad input raises the typed error naming the field. A fresh namespace per test.

The cases live one module per store (kv_cases, conversations_cases, …, scope_cases) on the shared
fixture of store_case_base; :class:`StoreCases` gathers them for test_backends."""

from __future__ import annotations

from blocks_cases import BlocksCases
from cache_cases import CacheCases
from conversations_cases import ConversationsCases
from events_cases import EventsCases
from kv_cases import KvCases
from locks_cases import LocksCases
from memories_cases import MemoriesCases
from profiles_cases import ProfilesCases
from scope_cases import ScopeCases
from sites_cases import SitesCases
from vectors_cases import VectorsCases


class StoreCases(
    KvCases,
    ConversationsCases,
    CacheCases,
    VectorsCases,
    ProfilesCases,
    SitesCases,
    LocksCases,
    EventsCases,
    MemoriesCases,
    BlocksCases,
    ScopeCases,
):
    """Every store's cases, on one backend (``backend``: ``"sqlite"`` or ``"postgres"``)."""
