"""A separate process for the multi-process tests (run as `python3 _worker.py MODE URL NS ...`).

Modes:
  update THREADS N KEY  - THREADS threads each run kv.update(KEY, +1) N times
  patch THREADS N KEY   - the same with kv.patch increment
  hold NAME             - holds lock NAME until a line arrives on stdin; prints {"acquired": t}, then
                          {"releasing": t} with t taken just before the release is sent
  wait NAME TIMEOUT_MS  - acquires lock NAME (waiting at most TIMEOUT_MS); prints {"acquired": t} or {"error": code}
Times are time.time() (wall clock, comparable across processes on one host).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from memex_client import MemexError, Memex  # noqa: E402


def say(obj: object) -> None:
    print(json.dumps(obj), flush=True)


def main() -> int:
    mode, url, ns = sys.argv[1], sys.argv[2], sys.argv[3]
    mx = Memex(url, timeout=60)
    scope = mx.scope(ns)
    if mode in ("update", "patch"):
        threads, n, key = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
        errors: list = []
        start = threading.Barrier(threads)

        def work() -> None:
            try:
                start.wait()
                for _ in range(n):
                    if mode == "update":
                        scope.kv.update(key, lambda v: (v or 0) + 1)
                    else:
                        scope.kv.patch(key, [{"op": "increment"}])
            except BaseException as e:  # reported to the test
                errors.append(repr(e))

        ts = [threading.Thread(target=work) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        say({"errors": errors})
        return 1 if errors else 0
    if mode == "hold":
        name = sys.argv[4]
        with scope.locks.lock(name, lease_ms=1000, timeout_ms=10_000) as held:
            say({"acquired": time.time(), "token": held.token})
            sys.stdin.readline()  # hold (renewing the lease) until told to let go
            releasing = time.time()
        say({"releasing": releasing, "lost": held.lost})
        return 0
    if mode == "wait":
        name, timeout_ms = sys.argv[4], int(sys.argv[5])
        try:
            with scope.locks.lock(name, lease_ms=1000, timeout_ms=timeout_ms) as held:
                say({"acquired": time.time(), "token": held.token})
        except MemexError as e:
            say({"error": e.code})
        return 0
    raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    sys.exit(main())
