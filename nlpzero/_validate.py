"""Parameter checks used once, at the public boundary; messages name the parameter and value."""
from __future__ import annotations

import math
import numbers
from typing import Any, Iterable, Optional


def check_int(name: str, value: Any, *, minimum: Optional[int] = None, maximum: Optional[int] = None) -> int:
    """Return ``value`` as an int, or raise TypeError/ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an int, got {value!r}")
    value = int(value)
    if minimum is not None and value < minimum:
        bound = f"≥ {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
        raise ValueError(f"`{name}` must be an int {bound}, got {value}")
    if maximum is not None and value > maximum:
        bound = f"≤ {maximum}" if minimum is None else f"in [{minimum}, {maximum}]"
        raise ValueError(f"`{name}` must be an int {bound}, got {value}")
    return value


def check_float(
    name: str,
    value: Any,
    *,
    minimum: Optional[float] = None,
    maximum: Optional[float] = None,
    open_min: bool = False,
    open_max: bool = False,
) -> float:
    """Return ``value`` as a finite float within the given bounds, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"`{name}` must be finite, got {value}")
    lo_bad = minimum is not None and (value <= minimum if open_min else value < minimum)
    hi_bad = maximum is not None and (value >= maximum if open_max else value > maximum)
    if lo_bad or hi_bad:
        lo = "" if minimum is None else ("(" if open_min else "[") + f"{minimum}"
        hi = "" if maximum is None else f"{maximum}" + (")" if open_max else "]")
        raise ValueError(f"`{name}` must be in {lo or '(-inf'}, {hi or 'inf)'}, got {value}")
    return value


def check_choice(name: str, value: Any, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of ``choices``, or raise ValueError listing them."""
    choices = tuple(choices)
    if value not in choices:
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, choices))}; got {value!r}")
    return value
