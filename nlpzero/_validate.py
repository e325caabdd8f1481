"""Parameter checks used once, at the public boundary; messages name the parameter and value.

They raise :class:`~nlpzero.errors.ParameterError` (a ``ValueError``) or
:class:`~nlpzero.errors.ParameterTypeError` (a ``TypeError``). Fixed bounds live in the table of
``nlpzero._limits``; the bounds passed here directly are the ones that depend on the data.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

from .errors import ParameterError, ParameterTypeError

_INT_MAX = 1 << 62


def check_int(name: str, value: Any, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise ParameterTypeError/ParameterError naming ``name``.

    Without ``maximum`` the value must still fit comfortably in an int64 (< 2**62), so no
    Python int can overflow a kernel's integer argument.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterTypeError(f"`{name}` must be an int, got {value!r:.80}", name, value)
    value = int(value)
    if minimum is not None and value < minimum:
        bound = f"≥ {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ParameterError(f"`{name}` must be an int {bound}, got {value}", name, value)
    if value > (_INT_MAX if maximum is None else maximum):
        bound = f"≤ {_INT_MAX}" if maximum is None else (
            f"≤ {maximum}" if minimum is None else f"in [{minimum}, {maximum}]")
        raise ParameterError(f"`{name}` must be an int {bound}, got {value}", name, value)
    return value


def check_float(
    name: str,
    value: Any,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    open_min: bool = False,
    open_max: bool = False,
) -> float:
    """Return ``value`` as a finite float within the given bounds, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ParameterTypeError(f"`{name}` must be a number, got {value!r:.80}", name, value)
    try:
        value = float(value)
    except OverflowError:
        raise ParameterError(f"`{name}` must be a finite number, got {value}", name, value) from None
    if not math.isfinite(value):
        raise ParameterError(f"`{name}` must be finite, got {value}", name, value)
    lo_bad = minimum is not None and (value <= minimum if open_min else value < minimum)
    hi_bad = maximum is not None and (value >= maximum if open_max else value > maximum)
    if lo_bad or hi_bad:
        lo = "" if minimum is None else ("(" if open_min else "[") + f"{minimum}"
        hi = "" if maximum is None else f"{maximum}" + (")" if open_max else "]")
        raise ParameterError(f"`{name}` must be in {lo or '(-inf'}, {hi or 'inf)'}, got {value}", name, value)
    return value


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, or raise ValueError listing them."""
    choices = tuple(choices)
    if value not in choices:
        raise ParameterError(f"`{name}` must be one of {', '.join(map(repr, choices))}; got {value!r:.80}",
                             name, value)
    return value
