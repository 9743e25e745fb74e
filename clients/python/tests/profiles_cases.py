"""profiles: set, get, update, compare-and-set, list, delete."""

from __future__ import annotations

from store_case_base import StoreCaseBase

from memex_client import ConflictError, ValidationError


class ProfilesCases(StoreCaseBase):
    def test_profiles(self) -> None:
        p = self.s.profiles
        v1 = p.set("u42", {"name": "Ada", "visits": 0})
        self.assertEqual(p.get("u42"), {"name": "Ada", "visits": 0})
        self.assertEqual(p.update("u42", lambda cur: {**(cur or {}), "visits": (cur or {})["visits"] + 1})["visits"], 1)
        e = p.get_entry("u42")
        assert e is not None
        self.assertEqual((e.user_id, e.profile["visits"]), ("u42", 1))
        self.assertGreater(e.version, v1)
        with self.assertRaises(ConflictError):
            p.set("u42", {"name": "Bob"}, if_version=v1)
        p.set("acme-1", {"name": "C"})
        self.assertEqual([x.user_id for x in p.list(prefix="acme-").items], ["acme-1"])
        self.assertTrue(p.delete("acme-1"))
        self.assertIsNone(p.get("acme-1"))
        with self.assertRaises(ValidationError) as cm:
            p.set("u1", ["not", "an", "object"])  # type: ignore[arg-type]
        self.assertEqual(cm.exception.field, "profile")
