"""blocks: set, append, replace, list, delete, and bad labels / missing text."""

from __future__ import annotations

from store_case_base import StoreCaseBase

from memex_client import ConflictError, ValidationError


class BlocksCases(StoreCaseBase):
    def test_blocks(self) -> None:
        b = self.s.blocks
        b.set("persona", "I am a travel assistant.", if_version=0)
        with self.assertRaises(ConflictError):
            b.set("persona", "again", if_version=0)
        r = b.append("human", "Prefers aisle seats.")
        b.append("human", "Allergic to peanuts.")
        self.assertGreater(r["length"], 0)
        b.replace("human", "aisle", "window")
        human = b.get("human")
        assert human is not None
        self.assertEqual(human.value, "Prefers window seats.\nAllergic to peanuts.")
        b.set("plan", {"step": 2, "todo": ["book hotel"]})
        self.assertEqual([x.label for x in b.list()], ["human", "persona", "plan"])
        self.assertTrue(b.delete("plan", if_version=b.get("plan").version))  # type: ignore[union-attr]
        with self.assertRaises(ValidationError) as cm:
            b.replace("human", "not there", "x")
        self.assertEqual(cm.exception.field, "oldText")
        with self.assertRaises(ValidationError) as cm:
            b.set("bad label!", "x")
        self.assertEqual(cm.exception.field, "label")
