"""Typed errors: one class per code of the server's ``application/problem+json``.

Every error the client raises is a :class:`MemexError` carrying the problem's ``code``,
``status``, ``detail`` and, for bad input, ``field`` and ``reason``::

    try:
        mx.kv.set("cart", [], if_version=3)
    except ConflictError as e:
        print(e.code, e.key, e.expected, e.actual)   # version_conflict cart 3 7
    except ValidationError as e:
        print(e.field, e.reason)
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Type

__all__ = [
    "MemexError",
    "ValidationError",
    "ConflictError",
    "LockTimeoutError",
    "LimitError",
    "PayloadTooLargeError",
    "ClosedError",
    "StorageError",
    "AccessError",
    "UnauthorizedError",
    "ForbiddenError",
    "NotFoundError",
    "RateLimitedError",
    "ComputeError",
    "LeaseLostError",
    "LlmError",
    "MemexTimeoutError",
    "UnavailableError",
    "error_from_problem",
]


class MemexError(Exception):
    """Base of every error this client raises.

    Attributes: ``code`` (the Memex error code, e.g. ``"version_conflict"``), ``status`` (the
    HTTP status, ``None`` for an error raised before or without an answer), ``detail`` (the
    human-readable message), ``field`` and ``reason`` (for ``invalid_input``), and ``problem``
    (the whole problem+json document as received).
    """

    code: str = "memex_error"

    def __init__(
        self,
        detail: str,
        *,
        code: Optional[str] = None,
        status: Optional[int] = None,
        field: Optional[str] = None,
        reason: Optional[str] = None,
        problem: Optional[Mapping[str, Any]] = None,
    ) -> None:
        super().__init__(detail)
        if code is not None:
            self.code = code
        self.detail: str = detail
        self.status: Optional[int] = status
        self.field: Optional[str] = field
        self.reason: Optional[str] = reason
        self.problem: Dict[str, Any] = dict(problem or {})

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}"


class ValidationError(MemexError):
    """``invalid_input`` (400): bad input, nothing written; ``field`` names what was wrong."""

    code = "invalid_input"


class ConflictError(MemexError):
    """``version_conflict`` (409, or 412 on the REST route): a compare-and-set did not hold.

    ``key``, ``expected`` and ``actual`` say which check failed; for ``kv.commit`` ``entries``
    holds the current records of the checked keys (``None`` where absent).
    """

    code = "version_conflict"

    @property
    def key(self) -> Optional[str]:
        k = self.problem.get("key")
        return k if isinstance(k, str) else None

    @property
    def expected(self) -> Optional[int]:
        v = self.problem.get("expected")
        return int(v) if isinstance(v, (int, float)) else None

    @property
    def actual(self) -> Optional[int]:
        v = self.problem.get("actual")
        return int(v) if isinstance(v, (int, float)) else None

    @property
    def entries(self) -> Optional[List[Any]]:
        v = self.problem.get("entries")
        return v if isinstance(v, list) else None


class LockTimeoutError(MemexError):
    """``lock_timeout`` (503): the write lock or a named lock was not obtained in time; nothing done."""

    code = "lock_timeout"

    @property
    def waited_ms(self) -> Optional[float]:
        v = self.problem.get("waitedMs")
        return float(v) if isinstance(v, (int, float)) else None


class LimitError(MemexError):
    """``limit_exceeded``: a bound was exceeded (value size, cache bytes, blocks…); nothing written."""

    code = "limit_exceeded"


class PayloadTooLargeError(LimitError):
    """``payload_too_large`` (413): the request body is over the server's ``--body-limit``."""

    code = "payload_too_large"


class ClosedError(MemexError):
    """``closed``: the store (or this client) is closed."""

    code = "closed"


class StorageError(MemexError):
    """``storage_error`` (500): the storage failed; ``driver_code`` is e.g. ``SQLITE_FULL`` or ``57P01``."""

    code = "storage_error"

    @property
    def driver_code(self) -> Optional[str]:
        v = self.problem.get("driverCode")
        return v if isinstance(v, str) else None


class AccessError(MemexError):
    """``access_denied``: the token may not do this (base of :class:`UnauthorizedError` and :class:`ForbiddenError`)."""

    code = "access_denied"


class UnauthorizedError(AccessError):
    """``unauthorized`` (401): no valid bearer token."""

    code = "unauthorized"


class ForbiddenError(AccessError):
    """``forbidden`` (403): the token does not reach this namespace or lacks the access."""

    code = "forbidden"


class NotFoundError(MemexError):
    """``not_found`` (404): no such route, or (REST ``GET /v1/kv/{key}``) no such key."""

    code = "not_found"


class RateLimitedError(MemexError):
    """``rate_limited`` (429): over the server's ``--rate-limit`` for this token."""

    code = "rate_limited"


class ComputeError(MemexError):
    """``compute_error`` (424): a ``cache.get_or_set`` computation failed in another caller.

    ``name`` is the name of the error that caller raised (``"TimeoutError"`` when it never answered).
    """

    code = "compute_error"

    @property
    def name(self) -> Optional[str]:
        v = self.problem.get("name")
        return v if isinstance(v, str) else None


class LeaseLostError(MemexError):
    """``lease_lost``: a lock's lease ended (not renewed in time) while it was held."""

    code = "lease_lost"

    @property
    def lock_name(self) -> Optional[str]:
        v = self.problem.get("lockName")
        return v if isinstance(v, str) else None


class LlmError(MemexError):
    """``llm_failed`` (502): a language-model call failed or answered nothing usable; nothing written.

    ``kind`` is one of ``unavailable``, ``timeout``, ``http``, ``malformed``, ``schema``,
    ``unknown_id``, ``not_configured``.
    """

    code = "llm_failed"

    @property
    def kind(self) -> Optional[str]:
        v = self.problem.get("kind")
        return v if isinstance(v, str) else None

    @property
    def llm_status(self) -> Optional[int]:
        v = self.problem.get("llmStatus")
        return int(v) if isinstance(v, (int, float)) else None


class MemexTimeoutError(StorageError):
    """``timeout`` (client side): the call did not complete within its timeout
    (``driver_code`` ``ETIMEDOUT``; a :class:`StorageError`, as in the TypeScript client).

    For a write the outcome is unknown (it may have been applied); a ``keyed`` write can be
    resent with the same idempotency key.
    """

    code = "timeout"


class UnavailableError(StorageError):
    """``unavailable`` (client side): the server could not be reached (after the retries its
    retry class allows; ``driver_code`` ``ECONNREFUSED``, ``ECONNRESET``…), or answered
    502/503/504 without a Memex problem document. A :class:`StorageError`, as in the TypeScript client."""

    code = "unavailable"


_BY_CODE: Dict[str, Type[MemexError]] = {
    cls.code: cls
    for cls in (
        ValidationError,
        ConflictError,
        LockTimeoutError,
        LimitError,
        PayloadTooLargeError,
        ClosedError,
        StorageError,
        AccessError,
        UnauthorizedError,
        ForbiddenError,
        NotFoundError,
        RateLimitedError,
        ComputeError,
        LeaseLostError,
        LlmError,
        MemexTimeoutError,
        UnavailableError,
    )
}


def error_from_problem(problem: Mapping[str, Any], status: Optional[int] = None) -> MemexError:
    """Builds the typed error for a problem+json document (an unknown code gives a :class:`MemexError`)."""
    code = problem.get("code")
    code_s = code if isinstance(code, str) else "memex_error"
    detail = problem.get("detail")
    if not isinstance(detail, str):
        title = problem.get("title")
        detail = title if isinstance(title, str) else code_s
    st = problem.get("status")
    status_i = status if status is not None else (int(st) if isinstance(st, (int, float)) else None)
    field = problem.get("field")
    reason = problem.get("reason")
    cls = _BY_CODE.get(code_s, MemexError)
    return cls(
        detail,
        code=code_s,
        status=status_i,
        field=field if isinstance(field, str) else None,
        reason=reason if isinstance(reason, str) else None,
        problem=problem,
    )
