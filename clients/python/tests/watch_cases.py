"""events.watch survives a server restart: the server is stopped and started again on the same
store and port; an event written while it was down (by the `memex set` command, straight into
the store) and those written after are delivered once each, in order, none lost."""

from __future__ import annotations

import subprocess
import time
from typing import Any, ClassVar, List

from memex_server import CLI, PG_URL, server_for, unique_ns

from memex_client import Event, Memex



class WatchRestartCases:
    backend: ClassVar[str] = "sqlite"
    assertEqual: Any
    assertGreaterEqual: Any
    assertIsNone: Any
    assertFalse: Any
    assertTrue: Any

    def setUp(self) -> None:
        self.server = server_for(self.backend)  # this test restarts it
        self.mx = Memex(self.server.url, timeout=10)

    def tearDown(self) -> None:
        self.mx.close()
        if self.server.proc is None:  # the test failed while it was down: later tests need it
            self.server.start()

    def _write_offline(self, ns: str, key: str) -> None:
        """A write into the store while the server is down (the ops command line)."""
        where = ["--path", self.server.path] if self.server.schema is None else ["--url", PG_URL, "--schema", self.server.schema]
        subprocess.run(["node", str(CLI), "set", key, "1", *where, "--ns", ns, "--json"], check=True, capture_output=True, timeout=60)

    def _collect(self, stream: Any, n: int, timeout: float = 20.0) -> List[Event]:
        got: List[Event] = []
        deadline = time.monotonic() + timeout
        while len(got) < n and time.monotonic() < deadline:
            e = stream.next(0.2)
            if e is not None:
                got.append(e)
        return got

    def test_watch_resumes_after_a_server_restart(self) -> None:
        ns = unique_ns("watch")
        s = self.mx.scope(ns)
        start = s.events.last_seq()
        with s.events.watch(from_seq=start) as stream:
            s.kv.set("before-1", 1)
            s.kv.set("before-2", 2)
            first = self._collect(stream, 2)
            self.assertEqual([e.key for e in first], ["before-1", "before-2"])

            self.server.stop()
            deadline = time.monotonic() + 10
            while stream.connected.is_set() and time.monotonic() < deadline:
                time.sleep(0.02)
            self.assertFalse(stream.connected.is_set())  # it noticed the drop
            self._write_offline(ns, "while-down")
            self.server.start()  # same store, same port
            s.kv.set("after-1", 1)
            s.kv.set("after-2", 2)

            rest = self._collect(stream, 3)
            self.assertEqual([e.key for e in rest], ["while-down", "after-1", "after-2"])
            seqs = [e.seq for e in first + rest]
            self.assertEqual(seqs, sorted(set(seqs)))  # in order, each once
            self.assertIsNone(stream.next(0.5))  # nothing delivered twice
            self.assertGreaterEqual(stream.reconnects, 1)
            self.assertEqual(stream.last_seq, seqs[-1])
