"""The character position model as the type-level merges of :mod:`nlpzero._joint_merge` see
it: its counts (tag × symbol emissions, tag transitions) and the change of its log-likelihood,
re-estimated with add-one smoothing as :func:`nlpzero.joint.character_model` does, when
occurrences of a word pair become one word, one window at a time (:meth:`CharModel.gain`: the
reference of the compiled gains of :mod:`nlpzero._merge`).
"""
from __future__ import annotations

import math
from collections import defaultdict

import numpy as np


class CharModel:
    """The character position model as the merges see it: its counts (tag × symbol emissions,
    tag transitions, row 4 the run start) and the change of its log-likelihood, re-estimated
    with add-one smoothing as :func:`nlpzero.joint.character_model` does, when windows of
    tokens are replaced."""

    def __init__(self, em_counts, tr_counts, syms=None, pool=None, t_off=None):
        self.em = np.asarray(em_counts, dtype=np.int64)          # (4, S)
        self.tr = np.asarray(tr_counts, dtype=np.int64)          # (5, 4)
        self.S = self.em.shape[1]
        self._syms = syms                                        # per type: its symbols (lazy)
        if pool is None:            # the same spellings, concatenated: type t at pool[t_off[t]:]
            pool = np.array([c for sy in syms for c in sy], dtype=np.int64)
            t_off = np.zeros(len(syms), dtype=np.int64)
            t_off[1:] = np.cumsum([len(sy) for sy in syms])[:-1]
        self.pool, self.t_off = np.asarray(pool, dtype=np.int64), np.asarray(t_off, dtype=np.int64)

    @property
    def syms(self) -> list:
        """Per type, its spelling as a tuple of symbols (made from ``pool`` and ``t_off`` when
        first asked for: the compiled gains need only those)."""
        if self._syms is None:
            ends = np.append(self.t_off[1:], self.pool.size).tolist()
            pool = self.pool.tolist()
            self._syms = [tuple(pool[a:b]) for a, b in zip(self.t_off.tolist(), ends)]
        return self._syms

    def counts_of(self, seq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The emission and transition counts of the segmentation ``seq`` (type ids, -1 between
        runs), as :func:`nlpzero.joint.character_counts` gives them from the word starts: each type's spelling
        counted once per token, then the transitions between consecutive tokens (the compiled
        :func:`nlpzero._merge.char_counts`; :meth:`counts_of_reference` with numpy)."""
        from . import _merge

        return _merge.char_counts(np.ascontiguousarray(seq, dtype=np.int64), self.pool, self.t_off, int(self.S))

    def counts_of_reference(self, seq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`counts_of` with numpy (the reference of the compiled counts)."""
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
        """Append the merged types ``v w`` (one per pair of ``vs``, ``ws``): their spellings
        to ``pool`` (and to ``syms`` once that was made)."""
        vs, ws = np.asarray(vs, dtype=np.int64), np.asarray(ws, dtype=np.int64)
        lens = np.diff(np.append(self.t_off, self.pool.size))
        lv, lw = lens[vs], lens[ws]
        lu = lv + lw
        start = np.cumsum(lu) - lu                               # of each u in the new block
        rep = np.repeat(np.arange(vs.size), lu)
        j = np.arange(int(lu.sum())) - start[rep]                # symbol j of u: of v, then of w
        src = np.where(j < lv[rep], self.t_off[vs][rep] + j, self.t_off[ws][rep] + j - lv[rep])
        if self._syms is not None:
            self._syms.extend(self._syms[v] + self._syms[w] for v, w in zip(vs.tolist(), ws.tolist()))
        self.t_off = np.concatenate((self.t_off, self.pool.size + start))
        self.pool = np.concatenate((self.pool, self.pool[src]))

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
