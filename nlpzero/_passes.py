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
from .ngrams import DEFAULT_MAX_MEMORY, _count, symbol_chunks
from .nvbe import branching_entropies

__all__ = ["MIN_CHARACTERS", "ChunkCache", "Passes", "best_split", "cohesion", "learn_model"]

#: fewest characters in runs we try to learn from
MIN_CHARACTERS = 20
#: chunks of at most this many symbols in total are kept between passes (else re-read)
_CACHE_SYMBOLS = 1 << 22


class ChunkCache:
    """The symbol chunks of the first counting pass, kept for a caller's later passes while they
    hold at most ``limit`` symbols in total (``chunks`` is None past that)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.reset()

    def reset(self) -> None:
        self.chunks: list | None = []
        self._symbols = 0

    @property
    def accepting(self) -> bool:
        return self.chunks is not None

    def add(self, codes: np.ndarray, sym: np.ndarray, start: np.ndarray, end: np.ndarray,
            ids: np.ndarray) -> None:
        """Keep one chunk with the n-gram ids of its positions (``NgramView`` ids)."""
        if self.chunks is None:
            return
        self.chunks.append((codes, sym, start, end, ids))
        self._symbols += sym.size
        if self._symbols > self.limit:
            self.chunks = None



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
    prune : callable, optional
        ``prune(totals) -> int``: keep only the n-grams seen at least that often (called once the
        per-order totals are known). The counts then cover orders 1..max_n - 1, and
        :meth:`entropies` are the exact branching entropies taken before pruning (see
        :func:`_pruned_statistics`): memory is bounded by ``max_memory`` and the threshold, not
        by the corpus. Chunks are then always read again.
    counts : NgramCounts, optional
        The counts of ``corpus`` taken elsewhere (``collapse_ascii=True``, with the ids of a
        single count: :mod:`nlpzero.distributed`); then the corpus is only re-read and ``prune``
        must be None. Unpruned, unless ``right`` is given.
    right : list of ndarray, optional
        With ``counts`` pruned elsewhere (orders 1..max_n - 1, as :func:`pruned_statistics_of`
        returns them): the exact right branching entropies of what they keep, by order and id;
        the passes then behave as with ``prune``.

    Raises
    ------
    nlpzero.errors.CorpusTooSmallError
        Fewer than :data:`MIN_CHARACTERS` characters in runs.
    """

    def __init__(self, corpus, max_n: int, progress: ProgressArg, desc: str,
                 max_memory: int = DEFAULT_MAX_MEMORY, prune=None, counts=None, right=None):
        self._spill = None
        where = corpus.path
        if counts is None and not corpus.reiterable:
            self._spill = spill_to_file(corpus)
            corpus = self._spill.corpus
        self.corpus = corpus
        self.normalize = corpus.normalize
        self._entropies = None       # True when pruned: right entropies kept, left ones on demand
        self._right = None
        #: pieces of at most max_n - 1 symbols that count_pieces left out (their n-gram was pruned)
        self.unlisted_pieces = 0
        if counts is not None:
            assert prune is None, "counts taken elsewhere were pruned there, if at all"
            self.counts, self.cache = counts, None
            if right is not None:
                self._right, self._entropies = right, True
                max_n -= 1
        elif prune is None:
            cache = ChunkCache(_CACHE_SYMBOLS)
            self.counts = _count(corpus, max_n, 1, max_memory, True, progress, cache, desc)
            self.cache = cache.chunks
        else:
            self.counts, self._right = _pruned_statistics(corpus, max_n, max_memory, prune, progress, desc)
            self._entropies = True
            self.cache = None
            max_n -= 1
        self.N = self.counts.N
        if self.N < MIN_CHARACTERS:
            raise CorpusTooSmallError(
                f"{where or 'the corpus'} is too small to learn from: {self.N} characters in runs of "
                f"word characters, need at least {MIN_CHARACTERS} (and thousands for useful statistics)")
        self.index = self.counts.view()
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
        """(h_l, h_r) of every order-k n-gram (needs order k + 1, or was taken before pruning)."""
        if self._entropies is not None:
            return self.entropies_of({k: np.arange(self.levels[k - 1][0].size)})[k]
        return branching_entropies(self.levels[k - 1][0], *self.levels[k])

    def entropies_of(self, selected: dict) -> dict:
        """(h_l, h_r) of the selected n-grams (order k → ids): ``{k: (h_l, h_r)}`` in the order
        of the ids. Unpruned, from the counts of order k + 1; pruned, the right entropies were
        taken before pruning and the left ones are counted in one more pass over the corpus
        (:func:`_left_sums`), only for these n-grams."""
        if self._entropies is None:
            out = {}
            for k, ids in selected.items():
                h_l, h_r = self.entropies(k)
                out[k] = (h_l[ids], h_r[ids])
            return out
        sums = _left_sums(self, selected)
        out = {}
        for k, ids in selected.items():
            ids = np.asarray(ids, dtype=np.int64)
            c = np.maximum(self.levels[k - 1][0][ids], 1).astype(np.float64)
            left = sums.get(k, np.zeros(ids.size))
            out[k] = (np.log(c) - left / c, self._right[k - 1][ids])
        return out

    def count_pieces(self, joined_fn, max_k: int, long_ok=None, chunks=None, mixed: Counter | None = None):
        """Count the pieces left when each run is cut wherever ``joined_fn(sym, ids)`` (bool per
        symbol: joined to the next one) is False. Returns per-order counts (orders ≤ max_k, by id)
        and a Counter of the longer pieces (strings) that have no ASCII symbol and pass
        ``long_ok(ids, lo, length)`` (a bool mask per piece, vectorised). ``chunks``: other
        ``(codes, sym, start, end, ids)`` chunks to count instead of :meth:`chunks` (``codes``
        None: their text is unknown). ``mixed``: a Counter that receives, for every piece with
        an ASCII symbol whose text is known, ``(literal text, symbols, order-k id or -1 when
        longer than max_k)`` (the text normalised as the statistics are)."""
        per_order = [np.zeros(self.levels[k - 1][0].size, dtype=np.int64) for k in range(1, max_k + 1)]
        longer: Counter = Counter()
        for codes, sym, start, end, ids in (self.chunks() if chunks is None else chunks):
            joined = joined_fn(sym, ids)
            word_start = sym >= 0
            word_start[1:] &= ~joined[:-1]
            bounds = np.flatnonzero(word_start | (sym < 0))
            first = np.flatnonzero(word_start[bounds])
            lo = bounds[first]
            length = bounds[first + 1] - lo
            for k in range(1, max_k + 1):
                sel = ids[k - 1, lo[length == k]]
                if self._entropies is not None:         # pruned: a rarer piece has no id
                    known = sel >= 0
                    self.unlisted_pieces += int(sel.size - known.sum())
                    sel = sel[known]
                per_order[k - 1] += np.bincount(sel, minlength=per_order[k - 1].size)
            is_ascii = np.zeros(sym.size, dtype=bool)
            listed = sym >= 0                        # -1: a run boundary (or, pruned, a rare symbol)
            is_ascii[listed] = self.ascii1[sym[listed]]
            ascii_before = np.concatenate(([0], np.cumsum(is_ascii)))
            pure = ascii_before[lo + length] == ascii_before[lo]
            big = (length > max_k) & pure
            if big.any():
                if long_ok is not None:
                    big[big] = long_ok(ids, lo[big], length[big])
                longer.update(cut_strings(self.chars[np.maximum(sym, 0)], lo[big], length[big]))
            if mixed is not None and codes is not None and not pure.all():
                m_lo, m_len = lo[~pure], length[~pure]
                a, b = start[m_lo], end[m_lo + m_len - 1]
                text = codes
                if self.normalize:
                    text = codes.copy()
                    _ngram.normalize_codes(text)
                k_id = np.where(m_len <= max_k, ids[np.minimum(m_len, max_k) - 1, m_lo], -1)
                mixed.update(zip(cut_strings(text, a, b - a), m_len.tolist(), k_id.tolist()))
        return per_order, longer


class _PrunedSink:
    """Receives the counting tables of :func:`_pruned_statistics`, one partition at a time: keeps
    the n-grams of orders < max_n seen at least ``threshold`` times with their extension sums."""

    def __init__(self, max_n: int, prune):
        self.max_n = max_n
        self.prune = prune
        self.threshold = None

    def reset(self) -> None:
        self.rows = []

    def add_table(self, table) -> None:
        if self.threshold is None:      # the totals are complete after the first partition's pass
            self.threshold = max(1, int(self.prune(table.totals)))
        self.rows.append(table.export_stats(self.threshold, self.max_n - 1))

    def stacked(self):
        if not self.rows:
            return (np.zeros((0, self.max_n), np.uint32), np.zeros(0, np.uint8), np.zeros(0, np.uint64),
                    np.zeros(0))
        out = tuple(np.concatenate([r[i] for r in self.rows]) for i in range(4))
        self.rows = []
        return out


def _pruned_statistics(corpus, max_n: int, max_memory: int, prune, progress, desc):
    """Counts of orders 1..max_n - 1 pruned at ``prune(totals)``, and the exact right branching
    entropies of what is kept, from bounded tables.

    The right entropy of x sums over x·a, which shares x's first symbol: it is exact in the
    table of x's hash partition (or in the one table when everything fits), rare extensions
    included; only then are the n-grams rarer than the threshold dropped. (Left entropies are
    taken later, for the n-grams that need them: :meth:`Passes.entropies_of`.)

    Returns (NgramCounts of orders 1..max_n - 1, [h_r by id for each order]).
    """
    forward = _PrunedSink(max_n, prune)
    totals = _count(corpus, max_n, 1, max_memory, True, progress, None, desc, sink=forward)
    return pruned_statistics_of(*forward.stacked(), totals, forward.threshold, max_n, corpus.normalize)


def pruned_statistics_of(codes, lengths, counts, right, totals, threshold: int, max_n: int, normalize: bool):
    """What :func:`_pruned_statistics` returns, from the rows of ``NgramTable.export_stats``
    (``threshold``, ``max_n - 1``) of every hash partition (stacked, in the order the ids are to
    follow) and the per-order ``totals`` of orders 1..max_n counted before pruning (also the
    collection of a Dask count, :mod:`nlpzero.distributed`)."""
    from .ngrams import NgramCounts, _add

    codes = codes[:, :max_n - 1].copy()
    table = _ngram.NgramTable(max_n - 1, 0, max(1024, int(counts.size * 1.7)))
    _add(table, codes, lengths, counts)
    table.add_totals(np.ascontiguousarray(totals[:max_n], dtype=np.uint64))
    pruned = NgramCounts(table, normalize, threshold, True)
    ids = table.ids_of(codes, lengths)
    del codes
    out = []
    for k in range(1, max_n):
        sel = lengths == k
        h_r = np.zeros(int(sel.sum()))
        c = counts[sel].astype(np.float64)
        h_r[ids[sel]] = np.log(c) - right[sel] / c
        out.append(h_r)
    return pruned, out


def _left_sums(passes: Passes, selected: dict) -> dict:
    """``Σ c(a·x) log c(a·x)`` over the left extensions a·x of each selected n-gram x (order k →
    its ids), counted in one pass over the corpus: every occurrence of x not at a run start
    adds one to the pair (x, the symbol before it). Pairs are few (the selected n-grams are
    frequent ones, each with its distinct left neighbours), so they are held as sorted keys."""
    orders = sorted(k for k, ids in selected.items() if len(ids))
    rank = {}
    base = 0
    for k in orders:
        r = np.full(passes.levels[k - 1][0].size, -1, dtype=np.int64)
        r[selected[k]] = base + np.arange(len(selected[k]))
        rank[k] = r
        base += len(selected[k])
    keys = np.zeros(0, dtype=np.int64)
    vals = np.zeros(0, dtype=np.int64)
    pend_k, pend_v, pending = [], [], 0
    for _codes, symbols, _start, _end in symbol_chunks(passes.corpus):
        if not orders:
            break
        ids = passes.index.ids(symbols)
        before = np.concatenate(([0], symbols[:-1])).astype(np.int64)    # 0: a run starts here
        for k in orders:
            row = ids[k - 1]
            occ = np.flatnonzero(row >= 0)
            occ = occ[before[occ] != 0]
            r = rank[k][row[occ]]
            occ = occ[r >= 0]
            if occ.size:
                u, c = np.unique((rank[k][row[occ]] << 21) | before[occ], return_counts=True)
                pend_k.append(u)
                pend_v.append(c)
                pending += u.size
        if pending > 1 << 22:
            keys, vals = _fold(keys, vals, pend_k, pend_v)
            pend_k, pend_v, pending = [], [], 0
    keys, vals = _fold(keys, vals, pend_k, pend_v)
    v = vals.astype(np.float64)
    contrib = np.where(vals > 1, v * np.log(np.maximum(v, 1.0)), 0.0)
    sums = np.bincount(keys >> 21, weights=contrib, minlength=base) if keys.size else np.zeros(base)
    out = {}
    base = 0
    for k in orders:
        out[k] = sums[base:base + len(selected[k])]
        base += len(selected[k])
    return out


def _fold(keys, vals, more_keys, more_vals):
    """Sorted unique keys with summed counts of (keys, vals) and the pending pieces."""
    if not more_keys:
        return keys, vals
    allk = np.concatenate([keys, *more_keys])
    allv = np.concatenate([vals, *more_vals])
    u, inv = np.unique(allk, return_inverse=True)
    return u, np.bincount(inv, weights=allv, minlength=u.size).astype(np.int64)


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

    passes, model, _sample = _learn(corpus, max_word_len, penalty, refine, min_count, encoding, errors, normalize,
                                    progress)
    return passes, model
