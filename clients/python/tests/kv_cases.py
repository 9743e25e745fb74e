"""kv: values, compare-and-set, TTL, batches, update, patch, transactions, the wire form of
values, bad input naming the field, and a keyed write applied once."""

from __future__ import annotations

import array
import time
from typing import Any, List

from store_case_base import StoreCaseBase

from memex_client import DELETE, ConflictError, Entry, ValidationError


class KvCases(StoreCaseBase):
    def test_kv_basics(self) -> None:
        kv = self.s.kv
        self.assertIsNone(kv.get("nope"))
        self.assertEqual(kv.get("nope", 7), 7)
        v1 = kv.set("a", {"name": "Ada", "tags": ["x"], "n": 1.5, "none": None})
        self.assertEqual(kv.get("a"), {"name": "Ada", "tags": ["x"], "n": 1.5, "none": None})
        e = kv.get_entry("a")
        self.assertIsInstance(e, Entry)
        assert e is not None
        self.assertEqual((e.key, e.version, e.expires_at), ("a", v1, None))
        self.assertTrue(kv.has("a"))
        kv.set("null", None)
        self.assertTrue(kv.has("null"))
        self.assertIsNone(kv.get("null", "absent"))  # a stored null is not "absent"
        self.assertTrue(kv.delete("a"))
        self.assertFalse(kv.delete("a"))
        self.assertFalse(kv.has("a"))

    def test_kv_compare_and_set(self) -> None:
        kv = self.s.kv
        v1 = kv.set("cart", ["apple"], if_version=0)
        with self.assertRaises(ConflictError) as cm:
            kv.set("cart", ["pear"], if_version=0)
        self.assertEqual((cm.exception.code, cm.exception.status, cm.exception.key), ("version_conflict", 409, "cart"))
        self.assertEqual((cm.exception.expected, cm.exception.actual), (0, v1))
        v2 = kv.set("cart", ["apple", "pear"], if_version=v1)
        self.assertGreater(v2, v1)
        with self.assertRaises(ConflictError):
            kv.delete("cart", if_version=v1)
        self.assertTrue(kv.delete("cart", if_version=v2))
        v3 = kv.set("cart", [], if_version=0)
        self.assertGreater(v3, v2)  # versions never repeat, even after delete + re-create

    def test_kv_ttl(self) -> None:
        kv = self.s.kv
        kv.set("short", 1, ttl_ms=150)
        e = kv.get_entry("short")
        assert e is not None and e.expires_at is not None
        self.assertGreater(e.expires_at, e.updated_at)
        time.sleep(0.3)
        self.assertIsNone(kv.get("short"))

    def test_kv_many_and_list(self) -> None:
        kv = self.s.kv
        versions = kv.set_many([("k1", 1), {"key": "k2", "value": 2, "ttl_ms": 60_000}, {"key": "k3", "value": 3, "if_version": 0}])
        self.assertEqual(len(versions), 3)
        self.assertEqual(kv.get_many(["k1", "zz", "k3"]), [1, None, 3])
        entries = kv.get_entries(["k2", "zz"])
        assert entries[0] is not None
        self.assertEqual((entries[0].value, entries[1]), (2, None))
        with self.assertRaises(ConflictError):  # all or nothing
            kv.set_many([("k4", 4), {"key": "k1", "value": 9, "if_version": 0}])
        self.assertIsNone(kv.get("k4"))
        kv.set_many([(f"p:{i}", i) for i in range(5)])
        page = kv.list(prefix="p:", limit=2)
        keys = [e.key for e in page.items]
        while page.cursor:
            page = kv.list(prefix="p:", limit=2, cursor=page.cursor)
            keys += [e.key for e in page.items]
        self.assertEqual(keys, [f"p:{i}" for i in range(5)])
        self.assertEqual([e.key for e in kv.scan(prefix="p:", page_size=3)], keys)
        self.assertEqual(kv.clear(), 8)
        self.assertEqual(kv.list().items, [])

    def test_kv_update(self) -> None:
        kv = self.s.kv
        self.assertEqual(kv.update("n", lambda v: (v or 0) + 1), 1)
        self.assertEqual(kv.update("n", lambda v: v + 1), 2)
        self.assertEqual(kv.update("lst", lambda v: v + ["a"], default=[]), ["a"])
        kv.set("ttl", 1, ttl_ms=60_000)
        exp = kv.get_entry("ttl").expires_at  # type: ignore[union-attr]
        kv.update("ttl", lambda v: v + 1)
        self.assertEqual(kv.get_entry("ttl").expires_at, exp)  # type: ignore[union-attr]  # ttl kept
        self.assertIsNone(kv.update("n", lambda v: DELETE))
        self.assertFalse(kv.has("n"))

        def boom(v: Any) -> Any:
            raise KeyError("nothing is written")

        with self.assertRaises(KeyError):
            kv.update("lst", boom)
        self.assertEqual(kv.get("lst"), ["a"])

    def test_kv_patch(self) -> None:
        kv = self.s.kv
        r = kv.patch("stats", [{"op": "increment", "path": "/visits"}, {"op": "append", "path": "/last", "value": "u1", "max": 2}])
        self.assertEqual(r.value, {"visits": 1, "last": ["u1"]})
        kv.patch("stats", [{"op": "append", "path": "/last", "value": "u2", "max": 2}, {"op": "append", "path": "/last", "value": "u3", "max": 2}])
        r = kv.patch("stats", [{"op": "merge", "value": {"plan": "pro", "visits": None}}, {"op": "setIfAbsent", "path": "/plan", "value": "free"}])
        self.assertEqual(r.value, {"last": ["u2", "u3"], "plan": "pro"})
        with self.assertRaises(ConflictError):
            kv.patch("stats", [{"op": "increment", "path": "/n"}], if_version=r.version + 1000)
        with self.assertRaises(ValidationError) as cm:
            kv.patch("stats", [{"op": "increment", "path": "/n"}, {"op": "increment", "path": "/plan"}])
        self.assertEqual((cm.exception.field, cm.exception.status), ("ops[1].path", 400))
        self.assertEqual(kv.get("stats"), {"last": ["u2", "u3"], "plan": "pro"})  # nothing written
        gone = kv.patch("stats", [{"op": "remove"}])
        self.assertEqual((gone.value, gone.version), (None, 0))
        self.assertFalse(kv.has("stats"))

    def test_kv_transaction(self) -> None:
        kv = self.s.kv
        kv.set_many([("alice", 100), ("bob", 0)])

        def move(tx: Any) -> int:
            a = tx.get("alice", 0)
            if a < 30:
                raise ValueError("insufficient funds")
            tx.set("alice", a - 30)
            return tx.update("bob", lambda b: (b or 0) + 30)

        self.assertEqual(kv.transaction(move, keys=["alice", "bob"]), 30)
        self.assertEqual(kv.transaction(move), 60)
        self.assertEqual(kv.transaction(move), 90)
        with self.assertRaises(ValueError):
            kv.transaction(move)
        self.assertEqual(kv.get_many(["alice", "bob"]), [10, 90])
        self.assertEqual(kv.transaction(lambda tx: tx.get_many(["alice", "bob"])), [10, 90])  # read-only
        self.assertTrue(kv.transaction(lambda tx: tx.delete("alice")))
        self.assertFalse(kv.has("alice"))

    def test_kv_values_wire_form(self) -> None:
        kv = self.s.kv
        emb = array.array("f", [0.5, -1.25, 3.0])
        kv.set("emb", {"text": "x", "v": emb, "ints": array.array("h", [1, -2])})
        got = kv.get("emb")
        self.assertEqual((got["v"].typecode, list(got["v"])), ("f", [0.5, -1.25, 3.0]))
        self.assertEqual(list(got["ints"]), [1, -2])
        # An object that has a "$mx" key of its own round-trips unchanged.
        odd = {"$mx": "obj", "v": {"a": 1}, "nested": {"$mx": "typed"}}
        kv.set("odd", odd)
        self.assertEqual(kv.get("odd"), odd)
        self.assertEqual(self.s.conversations.append("t", "user", odd).content, odd)

    def test_kv_bad_input_names_the_field(self) -> None:
        kv = self.s.kv
        cases: List[Any] = [
            (lambda: kv.set("", 1), "key"),
            (lambda: kv.set("k", 1, ttl_ms=-5), "options.ttlMs"),
            (lambda: kv.set("k", float("nan")), "value"),
            (lambda: kv.set("k", {"a": {1, 2}}), "value.a"),
            (lambda: kv.set("k", {"__proto__": 1}), "value.__proto__"),
            (lambda: kv.list(limit=5000), "options.limit"),
            (lambda: self.mx.scope("bad ns!").kv.get("k"), "ns"),
            (lambda: self.s.call("kv/set", {"key": "k", "value": 1, "option": {}}), "option"),
        ]
        for fn, field in cases:
            with self.assertRaises(ValidationError, msg=field) as cm:
                fn()
            self.assertEqual(cm.exception.field, field)
            self.assertEqual(cm.exception.code, "invalid_input")
        self.assertFalse(kv.has("k"))

    def test_keyed_write_applied_once_per_idempotency_key(self) -> None:
        for _ in range(3):
            self.s.call("kv/patch", {"key": "c", "ops": [{"op": "increment"}]}, idempotency_key="same-key-1")
        self.assertEqual(self.s.kv.get("c"), 1)
