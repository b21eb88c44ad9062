"""Plain data: what a probe's values become to leave the student's process, and what the grader
makes of them.

    to_plain(value)    in the student's process: numbers, strings, lists, tuples, dicts with string
                       keys, NumPy arrays and torch tensors (as arrays), dtypes, exceptions (their
                       type and message) -> JSON-ready data; anything else becomes a short
                       description of what it was
    from_plain(data)   in the grader's judge: back to Python values; arrays to NumPy or torch as
                       they were sent (float64 stays float64), an exception to an instance of the
                       nearest built-in exception class (a `class MyError(ValueError)` comes back
                       as a ValueError with the same message), a description to an `Opaque`

Nothing here can run code on the way back: no pickle, only JSON and raw numeric buffers, with caps
on size and nesting. A forged message can therefore at most forge *answers*, never a verdict.
"""

from __future__ import annotations

import base64
import builtins
import math
import sys
from dataclasses import dataclass

__all__ = ["Opaque", "TooLarge", "to_plain", "from_plain", "MAX_BYTES", "MAX_DEPTH"]

MAX_BYTES = 32 << 20        # array data per probe
MAX_DEPTH = 24              # nesting of lists, tuples and dicts
MAX_ITEMS = 200_000         # elements of lists, tuples and dicts per probe
MAX_TEXT = 100_000          # characters of one string
NUMERIC_KINDS = "biufc"     # bool, int, uint, float, complex: the only dtypes that travel


class TooLarge(ValueError):
    """A probe's values are bigger or deeper than what is sent back."""


@dataclass(frozen=True)
class Opaque:
    """A value that could not travel (a function, a model, ...): its type name and a short repr."""

    type: str
    text: str

    def __repr__(self) -> str:
        return f"<{self.type} (not sent back: {self.text})>"


class Budget:
    """Counts what one probe's values cost, raising TooLarge past the caps."""

    def __init__(self):
        self.bytes = self.items = 0

    def spend(self, nbytes: int = 0, items: int = 0) -> None:
        self.bytes += nbytes
        self.items += items
        if self.bytes > MAX_BYTES:
            raise TooLarge(f"the values to check hold more than {MAX_BYTES >> 20} MB of arrays")
        if self.items > MAX_ITEMS:
            raise TooLarge(f"the values to check hold more than {MAX_ITEMS} list or dict items")


def array_plain(array, tag: str, dtype_name: str, budget: Budget) -> dict:
    """A NumPy array of a numeric dtype -> {"$": tag, "dtype", "shape", "data"(base64)}."""
    import numpy as np

    if array.dtype.kind not in NUMERIC_KINDS:
        return {"$": "opaque", "type": f"array of {array.dtype}", "text": "only numeric arrays are sent back"}
    array = np.array(array, order="C", copy=True)    # (ascontiguousarray would make a 0-d array 1-d)
    budget.spend(nbytes=array.nbytes)
    return {"$": tag, "dtype": dtype_name, "npdtype": array.dtype.str, "shape": list(array.shape),
            "data": base64.b64encode(array.tobytes()).decode("ascii")}


def tensor_plain(value, budget: Budget) -> dict:
    """A torch tensor -> the array form, tagged "tensor" with its torch dtype (bfloat16 goes as float32)."""
    tensor = value.detach()
    if tensor.is_sparse or tensor.layout != sys.modules["torch"].strided:
        tensor = tensor.to_dense()
    name = str(tensor.dtype)
    if name in ("torch.bfloat16", "torch.float8_e4m3fn", "torch.float8_e5m2"):
        tensor = tensor.float()
    tensor = tensor.cpu()
    budget.spend(nbytes=tensor.numel() * tensor.element_size())
    return array_plain(tensor.resolve_conj().resolve_neg().numpy(), "tensor", name, budget)


def error_plain(error: BaseException) -> dict:
    """An exception -> its class names (most derived first) and message."""
    names = [cls.__name__ for cls in type(error).__mro__]
    try:
        message = str(error)
    except Exception:                         # noqa: BLE001 - a __str__ that raises
        message = "(its message could not be read)"
    return {"$": "error", "types": names, "message": message[:2000]}


def to_plain(value, depth: int = 0, budget: Budget | None = None):
    """`value` as JSON-ready data (see the module docstring); raises TooLarge past the caps."""
    budget = budget or Budget()
    if depth > MAX_DEPTH:
        raise TooLarge(f"the values to check are nested more than {MAX_DEPTH} levels deep")
    if value is None or isinstance(value, (bool, str)):
        if isinstance(value, str) and len(value) > MAX_TEXT:
            raise TooLarge(f"a string to check is longer than {MAX_TEXT} characters")
        return value if not isinstance(value, str) else str(value)
    if isinstance(value, int):
        return int(value) if abs(value) < 2 ** 63 else {"$": "bigint", "text": str(int(value))}
    if isinstance(value, float):
        number = float(value)
        return number if math.isfinite(number) else {"$": "float", "text": repr(number)}
    if isinstance(value, complex):
        return {"$": "complex", "real": to_plain(value.real), "imag": to_plain(value.imag)}
    if isinstance(value, (list, tuple)):
        budget.spend(items=len(value))
        items = [to_plain(item, depth + 1, budget) for item in value]
        return {"$": "tuple", "items": items} if isinstance(value, tuple) else items
    if isinstance(value, dict):
        budget.spend(items=len(value))
        if not all(isinstance(key, str) for key in value):
            return {"$": "opaque", "type": type(value).__name__, "text": "a dict whose keys are not all strings"}
        return {"$": "dict", "items": [[str(key), to_plain(item, depth + 1, budget)] for key, item in value.items()]}
    if isinstance(value, BaseException):
        return error_plain(value)
    numpy, torch = sys.modules.get("numpy"), sys.modules.get("torch")
    if torch is not None:
        if isinstance(value, torch.Tensor):
            return tensor_plain(value, budget)
        if isinstance(value, torch.dtype):
            return {"$": "dtype", "name": str(value)}
        if isinstance(value, torch.Size):
            return {"$": "tuple", "items": [int(n) for n in value]}
    if numpy is not None:
        if isinstance(value, numpy.ndarray):
            return array_plain(value, "ndarray", str(value.dtype), budget)
        if isinstance(value, numpy.generic) and value.dtype.kind in NUMERIC_KINDS:
            return array_plain(numpy.asarray(value), "scalar", str(value.dtype), budget)
        if isinstance(value, numpy.dtype):
            return {"$": "npdtype", "name": str(value)}
    try:
        text = repr(value)[:200]
    except Exception:                         # noqa: BLE001 - a __repr__ that raises
        text = "(no repr)"
    return {"$": "opaque", "type": type(value).__name__, "text": text}


def builtin_error(types: list[str], message: str) -> BaseException:
    """An instance of the nearest built-in exception class among `types` (most derived first)."""
    for name in types:
        cls = getattr(builtins, name, None)
        if isinstance(cls, type) and issubclass(cls, BaseException):
            try:
                error = cls(message)
            except Exception:                 # noqa: BLE001 - e.g. UnicodeDecodeError needs 5 arguments
                continue
            error.raised_as = types[0]        # the student's own class name, for messages
            return error
    return Exception(message)


def array_from(data: dict):
    """The array form back to a NumPy array (or a torch tensor, for "tensor")."""
    import numpy as np

    dtype = np.dtype(data["npdtype"])
    if dtype.kind not in NUMERIC_KINDS or dtype.hasobject:
        raise ValueError(f"refused an array of dtype {dtype}")
    shape = tuple(int(n) for n in data["shape"])
    raw = base64.b64decode(data["data"])
    array = np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
    if data["$"] == "scalar":
        return array[()]
    if data["$"] == "ndarray":
        return array
    import torch

    tensor = torch.from_numpy(array)
    wanted = getattr(torch, data["dtype"].removeprefix("torch."), None)
    return tensor.to(wanted) if isinstance(wanted, torch.dtype) and wanted != tensor.dtype else tensor


def from_plain(data, depth: int = 0):
    """Data made by to_plain (possibly forged) back to values; raises ValueError for malformed data."""
    if depth > MAX_DEPTH + 2:
        raise ValueError("nested too deeply")
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    if isinstance(data, list):
        return [from_plain(item, depth + 1) for item in data]
    if not isinstance(data, dict) or not isinstance(data.get("$"), str):
        raise ValueError(f"unexpected data {type(data).__name__}")
    tag = data["$"]
    if tag == "tuple":
        return tuple(from_plain(item, depth + 1) for item in data["items"])
    if tag == "dict":
        return {str(key): from_plain(item, depth + 1) for key, item in data["items"]}
    if tag in ("ndarray", "tensor", "scalar"):
        return array_from(data)
    if tag == "error":
        return builtin_error([str(name) for name in data["types"]], str(data["message"]))
    if tag == "float":
        return float(data["text"])
    if tag == "bigint":
        return int(data["text"])
    if tag == "complex":
        return complex(from_plain(data["real"]), from_plain(data["imag"]))
    if tag == "dtype":
        import torch

        dtype = getattr(torch, str(data["name"]).removeprefix("torch."), None)
        return dtype if isinstance(dtype, torch.dtype) else Opaque("dtype", str(data["name"]))
    if tag == "npdtype":
        import numpy as np

        return np.dtype(str(data["name"]))
    if tag == "opaque":
        return Opaque(str(data["type"]), str(data["text"]))
    raise ValueError(f"unknown tag {tag!r}")
