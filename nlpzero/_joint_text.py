"""Array helpers of the joint model's text handling: runs of encoded symbols, selections of
runs, token spans from word-start flags (with the number rule of the compiled kernel); the
tokens by line come from the kernels ``_joint.line_lists`` / ``tokens_utf8``.
Shared by :mod:`nlpzero.joint` and :mod:`nlpzero._joint_learn`."""
from __future__ import annotations

import numpy as np

from . import _joint


def select(off: np.ndarray, runs: np.ndarray, *arrays):
    """The runs ``runs`` (indices) of concatenated arrays, with their new offsets."""
    lens = off[runs + 1] - off[runs]
    new_off = np.zeros(runs.size + 1, dtype=np.int64)
    new_off[1:] = np.cumsum(lens)
    idx = np.repeat(off[runs] - new_off[:-1], lens) + np.arange(int(new_off[-1]))
    return new_off, [a[idx] for a in arrays]


def runs_of(feat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split encoded symbols (``-1`` separators) into runs: (symbols, offsets, positions of the
    run symbols in ``feat``)."""
    pos = np.flatnonzero(feat >= 0)
    if not pos.size:
        return feat[:0], np.zeros(1, dtype=np.int64), pos
    gap = np.flatnonzero(np.diff(pos) > 1) + 1
    off = np.concatenate(([0], gap, [pos.size])).astype(np.int64)
    return np.ascontiguousarray(feat[pos]), off, pos


def token_spans(codes: np.ndarray, char_spans: np.ndarray, word_start: np.ndarray,
                normalize: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Token spans (lo, hi) of a text from its one-character spans (``char_spans``, shape
    (k, 2): each character of a run, each ASCII stretch, each punctuation token, as the
    dictionary segmenter's text model makes them with no words) and a word-start flag per
    character offset, with the number rule."""
    lo = np.ascontiguousarray(char_spans[:, 0], dtype=np.int32)
    hi = np.ascontiguousarray(char_spans[:, 1], dtype=np.int32)
    join = _joint.join_flags(np.ascontiguousarray(codes, dtype=np.uint32), lo, hi,
                             np.ascontiguousarray(word_start, dtype=np.uint8), normalize)
    first = np.flatnonzero(join == 0)
    last = np.concatenate((first[1:] - 1, [lo.size - 1])) if first.size else first
    return lo[first].astype(np.int64), hi[last].astype(np.int64)
