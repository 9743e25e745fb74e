"""conversations: append, recent, page, get, list, list_page, delete."""

from __future__ import annotations

from store_case_base import StoreCaseBase

from memex_client import ValidationError


class ConversationsCases(StoreCaseBase):
    def test_conversations(self) -> None:
        c = self.s.conversations
        m1 = c.append("t1", "user", "hi", metadata={"channel": "web"})
        m2 = c.append("t1", "assistant", {"text": "hello", "tokens": 3})
        c.append("t1", "user", "bye")
        c.append("t2", "user", "other thread")
        self.assertEqual((m1.seq, m2.seq, m1.metadata), (1, 2, {"channel": "web"}))
        recent = c.recent("t1", 2)
        self.assertEqual([m.content for m in recent], [{"text": "hello", "tokens": 3}, "bye"])
        self.assertEqual([m.seq for m in c.page("t1", before_seq=recent[0].seq, limit=10)], [1])
        info = c.get("t1")
        assert info is not None
        self.assertEqual((info.message_count, info.first_seq, info.last_seq), (3, 1, 3))
        self.assertEqual([t.thread_id for t in c.list(limit=10)], ["t2", "t1"])
        c.append("t3", "user", "newest")
        page = c.list_page(limit=2)
        ids = [t.thread_id for t in page.items]
        while page.cursor:
            page = c.list_page(limit=2, cursor=page.cursor)
            ids += [t.thread_id for t in page.items]
        self.assertEqual(ids, ["t3", "t2", "t1"])
        self.assertTrue(c.delete("t1"))
        self.assertIsNone(c.get("t1"))
        self.assertEqual(c.recent("t1"), [])
        with self.assertRaises(ValidationError) as cm:
            c.append("t1", "Not A Role", "x")
        self.assertEqual(cm.exception.field, "message.role")
