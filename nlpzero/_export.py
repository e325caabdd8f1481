"""Listing n-gram counts in frequency order with bounded memory (an internal seam).

A listing (``NgramCounts.write_tsv``, ``nlpzero ngrams -o F``) is in frequency order: count
descending, then shorter first, then by code point. Sorting every column of a large table at
once costs about 100 bytes per n-gram on top of the table, so the table is exported in batches
instead (:meth:`nlpzero._ngram.NgramTable.buckets` splits it by a hash of the first symbol), each
batch is sorted alone into a *run*, and the runs are merged (a k-way merge in blocks). Runs stay in
memory while they are small and go to temporary files (in ``$TMPDIR``, removed afterwards) once
they hold more than :data:`BATCH_ROWS` rows together; the files take about ``4·max_n + 9`` bytes
per n-gram. The rows (and so the output) are exactly those of one global sort.

The counting partitions of :func:`nlpzero.count_ngrams` feed the same runs one partition table
at a time (:func:`stream_tsv`), so an export never holds more than one partition's table.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator
from typing import IO

import numpy as np

from . import _ngram

#: rows sorted at once (about 90 bytes each while sorting), and rows of the merge's working set
BATCH_ROWS = 1 << 21
#: smallest block read from one run at a time during a merge
MIN_BLOCK_ROWS = 1 << 13
#: rows formatted into text at a time
_WRITE_ROWS = 1 << 16


def frequency_order(codes: np.ndarray, lengths: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Indices that put rows in frequency order (count descending, shorter first, then by code
    point); n-grams are distinct, so the order is total.

    The sort keys are packed into 64-bit integers (count, length and the first symbol in one;
    three 21-bit symbols in each further one) and sorted by a compiled stable radix sort from
    the least significant key (:func:`nlpzero._ngram.frequency_order`).
    """
    return _ngram.frequency_order(np.ascontiguousarray(codes, dtype=np.uint32),
                                  np.ascontiguousarray(lengths, dtype=np.uint8),
                                  np.ascontiguousarray(counts, dtype=np.uint64))


def _contiguous(codes, lengths, counts):
    return (np.ascontiguousarray(codes, dtype=np.uint32), np.ascontiguousarray(lengths, dtype=np.uint8),
            np.ascontiguousarray(counts, dtype=np.uint64))


class _Run:
    """One sorted run: in memory (three arrays) or in a file of packed records."""

    def __init__(self, codes, lengths, counts, path: str | None, dtype: np.dtype):
        self.size = int(counts.size)
        self.path = path
        self.dtype = dtype
        if path is None:
            self.arrays = (codes, lengths, counts)
        else:
            self.arrays = None
            _write_records(path, dtype, codes, lengths, counts)

    @classmethod
    def on_disk(cls, path: str, size: int, dtype: np.dtype) -> _Run:
        run = cls.__new__(cls)
        run.size, run.path, run.dtype, run.arrays = int(size), path, dtype, None
        return run

    def remove(self) -> None:
        self.arrays = None
        if self.path is not None and os.path.exists(self.path):
            os.remove(self.path)

    def spill(self, path: str) -> None:
        if self.arrays is not None:
            _write_records(path, self.dtype, *self.arrays)
            self.arrays, self.path = None, path

    def blocks(self, rows: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        if self.arrays is not None:
            codes, lengths, counts = self.arrays
            for start in range(0, self.size, rows):
                yield codes[start:start + rows], lengths[start:start + rows], counts[start:start + rows]
            return
        with open(self.path, "rb") as f:
            while True:
                rec = np.fromfile(f, dtype=self.dtype, count=rows)
                if rec.size == 0:
                    return
                yield np.ascontiguousarray(rec["codes"]), rec["length"].copy(), rec["count"].copy()


def _write_records(path, dtype, codes, lengths, counts) -> None:
    rec = np.empty(counts.size, dtype=dtype)
    rec["codes"] = codes
    rec["length"] = lengths
    rec["count"] = counts
    with open(path, "wb") as f:
        rec.tofile(f)


class Runs:
    """Sorted runs of n-gram rows and their merge in frequency order.

    Parameters
    ----------
    max_n : int
        Width of the code rows.
    batch_rows : int
        Rows sorted at once, and the most rows runs hold in memory together before they are
        written to temporary files.
    min_count, order : int
        What :meth:`add_table` exports by default: n-grams seen at least ``min_count`` times, of
        length ``order`` only (0: every length).
    """

    def __init__(self, max_n: int, batch_rows: int = BATCH_ROWS, *, min_count: int = 1, order: int = 0):
        self.max_n = max_n
        self.min_count = int(min_count)
        self.order = int(order)
        self.batch_rows = max(1, int(batch_rows))
        self.dtype = np.dtype([("codes", "<u4", (max_n,)), ("length", "u1"), ("count", "<u8")])
        self.runs: list[_Run] = []
        self._in_memory = 0
        self._files = 0
        self._dir: str | None = None
        self._cleanup = None

    def _path(self) -> str:
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="nlpzero-runs-")
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, True)
        self._files += 1
        return os.path.join(self._dir, f"run{self._files}.bin")

    def add(self, codes: np.ndarray, lengths: np.ndarray, counts: np.ndarray) -> None:
        """Sort one batch of rows into a run."""
        if counts.size == 0:
            return
        codes, lengths, counts = _contiguous(codes, lengths, counts)
        order = _ngram.frequency_order(codes, lengths, counts)
        codes, lengths, counts = _ngram.take_rows(codes, lengths, counts, order)
        if self._in_memory + counts.size <= self.batch_rows:
            self.runs.append(_Run(codes, lengths, counts, None, self.dtype))
            self._in_memory += counts.size
            return
        for run in self.runs:            # past the bound: every run to disk
            if run.arrays is not None:
                run.spill(self._path())
        self._in_memory = 0
        self.runs.append(_Run(codes, lengths, counts, self._path(), self.dtype))

    def reset(self) -> None:
        """Drop every run (a counting attempt starts again)."""
        self.close()
        self._in_memory = 0

    def add_table(self, table: _ngram.NgramTable, min_count: int | None = None, order: int | None = None) -> None:
        """The rows of ``table.export(min_count)`` (of length ``order`` only, unless 0), sorted in
        batches of at most about ``batch_rows`` rows (``min_count``/``order`` default to the
        constructor's)."""
        min_count = self.min_count if min_count is None else min_count
        order = self.order if order is None else order
        n_buckets = min(max(1, -(-int(table.size) // self.batch_rows)), _ngram.NO_BUCKET - 1)
        if n_buckets == 1:      # one batch: no split (the same rows, one scan of the table)
            self.add(*table.export_kept(min_count, order))
            return
        buckets = table.buckets(n_buckets, min_count)
        for b in range(n_buckets):
            self.add(*table.export_bucket(buckets, b, order))

    @property
    def size(self) -> int:
        return sum(run.size for run in self.runs)

    def merged(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """``(codes, counts)`` blocks of all rows in frequency order.

        At most ``fan_in`` runs are merged at once (a block of each in memory); more runs are
        first merged in groups into longer runs on disk, as an external sort does.
        """
        fan_in = max(8, self.batch_rows // MIN_BLOCK_ROWS)
        while len(self.runs) > fan_in:
            merged_runs = []
            for g in range(0, len(self.runs), fan_in):
                group = self.runs[g:g + fan_in]
                path = self._path()
                size = 0
                with open(path, "wb") as f:
                    for codes, lengths, counts in self._merge(group):
                        rec = np.empty(counts.size, dtype=self.dtype)
                        rec["codes"], rec["length"], rec["count"] = codes, lengths, counts
                        rec.tofile(f)
                        size += counts.size
                for run in group:
                    run.remove()
                merged_runs.append(_Run.on_disk(path, size, self.dtype))
            self.runs = merged_runs
        for codes, _lengths, counts in self._merge(self.runs):
            yield codes, counts

    def _merge(self, runs: list[_Run]) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """``(codes, lengths, counts)`` blocks of the rows of ``runs`` in frequency order.

        Each round loads the next block of every run whose loaded rows are all out, sorts what
        is loaded, and hands out the rows up to the smallest "last loaded row" among runs not
        yet finished: no row still unread can come before those.
        """
        if len(runs) <= 1:
            for run in runs:
                yield from run.blocks(self.batch_rows)
            return
        k = len(runs)
        block = max(min(MIN_BLOCK_ROWS, self.batch_rows), self.batch_rows // k)
        readers = [run.blocks(block) for run in runs]
        done = np.zeros(k, dtype=bool)
        pending = np.zeros(k, dtype=np.int64)         # rows of each run loaded, not yet out
        pool = (np.zeros((0, self.max_n), np.uint32), np.zeros(0, np.uint8), np.zeros(0, np.uint64))
        pool_run = np.zeros(0, np.int32)
        pool_last = np.zeros(0, bool)
        while True:
            parts = [pool]
            runs_of = [pool_run]
            lasts = [pool_last]
            topped = []
            for r in range(k):
                # top up every run with less than half a block loaded (not only empty ones): the
                # threshold then moves by about half a block of every run per round
                if done[r] or pending[r] >= max(1, block // 2):
                    continue
                got = next(readers[r], None)
                if got is None:
                    done[r] = True
                    continue
                n = got[2].size
                parts.append(got)
                runs_of.append(np.full(n, r, np.int32))
                last = np.zeros(n, bool)
                last[-1] = True
                lasts.append(last)
                if pending[r]:
                    topped.append(r)
                pending[r] += n
            if topped:          # their earlier last rows are not the last loaded any more
                pool_last = pool_last & ~np.isin(pool_run, topped)
                lasts[0] = pool_last
            if len(parts) > 1:
                pool = tuple(np.concatenate([p[i] for p in parts]) for i in range(3))
                pool_run = np.concatenate(runs_of)
                pool_last = np.concatenate(lasts)
                pool = _contiguous(*pool)
                idx = _ngram.frequency_order(*pool)
                pool = _ngram.take_rows(*pool, idx)
                pool_run, pool_last = pool_run[idx], pool_last[idx]
                del idx
            if pool[2].size == 0:
                return
            live = pool_last & ~done[pool_run]
            cut = int(np.argmax(live)) + 1 if live.any() else pool[2].size
            yield pool[0][:cut], pool[1][:cut], pool[2][:cut]
            pending -= np.bincount(pool_run[:cut], minlength=k)
            pool = tuple(a[cut:] for a in pool)
            pool_run, pool_last = pool_run[cut:], pool_last[cut:]

    def close(self) -> None:
        """Remove the temporary files now."""
        self.runs = []
        if self._cleanup is not None:
            self._cleanup()
        self._dir = self._cleanup = None

    def __enter__(self) -> Runs:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write_listing(self, out: IO[str], header: bool) -> int:
        """Write the listing: the optional ``#ngram<TAB>count`` header line, then every row in
        frequency order. Returns the row count."""
        if header:
            out.write("#ngram\tcount\n")
        return write_rows(out, self.merged(), self.max_n)


def write_rows(out: IO[str], blocks, max_n: int) -> int:
    """Write ``ngram<TAB>count`` lines for ``(codes, counts)`` blocks; returns the row count."""
    rows = 0
    for codes, counts in blocks:
        codes = np.ascontiguousarray(codes)
        counts = np.ascontiguousarray(counts, dtype=np.uint64)
        for start in range(0, counts.size, _WRITE_ROWS):
            text = _ngram.format_rows(codes[start:start + _WRITE_ROWS], counts[start:start + _WRITE_ROWS])
            out.write(text.decode("utf-8", "surrogatepass"))
        rows += int(counts.size)
    return rows


def stream_tsv(corpus, out: IO[str], *, max_n: int, min_count: int, max_memory: int,
               order: int | None = None, header: bool = True, progress=False,
               batch_rows: int = BATCH_ROWS) -> tuple[int, int]:
    """Count ``corpus`` (a Corpus) and write its n-grams as ``write_tsv`` would, without ever
    building the whole table: each counting partition is sorted into runs and freed, and the runs
    are merged into ``out``. Returns (rows written, N). Memory: the counting table
    (``max_memory``) plus about ``90 * batch_rows`` bytes."""
    from .ngrams import _count

    with Runs(max_n, batch_rows, min_count=min_count, order=order or 0) as runs:
        totals = _count(corpus, max_n, min_count, max_memory, False, progress, sink=runs)
        return runs.write_listing(out, header), int(totals[1])
