"""The wire form of values: JSON, with two markers the server uses.

- A typed array travels as ``{"$mx": "typed", "type": "Float32Array", "b64": "…"}`` (README,
  "cache"); here it is an :class:`array.array` of the matching type code.
- An object that itself has a ``"$mx"`` key travels escaped as ``{"$mx": "obj", "v": {…}}``
  (observed on the server: it escapes such objects in answers and unescapes them in requests).
"""

from __future__ import annotations

import array
import base64
import json
import math
import sys
from typing import Any, Dict, Mapping, Optional, Tuple

from .errors import ValidationError

# array.array type code -> JS typed-array name (4-byte ints: 'i'/'l' depending on the platform).
_NAME_BY_CODE: Dict[Tuple[str, int], str] = {
    ("b", 1): "Int8Array",
    ("B", 1): "Uint8Array",
    ("h", 2): "Int16Array",
    ("H", 2): "Uint16Array",
    ("i", 4): "Int32Array",
    ("l", 4): "Int32Array",
    ("I", 4): "Uint32Array",
    ("L", 4): "Uint32Array",
    ("f", 4): "Float32Array",
    ("d", 8): "Float64Array",
}


def _code_for(name: str) -> Optional[str]:
    table = {
        "Int8Array": "b",
        "Uint8Array": "B",
        "Uint8ClampedArray": "B",
        "Int16Array": "h",
        "Uint16Array": "H",
        "Float32Array": "f",
        "Float64Array": "d",
    }
    if name in table:
        return table[name]
    if name in ("Int32Array", "Uint32Array"):
        signed = name == "Int32Array"
        for c in ("i", "l") if signed else ("I", "L"):
            if array.array(c).itemsize == 4:
                return c
    return None


def encode(value: Any, path: str = "value") -> Any:
    """Turns a Python value into its wire JSON form; raises ValidationError naming ``path``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise ValidationError(f"{path}: NaN and Infinity are not JSON", field=path, reason="NaN and Infinity are not JSON")
        return value
    if isinstance(value, array.array):
        name = _NAME_BY_CODE.get((value.typecode, value.itemsize))
        if name is None:
            raise ValidationError(
                f"{path}: array type code {value.typecode!r} has no typed-array counterpart",
                field=path,
                reason="unsupported array type code",
            )
        if value.typecode in "fd" and any(math.isnan(x) or math.isinf(x) for x in value):
            raise ValidationError(f"{path}: NaN and Infinity are not JSON", field=path, reason="NaN and Infinity are not JSON")
        a = value
        if sys.byteorder == "big":
            a = array.array(value.typecode, value)
            a.byteswap()
        return {"$mx": "typed", "type": name, "b64": base64.b64encode(a.tobytes()).decode("ascii")}
    if isinstance(value, Mapping):
        out: Dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise ValidationError(f"{path}: object keys must be strings, got {k!r}", field=path, reason="object keys must be strings")
            out[k] = encode(v, f"{path}.{k}")
        if "$mx" in out:
            return {"$mx": "obj", "v": out}
        return out
    if isinstance(value, (list, tuple)):
        return [encode(v, f"{path}[{i}]") for i, v in enumerate(value)]
    raise ValidationError(
        f"{path}: {type(value).__name__} is not a JSON value",
        field=path,
        reason=f"{type(value).__name__} is not a JSON value",
    )


def decode(value: Any) -> Any:
    """Turns wire JSON back into Python values (typed arrays become :class:`array.array`)."""
    if isinstance(value, dict):
        marker = value.get("$mx")
        if marker is not None:
            if marker == "obj" and len(value) == 2 and isinstance(value.get("v"), dict):
                return {k: decode(v) for k, v in value["v"].items()}
            if marker == "typed" and isinstance(value.get("type"), str) and isinstance(value.get("b64"), str):
                code = _code_for(value["type"])
                if code is not None:
                    a = array.array(code)
                    a.frombytes(base64.b64decode(value["b64"]))
                    if sys.byteorder == "big":
                        a.byteswap()
                    return a
        return {k: decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value


def dumps_body(body: Mapping[str, Any]) -> bytes:
    """Encodes a request body; each top-level argument is checked on its own so an error names it."""
    wire = {k: encode(v, k) for k, v in body.items()}
    return json.dumps(wire, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def loads(data: bytes) -> Any:
    return decode(json.loads(data.decode("utf-8")))
