# Kernels of the type-level merges of the joint model (nlpzero/_joint_merge.py): arrays in,
# arrays out, no policy.
#
# A segmentation is a sequence `seq` of word type ids with -1 between runs (and at both ends);
# `pc[p]` is the count of the adjacent pair (seq[p], seq[p+1]) in the whole sequence. Ids are
# shifted by one where they index an array (-1 .. n_types - 1 -> 0 .. n_types); W = n_types + 2,
# and the id U = n_types stands for the merged type of whichever candidate is being scored.
#
# - pass_gains: per candidate (v, w), the change of log P of the whole segmentation when all its
#   occurrences become one new type u, under the word model's HDP bigram prior, plus the change
#   of the character position model's log-likelihood (add-one estimates, recounted). The count
#   changes of a candidate are those of its windows x v w (v w)* y, aggregated in scratch arrays
#   indexed by type id (stamped with the candidate, so never cleared); the old count of every
#   pair that changes is read from `pc` where the pair occurs (the neighbours of every
#   occurrence are gathered once, in the order of the candidates, and the scratch fields of one
#   id share a cache line). The cost is linear in the number of occurrences.
# - pass_table: the pairs of a pass from one sort (keys packed with positions): the candidates,
#   their occurrences grouped, `pc`, the per-id counts pass_gains takes.
# - char_counts: the character position model's counts of a segmentation (tag x symbol
#   emissions, tag transitions).
# - greedy: the merges of a pass, best gain first, sharing no type.
#
# Everything is deterministic and independent of any seed.
from libc.stdint cimport uint8_t, int64_t
from libc.math cimport log, lgamma

import numpy as np


cdef enum:
    N_LG = 1024     # lgamma of the counts below this is tabulated

cdef double LG[N_LG]
LG[0] = 0.0
for _k in range(1, N_LG):
    LG[_k] = lgamma(<double>_k)


cdef inline double lgi(int64_t n) noexcept nogil:
    """lgamma(n) for a count, 0 for n = 0."""
    if n < N_LG:
        return LG[n] if n > 0 else 0.0
    return lgamma(<double>n)


cdef inline double lgdiff(double a, int64_t d) noexcept nogil:
    """lgamma(a + d) - lgamma(a) for a > 0 and a + d > 0: a sum of logs for a small step
    (Γ(x + 1) = x Γ(x)), the difference of lgamma otherwise."""
    cdef double s = 0.0
    cdef int64_t i
    if 0 <= d <= 8:
        for i in range(d):
            s += log(a + i)
        return s
    if -8 <= d < 0:
        for i in range(1, -d + 1):
            s -= log(a - i)
        return s
    return lgamma(a + d) - lgamma(a)


cdef inline double lgi_diff(int64_t old, int64_t new) noexcept nogil:
    """lgi(new) - lgi(old) for counts."""
    if old > 0 and new > 0:
        return lgdiff(<double>old, new - old)
    return lgi(new) - lgi(old)


cdef inline double gfun(int64_t n) noexcept nogil:
    """n log(n + 1), 0 for n <= 0 (a cell's term of the add-one log-likelihood)."""
    return n * log(n + 1.0) if n > 0 else 0.0


cdef inline int tag_at(int64_t j, int64_t k) noexcept nogil:
    """The tag of position j of a k-symbol word: S (3) if k = 1, else B (0), M (1), E (2)."""
    if k == 1:
        return 3
    if j == 0:
        return 0
    if j == k - 1:
        return 2
    return 1


cdef enum:
    # the scratch of one id, as a left neighbour x and a context (xr) or as a right neighbour
    # y and a successor (yr): F fields side by side (one cache line), what one visit touches
    F = 8
    X_ST = 0        # xr, yr: the stamp, the tokens, the old count of the pair (x, v) / (w, y)
    X_N = 1
    X_OLD = 2
    C_ST = 3        # xr, as a context: stamp, Δ tokens, Δ distinct successors, tokens (n_ctx)
    C_DN = 4
    C_DK = 5
    C_N = 6
    S_ST = 3        # yr, as a successor: stamp, Δ distinct contexts, distinct contexts (m_succ)
    S_DM = 4
    S_M = 5


cdef class _Scratch:
    """One pass's state for :func:`pass_gains`: the per-id scratch of a candidate's count
    changes (indexed by id + 1, the fields of one id side by side; an entry belongs to candidate
    c when its stamp is c + 1, so nothing is cleared between candidates) and the totals being
    summed."""
    cdef int64_t[::1] xr, yr, xs, ys, ctxs, sucs
    cdef int64_t n_x, n_y, n_ctxs, n_sucs, dT
    cdef double gain

    def __init__(self, int64_t W, const int64_t[::1] n_ctx, const int64_t[::1] m_succ):
        cdef Py_ssize_t i
        self.xr, self.yr = np.zeros(F * W, np.int64), np.zeros(F * W, np.int64)
        for i in range(W):
            self.xr[F * i + C_N] = n_ctx[i]
            self.yr[F * i + S_M] = m_succ[i]
        self.xs, self.ys = np.zeros(W, np.int64), np.zeros(W, np.int64)
        self.ctxs, self.sucs = np.zeros(W, np.int64), np.zeros(W, np.int64)

    cdef inline void record(self, int64_t a, int64_t b, int64_t dc, int64_t old, int64_t c) noexcept nogil:
        """Add the change ``dc`` of pair (a, b), whose count is ``old``, to candidate c's totals
        (one call per distinct pair): log Γ of the pair count, the context's tokens and
        distinct successors, the successor's distinct contexts."""
        cdef int64_t new, born, q
        if dc == 0:
            return
        new = old + dc
        self.gain += lgi_diff(old, new)
        born = (1 if (old == 0 and new > 0) else 0) - (1 if (old > 0 and new == 0) else 0)
        q = F * (a + 1)
        if self.xr[q + C_ST] != c + 1:
            self.xr[q + C_ST] = c + 1
            self.xr[q + C_DN] = 0
            self.xr[q + C_DK] = 0
            self.ctxs[self.n_ctxs] = a
            self.n_ctxs += 1
        self.xr[q + C_DN] += dc
        self.xr[q + C_DK] += born
        if born != 0:
            q = F * (b + 1)
            if self.yr[q + S_ST] != c + 1:
                self.yr[q + S_ST] = c + 1
                self.yr[q + S_DM] = 0
                self.sucs[self.n_sucs] = b
                self.n_sucs += 1
            self.yr[q + S_DM] += born


cdef int _check_seq(const int64_t[::1] seq, int64_t n_types, str name, bint marked) except -1:
    """The checks a kernel's loops over ``seq`` rely on: every entry a type id below ``n_types``
    or the run mark -1, and with ``marked`` a run mark at both ends."""
    cdef Py_ssize_t i, n_seq = seq.shape[0]
    if marked and (n_seq < 2 or seq[0] != -1 or seq[n_seq - 1] != -1):
        raise ValueError(f"{name}: seq must start and end with -1")
    for i in range(n_seq):
        if seq[i] < -1 or seq[i] >= n_types:
            raise ValueError(f"{name}: a type id of seq is out of range")
    return 0


def pass_gains(const int64_t[::1] seq, const int64_t[::1] pc, const int64_t[::1] occ,
               const int64_t[::1] bounds, const int64_t[::1] cv, const int64_t[::1] cw, int64_t W,
               const int64_t[::1] n_ctx, const int64_t[::1] m_succ, int64_t T,
               const int64_t[::1] lens, const int64_t[::1] n_tok, const double[::1] lp0_type,
               const double[::1] lp0_u, double alpha0, double alpha1,
               const int64_t[::1] em, const int64_t[::1] tr, const int64_t[::1] pool,
               const int64_t[::1] t_off, int64_t S, bint with_char, double[::1] gain):
    """Gain of every candidate of a pass (OUT ``gain``, one per candidate).

    Candidate c is the pair ``(cv[c], cw[c])``, v != w, with occurrences
    ``occ[bounds[c]:bounds[c+1]]`` (positions of v in ``seq``, ascending; ``seq`` starts and
    ends with -1). ``pc[p]``: the count of the pair ``(seq[p], seq[p+1])``; ``n_ctx``,
    ``m_succ`` (indexed by id + 1, length W, 0 at the merged id W - 2): tokens per context and
    distinct contexts per successor; ``T``: the number of distinct pairs. ``lens``, ``n_tok``,
    ``lp0_type`` per type: length, tokens, log P0; ``lp0_u``: log P0 of each candidate's
    merged type. With ``with_char``: ``em`` (4·S, tag-major) and ``tr`` (5·4) are the
    character model's counts, type t spelled ``pool[t_off[t]:t_off[t] + lens[t]]``.
    """
    cdef Py_ssize_t n_c = cv.shape[0], c, i, j, k
    cdef int64_t U = W - 2, v, w, x, y, n, nch, a, d, m0, wv_old, q
    cdef int64_t max_len = 1
    for i in range(lens.shape[0]):
        if lens[i] > max_len:
            max_len = lens[i]
    if (bounds.shape[0] != n_c + 1 or cw.shape[0] != n_c or gain.shape[0] != n_c or lp0_u.shape[0] != n_c
            or n_ctx.shape[0] != W or m_succ.shape[0] != W or lens.shape[0] != U or n_tok.shape[0] != U
            or lp0_type.shape[0] != U or pc.shape[0] + 1 != seq.shape[0]
            or occ.shape[0] < bounds[n_c]
            or (with_char and (em.shape[0] != 4 * S or tr.shape[0] != 20 or t_off.shape[0] < U))):
        raise ValueError("pass_gains: inconsistent array sizes")
    # what the loop below relies on to stay inside the arrays (O(n), once per pass)
    cdef Py_ssize_t n_seq = seq.shape[0]
    if n_c >= 0 and bounds[0] < 0:
        raise ValueError("pass_gains: inconsistent array sizes")
    _check_seq(seq, U, "pass_gains", True)
    # the neighbours of every occurrence p, read here once (in the order of occ, so that the
    # loop below reads them in sequence): seq[p - 1], seq[p + 2], pc[p - 1], pc[p + 1]
    cdef int64_t[::1] nb = np.empty(4 * bounds[n_c] if n_c > 0 else 0, dtype=np.int64)
    cdef int64_t[::1] vw_old = np.empty(n_c, dtype=np.int64)
    cdef int64_t p
    for c in range(n_c):            # bounds ascending first: occ and nb are read up to bounds[n_c]
        if bounds[c] > bounds[c + 1]:
            raise ValueError("pass_gains: a candidate is out of range")
    for c in range(n_c):
        if cv[c] < 0 or cv[c] >= U or cw[c] < 0 or cw[c] >= U or cv[c] == cw[c]:
            raise ValueError("pass_gains: a candidate is out of range")
        if bounds[c] < bounds[c + 1]:
            vw_old[c] = pc[occ[bounds[c]]] if 0 <= occ[bounds[c]] < pc.shape[0] else 0
        for i in range(bounds[c], bounds[c + 1]):
            p = occ[i]
            if p < 1 or p > n_seq - 3 or seq[p] != cv[c] or seq[p + 1] != cw[c]:
                raise ValueError("pass_gains: an occurrence is not one of its candidate")
            nb[4 * i] = seq[p - 1]
            nb[4 * i + 1] = seq[p + 2]
            nb[4 * i + 2] = pc[p - 1]
            nb[4 * i + 3] = pc[p + 1]
    for i in range(U):
        if lens[i] < 1 or (with_char and (t_off[i] < 0 or t_off[i] + lens[i] > pool.shape[0])):
            raise ValueError("pass_gains: a type's length or spelling is out of range")
    if with_char:
        for i in range(pool.shape[0]):
            if pool[i] < 0 or pool[i] >= S:
                raise ValueError("pass_gains: a symbol of a spelling is out of range")
    cdef _Scratch s = _Scratch(W, n_ctx, m_succ)
    # the character model: emission changes of one candidate (cell, change), row totals
    cdef int64_t[::1] e_cell = np.zeros(8 * max_len + 4, dtype=np.int64)
    cdef int64_t[::1] e_d = np.zeros(8 * max_len + 4, dtype=np.int64)
    cdef int64_t[::1] t_d = np.zeros(20, dtype=np.int64)
    cdef int64_t[::1] row_d = np.zeros(9, dtype=np.int64)
    cdef int64_t[::1] row_n = np.zeros(9, dtype=np.int64)
    cdef int64_t[::1] last_x = np.zeros(5, dtype=np.int64), first_y = np.zeros(4, dtype=np.int64)
    # the terms of the unchanged counts, once per pass: gfun of every cell, n log(n + width) of
    # every row (the same expressions as in _char_gain, so the same doubles)
    cdef double[::1] g_em = np.zeros(4 * S if with_char else 0, dtype=np.float64)
    cdef double[::1] g_tr = np.zeros(20, dtype=np.float64), g_row = np.zeros(9, dtype=np.float64)
    if with_char:
        for i in range(4 * S):
            row_n[i // S] += em[i]
            g_em[i] = gfun(em[i])
        for i in range(20):
            row_n[4 + i // 4] += tr[i]
            g_tr[i] = gfun(tr[i])
        for i in range(9):
            k = S if i < 4 else 4
            g_row[i] = row_n[i] * log(<double>(row_n[i] + k))
    cdef double la0 = log(alpha0), la1 = log(alpha1), g
    with nogil:
        for c in range(n_c):
            v = cv[c]
            w = cw[c]
            n = bounds[c + 1] - bounds[c]
            # chains v w (v w)*: their left neighbours x and right neighbours y, counted, with
            # the counts of the pairs (x, v), (w, y) and (w, v) read where they occur
            s.n_x = 0
            s.n_y = 0
            nch = 0
            wv_old = 0
            i = bounds[c]
            while i < bounds[c + 1]:
                j = i
                while j + 1 < bounds[c + 1] and occ[j + 1] == occ[j] + 2:
                    wv_old = nb[4 * j + 3]
                    j += 1
                x = nb[4 * i]
                y = nb[4 * j + 1]
                q = F * (x + 1)
                if s.xr[q + X_ST] != c + 1:
                    s.xr[q + X_ST] = c + 1
                    s.xr[q + X_N] = 0
                    s.xr[q + X_OLD] = nb[4 * i + 2]
                    s.xs[s.n_x] = x
                    s.n_x += 1
                s.xr[q + X_N] += 1
                q = F * (y + 1)
                if s.yr[q + X_ST] != c + 1:
                    s.yr[q + X_ST] = c + 1
                    s.yr[q + X_N] = 0
                    s.yr[q + X_OLD] = nb[4 * j + 3]
                    s.ys[s.n_y] = y
                    s.n_y += 1
                s.yr[q + X_N] += 1
                nch += 1
                i = j + 1
            # the pair count changes, one record per distinct pair:
            # (v,w) -n; (w,v) -links - #(x = w) - #(y = v); (U,U) +links;
            # (x,v) -#x for x != w, (x,U) +#x; (w,y) -#y for y != v, (U,y) +#y
            s.gain = 0.0
            s.dT = 0
            s.n_ctxs = 0
            s.n_sucs = 0
            s.record(v, w, -n, vw_old[c], c)
            d = -(n - nch)
            if s.xr[F * (w + 1) + X_ST] == c + 1:
                d -= s.xr[F * (w + 1) + X_N]
                wv_old = s.xr[F * (w + 1) + X_OLD]
            if s.yr[F * (v + 1) + X_ST] == c + 1:
                d -= s.yr[F * (v + 1) + X_N]
                wv_old = s.yr[F * (v + 1) + X_OLD]
            s.record(w, v, d, wv_old, c)
            s.record(U, U, n - nch, 0, c)
            for k in range(s.n_x):
                x = s.xs[k]
                if x != w:
                    s.record(x, v, -s.xr[F * (x + 1) + X_N], s.xr[F * (x + 1) + X_OLD], c)
                s.record(x, U, s.xr[F * (x + 1) + X_N], 0, c)
            for k in range(s.n_y):
                y = s.ys[k]
                if y != v:
                    s.record(w, y, -s.yr[F * (y + 1) + X_N], s.yr[F * (y + 1) + X_OLD], c)
                s.record(U, y, s.yr[F * (y + 1) + X_N], 0, c)
            g = s.gain
            # contexts: K_x log α1 + log Γ(α1) - log Γ(α1 + n_x)
            for k in range(s.n_ctxs):
                a = s.ctxs[k]
                m0 = s.xr[F * (a + 1) + C_N]
                g += s.xr[F * (a + 1) + C_DK] * la1 - lgdiff(alpha1 + m0, s.xr[F * (a + 1) + C_DN])
            # successors: log Γ(m_y), and T = Σ m_y
            for k in range(s.n_sucs):
                a = s.sucs[k]
                m0 = s.yr[F * (a + 1) + S_M]
                g += lgi_diff(m0, m0 + s.yr[F * (a + 1) + S_DM])
                s.dT += s.yr[F * (a + 1) + S_DM]
            g -= lgdiff(alpha0 + T, s.dT)
            # the new type u, and v or w when every one of their tokens was merged
            g += la0 + lp0_u[c]
            if n_tok[v] == n:
                g -= la0 + lp0_type[v]
            if n_tok[w] == n:
                g -= la0 + lp0_type[w]
            if with_char:
                g += _char_gain(v, w, n, nch, s, lens, em, tr, pool, t_off, S, e_cell, e_d, t_d, row_d, row_n,
                                last_x, first_y, g_em, g_tr, g_row)
            gain[c] = g


cdef inline int _first(int64_t k) noexcept nogil:
    return 0 if k > 1 else 3


cdef inline int _last(int64_t k) noexcept nogil:
    return 2 if k > 1 else 3


cdef double _char_gain(int64_t v, int64_t w, int64_t n, int64_t nch, _Scratch s,
                       const int64_t[::1] lens, const int64_t[::1] em, const int64_t[::1] tr,
                       const int64_t[::1] pool, const int64_t[::1] t_off, int64_t S,
                       int64_t[::1] e_cell, int64_t[::1] e_d, int64_t[::1] t_d, int64_t[::1] row_d,
                       const int64_t[::1] row_n, int64_t[::1] last_x, int64_t[::1] first_y,
                       const double[::1] g_em, const double[::1] g_tr, const double[::1] g_row) noexcept nogil:
    """Change of the character position model's log-likelihood Σ n log((n + 1)/(N_row + width))
    when the n occurrences of v w (nch chains) become u: the emissions and inner transitions of
    every occurrence, the links between the occurrences of a chain, the transitions into a chain
    (from x) and out of it (into y)."""
    cdef int64_t lv = lens[v], lw = lens[w], lu = lv + lw, j, sym, cell, k, m_e = 0, q, x, y, r
    cdef int ot, nt
    cdef double total = 0.0
    for j in range(20):
        t_d[j] = 0
    for j in range(9):
        row_d[j] = 0
    for j in range(5):
        last_x[j] = 0
    for j in range(4):
        first_y[j] = 0
    # emissions: symbol j of u, old tag (in v or w) against new tag (in u); n times each
    for j in range(lu):
        if j < lv:
            sym = pool[t_off[v] + j]
            ot = tag_at(j, lv)
        else:
            sym = pool[t_off[w] + j - lv]
            ot = tag_at(j - lv, lw)
        nt = tag_at(j, lu)
        if ot == nt:
            continue
        m_e = _add_cell(e_cell, e_d, m_e, ot * S + sym, -n)
        m_e = _add_cell(e_cell, e_d, m_e, nt * S + sym, n)
    # transitions inside v, inside w, v -> w, and inside u
    for j in range(1, lv):
        t_d[tag_at(j - 1, lv) * 4 + tag_at(j, lv)] -= n
    for j in range(1, lw):
        t_d[tag_at(j - 1, lw) * 4 + tag_at(j, lw)] -= n
    t_d[_last(lv) * 4 + _first(lw)] -= n
    for j in range(1, lu):
        t_d[tag_at(j - 1, lu) * 4 + tag_at(j, lu)] += n
    # links inside chains: w -> v becomes u -> u (E -> B)
    t_d[_last(lw) * 4 + _first(lv)] -= n - nch
    t_d[2 * 4 + 0] += n - nch
    # into a chain: last tag of x (START at a run start) -> first of v becomes -> B
    for k in range(s.n_x):
        x = s.xs[k]
        last_x[4 if x < 0 else _last(lens[x])] += s.xr[F * (x + 1) + X_N]
    for r in range(2, 5):
        t_d[r * 4 + _first(lv)] -= last_x[r]
        t_d[r * 4 + 0] += last_x[r]
    # out of a chain (not at a run end): last of w -> first of y becomes E -> first of y
    for k in range(s.n_y):
        y = s.ys[k]
        if y >= 0:
            first_y[_first(lens[y])] += s.yr[F * (y + 1) + X_N]
    for r in range(0, 4, 3):            # S (3) or B (0)
        t_d[_last(lw) * 4 + r] -= first_y[r]
        t_d[2 * 4 + r] += first_y[r]
    for q in range(m_e):
        if e_d[q] != 0:
            cell = e_cell[q]
            total += gfun(em[cell] + e_d[q]) - g_em[cell]
            row_d[cell // S] += e_d[q]
    for j in range(20):
        if t_d[j] != 0:
            total += gfun(tr[j] + t_d[j]) - g_tr[j]
            row_d[4 + j // 4] += t_d[j]
    for r in range(9):
        if row_d[r] != 0:
            k = S if r < 4 else 4
            total -= (row_n[r] + row_d[r]) * log(<double>(row_n[r] + row_d[r] + k)) - g_row[r]
    return total


cdef inline int64_t _add_cell(int64_t[::1] e_cell, int64_t[::1] e_d, int64_t m, int64_t cell,
                              int64_t d) noexcept nogil:
    """Add d to ``cell`` in the list of m (cell, change) entries; the new length."""
    cdef int64_t q
    for q in range(m):
        if e_cell[q] == cell:
            e_d[q] += d
            return m
    e_cell[m] = cell
    e_d[m] = d
    return m + 1


def greedy(const int64_t[::1] order, const int64_t[::1] cv, const int64_t[::1] cw, uint8_t[::1] used,
           uint8_t[::1] accepted):
    """Mark (OUT ``accepted``) the candidates taken in ``order`` (best first) that share no type
    with one taken before; ``used`` (IN/OUT, one flag per type, zero on entry) records the
    types taken. Returns how many were accepted."""
    cdef Py_ssize_t i, c
    cdef int64_t v, w, n_acc = 0
    if cw.shape[0] != cv.shape[0] or accepted.shape[0] != cv.shape[0]:
        raise ValueError("greedy: inconsistent array sizes")
    for i in range(order.shape[0]):
        c = order[i]
        if c < 0 or c >= cv.shape[0] or cv[c] < 0 or cv[c] >= used.shape[0] or cw[c] < 0 or cw[c] >= used.shape[0]:
            raise ValueError("greedy: a candidate or type id is out of range")
    with nogil:
        for i in range(order.shape[0]):
            c = order[i]
            v = cv[c]
            w = cw[c]
            if used[v] or used[w]:
                continue
            used[v] = 1
            used[w] = 1
            accepted[c] = 1
            n_acc += 1
    return n_acc


def pass_table(const int64_t[::1] seq, int64_t W, const int64_t[::1] lens, int64_t L,
               const uint8_t[::1] t_open, bint pack=True):
    """The pairs of one pass and its candidates, from one sort of the adjacent pairs of ``seq``.

    ``seq``: type ids 0 .. W - 3 with -1 between runs and at both ends; ``lens``, ``t_open``:
    per type, its length and whether it may be merged. The pairs are those of
    :func:`nlpzero._joint_merge.pair_table` (two adjacent run marks are no pair), sorted by
    ``(x, y)``; a candidate is a pair of types x != y, both open, seen at least twice, with
    ``lens[x] + lens[y] > L``. Returns ``(cv, cw, occ, bounds, pc, n_ctx, m_succ, n_tok, T)``:
    the candidates in ``(x, y)`` order, candidate c's positions (of x, ascending)
    ``occ[bounds[c]:bounds[c + 1]]``; ``pc[p]`` the count of the pair at p (0 for two run
    marks); ``n_ctx``, ``m_succ`` (by id + 1, length W): tokens after each context and distinct
    contexts of each successor; ``n_tok`` the tokens per type; ``T`` the number of distinct
    pairs. The sort is of the keys packed with their positions when that fits in 63 bits
    (and ``pack``), otherwise a stable argsort of the keys: the same result.
    """
    cdef Py_ssize_t n_seq = seq.shape[0], n, i, j, k, m = 0, nc = 0, no = 0
    cdef int64_t U = W - 2, a, b, key, cnt, x, y, T = 0, bits, mask
    if W < 2 or lens.shape[0] != U or t_open.shape[0] != U:
        raise ValueError("pass_table: inconsistent array sizes")
    _check_seq(seq, U, "pass_table", True)
    n = n_seq - 1
    for i in range(n):
        if seq[i] != -1 or seq[i + 1] != -1:
            m += 1
    bits = max(1, (<object>n).bit_length())
    cdef bint packed = pack and ((<object>W) * W) << bits < (1 << 63)
    cdef int64_t[::1] sk = np.empty(m, dtype=np.int64), at = np.empty(m, dtype=np.int64)
    cdef int64_t[::1] pos
    j = 0
    if packed:                      # key and position in one int64: a plain sort
        for i in range(n):
            if seq[i] != -1 or seq[i + 1] != -1:
                sk[j] = (((seq[i] + 1) * W + seq[i + 1] + 1) << bits) | i
                j += 1
        np.asarray(sk).sort()
        mask = (<int64_t>1 << bits) - 1
        for k in range(m):
            at[k] = sk[k] & mask
            sk[k] = sk[k] >> bits
    else:
        pos = np.empty(m, dtype=np.int64)
        for i in range(n):
            if seq[i] != -1 or seq[i + 1] != -1:
                sk[j] = (seq[i] + 1) * W + seq[i + 1] + 1
                pos[j] = i
                j += 1
        order = np.argsort(np.asarray(sk), kind="stable")
        sk = np.asarray(sk)[order]
        at = np.asarray(pos)[order]
    pc_a, occ_a = np.zeros(n, dtype=np.int64), np.empty(m, dtype=np.int64)
    cv_a, cw_a, bounds_a = np.empty(m, dtype=np.int64), np.empty(m, dtype=np.int64), np.empty(m + 1, dtype=np.int64)
    n_ctx_a, m_succ_a, n_tok_a = np.zeros(W, dtype=np.int64), np.zeros(W, dtype=np.int64), np.zeros(U, dtype=np.int64)
    cdef int64_t[::1] pc = pc_a, occ = occ_a, cv = cv_a, cw = cw_a, bounds = bounds_a
    cdef int64_t[::1] n_ctx = n_ctx_a, m_succ = m_succ_a, n_tok = n_tok_a
    with nogil:
        for i in range(n_seq):
            if seq[i] >= 0:
                n_tok[seq[i]] += 1
        i = 0
        while i < m:
            key = sk[i]
            j = i + 1
            while j < m and sk[j] == key:
                j += 1
            cnt = j - i
            T += 1
            x = key // W - 1
            y = key % W - 1
            for k in range(i, j):
                pc[at[k]] = cnt
            n_ctx[x + 1] += cnt
            m_succ[y + 1] += 1
            if (x >= 0 and y >= 0 and x != y and cnt >= 2 and lens[x] + lens[y] > L
                    and t_open[x] and t_open[y]):
                cv[nc] = x
                cw[nc] = y
                bounds[nc] = no
                nc += 1
                for k in range(i, j):
                    occ[no] = at[k]
                    no += 1
            i = j
        bounds[nc] = no
    return (cv_a[:nc].copy(), cw_a[:nc].copy(), occ_a[:no].copy(), bounds_a[:nc + 1].copy(), pc_a, n_ctx_a,
            m_succ_a, n_tok_a, int(T))


def char_counts(const int64_t[::1] seq, const int64_t[::1] pool, const int64_t[::1] t_off, int64_t S):
    """The character position model's counts of the segmentation ``seq`` (type ids, -1 between
    runs; type t spelled ``pool[t_off[t]:t_off[t + 1]]``, the last up to the end of ``pool``):
    ``em`` (4·S, tag-major: each type's spelling once per token) and ``tr`` (5·4, row 4 the run
    start: the transitions inside each token, then between consecutive tokens). What
    :meth:`nlpzero._joint_charmodel.CharModel.counts_of` computes with numpy."""
    cdef Py_ssize_t n_seq = seq.shape[0], n_t = t_off.shape[0], i, j
    cdef int64_t k, a, b, nt, o
    cdef int tag, prev
    if S < 0:
        raise ValueError("char_counts: S must be >= 0")
    for i in range(n_t):
        if t_off[i] < 0 or t_off[i] > (t_off[i + 1] if i + 1 < n_t else pool.shape[0]):
            raise ValueError("char_counts: the spellings' offsets are out of order")
    for i in range(pool.shape[0]):
        if pool[i] < 0 or pool[i] >= S:
            raise ValueError("char_counts: a symbol of a spelling is out of range")
    _check_seq(seq, n_t, "char_counts", False)
    lens_a, n_tok_a = np.zeros(n_t, dtype=np.int64), np.zeros(n_t, dtype=np.int64)
    em_a, tr_a = np.zeros(4 * S, dtype=np.int64), np.zeros(20, dtype=np.int64)
    cdef int64_t[::1] lens = lens_a, n_tok = n_tok_a, em = em_a, tr = tr_a
    with nogil:
        for i in range(n_t):
            lens[i] = (t_off[i + 1] if i + 1 < n_t else pool.shape[0]) - t_off[i]
        for i in range(n_seq):
            if seq[i] >= 0:
                n_tok[seq[i]] += 1
        for i in range(n_t):
            nt = n_tok[i]
            if nt == 0:
                continue
            k = lens[i]
            o = t_off[i]
            prev = 0
            for j in range(k):
                tag = tag_at(j, k)
                em[tag * S + pool[o + j]] += nt
                if j >= 1:
                    tr[prev * 4 + tag] += nt
                prev = tag
        for i in range(n_seq - 1):
            a = seq[i]
            b = seq[i + 1]
            if b >= 0:
                prev = 4 if a < 0 else (2 if lens[a] > 1 else 3)
                tr[prev * 4 + (0 if lens[b] > 1 else 3)] += 1
    return em_a.reshape(4, S), tr_a.reshape(5, 4)
