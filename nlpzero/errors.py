"""The exceptions nlpzero raises on bad input.

Pure Python and importable without the compiled core. Every error here derives from
:class:`NlpzeroError`; errors about input data also carry the file (``path``) and, where it
applies, the line number or byte offset, so that the message alone tells the user what to fix.
Bad *parameters* raise the built-in ``ValueError`` / ``TypeError`` with a message naming the
parameter and the value.
"""
from __future__ import annotations

from typing import Optional


class NlpzeroError(Exception):
    """Base class of nlpzero's own errors."""


class InputError(NlpzeroError):
    """An input (file, stream or iterable) cannot be read as asked.

    Attributes
    ----------
    path : str or None
        The file concerned (``"<stdin>"`` for standard input, None for in-memory input).
    """

    def __init__(self, message: str, path: Optional[str] = None):
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

    def __init__(self, path: Optional[str], offset: int, encoding: str, reason: str = ""):
        where = path if path is not None else "<input>"
        extra = f" ({reason})" if reason else ""
        super().__init__(
            f"{where}: cannot decode byte offset {offset} as {encoding}{extra}; give the right "
            f"encoding (e.g. gb18030) or replace bad bytes (--encoding / --errors replace; "
            f"API: encoding=, errors='replace')",
            path,
        )
        self.offset = offset
        self.encoding = encoding


class BinaryInputError(InputError):
    """The input looks like a binary file, not text (it contains NUL bytes)."""


class FormatError(InputError, ValueError):
    """A malformed line in a structured text file (lexicon, dictionary, edge list, ...).

    Attributes
    ----------
    line : int
        1-based line number of the offending line.
    """

    def __init__(self, path: Optional[str], line: int, reason: str):
        where = path if path is not None else "<input>"
        super().__init__(f"{where}, line {line}: {reason}", path)
        self.line = line


class CorpusTooSmallError(NlpzeroError, ValueError):
    """The corpus is too small to learn anything from."""


class NotReiterableError(NlpzeroError, TypeError):
    """A second pass was needed over an input that can be read only once."""


class MemoryBudgetError(NlpzeroError, MemoryError):
    """A table outgrew the memory budget and the input cannot be re-read to partition it."""


class CountOverflowError(NlpzeroError, OverflowError):
    """An n-gram count outgrew what the counting table holds (2**32 - 1 occurrences)."""
