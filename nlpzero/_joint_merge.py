"""Type-level merges of adjacent words, after the joint model's ICM.

Every pair of adjacent word types (v, w), v ≠ w, seen together at least twice is a candidate:
all (non-overlapping) occurrences of ``v w`` become one word u when that raises the probability
of the whole segmentation under the word model's own prior, the hierarchical Dirichlet process
bigram model with one table per (context, word) pair (the "minimal path" seating of Teh 2006)::

    log P = Σ_x [K_x log α1 + log Γ(α1) − log Γ(α1 + n_x) + Σ_y log Γ(n_xy)]
          + K log α0 + log Γ(α0) − log Γ(α0 + T) + Σ_y [log Γ(m_y) + log P0(y)]

(n_xy the bigram counts, n_x their sum for context x, K_x the distinct successors of x, m_y
the distinct contexts of y, T = Σ m_y, K the types; run starts and ends are a context and a
successor of their own). α0, α1 and P0 are the model's (:mod:`nlpzero.joint`). A merge pays
for the new type (log α0·P0(u)) and gains where the pair was predictable. The character
position model's log-likelihood change is added (the joint model's second expert).

Pairs whose merge ICM could make itself (at most ``max_word_len`` symbols) are candidates too:
ICM moves one run at a time, and a move of every occurrence of a pair at once escapes its local
optima (the type-based moves of Liang, Jordan & Klein 2010). ``all_pairs=False`` keeps only the
pairs longer than ``max_word_len`` merged. No length cap is involved: merges repeat, pass after
pass, until none raises P or :data:`MAX_PASSES` passes ran (a bound on the cost: with every
pair a candidate it is reached on PKU and on the SIGHAN MSR test, which converge after 213 and
64 passes). Merges in one pass share no word type, best gain first; gains equal to rounding
are taken left to right.

A word holding a collapsed ASCII stretch (every digit string is one symbol, and so is every
other letter/digit string) is never merged: the evidence of a merge is that the same pair of
strings recurs, and ``附图片 1`` followed by ``张`` twice may be ``附图片１张`` and ``附图片２张``,
two different strings (the counts of such a type pool all the numbers of the text).

The gains of a pass come from the compiled kernels of :mod:`nlpzero._merge`, in two steps.
:func:`nlpzero._merge.pass_table` sorts the adjacent pairs of the segmentation once (each pair's
key packed with its position in one int64, so a plain sort groups the occurrences of a pair in
position order) and sweeps the sorted pairs once: the candidates and their occurrences, the
count of the pair at every position, the tokens after each context, the distinct contexts of
each successor, the tokens of each type and the number of distinct pairs. Then
:func:`nlpzero._merge.pass_gains` reads the neighbours of every occurrence once, in the order of
the candidates (so the gains loop reads memory in sequence), and sums each candidate's count
changes (its windows ``x v w (v w)* y``, chains included) in scratch indexed by type id, the
fields one visit of an id needs side by side; the log terms of counts that a pass does not
change are tabulated once a pass. A pass costs about linear time in the length of the
segmentation. The window-by-window :func:`candidate_gains` is the reference of the gains, the
numpy :func:`pair_table` that of the pair table. The character model's counts are recounted
from the type sequence after each pass (and before the first, unless some run does not start
with a word, whose first symbols are then in no token), compiled
(:meth:`~nlpzero._joint_charmodel.CharModel.counts_of`), from the types' spellings kept as one
array (no per-type Python objects).
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from ._joint_charmodel import CharModel
from .joint import character_counts

__all__ = ["CharModel", "candidate_gains", "merge_words", "pair_table", "pass_gains"]

#: bound on the merge passes (each pass merges pairs of the previous pass's words; the loop
#: stops as soon as no merge raises the probability). A bound on the cost, not a safety bound
#: only: with every pair a candidate it is reached on large corpora, and more passes measured
#: better (see the joint model's documentation)
MAX_PASSES = 8


def _lg(n: int) -> float:
    return math.lgamma(n) if n > 0 else 0.0


def merge_words(sym: np.ndarray, off: np.ndarray, starts: np.ndarray, L: int, alpha0: float,
                alpha1: float, max_passes: int = MAX_PASSES, char: bool = False,
                fast: bool = True, classes: np.ndarray | None = None,
                all_pairs: bool = True) -> tuple[np.ndarray, int, int]:
    """Word starts after the type-level merges (see the module docstring), the number of merged
    types and the number of passes that merged something. With ``char`` the gain also counts the
    change of the character position model's log-likelihood, recounted (the joint model's second
    expert). ``classes`` flags the symbol ids that stand for a class of strings (a collapsed
    digit or Latin stretch): a type holding one is never merged, since its "occurrences" are
    different strings of the text.
    ``all_pairs``: every adjacent pair of types is a candidate (otherwise only those longer than
    ``L`` merged). ``fast=False``: the gains of the reference :func:`candidate_gains`."""
    sym = np.ascontiguousarray(sym, dtype=np.int32)
    off = np.ascontiguousarray(off, dtype=np.int64)
    n_sym = sym.size
    lo = np.flatnonzero(starts)
    run_of = np.searchsorted(off, lo, side="right") - 1
    hi = np.minimum(np.concatenate((lo[1:], [n_sym])), off[run_of + 1])
    n_symbols = int(sym.max()) + 1 if sym.size else 1
    # dense type ids 0..K-1 (in order of the token strings' keys, so deterministic), and one
    # token of each type (any one: equal keys are equal strings, so the unstable sort will do)
    keys = _string_keys(sym, off, lo, hi, L, n_symbols)
    perm = np.argsort(keys)
    head = np.ones(keys.size, dtype=bool)
    head[1:] = keys[perm[1:]] != keys[perm[:-1]]
    tok = np.empty(keys.size, dtype=np.int64)
    tok[perm] = np.cumsum(head) - 1
    one_tok = perm[head]
    n_types0 = one_tok.size
    # the base measure's symbol distribution, as in the ICM: symbols of the word types' spellings
    lens = (hi - lo)[one_tok]
    at = np.repeat(lo[one_tok] - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
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
    # the sequence: tokens with a boundary marker B between runs (context of a run's first word,
    # successor of its last)
    B = -1
    first_of_run = np.zeros(tok.size, dtype=bool)
    if tok.size:
        first_of_run[0] = True
        first_of_run[1:] = run_of[1:] != run_of[:-1]
    seq = np.insert(tok, np.flatnonzero(first_of_run), B)
    seq = np.append(seq, B)
    model = None
    if char:
        t_off = np.concatenate(([0], np.cumsum(lens)[:-1])).astype(np.int64)
        runs = off[:-1][off[:-1] < off[1:]]
        if np.all(starts[runs]):    # the tokens are all the symbols: count them from the types
            model = CharModel(np.zeros((4, n_symbols), dtype=np.int64), np.zeros((5, 4), dtype=np.int64), None,
                              pool, t_off)
            model.em, model.tr = model.counts_of(seq)
        else:                       # some symbols are in no token (a run not starting a word)
            model = CharModel(*character_counts(sym, off, starts, n_symbols), None, pool, t_off)
    merged_types = passes = 0
    for _ in range(max_passes):
        vs, ws, at, sizes = _one_pass(seq, t_len, t_lp, 0 if all_pairs else L, alpha0, alpha1, model, fast,
                                      t_open)
        if not vs.size:
            break
        passes += 1
        u0 = len(t_len)
        t_len = np.concatenate((t_len, t_len[vs] + t_len[ws]))
        t_lp = np.concatenate((t_lp, t_lp[vs] + t_lp[ws]))
        t_open = np.concatenate((t_open, np.ones(vs.size, dtype=bool)))
        if model is not None:
            model.merge(vs, ws)
        seq[at] = np.repeat(np.arange(u0, u0 + vs.size, dtype=np.int64), sizes)   # the merges share no type:
        seq[at + 1] = -2                                                          # their positions differ
        merged_types += int(vs.size)
        seq = seq[seq != -2]
        if model is not None:
            model.em, model.tr = model.counts_of(seq)
    return _starts(seq, t_len, n_sym), merged_types, passes


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
    last = max(sym.size - 1, 0)
    for i in range(L):              # digit i: symbol i + 1, or 0 past the token's end
        d = sym[np.minimum(lo + i, last)].astype(np.int64) + 1
        key += np.where(n > i, d, 0) * base ** i
    return key


def _starts(seq: np.ndarray, t_len: list, n_sym: int) -> np.ndarray:
    words = seq[seq >= 0]
    lengths = np.asarray(t_len, dtype=np.int64)[words]
    out = np.zeros(n_sym, dtype=np.uint8)
    if words.size:
        out[np.concatenate(([0], np.cumsum(lengths)[:-1]))] = 1
    return out


def _one_pass(seq: np.ndarray, t_len, t_lp, L: int, alpha0: float, alpha1: float, char=None,
              fast: bool = True, t_open=None):
    """The merges of one pass, best gain first (ties: the first occurrence first), sharing no type
    (and, with ``t_open``, only of types flagged there): arrays ``vs``, ``ws``, the positions of
    their occurrences in ``seq`` (merge after merge) and how many each has. ``fast``: the gains
    of the compiled kernel (:func:`pass_gains`), otherwise those of :func:`candidate_gains`."""
    if fast:
        cv, cw, gain, occ, bounds = pass_gains(seq, t_len, t_lp, L, alpha0, alpha1, char=char, t_open=t_open)
    else:
        results = candidate_gains(seq, t_len, t_lp, L, alpha0, alpha1, char=char, t_open=t_open)
        cv = np.array([v for _, v, _, _ in results], dtype=np.int64)
        cw = np.array([w for _, _, w, _ in results], dtype=np.int64)
        gain = np.array([g for g, _, _, _ in results], dtype=np.float64)
        sizes = np.array([p.size for _, _, _, p in results], dtype=np.int64)
        bounds = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
        occ = np.concatenate([p for _, _, _, p in results] + [np.zeros(0, dtype=np.int64)]).astype(np.int64)
    from . import _merge

    pos = np.flatnonzero(gain > 0)
    # best first; gains equal to rounding (1e-6) are a tie, taken left to right (first occurrence):
    # a tie of v w and w y (v w y always together) is not then decided by rounding errors
    order = pos[np.lexsort((occ[bounds[pos]], -np.round(gain[pos] * 1e6)))].astype(np.int64)
    accepted = np.zeros(cv.size, dtype=np.uint8)
    _merge.greedy(order, cv, cw, np.zeros(len(t_len), dtype=np.uint8), accepted)
    acc = order[accepted[order] == 1]                                 # best first
    sizes = bounds[acc + 1] - bounds[acc]
    at = np.concatenate([occ[bounds[c]:bounds[c + 1]] for c in acc.tolist()] + [np.zeros(0, dtype=np.int64)])
    return cv[acc], cw[acc], at, sizes


def pair_table(seq: np.ndarray, W: int):
    """The distinct adjacent pairs of ``seq`` (type ids, -1 between runs; the empty pair of two
    run marks left out) as sorted keys ``(x + 1)·W + (y + 1)`` and their counts; ``pc``, the
    count of the pair at each position (0 for an empty pair); and the positions grouped by pair
    (``at[first[i]:first[i] + counts[i]]``, ascending), all from one sort. With numpy: the
    reference of the compiled :func:`nlpzero._merge.pass_table` the passes use."""
    seq = np.asarray(seq, dtype=np.int64)
    n = seq.size - 1
    x, y = seq[:-1], seq[1:]
    pos = np.flatnonzero(~((x == -1) & (y == -1)))
    keys = (x[pos] + 1) * W + (y[pos] + 1)
    bits = max(1, int(n).bit_length())
    if (W * W) << bits < 1 << 63:               # key and position packed in one int64: a plain sort
        packed = np.sort((keys << bits) | pos)
        sk, at = packed >> bits, packed & ((1 << bits) - 1)
    else:
        order = np.argsort(keys, kind="stable")
        sk, at = keys[order], pos[order]
    head = np.ones(sk.size, dtype=bool)
    head[1:] = sk[1:] != sk[:-1]
    first = np.flatnonzero(head)
    counts = np.diff(np.append(first, sk.size))
    pc = np.zeros(max(n, 0), dtype=np.int64)
    pc[at] = np.repeat(counts, counts)
    return sk[first], counts, pc, at, first


def pass_gains(seq: np.ndarray, t_len, t_lp, L: int, alpha0: float, alpha1: float, char=None, t_open=None):
    """The candidates of one pass and their gains, by the compiled kernel: what
    :func:`candidate_gains` gives (with the default base measure), as arrays ``(cv, cw, gain,
    occ, bounds)`` — candidate c is the pair ``(cv[c], cw[c])`` (in order of ``(v, w)``) with
    gain ``gain[c]`` and occurrences (positions of v in ``seq``) ``occ[bounds[c]:bounds[c + 1]]``.
    The cost is about linear in the length of ``seq``: one sort of its pairs
    (:func:`nlpzero._merge.pass_table`), then each candidate's count changes aggregated in
    arrays indexed by type id (:func:`nlpzero._merge.pass_gains`)."""
    from . import _merge

    seq = np.ascontiguousarray(seq, dtype=np.int64)
    n_t = len(t_len)
    W = n_t + 2                               # ids -1..n_t shifted by one; n_t: the merged type
    lens = np.ascontiguousarray(t_len, dtype=np.int64)
    lps = np.ascontiguousarray(t_lp, dtype=np.float64)
    open_ = (np.ones(n_t, dtype=np.uint8) if t_open is None
             else np.ascontiguousarray(t_open, dtype=bool).view(np.uint8))
    cv, cw, occ, bounds, pc, n_ctx, m_succ, n_tok, T = _merge.pass_table(seq, W, lens, int(L), open_)
    present = n_tok > 0
    max_len = int(lens.max()) if lens.size else 1
    by_len = np.bincount(lens[present], minlength=2 * max_len + 2).astype(np.float64)
    # the base measure: add-one p_len over lengths 1..2·longest, times Π p(symbol)
    log_len = np.log((by_len + 1.0) / (int(present.sum()) + 2 * max_len))
    lp0_type = log_len[lens] + lps
    lp0_u = log_len[lens[cv] + lens[cw]] + (lps[cv] + lps[cw])
    gain = np.empty(cv.size, dtype=np.float64)
    if char is not None:
        em = np.ascontiguousarray(char.em, dtype=np.int64).ravel()
        tr = np.ascontiguousarray(char.tr, dtype=np.int64).ravel()
        pool = np.ascontiguousarray(char.pool, dtype=np.int64)
        t_off = np.ascontiguousarray(char.t_off, dtype=np.int64)
        S = char.S
    else:
        em = tr = pool = t_off = np.zeros(0, dtype=np.int64)
        S = 0
    _merge.pass_gains(seq, pc, occ, bounds, cv, cw, W, n_ctx, m_succ, T, lens, n_tok, lp0_type,
                      lp0_u, float(alpha0), float(alpha1), em, tr, pool, t_off, int(S), char is not None, gain)
    return cv, cw, gain, occ, bounds


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
