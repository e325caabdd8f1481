"""Shared plumbing of discovery and unsupervised segmentation: corpus chunks that end at line
ends, their symbols, and token spans (words, punctuation) in the original text."""
from __future__ import annotations

from typing import Iterator, Tuple

import numpy as np

from .corpus import Corpus, word_mask

#: characters that join the words on either side when they stand alone between word characters
#: (transliterated names "卡尔·马克思", and the PKU corpus's decimal point "６·５")
MIDDLE_DOTS = np.array([0x00B7, 0x2027, 0x30FB, 0xFF65], dtype=np.uint32)
_SPACES = np.array([9, 10, 11, 12, 13, 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                    0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF], dtype=np.uint32)


def line_chunks(corpus: Corpus, progress=None) -> Iterator[str]:
    """The corpus text in chunks that each end at a line end (the last may not)."""
    tail = ""
    for text in corpus.texts(progress):
        cut = text.rfind("\n")
        if cut < 0:
            tail += text
            continue
        chunk = tail + text[: cut + 1]
        tail = text[cut + 1 :]
        yield chunk
    if tail:
        yield tail


def as_codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def token_spans(codes: np.ndarray, sym: np.ndarray, start: np.ndarray, end: np.ndarray,
                word_starts: np.ndarray, normalize: bool = True) -> Tuple[np.ndarray, np.ndarray]:
    """Spans ``[lo, hi)`` of the output tokens of one chunk, in text order.

    Words are the symbol stretches that begin where ``word_starts`` is 1; a lone middle dot
    between two words joins them; every other non-space boundary character is a token, a
    repeated one ("——", "……") one token.
    """
    bounds = np.flatnonzero(word_starts.astype(bool) | (sym < 0))
    first = np.flatnonzero(word_starts[bounds].astype(bool))
    w_lo = start[bounds[first]]
    w_hi = end[bounds[first + 1] - 1]
    # middle dots that join words
    sep = np.flatnonzero(sym < 0)
    sep = sep[(sep > 0) & (sep + 1 < sym.size)]
    lo, hi = start[sep], end[sep]
    dot = sep[(hi - lo == 1) & np.isin(codes[np.minimum(lo, codes.size - 1)], MIDDLE_DOTS)]
    glued = np.zeros(codes.size, dtype=bool)
    if dot.size:
        glued[start[dot]] = True
        after = np.searchsorted(w_lo, end[dot])          # word right after each dot
        cont = np.zeros(w_lo.size, dtype=bool)
        cont[after] = True
        group = np.cumsum(~cont) - 1
        heads = np.flatnonzero(~cont)
        tails = np.append(heads[1:], w_lo.size) - 1
        w_lo, w_hi = w_lo[heads], w_hi[tails]
        del group
    # punctuation and symbols: boundary characters that are not spaces
    punct = ~word_mask(codes, normalize) & ~np.isin(codes, _SPACES) & ~glued
    p = np.flatnonzero(punct)
    if p.size:
        keep = np.ones(p.size, dtype=bool)
        keep[1:] = ~((p[1:] == p[:-1] + 1) & (codes[p[1:]] == codes[p[:-1]]))
        p_lo = p[keep]
        p_hi = np.append(p[np.flatnonzero(keep)[1:] - 1], p[-1]) + 1
        lo = np.concatenate((w_lo, p_lo))
        hi = np.concatenate((w_hi, p_hi))
        order = np.argsort(lo, kind="stable")
        return lo[order], hi[order]
    return w_lo, w_hi


def cut_strings(codes: np.ndarray, lo: np.ndarray, length: np.ndarray) -> list:
    """The strings ``codes[lo[i] : lo[i] + length[i]]`` as a list, cut in one pass: copied into one
    buffer with a separator absent from ``codes``, decoded once, split."""
    length = np.asarray(length, dtype=np.int64)
    if not length.size:
        return []
    sep = next(c for c in (*range(1, 32), *range(0xE000, 0xF900)) if not (codes == c).any())
    slot = length + 1
    end = np.cumsum(slot)
    buf = np.full(int(end[-1]), sep, dtype=np.uint32)
    first = np.repeat(end - slot, length)
    within = np.arange(first.size) - np.repeat(np.cumsum(length) - length, length)
    buf[first + within] = codes[np.repeat(lo, length) + within]
    return buf[:-1].tobytes().decode("utf-32-le", "surrogatepass").split(chr(sep))
