"""blocks: memory blocks an agent edits, text or a JSON object under a label."""

from __future__ import annotations

from typing import List, Optional, Union

from ._base import MISSING, JsonObject, Store, with_options
from .models import Block, from_wire


class BlockStore(Store):
    """Memory blocks an agent edits (labels of ``[A-Za-z0-9_.-]``, text or a JSON object).

    Example::

        blocks = mx.scope("acme/users/42").blocks
        blocks.set("persona", "I am a travel assistant.", if_version=0)   # only if absent
        blocks.append("human", "Prefers aisle seats.")                    # concurrent appends all kept
        blocks.replace("human", "aisle", "window")
        print(blocks.get("human").value)
    """

    __slots__ = ()

    def get(self, label: str) -> Optional[Block]:
        r = self._ctx.call("blocks/get", {"label": label})
        return None if r is MISSING or r is None else from_wire(Block, r)

    def set(self, label: str, value: Union[str, JsonObject], *, if_version: Optional[int] = None) -> int:
        """Replaces the block's value; returns its version."""
        return int(self._ctx.call("blocks/set", with_options({"label": label, "value": value}, ifVersion=if_version))["version"])

    def append(self, label: str, text: str, *, if_version: Optional[int] = None) -> JsonObject:
        """Appends ``text`` on a new line (creating the block); ``{"version", "length"}``."""
        return dict(self._ctx.call("blocks/append", with_options({"label": label, "text": text}, ifVersion=if_version)))

    def replace(self, label: str, old_text: str, new_text: str, *, if_version: Optional[int] = None) -> int:
        """Replaces the first ``old_text`` (:class:`ValidationError` on ``oldText`` when absent); the new version."""
        args = with_options({"label": label, "oldText": old_text, "newText": new_text}, ifVersion=if_version)
        return int(self._ctx.call("blocks/replace", args)["version"])

    def list(self) -> List[Block]:
        return [from_wire(Block, b) for b in self._ctx.call("blocks/list")]

    def delete(self, label: str, *, if_version: Optional[int] = None) -> bool:
        return bool(self._ctx.call("blocks/delete", with_options({"label": label}, ifVersion=if_version)))
