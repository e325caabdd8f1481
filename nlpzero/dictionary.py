"""Reading and writing dictionary files for segmentation.

Two formats are read:

- **nlpzero lexicon TSV**: ``word<TAB>count[<TAB>more columns...]``, with an optional first line
  starting with ``#`` (the header written by ``nlpzero discover``). Extra columns are ignored.
  The word is everything before the first tab, so it may contain spaces, punctuation and symbols
  (``Edu Trust认证<TAB>5``, ``[捂脸]<TAB>3``); in a user dictionary the count may be left empty
  (``南门<TAB>``: the segmenter suggests one).
- **jieba dictionary**: ``word freq [tag]`` separated by single spaces, as in jieba's ``dict.txt``
  and user dictionaries. As in jieba's ``load_userdict``, ``freq`` may be missing in a user
  dictionary (the segmenter then suggests one, see :meth:`nlpzero.Segmenter.add_word`). Lines
  are parsed by :func:`nlpzero.jieba.interop.parse_jieba_line`, which also holds the writer.

``format="auto"`` picks TSV when the first entry line contains a tab, jieba otherwise. Blank lines
are skipped. A malformed line raises :class:`~nlpzero.errors.FormatError` naming the file and the
line number, and so does a file that mixes the two syntaxes (a line without a tab in a TSV file,
a tab in a jieba-syntax file). Counts must be finite numbers ≥ 0 (a count of 0 marks a deleted
word, as in jieba).
"""
from __future__ import annotations

import math
import os
from collections.abc import Iterable
from typing import Union

from ._validate import check_choice
from .corpus import Corpus
from .errors import FormatError, InputError

__all__ = ["FORMATS", "parse_count", "parse_dictionary", "read_dictionary"]

FORMATS = ("auto", "tsv", "jieba")
PathLike = Union[str, "os.PathLike[str]"]

#: (word, count) pairs; count is None when a jieba user dictionary line gives no frequency.
Entries = list[tuple[str, float | None]]


def parse_count(text: str) -> float:
    """A count field: a finite number ≥ 0 (ValueError otherwise)."""
    value = float(text)          # ValueError on junk
    if not math.isfinite(value) or value < 0:
        raise ValueError(text)
    return value


def check_dictionary_path(path: str) -> None:
    """Raise InputError unless ``path`` can be read as a dictionary file (pipes such as
    ``<(command)`` are fine; directories and missing paths are not)."""
    if not os.path.exists(path):
        raise InputError(f"{path}: no such dictionary file", path)
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, not a dictionary file", path)


UTF8_HINT = ("dictionaries and lexicons are UTF-8: convert the file first (e.g. iconv -f GB18030 -t UTF-8 "
             "old.txt > new.txt), or pass encoding= in the API")


def read_dictionary(path: PathLike, *, format: str = "auto", encoding: str = "utf-8",
                    require_count: bool = False) -> Entries:
    """Read a dictionary file into a list of ``(word, count)`` pairs, in file order.

    Parameters
    ----------
    path : str or os.PathLike
        The file.
    format : {"auto", "tsv", "jieba"}
        See the module docstring.
    encoding : str
        File encoding (a UTF-8 BOM is skipped).
    require_count : bool, default False
        Make a jieba line without a frequency an error (a lexicon needs counts; a segmenter's
        user dictionary does not).

    Returns
    -------
    list of (str, float or None)
        Later duplicates are kept; the segmenter lets the last one win.

    Raises
    ------
    nlpzero.errors.InputError
        The file is missing or unreadable.
    nlpzero.errors.FormatError
        A malformed line (the message names file and line).

    Examples
    --------
    >>> with open("user.txt", "w", encoding="utf-8") as f:
    ...     _ = f.write("云计算 5\\n创新办 3 j\\n")
    >>> read_dictionary("user.txt")
    [('云计算', 5.0), ('创新办', 3.0)]
    """
    check_choice("format", format, FORMATS)
    path = os.fspath(path)
    check_dictionary_path(path)
    # read like every corpus: decoding errors name the byte offset, a UTF-8 BOM is dropped
    lines = Corpus(path, encoding=encoding, decode_hint=UTF8_HINT).lines()
    return parse_dictionary(lines, format, path, require_count=require_count)


def parse_dictionary(lines: Iterable[str], format: str = "auto", path: str | None = None, *,
                     require_count: bool = False) -> Entries:
    """Parse dictionary lines (see :func:`read_dictionary`); ``path`` only names errors."""
    from .jieba.interop import parse_jieba_line

    entries: Entries = []
    append = entries.append
    fmt = None if format == "auto" else format
    for lineno, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        if fmt is None:
            if line.startswith("#") and "\t" in line:
                fmt = "tsv"
                continue                       # the header line
            fmt = "tsv" if "\t" in line else "jieba"
        elif lineno == 1 and fmt == "tsv" and line.startswith("#"):
            continue
        if fmt == "tsv":
            parts = line.split("\t", 2)
            if len(parts) < 2:
                raise FormatError(path, lineno, f"a line without a tab in a TSV dictionary (the file mixes "
                                                f"the TSV and jieba syntaxes?): {line[:60]!r}")
            if not parts[0]:
                raise FormatError(path, lineno, f"expected word<TAB>count, got {line[:60]!r}")
            word = parts[0]
            if not parts[1].strip() and not require_count:
                append((word, None))           # count left empty: the segmenter suggests one
                continue
            try:
                count = parse_count(parts[1])
            except ValueError:
                raise FormatError(path, lineno, f"count must be a number ≥ 0, got {parts[1][:30]!r}") from None
            append((word, count))
        else:
            if "\t" in line:
                raise FormatError(path, lineno, f"a tab in a jieba-syntax dictionary (the file mixes the "
                                                f"jieba and TSV syntaxes?): {line[:60]!r}")
            append(parse_jieba_line(line, path, lineno, require_count))
    return entries
