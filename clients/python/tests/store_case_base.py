"""The fixture every store's cases share (mixed into test_backends' classes through stores_cases):
the backend's `memex serve`, a client on it, and a fresh namespace per test."""

from __future__ import annotations

from typing import Any, ClassVar

from memex_server import MemexServer, server_for, unique_ns

from memex_client import Memex, Scope


class StoreCaseBase:
    """A server per backend (``backend``), a client on it, and a fresh namespace ``self.s`` per test."""

    backend: ClassVar[str] = "sqlite"
    server: ClassVar[MemexServer]
    mx: ClassVar[Memex]
    s: Scope

    # unittest.TestCase methods, for the type reader
    assertEqual: Any
    assertNotEqual: Any
    assertTrue: Any
    assertFalse: Any
    assertIsNone: Any
    assertIsNotNone: Any
    assertIn: Any
    assertNotIn: Any
    assertRaises: Any
    assertGreater: Any
    assertGreaterEqual: Any
    assertLess: Any
    assertIsInstance: Any

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = server_for(cls.backend)
        cls.mx = Memex(cls.server.url, timeout=20)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.mx.close()

    def setUp(self) -> None:
        self.s = self.mx.scope(unique_ns(self.backend))
