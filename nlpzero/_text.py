"""Shared plumbing of discovery and unsupervised segmentation: the code points of a chunk of
text (from :meth:`nlpzero.Corpus.line_chunks`), and strings cut from them in one pass. (How a
line becomes tokens — the text model of the output — lives in one place: the segmentation
kernel ``_segment``.)"""
from __future__ import annotations

import numpy as np


def as_codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


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
