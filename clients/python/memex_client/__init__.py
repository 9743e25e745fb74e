"""Python client for Memex, the agent-memory store, over its HTTP server (``memex serve``).

Standard library only. ``Memex`` is synchronous and thread-safe; ``AsyncMemex`` has the same
surface for asyncio.

Example::

    from memex_client import Memex
    mx = Memex("http://127.0.0.1:7077")
    user = mx.scope("acme/users/42")
    user.kv.update("visits", lambda n: (n or 0) + 1)
    user.conversations.append("t1", "user", "hello")
    hits = user.vectors.search("python tips", top_k=5)
"""

from .aio import AsyncMemex, AsyncScope
from .client import Memex, Scope, __version__
from .errors import (
    AccessError,
    ClosedError,
    ComputeError,
    ConflictError,
    ForbiddenError,
    LeaseLostError,
    LimitError,
    LlmError,
    LockTimeoutError,
    MemexError,
    MemexTimeoutError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitedError,
    StorageError,
    UnauthorizedError,
    UnavailableError,
    ValidationError,
)
from .events import EventStream
from .kv import DELETE, Transaction
from .locks import HeldLock
from .models import (
    Block,
    Document,
    Entry,
    Event,
    Fact,
    FactChange,
    Hit,
    Lease,
    Message,
    Page,
    PatchResult,
    ProfileEntry,
    Recall,
    Thread,
)

__all__ = [
    "AsyncMemex",
    "AsyncScope",
    "Memex",
    "Scope",
    "__version__",
    "DELETE",
    "Transaction",
    "HeldLock",
    "EventStream",
    "AccessError",
    "ClosedError",
    "ComputeError",
    "ConflictError",
    "ForbiddenError",
    "LeaseLostError",
    "LimitError",
    "LlmError",
    "LockTimeoutError",
    "MemexError",
    "MemexTimeoutError",
    "NotFoundError",
    "PayloadTooLargeError",
    "RateLimitedError",
    "StorageError",
    "UnauthorizedError",
    "UnavailableError",
    "ValidationError",
    "Block",
    "Document",
    "Entry",
    "Event",
    "Fact",
    "FactChange",
    "Hit",
    "Lease",
    "Message",
    "Page",
    "PatchResult",
    "ProfileEntry",
    "Recall",
    "Thread",
]
