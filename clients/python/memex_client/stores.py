"""The stores of a scope kept in one module each (conversations, cache, vectors, profiles, sites,
memories, blocks), gathered here under their former import path, ``memex_client.stores``."""

from ._base import JsonObject
from .blocks import BlockStore
from .cache import CacheStore
from .conversations import ConversationStore
from .memories import FactInput, MemoryStore
from .profiles import ProfileStore
from .sites import SiteStore
from .vectors import VectorStore

__all__ = [
    "JsonObject",
    "FactInput",
    "ConversationStore",
    "CacheStore",
    "VectorStore",
    "ProfileStore",
    "SiteStore",
    "MemoryStore",
    "BlockStore",
]
