"""The asyncio client itself: :class:`AsyncMemex` and its namespaces, :class:`AsyncScope`."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ..client import Memex, Scope, Turn
from ..models import Recall
from ._base import AsyncClosesOnExit, to_thread
from .blocks import AsyncBlockStore
from .cache import AsyncCacheStore
from .conversations import AsyncConversationStore
from .events import AsyncEventStore
from .kv import AsyncKvStore
from .locks import AsyncLockStore
from .memories import AsyncMemoryStore
from .profiles import AsyncProfileStore
from .sites import AsyncSiteStore
from .vectors import AsyncVectorStore


class AsyncScope:
    """The async stores of one namespace (``amx.scope("acme/users/42")``).

    Example::

        user = amx.scope("acme/users/42")
        await user.kv.set("cart", ["apple"])
        r = await user.recall(user_id="u42", thread_id="t1", query="hobbies")
    """

    def __init__(self, sync: Scope) -> None:
        self._sync = sync
        self.kv = AsyncKvStore(sync.kv)
        self.conversations = AsyncConversationStore(sync.conversations)
        self.cache = AsyncCacheStore(sync.cache)
        self.vectors = AsyncVectorStore(sync.vectors)
        self.profiles = AsyncProfileStore(sync.profiles)
        self.sites = AsyncSiteStore(sync.sites)
        self.locks = AsyncLockStore(sync.locks)
        self.events = AsyncEventStore(sync.events)
        self.memories = AsyncMemoryStore(sync.memories)
        self.blocks = AsyncBlockStore(sync.blocks)

    @property
    def namespace(self) -> Optional[str]:
        return self._sync.namespace

    async def remember(self, *, user_id: str, thread_id: str, message: Turn, response: Turn) -> Dict[str, int]:
        """Appends both turns, indexes them and bumps the profile counters, in one transaction."""
        return await to_thread(self._sync.remember, user_id=user_id, thread_id=thread_id, message=message, response=response)

    async def recall(
        self,
        *,
        user_id: str,
        thread_id: str,
        query: str,
        recent: Optional[int] = None,
        top_k: Optional[int] = None,
        facts: Optional[int] = None,
    ) -> Recall:
        """The profile, recent turns, relevant turns, blocks and facts for a prompt."""
        return await to_thread(
            self._sync.recall, user_id=user_id, thread_id=thread_id, query=query, recent=recent, top_k=top_k, facts=facts
        )

    async def call(self, op: str, args: Optional[Dict[str, Any]] = None, *, idempotency_key: Optional[str] = None) -> Any:
        """A raw operation ``POST /v1/<op>`` in this namespace."""
        return await to_thread(self._sync.call, op, args, idempotency_key=idempotency_key)


class AsyncMemex(AsyncScope, AsyncClosesOnExit):
    """The asyncio client: the same surface as :class:`Memex`, every method ``async``.

    It delegates to a synchronous :class:`Memex`: each call runs on a worker thread of the
    loop's default executor (as ``asyncio.to_thread`` does), with the same timeouts, retry
    classes and typed errors.

    Example::

        import asyncio
        from memex_client import AsyncMemex

        async def main() -> None:
            async with AsyncMemex("http://127.0.0.1:7077") as amx:
                user = amx.scope("acme/users/42")
                await user.kv.update("visits", lambda n: (n or 0) + 1)
                hits = await user.vectors.search("python", top_k=3)

        asyncio.run(main())
    """

    def __init__(
        self,
        url: str,
        token: Optional[str] = None,
        namespace: Optional[str] = None,
        timeout: float = 30.0,
        retries: int = 3,
        *,
        sync: Optional[Memex] = None,
    ) -> None:
        self.sync = sync or Memex(url, token, namespace, timeout, retries)
        super().__init__(self.sync)
        self.url = self.sync.url

    def scope(self, namespace: str) -> AsyncScope:
        """The async stores of ``namespace``."""
        return AsyncScope(self.sync.scope(namespace))

    def with_options(self, *, timeout: Optional[float] = None, retries: Optional[int] = None) -> "AsyncMemex":
        """A view with another timeout or retry count (same connections)."""
        return AsyncMemex(self.url, sync=self.sync.with_options(timeout=timeout, retries=retries))

    async def info(self) -> Dict[str, Any]:
        return await to_thread(self.sync.info)

    async def stats(self) -> Dict[str, Any]:
        return await to_thread(self.sync.stats)

    async def health(self) -> Dict[str, Any]:
        return await to_thread(self.sync.health)

    async def namespaces(self) -> List[Dict[str, Any]]:
        return await to_thread(self.sync.namespaces)

    async def sweep(self) -> Dict[str, int]:
        return await to_thread(self.sync.sweep)

    async def backup(self, path: str) -> None:
        await to_thread(self.sync.backup, path)

    async def openapi(self) -> Dict[str, Any]:
        return await to_thread(self.sync.openapi)

    async def close(self) -> None:
        self.sync.close()
