"""Every exception nlpzero raises on purpose.

Pure Python and importable without the compiled core. Every error here derives from
:class:`NlpzeroError`, so ``except nlpzero.errors.NlpzeroError`` catches all of them, and each
also derives from the built-in exception a caller would expect (``ValueError`` for a bad value,
``TypeError`` for a wrong type, ``OSError`` for an output that cannot be written, ...), so
existing ``except ValueError`` code keeps working.

The tree::

    NlpzeroError
    ├── ParameterError (ValueError)            a bad argument: names the parameter and the value
    │   ├── ParameterTypeError (TypeError)     an argument of the wrong type
    │   └── ResourceLimitError                 an argument that would need too much memory or time
    │       └── TooManyItemsetsError           more frequent itemsets than ``max_itemsets``
    ├── InputError                             an input that cannot be read as asked (``path``)
    │   ├── DecodeError (UnicodeError)         bytes that do not decode (``offset``, ``encoding``)
    │   ├── BinaryInputError                   a binary file where text was expected
    │   ├── FormatError (ValueError)           a malformed line of a structured file (``line``)
    │   ├── ModelFormatError (ValueError)      a file that is not a readable segmenter model
    │   │   └── ModelKindError                 a model of the other segmenter kind
    │   └── NotReiterableError (TypeError)     a second pass over a one-shot input
    ├── OutputError (OSError)                  an output that cannot be written (``path``)
    ├── CorpusTooSmallError (ValueError)       nothing to learn from
    ├── CountOverflowError (OverflowError)     an n-gram count beyond 2**32 - 1
    ├── MemoryBudgetError (MemoryError)        a table outgrew ``max_memory`` on a one-shot input
    ├── OutOfMemoryError (MemoryError)         the machine ran out of memory in a kernel
    ├── IterationLimitError (RuntimeError)     the network simplex hit ``max_iter``
    ├── WorkerError (RuntimeError)             a worker process died or failed
    ├── SchedulerError (ConnectionError)       a Dask scheduler that cannot be reached
    └── DependencyError (ImportError)          an optional dependency that is not installed

Outside the tree, :class:`Terminated` (a ``BaseException``, like ``KeyboardInterrupt``) is not an
error: it is how SIGTERM and SIGHUP stop a command once :mod:`nlpzero._signals` is installed (the
command line does), unwinding every ``finally`` on the way out.

The command line prints any :class:`NlpzeroError` (and ``OSError``) as one line and exits
non-zero (2 for a :class:`ParameterError` other than a :class:`ResourceLimitError`, 1
otherwise); any other exception is a bug in
nlpzero and shows its traceback.

Examples
--------
>>> from nlpzero.errors import ParameterError
>>> import nlpzero
>>> try:
...     nlpzero.count_ngrams(["abc"], max_n=0)
... except ParameterError as exc:
...     print(exc.name, isinstance(exc, ValueError))
max_n True
"""
from __future__ import annotations

from typing import Any

__all__ = [
    "BinaryInputError",
    "CorpusTooSmallError",
    "CountOverflowError",
    "DecodeError",
    "DependencyError",
    "FormatError",
    "InputError",
    "IterationLimitError",
    "MemoryBudgetError",
    "ModelFormatError",
    "ModelKindError",
    "NlpzeroError",
    "NotReiterableError",
    "OutOfMemoryError",
    "OutputError",
    "ParameterError",
    "ParameterTypeError",
    "ResourceLimitError",
    "SchedulerError",
    "Terminated",
    "TooManyItemsetsError",
    "WorkerError",
]

_UNSET: Any = object()


class NlpzeroError(Exception):
    """Base class of nlpzero's own errors."""


# ---------------------------------------------------------------------------------------------
# arguments


class ParameterError(NlpzeroError, ValueError):
    """A bad argument value; the message names the parameter and the value.

    Attributes
    ----------
    name : str or None
        The parameter (API spelling, e.g. ``"min_count"``).
    value : object
        The value that was refused (absent when not given).
    """

    def __init__(self, message: str, name: str | None = None, value: Any = _UNSET):
        super().__init__(message)
        self.name = name
        if value is not _UNSET:
            self.value = value


class ParameterTypeError(ParameterError, TypeError):
    """An argument of the wrong type (also a ``TypeError``)."""


class ResourceLimitError(ParameterError):
    """An argument that would need more memory or time than nlpzero allows (e.g. a ``k``
    that asks for a dense vocabulary x vocabulary graph); the message says which limit."""


class TooManyItemsetsError(ResourceLimitError):
    """More frequent itemsets than ``max_itemsets``: the threshold is too low for this data."""


# ---------------------------------------------------------------------------------------------
# inputs


class InputError(NlpzeroError):
    """An input (file, stream or iterable) cannot be read as asked.

    Attributes
    ----------
    path : str or None
        The file concerned (``"<stdin>"`` for standard input, None for in-memory input).
    """

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path


class DecodeError(InputError, UnicodeError):
    """Bytes that do not decode in the chosen encoding.

    Attributes
    ----------
    offset : int
        Byte offset of the first undecodable byte in the file.
    encoding : str
        The encoding that was tried.
    """

    def __init__(self, path: str | None, offset: int, encoding: str, reason: str = "",
                 hint: str | None = None):
        where = path if path is not None else "<input>"
        extra = f" ({reason})" if reason else ""
        if hint is None:
            hint = ("give the right encoding (e.g. gb18030) or replace bad bytes (--encoding / "
                    "--errors replace; API: encoding=, errors='replace')")
        super().__init__(f"{where}: cannot decode byte offset {offset} as {encoding}{extra}; {hint}", path)
        self.offset = offset
        self.encoding = encoding
        self.reason = reason


class BinaryInputError(InputError):
    """The input looks like a binary file, not text (it contains NUL bytes)."""


class FormatError(InputError, ValueError):
    """A malformed line in a structured text file (lexicon, dictionary, edge list, ...).

    Attributes
    ----------
    line : int
        1-based line number of the offending line (0 when the file as a whole is wrong).
    """

    def __init__(self, path: str | None, line: int, reason: str):
        where = path if path is not None else "<input>"
        super().__init__(f"{where}, line {line}: {reason}" if line else f"{where}: {reason}", path)
        self.line = line


class NotReiterableError(InputError, TypeError):
    """A second pass was needed over an input that can be read only once."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message, path)


# ---------------------------------------------------------------------------------------------
# outputs and resources


class OutputError(NlpzeroError, OSError):
    """The output cannot be written (missing directory, is a directory, no permission, disk full).

    Attributes
    ----------
    path : str or None
        The destination (``"<stdout>"`` for standard output).
    """

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.path = path

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class CorpusTooSmallError(NlpzeroError, ValueError):
    """The corpus is too small to learn anything from."""


class MemoryBudgetError(NlpzeroError, MemoryError):
    """A table outgrew the memory budget and the input cannot be re-read to partition it."""


class ModelFormatError(InputError, ValueError):
    """A file given as a segmenter model is not one: another program's file, a model of another
    format version, or a truncated or damaged model (the message says which)."""


class ModelKindError(ModelFormatError):
    """A model file holds the other kind of segmenter than the one asked for (a joint model given
    to ``Segmenter.load``, a dictionary model to ``JointSegmenter.load``); ``nlpzero.load_model``
    reads either."""


class CountOverflowError(NlpzeroError, OverflowError):
    """An n-gram count outgrew what the counting table holds (2**32 - 1 occurrences)."""


class OutOfMemoryError(NlpzeroError, MemoryError):
    """The machine ran out of memory inside a computation (the message says which one)."""


class IterationLimitError(NlpzeroError, RuntimeError):
    """The network simplex hit ``max_iter`` pivots before reaching an optimal basis."""


class WorkerError(NlpzeroError, RuntimeError):
    """A worker process died (e.g. killed for lack of memory) or reported a failure."""


class SchedulerError(NlpzeroError, ConnectionError):
    """A Dask scheduler that cannot be reached, or has no worker, within the connect timeout
    (``--scheduler``, :func:`nlpzero.distributed.connect`).

    Attributes
    ----------
    address : str
        The scheduler address that was tried.
    """

    def __init__(self, message: str, address: str | None = None):
        super().__init__(message)
        self.address = address

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class DependencyError(NlpzeroError, ImportError):
    """An optional dependency is not installed (the message says what to ``pip install``), e.g.
    Dask for ``client=`` and ``--scheduler``.

    Attributes
    ----------
    package : str
        The missing package.
    """

    def __init__(self, message: str, package: str | None = None):
        super().__init__(message)
        self.package = package


class Terminated(BaseException):
    """The process was asked to stop (SIGTERM, SIGHUP); raised in the main thread by the handler
    :func:`nlpzero._signals.install` sets. Not an :class:`NlpzeroError`: like
    ``KeyboardInterrupt`` it unwinds through ``except Exception``.

    Attributes
    ----------
    signum : int
        The signal received.
    """

    def __init__(self, signum: int):
        super().__init__(f"terminated by signal {signum}")
        self.signum = signum
