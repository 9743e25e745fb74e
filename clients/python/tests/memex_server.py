"""Test helper: runs `memex serve` (the repo's built CLI) on a free loopback port.

The repo root is found relative to this file (clients/python/tests -> repo root). A server
uses a temp SQLite file, or a fresh PostgreSQL schema (dropped by cleanup()) on MEMEX_PG_URL.
PostgreSQL tests skip when it is unreachable, unless MEMEX_REQUIRE_PG is set: then they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, List, Optional, Sequence

HERE = Path(__file__).resolve().parent
CLIENT_DIR = HERE.parent  # clients/python
ROOT = HERE.parents[2]  # the repo root
CLI = ROOT / "dist" / "cli" / "main.js"
if str(CLIENT_DIR) not in sys.path:
    sys.path.insert(0, str(CLIENT_DIR))

PG_URL = os.environ.get("MEMEX_PG_URL", "postgres://memex:memex@127.0.0.1:5432/memex")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_reachable() -> bool:
    u = urllib.parse.urlsplit(PG_URL)
    try:
        with socket.create_connection((u.hostname or "127.0.0.1", u.port or 5432), timeout=2):
            return True
    except OSError:
        return False


def require_pg() -> None:
    """Skips the calling test (class) without PostgreSQL, or fails if MEMEX_REQUIRE_PG is set."""
    if pg_reachable():
        return
    if os.environ.get("MEMEX_REQUIRE_PG"):
        raise AssertionError(f"MEMEX_REQUIRE_PG is set but PostgreSQL is unreachable at {PG_URL}")
    raise unittest.SkipTest(f"PostgreSQL unreachable at {PG_URL} (set MEMEX_REQUIRE_PG=1 to fail instead)")


def drop_schema(schema: str) -> None:
    """DROP SCHEMA … CASCADE through the repo's own `pg` driver (no Python driver needed)."""
    script = (
        "const {Client}=require('pg');const c=new Client({connectionString:process.argv[1]});"
        "c.connect().then(()=>c.query('DROP SCHEMA IF EXISTS '+JSON.stringify(process.argv[2])+' CASCADE'))"
        ".then(()=>c.end()).catch(e=>{console.error(e.message);process.exit(1)})"
    )
    subprocess.run(["node", "-e", script, PG_URL, schema], cwd=str(ROOT), check=True, timeout=30, capture_output=True)


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if this test process dies (no orphaned servers)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _ensure_built() -> None:
    if not CLI.exists():
        raise AssertionError(f"{CLI} is missing: run `npm run build` in {ROOT}")


class MemexServer:
    """One `memex serve` process. ``backend`` is ``"sqlite"`` or ``"postgres"``.

    start() / stop() may be called again (a restart on the same store and port);
    cleanup() stops it and removes its temp dir and PostgreSQL schema.
    """

    def __init__(self, backend: str = "sqlite", *, extra_args: Sequence[str] = (), token: Optional[str] = None) -> None:
        _ensure_built()
        self.schema: Optional[str] = None
        if backend == "postgres":
            require_pg()
            self.schema = f"mxpy_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        elif backend != "sqlite":
            raise ValueError(backend)
        self.backend = backend
        self.port = free_port()
        self.tmp = tempfile.mkdtemp(prefix="memex-py-")
        self.path = os.path.join(self.tmp, "memex.db")
        self.extra_args = list(extra_args)
        self.token = token  # for the readiness probe of a server started with --tokens
        self.proc: Optional[subprocess.Popen] = None  # type: ignore[type-arg]
        self.log_path = os.path.join(self.tmp, "serve.log")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def args(self) -> List[str]:
        # SQLite with durability normal: these tests prove the client, not fsync.
        store = ["--path", self.path, "--durability", "normal"] if self.schema is None else ["--url", PG_URL, "--schema", self.schema]
        return [
            "node", str(CLI), "serve", *store,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--log-level", "warn", "--drain-timeout-ms", "3000",
            *self.extra_args,
        ]  # fmt: skip

    def launch(self) -> None:
        """Starts the process without waiting for it (see wait_ready)."""
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.args(),
            cwd=self.tmp,
            stdout=log,
            stderr=log,
            stdin=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        log.close()

    def wait_ready(self, timeout: float = 30.0) -> "MemexServer":
        """Waits until POST /v1/memex/health answers."""
        assert self.proc is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"memex serve exited with {self.proc.returncode}:\n{self.log()}")
            try:
                headers = {"content-type": "application/json"}
                if self.token:
                    headers["authorization"] = f"Bearer {self.token}"
                req = urllib.request.Request(f"{self.url}/v1/memex/health", data=b"{}", headers=headers)
                with urllib.request.urlopen(req, timeout=2) as r:
                    json.load(r)
                    return self
            except (OSError, urllib.error.URLError, ValueError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"memex serve did not answer within {timeout} s:\n{self.log()}")
                time.sleep(0.05)

    def start(self, timeout: float = 30.0) -> "MemexServer":
        self.launch()
        return self.wait_ready(timeout)

    def log(self) -> str:
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        p, self.proc = self.proc, None
        if p is None or p.poll() is not None:
            return
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(timeout=15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait(timeout=5)

    def cleanup(self) -> None:
        self.stop()
        if self.schema is not None:
            drop_schema(self.schema)
        shutil.rmtree(self.tmp, ignore_errors=True)


def start_backends(*, extra_args: Sequence[str] = ()) -> Dict[str, MemexServer]:
    """A SQLite server and, when PostgreSQL is reachable (or MEMEX_REQUIRE_PG demands it), a
    PostgreSQL one, started in parallel: {"sqlite": …, "postgres": …}. For setUpModule."""
    servers: Dict[str, MemexServer] = {"sqlite": MemexServer("sqlite", extra_args=extra_args)}
    try:
        try:
            servers["postgres"] = MemexServer("postgres", extra_args=extra_args)
        except unittest.SkipTest:
            pass
        for srv in servers.values():
            srv.launch()
        for srv in servers.values():
            srv.wait_ready()
    except BaseException:
        cleanup_all(servers)
        raise
    return servers


def cleanup_all(servers: Dict[str, MemexServer]) -> None:
    for srv in servers.values():
        srv.cleanup()
    servers.clear()


SERVERS: Dict[str, MemexServer] = {}
"""The servers test_backends.py starts for its module (setUpModule) and stops (tearDownModule)."""


def server_for(backend: str) -> MemexServer:
    """The running server for ``backend``; skips the class when PostgreSQL was unavailable."""
    if backend not in SERVERS:
        require_pg()  # fails under MEMEX_REQUIRE_PG, else skips
        raise unittest.SkipTest(f"no {backend} server")
    return SERVERS[backend]


def unique_ns(prefix: str = "t") -> str:
    return f"{prefix}/{uuid.uuid4().hex[:12]}"
