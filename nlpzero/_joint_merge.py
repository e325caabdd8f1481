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

A word holding a collapsed ASCII stretch (every digit string is one symbol, and so is every
other letter/digit string) is never merged: the evidence of a merge is that the same pair of
strings recurs, and ``附图片 1`` followed by ``张`` twice may be ``附图片１张`` and ``附图片２张``,
two different strings (the counts of such a type pool all the numbers of the text).

The gains of a pass are computed for all candidates at once (:func:`fast_candidate_gains`: the
count changes of every candidate's windows as arrays of records, summed per candidate); the
window-by-window :func:`candidate_gains` is its reference (and handles the rare candidates with
adjacent occurrences ``v w v w``). The distinct word pairs and their counts are sorted once
(:func:`pair_counts`) and then updated pass by pass from the pairs the merges removed and made
(:func:`update_pairs`); the character model's counts are recounted from the type sequence
(:meth:`~nlpzero._joint_charmodel.CharModel.counts_of`).
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from ._joint_charmodel import CharModel, _group, char_gains
from .joint import character_counts

__all__ = ["CharModel", "candidate_gains", "fast_candidate_gains", "merge_words",
           "pair_counts", "update_pairs"]

#: safety bound on merge passes (each pass merges pairs of the previous pass's words; the
#: loop stops as soon as no merge raises the probability)
MAX_PASSES = 8
#: candidate occurrences whose count changes are held at once by the vectorised gains (a memory
#: bound: about 200 bytes each; not a model parameter)
BLOCK = 1 << 17


def _lg(n: int) -> float:
    return math.lgamma(n) if n > 0 else 0.0


def merge_words(sym: np.ndarray, off: np.ndarray, starts: np.ndarray, L: int, alpha0: float,
                alpha1: float, max_passes: int = MAX_PASSES, char: bool = False,
                fast: bool = True, classes: np.ndarray | None = None) -> tuple[np.ndarray, int]:
    """Word starts after the type-level merges (see the module docstring), and the number of
    merged types. With ``char`` the gain also counts the change of the character position
    model's log-likelihood, recounted (the joint model's second expert). ``classes`` flags the
    symbol ids that stand for a class of strings (a collapsed digit or Latin stretch): a type
    holding one is never merged, since its "occurrences" are different strings of the text."""
    sym = np.ascontiguousarray(sym, dtype=np.int32)
    off = np.ascontiguousarray(off, dtype=np.int64)
    n_sym = sym.size
    lo = np.flatnonzero(starts)
    run_of = np.searchsorted(off, lo, side="right") - 1
    hi = np.minimum(np.concatenate((lo[1:], [n_sym])), off[run_of + 1])
    n_symbols = int(sym.max()) + 1 if sym.size else 1
    # dense type ids 0..K-1 (in order of the token strings' keys, so deterministic)
    _, first_tok, tok = np.unique(_string_keys(sym, off, lo, hi, L, n_symbols), return_index=True,
                                  return_inverse=True)
    tok = tok.astype(np.int64).ravel()
    n_types0 = first_tok.size
    # the base measure's symbol distribution, as in the ICM: symbols of the word types' spellings
    lens = (hi - lo)[first_tok]
    at = np.repeat(lo[first_tok] - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    pool = sym[at + np.arange(int(lens.sum()))].astype(np.int64)      # the types' spellings
    freq = np.bincount(pool, minlength=n_symbols) + 1.0
    lpsym_all = np.log(freq / freq.sum())
    # per type: length and Σ log p(symbol) (for P0); merged types appended
    t_len = np.zeros(n_types0, dtype=np.int64)
    t_len[tok] = hi - lo
    csum = np.concatenate(([0.0], np.cumsum(lpsym_all[sym])))
    t_lp = np.zeros(n_types0)
    t_lp[tok] = csum[hi] - csum[lo]
    # types holding a class symbol (a collapsed digit or Latin stretch) are never merged
    t_open = np.ones(n_types0, dtype=bool)
    if classes is not None and np.any(classes):
        ccum = np.concatenate(([0], np.cumsum(np.asarray(classes, dtype=bool)[sym])))
        t_open[tok] = ccum[hi] == ccum[lo]
    model = None
    if char:
        t_syms = [tuple(sym[lo[i] : hi[i]].tolist()) for i in first_tok.tolist()]
        t_off = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64)
        model = CharModel(*character_counts(sym, off, starts, n_symbols), t_syms, pool, t_off)
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
    pairs = pair_counts(seq)
    for _ in range(max_passes):
        accepted = _one_pass(seq, t_len, t_lp, L, alpha0, alpha1, model, fast, t_open, pairs)
        if not accepted:
            break
        vs = np.array([v for v, _, _ in accepted], dtype=np.int64)
        ws = np.array([w for _, w, _ in accepted], dtype=np.int64)
        u0 = len(t_len)
        t_len = np.concatenate((t_len, t_len[vs] + t_len[ws]))
        t_lp = np.concatenate((t_lp, t_lp[vs] + t_lp[ws]))
        t_open = np.concatenate((t_open, np.ones(len(accepted), dtype=bool)))
        if model is not None:
            model.merge(vs, ws)
        at = np.concatenate([positions for _, _, positions in accepted])
        old_pairs = np.unique(np.concatenate((at - 1, at, at + 1)))      # pairs touching a merge
        removed = seq[old_pairs], seq[old_pairs + 1]
        for u, (_, _, positions) in enumerate(accepted, start=u0):
            seq[positions] = u
            seq[positions + 1] = -2                        # removed
        merged_types += len(accepted)
        seq = seq[seq != -2]
        new_at = np.flatnonzero(seq >= u0)
        new_pairs = np.unique(np.concatenate((new_at - 1, new_at)))
        pairs = update_pairs(pairs, removed, (seq[new_pairs], seq[new_pairs + 1]))
        if model is not None:
            model.em, model.tr = model.counts_of(seq)
    return _starts(seq, t_len, n_sym), merged_types


def _string_keys(sym, off, lo, hi, L, n_symbols) -> np.ndarray:
    """One int64 key per token ``sym[lo:hi]`` (tokens of at most ``L`` symbols), equal exactly
    when the strings are: the symbols + 1 as base-(n_symbols + 1) digits; when those keys would
    not fit in 62 bits, the substring ids of ``_joint.intern_words``."""
    base = n_symbols + 1
    n = hi - lo
    if base ** max(1, L) >= 1 << 62 or (n.size and int(n.max()) > L):
        from . import _joint

        cand, _, _ = _joint.intern_words(sym, off, max(L, int(n.max()) if n.size else 1))
        return cand[lo, n - 1].astype(np.int64)
    key = np.zeros(lo.size, dtype=np.int64)
    for i in range(L):
        m = n > i
        key[m] += (sym[lo[m] + i].astype(np.int64) + 1) * base ** i
    return key


def _starts(seq: np.ndarray, t_len: list, n_sym: int) -> np.ndarray:
    words = seq[seq >= 0]
    lengths = np.asarray(t_len, dtype=np.int64)[words]
    out = np.zeros(n_sym, dtype=np.uint8)
    if words.size:
        out[np.concatenate(([0], np.cumsum(lengths)[:-1]))] = 1
    return out


def pair_counts(seq: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct adjacent pairs ``(x, y)`` of ``seq`` (type ids, -1 between runs; the empty
    pair of two run marks left out), in order of ``(x, y)``, and how often each occurs."""
    seq = np.asarray(seq, dtype=np.int64)
    x, y = seq[:-1], seq[1:]
    valid = ~((x == -1) & (y == -1))
    W = int(seq.max()) + 2 if seq.size else 1
    sk = np.sort((x[valid] + 1) * W + (y[valid] + 1))
    head = np.ones(sk.size, dtype=bool)
    head[1:] = sk[1:] != sk[:-1]
    first = np.flatnonzero(head)
    return sk[first] // W - 1, sk[first] % W - 1, np.diff(np.append(first, sk.size))


def update_pairs(pairs, removed, added):
    """:func:`pair_counts` after some occurrences of pairs were ``removed`` and others ``added``
    (each a tuple of x and y arrays, one entry per occurrence)."""
    px, py, cnt = pairs
    W = int(max(px.max(initial=0), py.max(initial=0), added[0].max(initial=0), added[1].max(initial=0))) + 2
    key = (px + 1) * W + (py + 1)                    # sorted: (x, y) order
    cnt = cnt.copy()
    rk, rc = np.unique((removed[0] + 1) * W + (removed[1] + 1), return_counts=True)
    cnt[np.searchsorted(key, rk)] -= rc
    ak, ac = np.unique((added[0] + 1) * W + (added[1] + 1), return_counts=True)
    j = np.searchsorted(key, ak)
    found = j < key.size
    found[found] = key[j[found]] == ak[found]
    cnt[j[found]] += ac[found]
    key = np.insert(key, j[~found], ak[~found])
    cnt = np.insert(cnt, j[~found], ac[~found])
    keep = cnt > 0
    return key[keep] // W - 1, key[keep] % W - 1, cnt[keep]


def _one_pass(seq: np.ndarray, t_len: list, t_lp: list, L: int, alpha0: float, alpha1: float, char=None,
              fast: bool = True, t_open=None, pairs=None):
    """The merges of one pass: ``(v, w, positions of v)``, best gain first, sharing no type
    (and, with ``t_open``, only of types flagged there)."""
    if fast:
        results = fast_candidate_gains(seq, t_len, t_lp, L, alpha0, alpha1, char=char, t_open=t_open,
                                       positive_only=True, pairs=pairs)
    else:
        results = candidate_gains(seq, t_len, t_lp, L, alpha0, alpha1, char=char, t_open=t_open)
    results = [r for r in results if r[0] > 0]
    results.sort(key=lambda r: -r[0])
    used, accepted = set(), []
    for _gain, v, w, p in results:
        if v in used or w in used:
            continue
        used.update((v, w))
        accepted.append((v, w, p))
    return accepted


def candidate_gains(seq: np.ndarray, t_len: list, t_lp: list, L: int, alpha0: float, alpha1: float,
                    log_p0=None, char=None, only=None, t_open=None) -> list:
    """``(gain, v, w, positions)`` for every candidate pair of a pass: adjacent types v ≠ w
    seen together at least twice (v at ``positions`` of ``seq``), longer than ``L`` merged;
    ``gain`` = the change of ``log P`` (module docstring) when those occurrences become one new
    type. ``seq``: type ids with -1 between runs (and at
    both ends); ``t_len``, ``t_lp``: length and Σ log p(symbol) per type; ``log_p0(length, lp)``
    the base measure (default: add-one p_len over lengths 1..2·longest, times Π p); ``only``: a
    set of pairs ``(v, w)`` to restrict the candidates to; ``t_open``: a flag per type, the
    types that may be merged (default: all)."""
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
    if t_open is not None:
        is_cand &= np.asarray(t_open)[np.maximum(ux, 0)] & np.asarray(t_open)[np.maximum(uy, 0)]
    if only is not None:
        is_cand &= np.isin(uniq, np.array([(v + 1) * V + (w + 1) for v, w in only], dtype=np.int64))
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


def _lgamma_table(base: float, n: int) -> np.ndarray:
    """``lgamma(base + k)`` for k = 0..n (by the recurrence Γ(x + 1) = x Γ(x))."""
    steps = np.log(base + np.arange(n, dtype=np.float64))
    return math.lgamma(base) + np.concatenate(([0.0], np.cumsum(steps)))


def fast_candidate_gains(seq: np.ndarray, t_len: list, t_lp: list, L: int, alpha0: float,
                         alpha1: float, char=None, t_open=None, positive_only: bool = False,
                         pairs=None) -> list:
    """:func:`candidate_gains` with the default base measure, vectorised: the same candidates
    and gains (up to rounding), the count changes of all candidates computed at once as arrays
    of ``(candidate, cell, change)`` records. A candidate with adjacent occurrences (``v w v w``)
    goes through :func:`candidate_gains`. ``positive_only``: leave out the candidates whose
    gain is not positive (what a pass keeps). ``pairs``: :func:`pair_counts` of ``seq``, when
    known."""
    seq = np.asarray(seq, dtype=np.int64)
    n_t = len(t_len)
    U = n_t                                   # the id of the merged type, per candidate
    W = n_t + 2                               # ids -1..n_t shifted by one
    lens = np.asarray(t_len, dtype=np.int64)
    lps = np.asarray(t_lp, dtype=np.float64)
    px, py, counts = pair_counts(seq) if pairs is None else pairs
    uniq = (px + 1) * W + (py + 1)            # the distinct pairs (sorted) and their counts
    x, y = seq[:-1], seq[1:]
    # positions p (of v in seq) that can start a candidate, and their pair
    xs, ys = np.maximum(x, 0), np.maximum(y, 0)
    maybe = (x >= 0) & (y >= 0) & (x != y) & (lens[xs] + lens[ys] > L)
    if t_open is not None:
        maybe &= t_open[xs] & t_open[ys]
    pos_c = np.flatnonzero(maybe)
    inv_c = np.searchsorted(uniq, (x[pos_c] + 1) * W + (y[pos_c] + 1))
    del x, y, xs, ys, maybe
    ux, uy = uniq // W - 1, uniq % W - 1
    n_ctx = np.bincount(ux + 1, weights=counts, minlength=W)
    m_succ = np.bincount(uy + 1, minlength=W)
    words = seq[seq >= 0]
    n_tok = np.bincount(words, minlength=n_t)
    present = n_tok > 0
    n_types = int(present.sum())
    T = int(uniq.size)
    max_len = int(lens.max()) if lens.size else 1
    by_len = np.bincount(lens[present], minlength=2 * max_len + 2).astype(np.float64)
    n_lengths = 2 * max_len

    is_cand = np.zeros(uniq.size, dtype=bool)
    is_cand[inv_c] = True
    is_cand &= counts >= 2
    if not is_cand.any():
        return []
    # occurrences: positions p of v in seq with (seq[p], seq[p+1]) a candidate pair
    sel = is_cand[inv_c]
    occ = pos_c[sel]
    occ_u = inv_c[sel]                              # its pair (index into uniq)
    del pos_c, inv_c, sel
    by_pair = np.argsort(occ_u, kind="stable")      # by pair, then by position
    po, pu = occ[by_pair], occ_u[by_pair]
    chained = np.zeros(uniq.size, dtype=bool)       # an occurrence right after another of the same pair
    if po.size > 1:
        same = (po[1:] == po[:-1] + 2) & (pu[1:] == pu[:-1])
        chained[pu[1:][same]] = True
    slow = is_cand & chained
    fast = is_cand & ~chained
    results = []
    if slow.any():
        only = set(zip(ux[slow].tolist(), uy[slow].tolist()))
        results = candidate_gains(seq, t_len, t_lp, L, alpha0, alpha1, char=char, only=only, t_open=t_open)
    cand_u = np.flatnonzero(fast)
    if not cand_u.size:
        return results
    n_c = cand_u.size
    cid = np.full(uniq.size, -1, dtype=np.int64)
    cid[cand_u] = np.arange(n_c)
    keep = fast[occ_u]
    occ, c_of = occ[keep], cid[occ_u[keep]]         # occ is sorted by position
    order = np.argsort(c_of, kind="stable")
    occ, c_of = occ[order], c_of[order]
    bounds = np.searchsorted(c_of, np.arange(n_c + 1))
    cv, cw = ux[cand_u], uy[cand_u]
    n_occ = counts[cand_u]

    top = int(max(n_ctx.max(), m_succ.max(), counts.max())) + occ.size + 2   # above any count here
    lg_int = np.concatenate(([0.0], _lgamma_table(1.0, top)))    # lg_int[n] = lgamma(n), 0 at n = 0
    lga1 = _lgamma_table(alpha1, top)
    la0, la1 = math.log(alpha0), math.log(alpha1)

    def log_p0(length, lp):
        return np.log((by_len[length] + 1.0) / (n_types + n_lengths)) + lp

    def block(c0: int, c1: int) -> np.ndarray:
        """Gains of candidates c0..c1-1 (their records only: memory bounded by BLOCK)."""
        n_b = c1 - c0
        o = occ[bounds[c0]:bounds[c1]]
        c_b = c_of[bounds[c0]:bounds[c1]] - c0
        # word model: pair records (candidate, a, b, change); U = the merged type
        xo, vo, wo, yo = seq[o - 1], seq[o], seq[o + 1], seq[o + 2]
        uo = np.full(o.size, U)
        ra = np.concatenate((xo, vo, wo, xo, uo))
        rb = np.concatenate((vo, wo, yo, uo, yo))
        rd = np.concatenate((-np.ones(3 * o.size), np.ones(2 * o.size)))
        rc = np.tile(c_b, 5)
        gk, gd = _group((rc * W + (ra + 1)) * W + (rb + 1), rd)
        del ra, rb, rd, rc
        nz = gd != 0
        gk, gd = gk[nz], gd[nz].astype(np.int64)
        g_c, g_ab = gk // (W * W), gk % (W * W)
        g_a, g_b = g_ab // W - 1, g_ab % W - 1
        has_u = (g_a == U) | (g_b == U)
        at = np.minimum(np.searchsorted(uniq, g_ab), uniq.size - 1)
        old = np.where(has_u | (uniq[at] != g_ab), 0, counts[at])
        new = old + gd
        gain = np.bincount(g_c, weights=lg_int[new] - lg_int[old], minlength=n_b)
        born = ((old == 0) & (new > 0)).astype(np.int64) - ((old > 0) & (new == 0))
        # contexts: K_x log α1 + log Γ(α1) - log Γ(α1 + n_x)
        ck, cdn = _group(g_c * W + (g_a + 1), gd)
        _, cdk = _group(g_c * W + (g_a + 1), born)
        c_c, c_a = ck // W, ck % W - 1
        n0 = np.where(c_a == U, 0, n_ctx[np.minimum(c_a + 1, W - 1)]).astype(np.int64)
        gain += np.bincount(c_c, weights=cdk * la1 - lga1[n0 + cdn.astype(np.int64)] + lga1[n0],
                            minlength=n_b)
        # successors: log Γ(m_y), and T = Σ m_y
        sk, sdm = _group(g_c * W + (g_b + 1), born)
        s_c, s_b = sk // W, sk % W - 1
        m0 = np.where(s_b == U, 0, m_succ[np.minimum(s_b + 1, W - 1)]).astype(np.int64)
        gain += np.bincount(s_c, weights=lg_int[m0 + sdm.astype(np.int64)] - lg_int[m0], minlength=n_b)
        dT = np.bincount(s_c, weights=sdm, minlength=n_b)
        gain += np.array([math.lgamma(alpha0 + T) - math.lgamma(alpha0 + T + d) for d in dT.tolist()])
        bv, bw, bn = cv[c0:c1], cw[c0:c1], n_occ[c0:c1]
        gain += la0 + log_p0(lens[bv] + lens[bw], lps[bv] + lps[bw])
        for t in (bv, bw):
            gain -= np.where(n_tok[t] == bn, la0 + log_p0(lens[t], lps[t]), 0.0)   # t is gone
        if char is not None:
            gain += char_gains(char, bv, bw, bn, c_b, xo, yo, lens)
        return gain

    gain = np.empty(n_c)
    c0 = 0
    while c0 < n_c:                 # blocks of candidates with at most BLOCK occurrences (or one)
        c1 = max(c0 + 1, int(np.searchsorted(bounds, bounds[c0] + BLOCK, side="right")) - 1)
        c1 = min(c1, n_c)
        gain[c0:c1] = block(c0, c1)
        c0 = c1
    keep = np.flatnonzero(gain > 0) if positive_only else np.arange(n_c)
    return results + [(float(gain[i]), int(cv[i]), int(cw[i]), occ[bounds[i]:bounds[i + 1]])
                      for i in keep.tolist()]
