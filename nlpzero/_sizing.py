"""How big to make a counting table before and while it fills (internal; used by
:mod:`nlpzero.ngrams`). Sizing changes only speed and memory, never counts or ids: a table
keeps both when it grows."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from . import _ngram
    from .corpus import Corpus

#: most n-grams a first-chunk extrapolation reserves room for (the table still grows past it)
_RESERVE_LIMIT = 1 << 23
#: the first chunk's extrapolation reserves room for at most this many times its n-grams:
#: distinct n-grams grow more slowly than the text (a text repeated grows them not at all), and
#: every slot reserved costs memory and a page fault, while doubling later costs about one
#: re-insertion per n-gram
_RESERVE_GROWTH = 4
#: distinct n-grams of orders 1..4 per byte of the first megabyte of Chinese text (measured
#: 0.75 on the People's Daily 1998-01 text and on the scale benchmark's text): room reserved
#: before the first chunk, so its table does not double its way up
_FIRST_PER_BYTE = 0.75


def human_bytes(n: int) -> str:
    """``n`` bytes as a ``--max-memory`` value: ``8M`` when a whole number of K, M or G."""
    for unit, size in (("G", 1 << 30), ("M", 1 << 20), ("K", 1 << 10)):
        if n % size == 0:
            return f"{n // size}{unit}"
    return str(n)


def utf8_bytes(codes: np.ndarray) -> int:
    """Bytes of ``codes`` in UTF-8."""
    return int(codes.size + (codes >= 0x80).sum() + (codes >= 0x800).sum() + (codes >= 0x10000).sum())


def reserve(table: _ngram.NgramTable, corpus: Corpus, done_bytes: int) -> None:
    """After the first chunk, size the table once for the input (distinct n-grams grow at most
    about linearly with the text, and they are assumed to grow at most ``_RESERVE_GROWTH``-fold)
    instead of doubling it chunk by chunk."""
    if corpus.size and 0 < done_bytes < corpus.size:
        table.reserve(min(int(table.size * corpus.size / done_bytes), table.size * _RESERVE_GROWTH,
                          _RESERVE_LIMIT))


def first_reserve(table: _ngram.NgramTable, corpus: Corpus) -> None:
    """Before the first chunk: room for the n-grams of an input of this size (the first
    chunk's, estimated from its bytes, grown at most ``_RESERVE_GROWTH``-fold and never faster
    than the square root of the size ratio), so a small input fills one table, not a chain of
    doublings."""
    if not corpus.size:
        return
    first = min(corpus.size, corpus.chunk_bytes)
    estimate = first * _FIRST_PER_BYTE * min(table.max_n, 4) / 4
    growth = min(_RESERVE_GROWTH, math.sqrt(corpus.size / first))
    table.reserve(int(estimate * growth))
