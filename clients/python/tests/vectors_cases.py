"""vectors: upsert, vector / text / hybrid search with filters, get, count, delete_where."""

from __future__ import annotations

from store_case_base import StoreCaseBase

from memex_client import ValidationError


class VectorsCases(StoreCaseBase):
    def test_vectors(self) -> None:
        v = self.s.vectors
        n = v.upsert(
            [
                {"id": "n1", "text": "Ada prefers Python over Java", "metadata": {"type": "note", "year": 2024}},
                {"id": "n2", "text": "Ada lives in London", "metadata": {"type": "fact", "year": 2019}},
                {"id": "n3", "text": "Python tips and tricks", "metadata": {"type": "doc", "year": 2021}},
            ]
        )
        self.assertEqual(n, 3)
        hits = v.search("which language does Ada like", top_k=3, filter={"type": "note"})
        self.assertEqual([h.id for h in hits], ["n1"])
        self.assertGreater(hits[0].score, 0)
        self.assertEqual(hits[0].metadata, {"type": "note", "year": 2024})
        self.assertEqual(v.search("python", mode="text", top_k=5)[0].id in ("n1", "n3"), True)
        self.assertGreaterEqual(len(v.search("python", mode="hybrid", top_k=5)), 2)
        doc = v.get("n2")
        assert doc is not None
        self.assertEqual((doc.text, len(doc.vector)), ("Ada lives in London", 384))
        self.assertEqual(v.search(vector=doc.vector, top_k=1)[0].id, "n2")
        self.assertEqual(v.count(), 3)
        self.assertEqual(v.count({"year": {"$gte": 2020}}), 2)
        self.assertEqual(v.delete_where({"type": "doc"}), {"deleted": 1, "total": 2})
        self.assertTrue(v.delete("n2"))
        self.assertIsNone(v.get("n2"))
        v.wait_for_index()
        with self.assertRaises(ValidationError) as cm:
            v.search("x", filter={"year": {"$gte": "a", "$bogus": 1}})
        self.assertTrue((cm.exception.field or "").startswith("query.filter.year"), cm.exception.field)
