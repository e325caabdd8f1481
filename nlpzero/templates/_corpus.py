"""Corpus input of the templates: lines of tokens -> word ids, pieces and their counts (an
internal seam).

A corpus is read once into an :class:`Encoded`: every token as a word id, the line offsets,
which words are piece boundaries (no word character) and the pieces (token stretches between
boundaries, cut into chunks of at most ``max_len`` tokens). A segmented UTF-8 file is read by a
compiled tokenizer that splits exactly like ``str.split`` over :meth:`nlpzero.Corpus.lines`.

It is internal (not part of ``nlpzero.*``) but documented and stable enough for tests and the
benchmark: :func:`encode` (token lines, the general path), :func:`encode_corpus` (any corpus,
the compiled tokenizer when :func:`fast_bytes` accepts the file) and :func:`boundary_mask` are
the entry points they use.
"""
from __future__ import annotations

import codecs
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _templates
from ..errors import ParameterTypeError
from ..protocol import SegmenterLike, SegmenterSource

#: Pieces longer than this many tokens are cut into chunks of at most this many tokens.
DEFAULT_MAX_LEN = 128

Source = Any



def _segmented_lines(corpus: Source, encoding: str) -> Iterator[Any]:
    """Token lists (or whitespace-separated str lines) of an already segmented corpus."""
    from ..corpus import Corpus

    if isinstance(corpus, (str, os.PathLike)) or hasattr(corpus, "read") or isinstance(corpus, Corpus):
        src = corpus if isinstance(corpus, Corpus) else Corpus(corpus, encoding=encoding)
        return iter(src.lines())
    if isinstance(corpus, (bytes, bytearray)):
        raise ParameterTypeError("`corpus` must be a path, a file, or an iterable of token lists / lines, got bytes")
    try:
        return iter(corpus)
    except TypeError:
        raise ParameterTypeError(
            f"`corpus` must be a path, a file, or an iterable of token lists / lines, got {type(corpus).__name__}"
        ) from None


def _as_segmenter(corpus: Source, segmenter: SegmenterSource | None) -> SegmenterLike | None:
    if segmenter is None:
        return None
    if isinstance(segmenter, str) and segmenter == "learn":
        from ..unsupervised import learn_segmenter

        return learn_segmenter(corpus)
    from ..segment import as_segmenter

    return as_segmenter(segmenter)


def _token_lines(corpus: Source, segmenter: SegmenterSource | None, encoding: str) -> Iterator[Any]:
    """One token list (or str of space-separated tokens) per line of the corpus."""
    seg = _as_segmenter(corpus, segmenter)
    if seg is None:
        return _segmented_lines(corpus, encoding)
    from ..corpus import as_corpus

    raw = as_corpus(corpus, encoding=encoding)
    return seg.cut_lines(raw.lines())


def boundary_mask(words: Sequence[str]) -> np.ndarray:
    """uint8 per word: 1 when the word contains no word character (a piece boundary)."""
    from ..corpus import to_codes, word_mask

    if not words:
        return np.zeros(0, dtype=np.uint8)
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    codes = to_codes("".join(words), normalize=False)
    mask = word_mask(codes, normalize=True).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    has_word = np.add.reduceat(mask, starts) > 0 if len(mask) else np.zeros(len(words), bool)
    return (~has_word).astype(np.uint8)


@dataclass
class Encoded:
    """A corpus as word ids: ``ids`` (all tokens), ``line_off`` and the pieces."""

    words: list[str]
    index: dict[str, int]
    ids: np.ndarray
    line_off: np.ndarray
    boundary: np.ndarray
    pstart: np.ndarray
    pend: np.ndarray
    pline: np.ndarray

    @property
    def n_tokens(self) -> int:
        return int((self.pend - self.pstart).sum())


def encode(lines: Iterable[Any], max_len: int, index: dict[str, int] | None = None) -> Encoded:
    """Token lists (or str lines, split on whitespace) as word ids and pieces of at most
    ``max_len`` tokens; new words are added to ``index`` (word -> id)."""
    index = {} if index is None else index
    ids, line_off = _templates.encode_lines(lines, index)
    words = list(index)
    boundary = boundary_mask(words)
    pstart, pend, pline = _templates.pieces(ids, line_off, boundary, max_len)
    return Encoded(words, index, ids, line_off, boundary, pstart, pend, pline)


_FAST_MAX_BYTES = 512 << 20
_OTHER_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def fast_bytes(corpus: Source, segmenter: SegmenterSource | None, encoding: str) -> bytes | None:
    """The bytes of a segmented UTF-8 file that the compiled tokenizer reads exactly like
    ``str.split`` over :meth:`Corpus.lines` (else None: the general path reads it)."""
    if segmenter is not None or not isinstance(corpus, (str, os.PathLike)) or os.fspath(corpus) == "-":
        return None
    try:
        if codecs.lookup(encoding).name != "utf-8":
            return None
    except (LookupError, TypeError):
        return None
    try:
        if os.path.getsize(corpus) > _FAST_MAX_BYTES:
            return None
        with open(corpus, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if b"\0" in data or data.startswith(codecs.BOM_UTF8):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None                     # the general path reports the byte offset
    if not text.isascii() and _OTHER_SPACE.search(text):
        return None
    return data


def encode_corpus(corpus: Source, segmenter: SegmenterSource | None, encoding: str, max_len: int) -> Encoded:
    """Any corpus (a path, a file, lines; raw text with a segmenter) as :func:`encode` gives
    it; a segmented UTF-8 file that :func:`fast_bytes` accepts is read by the compiled
    tokenizer, with the same result."""
    seg = _as_segmenter(corpus, segmenter) if segmenter is not None else None
    data = fast_bytes(corpus, seg, encoding)
    if data is None:
        return encode(_token_lines(corpus, seg, encoding), max_len)
    index: dict[str, int] = {}
    ids, line_off = _templates.encode_bytes(np.frombuffer(data, dtype=np.uint8), index)
    words = list(index)
    boundary = boundary_mask(words)
    pstart, pend, pline = _templates.pieces(ids, line_off, boundary, max_len)
    return Encoded(words, index, ids, line_off, boundary, pstart, pend, pline)


def _piece_counts(enc: Encoded) -> np.ndarray:
    inside = enc.boundary[enc.ids] == 0 if len(enc.ids) else np.zeros(0, bool)
    return np.bincount(enc.ids[inside], minlength=len(enc.words)).astype(np.int64)



def _warn_if_unsegmented(enc: Encoded) -> None:
    """Warn when most non-empty lines are a single long token: raw text passed as segmented."""
    n_tok = np.diff(enc.line_off)
    nonempty = n_tok > 0
    if nonempty.sum() < 10:
        return
    single = (n_tok == 1) & nonempty
    if single.sum() > 0.5 * nonempty.sum():
        lens = [len(enc.words[enc.ids[i]]) for i in enc.line_off[:-1][single][:1000].tolist()]
        if np.mean(lens) > 6:
            warnings.warn(
                f"{int(single.sum()):,} of {int(nonempty.sum()):,} lines are a single token "
                f"(about {np.mean(lens):.0f} characters long): is the corpus raw text? Pass a "
                "segmenter (CLI: drop --segmented) to segment it first", UserWarning, stacklevel=3)

