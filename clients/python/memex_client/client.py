"""The synchronous client: :class:`Memex` and its namespaces, :class:`Scope`."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Union

from ._base import ClosesOnExit, Ctx, or_none
from ._transport import Transport
from .blocks import BlockStore
from .cache import CacheStore
from .conversations import ConversationStore
from .events import EventStore
from .kv import KvStore
from .locks import LockStore
from .memories import MemoryStore
from .models import Block, Fact, Hit, Message, Recall, from_wire
from .profiles import ProfileStore
from .sites import SiteStore
from .vectors import VectorStore

__version__ = "0.1.0"

Turn = Union[str, Dict[str, Any]]


class Scope:
    """The stores of one namespace (``mx.scope("acme/users/42")``), as in the TypeScript API.

    Namespaces are segments of ``[A-Za-z0-9._-]`` joined by ``/`` (at most 8 deep); ``None``
    is the server's ``default``. Scopes are cheap and share their client's connections.

    Example::

        user = mx.scope("acme/users/42")
        user.kv.set("cart", ["apple"])
        user.conversations.append("t1", "user", "hi")
        user.remember(user_id="u42", thread_id="t1", message="I like hiking", response="Noted!")
        context = user.recall(user_id="u42", thread_id="t1", query="hobbies")
    """

    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx
        self.kv = KvStore(ctx)
        self.conversations = ConversationStore(ctx)
        self.cache = CacheStore(ctx)
        self.vectors = VectorStore(ctx)
        self.profiles = ProfileStore(ctx)
        self.sites = SiteStore(ctx)
        self.locks = LockStore(ctx)
        self.events = EventStore(ctx)
        self.memories = MemoryStore(ctx)
        self.blocks = BlockStore(ctx)

    @property
    def namespace(self) -> Optional[str]:
        """This scope's namespace (``None`` = ``default``)."""
        return self._ctx.ns

    def remember(self, *, user_id: str, thread_id: str, message: Turn, response: Turn) -> Dict[str, int]:
        """Appends both turns to the thread, indexes them in semantic memory and bumps the user's
        profile counters, in one transaction; ``{"message_seq", "response_seq"}``."""
        r = self._ctx.call(
            "memex/remember",
            {"input": {"userId": user_id, "threadId": thread_id, "message": message, "response": response}},
        )
        return {"message_seq": int(r["messageSeq"]), "response_seq": int(r["responseSeq"])}

    def recall(
        self,
        *,
        user_id: str,
        thread_id: str,
        query: str,
        recent: Optional[int] = None,
        top_k: Optional[int] = None,
        facts: Optional[int] = None,
    ) -> Recall:
        """What an agent puts into its prompt: the profile, the thread's recent messages, the
        user's relevant earlier turns, the namespace's blocks and the believed facts."""
        inp: Dict[str, Any] = {"userId": user_id, "threadId": thread_id, "query": query}
        for k, v in (("recent", recent), ("topK", top_k), ("facts", facts)):
            if v is not None:
                inp[k] = v
        r = self._ctx.call("memex/recall", {"input": inp})
        return Recall(
            profile=r.get("profile"),
            recent=[from_wire(Message, m) for m in r.get("recent", [])],
            relevant=[from_wire(Hit, h) for h in r.get("relevant", [])],
            blocks=[from_wire(Block, b) for b in r.get("blocks", [])],
            facts=[from_wire(Fact, f) for f in r.get("facts", [])],
        )

    def call(self, op: str, args: Optional[Dict[str, Any]] = None, *, idempotency_key: Optional[str] = None) -> Any:
        """A raw operation ``POST /v1/<op>`` in this namespace (``op`` like ``"kv/get"``), with the
        op's retry class; returns ``result`` (``None`` when the answer has none)."""
        return or_none(self._ctx.call(op, args, idempotency_key=idempotency_key))


class Memex(Scope, ClosesOnExit):
    """A client of a ``memex serve`` server; itself the scope of ``namespace``.

    ``timeout`` (seconds) bounds each call (a lock or cache wait gets its own time on top);
    ``retries`` is how often a call is resent as its retry class allows (``x-memex-retry``):
    ``safe`` reads after a connection error or a 503, ``keyed`` writes likewise with the same
    ``Idempotency-Key`` (so the server applies them once), ``never`` not at all. Connections are
    kept alive, one per thread; the client is thread-safe.

    Example::

        from memex_client import Memex, ConflictError
        with Memex("http://127.0.0.1:7077", token=None) as mx:
            user = mx.scope("acme/users/42")
            user.kv.update("visits", lambda n: (n or 0) + 1)
            print(mx.health()["ok"])
    """

    def __init__(
        self,
        url: str,
        token: Optional[str] = None,
        namespace: Optional[str] = None,
        timeout: float = 30.0,
        retries: int = 3,
        *,
        _transport: Optional[Transport] = None,
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout: must be positive (seconds)")
        if retries < 0:
            raise ValueError("retries: must be 0 or more")
        transport = _transport or Transport(url, token, f"memex-client-python/{__version__}")
        super().__init__(Ctx(transport, namespace, float(timeout), int(retries)))
        self.url = transport.url

    # -- views ------------------------------------------------------------------------------------

    def scope(self, namespace: str) -> Scope:
        """The stores of ``namespace`` (absolute, e.g. ``"acme/users/42"``)."""
        return Scope(self._ctx.with_ns(namespace))

    def with_options(self, *, timeout: Optional[float] = None, retries: Optional[int] = None) -> "Memex":
        """A view of this client (same connections and namespace) with another timeout or retry count."""
        ctx = self._ctx.with_settings(timeout, retries)
        return Memex(self.url, None, ctx.ns, ctx.timeout, ctx.retries, _transport=ctx.transport)

    # -- whole-store operations ------------------------------------------------------------------------

    def _whole(self, op: str, args: Optional[Dict[str, Any]] = None) -> Any:
        return self._ctx.call(op, args, scoped=False)

    def info(self) -> Dict[str, Any]:
        """``{"capabilities", "version", "settings"}`` of the server and its store."""
        return dict(self._whole("memex/info"))

    def stats(self) -> Dict[str, Any]:
        """The server's counters and every store's records (needs an admin token)."""
        return dict(self._whole("memex/stats"))

    def health(self) -> Dict[str, Any]:
        """``{"ok", "checks": [{name, ok, detail, value?}]}`` (needs an admin token)."""
        return dict(self._whole("memex/health"))

    def namespaces(self) -> List[Dict[str, Any]]:
        """Every namespace holding records (that the token may read), with its record counts."""
        return [dict(n) for n in self._whole("memex/namespaces")]

    def sweep(self) -> Dict[str, int]:
        """Physically removes what has expired; ``{"purged", "threads"}`` (admin)."""
        return dict(self._whole("memex/sweep"))

    def backup(self, path: str) -> None:
        """A consistent copy of the store to ``path`` on the server's machine (SQLite; admin)."""
        self._whole("memex/backup", {"path": path})

    def openapi(self) -> Dict[str, Any]:
        """The server's OpenAPI document (``GET /openapi.json``)."""
        t = self._ctx.transport
        status, msg, data = t.roundtrip("GET", "/openapi.json", None, t.headers(), self._ctx.timeout)
        if status != 200:
            raise t.error(status, msg, data)
        doc = json.loads(data.decode("utf-8"))
        return doc if isinstance(doc, dict) else {}

    def close(self) -> None:
        """Closes the client's connections (views and scopes share them)."""
        self._ctx.transport.close()

