"""Reading and writing dictionary files for segmentation (SPEC §4).

Two formats are read:

- **nlpzero lexicon TSV**: ``word<TAB>count[<TAB>more columns...]``, with an optional first line
  starting with ``#`` (the header written by ``nlpzero discover``). Extra columns are ignored.
- **jieba dictionary**: ``word freq [tag]`` separated by single spaces, as in jieba's ``dict.txt``
  and user dictionaries. As in jieba's ``load_userdict``, ``freq`` may be missing in a user
  dictionary (the segmenter then suggests one, see :meth:`nlpzero.Segmenter.add_word`).

``format="auto"`` picks TSV when the first entry line contains a tab, jieba otherwise. Blank lines
are skipped. A malformed line raises :class:`~nlpzero.errors.FormatError` naming the file and the
line number. Counts must be finite numbers ≥ 0 (a count of 0 marks a deleted word, as in jieba).
"""
from __future__ import annotations

import math
import os
from typing import IO, Iterable, List, Optional, Tuple, Union

from ._io import atomic_write
from ._validate import check_choice
from .corpus import Corpus
from .errors import FormatError, InputError

__all__ = ["read_dictionary", "write_jieba_dict", "jieba_dict_path", "FORMATS"]

FORMATS = ("auto", "tsv", "jieba")
PathLike = Union[str, "os.PathLike[str]"]

#: (word, count) pairs; count is None when a jieba user dictionary line gives no frequency.
Entries = List[Tuple[str, Optional[float]]]


def jieba_dict_path() -> str:
    """Path of jieba's bundled ``dict.txt`` (found without importing jieba)."""
    from importlib.util import find_spec

    spec = find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("the jieba dictionary was asked for, but jieba is not installed (pip install jieba)")
    path = os.path.join(list(spec.submodule_search_locations)[0], "dict.txt")
    if not os.path.exists(path):
        raise InputError(f"jieba is installed but its dictionary is missing: {path}", path)
    return path


def _number(text: str) -> float:
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
    >>> read_dictionary("user.txt")        # doctest: +SKIP
    [('云计算', 5.0), ('创新办', 3.0)]
    """
    check_choice("format", format, FORMATS)
    path = os.fspath(path)
    check_dictionary_path(path)
    # read like every corpus: decoding errors name the byte offset, a UTF-8 BOM is dropped
    lines = Corpus(path, encoding=encoding).lines()
    return parse_dictionary(lines, format, path, require_count=require_count)


def parse_dictionary(lines: Iterable[str], format: str = "auto", path: Optional[str] = None, *,
                     require_count: bool = False) -> Entries:
    """Parse dictionary lines (see :func:`read_dictionary`); ``path`` only names errors."""
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
            if len(parts) < 2 or not parts[0]:
                raise FormatError(path, lineno, f"expected word<TAB>count, got {line[:60]!r}")
            word = parts[0]
            try:
                count = _number(parts[1])
            except ValueError:
                raise FormatError(path, lineno, f"count must be a number ≥ 0, got {parts[1][:30]!r}") from None
            append((word, count))
        else:
            parts = line.strip().split(" ")
            word = parts[0]
            if len(parts) > 3 or not word:
                raise FormatError(path, lineno, f"expected 'word [freq] [tag]', got {line[:60]!r}")
            count: Optional[float] = None
            if len(parts) >= 2:
                try:
                    count = _number(parts[1])
                except ValueError:
                    if len(parts) == 3:
                        raise FormatError(path, lineno, f"freq must be a number ≥ 0, got {parts[1][:30]!r}") from None
                    count = None               # 'word tag', as jieba allows
                    if not parts[1].isalpha():
                        raise FormatError(path, lineno, f"freq must be a number ≥ 0, got {parts[1][:30]!r}") from None
            if count is None and require_count:
                raise FormatError(path, lineno, f"expected 'word freq [tag]' (a frequency is needed), "
                                                f"got {line[:60]!r}")
            append((word, count))
    return entries


def write_jieba_dict(entries: Iterable[Tuple[str, float]], out: Union[PathLike, IO[str]]) -> int:
    """Write ``word freq`` lines (a jieba user dictionary); return the number written.

    Frequencies are rounded to integers ≥ 1 (jieba parses them with ``int``). Words containing
    whitespace cannot be expressed in the format and raise ValueError.
    """
    def rows():
        for word, count in entries:
            if not word or any(ch.isspace() for ch in word):
                raise ValueError(f"a jieba dictionary word cannot be empty or contain whitespace: {word!r}")
            yield f"{word} {max(1, int(round(count)))}\n"

    if hasattr(out, "write"):
        n = 0
        for row in rows():
            out.write(row)
            n += 1
        return n
    with atomic_write(out) as f:
        n = 0
        for row in rows():
            f.write(row)
            n += 1
    return n
