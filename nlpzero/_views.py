"""Helpers of :class:`nlpzero.Segmenter`'s options on top of the dictionary search: words kept
whole wherever they occur (forced and symbol words), and the views of the text the dictionary is
matched on (the traditional -> simplified view). Internal."""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import _segment

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
