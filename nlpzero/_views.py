"""The options of :class:`nlpzero.Segmenter` on top of the plain dictionary search, in one place:
jieba's other cuts (its HMM, search-engine and full modes, computed by the ``_segment.jieba_*``
kernels), words kept whole wherever they occur (forced and symbol words), and the views of the
text the dictionary is matched on (the traditional -> simplified view).

A segmenter without options is cut by the classic kernel directly (``Segmenter._plain``); every
other one goes through :func:`lcut`, :func:`spans`, :func:`line_tokens` and :func:`utf8` here.
Internal.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import _segment

#: jieba's cuts as the ``how`` argument of the ``_segment.jieba_*`` kernels
_ACCURATE, _HMM, _FULL = 0, 1, 2

#: ``kernel(text, markers)`` -> int32 spans (k, 2) of ``text``; (-1, -1) marks a newline.
Kernel = Callable[[str, bool], np.ndarray]


def has_boundary_char(key: str) -> bool:
    """Whether ``key`` holds a character the text model cuts at (not a word character)."""
    from .corpus import to_codes, word_mask

    return not bool(word_mask(to_codes(key, normalize=False), normalize=False).all())


def words_trie(words: list[str]) -> _segment.Trie:
    """A trie whose words are ``words`` (scores 0)."""
    trie = _segment.Trie(max(16, 2 * len(words)))
    trie.add_words(list(words), np.zeros(len(words)))
    return trie


def spans_around_whole_words(view: str, whole: _segment.Trie, normalize: bool, kernel: Kernel,
                             markers: bool) -> np.ndarray:
    """Spans of ``view``: the occurrences of ``whole``'s words (leftmost first, then longest; see
    ``_segment.whole_word_spans``) as tokens, the text between them cut by ``kernel``."""
    occ = _segment.whole_word_spans(view, whole, normalize)
    if not len(occ):
        return kernel(view, markers)
    parts, pos = [], 0
    for a, b in occ.tolist() + [[len(view), len(view)]]:
        if a > pos:
            piece = kernel(view[pos:a], markers)
            parts.append(np.where(piece >= 0, piece + pos, piece).astype(np.int32))
        if b > a:
            parts.append(np.array([[a, b]], dtype=np.int32))
        pos = b
    return np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int32)


def lines_from_spans(text: str, spans: np.ndarray) -> list[list[str]]:
    """One list of tokens ``text[a:b]`` per line, lines separated by (-1, -1) spans."""
    lines: list[list[str]] = [[]]
    for a, b in spans.tolist():
        if a < 0:
            lines.append([])
        else:
            lines[-1].append(text[a:b])
    return lines


def require_traditional() -> None:
    """Fail now (:class:`~nlpzero.errors.InputError`) when OpenCC, which the traditional view
    needs, is missing, rather than at the first text."""
    from .traditional import t2s_table

    t2s_table()


def jieba_cut(seg) -> int | None:
    """The jieba kernel's cut for ``seg`` (accurate, with the HMM, full), or None for the classic
    kernel."""
    if seg.mode != "jieba" or (not seg.hmm and seg.cut_mode == "accurate"):
        return None
    if seg.cut_mode == "full":
        return _FULL
    if seg.hmm:
        from .jieba._model import ensure_hmm

        ensure_hmm()
        return _HMM
    return _ACCURATE


def whole_words(seg) -> _segment.Trie | None:
    """The trie of ``seg``'s words kept whole (built on first use), or None."""
    if not seg._whole:
        return None
    if seg._whole_trie is None:
        seg._whole_trie = words_trie(list(seg._whole))
    return seg._whole_trie


def _jieba_only(seg) -> int | None:
    """The jieba cut when it alone does the work (no view, no forced word), else None."""
    return None if seg.traditional or seg._whole else jieba_cut(seg)


def _kernel(seg) -> Kernel:
    how = jieba_cut(seg)
    if how is None:
        args = seg._args()
        return lambda view, markers: _segment.segment_spans(view, *args, markers)
    search = seg.cut_mode == "search"
    return lambda view, markers: _segment.jieba_spans(view, seg._trie, seg._offset, how, search,
                                                      False, markers, False)


def spans(seg, text: str, markers: bool = False) -> np.ndarray:
    """Spans of ``text`` cut by ``seg``, matched on its view (simplified when ``traditional``),
    forced words first; (-1, -1) marks a newline when ``markers``."""
    view = text
    if seg.traditional:
        from .traditional import simplified_view

        view = simplified_view(text)
    kernel = _kernel(seg)
    whole = whole_words(seg)
    if whole is None:
        return kernel(view, markers)
    return spans_around_whole_words(view, whole, seg.normalize, kernel, markers)


def lcut(seg, text: str) -> list[str]:
    """The tokens of ``text`` (a text of at most ``BATCH_CHARS`` characters)."""
    how = _jieba_only(seg)
    if how is not None:
        lines = _segment.jieba_lists(text, seg._trie, seg._offset, how, seg.cut_mode == "search", False)
        return lines[0] if len(lines) == 1 else [w for line in lines for w in line]
    return [text[a:b] for a, b in spans(seg, text).tolist()]


def line_tokens(seg, text: str) -> list[list[str]]:
    """One list of tokens per ``\\n``-separated line of ``text``."""
    how = _jieba_only(seg)
    if how is not None:
        return _segment.jieba_lists(text, seg._trie, seg._offset, how, seg.cut_mode == "search", False)
    return lines_from_spans(text, spans(seg, text, True))


def utf8(seg, text: str, delim: bytes, mid_line: bool) -> tuple[bytes, bool]:
    """``text`` segmented as UTF-8 bytes (see ``Segmenter.segment_bytes``)."""
    how = _jieba_only(seg)
    if how is not None:
        return _segment.jieba_utf8(text, seg._trie, seg._offset, how, seg.cut_mode == "search",
                                   delim, mid_line, False)
    return _segment.spans_utf8(text, spans(seg, text, True), delim, mid_line)
