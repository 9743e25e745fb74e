"""Records the stores answer, as frozen dataclasses with snake_case fields.

Free-form parts (values, metadata, profiles, site records, statistics) stay plain JSON
(dicts, lists, strings, numbers; typed arrays as :class:`array.array`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any, Dict, Generic, List, Mapping, Optional, Type, TypeVar, Union

T = TypeVar("T")
R = TypeVar("R")

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def _snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def from_wire(cls: Type[R], data: Mapping[str, Any]) -> R:
    """Builds a dataclass from a wire object (camelCase keys; unknown keys are ignored)."""
    names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    kwargs = {}
    for k, v in data.items():
        s = _snake(k)
        if s in names:
            kwargs[s] = v
    return cls(**kwargs)


@dataclass(frozen=True)
class Entry:
    """A kv record: ``key``, ``value``, ``version`` (changes on every write, never repeats),
    ``updated_at`` and ``expires_at`` (Unix ms, ``None`` = never)."""

    key: str
    value: Any
    version: int
    updated_at: int
    expires_at: Optional[int] = None


@dataclass(frozen=True)
class Page(Generic[T]):
    """A page of a listing; pass ``cursor`` to the next call (``None`` = the last page)."""

    items: List[T]
    cursor: Optional[str] = None


@dataclass(frozen=True)
class PatchResult:
    """What ``kv.patch`` answers: the new value (``None`` when removed) and its version (0 when removed)."""

    value: Any
    version: int


@dataclass(frozen=True)
class Message:
    """A conversation message; ``seq`` orders the thread (never wall-clock)."""

    thread_id: str
    seq: int
    role: str
    content: Any
    at: int
    metadata: Optional[Dict[str, Any]] = None


@dataclass(frozen=True)
class Thread:
    """A thread's metadata and counts."""

    thread_id: str
    message_count: int
    first_seq: int
    last_seq: int
    created_at: int
    last_active_at: int
    expires_at: Optional[int] = None


@dataclass(frozen=True)
class Hit:
    """A vector search result, best first."""

    id: str
    score: float
    text: Optional[str]
    metadata: Dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Document:
    """A stored vector document with its vector."""

    id: str
    text: Optional[str]
    metadata: Dict[str, Any]
    vector: List[float]


@dataclass(frozen=True)
class ProfileEntry:
    """A profile with its version (for compare-and-set)."""

    user_id: str
    profile: Dict[str, Any]
    version: int
    updated_at: int


@dataclass(frozen=True)
class Lease:
    """A held lock: ``lease_id`` (for renew/release), ``token`` (a fencing token: grows with
    every grant) and how long the acquisition waited."""

    lease_id: str
    token: int
    waited_ms: float = 0.0


@dataclass(frozen=True)
class Event:
    """A change-feed event: ``seq`` (commit order), ``at``, ``ns``, ``store``, ``key``, ``op``, ``version``."""

    seq: int
    at: int
    store: str
    op: str
    ns: Optional[str] = None
    key: Optional[str] = None
    version: Optional[int] = None


@dataclass(frozen=True)
class Fact:
    """A curated memory fact (``score`` is set on search results)."""

    id: str
    text: str
    version: int
    recorded_at: int
    updated_at: int
    subject: Optional[str] = None
    valid_from: Optional[int] = None
    valid_to: Optional[int] = None
    invalidated_at: Optional[int] = None
    metadata: Dict[str, Any] = field(default_factory=dict)
    score: Optional[float] = None


@dataclass(frozen=True)
class FactChange:
    """The outcome of ``memories.add/update/invalidate`` for one fact."""

    id: str
    op: str  # 'added' | 'updated' | 'unchanged' | 'invalidated'
    version: int
    text: str
    invalidated: Optional[List[str]] = None


@dataclass(frozen=True)
class Block:
    """A memory block: text or a JSON object, with its version."""

    label: str
    value: Union[str, Dict[str, Any]]
    version: int
    updated_at: int


@dataclass(frozen=True)
class Recall:
    """What ``recall`` answers: profile, the thread's recent messages, the user's relevant
    earlier turns, the namespace's blocks and the believed facts closest to the query."""

    profile: Optional[Dict[str, Any]]
    recent: List[Message]
    relevant: List[Hit]
    blocks: List[Block]
    facts: List[Fact]
