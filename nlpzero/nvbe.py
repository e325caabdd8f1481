"""Branching-entropy autonomy (nVBE, Magistry & Sagot 2012) for unsupervised segmentation.

For every string x of at most ``max_word_len`` symbols:

1. right branching entropy h_r(x): entropy of the symbol that follows x, a run end counting as
   a new distinct symbol each time; left h_l(x) likewise with the preceding symbol. With the
   counts of the one-symbol extensions y of x, ``h(x) = log c(x) − Σ_y c(y) log c(y) / c(x)``
   (a run end contributes 1·log 1 = 0), so one pass over the n-gram table gives both;
2. variation of branching entropy: VBE_r(x) = h_r(x) − h_r(x[:-1]), VBE_l(x) = h_l(x) − h_l(x[1:])
   (for one symbol the unigram entropy is subtracted);
3. per length, standardise both over all strings seen of that length and add them,
   z(VBE_l(x)) + z(VBE_r(x)); then standardise that sum per length too, so the autonomy a(x) has
   mean 0 and standard deviation 1 at every length (``restandardize=False`` keeps the plain sum
   of Magistry & Sagot);
4. score each candidate word ``s(w) = a(w)·|w| + Σ_j z(PMI(w_j, w_j+1)) − penalty``: its
   autonomy per symbol plus the standardised point-wise mutual information of each pair of
   adjacent symbols inside it (``link=False`` drops that term: the original nVBE); a string
   holding two or more collapsed ASCII stretches (``<number>月<number>日``) is not a word;
5. segment each run maximising Σ s(w) by dynamic programming.

Why the second standardisation (step 3): the spread of z_l + z_r is √(2 + 2ρ_k), where ρ_k is
the correlation of the left and right variations among strings of length k. It differs by
length (on PKU 1998-01: 1.83, 1.48, 1.17, 1.40 for k = 1..4; on product reviews 1.88, 1.45,
1.26, 1.40): left and right variations agree for single characters and disagree for trigrams,
so the plain sum gives single characters a wider spread than longer strings and the dynamic
programme weighs lengths unevenly, against the intent of the per-length normalisation.
Rescaling the sum puts every length on the same scale.

Why the link term (step 4): branching entropy looks at a word's outside (how freely it
combines), PMI at its inside (how strongly its characters stick together); Chen, Xu & Chang
(2011) combine exterior and interior boundary evidence the same way. Both are standardised, so
one standard deviation of autonomy per symbol weighs as much as one standard deviation of
cohesion per link: the weight 1 is the unit, not a fitted value. Within a run the links are
fixed, so rewarding the links kept inside words is the same as charging z(PMI) for every cut,
and the term folds into a per-word score (no change to the dynamic programme).

Why at most one ASCII stretch per word: collapsing every number to one symbol (so that a number
is never split) makes ``<number>月<number>日`` look like one frequent fixed string; a string with
two numbers is a pattern, not a word.

Each change raised F1 on all three checks we ran (PKU learned and segmented whole, PKU learned on
half the lines and segmented on the other half, product reviews against jieba's dictionary
segmentation); ``python -m benchmarks.bench_quality`` measures them; docs/unsupervised.md records the figures.

Statistics see each maximal ASCII letter/digit stretch as one symbol (a number is never split
and "１９９８年" is the two-symbol string <number>年), and normalised text (full-width → ASCII).

References
----------
Magistry, P. & Sagot, B. (2012). Unsupervised word segmentation: the case for Mandarin Chinese.
ACL 2012, 383-387.
Jin, Z. & Tanaka-Ishii, K. (2006). Unsupervised segmentation of Chinese text by use of branching
entropy. COLING/ACL 2006.
Chen, S., Xu, Y. & Chang, H. (2011). A simple and effective unsupervised word segmentation
approach. AAAI 2011.
"""
from __future__ import annotations

import numpy as np

from . import _discover, _ngram


def branching_entropies(count: np.ndarray, next_count: np.ndarray, next_prefix: np.ndarray,
                        next_suffix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(h_l, h_r) in nats of the strings of one order from the counts of the next order.

    ``h(x) = log c(x) − Σ_y c(y) log c(y) / c(x)`` over the one-symbol extensions y of x (to the
    right for h_r, grouped by ``next_prefix``; to the left for h_l, grouped by ``next_suffix``);
    each run end or start counts as a distinct symbol seen once, contributing 1·log 1 = 0.
    """
    s_r, s_l = _discover.extension_sums(next_count, next_prefix, next_suffix, count.size)
    safe = np.maximum(count, 1).astype(np.float64)
    h_r = np.log(safe)
    h_l = h_r - s_l / safe
    h_r -= s_r / safe
    return h_l, h_r


def _z(v: np.ndarray, mask: np.ndarray) -> np.ndarray:
    sel = v[mask]
    if sel.size < 2:
        return np.zeros_like(v)
    sd = sel.std()
    return (v - sel.mean()) / (sd if sd > 0 else 1.0)


def autonomy(index: _ngram.NgramView, max_word_len: int, levels=None,
             restandardize: bool = True) -> list[np.ndarray]:
    """a(x) for every string of lengths 1..max_word_len: a list with one float64 array per length,
    indexed by the view's ids (strings never seen get -inf). ``index.max_n`` must be at least
    ``max_word_len + 1``; ``levels`` may pass the ``index.level(k)`` tuples already fetched. With
    ``restandardize`` (default) the per-length sum z(VBE_l) + z(VBE_r) is standardised again
    per length; without it a(x) is that sum (the original nVBE)."""
    if levels is None:
        levels = [index.level(k) for k in range(1, max_word_len + 2)]
    count1 = levels[0][0].astype(np.float64)
    p = count1[count1 > 0] / count1.sum()
    h0 = float(-(p * np.log(p)).sum())
    out = []
    prev = None
    for k in range(1, max_word_len + 1):
        count, prefix, suffix = levels[k - 1]
        h_l, h_r = branching_entropies(count, *levels[k])
        seen = count > 0
        if k == 1:
            v_r, v_l = h_r - h0, h_l - h0
        else:
            v_r, v_l = h_r - prev[1][prefix], h_l - prev[0][suffix]
        a = _z(v_r, seen)
        a += _z(v_l, seen)
        if restandardize:
            a = _z(a, seen)
        a[~seen] = -np.inf
        del v_r, v_l
        out.append(a)
        prev = (h_l, h_r)
    return out


def _additive(levels, max_word_len: int, per_symbol: np.ndarray, per_pair: np.ndarray) -> list[np.ndarray]:
    """f(x) = Σ per_symbol over the symbols of x + Σ per_pair over its adjacent pairs, for every
    string of orders 1..max_word_len (by id), by inclusion-exclusion over the prefix/suffix links:
    f(x) = f(x[:-1]) + f(x[1:]) − f(x[1:-1])."""
    out = [per_symbol.astype(np.float64), per_pair.astype(np.float64) + 0.0]
    if max_word_len >= 2:
        _, pre, suf = levels[1]
        out[1] += out[0][pre] + out[0][suf]
    for k in range(3, max_word_len + 1):
        _, pre, suf = levels[k - 1]
        mid = levels[k - 2][2][pre]
        out.append(out[k - 2][pre] + out[k - 2][suf] - out[k - 3][mid])
    return out[:max_word_len]


def link_cohesion(levels, max_word_len: int) -> list[np.ndarray]:
    """Σ_j z(PMI(x_j, x_j+1)) over the adjacent symbol pairs inside every string of orders
    1..max_word_len (0 for single symbols): a list of float64 arrays by id. ``PMI(a, b) = log P(ab) −
    log P(a) − log P(b)`` with ``P(ab) = c(ab)/N2`` (N2 adjacent pairs) and ``P(a) = c(a)/N``; z
    standardises it over all pairs seen. ``levels`` are the ``index.level(k)`` tuples, k ≥ 1."""
    c1 = levels[0][0].astype(np.float64)
    c2, pre, suf = levels[1]
    seen = c2 > 0
    pmi = np.zeros(c2.size)
    if seen.any():
        pmi[seen] = (np.log(c2[seen] / float(c2.sum())) - np.log(c1[pre[seen]] / c1.sum())
                     - np.log(c1[suf[seen]] / c1.sum()))
    z = _z(pmi, seen)
    z[~seen] = 0.0
    return _additive(levels, max_word_len, np.zeros(c1.size), z)


def ascii_symbols(index: _ngram.NgramView) -> np.ndarray:
    """True for the order-1 ids of the view that are collapsed ASCII stretches (``0`` or ``A``)."""
    chars = index.chars()
    return (chars == _ngram.DIGIT_SYMBOL) | (chars == _ngram.LATIN_SYMBOL)


def ascii_stretches(levels, max_word_len: int, ascii1: np.ndarray) -> list[np.ndarray]:
    """Number of collapsed ASCII letter/digit symbols in every string of orders 1..max_word_len
    (int32 arrays by id; the inclusion-exclusion of :func:`_additive` in exact integers);
    ``ascii1`` marks the order-1 ids that are such symbols (:func:`ascii_symbols`)."""
    out = [np.asarray(ascii1, dtype=np.int32)]
    for k in range(2, max_word_len + 1):
        _, pre, suf = levels[k - 1]
        if k == 2:
            out.append(out[0][pre] + out[0][suf])
        else:
            mid = levels[k - 2][2][pre]
            out.append(out[k - 2][pre] + out[k - 2][suf] - out[k - 3][mid])
    return out[:max_word_len]


def nvbe_scores(index: _ngram.NgramView, max_word_len: int, penalty: float, levels=None, *,
                restandardize: bool = True, link: bool = True,
                one_ascii: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Word scores of steps 3-4 for every string of at most ``max_word_len`` symbols, concatenated by
    order, and the offsets of each order (see :func:`word_scores`). ``index.max_n`` must be at
    least ``max_word_len + 1``. The keyword switches turn the three additions to Magistry & Sagot's
    nVBE off (all ``False``: their method)."""
    if levels is None:
        levels = [index.level(k) for k in range(1, max_word_len + 2)]
    auto = autonomy(index, max_word_len, levels, restandardize)
    extra = link_cohesion(levels, max_word_len) if link and max_word_len >= 2 else None
    if one_ascii and max_word_len >= 2:
        for k, n in enumerate(ascii_stretches(levels, max_word_len, ascii_symbols(index))[1:], start=2):
            auto[k - 1][n > 1] = -np.inf
    return word_scores(auto, penalty, extra)


def word_scores(auto: list[np.ndarray], penalty: float,
                extra: list[np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Concatenated word scores a(w)·|w| (+ extra[k-1][w]) − penalty and the offsets of each
    length (K + 1 entries)."""
    parts = [a * k - penalty for k, a in enumerate(auto, start=1)]
    if extra is not None:
        parts = [p + e for p, e in zip(parts, extra)]
    offset = np.zeros(len(parts) + 1, dtype=np.int64)
    offset[1:] = np.cumsum([p.size for p in parts])
    return np.concatenate(parts), offset
