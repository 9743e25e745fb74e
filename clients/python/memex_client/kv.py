"""kv: session state with compare-and-set, atomic updates, patches and transactions."""

from __future__ import annotations

import copy
import random
import time
from typing import (
    Any,
    Callable,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    TypeVar,
    Union,
)

from ._base import MISSING, Store, opts
from .errors import ConflictError, ValidationError
from .models import Entry, Page, PatchResult, from_wire

T = TypeVar("T")


class _Delete:
    """Returned by an ``update`` function (or passed to ``tx.set``) to delete the key."""

    _instance: Optional["_Delete"] = None

    def __new__(cls) -> "_Delete":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "DELETE"


DELETE = _Delete()
"""Return this from an ``update`` function to delete the key (``None`` stores JSON ``null``)."""

SetManyItem = Union[Mapping[str, Any], Tuple[str, Any]]


def _entry(v: Any) -> Optional[Entry]:
    if v is None or v is MISSING:
        return None
    return from_wire(Entry, v)


def _backoff(attempt: int) -> None:
    """Jittered exponential backoff between compare-and-set attempts (at most ~50 ms)."""
    time.sleep(random.uniform(0, min(0.05, 0.0005 * (2 ** min(attempt, 10)))))


class Transaction:
    """The ``tx`` a :meth:`KvStore.transaction` function receives.

    Reads go to the server (and are remembered with their versions); writes are buffered and
    committed at the end with ``kv/commit``, which checks that every key read is still at the
    version read — so the whole function takes effect at one instant or is run again.
    The function may therefore run several times: it must have no other side effects.

    Example::

        def move(tx):
            a = tx.get("alice", 0)
            if a < 10:
                raise ValueError("insufficient funds")   # nothing is written
            tx.set("alice", a - 10)
            tx.update("bob", lambda b: (b or 0) + 10)
        mx.kv.transaction(move)
    """

    def __init__(self, kv: "KvStore") -> None:
        self._kv = kv
        self._read: Dict[str, Optional[Entry]] = {}
        self._writes: Dict[str, Tuple[Any, Optional[int]]] = {}
        self._fetches = 0

    def _fetch(self, keys: Sequence[str]) -> None:
        missing = [k for k in dict.fromkeys(keys) if k not in self._read and k not in self._writes]
        if missing:
            self._fetches += 1
            for k, e in zip(missing, self._kv.get_entries(missing)):
                self._read[k] = e

    def _current(self, key: str) -> Tuple[bool, Any]:
        if key in self._writes:
            value = self._writes[key][0]
            return (False, None) if value is DELETE else (True, value)
        self._fetch([key])
        e = self._read[key]
        return (False, None) if e is None else (True, e.value)

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key`` as this transaction sees it, or ``default``."""
        found, value = self._current(key)
        return value if found else default

    def get_many(self, keys: Sequence[str]) -> List[Any]:
        """Values of several keys (``None`` where absent), fetched in one snapshot."""
        self._fetch(keys)
        return [self.get(k) for k in keys]

    def get_entry(self, key: str) -> Optional[Entry]:
        """The record as read from the store (``None`` if absent); buffered writes are not reflected."""
        self._fetch([key])
        return self._read.get(key)

    def has(self, key: str) -> bool:
        return self._current(key)[0]

    def set(self, key: str, value: Any, *, ttl_ms: Optional[int] = None) -> None:
        """Buffers a write (applied at commit); ``ttl_ms`` omitted keeps the current expiry."""
        self._writes[key] = (value, ttl_ms)

    def delete(self, key: str) -> bool:
        """Buffers a delete; ``True`` if the key existed."""
        found = self._current(key)[0]
        self._writes[key] = (DELETE, None)
        return found

    def update(self, key: str, fn: Callable[[Any], Any], *, default: Any = None, ttl_ms: Optional[int] = None) -> Any:
        """``fn(current or default)`` becomes the new value (:data:`DELETE` deletes); returns it."""
        found, value = self._current(key)
        new = fn(value if found else copy.deepcopy(default))
        self._writes[key] = (new, ttl_ms)
        return None if new is DELETE else new

    # -- commit --------------------------------------------------------------------------------

    def _checks(self) -> List[Dict[str, Any]]:
        return [{"key": k, "version": e.version if e else 0} for k, e in self._read.items()]

    def _wire_writes(self) -> List[Dict[str, Any]]:
        out: List[Dict[str, Any]] = []
        for k, (value, ttl) in self._writes.items():
            if value is DELETE:
                out.append({"key": k, "delete": True})
            elif ttl is not None:
                out.append({"key": k, "value": value, "ttlMs": ttl})
            else:
                out.append({"key": k, "value": value, "keepTtl": True})
        return out

    def _still_valid(self) -> bool:
        """Whether every key read is still at the version read (one snapshot)."""
        if not self._read:
            return True
        keys = list(self._read)
        now = self._kv.get_entries(keys)
        return all((a.version if a else 0) == (b.version if b else 0) for a, b in zip(now, (self._read[k] for k in keys)))


class KvStore(Store):
    """Key-value records with versions, TTLs, compare-and-set, patches and transactions.

    Example::

        mx = Memex("http://127.0.0.1:7077")
        user = mx.scope("acme/users/42")
        user.kv.set("profile", {"name": "Ada"}, ttl_ms=86_400_000)
        visits = user.kv.update("visits", lambda n: (n or 0) + 1)      # atomic across processes
        e = user.kv.get_entry("cart")
        user.kv.set("cart", ["book"], if_version=e.version if e else 0)  # ConflictError if changed
        user.kv.patch("stats", [{"op": "increment", "path": "/visits"}])
    """

    __slots__ = ()

    def get(self, key: str, default: Any = None) -> Any:
        """The value, or ``default`` when the key is absent or expired."""
        v = self._ctx.call("kv/get", {"key": key})
        return default if v is MISSING else v

    def get_entry(self, key: str) -> Optional[Entry]:
        """The record with its version and times, or ``None``."""
        return _entry(self._ctx.call("kv/getEntry", {"key": key}))

    def has(self, key: str) -> bool:
        return bool(self._ctx.call("kv/has", {"key": key}))

    def set(self, key: str, value: Any, *, ttl_ms: Optional[int] = None, if_version: Optional[int] = None) -> int:
        """Writes ``value``; returns its version. ``if_version`` is compare-and-set (0 = only if
        absent): on mismatch :class:`ConflictError`, nothing written."""
        args: Dict[str, Any] = {"key": key, "value": value}
        o = opts(ttlMs=ttl_ms, ifVersion=if_version)
        if o:
            args["options"] = o
        return int(self._ctx.call("kv/set", args)["version"])

    def delete(self, key: str, *, if_version: Optional[int] = None) -> bool:
        """Removes the key; ``True`` if it existed."""
        args: Dict[str, Any] = {"key": key}
        o = opts(ifVersion=if_version)
        if o:
            args["options"] = o
        return bool(self._ctx.call("kv/delete", args))

    def get_many(self, keys: Sequence[str]) -> List[Any]:
        """Values aligned with ``keys`` (``None`` where absent), from one consistent snapshot."""
        return list(self._ctx.call("kv/getMany", {"keys": list(keys)}))

    def get_entries(self, keys: Sequence[str]) -> List[Optional[Entry]]:
        """Records aligned with ``keys`` (``None`` where absent), from one consistent snapshot."""
        return [_entry(v) for v in self._ctx.call("kv/getEntries", {"keys": list(keys)})]

    def set_many(self, entries: Iterable[SetManyItem]) -> List[int]:
        """Writes every entry or none. Each is ``(key, value)`` or a mapping with ``key``,
        ``value`` and optionally ``ttl_ms`` / ``if_version``. Returns the versions."""
        wire: List[Dict[str, Any]] = []
        for i, item in enumerate(entries):
            if isinstance(item, tuple):
                if len(item) != 2:
                    raise ValidationError(f"entries[{i}]: expected (key, value)", field=f"entries[{i}]", reason="expected (key, value)")
                wire.append({"key": item[0], "value": item[1]})
                continue
            e: Dict[str, Any] = {"key": item["key"], "value": item["value"]}
            ttl = item.get("ttl_ms", item.get("ttlMs"))
            ver = item.get("if_version", item.get("ifVersion"))
            if ttl is not None:
                e["ttlMs"] = ttl
            if ver is not None:
                e["ifVersion"] = ver
            wire.append(e)
        return [int(v) for v in self._ctx.call("kv/setMany", {"entries": wire})["versions"]]

    def patch(
        self,
        key: str,
        ops: Sequence[Mapping[str, Any]],
        *,
        if_version: Optional[int] = None,
        ttl_ms: Optional[int] = None,
    ) -> PatchResult:
        """An atomic read-modify-write described as data, applied by the server in one request.

        ``ops`` (1..100, in order): ``{"op": "increment", "path"?, "by"?}``, ``{"op": "merge",
        "path"?, "value"}``, ``{"op": "append", "path"?, "value", "max"?}``, ``{"op":
        "setIfAbsent", "path"?, "value"}``, ``{"op": "set", "path"?, "value"}``, ``{"op":
        "remove", "path"?}``; ``path`` is a JSON Pointer (``""`` = the whole value).
        """
        args: Dict[str, Any] = {"key": key, "ops": [dict(o) for o in ops]}
        o = opts(ifVersion=if_version, ttlMs=ttl_ms)
        if o:
            args["options"] = o
        r = self._ctx.call("kv/patch", args)
        return PatchResult(value=r.get("value"), version=int(r["version"]))

    def commit(self, checks: Sequence[Mapping[str, Any]], writes: Sequence[Mapping[str, Any]]) -> List[int]:
        """The conditional batch ``update`` and ``transaction`` use (``POST /v1/kv/commit``):
        every check ``{"key", "version"}`` (0 = absent) must hold, then every write ``{"key",
        "value" | "delete": True, "ttlMs"?, "keepTtl"?}`` applies, atomically; else
        :class:`ConflictError` (its ``entries`` are the current records of the checked keys)."""
        r = self._ctx.call("kv/commit", {"checks": [dict(c) for c in checks], "writes": [dict(w) for w in writes]})
        return [int(v) for v in r["versions"]]

    def update(
        self,
        key: str,
        fn: Callable[[Any], Any],
        *,
        default: Any = None,
        ttl_ms: Optional[int] = None,
        max_attempts: int = 100,
    ) -> Any:
        """Atomic read-modify-write: ``fn(current)`` (``default`` when absent) becomes the new value.

        Reads the record, computes ``fn`` here, and commits only if the key is still at the version
        read; on a conflict it runs ``fn`` again on the newer record (jittered backoff), at most
        ``max_attempts`` times, then raises :class:`ConflictError`. ``fn`` must be pure: it may run
        several times. Returning :data:`DELETE` deletes the key; ``ttl_ms`` omitted keeps the
        current expiry. Returns the new value.
        """
        e = self.get_entries([key])[0]
        attempt = 0
        while True:
            current = e.value if e is not None else copy.deepcopy(default)
            new = fn(current)
            write: Dict[str, Any]
            if new is DELETE:
                write = {"key": key, "delete": True}
            elif ttl_ms is not None:
                write = {"key": key, "value": new, "ttlMs": ttl_ms}
            else:
                write = {"key": key, "value": new, "keepTtl": True}
            try:
                self.commit([{"key": key, "version": e.version if e is not None else 0}], [write])
                return None if new is DELETE else new
            except ConflictError as err:
                attempt += 1
                if attempt >= max_attempts:
                    raise
                entries = err.entries
                e = _entry(entries[0]) if entries else self.get_entries([key])[0]
                _backoff(attempt)

    def transaction(
        self,
        fn: Callable[[Transaction], T],
        *,
        keys: Optional[Sequence[str]] = None,
        max_attempts: int = 100,
    ) -> T:
        """Runs ``fn(tx)`` atomically over several keys (serializable); returns its result.

        ``tx`` has ``get``, ``get_many``, ``get_entry``, ``has``, ``set``, ``delete``, ``update``.
        ``keys`` are read up front in one snapshot (optional). The writes commit with a check
        of every key read; if one changed, ``fn`` runs again (at most ``max_attempts`` times, then
        :class:`ConflictError`). An exception from ``fn`` writes nothing and propagates — unless
        what ``fn`` read had meanwhile changed (then it saw an inconsistent state and is rerun).
        """
        attempt = 0
        while True:
            tx = Transaction(self)
            if keys:
                tx._fetch(list(keys))
            try:
                result = fn(tx)
            except Exception:
                if tx._fetches > 1 and not tx._still_valid() and attempt + 1 < max_attempts:
                    attempt += 1
                    _backoff(attempt)
                    continue
                raise
            if not tx._writes:
                # A read-only transaction: its reads must have been one snapshot.
                if tx._fetches <= 1 or tx._still_valid():
                    return result
                attempt += 1
                if attempt >= max_attempts:
                    raise ConflictError("transaction: reads kept changing", problem={"code": "version_conflict"})
                _backoff(attempt)
                continue
            try:
                self.commit(tx._checks(), tx._wire_writes())
                return result
            except ConflictError:
                attempt += 1
                if attempt >= max_attempts:
                    raise
                _backoff(attempt)

    def list(self, *, prefix: Optional[str] = None, limit: Optional[int] = None, cursor: Optional[str] = None) -> Page[Entry]:
        """A page of records in key order (``limit`` 1..1000, default 100); continue with ``cursor``."""
        args: Dict[str, Any] = {}
        o = opts(prefix=prefix, limit=limit, cursor=cursor)
        if o:
            args["options"] = o
        r = self._ctx.call("kv/list", args)
        return Page(items=[from_wire(Entry, i) for i in r["items"]], cursor=r.get("cursor"))

    def scan(self, *, prefix: Optional[str] = None, page_size: int = 100) -> Iterator[Entry]:
        """Every record (with ``prefix``), page by page."""
        cursor: Optional[str] = None
        while True:
            page = self.list(prefix=prefix, limit=page_size, cursor=cursor)
            yield from page.items
            if not page.cursor:
                return
            cursor = page.cursor

    def clear(self) -> int:
        """Removes every key of the namespace; how many."""
        return int(self._ctx.call("kv/clear"))
