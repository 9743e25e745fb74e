"""Several processes at once, through one `memex serve`: 3 processes x 10 threads incrementing one
key with kv.update (compare-and-set loop) and with kv.patch lose no increment; a lock held in
one process blocks another process until it is released. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, ClassVar, Dict, List

from memex_server import MemexServer, server_for, unique_ns

from memex_client import Memex

WORKER = str(Path(__file__).resolve().parent / "_worker.py")
PROCESSES, THREADS, EACH = 3, 10, 5


def spawn(*args: str) -> "subprocess.Popen[str]":
    return subprocess.Popen(
        [sys.executable, WORKER, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def lines(p: "subprocess.Popen[str]", timeout: float = 60) -> List[Dict[str, Any]]:
    out, err = p.communicate(timeout=timeout)
    if p.returncode != 0:
        raise AssertionError(f"worker exited {p.returncode}:\n{out}\n{err}")
    return [json.loads(line) for line in out.splitlines() if line.strip()]



class ConcurrencyCases:
    backend: ClassVar[str] = "sqlite"
    server: ClassVar[MemexServer]
    mx: ClassVar[Memex]
    assertEqual: Any
    assertGreaterEqual: Any
    assertIn: Any
    assertIsNone: Any
    assertGreater: Any

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = server_for(cls.backend)
        cls.mx = Memex(cls.server.url)

    @classmethod
    def tearDownClass(cls) -> None:
        cls.mx.close()

    def _increment(self, mode: str) -> None:
        ns = unique_ns(mode)
        procs = [spawn(mode, self.server.url, ns, str(THREADS), str(EACH), "counter") for _ in range(PROCESSES)]
        for p in procs:
            self.assertEqual(lines(p)[-1], {"errors": []})
        self.assertEqual(self.mx.scope(ns).kv.get("counter"), PROCESSES * THREADS * EACH)

    def test_update_from_3_processes_x_10_threads_loses_nothing(self) -> None:
        self._increment("update")

    def test_patch_from_3_processes_x_10_threads_loses_nothing(self) -> None:
        self._increment("patch")

    def test_a_lock_held_in_one_process_blocks_another_until_released(self) -> None:
        ns = unique_ns("lock")
        locks = self.mx.scope(ns).locks
        holder = spawn("hold", self.server.url, ns, "printer")
        assert holder.stdin is not None and holder.stdout is not None
        first = json.loads(holder.stdout.readline())  # the holder has the lock now
        self.assertIn("acquired", first)
        self.assertEqual(lines(spawn("wait", self.server.url, ns, "printer", "200")), [{"error": "lock_timeout"}])
        waiter = spawn("wait", self.server.url, ns, "printer", "20000")
        deadline = time.monotonic() + 20
        while not locks.inspect("printer")["waiters"] and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.3)  # the waiter is queued and keeps waiting
        self.assertIsNone(waiter.poll())
        self.assertEqual(len(locks.inspect("printer")["waiters"]), 1)
        holder.stdin.write("release\n")
        holder.stdin.flush()
        done = lines(holder)[-1]
        self.assertEqual(done["lost"], False)
        got = lines(waiter)[0]
        self.assertGreaterEqual(got["acquired"], done["releasing"])  # not before the holder let go
        self.assertGreater(got["token"], first["token"])  # a newer fencing token
