"""Async blocks: :class:`AsyncBlockStore`."""

from __future__ import annotations

from typing import List, Optional, Union

from .._base import JsonObject
from ..blocks import BlockStore
from ..models import Block
from ._base import AsyncStore, to_thread


class AsyncBlockStore(AsyncStore):
    """Async :class:`BlockStore` (each call runs the synchronous one on a worker thread)."""

    _s: BlockStore

    async def get(self, label: str) -> Optional[Block]:
        return await to_thread(self._s.get, label)

    async def set(self, label: str, value: Union[str, JsonObject], *, if_version: Optional[int] = None) -> int:
        """Replaces the block's value; returns its version."""
        return await to_thread(self._s.set, label, value, if_version=if_version)

    async def append(self, label: str, text: str, *, if_version: Optional[int] = None) -> JsonObject:
        """Appends ``text`` on a new line (creating the block); ``{"version", "length"}``."""
        return await to_thread(self._s.append, label, text, if_version=if_version)

    async def replace(self, label: str, old_text: str, new_text: str, *, if_version: Optional[int] = None) -> int:
        """Replaces the first ``old_text`` (:class:`ValidationError` on ``oldText`` when absent); the new version."""
        return await to_thread(self._s.replace, label, old_text, new_text, if_version=if_version)

    async def list(self) -> List[Block]:
        return await to_thread(self._s.list)

    async def delete(self, label: str, *, if_version: Optional[int] = None) -> bool:
        return await to_thread(self._s.delete, label, if_version=if_version)
