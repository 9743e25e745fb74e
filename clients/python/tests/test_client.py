"""The client's own behaviour: retries by retry class (against a scripted stand-in server),
timeouts, connection errors, tokens (401/403 as typed errors) and that its retry table is the
one the real server publishes in /openapi.json."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, ClassVar, Dict, List, Optional, Tuple

from memex_server import MemexServer, free_port, unique_ns

from memex_client import (
    ConflictError,
    ForbiddenError,
    LockTimeoutError,
    Memex,
    MemexError,
    MemexTimeoutError,
    StorageError,
    UnauthorizedError,
    UnavailableError,
)
from memex_client._transport import RETRY_CLASS

Reply = Tuple[int, Dict[str, str], Any]  # status, headers, JSON body ("drop" = close without answering)


class Scripted:
    """A stand-in HTTP server answering each request with the next scripted reply."""

    def __init__(self, replies: List[Any]) -> None:
        self.replies = list(replies)
        self.seen: List[Dict[str, Any]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.seen.append({"path": self.path, "headers": dict(self.headers.items()), "body": json.loads(body or b"{}")})
                reply = outer.replies.pop(0) if outer.replies else (200, {}, {"result": None})
                if callable(reply):
                    reply = reply()
                if reply == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                status, headers, payload = reply
                data = json.dumps(payload).encode()
                self.send_response(status)
                ctype = "application/problem+json" if status >= 400 else "application/json"
                self.send_header("content-type", ctype)
                self.send_header("content-length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, client_address: None  # type: ignore[method-assign]  # a client that gave up
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


LOCK_TIMEOUT: Reply = (503, {"retry-after": "0"}, {"type": "x", "title": "Lock timeout", "status": 503, "code": "lock_timeout", "detail": "busy", "waitedMs": 5})
OK: Callable[[Any], Reply] = lambda result: (200, {}, {"result": result})


class RetryTests(unittest.TestCase):
    def scripted(self, replies: List[Any]) -> Tuple[Scripted, Memex]:
        srv = Scripted(replies)
        self.addCleanup(srv.close)
        mx = Memex(srv.url, timeout=5, retries=3)
        self.addCleanup(mx.close)
        return srv, mx

    def test_safe_read_is_resent_after_a_503_and_a_dropped_connection(self) -> None:
        srv, mx = self.scripted([LOCK_TIMEOUT, "drop", OK(42)])
        self.assertEqual(mx.kv.get("k"), 42)
        self.assertEqual(len(srv.seen), 3)
        self.assertNotIn("idempotency-key", {k.lower() for k in srv.seen[0]["headers"]})

    def test_keyed_write_is_resent_with_the_same_idempotency_key(self) -> None:
        srv, mx = self.scripted(["drop", LOCK_TIMEOUT, OK({"version": 7}), OK({"version": 8})])
        self.assertEqual(mx.scope("a").kv.set("k", 1), 7)
        keys = [{k.lower(): v for k, v in s["headers"].items()}["idempotency-key"] for s in srv.seen]
        self.assertEqual(len(keys), 3)
        self.assertEqual(len(set(keys)), 1)  # generated once per call
        self.assertEqual(srv.seen[0]["body"], {"ns": "a", "key": "k", "value": 1})
        mx.kv.set("k", 2)
        self.assertNotEqual({k.lower(): v for k, v in srv.seen[-1]["headers"].items()}["idempotency-key"], keys[0])  # a new call, a new key

    def test_never_operation_is_not_resent(self) -> None:
        srv, mx = self.scripted(["drop", OK({"leaseId": "l1", "token": 1, "waitedMs": 0})])
        with self.assertRaises(UnavailableError):
            mx.locks.acquire("x")
        self.assertEqual(len(srv.seen), 1)
        srv2, mx2 = self.scripted([LOCK_TIMEOUT, OK(None)])
        with self.assertRaises(LockTimeoutError) as cm:
            mx2.locks.acquire("x", timeout_ms=5)
        self.assertEqual((cm.exception.status, cm.exception.waited_ms), (503, 5.0))
        self.assertEqual(len(srv2.seen), 1)

    def test_retries_are_bounded(self) -> None:
        srv, mx = self.scripted([LOCK_TIMEOUT] * 10)
        with self.assertRaises(LockTimeoutError):
            mx.with_options(retries=2).kv.get("k")
        self.assertEqual(len(srv.seen), 3)

    def test_a_conflict_is_not_retried_and_carries_its_fields(self) -> None:
        problem = {"type": "x", "title": "Version conflict", "status": 409, "code": "version_conflict", "detail": "d", "key": "k", "expected": 1, "actual": 2}
        srv, mx = self.scripted([(409, {}, problem)])
        with self.assertRaises(ConflictError) as cm:
            mx.kv.set("k", 1, if_version=1)
        self.assertEqual((cm.exception.key, cm.exception.expected, cm.exception.actual, cm.exception.detail), ("k", 1, 2, "d"))
        self.assertEqual(len(srv.seen), 1)

    def test_unknown_code_is_a_memex_error(self) -> None:
        _, mx = self.scripted([(418, {}, {"type": "x", "title": "t", "status": 418, "code": "teapot", "detail": "no"})])
        with self.assertRaises(MemexError) as cm:
            mx.kv.get("k")
        self.assertEqual((type(cm.exception), cm.exception.code, cm.exception.status), (MemexError, "teapot", 418))

    def test_timeout_per_call(self) -> None:
        def slow() -> Reply:
            time.sleep(1.5)
            return OK(1)

        _, mx = self.scripted([slow, OK(2)])
        t0 = time.monotonic()
        with self.assertRaises(MemexTimeoutError) as cm:
            mx.with_options(timeout=0.3).kv.get("k")
        self.assertLess(time.monotonic() - t0, 1.2)
        self.assertEqual((cm.exception.code, cm.exception.driver_code), ("timeout", "ETIMEDOUT"))

    def test_no_server_is_unavailable_after_the_retries(self) -> None:
        mx = Memex(f"http://127.0.0.1:{free_port()}", retries=2)
        self.addCleanup(mx.close)
        t0 = time.monotonic()
        with self.assertRaises(UnavailableError) as cm:
            mx.kv.get("k")
        self.assertLess(time.monotonic() - t0, 3)
        self.assertEqual((cm.exception.code, cm.exception.driver_code), ("unavailable", "ECONNREFUSED"))
        self.assertIsInstance(cm.exception, StorageError)  # as the TypeScript client reports it
        with self.assertRaises(UnavailableError):  # nothing was sent: even a "never" op may be retried, then fails
            mx.locks.acquire("x")

    def test_requests_reuse_one_keep_alive_connection(self) -> None:
        srv, mx = self.scripted([OK(1)] * 5)
        ports = set()
        orig = srv.httpd.RequestHandlerClass.do_POST  # type: ignore[attr-defined]

        def spy(handler: Any) -> None:
            ports.add(handler.client_address[1])
            orig(handler)

        srv.httpd.RequestHandlerClass.do_POST = spy  # type: ignore[attr-defined]
        for _ in range(5):
            mx.kv.get("k")
        self.assertEqual(len(ports), 1)


class RealServerTests(unittest.TestCase):
    """Against `memex serve --tokens` (write-lock timeout 300 ms): the retry table, token
    errors, and a keyed write resent after a 503 applied once."""

    server: ClassVar[MemexServer]
    admin: ClassVar[str] = "admin-" + os.urandom(12).hex()
    reader: ClassVar[str] = "reader-" + os.urandom(12).hex()

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = MemexServer("sqlite")
        tokens = os.path.join(cls.server.tmp, "tokens.json")
        with open(tokens, "w") as f:
            json.dump(
                [
                    {"token": cls.admin, "namespaces": ["*"], "access": "admin", "name": "ops"},
                    {"token": cls.reader, "namespaces": ["acme/*"], "access": "read", "name": "acme"},
                ],
                f,
            )
        config = os.path.join(cls.server.tmp, "memex.config.json")
        with open(config, "w") as f:
            json.dump({"lockTimeoutMs": 300}, f)
        cls.server.extra_args = ["--tokens", tokens, "--config", config]
        cls.server.token = cls.admin
        try:
            cls.server.start()
        except BaseException:
            cls.server.cleanup()
            raise

    @classmethod
    def tearDownClass(cls) -> None:
        cls.server.cleanup()

    def test_retry_classes_match_the_servers_openapi(self) -> None:
        with Memex(self.server.url, token=self.admin) as mx:
            doc = mx.openapi()
        published = {
            path[len("/v1/"):]: op["x-memex-retry"]
            for path, item in doc["paths"].items()
            for method, op in item.items()
            if method == "post" and path.startswith("/v1/")
        }
        self.assertEqual(published, RETRY_CLASS)

    def client(self, token: Optional[str]) -> Memex:
        mx = Memex(self.server.url, token=token)
        self.addCleanup(mx.close)
        return mx

    def test_tokens(self) -> None:
        ns = "acme/" + unique_ns("tok").replace("/", "-")
        with self.assertRaises(UnauthorizedError) as cm:
            self.client(None).scope(ns).kv.get("k")
        self.assertEqual((cm.exception.status, cm.exception.code), (401, "unauthorized"))
        with self.assertRaises(UnauthorizedError):
            self.client("wrong-token-0123456789").scope(ns).kv.get("k")
        admin = self.client(self.admin)
        admin.scope(ns).kv.set("k", 1)
        reader = self.client(self.reader)
        self.assertEqual(reader.scope(ns).kv.get("k"), 1)
        with self.assertRaises(ForbiddenError) as cm2:
            reader.scope(ns).kv.set("k", 2)
        self.assertEqual((cm2.exception.status, cm2.exception.code), (403, "forbidden"))
        with self.assertRaises(ForbiddenError):
            reader.scope("other").kv.get("k")
        with self.assertRaises(ForbiddenError):
            reader.health()
        self.assertIn("checks", admin.health())  # admin may (not ok after the lock-timeout test: lockTimeouts)

    def test_keyed_write_resent_after_a_lock_timeout_is_applied_once(self) -> None:
        admin = self.client(self.admin).scope(unique_ns("busy"))
        admin.kv.set("n", 0)
        db = sqlite3.connect(self.server.path, timeout=5, isolation_level=None, check_same_thread=False)
        self.addCleanup(db.close)
        self.addCleanup(lambda: db.in_transaction and db.execute("ROLLBACK"))
        db.execute("BEGIN IMMEDIATE")  # another writer holds SQLite's write lock for 0.6 s
        timer = threading.Timer(0.6, lambda: db.execute("ROLLBACK"))
        timer.start()
        self.addCleanup(timer.cancel)
        t0 = time.monotonic()
        r = admin.kv.patch("n", [{"op": "increment"}])  # 503 lock_timeout first, then resent
        self.assertGreater(time.monotonic() - t0, 0.3)
        self.assertEqual(r.value, 1)
        timer.join()
        self.assertEqual(admin.kv.get("n"), 1)
        with self.assertRaises(LockTimeoutError):  # without retries the 503 reaches the caller
            db.execute("BEGIN IMMEDIATE")
            try:
                self.client(self.admin).with_options(retries=0).scope(admin.namespace or "").kv.set("n", 5)
            finally:
                db.execute("ROLLBACK")
        self.assertEqual(admin.kv.get("n"), 1)


if __name__ == "__main__":
    unittest.main()
