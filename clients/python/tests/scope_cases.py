"""Beyond one store: a scope's remember / recall, and the client's stats, health, info, namespaces,
sweep and openapi."""

from __future__ import annotations

from store_case_base import StoreCaseBase


class ScopeCases(StoreCaseBase):
    def test_remember_recall(self) -> None:
        self.s.blocks.set("human", "Name: Ada")
        self.s.memories.add("The user enjoys mountain hiking")
        r = self.s.remember(user_id="u42", thread_id="t7", message="I like hiking in the alps", response="Noted!")
        self.assertEqual(r, {"message_seq": 1, "response_seq": 2})
        self.s.remember(user_id="u42", thread_id="t8", message="Book me a train", response={"role": "assistant", "content": "Done"})
        rc = self.s.recall(user_id="u42", thread_id="t8", query="hiking alps", recent=10, top_k=5, facts=5)
        self.assertEqual([m.content for m in rc.recent], ["Book me a train", "Done"])
        self.assertEqual(rc.relevant[0].id, "t7#1")
        self.assertEqual(rc.blocks[0].label, "human")
        self.assertEqual(rc.facts[0].text, "The user enjoys mountain hiking")
        assert rc.profile is not None
        self.assertEqual(rc.profile["memory"]["messages"], 4)

    def test_stats_health_info(self) -> None:
        self.s.kv.set("x", 1)
        self.assertTrue(self.mx.health()["ok"])
        info = self.mx.info()
        self.assertIn("capabilities", info)
        self.assertEqual(info["capabilities"]["multiHost"], self.backend == "postgres")
        self.assertGreaterEqual(self.mx.stats()["writes"], 1)
        ns = [n["ns"] for n in self.mx.namespaces()]
        self.assertIn(self.s.namespace, ns)
        self.assertIn("purged", self.mx.sweep())
        self.assertEqual(self.mx.openapi()["info"]["title"], "Memex")
