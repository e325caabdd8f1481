"""Everything about jieba except its drop-in API: its dictionary, its formats, its tokenizer.

- :func:`jieba_dict_path` / :func:`jieba_words` — the dictionary bundled with the installed jieba
  (found without importing jieba), which ``Segmenter("jieba")`` loads and which marks a
  discovered word as new;
- :func:`parse_jieba_line`, :func:`write_jieba_dict`, :func:`load_jieba_dict` — the ``word freq
  [tag]`` format of jieba's ``dict.txt`` and user dictionaries (read by
  :func:`nlpzero.dictionary.read_dictionary`, the one dictionary reader);
- :func:`to_jieba_userdict`, :func:`jieba_tokenizer` — a lexicon handed to jieba, as a user
  dictionary or as a ``jieba.Tokenizer`` (for jieba's HMM on top of our words).

The jieba *text model* (``Segmenter(..., mode="jieba")``, reproducing ``jieba.lcut(HMM=False)``)
is a mode of the compiled segmentation kernel; see :mod:`nlpzero.segment`.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import IO, TYPE_CHECKING, Any, Union

from .._io import atomic_write
from ..errors import FormatError, InputError, ParameterError, ParameterTypeError

if TYPE_CHECKING:  # pragma: no cover
    from ..lexicon import Lexicon

__all__ = [
    "jieba_dict_path",
    "jieba_tokenizer",
    "jieba_words",
    "load_jieba_dict",
    "parse_jieba_line",
    "to_jieba_userdict",
    "write_jieba_dict",
]

PathLike = Union[str, "os.PathLike[str]"]


# ---------------------------------------------------------------------- jieba's own dictionary
def jieba_dict_path() -> str:
    """Path of jieba's bundled ``dict.txt`` (found without importing jieba).

    Raises
    ------
    nlpzero.errors.InputError
        jieba is not installed, or its dictionary is missing.
    """
    from importlib.util import find_spec

    spec = find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("the jieba dictionary was asked for, but jieba is not installed (pip install jieba)")
    path = os.path.join(next(iter(spec.submodule_search_locations)), "dict.txt")
    if not os.path.exists(path):
        raise InputError(f"jieba is installed but its dictionary is missing: {path}", path)
    return path


@lru_cache(maxsize=1)
def jieba_words() -> frozenset:
    """The words of the installed jieba package's dictionary (empty when jieba is missing).
    Only the first field of each line is read (fast: 350k lines in ~0.1 s)."""
    try:
        path = jieba_dict_path()
    except InputError:
        return frozenset()
    with open(path, encoding="utf-8") as f:
        return frozenset(line.split(" ", 1)[0] for line in f if line.strip())


# ---------------------------------------------------------------------- the dictionary format
def parse_jieba_line(line: str, path: str | None, lineno: int,
                     require_count: bool = False) -> tuple[str, float | None]:
    """``(word, freq)`` of one non-blank ``word [freq] [tag]`` line (freq None when absent, as
    jieba's ``load_userdict`` allows; ``word tag`` too).

    Raises
    ------
    nlpzero.errors.FormatError
        A malformed line, or no frequency with ``require_count`` (names ``path`` and ``lineno``).

    Examples
    --------
    >>> parse_jieba_line("云计算 5 n", "user.txt", 1), parse_jieba_line("创新办", "user.txt", 2)
    (('云计算', 5.0), ('创新办', None))
    """
    from ..dictionary import parse_count

    parts = line.strip().split(" ")
    word = parts[0]
    if len(parts) > 3 or not word:
        raise FormatError(path, lineno, f"expected 'word [freq] [tag]', got {line[:60]!r}")
    if any(ch.isspace() for ch in word):        # a tab or another space inside: it could never match
        raise FormatError(path, lineno, f"expected 'word [freq] [tag]' separated by single spaces, got "
                                        f"{line[:60]!r} (the word would contain whitespace)")
    count: float | None = None
    if len(parts) >= 2:
        try:
            count = parse_count(parts[1])
        except ValueError:
            if len(parts) == 3:
                raise FormatError(path, lineno, f"freq must be a number ≥ 0, got {parts[1][:30]!r}") from None
            count = None               # 'word tag', as jieba allows
            if not parts[1].isalpha():
                raise FormatError(path, lineno, f"freq must be a number ≥ 0, got {parts[1][:30]!r}") from None
    if count is None and require_count:
        raise FormatError(path, lineno, f"expected 'word freq [tag]' (a frequency is needed), "
                                        f"got {line[:60]!r}")
    return word, count


def write_jieba_dict(entries: Iterable[tuple[str, float]], out: PathLike | IO[str]) -> int:
    """Write ``word freq`` lines (a jieba user dictionary); return the number written.

    Frequencies are rounded to integers ≥ 1 (jieba parses them with ``int``). Words containing
    whitespace cannot be expressed in the format and raise :class:`~nlpzero.errors.ParameterError`.

    >>> import io
    >>> buf = io.StringIO()
    >>> write_jieba_dict([("云计算", 4.6)], buf), buf.getvalue()
    (1, '云计算 5\\n')
    """
    def rows():
        for word, count in entries:
            if not word or any(ch.isspace() for ch in word):
                raise ParameterError(f"a jieba dictionary word cannot be empty or contain whitespace: {word!r}")
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


def load_jieba_dict(path: PathLike, *, encoding: str = "utf-8") -> Lexicon:
    """Read a jieba-format dictionary (``word freq [tag]`` per line; file order is kept) as a
    :class:`~nlpzero.Lexicon`, with :func:`nlpzero.dictionary.read_dictionary` (a line without a
    frequency is an error here). Frequencies are rounded to integers; words whose frequency is 0
    (jieba's mark of a deleted word) are left out, repeated words add up.

    Raises
    ------
    nlpzero.errors.FormatError
        A malformed line (the message names the file and line number).
    nlpzero.errors.InputError
        The file is missing or unreadable.
    """
    from ..lexicon import Lexicon

    return Lexicon.load(path, format="jieba", encoding=encoding)


# ---------------------------------------------------------------------- lexicons handed to jieba
def _counts_of(lexicon: Any) -> list[tuple[str, float]]:
    from ..segment import Segmenter

    if isinstance(lexicon, Segmenter):
        if lexicon.kind != "count":
            raise ParameterError("a score segmenter has no counts to export; pass a count lexicon")
        return list(lexicon.to_dict().items())
    if hasattr(lexicon, "to_dict") and not isinstance(lexicon, Mapping):
        lexicon = lexicon.to_dict()
    if isinstance(lexicon, (str, os.PathLike)):
        from ..dictionary import read_dictionary

        return [(w, c) for w, c in read_dictionary(lexicon) if c is not None]
    if not isinstance(lexicon, Mapping):
        raise ParameterTypeError(f"expected a lexicon (mapping word -> count), got {type(lexicon).__name__}")
    return list(lexicon.items())


def to_jieba_userdict(lexicon: Any, path: Any = None) -> str | int:
    """Write a lexicon as a jieba user dictionary (``word freq`` per line).

    Parameters
    ----------
    lexicon : Mapping[str, number], object with ``to_dict()``, count Segmenter, or path
    path : str, os.PathLike, file object or None
        Where to write (atomically for paths). None returns the text instead.

    Returns
    -------
    str or int
        The text when ``path`` is None, else the number of words written.

    Examples
    --------
    >>> to_jieba_userdict({"云计算": 5, "创新办": 3})
    '云计算 5\\n创新办 3\\n'
    """
    entries = [(w, c) for w, c in _counts_of(lexicon) if c > 0]
    if path is None:
        import io

        buf = io.StringIO()
        write_jieba_dict(entries, buf)
        return buf.getvalue()
    return write_jieba_dict(entries, path)


def jieba_tokenizer(lexicon: Any, *, base: str | None = None):
    """A ``jieba.Tokenizer`` loaded with ``lexicon``, for jieba's HMM on top of our words.

    Parameters
    ----------
    lexicon : Mapping[str, number], object with ``to_dict()``, count Segmenter, or path
    base : {None, "jieba"}
        None: the lexicon is the tokenizer's whole dictionary. ``"jieba"``: jieba's own
        dictionary with the lexicon loaded on top as a user dictionary.

    Examples
    --------
    >>> tok = jieba_tokenizer({"云计算": 5, "是": 10, "好": 3})
    >>> tok.lcut("云计算是好", HMM=True)
    ['云计算', '是', '好']
    """
    import io
    import shutil
    import tempfile

    import jieba

    text = to_jieba_userdict(lexicon)
    if base == "jieba":
        tok = jieba.Tokenizer()
        tok.initialize()
        tok.load_userdict(io.StringIO(text))
        return tok
    if base is not None:
        raise ParameterError(f"`base` must be None or 'jieba', got {base!r}")
    if not text:
        raise ParameterError("the lexicon is empty")
    tmp = tempfile.mkdtemp(prefix="nlpzero-jieba-")
    try:
        path = os.path.join(tmp, "dict.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        tok = jieba.Tokenizer(dictionary=path)
        tok.tmp_dir = tmp
        tok.initialize()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tok
