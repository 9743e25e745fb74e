"""What every store holds: the transport, the namespace and the call settings."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Dict, Optional, Type, TypeVar

from ._transport import MISSING as MISSING  # re-exported: the stores test results against it
from ._transport import Transport

JsonObject = Dict[str, Any]


def opts(**kwargs: Any) -> Dict[str, Any]:
    """The non-None keyword arguments, for an ``options`` object (names already camelCase)."""
    return {k: v for k, v in kwargs.items() if v is not None}


def with_options(args: Dict[str, Any], **kw: Any) -> Dict[str, Any]:
    """``args`` with ``options`` set to the non-None keyword arguments (left out when there are none)."""
    o = opts(**kw)
    if o:
        args["options"] = o
    return args


class Ctx:
    """An immutable call context: transport + namespace + timeout + retries."""

    __slots__ = ("transport", "ns", "timeout", "retries")

    def __init__(self, transport: Transport, ns: Optional[str], timeout: float, retries: int) -> None:
        self.transport = transport
        self.ns = ns
        self.timeout = timeout
        self.retries = retries

    def with_ns(self, ns: Optional[str]) -> "Ctx":
        return Ctx(self.transport, ns, self.timeout, self.retries)

    def with_settings(self, timeout: Optional[float], retries: Optional[int]) -> "Ctx":
        return Ctx(
            self.transport,
            self.ns,
            self.timeout if timeout is None else timeout,
            self.retries if retries is None else retries,
        )

    def call(
        self,
        op: str,
        args: Optional[Dict[str, Any]] = None,
        *,
        scoped: bool = True,
        extra_timeout: float = 0.0,
        idempotency_key: Optional[str] = None,
    ) -> Any:
        """POST /v1/<op> with ``{ns, ...args}``; the result, or :data:`MISSING` when absent."""
        body: Dict[str, Any] = {}
        if scoped and self.ns is not None:
            body["ns"] = self.ns
        if args:
            body.update(args)
        return self.transport.call(
            op,
            body,
            timeout=self.timeout,
            retries=self.retries,
            extra_timeout=extra_timeout,
            idempotency_key=idempotency_key,
        )


def or_none(v: Any) -> Any:
    """``None`` for :data:`MISSING`."""
    return None if v is MISSING else v


class Store:
    """Base of every store: holds its :class:`Ctx`."""

    __slots__ = ("_ctx",)

    def __init__(self, ctx: Ctx) -> None:
        self._ctx = ctx

    @property
    def namespace(self) -> Optional[str]:
        """The namespace this store works in (``None`` = the server's ``default``)."""
        return self._ctx.ns


_C = TypeVar("_C", bound="ClosesOnExit")


class ClosesOnExit:
    """``with obj:`` closes ``obj`` on the way out (the client, an event stream)."""

    __slots__ = ()

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self: _C) -> _C:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()
