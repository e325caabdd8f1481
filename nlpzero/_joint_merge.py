"""Words longer than the joint model's ``max_word_len``: type-level merges of adjacent words.

After ICM, every pair of adjacent word types (v, w) whose merge would be longer than the
ICM's longest word is a candidate: all (non-overlapping) occurrences of ``v w`` become one word
u when that raises the probability of the whole segmentation under the word model's own prior,
the hierarchical Dirichlet process bigram model with one table per (context, word) pair (the
"minimal path" seating of Teh 2006)::

    log P = Σ_x [K_x log α1 + log Γ(α1) − log Γ(α1 + n_x) + Σ_y log Γ(n_xy)]
          + K log α0 + log Γ(α0) − log Γ(α0 + T) + Σ_y [log Γ(m_y) + log P0(y)]

(n_xy the bigram counts, n_x their sum for context x, K_x the distinct successors of x, m_y
the distinct contexts of y, T = Σ m_y, K the types; run starts and ends are a context and a
successor of their own). α0, α1 and P0 are the model's (:mod:`nlpzero.joint`). A merge pays
for the new type (log α0·P0(u)) and gains where the pair was predictable; no length cap is
involved: merges repeat, pass after pass, until none raises P, so a word is as long as the
evidence makes it. Merges in one pass share no word type.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

#: safety bound on merge passes (each pass merges pairs of the previous pass's words; the
#: loop stops as soon as no merge raises the probability)
MAX_PASSES = 8


def _lg(n: int) -> float:
    return math.lgamma(n) if n > 0 else 0.0


def merge_words(sym: np.ndarray, off: np.ndarray, starts: np.ndarray, L: int, alpha0: float,
                alpha1: float, max_passes: int = MAX_PASSES) -> tuple[np.ndarray, int]:
    """Word starts after the type-level merges (see the module docstring), and the number of
    merged types."""
    from . import _joint

    sym = np.ascontiguousarray(sym, dtype=np.int32)
    off = np.ascontiguousarray(off, dtype=np.int64)
    n_sym = sym.size
    lo = np.flatnonzero(starts)
    run_of = np.searchsorted(off, lo, side="right") - 1
    hi = np.minimum(np.concatenate((lo[1:], [n_sym])), off[run_of + 1])
    cand, _, _ = _joint.intern_words(sym, off, L)
    tok = cand[lo, hi - lo - 1].astype(np.int64)
    n_types0 = int(tok.max()) + 1 if tok.size else 0
    freq = np.bincount(sym, minlength=int(sym.max()) + 1 if sym.size else 1).astype(np.float64)
    lpsym_all = np.log(np.maximum(freq, 0.5) / max(1.0, freq.sum()))
    # per type: length and Σ log p(symbol) (for P0); merged types appended
    t_len = np.zeros(n_types0, dtype=np.int64)
    t_len[tok] = hi - lo
    csum = np.concatenate(([0.0], np.cumsum(lpsym_all[sym])))
    t_lp = np.zeros(n_types0)
    t_lp[tok] = csum[hi] - csum[lo]
    t_len, t_lp = list(t_len), list(t_lp)
    # the sequence: tokens with a boundary marker B between runs (context of a run's first word,
    # successor of its last)
    B = -1
    first_of_run = np.zeros(tok.size, dtype=bool)
    if tok.size:
        first_of_run[0] = True
        first_of_run[1:] = run_of[1:] != run_of[:-1]
    seq = np.insert(tok, np.flatnonzero(first_of_run), B)
    seq = np.append(seq, B)
    lengths = np.asarray(t_len, dtype=np.int64)[tok]
    merged_types = 0
    for _ in range(max_passes):
        accepted = _one_pass(seq, t_len, t_lp, L, alpha0, alpha1)
        if not accepted:
            break
        for v, w, positions in accepted:
            u = len(t_len)
            t_len.append(t_len[v] + t_len[w])
            t_lp.append(t_lp[v] + t_lp[w])
            seq[positions] = u
            seq[positions + 1] = -2                        # removed
        merged_types += len(accepted)
        seq = seq[seq != -2]
    words = seq[seq >= 0]
    lengths = np.asarray(t_len, dtype=np.int64)[words]
    out = np.zeros(n_sym, dtype=np.uint8)
    out[np.concatenate(([0], np.cumsum(lengths)[:-1]))] = 1
    return out, merged_types


def _one_pass(seq: np.ndarray, t_len: list, t_lp: list, L: int, alpha0: float, alpha1: float):
    """The merges of one pass: ``(v, w, positions of v)``, best gain first, sharing no type."""
    results = [r for r in candidate_gains(seq, t_len, t_lp, L, alpha0, alpha1) if r[0] > 0]
    results.sort(key=lambda r: -r[0])
    used, accepted = set(), []
    for _gain, v, w, p in results:
        if v in used or w in used:
            continue
        used.update((v, w))
        accepted.append((v, w, p))
    return accepted


def candidate_gains(seq: np.ndarray, t_len: list, t_lp: list, L: int, alpha0: float, alpha1: float,
                    log_p0=None) -> list:
    """``(gain, v, w, positions)`` for every candidate pair of a pass: adjacent types v ≠ w
    seen together at least twice (v at ``positions`` of ``seq``), longer than ``L`` merged;
    ``gain`` = the change of ``log P`` (module docstring) when those occurrences become one new
    type. ``seq``: type ids with -1 between runs (and at
    both ends); ``t_len``, ``t_lp``: length and Σ log p(symbol) per type; ``log_p0(length, lp)``
    the base measure (default: add-one p_len over lengths 1..2·longest, times Π p)."""
    x, y = seq[:-1], seq[1:]
    valid = ~((x == -1) & (y == -1))
    V = len(t_len) + 1
    keys = (x[valid] + 1) * V + (y[valid] + 1)
    pos_all = np.flatnonzero(valid)
    uniq, inv, counts = np.unique(keys, return_inverse=True, return_counts=True)
    pair = dict(zip(uniq.tolist(), counts.tolist()))
    ux, uy = uniq // V - 1, uniq % V - 1
    n_ctx = Counter()
    k_ctx = Counter()
    m_succ = Counter()
    for a, b, c in zip(ux.tolist(), uy.tolist(), counts.tolist()):
        n_ctx[a] += c
        k_ctx[a] += 1
        m_succ[b] += 1
    n_tok = Counter(seq[seq >= 0].tolist())
    n_types = len(n_tok)
    T = len(uniq)
    lens = np.asarray(t_len, dtype=np.int64)
    max_len = int(lens.max()) if lens.size else 1
    by_len = np.bincount(lens[list(n_tok)], minlength=2 * max_len + 2).astype(np.float64)
    n_lengths = 2 * max_len

    if log_p0 is None:
        def log_p0(length, lp):
            return math.log((by_len[length] + 1.0) / (n_types + n_lengths)) + lp

    is_cand = (ux >= 0) & (uy >= 0) & (ux != uy) & (counts >= 2)
    is_cand &= (lens[np.maximum(ux, 0)] + lens[np.maximum(uy, 0)]) > L
    cand_ids = np.flatnonzero(is_cand)
    if not cand_ids.size:
        return []
    order = np.argsort(inv, kind="stable")
    bounds = np.searchsorted(inv[order], np.arange(uniq.size + 1))
    results = []
    la0, la1 = math.log(alpha0), math.log(alpha1)
    for ci in cand_ids.tolist():
        v, w = int(ux[ci]), int(uy[ci])
        p = pos_all[order[bounds[ci] : bounds[ci + 1]]]     # positions of v in seq (v != w: disjoint)
        n = int(p.size)
        d = defaultdict(int)
        pl = p.tolist()
        i = 0
        while i < n:                            # a chain v w v w ... of adjacent occurrences
            j = i
            while j + 1 < n and pl[j + 1] == pl[j] + 2:
                j += 1
            lo_, hi_ = pl[i] - 1, pl[j] + 2     # the window seq[lo_..hi_] around the chain
            old = seq[lo_ : hi_ + 1].tolist()
            for a, b in zip(old[:-1], old[1:]):
                d[(a, b)] -= 1
            new = [old[0]] + ["u"] * (j - i + 1) + [old[-1]]
            for a, b in zip(new[:-1], new[1:]):
                d[(a, b)] += 1
            i = j + 1
        gain = 0.0
        dn_ctx, dk_ctx, dm = defaultdict(int), defaultdict(int), defaultdict(int)
        for (a, b), dc in d.items():
            if dc == 0:
                continue
            old = 0 if "u" in (a, b) else pair.get((a + 1) * V + (b + 1), 0)
            new = old + dc
            gain += _lg(new) - _lg(old)
            dn_ctx[a] += dc
            if old == 0 and new > 0:
                dk_ctx[a] += 1
                dm[b] += 1
            elif old > 0 and new == 0:
                dk_ctx[a] -= 1
                dm[b] -= 1
        for a, dc in dn_ctx.items():
            n0 = 0 if a == "u" else n_ctx[a]
            gain += dk_ctx[a] * la1 - math.lgamma(alpha1 + n0 + dc) + math.lgamma(alpha1 + n0)
        dT = 0
        for b, dmb in dm.items():
            m0 = 0 if b == "u" else m_succ[b]
            gain += _lg(m0 + dmb) - _lg(m0)
            dT += dmb
        gain += -math.lgamma(alpha0 + T + dT) + math.lgamma(alpha0 + T)
        gain += la0 + log_p0(t_len[v] + t_len[w], t_lp[v] + t_lp[w])     # the new type u
        for t in (v, w):
            if n_tok[t] == n:                                  # every occurrence merged: t is gone
                gain -= la0 + log_p0(t_len[t], t_lp[t])
        results.append((gain, v, w, p))
    return results
