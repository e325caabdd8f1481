"""The one output writer: never half-written, never replacing what is not a regular file.

:func:`open_output` (and :func:`atomic_write` for a path) decide by what is at the destination:

- **a regular file, or nothing yet**: written to a temporary file ``.NAME.XXXX.tmp`` in the same
  directory, flushed and fsync'ed, then renamed over ``NAME`` in one step. An existing file keeps
  its permission bits (and, where allowed, its owner); a new one gets ``0666 & ~umask``. On any
  error, Ctrl-C or SIGTERM the temporary file is removed and ``NAME`` is left as it was.
- **a symbolic link**: written through, to the file it points to (atomically as above, in the
  target's directory); the link itself stays a link. A dangling link creates its target.
- **a FIFO, a character or block device** (``/dev/null``, a terminal, a pipe from ``>(...)``):
  opened for writing and streamed to, never replaced, never truncated by a rename.
- **``-`` or None**: standard output, streamed.

Every write and the final flush are checked, and short writes are retried (so an unbuffered
standard output, ``PYTHONUNBUFFERED=1``, cannot silently drop the tail of a write): a full disk
or an I/O error raises :class:`~nlpzero.errors.OutputError` naming the destination (the CLI
prints one line and exits 1). A reader that went away raises ``BrokenPipeError`` (the CLI exits 0
quietly, as ``head`` expects). A closed standard output (``>&-``) is an ``OutputError``.

Examples
--------
>>> import os, tempfile
>>> d = tempfile.mkdtemp()
>>> target = os.path.join(d, "out.tsv")
>>> with open_output(target) as f:
...     _ = f.write("word\\t3\\n")
>>> open(target).read()
'word\\t3\\n'
>>> sorted(os.listdir(d))          # no temporary file left behind
['out.tsv']
"""
from __future__ import annotations

import contextlib
import errno
import io
import os
import stat
import sys
from collections.abc import Iterator
from typing import IO, Any, Union

from .errors import OutputError

PathLike = Union[str, "os.PathLike[str]"]

__all__ = ["OutputError", "atomic_write", "check_output_path", "open_output"]

_BUFFER = 1 << 16
STDOUT_NAME = "<stdout>"


def _describe(exc: OSError) -> str:
    return exc.strerror or str(exc) or type(exc).__name__


def _is_stdout(path: PathLike | None) -> bool:
    return path is None or os.fspath(path) == "-"


def _resolve(path: str) -> str:
    """The path writes go to: the final target of a symbolic link, else ``path``."""
    if os.path.islink(path):
        return os.path.realpath(path)
    return path


def check_output_path(path: PathLike) -> str:
    """Raise :class:`OutputError` unless ``path`` can be written; returns the path to write
    (a symbolic link's target). Call it before long work, to fail early."""
    path = os.fspath(path)
    target = _resolve(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {_describe(exc)}", path) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: output path is a directory", path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISSOCK(st.st_mode):
            raise OutputError(f"{path}: output path is a socket", path)
        if not os.access(target, os.W_OK):
            raise OutputError(f"{path}: output is not writable", path)
        return target
    directory = os.path.dirname(os.path.abspath(target))
    if not os.path.isdir(directory):
        raise OutputError(f"{path}: output directory does not exist: {directory}", path)
    if not os.access(directory, os.W_OK):
        raise OutputError(f"{path}: output directory is not writable: {directory}", path)
    return target



class _Checked:
    """A writable file whose every write and flush turns an OSError into an OutputError
    naming the destination (``BrokenPipeError`` is kept: the reader went away)."""

    def __init__(self, f: IO, name: str):
        self._f = f
        self.name = name

    def _fail(self, exc: OSError):
        if isinstance(exc, BrokenPipeError) or exc.errno == errno.EPIPE:
            raise BrokenPipeError(errno.EPIPE, "Broken pipe") from None
        raise OutputError(f"{self.name}: cannot write: {_describe(exc)}", self.name) from None

    def write(self, data: Any) -> int:
        try:
            return self._f.write(data)
        except OSError as exc:
            self._fail(exc)
            raise  # unreachable

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        try:
            self._f.flush()
        except OSError as exc:
            self._fail(exc)

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    def read(self, *args):          # present so that numpy/zipfile treat this as a file object
        raise io.UnsupportedOperation("an output is not readable")

    def fileno(self) -> int:
        return self._f.fileno()

    def seekable(self) -> bool:
        return self._f.seekable()

    def seek(self, *args):
        return self._f.seek(*args)

    def tell(self) -> int:
        return self._f.tell()

    def truncate(self, *args):
        try:
            return self._f.truncate(*args)
        except OSError as exc:
            self._fail(exc)

    @property
    def closed(self) -> bool:
        return self._f.closed

    @property
    def buffer(self):
        return self._f.buffer if hasattr(self._f, "buffer") else self._f

    @property
    def encoding(self):
        return getattr(self._f, "encoding", None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _wrap_fd(fd: int, mode: str, encoding: str | None, closefd: bool) -> IO:
    # a buffered writer retries short writes until everything is written (a raw unbuffered
    # stream would not), then the text layer on top
    raw = io.FileIO(fd, "wb", closefd=closefd)
    buffered = io.BufferedWriter(raw, _BUFFER)
    if "b" in mode:
        return buffered
    return io.TextIOWrapper(buffered, encoding=encoding or "utf-8", newline="\n", write_through=False)


@contextlib.contextmanager
def _stream_stdout(mode: str, encoding: str | None) -> Iterator[_Checked]:
    stream = sys.stdout
    if stream is None:
        raise OutputError("standard output is closed", STDOUT_NAME)
    try:
        stream.flush()                      # whatever was printed before comes first
        fd = stream.fileno()
        os.fstat(fd)
    except (AttributeError, io.UnsupportedOperation):
        fd = None                           # not a real file (e.g. captured by a test runner)
    except ValueError:
        raise OutputError("standard output is closed", STDOUT_NAME) from None
    except OSError as exc:
        if exc.errno == errno.EBADF:
            raise OutputError("standard output is closed", STDOUT_NAME) from None
        _Checked(stream, STDOUT_NAME)._fail(exc)
    if fd is None:
        raw = getattr(stream, "buffer", None)
        if isinstance(raw, io.RawIOBase):
            # an unbuffered layer below: short writes would be lost, so buffer (and retry) here
            buffered = io.BufferedWriter(raw, _BUFFER)
            f: IO = buffered if "b" in mode else io.TextIOWrapper(buffered, encoding=encoding or "utf-8",
                                                                   newline="\n")
            out = _Checked(f, STDOUT_NAME)
            try:
                yield out
                out.flush()
            finally:
                with contextlib.suppress(Exception):
                    (f.detach() if "b" in mode else f.detach().detach())   # leave the stream open
            return
        target = raw if ("b" in mode and raw is not None) else stream
        out = _Checked(target, STDOUT_NAME)
        yield out
        out.flush()
        return
    f = _wrap_fd(fd, mode, encoding, closefd=False)
    out = _Checked(f, STDOUT_NAME)
    try:
        yield out
        out.flush()
    finally:
        with contextlib.suppress(OSError, ValueError):
            f.close()                       # flushes nothing more: already flushed or failing


@contextlib.contextmanager
def _stream_to(path: str, target: str, mode: str, encoding: str | None) -> Iterator[_Checked]:
    """A FIFO or a device: open it for writing (no create, no truncate-by-rename) and stream."""
    try:
        fd = os.open(target, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise OutputError(f"{path}: cannot open for writing: {_describe(exc)}", path) from None
    f = _wrap_fd(fd, mode, encoding, closefd=True)
    out = _Checked(f, path)
    try:
        yield out
        out.flush()
    finally:
        with contextlib.suppress(OSError, ValueError):
            f.close()


@contextlib.contextmanager
def _replace_atomically(path: str, target: str, mode: str, encoding: str | None) -> Iterator[_Checked]:
    directory = os.path.dirname(os.path.abspath(target))
    try:
        old = os.stat(target)
    except OSError:
        old = None
    tmp = None
    try:
        fd, tmp = _create_temp(path, directory, os.path.basename(target))
        if old is not None:
            os.fchmod(fd, stat.S_IMODE(old.st_mode))
            with contextlib.suppress(OSError):
                if (old.st_uid, old.st_gid) != (os.geteuid(), os.getegid()):
                    os.fchown(fd, old.st_uid, old.st_gid)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.fchmod(fd, 0o666 & ~umask)
        f = _wrap_fd(fd, mode, encoding, closefd=True)
        out = _Checked(f, path)
        try:
            yield out
            out.flush()
            try:
                os.fsync(f.fileno())
            except OSError as exc:
                if exc.errno not in (errno.EINVAL, errno.ENOTSUP):
                    out._fail(exc)
        finally:
            with contextlib.suppress(OSError, ValueError):
                f.close()
        try:
            os.replace(tmp, target)
        except OSError as exc:
            raise OutputError(f"{path}: cannot replace: {_describe(exc)}", path) from None
        _PENDING.pop(tmp, None)
    except BaseException:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            _PENDING.pop(tmp, None)
        raise


#: temporary files created by :func:`atomic_write` and not yet renamed into place, with the id
#: of the process that created each (a forked worker inherits the table but owns none of them)
_PENDING: dict[str, int] = {}


def remove_pending() -> None:
    """Remove every temporary file of an :func:`atomic_write` that has not been committed.

    The writer removes its own temporary file when the block it guards fails, but a signal that
    lands inside ``contextlib``'s own frames (after the block, before the writer resumes) skips
    that cleanup until garbage collection, which interpreter exit does not guarantee. The CLI
    calls this on its way out, so no command ever leaves a ``.NAME.XXXX.tmp`` behind.
    """
    pid = os.getpid()
    for name, owner in list(_PENDING.items()):
        if owner == pid:
            _PENDING.pop(name, None)
            with contextlib.suppress(OSError):
                os.unlink(name)


def _create_temp(path: str, directory: str, base: str) -> tuple[int, str]:
    """Create ``directory/.BASE.XXXXXXXX.tmp`` exclusively; returns ``(fd, name)``.

    The name is recorded in :data:`_PENDING` *before* the file exists, so a signal landing at
    any point (even between the system call and the assignment of its result, which blocking
    signals cannot prevent once other threads exist: the kernel delivers a process signal to
    any thread that does not block it) leaves a name that :func:`remove_pending` removes.
    """
    import secrets

    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        name = os.path.join(directory, f".{base}.{secrets.token_hex(4)}.tmp")
        _PENDING[name] = os.getpid()
        try:
            return os.open(name, flags, 0o600), name
        except FileExistsError:
            _PENDING.pop(name, None)          # somebody else's file: never ours to remove
        except OSError as exc:
            _PENDING.pop(name, None)
            raise OutputError(f"{path}: cannot create a temporary file in {directory}: {_describe(exc)}",
                              path) from None
    raise OutputError(f"{path}: cannot create a temporary file in {directory}: too many name clashes", path)


@contextlib.contextmanager
def atomic_write(path: PathLike, mode: str = "w", encoding: str | None = "utf-8") -> Iterator[IO]:
    """Open ``path`` for writing with the semantics of this module (see the module docstring):
    a regular file is replaced atomically keeping its mode, a symbolic link is written through,
    a FIFO or device is streamed to.

    Examples
    --------
    >>> import os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "out.tsv")
    >>> with atomic_write(path) as f:
    ...     _ = f.write("word\\t3\\n")
    >>> open(path, encoding="utf-8").read()
    'word\\t3\\n'
    """
    path = os.fspath(path)
    target = check_output_path(path)
    try:
        st = os.stat(target)
    except OSError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        with _stream_to(path, target, mode, encoding) as f:
            yield f
    else:
        with _replace_atomically(path, target, mode, encoding) as f:
            yield f


@contextlib.contextmanager
def open_output(path: PathLike | None, mode: str = "w", encoding: str = "utf-8") -> Iterator[IO]:
    """Standard output when ``path`` is None or ``"-"``, else :func:`atomic_write` (``path``).

    Every write and the final flush are checked (see the module docstring).
    """
    if _is_stdout(path):
        with _stream_stdout(mode, encoding) as f:
            yield f
    else:
        with atomic_write(path, mode, encoding) as f:  # type: ignore[arg-type]
            yield f
