"""HTTP transport: keep-alive connections (one per thread), timeouts, retries by retry class."""

from __future__ import annotations

import errno
import http.client
import os
import random
import select
import socket
import ssl
import threading
import time
import urllib.parse
import uuid
import weakref
from typing import Any, Dict, Mapping, Optional, Tuple, Union

from . import _codec
from .errors import (
    ClosedError,
    MemexError,
    MemexTimeoutError,
    UnavailableError,
    error_from_problem,
)


class _Missing:
    """The answer had no ``result`` (a key that is absent): distinct from a stored ``null``."""

    _instance: Optional["_Missing"] = None

    def __new__(cls) -> "_Missing":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()

# x-memex-retry of every POST operation, as /openapi.json publishes it (a test checks they agree):
# safe = a read, resend freely; keyed = a write, resend only with the same Idempotency-Key;
# never = a step of a protocol, report the failure instead of resending.
RETRY_CLASS: Dict[str, str] = {
    "kv/get": "safe",
    "kv/getEntry": "safe",
    "kv/has": "safe",
    "kv/set": "keyed",
    "kv/delete": "keyed",
    "kv/getMany": "safe",
    "kv/getEntries": "safe",
    "kv/setMany": "keyed",
    "kv/patch": "keyed",
    "kv/patchBatch": "keyed",
    "kv/commit": "keyed",
    "kv/list": "safe",
    "kv/clear": "keyed",
    "conversations/append": "keyed",
    "conversations/recent": "safe",
    "conversations/page": "safe",
    "conversations/get": "safe",
    "conversations/list": "safe",
    "conversations/listPage": "safe",
    "conversations/delete": "keyed",
    "cache/get": "safe",
    "cache/set": "keyed",
    "cache/delete": "keyed",
    "cache/clear": "keyed",
    "cache/stats": "safe",
    "cache/flush": "safe",
    "cache/claim": "never",
    "cache/fulfil": "never",
    "cache/fail": "never",
    "vectors/upsert": "keyed",
    "vectors/get": "safe",
    "vectors/delete": "keyed",
    "vectors/count": "safe",
    "vectors/deleteWhere": "keyed",
    "vectors/search": "safe",
    "vectors/waitForIndex": "safe",
    "profiles/get": "safe",
    "profiles/getEntry": "safe",
    "profiles/set": "keyed",
    "profiles/delete": "keyed",
    "profiles/list": "safe",
    "sites/profile": "safe",
    "sites/list": "safe",
    "sites/recordVisit": "keyed",
    "sites/cacheSelector": "keyed",
    "sites/selector": "safe",
    "sites/reportSelector": "never",
    "sites/recordQuirk": "keyed",
    "sites/quirks": "safe",
    "sites/cacheActionPattern": "keyed",
    "sites/actionPattern": "safe",
    "sites/contextForPrompt": "safe",
    "locks/acquire": "never",
    "locks/renew": "safe",
    "locks/release": "safe",
    "locks/inspect": "safe",
    "events/since": "safe",
    "events/lastSeq": "safe",
    "memories/add": "keyed",
    "memories/ingest": "keyed",
    "memories/search": "safe",
    "memories/get": "safe",
    "memories/list": "safe",
    "memories/update": "keyed",
    "memories/invalidate": "keyed",
    "memories/delete": "keyed",
    "memories/history": "safe",
    "blocks/get": "safe",
    "blocks/set": "keyed",
    "blocks/append": "keyed",
    "blocks/replace": "keyed",
    "blocks/list": "safe",
    "blocks/delete": "keyed",
    "memex/remember": "keyed",
    "memex/recall": "safe",
    "memex/info": "safe",
    "memex/stats": "safe",
    "memex/namespaces": "safe",
    "memex/health": "safe",
    "memex/sweep": "keyed",
    "memex/backup": "never",
}

_Conn = Union[http.client.HTTPConnection, http.client.HTTPSConnection]

class _NotSent(Exception):
    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _dropped(sock: Optional[socket.socket]) -> bool:
    """Whether an idle keep-alive socket was closed by the server (readable = EOF or junk)."""
    if sock is None:
        return True
    try:
        r, _, _ = select.select([sock], [], [], 0)
        return bool(r)
    except (OSError, ValueError):
        return True


def _driver_code(e: BaseException) -> str:
    """``ECONNREFUSED``, ``ECONNRESET``… for an OS error; the exception's name otherwise."""
    num = getattr(e, "errno", None)
    if isinstance(num, int) and num in errno.errorcode:
        return errno.errorcode[num]
    return type(e).__name__


class _Slot:
    """One thread's keep-alive connection; closed when the thread ends (its locals are dropped)."""

    __slots__ = ("conn", "pid", "last_used", "__weakref__")

    def __init__(self, conn: _Conn) -> None:
        self.conn = conn
        self.pid = os.getpid()
        self.last_used = time.monotonic()

    def close(self) -> None:
        try:
            self.conn.close()
        except OSError:
            pass

    def __del__(self) -> None:
        try:
            if self.pid == os.getpid():
                self.close()
        except Exception:  # interpreter shutdown
            pass


class Transport:
    """Shared by a client, its scopes and its views: the connection pool and the base URL."""

    def __init__(self, url: str, token: Optional[str], user_agent: str) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"url: expected http://host:port or https://…, got {url!r}")
        self.url = url.rstrip("/")
        self.scheme = parts.scheme
        self.host = parts.hostname
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.prefix = parts.path.rstrip("/")
        self.token = token
        self.user_agent = user_agent
        self._local = threading.local()
        self._lock = threading.Lock()
        self._slots: "weakref.WeakSet[_Slot]" = weakref.WeakSet()
        self._closed = False

    # -- connections -------------------------------------------------------------------------

    def new_connection(self, timeout: float) -> _Conn:
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=ssl.create_default_context())
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)

    def _pooled(self, timeout: float, max_idle: Optional[float] = None) -> _Conn:
        """This thread's connection, (re)connected. With ``max_idle``, a connection idle longer
        is replaced by a fresh one (for requests that must not be resent: no race with the
        server closing an idle keep-alive connection)."""
        if self._closed:
            raise ClosedError("the client is closed")
        slot: Optional[_Slot] = getattr(self._local, "slot", None)
        if slot is not None and slot.pid != os.getpid():
            slot = None  # inherited over fork: never share the parent's socket
        if slot is None:
            slot = _Slot(self.new_connection(timeout))
            self._local.slot = slot
            with self._lock:
                self._slots.add(slot)
        conn = slot.conn
        if conn.sock is not None and (
            _dropped(conn.sock) or (max_idle is not None and time.monotonic() - slot.last_used > max_idle)
        ):
            conn.close()
        slot.last_used = time.monotonic()
        conn.timeout = timeout
        if conn.sock is None:
            try:
                conn.connect()
            except socket.timeout:
                conn.close()
                raise
            except OSError as e:  # refused, unreachable, reset during the handshake: nothing sent
                conn.close()
                raise _NotSent(e) from e
        else:
            conn.sock.settimeout(timeout)
        return conn

    def _discard(self) -> None:
        slot: Optional[_Slot] = getattr(self._local, "slot", None)
        if slot is not None:
            slot.close()

    def close(self) -> None:
        self._closed = True
        with self._lock:
            slots = list(self._slots)
        for slot in slots:
            slot.close()

    def headers(self, extra: Optional[Mapping[str, str]] = None) -> Dict[str, str]:
        h = {"user-agent": self.user_agent, "accept": "application/json"}
        if self.token:
            h["authorization"] = f"Bearer {self.token}"
        if extra:
            h.update(extra)
        return h

    # -- one request ---------------------------------------------------------------------------

    def roundtrip(
        self,
        method: str,
        path: str,
        body: Optional[bytes],
        headers: Mapping[str, str],
        timeout: float,
        max_idle: Optional[float] = None,
    ) -> Tuple[int, http.client.HTTPMessage, bytes]:
        conn = self._pooled(timeout, max_idle)
        try:
            conn.request(method, self.prefix + path, body=body, headers=dict(headers))
            resp = conn.getresponse()
            data = resp.read()
        except BaseException:
            self._discard()
            raise
        if resp.will_close:
            self._discard()
        return resp.status, resp.msg, data

    # -- an operation with its retry policy ------------------------------------------------------

    def call(
        self,
        op: str,
        body: Mapping[str, Any],
        *,
        timeout: float,
        retries: int,
        extra_timeout: float = 0.0,
        idempotency_key: Optional[str] = None,
    ) -> Any:
        """POST /v1/<op>; returns the decoded ``result`` or :data:`MISSING`."""
        payload = _codec.dumps_body(body)
        retry = RETRY_CLASS.get(op, "never")
        extra: Dict[str, str] = {"content-type": "application/json"}
        if retry == "keyed" or idempotency_key is not None:
            # Generated once per call and reused on every resend: the server applies it once.
            extra["idempotency-key"] = idempotency_key or uuid.uuid4().hex
        headers = self.headers(extra)
        deadline = time.monotonic() + timeout + extra_timeout
        attempt = 0
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise MemexTimeoutError(
                    f"{op}: no answer within {timeout + extra_timeout:g} s", problem={"driverCode": "ETIMEDOUT"}
                )
            try:
                status, msg, data = self.roundtrip(
                    "POST", f"/v1/{op}", payload, headers, remaining, max_idle=1.0 if retry == "never" else None
                )
            except _NotSent as e:
                # Nothing left this machine: any operation may be sent again.
                if attempt >= retries:
                    raise UnavailableError(
                        f"{op}: cannot connect to {self.url}: {e.cause}", problem={"driverCode": _driver_code(e.cause)}
                    ) from e.cause
                attempt += 1
                self._sleep(attempt, None, deadline)
                continue
            except socket.timeout as e:
                raise MemexTimeoutError(
                    f"{op}: no answer within {timeout + extra_timeout:g} s", problem={"driverCode": "ETIMEDOUT"}
                ) from e
            except (OSError, http.client.HTTPException) as e:
                # Sent, but the connection failed before the answer: resend only what may be resent.
                if retry == "never" or attempt >= retries:
                    raise UnavailableError(
                        f"{op}: connection to {self.url} failed: {e!r}", problem={"driverCode": _driver_code(e)}
                    ) from e
                attempt += 1
                self._sleep(attempt, None, deadline)
                continue
            if status == 200:
                decoded = _codec.loads(data) if data else {}
                if isinstance(decoded, dict) and "result" in decoded:
                    return decoded["result"]
                return MISSING
            err = self.error(status, msg, data)
            if status == 503 and retry != "never" and attempt < retries:
                attempt += 1
                self._sleep(attempt, msg.get("retry-after"), deadline)
                continue
            raise err

    @staticmethod
    def _sleep(attempt: int, retry_after: Optional[str], deadline: float) -> None:
        delay = min(1.0, 0.05 * (2 ** (attempt - 1))) * (0.5 + random.random())
        if retry_after:
            try:
                delay = max(delay, min(float(retry_after), 5.0))
            except ValueError:
                pass
        delay = min(delay, max(0.0, deadline - time.monotonic() - 0.01))
        if delay > 0:
            time.sleep(delay)

    @staticmethod
    def error(status: int, msg: http.client.HTTPMessage, data: bytes) -> MemexError:
        problem: Any = None
        try:
            problem = _codec.loads(data) if data else None
        except ValueError:
            problem = None
        if isinstance(problem, dict) and isinstance(problem.get("code"), str):
            return error_from_problem(problem, status)
        text = data[:200].decode("utf-8", "replace")
        if status in (502, 503, 504):
            return UnavailableError(f"HTTP {status}: {text}", status=status)
        return MemexError(f"HTTP {status}: {text}", code=f"http_{status}", status=status)
