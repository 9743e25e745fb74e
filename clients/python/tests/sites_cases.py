"""sites: visits, selectors, quirks, action patterns, the prompt context."""

from __future__ import annotations

from store_case_base import StoreCaseBase

from memex_client import ValidationError


class SitesCases(StoreCaseBase):
    def test_sites(self) -> None:
        s = self.s.sites
        site = "https://www.Shop.example:443/cart?x=1"
        rec = s.record_visit(site, ok=True, duration_ms=850)
        self.assertEqual((rec["host"], rec["visits"]), ("shop.example", 1))
        s.cache_selector(site, "search", "input[name=q]")
        s.cache_selector("shop.example", "search", "#search")
        best = s.selector(site, "search")
        self.assertIn(best, ("input[name=q]", "#search"))
        after = s.report_selector(site, "search", False, selector=best)
        self.assertNotEqual(after, best)
        self.assertTrue(s.record_quirk(site, "Cookie banner must be dismissed first"))
        self.assertFalse(s.record_quirk(site, "  cookie BANNER must be dismissed first "))
        self.assertEqual(s.quirks(site), ["Cookie banner must be dismissed first"])
        s.cache_action_pattern(site, "log in", [{"fill": "#user"}, {"click": "#go"}])
        self.assertEqual(s.action_pattern(site, "Log In"), [{"fill": "#user"}, {"click": "#go"}])
        self.assertIsNone(s.action_pattern(site, "nothing"))
        text = s.context_for_prompt(site, max_chars=600)
        self.assertTrue(0 < len(text) <= 600)
        prof = s.profile("http://shop.example")
        assert prof is not None
        self.assertEqual(prof["visits"], 1)
        self.assertEqual([x["host"] for x in s.list().items], ["shop.example"])
        with self.assertRaises(ValidationError) as cm:
            s.record_visit("ftp://files.example", ok=True)
        self.assertEqual(cm.exception.field, "url")
