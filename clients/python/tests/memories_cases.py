"""memories: add (deduplicated), search, update, invalidate, history, delete, ingest without a model."""

from __future__ import annotations

from store_case_base import StoreCaseBase

from memex_client import ConflictError, LlmError, ValidationError


class MemoriesCases(StoreCaseBase):
    def test_memories(self) -> None:
        m = self.s.memories
        paris = m.add({"text": "The user lives in Paris", "subject": "user"}, idempotency_key="msg-41", by="test")
        self.assertEqual(paris.op, "added")
        again = m.add("the user lives in Paris.")
        self.assertEqual((again.op, again.id), ("unchanged", paris.id))
        many = m.add(["The user likes tea", {"text": "The user has a cat", "metadata": {"kind": "pet"}}])
        self.assertEqual([x.op for x in many], ["added", "added"])
        hits = m.search("where does the user live?", top_k=3)
        self.assertEqual(hits[0].id, paris.id)
        self.assertIsNotNone(hits[0].score)
        self.assertEqual([f.id for f in m.search("pet", filter={"kind": "pet"})], [many[1].id])
        moved = m.update(paris.id, "The user lives in Lyon", if_version=paris.version, reason="moved")
        self.assertEqual(moved.op, "updated")
        with self.assertRaises(ConflictError):
            m.update(paris.id, "The user lives in Nice", if_version=paris.version)
        got = m.get(paris.id)
        assert got is not None
        self.assertEqual((got.text, got.subject), ("The user lives in Lyon", "user"))
        inv = m.invalidate(paris.id, reason="moved abroad")
        self.assertEqual(inv.op, "invalidated")
        self.assertNotIn(paris.id, [f.id for f in m.list().items])
        self.assertIn(paris.id, [f.id for f in m.list(include_invalid=True).items])
        hist = m.history(paris.id)
        self.assertEqual([h["op"] for h in hist], ["added", "updated", "invalidated"])
        self.assertEqual(hist[0]["source"]["idempotencyKey"], "msg-41")
        self.assertTrue(m.delete(many[0].id))
        self.assertIsNone(m.get(many[0].id))
        with self.assertRaises(LlmError) as cm:
            m.ingest([{"role": "user", "content": "I moved to Berlin"}])
        self.assertEqual((cm.exception.kind, cm.exception.code), ("not_configured", "llm_failed"))
        with self.assertRaises(ValidationError) as cm2:
            m.add(["The user likes jazz", {"text": ""}])
        self.assertEqual(cm2.exception.field, "facts[1].text")
