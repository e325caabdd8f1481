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
                alpha1: float, max_passes: int = MAX_PASSES, char: bool = False) -> tuple[np.ndarray, int]:
    """Word starts after the type-level merges (see the module docstring), and the number of
    merged types. With ``char`` the gain also counts the change of the character position
    model's log-likelihood, recounted (the joint model's second expert)."""
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
    n_symbols = int(sym.max()) + 1 if sym.size else 1
    # the base measure's symbol distribution, as in the ICM: symbols of the word types' spellings
    _, first_tok = np.unique(tok, return_index=True)
    lens = (hi - lo)[first_tok]
    at = np.repeat(lo[first_tok] - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    freq = np.bincount(sym[at + np.arange(int(lens.sum()))], minlength=n_symbols) + 1.0
    lpsym_all = np.log(freq / freq.sum())
    # per type: length and Σ log p(symbol) (for P0); merged types appended
    t_len = np.zeros(n_types0, dtype=np.int64)
    t_len[tok] = hi - lo
    csum = np.concatenate(([0.0], np.cumsum(lpsym_all[sym])))
    t_lp = np.zeros(n_types0)
    t_lp[tok] = csum[hi] - csum[lo]
    t_len, t_lp = list(t_len), list(t_lp)
    model = None
    if char:
        _, first = np.unique(tok, return_index=True)
        t_syms = [()] * n_types0
        for t_id, i in zip(np.unique(tok).tolist(), first.tolist()):
            t_syms[t_id] = tuple(sym[lo[i] : hi[i]].tolist())
        model = CharModel(*char_counts(sym, off, starts, n_symbols), t_syms)
    # the sequence: tokens with a boundary marker B between runs (context of a run's first word,
    # successor of its last)
    B = -1
    first_of_run = np.zeros(tok.size, dtype=bool)
    if tok.size:
        first_of_run[0] = True
        first_of_run[1:] = run_of[1:] != run_of[:-1]
    seq = np.insert(tok, np.flatnonzero(first_of_run), B)
    seq = np.append(seq, B)
    merged_types = 0
    for _ in range(max_passes):
        accepted = _one_pass(seq, t_len, t_lp, L, alpha0, alpha1, model)
        if not accepted:
            break
        for v, w, positions in accepted:
            u = len(t_len)
            t_len.append(t_len[v] + t_len[w])
            t_lp.append(t_lp[v] + t_lp[w])
            if model is not None:
                model.syms.append(model.syms[v] + model.syms[w])
            seq[positions] = u
            seq[positions + 1] = -2                        # removed
        merged_types += len(accepted)
        seq = seq[seq != -2]
        if model is not None:
            model.em, model.tr = char_counts(sym, off, _starts(seq, t_len, n_sym), n_symbols)
    return _starts(seq, t_len, n_sym), merged_types


def _starts(seq: np.ndarray, t_len: list, n_sym: int) -> np.ndarray:
    words = seq[seq >= 0]
    lengths = np.asarray(t_len, dtype=np.int64)[words]
    out = np.zeros(n_sym, dtype=np.uint8)
    if words.size:
        out[np.concatenate(([0], np.cumsum(lengths)[:-1]))] = 1
    return out


class CharModel:
    """The character position model as the merges see it: its counts (tag × symbol emissions,
    tag transitions, row 4 the run start) and the change of its log-likelihood, re-estimated
    with add-one smoothing as :func:`nlpzero.joint.character_model` does, when windows of
    tokens are replaced."""

    def __init__(self, em_counts, tr_counts, syms):
        self.em = np.asarray(em_counts, dtype=np.int64)          # (4, S)
        self.tr = np.asarray(tr_counts, dtype=np.int64)          # (5, 4)
        self.syms = syms
        self.S = self.em.shape[1]

    @staticmethod
    def tags(k):
        return [3] if k == 1 else [0] + [1] * (k - 2) + [2]           # S, or B M.. E

    def counts(self, tokens, d_em, d_tr, sign):
        """Add ``sign`` × the emissions and transitions of a window's interior tokens (its edge
        tokens give only the transitions into and out of the interior; -1: a run edge)."""
        prev = 4 if tokens[0] == -1 else (2 if len(self.syms[tokens[0]]) > 1 else 3)
        for t in tokens[1:-1]:
            sy = self.syms[t]
            for g, c in zip(self.tags(len(sy)), sy):
                d_em[(g, c)] += sign
                d_tr[(prev, g)] += sign
                prev = g
        if tokens[-1] != -1:
            d_tr[(prev, 0 if len(self.syms[tokens[-1]]) > 1 else 3)] += sign

    def gain(self, d_em, d_tr) -> float:
        """Change of Σ n log((n + 1)/(N_row + width)) over both tables for the count changes."""
        def g(n):
            return n * math.log(n + 1.0) if n > 0 else 0.0

        total = 0.0
        for table, d, width in ((self.em, d_em, self.S), (self.tr, d_tr, 4)):
            rows = defaultdict(int)
            for (r, c), dc in d.items():
                if dc:
                    n = int(table[r, c])
                    total += g(n + dc) - g(n)
                    rows[r] += dc
            for r, dn in rows.items():
                n_row = int(table[r].sum())
                total -= (n_row + dn) * math.log(n_row + dn + width) - n_row * math.log(n_row + width)
        return total


def char_counts(sym: np.ndarray, off: np.ndarray, starts: np.ndarray, n_symbols: int):
    """Emission counts (4, n_symbols) and transition counts (5, 4; row 4 the run start) of the
    character position model for a segmentation (what :func:`nlpzero.joint.character_model`
    smooths)."""
    from .joint import bmes_tags

    tags = bmes_tags(starts, off).astype(np.int64)
    em = np.bincount(tags * n_symbols + sym, minlength=4 * n_symbols).reshape(4, n_symbols)
    prev = np.empty_like(tags)
    prev[1:] = tags[:-1]
    prev[off[:-1][off[:-1] < tags.size]] = 4
    tr = np.bincount(prev * 4 + tags, minlength=20).reshape(5, 4)
    return em, tr


def _one_pass(seq: np.ndarray, t_len: list, t_lp: list, L: int, alpha0: float, alpha1: float, char=None):
    """The merges of one pass: ``(v, w, positions of v)``, best gain first, sharing no type."""
    results = [r for r in candidate_gains(seq, t_len, t_lp, L, alpha0, alpha1, char=char) if r[0] > 0]
    results.sort(key=lambda r: -r[0])
    used, accepted = set(), []
    for _gain, v, w, p in results:
        if v in used or w in used:
            continue
        used.update((v, w))
        accepted.append((v, w, p))
    return accepted


def candidate_gains(seq: np.ndarray, t_len: list, t_lp: list, L: int, alpha0: float, alpha1: float,
                    log_p0=None, char=None) -> list:
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
        d_em, d_tr = defaultdict(int), defaultdict(int)
        if char is not None:
            u_id = len(t_len)
            char.syms.append(char.syms[v] + char.syms[w])    # u, for this candidate only
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
            if char is not None:
                char.counts(old, d_em, d_tr, -1)
                char.counts([old[0]] + [u_id] * (j - i + 1) + [old[-1]], d_em, d_tr, 1)
            i = j + 1
        char_gain = 0.0
        if char is not None:
            char.syms.pop()
            char_gain = char.gain(d_em, d_tr)
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
        results.append((gain + char_gain, v, w, p))
    return results
