"""events: the change feed (``since``) and its live stream over Server-Sent Events (``watch``)."""

from __future__ import annotations

import http.client
import json
import queue
import socket
import threading
import urllib.parse
from typing import Any, Dict, Iterator, List, Optional

from . import _codec
from ._base import ClosesOnExit, Ctx, Store, opts
from .errors import MemexError, error_from_problem
from .models import Event, from_wire

_END = object()


class EventStream(ClosesOnExit):
    """A live stream of a namespace's events, oldest first, each delivered once.

    Reads ``GET /v1/events/watch`` on a background thread; when the connection drops (a
    restarted server, a network blip, no heartbeat for ``read_timeout`` seconds) it reconnects
    with ``Last-Event-ID`` = the last event received, so nothing is lost or repeated.
    Iterate it, or call :meth:`next` with a timeout; close it (or use ``with``) to stop.

    Example::

        with mx.scope("acme").events.watch(from_seq=0, store="kv") as stream:
            for ev in stream:
                print(ev.seq, ev.op, ev.key)
    """

    def __init__(
        self,
        ctx: Ctx,
        *,
        from_seq: Optional[int],
        store: Optional[str],
        read_timeout: float = 45.0,
        max_reconnect_delay: float = 1.0,
        buffer: int = 10_000,
    ) -> None:
        self._ctx = ctx
        self._store_filter = store
        self._read_timeout = read_timeout
        self._max_delay = max_reconnect_delay
        self._q: "queue.Queue[Any]" = queue.Queue(maxsize=buffer)
        self._stop = threading.Event()
        self._sock_lock = threading.Lock()
        self._sock: Optional[socket.socket] = None
        self.connected = threading.Event()
        """Set while the stream is connected (cleared while reconnecting)."""
        self.reconnects = 0
        """How many times the stream reconnected."""
        self.last_error: Optional[BaseException] = None
        if from_seq is None:
            # Start from the store's current position so that a drop before the first event
            # still resumes from a known point.
            from_seq = int(ctx.call("events/lastSeq"))
        self.last_seq: int = from_seq
        """The seq of the last event received (the resume point)."""
        self._thread = threading.Thread(target=self._run, name="memex-events-watch", daemon=True)
        self._thread.start()

    # -- consuming ------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Event]:
        return self

    def __next__(self) -> Event:
        item = self._q.get()
        return self._unwrap(item)

    def next(self, timeout: Optional[float] = None) -> Optional[Event]:
        """The next event, or ``None`` if none arrives within ``timeout`` seconds.
        Raises :class:`StopIteration` once the stream is closed and drained."""
        try:
            item = self._q.get(timeout=timeout)
        except queue.Empty:
            return None
        return self._unwrap(item)

    def _unwrap(self, item: Any) -> Event:
        if item is _END:
            self._q.put(_END)  # stay ended for later calls
            raise StopIteration
        if isinstance(item, BaseException):
            self._q.put(_END)
            raise item
        assert isinstance(item, Event)
        return item

    def close(self) -> None:
        """Stops the stream (pending events are dropped)."""
        self._stop.set()
        with self._sock_lock:
            if self._sock is not None:
                try:
                    self._sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self._thread.join(timeout=5)
        # Unblock a consumer waiting in __next__.
        while True:
            try:
                self._q.get_nowait()
            except queue.Empty:
                break
        self._q.put(_END)

    # -- the reader thread ----------------------------------------------------------------------

    def _put(self, item: Any) -> bool:
        while not self._stop.is_set():
            try:
                self._q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        failures = 0
        first = True
        while not self._stop.is_set():
            try:
                self._read_once(first)
                failures = 0
            except MemexError as e:
                if e.status is not None and 400 <= e.status < 500 and e.status != 429:
                    self._put(e)  # refused (bad ns, token): reconnecting will not help
                    return
                self.last_error = e
                failures += 1
            except (OSError, ValueError, http.client.HTTPException) as e:
                self.last_error = e
                failures += 1
            finally:
                self.connected.clear()
                with self._sock_lock:
                    self._sock = None
            first = False
            if self._stop.is_set():
                break
            self.reconnects += 1
            delay = min(self._max_delay, 0.05 * (2 ** min(failures, 6))) if failures else 0.05
            self._stop.wait(delay)
        self._put(_END)

    def _read_once(self, first: bool) -> None:
        t = self._ctx.transport
        query: Dict[str, str] = {}
        if self._ctx.ns is not None:
            query["ns"] = self._ctx.ns
        headers = t.headers({"accept": "text/event-stream"})
        # Resume after the last event received (the first time too: from_seq or lastSeq).
        headers["last-event-id"] = str(self.last_seq)
        path = t.prefix + "/v1/events/watch" + ("?" + urllib.parse.urlencode(query) if query else "")
        conn = t.new_connection(timeout=min(self._ctx.timeout, 10.0))
        try:
            conn.connect()
            with self._sock_lock:
                if self._stop.is_set():
                    return
                self._sock = conn.sock
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            if resp.status != 200:
                data = resp.read()
                try:
                    problem = _codec.loads(data)
                except ValueError:
                    problem = None
                if isinstance(problem, dict) and isinstance(problem.get("code"), str):
                    raise error_from_problem(problem, resp.status)
                raise MemexError(f"events/watch: HTTP {resp.status}", code=f"http_{resp.status}", status=resp.status)
            if conn.sock is not None:
                conn.sock.settimeout(self._read_timeout)
            self.connected.set()
            ev_id: Optional[str] = None
            data_lines: List[str] = []
            while not self._stop.is_set():
                raw = resp.readline()
                if not raw:
                    return  # the server ended the stream
                line = raw.decode("utf-8").rstrip("\r\n")
                if line == "":
                    if data_lines:
                        self._dispatch(ev_id, "\n".join(data_lines))
                    ev_id, data_lines = None, []
                    continue
                if line.startswith(":"):
                    continue  # a comment: the greeting or a keep-alive
                name, _, value = line.partition(":")
                if value.startswith(" "):
                    value = value[1:]
                if name == "id":
                    ev_id = value
                elif name == "data":
                    data_lines.append(value)
        finally:
            conn.close()

    def _dispatch(self, ev_id: Optional[str], data: str) -> None:
        payload = _codec.decode(json.loads(data))
        if not isinstance(payload, dict):
            return
        ev = from_wire(Event, payload)
        if ev.seq <= self.last_seq:
            return  # already delivered (a resend after a reconnect)
        self.last_seq = ev.seq
        if self._store_filter is not None and ev.store != self._store_filter:
            return
        self._put(ev)


class EventStore(Store):
    """The namespace's change feed: every write appends an event in its own transaction.

    Example::

        events = mx.scope("acme").events
        for ev in events.since(0, store="kv"):
            print(ev.seq, ev.key, ev.op)
        with events.watch() as stream:        # live, from now
            ev = stream.next(timeout=5)
    """

    __slots__ = ()

    def since(self, seq: int = 0, *, limit: Optional[int] = None, store: Optional[str] = None) -> List[Event]:
        """Events after ``seq``, oldest first (commit order); ``limit`` up to 10,000."""
        args: Dict[str, Any] = {"seq": seq}
        o = opts(limit=limit, store=store)
        if o:
            args["options"] = o
        return [from_wire(Event, e) for e in self._ctx.call("events/since", args)]

    def last_seq(self) -> int:
        """The newest seq of the whole store: a starting point for :meth:`since` / :meth:`watch`."""
        return int(self._ctx.call("events/lastSeq"))

    def watch(
        self,
        *,
        from_seq: Optional[int] = None,
        store: Optional[str] = None,
        read_timeout: float = 45.0,
    ) -> EventStream:
        """A live :class:`EventStream` of events after ``from_seq`` (default: from now), optionally
        only those of one ``store``; it reconnects and resumes by itself after a dropped connection."""
        return EventStream(self._ctx, from_seq=from_seq, store=store, read_timeout=read_timeout)
