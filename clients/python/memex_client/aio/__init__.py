"""The asyncio client: :class:`AsyncMemex`, the same surface as :class:`Memex` with ``async`` methods.

It delegates to the synchronous client: every call runs on a worker thread of the event loop's
default executor (``asyncio.to_thread``), so it never blocks the loop, and keep-alive
connections are pooled per worker thread. ``update`` / ``transaction`` functions are plain
(synchronous) functions run on that thread; ``cache.get_or_set`` accepts an ``async`` compute.

One module per store, named as its synchronous one (``aio/kv.py`` wraps ``kv.py``), and
``aio/client.py`` for :class:`AsyncMemex` / :class:`AsyncScope`.
"""

# Generated from the synchronous stores' signatures, then the special cases written by hand
# (get_or_set, lock, with_lock, watch, memories.add, kv.scan).

from .blocks import AsyncBlockStore
from .cache import AsyncCacheStore
from .client import AsyncMemex, AsyncScope
from .conversations import AsyncConversationStore
from .events import AsyncEventStore, AsyncEventStream
from .kv import AsyncKvStore
from .locks import AsyncHeldLock, AsyncLockStore
from .memories import AsyncMemoryStore
from .profiles import AsyncProfileStore
from .sites import AsyncSiteStore
from .vectors import AsyncVectorStore

__all__ = [
    "AsyncMemex",
    "AsyncScope",
    "AsyncKvStore",
    "AsyncConversationStore",
    "AsyncCacheStore",
    "AsyncVectorStore",
    "AsyncProfileStore",
    "AsyncSiteStore",
    "AsyncLockStore",
    "AsyncHeldLock",
    "AsyncEventStore",
    "AsyncEventStream",
    "AsyncMemoryStore",
    "AsyncBlockStore",
]
