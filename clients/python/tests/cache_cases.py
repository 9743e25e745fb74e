"""cache: get / set / stats / clear, and get_or_set single-flight across threads, its failure
reaching the waiters."""

from __future__ import annotations

import array
import threading
import time
from typing import Any, List

from store_case_base import StoreCaseBase

from memex_client import ComputeError


class CacheCases(StoreCaseBase):
    def test_cache(self) -> None:
        cache = self.s.cache
        key = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}
        self.assertIsNone(cache.get(key))
        cache.set(key, "Hello!", ttl_ms=60_000)
        self.assertEqual(cache.get({"messages": [{"content": "hi", "role": "user"}], "model": "m"}), "Hello!")
        cache.set(["embedding", "x"], array.array("f", [1.0, 2.0]))
        self.assertEqual(list(cache.get(["embedding", "x"])), [1.0, 2.0])
        stats = cache.stats()
        self.assertEqual(stats["size"], 2)
        cache.flush()
        self.assertTrue(cache.delete(key))
        self.assertEqual(cache.clear(), 1)

    def test_cache_get_or_set_is_single_flight(self) -> None:
        cache = self.s.cache
        computes: List[int] = []
        results: List[Any] = []

        def compute() -> str:
            computes.append(1)
            time.sleep(0.4)
            return "computed once"

        def caller() -> None:
            results.append(cache.get_or_set("prompt", compute, ttl_ms=60_000))

        ts = [threading.Thread(target=caller) for _ in range(5)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        self.assertEqual(len(computes), 1)
        self.assertEqual(results, ["computed once"] * 5)
        self.assertEqual(cache.get_or_set("prompt", lambda: "again"), "computed once")

    def test_cache_get_or_set_failure_reaches_waiters(self) -> None:
        cache = self.s.cache
        started = threading.Event()
        errors: List[BaseException] = []

        class ModelDown(Exception):
            pass

        def compute() -> str:
            started.set()
            time.sleep(0.4)
            raise ModelDown("model unavailable")

        def waiter() -> None:
            started.wait(5)
            try:
                cache.get_or_set("q", lambda: "never used")
            except BaseException as e:
                errors.append(e)

        t = threading.Thread(target=waiter)
        t.start()
        with self.assertRaises(ModelDown):
            cache.get_or_set("q", compute)
        t.join()
        self.assertEqual(len(errors), 1)
        self.assertIsInstance(errors[0], ComputeError)
        self.assertEqual((errors[0].name, errors[0].detail), ("ModelDown", "model unavailable"))  # type: ignore[attr-defined]
        self.assertIsNone(cache.get("q"))  # nothing cached
