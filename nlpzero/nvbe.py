"""Branching-entropy autonomy (nVBE, Magistry & Sagot 2012) for unsupervised segmentation (SPEC §4).

For every string x of at most ``max_len`` symbols:

1. right branching entropy h_r(x): entropy of the symbol that follows x, a run end counting as
   a new distinct symbol each time; left h_l(x) likewise with the preceding symbol. With the
   counts of the one-symbol extensions y of x, ``h(x) = log c(x) − Σ_y c(y) log c(y) / c(x)``
   (a run end contributes 1·log 1 = 0), so one pass over the n-gram table gives both;
2. variation of branching entropy: VBE_r(x) = h_r(x) − h_r(x[:-1]), VBE_l(x) = h_l(x) − h_l(x[1:])
   (for one symbol the unigram entropy is subtracted);
3. per length, standardise both over all strings seen of that length; autonomy
   a(x) = z(VBE_l(x)) + z(VBE_r(x));
4. segment each run maximising Σ (a(w)·|w| − penalty) by dynamic programming.

Statistics see each maximal ASCII letter/digit stretch as one symbol (a number is never split
and "１９９８年" is the two-symbol string <number>年), and normalised text (full-width → ASCII).

References
----------
Magistry, P. & Sagot, B. (2012). Unsupervised word segmentation: the case for Mandarin Chinese.
ACL 2012, 383-387.
Jin, Z. & Tanaka-Ishii, K. (2006). Unsupervised segmentation of Chinese text by use of branching
entropy. COLING/ACL 2006.
"""
from __future__ import annotations

from typing import List, Tuple

import numpy as np

from . import _discover


def _entropies(index: "_discover.NgramIndex", order: int):
    """Counts, prefix/suffix links and (h_r, h_l) for every level 1..order (level order+1 feeds them)."""
    levels = [index.level(k) for k in range(1, index.max_n + 1)]
    out = []
    for k in range(order):
        count, prefix, suffix = levels[k]
        c = count.astype(np.float64)
        nxt_count, nxt_prefix, nxt_suffix = levels[k + 1]
        cn = nxt_count.astype(np.float64)
        clc = cn * np.log(np.maximum(cn, 1.0))
        s_r = np.bincount(nxt_prefix, weights=clc, minlength=c.size)
        s_l = np.bincount(nxt_suffix, weights=clc, minlength=c.size)
        safe = np.maximum(c, 1.0)
        logc = np.log(safe)
        h_r = logc - s_r / safe
        h_l = logc - s_l / safe
        out.append((count, prefix, suffix, h_r, h_l))
    return out


def _z(v: np.ndarray, mask: np.ndarray) -> np.ndarray:
    sel = v[mask]
    if sel.size < 2:
        return np.zeros_like(v)
    sd = sel.std()
    return (v - sel.mean()) / (sd if sd > 0 else 1.0)


def autonomy(index: "_discover.NgramIndex", max_len: int, min_count: int = 1) -> List[np.ndarray]:
    """a(x) for every string of lengths 1..max_len (a list, one float64 array per length, indexed
    by the index's ids; strings never seen get -inf). ``index.max_n`` must be ≥ max_len + 1."""
    levels = _entropies(index, max_len)
    count1 = levels[0][0].astype(np.float64)
    n = count1.sum()
    p = count1[count1 > 0] / n
    h0 = float(-(p * np.log(p)).sum())
    out = []
    for k, (count, prefix, suffix, h_r, h_l) in enumerate(levels, start=1):
        seen = count > 0
        ref = count >= min_count
        if k == 1:
            v_r = h_r - h0
            v_l = h_l - h0
        else:
            v_r = h_r - levels[k - 2][3][prefix]
            v_l = h_l - levels[k - 2][4][suffix]
        a = _z(v_r, ref) + _z(v_l, ref)
        a[~seen] = -np.inf
        out.append(a)
    return out


def word_scores(auto: List[np.ndarray], penalty: float) -> Tuple[np.ndarray, np.ndarray]:
    """Concatenated word scores a(w)·|w| − penalty and the offsets of each length (K + 1 entries)."""
    parts = [a * k - penalty for k, a in enumerate(auto, start=1)]
    offset = np.zeros(len(parts) + 1, dtype=np.int64)
    offset[1:] = np.cumsum([p.size for p in parts])
    return np.concatenate(parts), offset
