"""Passes over a corpus for discovery and unsupervised segmentation (an internal seam).

:class:`Passes` counts a corpus once with the one n-gram counter
(:func:`nlpzero.count_ngrams` with ``collapse_ascii=True``), views the counts with dense ids per
order (``NgramCounts.view``), and replays the corpus's chunks later with the id of every n-gram
at every position (recorded while counting for chunks it keeps, looked up otherwise). It is
internal (not part of ``nlpzero.*``) but documented and stable enough for :mod:`nlpzero.nvbe` and
for tests, which check the scores computed from it against slow references.

This module is also the test seam of discovery and unsupervised segmentation: :func:`cohesion`,
:func:`best_split` and :func:`learn_model` are stable entry points into stages of
:mod:`nlpzero.discovery` that tests compare with references (tests import these, never the
underscore functions behind them).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import numpy as np

from . import _ngram
from ._progress import ProgressArg
from ._spill import spill_to_file
from ._text import cut_strings
from .errors import CorpusTooSmallError
from .ngrams import DEFAULT_MAX_MEMORY, ChunkCache, _count, symbol_chunks
from .nvbe import branching_entropies

__all__ = ["MIN_CHARACTERS", "Passes", "best_split", "cohesion", "learn_model"]

#: fewest characters in runs we try to learn from
MIN_CHARACTERS = 20
#: chunks of at most this many symbols in total are kept between passes (else re-read)
_CACHE_SYMBOLS = 1 << 22


class Passes:
    """Counts a corpus once and replays its chunks (with n-gram ids) later.

    The statistics behind :func:`nlpzero.discover`, :func:`nlpzero.learn_segmenter` and
    :mod:`nlpzero.nvbe`: ``counts`` (the :class:`~nlpzero.NgramCounts` of orders 1..max_n with
    ASCII stretches collapsed), ``N`` (its number of symbols), ``index`` (its
    ``NgramView``), ``levels`` (``index.level(k)`` for k = 1..max_n: counts, prefix and suffix
    ids), ``chars`` (order-1 id → code point), ``ascii1`` (order-1 ids that are collapsed ASCII
    stretches) and :meth:`chunks` (each chunk's codes, symbols, spans and n-gram ids, cached
    while small, else re-read). A read-once corpus (standard input, a generator) is first
    copied to a temporary file.

    Parameters
    ----------
    corpus : Corpus
    max_n : int
        Highest order counted.
    progress : bool or callable
    desc : str
        Label of the progress line.
    max_memory : int
        Budget of the counting table (see :func:`nlpzero.count_ngrams`).
    counts : NgramCounts, optional
        The counts of ``corpus`` taken elsewhere (``collapse_ascii=True``, unpruned, with the ids
        of a single count: :mod:`nlpzero.distributed`); then the corpus is only re-read.

    Raises
    ------
    nlpzero.errors.CorpusTooSmallError
        Fewer than :data:`MIN_CHARACTERS` characters in runs.
    """

    def __init__(self, corpus, max_n: int, progress: ProgressArg, desc: str,
                 max_memory: int = DEFAULT_MAX_MEMORY, counts=None):
        self._spill = None
        where = corpus.path
        if counts is None and not corpus.reiterable:
            self._spill = spill_to_file(corpus)
            corpus = self._spill.corpus
        self.corpus = corpus
        self.normalize = corpus.normalize
        cache = ChunkCache(_CACHE_SYMBOLS)
        if counts is None:
            self.counts = _count(corpus, max_n, 1, max_memory, True, progress, cache, desc)
        else:
            self.counts, cache.chunks = counts, None
        self.N = self.counts.N
        if self.N < MIN_CHARACTERS:
            raise CorpusTooSmallError(
                f"{where or 'the corpus'} is too small to learn from: {self.N} characters in runs of "
                f"word characters, need at least {MIN_CHARACTERS} (and thousands for useful statistics)")
        self.index = self.counts.view()
        self.cache = cache.chunks
        self.levels = [self.index.level(k) for k in range(1, max_n + 1)]
        self.chars = self.index.chars()
        # order-1 ids of the collapsed ASCII stretches (every ASCII letter/digit is in one)
        self.ascii1 = (self.chars == _ngram.DIGIT_SYMBOL) | (self.chars == _ngram.LATIN_SYMBOL)

    def chunks(self):
        """``(codes, sym, start, end, ids)`` per chunk: ``sym`` = order-1 ids (-1 after each
        run), ``start``/``end`` their spans in ``codes``, ``ids[k-1, i]`` the order-k id at i."""
        if self.cache is None:
            for codes, symbols, start, end in symbol_chunks(self.corpus):
                ids = self.index.ids(symbols)
                yield codes, ids[0], start, end, ids
            return
        for codes, _symbols, start, end, ids in self.cache:
            yield codes, ids[0], start, end, ids

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

    def strings(self, k: int, ids: np.ndarray) -> list[str]:
        sy = self.symbols_of(k, ids)
        codes = np.ascontiguousarray(self.chars[sy].astype(np.uint32))
        return codes.view(f"<U{k}").reshape(-1).tolist() if ids.size else []

    def pure(self, k: int, ids: np.ndarray) -> np.ndarray:
        """True for n-grams without collapsed ASCII symbols."""
        return ~self.ascii1[self.symbols_of(k, ids)].any(axis=1)

    def entropies(self, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(h_l, h_r) of every order-k n-gram (needs order k + 1)."""
        return branching_entropies(self.levels[k - 1][0], *self.levels[k])

    def count_pieces(self, joined_fn, max_k: int, long_ok=None):
        """Count the pieces left when each run is cut wherever ``joined_fn(sym, ids)`` (bool per
        symbol: joined to the next one) is False. Returns per-order counts (orders ≤ max_k, by id)
        and a Counter of the longer pieces (strings) that have no ASCII symbol and pass
        ``long_ok(ids, lo, length)`` (a bool mask per piece, vectorised)."""
        per_order = [np.zeros(self.levels[k - 1][0].size, dtype=np.int64) for k in range(1, max_k + 1)]
        longer: Counter = Counter()
        for _codes, sym, _start, _end, ids in self.chunks():
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
                ascii_before = np.concatenate(([0], np.cumsum((sym >= 0) & self.ascii1[sym])))
                big &= ascii_before[lo + length] == ascii_before[lo]
                if long_ok is not None:
                    big[big] = long_ok(ids, lo[big], length[big])
                longer.update(cut_strings(self.chars[np.maximum(sym, 0)], lo[big], length[big]))
        return per_order, longer


# ---------------------------------------------------------------------- stages tests check
# Stable entry points into stages of nlpzero.discovery / nlpzero.unsupervised that the tests compare with slow
# references. They delegate to the implementation, so a refactor keeps these signatures and the
# tests keep working; nothing here is API (use discover / learn_segmenter).
def cohesion(passes: Passes, k: int) -> np.ndarray:
    """Weakest-split PMI ``min_j log(N·c(w) / (c(w[:j])·c(w[j:])))`` of every order-k n-gram
    (by id) of ``passes`` (the score ``discover(method="mi")`` cuts on)."""
    from .discovery import _cohesion

    return _cohesion(passes, k)


def best_split(word: str, logp: dict) -> list[str] | None:
    """The best split of ``word`` into at least two words of ``logp`` (word -> log-probability),
    by unigram Viterbi, or None (the step of ``discover(method="min_entropy")`` that drops
    redundant words)."""
    from .discovery import _best_split

    return _best_split(word, logp)


def learn_model(corpus, *, max_word_len: int = 4, penalty: float = 0.0, refine: int = 0,
                min_count: int | None = None, encoding: str = "utf-8", errors: str = "strict",
                normalize: bool = True, progress: ProgressArg = False):
    """The passes and the learned model behind :func:`nlpzero.learn_segmenter` (same parameters).

    Returns
    -------
    passes : Passes
    model
        Scores every string of at most ``max_word_len`` symbols: ``model.score`` (concatenated
        by order, ``model.offset`` the start of each order), ``model.unknown``,
        ``model.max_word_len``.
    """
    from .unsupervised import _learn

    return _learn(corpus, max_word_len, penalty, refine, min_count, encoding, errors, normalize, progress)
