"""Scale-out on a Dask cluster: the ``client=`` of the big jobs, ``--scheduler`` of the commands.

:func:`nlpzero.count_ngrams`, :func:`nlpzero.discover`, :func:`nlpzero.learn_segmenter` and
:func:`nlpzero.segment_file` take ``client=`` (a ``dask.distributed.Client``); the commands
``ngrams``, ``discover``, ``learn`` and ``segment`` take ``--scheduler ADDRESS`` or
``--scheduler local:N``. The results are byte for byte those of the single-process run. What
runs where:

- **read** (workers): a path or fsspec URL (``s3://...``) is cut by ``dask.bytes.read_bytes``
  into blocks that end at a newline (``delimiter=b"\\n"``, 2 blocks per worker, 64 KiB to
  64 MiB each), each read by one worker; every line is read once. Other inputs (a list of
  lines, standard input) are cut into chunks of whole lines here and shipped to the workers.
- **count** (workers): each block is decoded and counted by the compiled kernel of
  :func:`nlpzero.count_ngrams` into a table of its own, whose n-grams are split into hash
  partitions by their first symbol.
- **merge** (workers): one reduce task per partition adds up the partial counts of every block
  exactly (``NgramTable.add``); no process ever holds every block's table.
- **collect** (here): the merged partitions become one :class:`~nlpzero.NgramCounts` whose
  n-grams carry the ids a single-process count gives them (the order in which they first occur
  in the text), so everything computed from it is the same to the last bit.
- **list** (``nlpzero ngrams --scheduler``, :func:`list_on`): instead of being collected, each
  merged partition is filtered on its worker and fetched in slices into sorted runs here, which
  are merged into the output (the one-process listing, byte for byte, in bounded memory here).
  When the blocks' pieces, extrapolated from the first block's, would not fit half of
  ``max_memory`` on each worker, the input is counted in passes over hash groups of first
  symbols, one group at a time, so the workers' memory is bounded too.
- **score and learn** (here): discovery's cohesion and piece counts, nVBE's scores and
  segmentation of the training text and the joint model need the whole statistic at once; they
  run in this process on the merged counts, re-reading the input (a URL through fsspec).
- **segment** (workers): the segmenter is sent once to every worker
  (``client.scatter(..., broadcast=True)``), each block is segmented where it was read, and the
  results are written here in input order through the one atomic writer (:mod:`nlpzero._io`): a
  failure leaves nothing at the destination (:mod:`nlpzero._dask_segment`).

Dask is an optional extra (``pip install "nlpzero[dask]"``), imported only when used.

Examples
--------
A cluster of threads in this process is the cheapest to start (real jobs use worker processes:
``LocalCluster(n_workers=4)``, ``--scheduler local:4``, or a scheduler's address):

>>> import logging
>>> from dask.distributed import Client, LocalCluster
>>> import nlpzero
>>> lines = ["今天天气不错", "天气很好"] * 50
>>> with LocalCluster(n_workers=2, processes=False, dashboard_address=":0",
...                   silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
...     counts = nlpzero.count_ngrams(lines, max_n=2, client=client)
...     out = io.BytesIO()
...     result = nlpzero.segment_file(lines, out, segmenter={"今天": 3, "天气": 2}, client=client)
>>> counts.to_dict() == nlpzero.count_ngrams(lines, max_n=2).to_dict()
True
>>> result.lines, out.getvalue().decode().splitlines()[:2]
(100, ['今天 天气 不 错', '天气 很 好'])
"""
from __future__ import annotations

import codecs
import contextlib
import io
import itertools
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from ._reading import is_url
from .errors import (
    CountOverflowError,
    DecodeError,
    DependencyError,
    InputError,
    MemoryBudgetError,
    ParameterError,
    ParameterTypeError,
    SchedulerError,
    WorkerError,
)

__all__ = ["INSTALL_HINT", "check_client", "connect", "parse_scheduler", "require_dask"]

#: What to run when Dask is missing.
INSTALL_HINT = "pip install 'nlpzero[dask]'"
#: Blocks per worker, and the bounds of a block's size in bytes.
BLOCKS_PER_WORKER = 2
MIN_BLOCK_BYTES = 64 << 10
MAX_BLOCK_BYTES = 64 << 20
#: The share of ``max_memory`` that one pass of a listing (``ngrams --scheduler``) may hold on
#: each worker (the pieces of its blocks, the reduce tasks' inputs, tables and rows; see
#: :func:`_row_bytes`): the rest is for the count task's own table and the interpreter.
PASS_SHARE = 0.5
#: A listing's blocks hold at most ``max_memory / LISTING_BLOCK_SHARE`` bytes (8 MiB at 1 GiB):
#: a count task's text, buffers, table and pieces took 43 bytes per byte of Chinese text (3 bytes
#: a character, about one distinct n-gram a character) and 85 on ASCII words (every letter a
#: symbol), measured on 8 MiB blocks, so a task stays well inside the budget, and the first
#: block, counted alone to plan the passes, is quick. Smaller blocks cost little: most 4-grams
#: of a large text are distinct in any block (measured on the benchmarks' realistic text:
#: 0.30-0.35 distinct n-grams per byte for blocks of 4 to 64 MiB).
LISTING_BLOCK_SHARE = 128
#: At most this many passes over the input (a budget that needs more is refused, naming the
#: smallest budget that would do).
MAX_GROUPS = 1024
_GOLDEN32 = 2654435761


# ---------------------------------------------------------------------- cluster
def require_dask():
    """The ``distributed`` package, or DependencyError saying how to install it."""
    try:
        import distributed
        from dask import bytes as _  # noqa: F401  (read_bytes)
    except ImportError:
        raise DependencyError(f"Dask is not installed: {INSTALL_HINT}", "dask") from None
    return distributed


def check_client(client: Any):
    """``client`` itself if it is a ``dask.distributed.Client``.

    Raises
    ------
    nlpzero.errors.DependencyError
        Dask is not installed.
    nlpzero.errors.ParameterTypeError
        ``client`` is something else.
    """
    distributed = require_dask()
    if not isinstance(client, distributed.Client):
        raise ParameterTypeError(f"`client` must be a dask.distributed.Client, got {type(client).__name__}")
    return client


def parse_scheduler(spec: str) -> tuple[str, Any]:
    """``("local", N)`` for ``local:N``, else ``("address", spec)``; ParameterError for anything
    that is neither (``local:0``, ``local:abc``, an address without a host and port).

    Examples
    --------
    >>> parse_scheduler("local:2"), parse_scheduler("tcp://10.0.0.5:8786")
    (('local', 2), ('address', 'tcp://10.0.0.5:8786'))
    """
    from . import _limits as limits

    text = str(spec).strip()
    if text.lower().startswith("local:"):
        n = text[6:]
        if not n.isdigit() or not 1 <= int(n) <= limits.LIMITS["jobs"].maximum:
            raise ParameterError(f"{text!r}: local:N needs a number of worker processes N from 1 to "
                                 f"{limits.LIMITS['jobs'].maximum}", "scheduler", spec)
        return "local", int(n)
    rest = text.split("://", 1)[1] if "://" in text else text
    host, _, port = rest.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536 or "/" in rest:
        raise ParameterError(f"{text!r} is neither a scheduler address such as tcp://host:8786 nor "
                             "local:N", "scheduler", spec)
    return "address", text


def _connect_timeout() -> float:
    import dask.config
    from dask.utils import parse_timedelta

    return float(parse_timedelta(dask.config.get("distributed.comm.timeouts.connect", "30s")))


@contextlib.contextmanager
def connect(spec: str) -> Iterator[Any]:
    """A ``Client`` for ``--scheduler`` ``spec`` (see :func:`parse_scheduler`), closed afterwards.

    ``local:N`` starts a ``LocalCluster`` of N single-threaded worker processes for the run and
    stops it at the end. An address is connected to within Dask's connect timeout
    (``distributed.comm.timeouts.connect``, 30 s unless configured, e.g.
    ``DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT=5s``), and the scheduler must have a worker
    within the same time.

    Examples
    --------
    Starting worker processes takes seconds, so this example is not run by the test suite:

    >>> with connect("local:2") as client:                          # doctest: +SKIP
    ...     lexicon = nlpzero.discover("corpus.txt", client=client)

    Raises
    ------
    nlpzero.errors.SchedulerError
        The scheduler cannot be reached, or has no worker, within the timeout.
    nlpzero.errors.DependencyError
        Dask is not installed.
    """
    kind, value = parse_scheduler(spec)
    distributed = require_dask()
    import logging

    if kind == "local":
        cluster = distributed.LocalCluster(n_workers=value, threads_per_worker=1, processes=True,
                                           dashboard_address=":0", silence_logs=logging.ERROR)
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    timeout = _connect_timeout()
    try:
        client = distributed.Client(value, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as exc:
        raise SchedulerError(f"cannot reach the Dask scheduler at {value} within {timeout:g} s "
                             f"({type(exc).__name__}); is it running?", value) from None
    try:
        try:
            client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError) as exc:
            raise SchedulerError(f"the Dask scheduler at {value} has no worker after {timeout:g} s "
                                 f"({type(exc).__name__})", value) from None
        yield client
    finally:
        client.close()


def _n_workers(client) -> int:
    return max(1, len(client.scheduler_info().get("workers", {})))


@contextlib.contextmanager
def _lost_workers() -> Iterator[None]:
    """A worker that died for good (Dask retries a task a few times first), or a task cancelled
    for lost dependencies (``FutureCancelledError`` is a ``CancelledError``) -> WorkerError."""
    from concurrent.futures import CancelledError

    from distributed import KilledWorker

    try:
        yield
    except (KilledWorker, CancelledError) as exc:
        raise WorkerError(f"a Dask worker died or the job was cancelled ({type(exc).__name__}: "
                          f"{' '.join(str(exc).split())[:200]}); out of memory?") from None


# ---------------------------------------------------------------------- input
class _Input:
    """Where the blocks of a job come from: ``url`` (a path or fsspec URL, read by the workers
    with ``read_bytes``) or, when it is None, ``corpus`` read here in chunks of whole lines.
    ``corpus`` is also what later local passes re-read."""

    def __init__(self, corpus, url, name, encoding, errors, normalize):
        self.corpus = corpus
        self.url = url
        self.name = name
        self.encoding = encoding
        self.errors = errors
        self.normalize = normalize
        self.size = corpus.size if corpus is not None else None

    def blocks(self, client, max_bytes: int = MAX_BLOCK_BYTES) -> list:
        """Delayed raw blocks (``url``) of at most about ``max_bytes`` each, or an iterator of
        str chunks (``corpus``)."""
        if self.url is None:
            return self.corpus.line_chunks()
        from dask.bytes import read_bytes

        size = self.size
        if size is None:
            import fsspec

            fs, path = fsspec.core.url_to_fs(self.url)
            size = fs.size(path)
        per = -(-max(size, 1) // (BLOCKS_PER_WORKER * _n_workers(client)))
        blocksize = min(max(per, MIN_BLOCK_BYTES), max_bytes)
        _, blocks = read_bytes(self.url, delimiter=b"\n", blocksize=blocksize, sample=False)
        if len(blocks) != 1:
            raise InputError(f"{self.url}: names {len(blocks)} files; give one file", self.url)
        return blocks[0]


def _input(source, encoding: str, errors: str, normalize: bool, rereadable: bool) -> _Input:
    """The :class:`_Input` of a job's corpus argument. A one-shot corpus that must be read twice
    (``rereadable``) is first copied to a temporary file (kept alive by the result)."""
    from .corpus import as_corpus

    if is_url(source):
        corpus = url_corpus(source, encoding, errors, normalize)      # local re-reading, later passes
        inp = _Input(corpus, source, source, encoding, errors, normalize)
        _check_head(inp)
        return inp
    corpus = as_corpus(source, encoding=encoding, errors=errors, normalize=normalize)
    if corpus.size is not None and corpus.is_binary and corpus.cuts_bytes_at_newlines:
        # a file of this machine: the workers read it themselves
        inp = _Input(corpus, corpus.path, corpus.path, corpus.encoding, corpus.errors, corpus.normalize)
        _check_head(inp)
        return inp
    spill = None
    if rereadable and not corpus.reiterable:
        from ._spill import spill_to_file

        spill = spill_to_file(corpus)
        corpus = spill.corpus
    inp = _Input(corpus, None, corpus.path, corpus.encoding, corpus.errors, corpus.normalize)
    inp.spill = spill
    return inp


def url_corpus(url: str, encoding: str, errors: str, normalize: bool):
    """A :class:`~nlpzero.Corpus` that reads the fsspec URL ``url`` in this process (named by
    the URL in messages; its ``size`` the file system's, or None when it does not say).

    Raises
    ------
    nlpzero.errors.InputError
        The URL cannot be opened (no such file, no such file system installed...).
    """
    import fsspec

    from .corpus import Corpus

    try:
        fs, path = fsspec.core.url_to_fs(url)
        opened = fs.open(path, "rb")
    except (OSError, ImportError, ValueError) as exc:
        raise InputError(f"{url}: cannot open it ({type(exc).__name__}: {exc})", url) from None
    corpus = Corpus(opened, encoding=encoding, errors=errors, normalize=normalize)
    corpus.path = url
    try:
        corpus.size = int(fs.size(path))
    except (OSError, TypeError, ValueError, NotImplementedError):
        corpus.size = None
    return corpus


def _check_head(inp: _Input) -> None:
    """The checks a single-process read makes on the first bytes (a binary file, UTF-16/32 text
    under another encoding), with the same messages."""
    import fsspec

    from ._reading import SNIFF_BYTES
    from .corpus import Corpus

    with fsspec.open(inp.url, "rb") as f:
        head = f.read(SNIFF_BYTES)
    probe = Corpus(io.BytesIO(head), encoding=inp.encoding, errors=inp.errors)
    probe.path = inp.name
    for _ in probe.blocks():
        pass


def _decode(block, first: bool, encoding: str, errors: str):
    """``(text, None)`` or ``(None, (offset in the block, reason))`` for a raw block (str blocks
    pass through). The first block loses a UTF-8 byte-order mark, as in a single-process read."""
    from ._reading import decode_piece

    if isinstance(block, str):
        return block, None
    skip = 0
    if first and codecs.lookup(encoding).name == "utf-8" and block.startswith(codecs.BOM_UTF8):
        skip = len(codecs.BOM_UTF8)
    return decode_piece((skip, bytes(block[skip:])), encoding, errors)


def _raise_decode(inp: _Input, sizes: list, index: int, where: tuple) -> None:
    offset = sum(sizes[:index]) + where[0]
    raise DecodeError(inp.name, offset, inp.encoding, where[1], getattr(inp.corpus, "decode_hint", None))


# ---------------------------------------------------------------------- counting
def _count_block(block, first, max_n, collapse, normalize, max_memory, encoding, errors, n_parts,
                 n_groups=1, group=0, totals=True):
    """Count one block (worker). Returns ``(meta, pieces)``: ``meta = (bytes, totals, error,
    rows)``, ``pieces[p] = (codes, lengths, counts, lid)`` for the n-grams whose first symbol
    hashes to partition p, by order then by id in the block's table (the order they first occur
    in it). With ``n_groups`` > 1 only the n-grams of hash group ``group`` are counted (a pass of
    :func:`list_on`): its ``n_parts`` partitions are those of the ``n_parts * n_groups``
    partitions of the whole statistic that fall in the group (the same hash, so a partition
    never straddles two groups)."""
    from . import _ngram
    from ._text import as_codes

    nbytes = len(block.encode("utf-8")) if isinstance(block, str) else len(block)
    text, error = _decode(block, first, encoding, errors)
    if error is not None:
        return (nbytes, None, ("decode", error), 0), None
    codes = as_codes(text)
    table = _ngram.NgramTable(max_n, max_memory)
    if collapse:
        codes, norm = _ngram.encode_symbols(codes, normalize, True)[0], False
    else:
        norm = normalize
    table.reserve(codes.size * max_n * 2 // 5 // n_groups)     # about the distinct n-grams of a block
    status = table.count_chunk(codes, codes.size, norm, n_groups, group, totals)
    table.free_buffers()
    del codes
    if status != _ngram.OK:
        kind = "overflow" if status == _ngram.COUNT_OVERFLOW else "budget"
        return (nbytes, None, (kind, len(text)), 0), None
    if n_groups == 1:
        pieces = _split_rows(table, max_n, n_parts)
    else:
        pieces = _split_group(table, max_n, n_parts, n_groups, group)
    return (nbytes, table.totals, None, int(table.size)), pieces


def _split_rows(table, K: int, n_parts: int) -> list:
    from . import _ngram

    view = _ngram.NgramView(table)
    parts: list = [[] for _ in range(n_parts)]
    prev = last = part = None
    for k in range(1, K + 1):
        cnt, pre, suf = view.level(k)
        codes = np.zeros((cnt.size, K), dtype=np.uint32)
        if k == 1:
            last = view.chars()
            part = ((((last.astype(np.uint64) * _GOLDEN32) & 0xFFFFFFFF) * n_parts) >> 32).astype(np.intp)
        else:
            codes[:, : k - 1] = prev[pre, : k - 1]
            last = last[suf]
            part = part[pre]                    # the partition of the first symbol, along prefixes
        codes[:, k - 1] = last
        order = np.argsort(part, kind="stable")  # by partition, by id within each
        bounds = np.searchsorted(part[order], np.arange(n_parts + 1))
        for p in range(n_parts):
            sel = order[bounds[p] : bounds[p + 1]]
            parts[p].append((codes[sel], cnt[sel].astype(np.uint64), sel.astype(np.uint32)))
        prev = codes
    return [_stack(rows, K) for rows in parts]


def _split_group(table, K: int, n_parts: int, n_groups: int, group: int) -> list:
    """:func:`_split_rows` for a table of one hash group, whose suffix links the view cannot
    follow (a suffix starts with another symbol, so is in another group): the rows come from
    ``export``, and their ids are row numbers (the order of a listing does not depend on them)."""
    codes, lengths, counts, _ = table.export(1)
    order = np.argsort(lengths, kind="stable")
    codes, lengths, counts = codes[order], lengths[order], counts[order]
    del order
    first = codes[:, 0].astype(np.uint64)
    part = ((((first * _GOLDEN32) & 0xFFFFFFFF) * (n_parts * n_groups)) >> 32).astype(np.intp) - group * n_parts
    by = np.argsort(part, kind="stable")        # by partition, by length within each
    bounds = np.searchsorted(part[by], np.arange(n_parts + 1))
    out = []
    for p in range(n_parts):
        sel = by[bounds[p] : bounds[p + 1]]
        out.append((np.ascontiguousarray(codes[sel]), lengths[sel], counts[sel], np.arange(sel.size, dtype=np.uint32)))
    return out


def _stack(rows: list, K: int):
    codes = np.concatenate([r[0] for r in rows]) if rows else np.zeros((0, K), np.uint32)
    lengths = np.concatenate([np.full(r[0].shape[0], k + 1, np.uint8) for k, r in enumerate(rows)])
    return (np.ascontiguousarray(codes), lengths, np.concatenate([r[1] for r in rows]),
            np.concatenate([r[2] for r in rows]))


def _piece(result, p):
    return result[1][p]


def _meta(result):
    return result[0]


def _merge_partition(K: int, *pieces, threshold: int = 0):
    """Add up one partition of every block's counts (worker), exactly. Returns ``(codes,
    lengths, counts, key)`` of its distinct n-grams, where ``key = block << 32 | id`` names the
    block where the n-gram first occurs and its id there; ``None`` when a count overflowed.

    With a ``threshold``, only the n-grams of orders 1..K - 1 seen at least that often, as
    ``(codes, lengths, counts, key, sums)`` with the right-extension sums of
    ``NgramTable.export_stats``: exact, since every right extension of an n-gram shares its
    first symbol, hence its partition (as in a single-process count in partitions)."""
    from . import _ngram

    total = sum(p[0].shape[0] for p in pieces)
    table = _ngram.NgramTable(K, 0, max(1024, int(total * 1.4)))
    out_codes, out_len, out_key = [], [], []
    for k in range(1, K + 1):
        for b, (codes, lengths, counts, lid) in enumerate(pieces):
            lo, hi = np.searchsorted(lengths, [k, k + 1])
            if lo == hi:
                continue
            c, n = codes[lo:hi], lengths[lo:hi]
            # not in an earlier block (the rows of one block are distinct)
            new = table.lookup(c, n) == 0 if b else np.ones(c.shape[0], dtype=bool)
            if table.add(c, n, counts[lo:hi]) == _ngram.COUNT_OVERFLOW:
                return None
            out_codes.append(c[new])
            out_len.append(n[new])
            out_key.append((np.uint64(b) << np.uint64(32)) | lid[lo:hi][new].astype(np.uint64))
    if not out_codes:
        empty = (np.zeros((0, K), np.uint32), np.zeros(0, np.uint8), np.zeros(0, np.uint64), np.zeros(0, np.uint64))
        return empty + ((np.zeros(0),) if threshold else ())
    lengths = np.concatenate(out_len)
    if threshold:
        keys = np.concatenate(out_key)
        del out_codes
        codes, lengths_kept, counts, sums = table.export_stats(threshold, K - 1)
        ids = table.ids_of(codes, lengths_kept)
        start = np.searchsorted(lengths, np.arange(K + 1))  # the order-k rows, in id order
        return codes, lengths_kept, counts, keys[start[lengths_kept] + ids], sums
    codes = np.ascontiguousarray(np.concatenate(out_codes))
    return codes, lengths, table.lookup(codes, lengths), np.concatenate(out_key)


def count_on(client, corpus, *, max_n: int, min_count: int, max_memory: int, collapse_ascii: bool,
             encoding: str, errors: str, normalize: bool, progress=False, rereadable: bool = False):
    """:func:`nlpzero.count_ngrams` on a Dask cluster (the caller checked the parameters).
    Returns ``(counts, input)``; the counts are those of a single-process count, with the same
    ids (n-grams numbered per order in the order they first occur)."""
    check_client(client)
    inp = _input(corpus, encoding, errors, normalize, rereadable)
    counts = _count(client, inp, max_n, max_memory, collapse_ascii, progress)
    if min_count > 1:
        counts = counts.prune(min_count)
    return counts, inp


def list_on(client, corpus, out, *, max_n: int, min_count: int, max_memory: int, order: int | None,
            header: bool, encoding: str, errors: str, normalize: bool, progress=False,
            batch_rows: int | None = None) -> tuple[int, int]:
    """``nlpzero ngrams --scheduler``: count ``corpus`` on the cluster and write its listing to
    ``out`` as :meth:`nlpzero.NgramCounts.write_tsv` would, byte for byte, without ever holding the
    merged counts here. Each merged partition is filtered on its worker (``min_count``,
    ``order``) and fetched in slices of at most ``batch_rows`` rows, each sorted into a run of
    :class:`nlpzero._export.Runs` (spilled to temporary files past ``batch_rows`` rows); the runs
    are merged into ``out``. This process holds about ``90 * batch_rows`` bytes whatever the size of
    the input. Returns (rows written, N)."""
    from . import _limits as limits
    from ._export import BATCH_ROWS, Runs

    check_client(client)
    max_n = limits.check("max_n", max_n)
    min_count = limits.check("min_count", min_count)
    max_memory = limits.check("max_memory", max_memory)
    batch_rows = BATCH_ROWS if batch_rows is None else max(1, int(batch_rows))
    inp = _input(corpus, encoding, errors, normalize, True)      # passes over hash groups re-read it
    if inp.size is None and inp.url is None:       # text in memory: its size, to plan the passes
        inp.size = sum(len(chunk.encode("utf-8", "surrogatepass")) for chunk in inp.corpus.line_chunks())
    with Runs(max_n, batch_rows) as runs:
        def sink(reducer) -> None:
            rows = reducer
            n = client.submit(_n_rows, rows, pure=False).result()
            if n is None:
                raise _overflow(inp)
            for lo in range(0, n, batch_rows):
                runs.add(*client.submit(_rows_slice, rows, lo, lo + batch_rows, pure=False).result())
            rows.release()

        totals = _list(client, inp, max_n, max_memory, progress, sink, (min_count, order or 0))
        return runs.write_listing(out, header), int(totals[1])


def _overflow(inp: _Input) -> CountOverflowError:
    return CountOverflowError(f"an n-gram count of {inp.name or 'the corpus'} exceeds {2**32 - 1}, "
                              "beyond what one count holds")


def _merge_rows(K: int, min_count: int, order: int, *pieces):
    """One partition of a listing (worker): the rows ``(codes, lengths, counts)`` that the listing
    keeps of the exact sum of every block's piece (seen at least ``min_count`` times, of length
    ``order`` only unless 0); ``None`` when a count overflowed. Only the merged table and the rows
    are built (no ids: a listing is sorted by its rows)."""
    from . import _ngram

    total = sum(p[0].shape[0] for p in pieces)
    table = _ngram.NgramTable(K, 0, max(1024, int(total * 1.4)))
    for codes, lengths, counts, _ in pieces:
        if table.add(codes, lengths, counts) == _ngram.COUNT_OVERFLOW:
            return None
    return table.export_kept(min_count, order)


def _n_rows(rows) -> int | None:
    return None if rows is None else int(rows[2].size)


def _rows_slice(rows, lo: int, hi: int):
    return tuple(a[lo:hi] for a in rows)


def _submit_counts(client, inp: _Input, blocks, args: tuple, start: int = 0) -> list:
    """Futures of :func:`_count_block` over ``blocks`` (the first of the input is ``start == 0``)."""
    import dask

    if inp.url is not None:
        return client.compute([dask.delayed(_count_block, pure=False)(b, start + i == 0, *args)
                               for i, b in enumerate(blocks)])
    return [client.submit(_count_block, text, start + i == 0, *args, pure=False)
            for i, text in enumerate(blocks)]


def _collect_metas(client, inp: _Input, futures: list, meter, max_memory: int, metas: list) -> None:
    """Append the metas of ``futures`` (blocks ``len(metas)``...) to ``metas`` as they come;
    the first block that failed raises its error (the others are cancelled)."""
    start = len(metas)
    for f in futures:
        meta = client.submit(_meta, f).result()
        meter.update(meta[0])
        metas.append(meta)
    sizes = [m[0] for m in metas]
    for i in range(start, len(metas)):
        if metas[i][2] is not None:
            client.cancel(futures)
            _block_error(inp, sizes, i, metas[i][2], max_memory)


def _totals(metas: list, K: int) -> np.ndarray:
    totals = np.zeros(K + 1, dtype=np.uint64)
    for m in metas:
        totals += m[1]
    return totals


def _reduce(client, futures: list, K: int, n_parts: int, threshold: int = 0, keep=None) -> list:
    """One reduce task per partition over the pieces of ``futures``: :func:`_merge_partition`, or
    with ``keep = (min_count, order)`` the rows of a listing (:func:`_merge_rows`)."""
    if keep is not None:
        return [client.submit(_merge_rows, K, *keep, *[client.submit(_piece, f, p) for f in futures], pure=False)
                for p in range(n_parts)]
    return [client.submit(_merge_partition, K, *[client.submit(_piece, f, p) for f in futures],
                          threshold=threshold) for p in range(n_parts)]


def _row_bytes(K: int) -> int:
    """What a pass of :func:`list_on` holds on the workers per row of the blocks' pieces (a
    distinct n-gram of one block) at most, in bytes: the piece (``4K + 13``: codes, length,
    count, id), its copy sent to the reduce task, the merged table's slot (16 bytes at a load of
    3/8 to 3/4, 43 at worst) and the merged row (``4K + 9``)."""
    return 2 * (4 * K + 13) + 43 + 4 * K + 9


def _listing_block_bytes(max_memory: int) -> int:
    return max(MIN_BLOCK_BYTES, min(MAX_BLOCK_BYTES, max_memory // LISTING_BLOCK_SHARE))


def _n_groups(rows: int, nbytes: int, size: int | None, K: int, max_memory: int, n_workers: int) -> int:
    """The passes over hash groups that keep a listing's pieces within the workers' budget:
    ``rows`` distinct n-grams in a first block of ``nbytes`` bytes extrapolate (each block holds
    its own distinct n-grams) to ``rows * size / nbytes`` rows of pieces in all, and one pass may
    hold ``PASS_SHARE * max_memory`` bytes on each of the ``n_workers`` workers.

    Raises
    ------
    nlpzero.errors.MemoryBudgetError
        More than ``MAX_GROUPS`` passes would be needed: the smallest budget that would do is named.
    """
    if not rows or not nbytes or not size:
        return 1
    need = rows * (size / nbytes) * _row_bytes(K)
    groups = max(1, math.ceil(need / (PASS_SHARE * max_memory * n_workers)))
    if groups > MAX_GROUPS:
        from ._sizing import human_bytes

        smallest = -(-math.ceil(need / (PASS_SHARE * n_workers * MAX_GROUPS)) // (1 << 20)) << 20
        raise MemoryBudgetError(
            f"max_memory={max_memory} bytes per worker would take more than {MAX_GROUPS} passes over "
            f"the input on {n_workers} worker(s); give at least {smallest} bytes (--max-memory "
            f"{human_bytes(smallest)}), or more workers")
    return groups


def _args(inp: _Input, K: int, collapse: bool, max_memory: int, n_parts: int, n_groups: int = 1,
          group: int = 0) -> tuple:
    """The arguments of :func:`_count_block` after the block and its ``first`` flag (the totals
    counted in the first group's pass only)."""
    return (K, collapse, inp.normalize, max_memory, inp.encoding, inp.errors, n_parts, n_groups, group, group == 0)


def _count(client, inp: _Input, K: int, max_memory: int, collapse: bool, progress, prune=None):
    """The merged counts (:class:`~nlpzero.NgramCounts`) of ``inp``; with ``prune`` (as for
    :class:`nlpzero._passes.Passes`), ``(counts, right)`` of :func:`nlpzero._passes.pruned_statistics_of`:
    the n-grams of orders 1..K - 1 seen at least ``prune(totals)`` times, pruned on the workers
    after their exact right entropies were taken, so this process holds only what is kept."""
    from . import _ngram
    from ._progress import make_progress
    from .ngrams import NgramCounts

    n_parts = max(2, 2 * _n_workers(client))
    meter = make_progress(progress, inp.size, "counting n-grams on the cluster")
    metas: list = []
    try:
        with _lost_workers():
            futures = _submit_counts(client, inp, inp.blocks(client), _args(inp, K, collapse, max_memory, n_parts))
            _collect_metas(client, inp, futures, meter, max_memory, metas)
            totals = _totals(metas, K)
            threshold = 0 if prune is None else max(1, int(prune(totals)))
            reducers = _reduce(client, futures, K, n_parts, threshold)
            del futures
            parts = []
            for r in reducers:
                part = r.result()
                r.release()
                if part is None:
                    raise _overflow(inp)
                parts.append(part)
    finally:
        meter.close()
    codes = np.ascontiguousarray(np.concatenate([p[0] for p in parts])) if parts else np.zeros((0, K), np.uint32)
    lengths = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.uint8)
    counts = np.concatenate([p[2] for p in parts]) if parts else np.zeros(0, np.uint64)
    keys = np.concatenate([p[3] for p in parts]) if parts else np.zeros(0, np.uint64)
    sums = (np.concatenate([p[4] for p in parts]) if parts else np.zeros(0)) if threshold else None
    del parts
    order = np.lexsort((keys, lengths))      # by order, then where each n-gram first occurs
    del keys
    if threshold:
        from ._passes import pruned_statistics_of

        return pruned_statistics_of(codes[order], lengths[order], counts[order], sums[order], totals,
                                    threshold, K, inp.normalize)
    table = _ngram.NgramTable(K, 0, max(1024, int(order.size * 1.4)))
    table.add(np.ascontiguousarray(codes[order]), lengths[order], counts[order])
    table.add_totals(totals)
    return NgramCounts(table, inp.normalize, 1, collapse)


def _list(client, inp: _Input, K: int, max_memory: int, progress, sink, keep) -> np.ndarray:
    """Count ``inp`` for a listing: ``sink(future)`` is called with the future of every merged
    partition in turn (the rows :func:`_merge_rows` keeps with ``keep = (min_count, order)``);
    returns the totals. The first block is counted alone first: when the pieces of every block,
    extrapolated from its own, would not fit the workers (:func:`_n_groups`), the input is
    counted in passes, one hash group of first symbols at a time (each n-gram in exactly one),
    so the workers hold one group's pieces at a time; otherwise the other blocks follow it."""
    from ._progress import make_progress

    n_workers = _n_workers(client)
    n_parts = max(2, 2 * n_workers)
    block_bytes = _listing_block_bytes(max_memory)
    with _lost_workers():
        meter = make_progress(progress, inp.size, "counting n-grams on the cluster")
        try:
            metas: list = []
            blocks = iter(inp.blocks(client, block_bytes))
            args = _args(inp, K, False, max_memory, n_parts)
            futures = _submit_counts(client, inp, itertools.islice(blocks, 1), args)
            _collect_metas(client, inp, futures, meter, max_memory, metas)
            first = metas[0] if metas else (0, None, None, 0)
            n_groups = _n_groups(first[3], first[0], inp.size, K, max_memory, n_workers)
            if n_groups == 1:
                more = _submit_counts(client, inp, blocks, args, start=len(futures))
                _collect_metas(client, inp, more, meter, max_memory, metas)
                futures += more
                del more
            else:
                client.cancel(futures)
        finally:
            meter.close()
        for g in range(n_groups):
            if n_groups > 1:
                desc = f"counting n-grams on the cluster, pass {g + 1} of {n_groups}"
                meter = make_progress(progress, inp.size, desc)
                try:
                    metas = []
                    futures = _submit_counts(client, inp, inp.blocks(client, block_bytes),
                                             _args(inp, K, False, max_memory, n_parts, n_groups, g))
                    _collect_metas(client, inp, futures, meter, max_memory, metas)
                finally:
                    meter.close()
            if g == 0:              # every pass counts every position's totals: the first pass's
                totals = _totals(metas, K)
            reducers = _reduce(client, futures, K, n_parts, keep=keep)
            del futures
            for r in reducers:
                sink(r)
                r.release()
    return totals


def _block_error(inp: _Input, sizes: list, index: int, error: tuple, max_memory: int) -> None:
    kind, detail = error
    if kind == "decode":
        _raise_decode(inp, sizes, index, detail)
    if kind == "overflow":
        raise CountOverflowError(f"an n-gram of {inp.name or 'the corpus'} occurs {2**32 - 1} times or more "
                                 "in one block, beyond what one count holds")
    raise MemoryBudgetError(
        f"the n-grams of one block of {inp.name or 'the corpus'} ({sizes[index]} bytes) do not fit in "
        f"max_memory={max_memory} bytes on a worker; raise max_memory or use more workers (smaller blocks)")


def passes_on(client, corpus, max_n: int, progress, desc: str, max_memory: int, *, encoding: str,
              errors: str, normalize: bool, prune=None):
    """The :class:`nlpzero._passes.Passes` of discovery and learning, counted on the cluster:
    the later passes re-read the input here. With ``prune`` (as for ``Passes``), the workers
    prune after taking the exact right entropies, and this process holds only what is kept, as
    in one process (``Passes(..., prune=prune)``)."""
    from ._passes import Passes

    check_client(client)
    inp = _input(corpus, encoding, errors, normalize, True)
    counts = _count(client, inp, max_n, max_memory, True, progress, prune)
    right = None
    if prune is not None:
        counts, right = counts
    passes = Passes(inp.corpus, max_n, progress, desc, max_memory, counts=counts, right=right)
    passes._spill = getattr(inp, "spill", None)        # the temporary copy lives as long as the passes
    return passes
