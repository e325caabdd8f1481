"""The one table of parameter limits, read by the API checks and by the click options.

Each entry bounds a parameter (API spelling) so that no value a user can type reaches a kernel
as an overflowing integer, an infinite float or an allocation nobody asked for. The API calls
:func:`check`; the command line builds its option types from the same entries
(``nlpzero.cli._common.limited``), so ``--min-count 100000000000000000000`` is a usage error
(exit 2) naming the option, and ``count_ngrams(..., min_count=10**20)`` a
:class:`~nlpzero.errors.ParameterError` naming the parameter.

Bounds that depend on the data (``dim`` below the vocabulary size, ``k`` below the number of
words, ...) are checked where the data is known, with a :class:`~nlpzero.errors.ResourceLimitError`.

Examples
--------
>>> from nlpzero._limits import LIMITS, check
>>> LIMITS["max_n"].maximum
32
>>> check("min_count", 5)
5
>>> check("min_count", 10**20)
Traceback (most recent call last):
...
nlpzero.errors.ParameterError: `min_count` must be an int ≤ 4611686018427387904, got 100000000000000000000
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ._validate import check_float, check_int

Number = int | float

#: counts, sizes and thresholds stored in int64 somewhere: keep a margin below 2**63
INT_MAX = 1 << 62
#: the n-gram order limit of the counting kernels (n-grams are packed into fixed-width keys)
MAX_NGRAM_ORDER = 32


#: edges of a kNN word graph (words x k): past this the "graph" is dense and the memory goes
#: quadratic (15k words x k = 15k needed 17 GB)
MAX_KNN_EDGES = 20_000_000


@dataclass(frozen=True)
class Limit:
    """Bounds of one parameter.

    Attributes
    ----------
    kind : {"int", "float"}
    minimum, maximum : int or float or None
        Inclusive bounds unless ``open_min`` / ``open_max``; None means unbounded (floats must
        still be finite).
    why : str
        What the bound protects (shown in the docs).
    """

    kind: str
    minimum: Number | None
    maximum: Number | None
    why: str = ""
    open_min: bool = False
    open_max: bool = False


def _int(minimum: int | None, maximum: int | None = INT_MAX, why: str = "") -> Limit:
    return Limit("int", minimum, maximum, why)


def _float(minimum: float | None = None, maximum: float | None = None, why: str = "", *,
           open_min: bool = False, open_max: bool = False) -> Limit:
    return Limit("float", minimum, maximum, why, open_min, open_max)


LIMITS: dict[str, Limit] = {
    # n-grams and word discovery
    "max_n": _int(1, MAX_NGRAM_ORDER, "n-gram order of the counting kernels"),
    "discover_max_n": _int(2, 12, "longest n-gram scored by word discovery"),
    "max_word_len": _int(1, 8, "longest word a learned segmenter proposes"),
    "min_count": _int(1, INT_MAX, "counts are int64"),
    "max_memory": _int(1 << 16, 1 << 50, "bytes of the counting table (64 KiB .. 1 PiB)"),
    "top": _int(0, INT_MAX),
    "refine": _int(0, 50, "re-segmentation rounds of learn_segmenter"),
    "chunk_bytes": _int(16, 1 << 40, "bytes decoded per chunk"),
    # frequent itemsets and rules
    "min_support": _float(0.0, 1.0, "relative support", open_min=True),
    "max_size": _int(1, 1 << 20, "itemset size"),
    "max_itemsets": _int(1, INT_MAX),
    "min_confidence": _float(0.0, 1.0),
    "min_lift": _float(0.0, None),
    "max_consequent_size": _int(1, 1 << 20, "rule consequent size"),
    # word vectors, clustering, communities
    "dim": _int(1, 10_000, "dimension of the word vectors (dense vocabulary x dim matrices)"),
    "window": _int(1, 1_000, "co-occurrence window, tokens each side"),
    "max_vocab": _int(2, 1 << 31, "vocabulary indices are int32"),
    "k": _int(1, 10_000, "neighbours per word / results per query"),
    "topn": _int(1, INT_MAX),
    "num_trials": _int(1, 10_000, "InfoMap trials (each is a full optimisation)"),
    "seed": _int(0, (1 << 64) - 1, "random seeds are 64-bit"),
    "teleportation": _float(0.0, 1.0, open_max=True),
    "shift": _float(0.0, None, open_min=True),
    "alpha": _float(0.0, 1.0, open_min=True),
    "eig": _float(0.0, 1.0),
    # distances
    "max_iter": _int(1, INT_MAX, "network simplex pivots"),
    # segmentation
    "jobs": _int(1, 256, "worker processes"),
    # sentence templates
    "min_pmi": _float(None, None, "PMI threshold of a link (nats)"),
    "min_proba": _float(0.0, 1.0, "probability threshold of a link", open_max=True),
    "max_piece_len": _int(2, 100_000, "tokens per piece: the parse of a piece is O(length^2) in memory"),
    "em_rounds": _int(1, 10_000, "parse + re-estimation rounds"),
}


def check(name: str, value: Any, *, key: str | None = None) -> Any:
    """Check ``value`` against ``LIMITS[key or name]``; returns it as int or float.

    Raises :class:`~nlpzero.errors.ParameterTypeError` for a wrong type and
    :class:`~nlpzero.errors.ParameterError` for a value out of bounds, naming ``name``.
    """
    limit = LIMITS[key or name]
    if limit.kind == "int":
        maximum = None if limit.maximum == INT_MAX else limit.maximum   # check_int's own cap
        return check_int(name, value, minimum=limit.minimum, maximum=maximum)  # type: ignore[arg-type]
    return check_float(name, value, minimum=limit.minimum, maximum=limit.maximum,
                       open_min=limit.open_min, open_max=limit.open_max)


def default_jobs() -> int:
    """Worker processes used when none are asked for: the usable cores, within the limit."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, int(LIMITS["jobs"].maximum)))  # type: ignore[arg-type]
