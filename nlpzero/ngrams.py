"""Character n-gram counts, streamed over corpora of any size.

For every run of word characters r, every start i and every order k ≤ max_n with
i + k ≤ |r|, the n-gram r[i:i+k] is counted. Counting streams the corpus in chunks of about
1 MB into a compiled hash-table trie (``nlpzero._ngram``); the table's size is capped by
``max_memory``. When the distinct n-grams do not fit, counting restarts with the n-grams split
into P hash partitions by their first character (P extrapolated from how much of the corpus
filled the budget), one pass over the corpus per partition: the result stays exact and the
table never exceeds ``max_memory``.

Partial counts merge exactly (:meth:`NgramCounts.merge`): count shards anywhere, save them with
:meth:`NgramCounts.save`, and add them up — the same merge a distributed engine runs.

Symbols
-------
By default every word character is one symbol. With ``collapse_ascii=True`` each maximal stretch
of ASCII letters and digits (after normalisation) is one symbol instead, written ``0`` when it
holds digits only and ``A`` otherwise: ``"１９９８年"`` is the two-symbol string ``"0年"``. This is
the text model of word discovery and unsupervised segmentation (a number is never split, and
statistics see ``<number>年`` as one frequent string), and those read exactly these counts:
``count_ngrams(corpus, collapse_ascii=True).N`` is the N of their formulas.
"""
from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from . import _limits as limits
from . import _ngram
from ._io import atomic_write
from ._limits import MAX_NGRAM_ORDER
from ._progress import ProgressArg, make_progress
from ._sizing import first_reserve, human_bytes, reserve, utf8_bytes
from ._text import as_codes
from ._validate import check_int
from .corpus import Corpus, Source, as_corpus
from .corpus import normalize as normalize_text
from .errors import CountOverflowError, InputError, MemoryBudgetError, ParameterError, ParameterTypeError

if TYPE_CHECKING:
    from ._passes import ChunkCache

__all__ = ["MAX_ORDER", "NgramCounts", "count_ngrams"]

#: Highest order the kernel supports.
MAX_ORDER = MAX_NGRAM_ORDER
#: Most hash partitions tried before giving up on a memory budget.
MAX_PARTITIONS = 4096
#: Default cap on the n-gram table, in bytes (16 bytes per slot, load factor ≤ 0.625).
DEFAULT_MAX_MEMORY = 1 << 30


def count_ngrams(
    corpus: Source,
    *,
    max_n: int = 4,
    min_count: int = 1,
    encoding: str = "utf-8",
    errors: str = "strict",
    normalize: bool = True,
    collapse_ascii: bool = False,
    max_memory: int = DEFAULT_MAX_MEMORY,
    progress: ProgressArg = False,
    client: Any = None,
) -> NgramCounts:
    """Count all character n-grams of orders 1..``max_n`` within runs.

    Parameters
    ----------
    corpus : path, file, iterable of str, or Corpus
        The text (see :class:`nlpzero.Corpus`). ``"-"`` reads standard input.
    max_n : int, default 4
        Highest order, 1..32.
    min_count : int, default 1
        Keep n-grams seen at least this often. Pruning happens after exact counting, and since a
        prefix is never rarer than its extensions the kept set is closed under prefixes.
    encoding, errors, normalize
        Passed to :class:`~nlpzero.Corpus` when ``corpus`` is not one already.
    collapse_ascii : bool, default False
        Count each maximal ASCII letter/digit stretch as one symbol, ``0`` (digits only) or ``A``
        (see the module docstring): the symbols of word discovery and unsupervised segmentation.
        Lookups collapse their keys the same way.
    max_memory : int, default 1 GiB
        Cap on the counting table in bytes (it briefly needs 1.5x this while it grows). When the
        distinct n-grams do not fit, counting is redone in hash partitions, one pass each; that
        needs a re-readable corpus (a path, a list), otherwise MemoryBudgetError is raised.
        Peak memory is about ``max_memory`` plus the result after ``min_count`` pruning (which
        is what bounds the result: raise ``min_count`` for huge corpora) plus a few chunk buffers.
    progress : bool or callable
        True shows progress on stderr for large inputs; a callable receives bytes read.
    client : dask.distributed.Client, optional
        Run on this Dask cluster (:mod:`nlpzero.distributed`; needs ``pip install "nlpzero[dask]"``):
        blocks of the input are counted on the workers and merged exactly by hash partition
        (``max_memory`` then caps each block's table); the same counts, with the same ids.
        ``corpus`` may then also be an fsspec URL (``s3://...``).

    Returns
    -------
    NgramCounts

    Raises
    ------
    nlpzero.errors.InputError, DecodeError, BinaryInputError
        Unreadable, undecodable or binary input.
    nlpzero.errors.MemoryBudgetError
        The n-grams do not fit in ``max_memory`` and the corpus cannot be re-read.

    Examples
    --------
    >>> counts = count_ngrams(["今天天气不错", "天气很好"], max_n=2)
    >>> counts["天气"], counts.total(1), counts.total(2)
    (2, 10, 8)
    >>> counts.most_common(2)
    [('天', 3), ('气', 2)]
    >>> symbols = count_ngrams(["１９９８年", "2024年ABC"], max_n=2, collapse_ascii=True)
    >>> symbols.N, symbols["0年"], symbols["1949年"], symbols["A"]
    (5, 2, 2, 1)
    """
    max_n = limits.check("max_n", max_n)
    min_count = limits.check("min_count", min_count)
    max_memory = limits.check("max_memory", max_memory)
    if client is not None:
        from .distributed import count_on

        return count_on(client, corpus, max_n=max_n, min_count=min_count, max_memory=max_memory,
                        collapse_ascii=bool(collapse_ascii), encoding=encoding, errors=errors,
                        normalize=normalize, progress=progress)[0]
    corpus = as_corpus(corpus, encoding=encoding, errors=errors, normalize=normalize)
    return _count(corpus, max_n, min_count, max_memory, bool(collapse_ascii), progress)


def _count(corpus: Corpus, max_n: int, min_count: int, max_memory: int, collapse_ascii: bool,
           progress: ProgressArg, cache: ChunkCache | None = None,
           desc: str = "counting n-grams", sink=None):
    """count_ngrams on a Corpus; ``cache`` (collapse_ascii only) receives the symbol chunks of
    the pass that produced the result's first partition.

    With ``sink`` (an object with ``reset()`` and ``add_table(table)``, such as
    ``nlpzero._export.Runs``), no result table is built: each finished partition's table is
    handed to ``sink.add_table`` (then freed) and the per-order totals are returned; ``reset()``
    is called before every attempt (a budget overrun restarts with more partitions)."""
    if cache is not None and (min_count > 1 or not collapse_ascii):
        raise ValueError("a chunk cache needs collapse_ascii=True and min_count=1")
    meter = make_progress(progress, corpus.size, desc)
    n_parts = 1
    try:
        while True:
            if cache is not None:
                cache.reset()
            if sink is not None:
                sink.reset()
            result = _count_partitioned(corpus, max_n, min_count, max_memory, n_parts, meter,
                                        collapse_ascii, cache, sink)
            if result is _OVERFLOW:
                raise CountOverflowError(
                    f"an n-gram of {corpus.path or 'the corpus'} occurs {2**32 - 1} times or more, "
                    "beyond what one count holds; count the corpus in parts")
            if not isinstance(result, _OverBudget):
                return result
            if not corpus.reiterable:
                raise MemoryBudgetError(
                    f"the distinct n-grams of {corpus.path or 'the corpus'} do not fit in max_memory="
                    f"{max_memory} bytes and the input cannot be re-read to count it in partitions; "
                    "pass a file path or a larger max_memory"
                )
            if n_parts >= MAX_PARTITIONS:
                need = _partition_need(corpus, max_n, n_parts, result.part, collapse_ascii)
                raise MemoryBudgetError(
                    f"max_memory={max_memory} bytes is too small to count {corpus.path or 'the corpus'} "
                    f"even in {n_parts} partitions: the n-grams of one partition alone need {need} "
                    f"bytes; raise max_memory to at least {need} (--max-memory {human_bytes(need)})"
                )
            n_parts = min(n_parts * _split_factor(corpus, result), MAX_PARTITIONS)
            meter.desc = f"{desc} ({n_parts} partitions)"
    finally:
        meter.close()


def _split_factor(corpus: Corpus, over: _OverBudget) -> int:
    """How many times more partitions to try after ``over``: the failed partition's distinct
    n-grams, extrapolated linearly from the share of the corpus read when it filled the budget
    (distinct n-grams grow at most about linearly, so this errs on the safe side), with 25%
    room; 4 when the size of the corpus is unknown."""
    if not corpus.size or not over.reached:
        return 4
    share = min(1.0, over.reached / corpus.size)
    return max(2, math.ceil(1.25 / max(share, 1e-3)))


def symbol_chunks(corpus: Corpus, progress=None):
    """``(codes, sym, start, end)`` for every chunk of the corpus that ends at a line end: its
    code points and its symbols with ASCII stretches collapsed (``_ngram.encode_symbols``)."""
    for text in corpus.line_chunks(progress):
        codes = as_codes(text)
        yield (codes, *_ngram.encode_symbols(codes, corpus.normalize, True))


def _count_pass(corpus: Corpus, table: _ngram.NgramTable, n_parts: int, part: int, meter,
                collapse_ascii: bool = False, cache: ChunkCache | None = None,
                reach: list | None = None) -> int:
    """Count one partition's n-grams; ``reach[0]`` gets the estimated bytes read when the pass
    stopped over budget."""
    try:
        return _count_chunks(corpus, table, n_parts, part, meter, collapse_ascii, cache, reach)
    finally:
        table.free_buffers()        # the kernel's working arrays, kept from chunk to chunk


def _count_chunks(corpus, table, n_parts, part, meter, collapse_ascii, cache, reach) -> int:
    first = True
    chars = 0
    ratio = 1.0
    if collapse_ascii:
        # chunks end at line ends, so no n-gram (and no ASCII stretch) spans two chunks
        keep = cache is not None and n_parts == 1
        if cache is not None and not keep:
            cache.chunks = None         # the ids of partition tables are not the result's
        for codes, sym, start, end in symbol_chunks(corpus, meter):
            ids = None
            if keep and cache.accepting:
                # record each position's n-gram ids: a later pass then needs no probe at all
                ids = np.empty((table.max_n, sym.size), dtype=np.int32)
            status = table.count_chunk(sym, sym.size, False, n_parts, part, part == 0, ids)
            if first:
                ratio = utf8_bytes(codes) / max(codes.size, 1)
            chars += codes.size
            if status != _ngram.OK:
                if reach is not None:
                    reach[0] = int(chars * ratio)
                return status
            if keep:
                cache.add(codes, sym, start, end, ids)
            if first and n_parts == 1:
                reserve(table, corpus, utf8_bytes(codes))
            first = False
        return _ngram.OK
    max_n = table.max_n
    tail = np.zeros(0, dtype=np.uint32)
    for chunk in corpus.codes(meter):
        codes = np.concatenate((tail, chunk)) if tail.size else chunk
        stop = max(codes.size - (max_n - 1), 0)
        status = table.count_chunk(codes, stop, corpus.normalize, n_parts, part, part == 0)
        if first:
            ratio = utf8_bytes(codes) / max(codes.size, 1)
        chars += chunk.size
        if status != _ngram.OK:
            if reach is not None:
                reach[0] = int(chars * ratio)
            return status
        if first and n_parts == 1:
            reserve(table, corpus, utf8_bytes(codes))
        first = False
        tail = codes[stop:]
    if tail.size:
        return table.count_chunk(tail, tail.size, corpus.normalize, n_parts, part, part == 0)
    return _ngram.OK


_OVERFLOW = object()        # _count_partitioned's answer when a count overflowed


class _OverBudget:
    """_count_partitioned's answer when partition ``part`` did not fit in the budget, after
    about ``reached`` bytes of the corpus (0: unknown)."""

    def __init__(self, part: int, reached: int = 0):
        self.part = part
        self.reached = reached


def _partition_need(corpus, max_n, n_parts, part, collapse_ascii) -> int:
    """Bytes of the table that holds partition ``part`` of ``n_parts`` (one more, unbounded
    pass): the budget below which counting cannot make progress."""
    table = _ngram.NgramTable(max_n)
    _count_pass(corpus, table, n_parts, part, None, collapse_ascii)
    cap = 1 << 10
    while table.size > cap * 3 // 4:
        cap <<= 1
    return cap * 16


def _count_partitioned(corpus, max_n, min_count, max_memory, n_parts, meter, collapse_ascii=False,
                       cache=None, sink=None):
    if n_parts == 1:
        table = _ngram.NgramTable(max_n, max_memory)
        first_reserve(table, corpus)
        reach = [0]
        status = _count_pass(corpus, table, 1, 0, meter, collapse_ascii, cache, reach)
        if status != _ngram.OK:
            return _OVERFLOW if status == _ngram.COUNT_OVERFLOW else _OverBudget(0, reach[0])
        if sink is not None:
            sink.add_table(table)
            return table.totals
        counts = NgramCounts(table, corpus.normalize, 1, collapse_ascii)
        return counts.prune(min_count) if min_count > 1 else counts
    final = _ngram.NgramTable(max_n) if sink is None else None   # the (pruned) result
    totals = None
    size = 0
    for part in range(n_parts):
        table = _ngram.NgramTable(max_n, max_memory)
        if sink is not None:
            # about the size of the partition before (hash partitions); not for a result table:
            # its rows are added in the slot order of each partition's table, which gives the ids
            table.reserve(size)
        reach = [0]
        status = _count_pass(corpus, table, n_parts, part, meter, collapse_ascii, cache, reach)
        if status != _ngram.OK:
            return _OVERFLOW if status == _ngram.COUNT_OVERFLOW else _OverBudget(part, reach[0])
        size = table.size
        if sink is not None:
            if part == 0:
                totals = table.totals
            sink.add_table(table)
            del table
            continue
        if part == 0:
            final.add_totals(table.totals)
        codes, lengths, counts, _ = table.export(min_count)
        del table
        _add(final, codes, lengths, counts)
    if sink is not None:
        return totals
    return NgramCounts(final, corpus.normalize, min_count, collapse_ascii)


def _add(table: _ngram.NgramTable, codes, lengths, counts) -> None:
    """``table.add`` (an unbounded table), raising on a count beyond 2**32 - 1."""
    if table.add(codes, lengths, counts) == _ngram.COUNT_OVERFLOW:
        raise CountOverflowError(f"an n-gram count exceeds {2**32 - 1}, beyond what one count holds")


_ASCII_STRETCH = re.compile(r"[0-9A-Za-z]+")


def collapse_ascii_text(text: str) -> str:
    """``text`` with each ASCII letter/digit stretch replaced by its symbol, ``0`` or ``A``."""
    return _ASCII_STRETCH.sub(lambda m: "0" if m.group().isdigit() else "A", text)


@dataclass(frozen=True)
class _Arrays:
    codes: np.ndarray     # (n, max_n) uint32, zero-padded
    lengths: np.ndarray   # (n,) uint8
    counts: np.ndarray    # (n,) uint64
    parent: np.ndarray    # (n,) int64, row of the prefix or -1


class NgramCounts:
    """Counts of character n-grams of orders 1..max_n; usually made by :func:`count_ngrams`.

    Lookups take the n-gram as a string (``counts["中国"]``, 0 when absent, like
    ``collections.Counter``) or in bulk (:meth:`counts_of`). Listings are in frequency order:
    count descending, then shorter first, then by code point.

    Attributes
    ----------
    max_n : int
        Highest order counted.
    min_count : int
        N-grams rarer than this were pruned (1: nothing pruned).
    normalize : bool
        Whether the counts were taken on normalised text (lookups normalise their keys too).
    collapse_ascii : bool
        Whether each ASCII letter/digit stretch counted as one symbol ``0`` or ``A`` (lookups
        collapse their keys too).
    """

    def __init__(self, table: _ngram.NgramTable, normalize: bool = True, min_count: int = 1,
                 collapse_ascii: bool = False):
        self._table = table
        self.max_n = table.max_n
        self.normalize = bool(normalize)
        self.min_count = int(min_count)
        self.collapse_ascii = bool(collapse_ascii)
        self._arrays: _Arrays | None = None
        self._view: _ngram.NgramView | None = None

    # ------------------------------------------------------------- summary
    @property
    def totals(self) -> np.ndarray:
        """``uint64`` array of length max_n + 1: ``totals[k]`` n-gram occurrences of order k
        (before pruning); ``totals[1]`` is N, the number of characters in runs."""
        return self._table.totals

    @property
    def N(self) -> int:
        """Number of characters in runs (the number of 1-gram occurrences)."""
        return int(self._table.totals[1])

    def total(self, order: int) -> int:
        """Number of n-gram occurrences of order ``order`` (before pruning)."""
        order = check_int("order", order, minimum=1, maximum=self.max_n)
        return int(self._table.totals[order])

    def __len__(self) -> int:
        """Number of distinct n-grams kept."""
        return int(self._table.size)

    @property
    def nbytes(self) -> int:
        """Bytes held by the lookup table."""
        return int(self._table.nbytes)

    def __repr__(self) -> str:
        extra = ", collapse_ascii=True" if self.collapse_ascii else ""
        return (f"NgramCounts(max_n={self.max_n}, distinct={len(self)}, N={self.N}, "
                f"min_count={self.min_count}{extra})")

    def view(self) -> _ngram.NgramView:
        """Dense ids per order with counts and prefix/suffix links, built from these counts once
        (the statistics of discovery and unsupervised segmentation are arrays over it)."""
        if self._view is None:
            self._view = _ngram.NgramView(self._table)
        return self._view

    # ------------------------------------------------------------- lookups
    def counts_of(self, ngrams: Sequence[str]) -> np.ndarray:
        """Counts of many n-grams at once (``uint64`` array; 0 for absent or longer than max_n)."""
        ngrams = list(ngrams)
        if not ngrams:
            return np.zeros(0, dtype=np.uint64)
        if self.collapse_ascii:
            ngrams = [collapse_ascii_text(normalize_text(s) if self.normalize else s)
                      if isinstance(s, str) else s for s in ngrams]
        lengths = np.fromiter((len(s) for s in ngrams), dtype=np.int64, count=len(ngrams))
        ok = (lengths >= 1) & (lengths <= self.max_n)
        padded = np.array([s if good else "" for s, good in zip(ngrams, ok)], dtype=f"<U{self.max_n}")
        codes = np.ascontiguousarray(padded.view(np.uint32).reshape(len(ngrams), self.max_n))
        if self.normalize:
            codes = codes.copy()
            _ngram.normalize_codes(codes.reshape(-1))
        return self._table.lookup(codes, np.where(ok, lengths, 0).astype(np.uint8))

    def __getitem__(self, ngram: str) -> int:
        if not isinstance(ngram, str):
            raise ParameterTypeError(f"n-grams are looked up by str, got {type(ngram).__name__}")
        return int(self.counts_of([ngram])[0])

    def get(self, ngram: str, default: int = 0) -> int:
        """The count of ``ngram``, or ``default`` when it is absent."""
        count = self[ngram]
        return count if count else default

    def __contains__(self, ngram: object) -> bool:
        return isinstance(ngram, str) and self[ngram] > 0

    # ------------------------------------------------------------- listings
    def _export(self) -> _Arrays:
        if self._arrays is None:
            self._arrays = _Arrays(*self._table.export(1))
        return self._arrays

    def arrays(self, *, order: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """N-grams and counts as arrays, in frequency order.

        Parameters
        ----------
        order : int, optional
            Only n-grams of this length.

        Returns
        -------
        ngrams : ndarray of str (dtype ``<U{max_n}``), shape (n,)
        counts : ndarray of uint64, shape (n,)
        """
        a = self._export()
        rows = np.arange(a.lengths.size)
        if order is not None:
            check_int("order", order, minimum=1, maximum=self.max_n)
            rows = np.flatnonzero(a.lengths == order)
        codes = a.codes[rows]
        counts = a.counts[rows]
        keys = [codes[:, j] for j in range(self.max_n - 1, -1, -1)]
        keys.append(a.lengths[rows])
        keys.append(-counts.astype(np.int64))
        order_idx = np.lexsort(keys)
        codes = np.ascontiguousarray(codes[order_idx])
        return codes.view(f"<U{self.max_n}").reshape(-1), counts[order_idx]

    def items(self, *, order: int | None = None) -> Iterator[tuple[str, int]]:
        """(n-gram, count) pairs in frequency order (only those of length ``order`` when given)."""
        ngrams, counts = self.arrays(order=order)
        for start in range(0, ngrams.size, 1 << 16):
            yield from zip(ngrams[start : start + (1 << 16)].tolist(), counts[start : start + (1 << 16)].tolist())

    def most_common(self, k: int | None = None, *, order: int | None = None) -> list[tuple[str, int]]:
        """The ``k`` most frequent n-grams (all when None) as (n-gram, count) pairs, of every
        order or only of length ``order``.

        >>> count_ngrams(["今天天气不错", "天气很好"], max_n=2).most_common(1, order=2)
        [('天气', 2)]
        """
        ngrams, counts = self.arrays(order=order)
        if k is not None:
            k = check_int("k", k, minimum=0)
            ngrams, counts = ngrams[:k], counts[:k]
        return list(zip(ngrams.tolist(), counts.tolist()))

    def to_dict(self) -> dict:
        """``{ngram: count}`` for every kept n-gram (convenient for small tables only)."""
        ngrams, counts = self.arrays()
        return dict(zip(ngrams.tolist(), counts.tolist()))

    def write_tsv(self, out: str | os.PathLike[str] | IO[str], *, order: int | None = None,
                  header: bool = True) -> int:
        """Write ``ngram<TAB>count`` lines in frequency order (path: atomically). Returns the row count.

        The optional header line starts with ``#``.
        """
        if isinstance(out, (str, os.PathLike)):
            with atomic_write(out) as f:
                return self.write_tsv(f, order=order, header=header)
        from ._export import Runs

        if order is not None:
            order = check_int("order", order, minimum=1, maximum=self.max_n)
        # sorted in batches and merged (nlpzero._export): memory stays bounded on huge tables
        with Runs(self.max_n) as runs:
            runs.add_table(self._table, 1, order or 0)
            return runs.write_listing(out, header)

    # ------------------------------------------------------------- algebra
    def prune(self, min_count: int) -> NgramCounts:
        """A copy without the n-grams seen fewer than ``min_count`` times (totals unchanged)."""
        min_count = limits.check("min_count", min_count)
        codes, lengths, counts, _ = self._table.export(min_count)
        table = _ngram.NgramTable(self.max_n, 0, max(1024, int(counts.size * 1.7)))
        _add(table, codes, lengths, counts)
        table.add_totals(self._table.totals)
        return NgramCounts(table, self.normalize, max(min_count, self.min_count), self.collapse_ascii)

    def merge(self, *others: NgramCounts) -> NgramCounts:
        """Exact sum of these counts and ``others`` (a new object; inputs unchanged).

        All must have the same ``max_n`` and ``normalize`` and be unpruned (``min_count=1``):
        adding pruned tables would silently undercount. Prune the merged result instead.
        """
        parts = (self, *others)
        for p in parts:
            if not isinstance(p, NgramCounts):
                raise ParameterTypeError(f"can only merge NgramCounts, got {type(p).__name__}")
            if (p.max_n, p.normalize, p.collapse_ascii) != (self.max_n, self.normalize, self.collapse_ascii):
                raise ParameterError("merged counts must have the same max_n, normalize and collapse_ascii settings")
            if p.min_count > 1:
                raise ParameterError(
                    "merging pruned counts would undercount; count the parts with min_count=1 and "
                    "prune the merged result"
                )
        size = sum(len(p) for p in parts)
        table = _ngram.NgramTable(self.max_n, 0, max(1024, int(size * 1.7)))
        for p in parts:
            a = p._export()
            _add(table, a.codes, a.lengths, a.counts)
            table.add_totals(p._table.totals)
        return NgramCounts(table, self.normalize, 1, self.collapse_ascii)

    # ------------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike[str]) -> None:
        """Save exactly (``.npz``), for merging later with :meth:`load` + :meth:`merge`."""
        a = self._export()
        with atomic_write(path, "wb") as f:
            np.savez_compressed(
                f, codes=a.codes, lengths=a.lengths, counts=a.counts, totals=self._table.totals,
                meta=np.array([self.max_n, int(self.normalize), self.min_count, int(self.collapse_ascii)],
                              dtype=np.int64),
            )

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> NgramCounts:
        """Load counts written by :meth:`save`."""
        import zipfile

        try:
            with np.load(path, allow_pickle=False) as z:
                meta = [int(x) for x in z["meta"]]
                max_n, normalize, min_count = meta[:3]
                collapse = bool(meta[3]) if len(meta) > 3 else False
                codes, lengths, counts, totals = z["codes"], z["lengths"], z["counts"], z["totals"]
        except FileNotFoundError:
            raise InputError(f"{path}: no such file", str(path)) from None
        except (OSError, KeyError, ValueError, EOFError, zipfile.BadZipFile):
            # (numpy's own message for a non-zip file is advice about allow_pickle: not useful here)
            raise InputError(f"{path}: not an n-gram file written by NgramCounts.save (damaged, truncated or "
                             "another format)", str(path)) from None
        table = _ngram.NgramTable(max_n, 0, max(1024, int(counts.size * 1.7)))
        _add(table, np.ascontiguousarray(codes), lengths, counts)
        table.add_totals(totals)
        return cls(table, bool(normalize), min_count, collapse)
