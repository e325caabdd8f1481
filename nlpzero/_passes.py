"""Passes over a corpus for discovery and unsupervised segmentation (an internal seam).

:class:`Passes` counts a corpus into the compiled n-gram index once and replays its chunks
later with their n-gram ids, so the second pass of :func:`nlpzero.discover` and
:func:`nlpzero.learn_segmenter` costs no re-encoding. It is internal (not part of
``nlpzero.*``) but documented and stable enough for :mod:`nlpzero.nvbe` and for tests, which
check the scores computed from it against slow references.
"""
from __future__ import annotations

from collections import Counter
from typing import Iterator, List, Optional, Tuple

import numpy as np

from . import _discover
from ._progress import ProgressArg, make_progress
from ._text import as_codes, cut_strings
from .errors import CorpusTooSmallError
from .nvbe import branching_entropies

__all__ = ["Passes", "MIN_CHARACTERS"]

#: fewest characters in runs we try to learn from
MIN_CHARACTERS = 20
#: chunks of at most this many symbols in total are kept between passes (else re-read)
_CACHE_SYMBOLS = 1 << 22


class Passes:
    """Feeds a corpus into an NgramIndex once and replays its chunks (with n-gram ids) later.

    The statistics behind :func:`nlpzero.discover`, :func:`nlpzero.learn_segmenter` and
    :mod:`nlpzero.nvbe`: ``index`` (the n-gram index up to order ``max_n``), ``levels``
    (``index.level(k)`` for k = 1..max_n: counts, prefix and suffix ids), ``chars`` (symbol id →
    code point) and :meth:`chunks` (each chunk's codes, symbols, spans and n-gram ids, cached
    while small, else re-read).

    Parameters
    ----------
    corpus : Corpus
    max_n : int
        Highest order indexed.
    progress : bool or callable
    desc : str
        Label of the progress line.

    Raises
    ------
    nlpzero.errors.CorpusTooSmallError
        Fewer than :data:`MIN_CHARACTERS` characters in runs.
    """

    def __init__(self, corpus, max_n: int, progress: ProgressArg, desc: str):
        self.corpus = corpus
        self.index = _discover.NgramIndex(max_n, True)
        self.normalize = corpus.normalize
        cache: Optional[list] = []
        cached = 0
        meter = make_progress(progress, corpus.size, desc)
        first = True
        try:
            for text in corpus.line_chunks(meter):
                codes = as_codes(text)
                sym, start, end = self.index.encode(codes, self.normalize)
                ids = self.index.feed(sym)
                if first and corpus.size:
                    # size the n-gram tables once for the whole file (distinct n-grams grow at
                    # most about linearly with the text) rather than doubling them chunk by chunk
                    done = len(text.encode(corpus.encoding, "replace"))
                    if 0 < done < corpus.size:
                        self.index.reserve(corpus.size / done)
                first = False
                if cache is not None:
                    cache.append((codes, sym, start, end, ids))
                    cached += sym.size
                    if cached > _CACHE_SYMBOLS and corpus.reiterable:
                        cache = None
        finally:
            meter.close()
        self.cache = cache
        n = self.index.n_symbols
        if n < MIN_CHARACTERS:
            where = corpus.path or "the corpus"
            raise CorpusTooSmallError(
                f"{where} is too small to learn from: {n} characters in runs of word characters, "
                f"need at least {MIN_CHARACTERS} (and thousands for useful statistics)")
        self.levels = [self.index.level(k) for k in range(1, max_n + 1)]
        self.chars = self.index.chars()

    def chunks(self):
        if self.cache is not None:
            yield from self.cache
            return
        for text in self.corpus.line_chunks():
            codes = as_codes(text)
            sym, start, end = self.index.encode(codes, self.normalize)
            yield codes, sym, start, end, self.index.feed(sym, add=False)

    def texts(self) -> Iterator[str]:
        """The corpus text again, in the same chunks (each ends at a line end)."""
        if self.cache is None:
            yield from self.corpus.line_chunks()
            return
        for codes, *_ in self.cache:
            yield codes.tobytes().decode("utf-32-le", "surrogatepass")

    # -------------------------------------------------------------- array helpers
    def prefix_ids(self, k: int, ids: np.ndarray, j: int) -> np.ndarray:
        """Ids (order j) of w[:j] for order-k ids."""
        for order in range(k, j, -1):
            ids = self.levels[order - 1][1][ids]
        return ids

    def suffix_ids(self, k: int, ids: np.ndarray, j: int) -> np.ndarray:
        """Ids (order k - j) of w[j:] for order-k ids."""
        for order in range(k, k - j, -1):
            ids = self.levels[order - 1][2][ids]
        return ids

    def symbols_of(self, k: int, ids: np.ndarray) -> np.ndarray:
        """(n, k) symbol ids of order-k n-grams."""
        out = np.empty((ids.size, k), dtype=np.int32)
        for j in range(k):
            out[:, j] = self.suffix_ids(j + 1, self.prefix_ids(k, ids, j + 1), j)
        return out

    def strings(self, k: int, ids: np.ndarray) -> List[str]:
        sy = self.symbols_of(k, ids)
        codes = np.ascontiguousarray(self.chars[sy].astype(np.uint32))
        return codes.view(f"<U{k}").reshape(-1).tolist() if ids.size else []

    def pure(self, k: int, ids: np.ndarray) -> np.ndarray:
        """True for n-grams without collapsed ASCII symbols."""
        return (self.symbols_of(k, ids) > _discover.LATIN).all(axis=1)

    def entropies(self, k: int) -> Tuple[np.ndarray, np.ndarray]:
        """(h_l, h_r) of every order-k n-gram (needs order k + 1)."""
        return branching_entropies(self.levels[k - 1][0], *self.levels[k])

    def count_pieces(self, joined_fn, max_k: int, long_ok=None):
        """Count the pieces left when each run is cut wherever ``joined_fn(sym, ids)`` (bool per
        symbol: joined to the next one) is False. Returns per-order counts (orders ≤ max_k, by id)
        and a Counter of the longer pieces (strings) that have no ASCII symbol and pass
        ``long_ok(ids, lo, length)`` (a bool mask per piece, vectorised)."""
        per_order = [np.zeros(self.levels[k - 1][0].size, dtype=np.int64) for k in range(1, max_k + 1)]
        longer: Counter = Counter()
        for codes, sym, start, end, ids in self.chunks():
            joined = joined_fn(sym, ids)
            word_start = sym >= 0
            word_start[1:] &= ~joined[:-1]
            bounds = np.flatnonzero(word_start | (sym < 0))
            first = np.flatnonzero(word_start[bounds])
            lo = bounds[first]
            length = bounds[first + 1] - lo
            for k in range(1, max_k + 1):
                sel = lo[length == k]
                per_order[k - 1] += np.bincount(ids[k - 1, sel], minlength=per_order[k - 1].size)
            big = length > max_k
            if big.any():
                ascii_before = np.concatenate(([0], np.cumsum((sym >= 0) & (sym <= _discover.LATIN))))
                big &= ascii_before[lo + length] == ascii_before[lo]
                if long_ok is not None:
                    big[big] = long_ok(ids, lo[big], length[big])
                longer.update(cut_strings(self.chars[np.maximum(sym, 0)], lo[big], length[big]))
        return per_order, longer
