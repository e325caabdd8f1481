"""Batch jobs over files of any size: a function mapped over ordered chunks of lines on all cores.

:func:`map_lines` is the machinery: the parent process reads the corpus in chunks of whole
lines (:meth:`nlpzero.Corpus.raw_line_chunks` — raw bytes cut at newlines, decoded by the
workers — or :meth:`nlpzero.Corpus.line_chunks`), hands them to worker processes, one chunk in
flight per worker, and writes the results back in input order, to a path atomically
(temporary file + rename, removed on error, Ctrl-C or SIGTERM), to standard output or to a file
object. Memory stays bounded (at most ``jobs + 1`` chunks of about 1 MB are in flight); inputs
under :data:`SMALL_INPUT_BYTES` are done in this process. :func:`segment_file` is the first
job built on it; any command that turns each input line into one output line can use it.
"""
from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._reading import decode_piece
from .errors import ParameterError, ParameterTypeError, WorkerError
from .protocol import SegmenterLike, SegmenterSource
from .segment import as_segmenter

__all__ = ["BatchResult", "default_jobs", "map_lines", "segment_file"]

#: A line longer than this (characters, or bytes on the byte path) is cut at its last boundary
#: character (a place where the job's result does not change), or, without one, at this length.
MAX_PIECE_CHARS = 4 << 20
#: Inputs smaller than this are processed in this process (starting workers costs more).
SMALL_INPUT_BYTES = 8 << 20
#: The first chunk is small so that the first output line comes quickly.
FIRST_CHUNK_CHARS = 1 << 15


@dataclass(frozen=True)
class BatchResult:
    """What a batch job (:func:`map_lines`, :func:`segment_file`) did.

    Attributes
    ----------
    lines : int
        Lines written (one per input line; a last input line without a terminator counts when
        its output is not empty).
    bytes_in, bytes_out : int
        Bytes read (as encoded on input) and written (UTF-8).
    seconds : float
        Wall-clock time.
    jobs : int
        Worker processes used (1 = in this process).
    """

    lines: int
    bytes_in: int
    bytes_out: int
    seconds: float
    jobs: int

    @property
    def mb_per_s(self) -> float:
        """Input megabytes (10⁶ bytes) per second."""
        return self.bytes_in / 1e6 / max(self.seconds, 1e-9)

    def to_dict(self) -> dict:
        return {"lines": self.lines, "bytes_in": self.bytes_in, "bytes_out": self.bytes_out,
                "seconds": self.seconds, "jobs": self.jobs, "mb_per_s": self.mb_per_s}


def _process_piece(func: Callable[[str], bytes], encoding: str, errors: str, piece):
    """Run ``func`` on one piece of :meth:`Corpus.raw_line_chunks`: ``str``, or ``(offset,
    bytes)`` decoded here. Returns ``(bytes, None)`` or, for undecodable bytes, ``(None, (file
    offset, reason))``."""
    text, error = decode_piece(piece, encoding, errors)
    return (None, error) if text is None else (func(text), None)


class _Workers:
    """Worker processes fed in turn, one piece in flight each, results read back in order.

    Deliberately not ``multiprocessing.Pool``: the parent has no helper threads and the
    workers share no locks, so a signal may interrupt the parent anywhere and ``close()`` can
    still kill and reap every worker (Pool's ``terminate()`` could deadlock there). Each
    worker has its own pipe; the parent sends a worker its next piece only after reading its
    previous result, so neither side ever blocks sending while the other is sending too.
    """

    def __init__(self, n: int, work: tuple, start_method: str | None = None):
        import multiprocessing as mp
        import signal

        ctx = mp.get_context(start_method)
        self.procs, self.conns = [], []
        self.busy: deque = deque()                 # worker indices with a piece in flight, oldest first
        self.next = 0
        # Workers are started with SIGINT ignored, which they inherit: a spawned worker spends
        # its first second importing, and a Ctrl-C to the process group then must not print a
        # KeyboardInterrupt traceback from it (Python leaves an inherited SIG_IGN in place).
        old_int = signal.signal(signal.SIGINT, signal.SIG_IGN) if _is_main_thread() else None
        try:
            for _ in range(n):
                ours, theirs = ctx.Pipe(duplex=True)
                proc = ctx.Process(target=_worker_main, args=(theirs, work), daemon=True)
                proc.start()
                theirs.close()
                self.procs.append(proc)
                self.conns.append(ours)
        except BaseException:
            self.kill()
            raise
        finally:
            if old_int is not None:
                signal.signal(signal.SIGINT, old_int)

    def full(self) -> bool:
        return len(self.busy) == len(self.procs)

    def submit(self, piece) -> None:
        k = self.next
        self.next = (k + 1) % len(self.procs)
        self.conns[k].send(piece)
        self.busy.append(k)

    def result(self):
        """The result of the oldest piece in flight."""
        k = self.busy.popleft()
        try:
            out = self.conns[k].recv()
        except EOFError:
            code = self.procs[k].exitcode
            raise WorkerError(f"a batch worker died (exit code {code}); out of memory?") from None
        if out[0] == "error":
            raise WorkerError(f"a batch worker failed: {out[1]}")
        return out

    def close(self) -> None:
        """Normal end: no pieces in flight; workers exit on a None."""
        for conn in self.conns:
            conn.send(None)
        for proc, conn in zip(self.procs, self.conns):
            proc.join()
            conn.close()

    def kill(self) -> None:
        for proc in self.procs:
            if proc.exitcode is None:
                proc.kill()
        for proc, conn in zip(self.procs, self.conns):
            proc.join()
            conn.close()


def _worker_main(conn, work: tuple) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:                                              # die with the parent, even on SIGKILL
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os._exit(1)
    except (OSError, AttributeError):
        pass
    while True:
        try:
            piece = conn.recv()
        except EOFError:
            break
        if piece is None:
            break
        try:
            out = _process_piece(*work, piece)
        except BaseException as exc:                  # MemoryError and the like: report, go on
            out = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(out)
    conn.close()


def check_start_method(start_method: str | None) -> str | None:
    """``start_method`` itself when this platform has it (None: the platform's default).

    Raises
    ------
    nlpzero.errors.ParameterError
        The method is not available here (``fork`` on Windows, for instance).

    Examples
    --------
    >>> check_start_method("spawn")
    'spawn'
    """
    import multiprocessing as mp

    if start_method is None:
        return None
    available = mp.get_all_start_methods()
    if start_method not in available:
        raise ParameterError(f"start_method {start_method!r} is not available on this platform "
                         f"(available: {', '.join(available)})")
    return start_method


def default_jobs() -> int:
    """Cores this process may use (within the ``jobs`` limit of nlpzero._limits)."""
    from ._limits import default_jobs as _default

    return _default()


def _is_stdout(output: Any) -> bool:
    return output is None or (isinstance(output, (str, os.PathLike)) and os.fspath(output) == "-")


def check_output(output: Any) -> None:
    """Raise before any work unless ``output`` is something :func:`write_output` takes: a
    writable path (:func:`nlpzero._io.check_output_path`: not a directory, its directory
    exists...), ``"-"``, None or a file object (:class:`~nlpzero.errors.ParameterTypeError`
    otherwise)."""
    from ._io import check_output_path

    if _is_stdout(output) or hasattr(output, "write"):
        return
    if isinstance(output, (str, os.PathLike)):
        check_output_path(os.fspath(output))
        return
    raise ParameterTypeError(f"`output` must be a path, '-', None or a file object, got {type(output).__name__}")


def write_output(output: Any, run: Callable[[Callable[[bytes], Any]], None]) -> None:
    """Call ``run(write)``, where ``write(data)`` sends UTF-8 bytes to ``output`` as the batch
    jobs do: a path atomically (:func:`nlpzero._io.atomic_write`; nothing left there when
    ``run`` raises), ``"-"`` or None to standard output (flushed after every write), a binary
    file object as bytes, a text file object as str."""
    from ._io import atomic_write, open_output

    if _is_stdout(output):
        with open_output(None, "wb") as stream:   # every write checked (full disk, closed)

            def write(data: bytes) -> None:
                stream.write(data)
                stream.flush()                    # results appear as they are made

            run(write)
    elif isinstance(output, (str, os.PathLike)):
        with atomic_write(output, "wb") as f:
            run(f.write)
    elif hasattr(output, "write"):
        import io

        if isinstance(output, io.TextIOBase):
            run(lambda data: output.write(data.decode("utf-8")))
        else:
            run(output.write)
    else:
        raise ParameterTypeError(
            f"`output` must be a path, '-', None or a file object, got {type(output).__name__}")


def map_lines(
    corpus: Any,
    output: Any,
    func: Callable[[str], bytes],
    *,
    jobs: int | None = None,
    boundary: Callable[[str], int] | None = None,
    joiner: bytes = b"",
    encoding: str = "utf-8",
    errors: str = "strict",
    progress: Any = False,
    desc: str = "processing",
    start_method: str | None = None,
) -> BatchResult:
    """Map ``func`` over the lines of ``corpus`` on worker processes; write the results in order.

    Parameters
    ----------
    corpus : path, ``"-"``, file object, iterable of str, or Corpus
        The input (see :class:`nlpzero.Corpus`).
    output : path, ``"-"``, None, or file object
        A path is written atomically (temporary file + rename, removed on error, Ctrl-C or
        SIGTERM); ``"-"`` or None is standard output; a file object receives bytes (or str if it
        is a text file).
    func : callable str -> bytes
        Takes a chunk of whole lines (each ending with ``"\\n"``, except the input's last line
        when it has no terminator) and returns their output as UTF-8 bytes with exactly one
        ``b"\\n"`` per ``"\\n"`` of the chunk. Must be picklable where processes are spawned
        rather than forked.
    jobs : int, optional
        Worker processes (default: all cores this process may use). Inputs under 8 MB are done
        in this process, and so is the first chunk (the first output does not wait for workers).
    boundary : callable str -> int, optional
        For lines longer than :data:`MAX_PIECE_CHARS`: the index of the last character of a
        text after which a cut does not change ``func``'s output (-1: none). Such a line then
        reaches ``func`` in pieces. Without it, a line is one chunk however long.
    joiner : bytes, default b""
        Written between the outputs of two pieces of one line when both are non-empty (the
        token delimiter, for segmentation).
    encoding, errors
        Passed to :class:`~nlpzero.Corpus` when ``corpus`` is not one already.
    progress : bool or callable
        True shows bytes, MB/s and lines/s on stderr for large inputs.
    desc : str
        Label of the progress line.
    start_method : {None, "fork", "spawn", "forkserver"}
        How worker processes start (:mod:`multiprocessing`); None: the platform's default
        (fork on Linux, spawn on macOS and Windows). Under spawn and forkserver, ``func`` is
        pickled to each worker.

    Returns
    -------
    BatchResult

    Raises
    ------
    nlpzero.errors.InputError, DecodeError, BinaryInputError
        Unreadable, undecodable (the error names the byte offset) or binary input (nothing is
        left at ``output``).

    Examples
    --------
    >>> import io
    >>> out = io.BytesIO()
    >>> map_lines(["ab", "cde"], out, lambda text: text.upper().encode(), jobs=1).lines
    2
    >>> out.getvalue()
    b'AB\\nCDE\\n'
    """
    import time

    from . import _limits as limits
    from ._progress import make_progress
    from .corpus import Corpus
    from .errors import DecodeError

    start = time.perf_counter()
    jobs = default_jobs() if jobs is None else limits.check("jobs", jobs)
    start_method = check_start_method(start_method)
    source = corpus if isinstance(corpus, Corpus) else Corpus(corpus, encoding=encoding, errors=errors)
    if source.size is not None and source.size < SMALL_INPUT_BYTES:
        jobs = 1
    check_output(output)                           # fail before reading anything
    meter = make_progress(progress, source.size, desc)
    work = (func, source.encoding, source.errors)
    counts = {"lines": 0, "out": 0, "last": b""}

    def run(write) -> None:
        mid = False          # the output so far ends inside a line that has output already

        def emit(data, failed) -> None:
            nonlocal mid
            if data is None:
                raise DecodeError(source.path, failed[0], source.encoding, failed[1])
            if mid and data[:1] not in (b"", b"\n"):
                write(joiner)
                counts["out"] += len(joiner)
            write(data)
            counts["out"] += len(data)
            nl = data.count(b"\n")              # one output newline per input newline
            counts["lines"] += nl
            meter.update(0, nl)
            tail = data[data.rfind(b"\n") + 1 :]
            mid = bool(tail) or (mid and not nl)
            if data:
                counts["last"] = data[-1:]

        cut = {"first_chars": FIRST_CHUNK_CHARS, "max_chars": MAX_PIECE_CHARS, "boundary": boundary}
        chunks = (source.raw_line_chunks(meter, **cut) if source.cuts_bytes_at_newlines
                  else source.line_chunks(meter, **cut))
        if jobs == 1:
            for piece in chunks:
                emit(*_process_piece(*work, piece))
            return
        first = next(chunks, None)            # done here while no worker exists yet: the first
        if first is None:                     # output line does not wait for the workers to start
            return
        emit(*_process_piece(*work, first))
        from . import _signals

        in_main = _is_main_thread()
        workers = _Workers(jobs, work, start_method)
        # after the fork (workers keep the default action): SIGTERM unwinds like Ctrl-C, so the
        # workers are killed and reaped below and a partial output file is removed
        previous = _signals.install() if in_main else {}
        try:
            for piece in chunks:
                if workers.full():
                    emit(*workers.result())
                workers.submit(piece)
            while workers.busy:
                emit(*workers.result())
            workers.close()
        except BaseException:
            workers.kill()
            raise
        finally:
            _signals.restore(previous)

    try:
        write_output(output, run)
    finally:
        meter.close()
    # a last line without a terminator still counts (its output has no newline either)
    lines = counts["lines"] + (1 if counts["last"] not in (b"", b"\n") else 0)
    return BatchResult(lines, meter.done, counts["out"], time.perf_counter() - start, jobs)


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class _SegmentLines:
    """The job of :func:`segment_file`: lines -> their tokens joined by a delimiter (picklable)."""

    def __init__(self, segmenter: SegmenterLike, delimiter: str):
        self.segmenter = segmenter
        self.delimiter = delimiter

    def __call__(self, text: str) -> bytes:
        return self.segmenter.segment_bytes(text, self.delimiter)[0]


def segment_file(
    corpus: Any,
    output: Any = None,
    *,
    segmenter: SegmenterSource = "jieba",
    jobs: int | None = None,
    delimiter: str = " ",
    encoding: str = "utf-8",
    errors: str = "strict",
    progress: Any = False,
    start_method: str | None = None,
    client: Any = None,
) -> BatchResult:
    """Segment a file (any size) line by line into another, on all cores, keeping line order.

    Each output line holds the tokens of the input line joined by ``delimiter`` (whitespace is
    dropped, every input line gives one output line, UTF-8). Runs on :func:`map_lines`: memory
    stays bounded (at most ``jobs + 1`` chunks of about 1 MB are in flight), the parent process
    only cuts the raw bytes at newlines and writes results in order, workers decode and
    segment. A line longer than 4 M characters is handled in pieces cut where no run crosses
    (inside a run longer than that, the cut is forced).

    Parameters
    ----------
    corpus : path, ``"-"``, file object, iterable of str, or Corpus
        The input (see :class:`nlpzero.Corpus`).
    output : path, ``"-"``, None, or file object
        A path is written atomically (temporary file + rename, removed on error, Ctrl-C or
        SIGTERM); ``"-"`` or None is standard output; a file object receives bytes (or str if it
        is a text file).
    segmenter : SegmenterLike, or anything :class:`Segmenter` accepts
        A segmenter (:class:`~nlpzero.protocol.SegmenterLike`: a :class:`Segmenter`, a learned
        or loaded model) or a dictionary to build one from. Default: jieba's dictionary (in
        jieba mode).
    jobs : int, optional
        Worker processes (default: all cores this process may use). Inputs under 8 MB are done
        in this process.
    delimiter : str, default " "
    encoding, errors
        Passed to :class:`~nlpzero.Corpus` when ``corpus`` is not one already.
    progress : bool or callable
        True shows bytes, MB/s and lines/s on stderr for large inputs.
    start_method : {None, "fork", "spawn", "forkserver"}
        How worker processes start; None: the platform's default. The output is the same
        under every method.
    client : dask.distributed.Client, optional
        Segment on this Dask cluster instead of local processes (:mod:`nlpzero.distributed`;
        needs ``pip install "nlpzero[dask]"``; ``jobs`` and ``start_method`` do not apply): the
        segmenter is sent once to every worker, each worker segments the blocks it reads, the
        output is written here in input order, the same bytes. ``corpus`` may then also be an
        fsspec URL (``s3://...``).

    Returns
    -------
    BatchResult

    Raises
    ------
    nlpzero.errors.InputError, DecodeError, BinaryInputError
        Unreadable, undecodable (the error names the byte offset) or binary input (nothing is
        left at ``output``).

    Examples
    --------
    >>> import io
    >>> out = io.BytesIO()
    >>> segment_file(["今天天气不错", "北京大学"], out, segmenter={"今天": 3, "天气": 2, "北京大学": 1}).lines
    2
    >>> out.getvalue().decode()
    '今天 天气 不 错\\n北京大学\\n'
    """
    seg = as_segmenter(segmenter)
    if not isinstance(delimiter, str):
        raise ParameterTypeError(f"`delimiter` must be str, got {type(delimiter).__name__}")
    if client is not None:
        if jobs is not None or start_method is not None:
            raise ParameterError("`jobs` and `start_method` are for local worker processes; with `client` "
                                 "the Dask cluster's workers segment", "jobs", jobs)
        from ._dask_segment import segment_file_on

        return segment_file_on(client, corpus, output, seg, delimiter, encoding, errors, progress)
    return map_lines(corpus, output, _SegmentLines(seg, delimiter), jobs=jobs, boundary=seg.last_boundary,
                     joiner=delimiter.encode("utf-8"), encoding=encoding, errors=errors,
                     progress=progress, desc="segmenting", start_method=start_method)
