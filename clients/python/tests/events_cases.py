"""events: since (by store, limited) and a watch stream."""

from __future__ import annotations

from store_case_base import StoreCaseBase


class EventsCases(StoreCaseBase):
    def test_events(self) -> None:
        start = self.s.events.last_seq()
        self.s.kv.set("a", 1)
        self.s.profiles.set("u", {"x": 1})
        self.s.kv.delete("a")
        evs = self.s.events.since(start)
        self.assertEqual([(e.store, e.key, e.op) for e in evs], [("kv", "a", "set"), ("profiles", "u", "set"), ("kv", "a", "delete")])
        self.assertEqual(evs[0].ns, self.s.namespace)
        self.assertEqual([e.op for e in self.s.events.since(start, store="kv", limit=1)], ["set"])
        with self.s.events.watch(from_seq=start, store="kv") as stream:
            got = [stream.next(5), stream.next(5)]
            self.assertEqual([(e.key, e.op) for e in got if e], [("a", "set"), ("a", "delete")])
            self.s.kv.set("b", 2)
            e = stream.next(5)
            assert e is not None
            self.assertEqual((e.key, e.seq > evs[-1].seq), ("b", True))
