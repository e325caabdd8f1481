"""The character position model as the type-level merges of :mod:`nlpzero._joint_merge` see
it: its counts (tag × symbol emissions, tag transitions) and the change of its log-likelihood,
re-estimated with add-one smoothing as :func:`nlpzero.joint.character_model` does, when
occurrences of a word pair become one word — one window at a time (:meth:`CharModel.gain`, the
reference) or for all candidates of a pass at once (:func:`char_gains`).
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np


def _group(keys: np.ndarray, values: np.ndarray):
    """Distinct keys and the sum of ``values`` per key."""
    uk, inv = np.unique(keys, return_inverse=True)
    return uk, np.bincount(inv, weights=values, minlength=uk.size)


class CharModel:
    """The character position model as the merges see it: its counts (tag × symbol emissions,
    tag transitions, row 4 the run start) and the change of its log-likelihood, re-estimated
    with add-one smoothing as :func:`nlpzero.joint.character_model` does, when windows of
    tokens are replaced."""

    def __init__(self, em_counts, tr_counts, syms, pool=None, t_off=None):
        self.em = np.asarray(em_counts, dtype=np.int64)          # (4, S)
        self.tr = np.asarray(tr_counts, dtype=np.int64)          # (5, 4)
        self.syms = syms                                         # per type: its symbols
        self.S = self.em.shape[1]
        if pool is None:            # the same spellings, concatenated: type t at pool[t_off[t]:]
            pool = np.array([c for sy in syms for c in sy], dtype=np.int64)
            t_off = np.zeros(len(syms), dtype=np.int64)
            t_off[1:] = np.cumsum([len(sy) for sy in syms])[:-1]
        self.pool, self.t_off = np.asarray(pool, dtype=np.int64), np.asarray(t_off, dtype=np.int64)

    def counts_of(self, seq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The emission and transition counts of the segmentation ``seq`` (type ids, -1 between
        runs), as :func:`nlpzero.joint.character_counts` gives them from the word starts: each type's spelling
        counted once per token, then the transitions between consecutive tokens."""
        words = seq[seq >= 0]
        n_tok = np.bincount(words, minlength=self.t_off.size).astype(np.int64)
        lens = np.diff(np.append(self.t_off, self.pool.size))
        types = np.flatnonzero(n_tok)
        k = lens[types]
        rep = np.repeat(types, k)
        j = np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)
        tags = _tags_at(j, lens[rep])
        em = np.bincount(tags * self.S + self.pool[self.t_off[rep] + j], weights=n_tok[rep],
                         minlength=4 * self.S).reshape(4, self.S)
        inner = np.flatnonzero(j >= 1)
        tr = np.bincount(tags[inner - 1] * 4 + tags[inner], weights=n_tok[rep[inner]], minlength=20)
        a, b = seq[:-1], seq[1:]
        at = b >= 0                                     # a token b after a token or a run start
        last = np.where(a[at] < 0, 4, np.where(lens[np.maximum(a[at], 0)] > 1, 2, 3))
        tr = tr + np.bincount(last * 4 + np.where(lens[b[at]] > 1, 0, 3), minlength=20)
        return np.rint(em).astype(np.int64), np.rint(tr).astype(np.int64).reshape(5, 4)

    def merge(self, vs, ws) -> None:
        """Append the merged types ``v w`` (one per pair of ``vs``, ``ws``)."""
        pieces, offs, at = [self.pool], [self.t_off], self.pool.size
        for v, w in zip(np.asarray(vs).tolist(), np.asarray(ws).tolist()):
            sy = self.syms[v] + self.syms[w]
            self.syms.append(sy)
            pieces.append(np.asarray(sy, dtype=np.int64))
            offs.append(np.array([at], dtype=np.int64))
            at += len(sy)
        self.pool, self.t_off = np.concatenate(pieces), np.concatenate(offs)

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


def _tags_at(j: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The tag of position ``j`` in a word of ``k`` symbols: S (3) if k = 1, else B (0), M (1),
    E (2)."""
    return np.where(k == 1, 3, np.where(j == 0, 0, np.where(j == k - 1, 2, 1)))


def char_gains(char, cv, cw, n_occ, c_of, xo, yo, lens) -> np.ndarray:
    """Change of the character position model's log-likelihood per candidate (what
    :meth:`CharModel.gain` gives for one), from records ``(candidate, cell, change)`` over the
    flattened emission (rows 0-3) and transition (rows 4-8) tables."""
    S = char.S
    n_c = cv.size
    width_cells = 4 * S + 20
    # the symbols of v w, old tags (v's then w's) against new tags (u's), one row per symbol
    lv, lw = lens[cv], lens[cw]
    k = lv + lw
    rep = np.repeat(np.arange(n_c), k)
    j = np.arange(int(k.sum())) - np.repeat(np.cumsum(k) - k, k)
    lvr, lwr = lv[rep], lw[rep]
    in_v = j < lvr
    c = char.pool[np.where(in_v, char.t_off[cv][rep] + j, char.t_off[cw][rep] + j - lvr)]
    old_t = np.where(in_v, _tags_at(j, lvr), _tags_at(j - lvr, lwr))
    new_t = _tags_at(j, k[rep])
    nr = n_occ[rep].astype(np.float64)
    ch = np.flatnonzero(old_t != new_t)                # emissions that change
    inner = np.flatnonzero(j >= 1)                     # transitions inside the window
    ta = old_t[inner - 1] * 4 + old_t[inner]
    tb = new_t[inner - 1] * 4 + new_t[inner]
    tch = inner[ta != tb]
    ta, tb = ta[ta != tb], tb[ta != tb]
    rc = np.concatenate((rep[ch], rep[ch], rep[tch], rep[tch]))
    rcell = np.concatenate((old_t[ch] * S + c[ch], new_t[ch] * S + c[ch], 4 * S + ta, 4 * S + tb))
    rd = np.concatenate((-nr[ch], nr[ch], -nr[tch], nr[tch]))
    # the transitions into the window (from x) and out of it (into y), per occurrence
    xe = np.where(xo == -1, 4, np.where(lens[np.maximum(xo, 0)] > 1, 2, 3))
    fv = np.where(lens[cv] > 1, 0, 3)[c_of]
    into = fv != 0                                     # u starts with B: a change only after S
    has_y = yo != -1
    yf = np.where(lens[np.maximum(yo, 0)] > 1, 0, 3)
    lw = np.where(lens[cw] > 1, 2, 3)[c_of]
    out = has_y & (lw != 2)                            # u ends with E
    base = 4 * S
    cells = np.concatenate((np.asarray(rcell, dtype=np.int64),
                            base + xe[into] * 4 + fv[into], base + xe[into] * 4 + 0,
                            base + lw[out] * 4 + yf[out], base + 2 * 4 + yf[out]))
    cands = np.concatenate((np.asarray(rc, dtype=np.int64), c_of[into], c_of[into], c_of[out], c_of[out]))
    d = np.concatenate((np.asarray(rd, dtype=np.float64), -np.ones(int(into.sum())), np.ones(int(into.sum())),
                        -np.ones(int(out.sum())), np.ones(int(out.sum()))))
    gk, gd = _group(cands * width_cells + cells, d)
    nz = gd != 0
    gk, gd = gk[nz], gd[nz]
    g_c, g_cell = gk // width_cells, gk % width_cells
    table = np.concatenate((char.em.ravel(), char.tr.ravel())).astype(np.float64)
    n = table[g_cell]

    def g(v):
        return np.where(v > 0, v * np.log(np.maximum(v, 0) + 1.0), 0.0)

    gain = np.bincount(g_c, weights=g(n + gd) - g(n), minlength=n_c)
    row = np.where(g_cell < base, g_cell // S, 4 + (g_cell - base) // 4)
    rk, rdn = _group(g_c * 9 + row, gd)
    r_c, r_row = rk // 9, rk % 9
    row_tot = np.concatenate((char.em.sum(axis=1), char.tr.sum(axis=1))).astype(np.float64)
    n_row = row_tot[r_row]
    r_w = np.where(r_row < 4, S, 4).astype(np.float64)
    gain -= np.bincount(r_c, weights=(n_row + rdn) * np.log(n_row + rdn + r_w) - n_row * np.log(n_row + r_w),
                        minlength=n_c)
    return gain
