"""AsyncMemex basics: the same stores with ``await``, concurrent coroutines, async compute in
get_or_set, ``async with`` locks, ``async for`` over the event stream, typed errors."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar, List

from memex_server import MemexServer, server_for, unique_ns

from memex_client import AsyncMemex, ConflictError, LockTimeoutError, ValidationError


class AsyncClientCases:
    """Mixed into test_backends.AsyncClientTests (an IsolatedAsyncioTestCase), on its SQLite server."""

    server: ClassVar[MemexServer]
    assertEqual: Any
    assertRaises: Any
    assertTrue: Any
    assertFalse: Any

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = server_for("sqlite")

    async def asyncSetUp(self) -> None:
        self.amx = AsyncMemex(self.server.url, timeout=20)
        self.s = self.amx.scope(unique_ns("async"))

    async def asyncTearDown(self) -> None:
        await self.amx.close()

    async def test_kv(self) -> None:
        kv = self.s.kv
        v = await kv.set("cart", ["apple"], if_version=0)
        self.assertEqual(await kv.get("cart"), ["apple"])
        with self.assertRaises(ConflictError):
            await kv.set("cart", [], if_version=0)
        e = await kv.get_entry("cart")
        assert e is not None
        self.assertEqual(e.version, v)
        self.assertEqual((await kv.patch("stats", [{"op": "increment", "path": "/n", "by": 2}])).value, {"n": 2})
        self.assertEqual(await kv.transaction(lambda tx: tx.update("cart", lambda c: c + ["pear"])), ["apple", "pear"])
        await kv.set_many([(f"p:{i}", i) for i in range(3)])
        self.assertEqual([x.key async for x in kv.scan(prefix="p:", page_size=2)], ["p:0", "p:1", "p:2"])
        with self.assertRaises(ValidationError) as cm:
            await kv.set("k", 1, ttl_ms=0)
        self.assertEqual(cm.exception.field, "options.ttlMs")

    async def test_concurrent_coroutines_lose_no_update(self) -> None:
        await asyncio.gather(*(self.s.kv.update("n", lambda x: (x or 0) + 1) for _ in range(20)))
        self.assertEqual(await self.s.kv.get("n"), 20)

    async def test_stores(self) -> None:
        m = await self.s.conversations.append("t1", "user", "hello")
        self.assertEqual([x.seq for x in await self.s.conversations.recent("t1")], [m.seq])
        await self.s.vectors.upsert({"id": "d1", "text": "async python client"})
        self.assertEqual((await self.s.vectors.search("python client", top_k=1))[0].id, "d1")
        await self.s.profiles.set("u1", {"name": "Ada"})
        self.assertEqual(await self.s.profiles.get("u1"), {"name": "Ada"})
        await self.s.sites.cache_selector("example.com", "search", "#q")
        self.assertEqual(await self.s.sites.selector("https://www.example.com/", "search"), "#q")
        fact = await self.s.memories.add("The user likes asyncio")
        self.assertEqual(fact.op, "added")
        await self.s.blocks.append("human", "Likes tea")
        self.assertEqual((await self.s.blocks.get("human")).value, "Likes tea")  # type: ignore[union-attr]
        await self.s.remember(user_id="u1", thread_id="t2", message="I like jazz", response="Noted")
        r = await self.s.recall(user_id="u1", thread_id="t2", query="music")
        self.assertEqual(len(r.recent), 2)
        self.assertTrue((await self.amx.health())["ok"])

    async def test_get_or_set_with_an_async_compute_is_single_flight(self) -> None:
        computes: List[int] = []

        async def compute() -> str:
            computes.append(1)
            await asyncio.sleep(0.3)
            return "answer"

        results = await asyncio.gather(*(self.s.cache.get_or_set("prompt", compute) for _ in range(4)))
        self.assertEqual(results, ["answer"] * 4)
        self.assertEqual(len(computes), 1)

    async def test_lock_and_watch(self) -> None:
        start = await self.s.events.last_seq()
        async with self.s.locks.lock("job", lease_ms=300) as held:
            with self.assertRaises(LockTimeoutError):
                await self.s.locks.acquire("job", timeout_ms=50)
            await asyncio.sleep(0.4)
            self.assertFalse(held.lost)
        stream = await self.s.events.watch(from_seq=start, store="kv")
        async with stream:
            await self.s.kv.set("a", 1)
            await self.s.kv.set("b", 2)
            keys = []
            async for ev in stream:
                keys.append(ev.key)
                if len(keys) == 2:
                    break
            self.assertEqual(keys, ["a", "b"])
