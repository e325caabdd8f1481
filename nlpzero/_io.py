"""Output that is never half-written: write to a temporary file beside the target, then rename."""
from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from typing import IO, Iterator, Optional, Union

from .errors import InputError

PathLike = Union[str, "os.PathLike[str]"]


class OutputError(InputError):
    """The output path cannot be written (missing directory, is a directory, no permission)."""


def _check_output_path(path: str) -> str:
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise OutputError(f"{path}: output directory does not exist: {directory}", path)
    if os.path.isdir(path):
        raise OutputError(f"{path}: output path is a directory", path)
    if not os.access(directory, os.W_OK):
        raise OutputError(f"{path}: output directory is not writable: {directory}", path)
    return path


@contextlib.contextmanager
def atomic_write(path: PathLike, mode: str = "w", encoding: Optional[str] = "utf-8") -> Iterator[IO]:
    """Open a temporary file next to ``path``; on success it replaces ``path`` atomically.

    On any exception (including KeyboardInterrupt) the temporary file is removed and ``path``
    is left as it was. The file keeps the permissions a normal ``open`` would give it.

    Examples
    --------
    >>> with atomic_write("out.tsv") as f:
    ...     _ = f.write("word\\t3\\n")
    >>> open("out.tsv", encoding="utf-8").read()
    'word\\t3\\n'
    """
    path = _check_output_path(os.fspath(path))
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        binary = "b" in mode
        with os.fdopen(fd, mode, encoding=None if binary else encoding, newline=None if binary else "\n") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def open_output(path: Optional[PathLike], mode: str = "w", encoding: str = "utf-8") -> Iterator[IO]:
    """``atomic_write(path)``, or standard output when ``path`` is None or ``"-"``."""
    if path is None or os.fspath(path) == "-":
        stream = sys.stdout.buffer if "b" in mode else sys.stdout
        yield stream
        stream.flush()
    else:
        with atomic_write(path, mode, encoding) as f:
            yield f
