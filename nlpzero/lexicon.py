"""Lexicons: the result of word discovery, and dictionary files (TSV, jsonl, jieba format).

A :class:`Lexicon` lists words best first with their count, probability and the scores that
justified them (cohesion or PMI, left/right branching entropy) and whether each is new, i.e.
absent from the dictionary shipped with the installed jieba package.

File formats
------------
TSV (default): a ``#`` header line naming the columns, then ``word<TAB>count<TAB>proba<TAB>
cohesion<TAB>left_entropy<TAB>right_entropy<TAB>new`` best first (``nan`` where a score does not
apply). Loading needs only the first two columns; files with just ``word<TAB>count`` load too.
jsonl: one JSON object per word with the same fields. jieba: ``word freq [tag]`` per line.
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Union

import numpy as np

from ._io import atomic_write
from ._validate import check_choice, check_int
from .corpus import Corpus
from .dictionary import UTF8_HINT
from .errors import FormatError, ParameterError
from .jieba.interop import jieba_words, write_jieba_dict

__all__ = ["Lexicon"]

PathLike = Union[str, "os.PathLike[str]"]
_COLUMNS = ("word", "count", "proba", "cohesion", "left_entropy", "right_entropy", "new")


@dataclass(frozen=True, eq=False)
class Lexicon:
    """Words best first, with counts and the scores that justified them.

    Attributes
    ----------
    words : tuple of str, length n
    counts : ndarray of int64, shape (n,)
    proba : ndarray of float64, shape (n,)
        ``count / Σ count`` over the lexicon.
    cohesion : ndarray of float64, shape (n,)
        Weakest-split PMI (method "mi") or, for "min_entropy", the PMI of the weakest link; nan
        for single characters and where it does not apply.
    left_entropy, right_entropy : ndarray of float64, shape (n,)
        Branching entropies (nats) of the preceding / following character; nan when unknown.
    is_new : ndarray of bool, shape (n,)
        True for words absent from jieba's dictionary.
    method : str
        How the lexicon was made ("mi", "min_entropy", "file", ...).
    """

    words: tuple
    counts: np.ndarray
    proba: np.ndarray
    cohesion: np.ndarray
    left_entropy: np.ndarray
    right_entropy: np.ndarray
    is_new: np.ndarray
    method: str = "file"
    _index: dict[str, int] = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_index", {w: i for i, w in enumerate(self.words)})

    # ------------------------------------------------------------ construction
    @classmethod
    def from_counts(cls, counts: Mapping[str, int], method: str = "counts", *, cohesion=None,
                    left_entropy=None, right_entropy=None, sort: bool = True) -> Lexicon:
        """A lexicon from ``{word: count}`` (ranked by count, then word) and optional score arrays
        aligned with ``counts``'s iteration order."""
        words = list(counts)
        c = np.fromiter((int(counts[w]) for w in words), dtype=np.int64, count=len(words))
        if (c < 1).any():
            raise ParameterError("lexicon counts must be ≥ 1")
        n = len(words)

        def col(v):
            return np.full(n, np.nan) if v is None else np.asarray(v, dtype=np.float64)

        coh, le, re_ = col(cohesion), col(left_entropy), col(right_entropy)
        order = np.arange(n)
        if sort and n:
            order = np.lexsort((np.array(words, dtype=object).astype(str), -c))
        words = [words[i] for i in order]
        known = jieba_words()
        new = np.fromiter((w not in known for w in words), dtype=bool, count=n)
        c = c[order]
        total = c.sum()
        return cls(tuple(words), c, c / total if total else c.astype(np.float64), coh[order],
                   le[order], re_[order], new, method)

    # ------------------------------------------------------------ access
    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return word in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self.words)

    def count(self, word: str) -> int:
        """Count of ``word`` (0 when absent)."""
        i = self._index.get(word)
        return 0 if i is None else int(self.counts[i])

    def __getitem__(self, word: str) -> dict:
        """All fields of one word as a dict (KeyError when absent)."""
        i = self._index.get(word)
        if i is None:
            raise KeyError(f"word {word!r} not in the lexicon")
        return self._row(i)

    def _row(self, i: int) -> dict:
        def f(x):
            x = float(x)
            return None if math.isnan(x) else round(x, 6)

        return {"word": self.words[i], "count": int(self.counts[i]), "proba": float(self.proba[i]),
                "cohesion": f(self.cohesion[i]), "left_entropy": f(self.left_entropy[i]),
                "right_entropy": f(self.right_entropy[i]), "new": bool(self.is_new[i])}

    def subset(self, mask) -> Lexicon:
        """The words where ``mask`` (bool array, shape (n,)) is True, in the same order."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(self),):
            raise ParameterError(f"`mask` must have shape ({len(self)},), got {mask.shape}")
        idx = np.flatnonzero(mask)
        c = self.counts[idx]
        total = c.sum()
        return Lexicon(tuple(self.words[i] for i in idx), c, c / total if total else c.astype(float),
                       self.cohesion[idx], self.left_entropy[idx], self.right_entropy[idx],
                       self.is_new[idx], self.method)

    def top(self, n: int) -> list[str]:
        """The ``n`` best words (``n`` ≥ 0; all of them when ``n`` exceeds the size)."""
        n = check_int("n", n, minimum=0)
        return list(self.words[:n])

    def new_words(self) -> list[str]:
        """Words absent from jieba's dictionary, best first."""
        return [w for w, new in zip(self.words, self.is_new) if new]

    def to_dict(self) -> dict[str, int]:
        """``{word: count}``, best first (what :class:`nlpzero.Segmenter` takes)."""
        return dict(zip(self.words, self.counts.tolist()))

    def to_records(self) -> list[dict]:
        """One dict per word, best first."""
        return [self._row(i) for i in range(len(self))]

    def __repr__(self) -> str:
        head = ", ".join(self.words[:5])
        return f"Lexicon(method={self.method!r}, words={len(self)}: {head}{', ...' if len(self) > 5 else ''})"

    # ------------------------------------------------------------ files
    def save(self, path: PathLike | IO[str], *, format: str = "tsv", top: int | None = None) -> int:
        """Write the lexicon best first as ``"tsv"``, ``"jsonl"`` or ``"jieba"`` (a jieba user
        dictionary, ``word count``, by :func:`nlpzero.jieba.interop.write_jieba_dict`, which refuses
        words containing whitespace). Paths are written atomically; ``"-"`` or a text file object
        work too. Returns the number of words written."""
        check_choice("format", format, ("tsv", "jsonl", "jieba"))
        if isinstance(path, (str, os.PathLike)) and os.fspath(path) != "-":
            with atomic_write(path) as f:
                return self.save(f, format=format, top=top)
        if isinstance(path, (str, os.PathLike)):
            import sys

            return self.save(sys.stdout, format=format, top=top)
        out = path
        n = len(self) if top is None else min(check_int("top", top, minimum=0), len(self))
        if format == "jieba":
            return write_jieba_dict(zip(self.words[:n], self.counts[:n].tolist()), out)
        if format == "tsv":
            out.write("#" + "\t".join(_COLUMNS) + "\n")
        for start in range(0, n, 1 << 14):
            rows = []
            for i in range(start, min(n, start + (1 << 14))):
                if format == "jsonl":
                    rows.append(json.dumps(self._row(i), ensure_ascii=False) + "\n")
                else:
                    r = self._row(i)
                    cells = [r["word"], str(r["count"]), f"{r['proba']:.6g}"]
                    cells += ["nan" if r[k] is None else f"{r[k]:.4f}" for k in _COLUMNS[3:6]]
                    cells.append("1" if r["new"] else "0")
                    rows.append("\t".join(cells) + "\n")
            out.write("".join(rows))
        return n

    @classmethod
    def load(cls, path: PathLike, *, format: str | None = None, encoding: str = "utf-8") -> Lexicon:
        """Read a lexicon written by :meth:`save` (``format`` from the extension when None:
        ``.jsonl`` → jsonl, else TSV) or a jieba dictionary (``format="jieba"``).

        Raises
        ------
        nlpzero.errors.FormatError
            A malformed line (the message names the file and line number).
        nlpzero.errors.InputError
            The file cannot be read.
        """
        path = os.fspath(path)
        if format is None:
            format = "jsonl" if path.endswith(".jsonl") else "tsv"
        check_choice("format", format, ("tsv", "jsonl", "jieba"))
        if format == "jieba":          # parsed as jieba.interop.parse_jieba_line reads it
            from .dictionary import read_dictionary

            entries = read_dictionary(path, format="jieba", encoding=encoding, require_count=True)
            nan = [np.nan] * len(entries)
            return _from_lists([w for w, _ in entries], [int(round(c)) for _, c in entries],
                               dict.fromkeys(("cohesion", "left_entropy", "right_entropy"), nan), "jieba")
        words, counts, cols = [], [], {k: [] for k in ("cohesion", "left_entropy", "right_entropy")}
        for lineno, line in enumerate(Corpus(path, encoding=encoding, decode_hint=UTF8_HINT).lines(), start=1):
            line = line.rstrip("\r\n")
            if not line or (line.startswith("#") and format == "tsv"):
                continue
            if format == "jsonl":
                try:
                    rec = json.loads(line)
                    word, count = rec["word"], rec["count"]
                    extra = [rec.get(k) for k in cols]
                except (ValueError, KeyError, TypeError) as exc:
                    raise FormatError(path, lineno, f"not a lexicon record ({exc})") from None
            else:
                cells = line.split("\t")
                if len(cells) < 2:
                    raise FormatError(path, lineno, f"expected word<TAB>count, got {line!r:.60}")
                word, count = cells[0], cells[1]
                extra = cells[3:6] + [None] * (3 - len(cells[3:6]))
            word, count = _check_entry(path, lineno, word, count)
            words.append(word)
            counts.append(count)
            for k, v in zip(cols, extra):
                try:
                    cols[k].append(np.nan if v in (None, "", "nan") else float(v))
                except ValueError:
                    raise FormatError(path, lineno, f"{k} {v!r} is not a number") from None
        if not words:
            raise FormatError(path, 0, "the lexicon holds no words")
        return _from_lists(words, counts, cols, "file")


def _check_entry(path, lineno, word, count):
    if not isinstance(word, str) or not word or any(ch.isspace() for ch in word):
        raise FormatError(path, lineno, f"bad word {word!r}")
    try:
        value = int(count)
    except (TypeError, ValueError):
        raise FormatError(path, lineno, f"count {count!r} is not an integer") from None
    if value < 1:
        raise FormatError(path, lineno, f"count must be ≥ 1, got {value}")
    if value > _MAX_COUNT:
        raise FormatError(path, lineno, f"count {value} is too large (counts are 64-bit, at most {_MAX_COUNT})")
    return word, value


_MAX_COUNT = 1 << 62


def _from_lists(words, counts, cols, method) -> Lexicon:
    seen = {}
    for i, w in enumerate(words):
        if w in seen:       # a repeated word: its counts add up, at its first position
            counts[seen[w]] += counts[i]
            counts[i] = 0
        else:
            seen[w] = i
    keep = [i for i in range(len(words)) if counts[i] > 0]
    if any(counts[i] > _MAX_COUNT for i in keep):
        raise ParameterError(f"a word's summed count exceeds {_MAX_COUNT} (counts are 64-bit)")
    c = np.array([counts[i] for i in keep], dtype=np.int64)
    known = jieba_words()
    ws = tuple(words[i] for i in keep)
    total = c.sum() if c.size else 0
    arr = {k: np.array([v[i] for i in keep], dtype=np.float64) for k, v in cols.items()}
    return Lexicon(ws, c, c / total if total else c.astype(np.float64), arr["cohesion"],
                   arr["left_entropy"], arr["right_entropy"],
                   np.fromiter((w not in known for w in ws), dtype=bool, count=len(ws)), method)
