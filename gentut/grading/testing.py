"""Small helpers for an assignment's test cells; the same in a student's notebook and in the grader.

    error = raised(causal_mask, 3, "C")             # probe: the exception it raised, or None
    assert isinstance(error, ValueError), "..."     # check

    with replaced(globals(), causal_mask=known_mask):   # probe: q2 with a right q1, so one
        out = masked_conv2d(x, weight, bias, "A")       # mistake costs once

    assert close(got, expected, atol=1e-5), f"... (off by {max_error(got, expected):.2g})"

`close` and `max_error` compare values as float64 NumPy arrays, so an answer computed in float64
(or returned as an array or a number) is judged on its values, not its dtype; shapes must match
exactly, and NaN never counts as close.
"""

from __future__ import annotations

import contextlib
import math

__all__ = ["raised", "replaced", "as_array", "close", "max_error", "same_shape"]


def raised(function, *args, **kwargs):
    """Call function(*args, **kwargs): the exception it raised (an Exception), or None if it returned."""
    try:
        function(*args, **kwargs)
    except Exception as error:               # noqa: BLE001 - the point is to catch what it raises
        return error
    return None


@contextlib.contextmanager
def replaced(namespace: dict, **names):
    """Within the block, namespace[name] = value for each keyword; the old values come back after
    (also if the block raises). For a probe that runs a later question with a right earlier part."""
    missing = object()
    old = {name: namespace.get(name, missing) for name in names}
    namespace.update(names)
    try:
        yield
    finally:
        for name, value in old.items():
            if value is missing:
                namespace.pop(name, None)
            else:
                namespace[name] = value


def as_array(value):
    """A tensor, array, number or nested list as a float64 NumPy array (complex stays complex)."""
    import numpy as np

    if hasattr(value, "detach"):                           # a torch tensor
        value = value.detach().cpu()
        value = value.resolve_conj().numpy() if value.is_complex() else value.double().numpy()
    array = np.asarray(value)
    return array if array.dtype.kind == "c" else array.astype(np.float64)


def same_shape(got, expected) -> bool:
    """Whether two values have the same shape (a number has shape ())."""
    try:
        return as_array(got).shape == as_array(expected).shape
    except (TypeError, ValueError):
        return False


def close(got, expected, atol: float = 1e-6, rtol: float = 1e-5) -> bool:
    """|got - expected| <= atol + rtol |expected| everywhere, same shapes, any dtype; False for
    values that are not numbers (None, a string, an error)."""
    import numpy as np

    try:
        a, b = as_array(got), as_array(expected)
    except (TypeError, ValueError):
        return False
    if a.shape != b.shape or a.dtype.kind not in "biufc":
        return False
    return bool(np.all(np.abs(a - b) <= atol + rtol * np.abs(b)))


def max_error(got, expected) -> float:
    """The largest |got - expected| (inf when the shapes differ or a value is not a number)."""
    import numpy as np

    try:
        a, b = as_array(got), as_array(expected)
        if a.shape != b.shape:
            return math.inf
        return float(np.max(np.abs(a - b))) if a.size else 0.0
    except (TypeError, ValueError):
        return math.inf
