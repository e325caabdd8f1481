"""The description length of a corpus under a template set: hard EM over the minimum-length
parses, pruning of the templates that do not pay for themselves, the baseline code."""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _templates
from ._corpus import Encoded, _piece_counts
from ._results import DescriptionLength

#: Add-λ smoothing of the re-estimated P_w and P_len (keeps every word and length codable).
SMOOTHING = 0.01
_LOG2_3 = math.log2(3.0)
#: Each round drops this fraction of the templates that do not pay for themselves (the worst
#: first): dropping them all at once also drops near-duplicates that were each other's fallback.
PRUNE_FRACTION = 0.5
#: EM stops when a round lowers the total by less than this fraction of the baseline ...
TOLERANCE = 1e-4
#: ... or (when pruning) when it would drop fewer than this fraction of the templates.
MIN_DROP = 0.05
#: −log2 P_w of a template word when the stored code lacks it (a hand-made template set).
DEFAULT_WORD_BITS = 12.0


@dataclass
class _Fit:
    keep: np.ndarray          # indices of the templates in the final set
    uses: np.ndarray
    loss: np.ndarray
    model: np.ndarray         # model bits per template (of the final set)
    dl: DescriptionLength
    code: dict[str, Any]      # blocks, flat_bits, len_bits, and word_bits as an array over ids


def _baseline_bits(enc: Encoded, counts: np.ndarray) -> float:
    c = counts[counts > 0].astype(np.float64)
    lens = np.bincount(enc.pend - enc.pstart)[1:].astype(np.float64) if len(enc.pstart) else np.zeros(0)
    lens = lens[lens > 0]
    bits = 0.0
    if c.size:
        bits -= float((c * np.log2(c / c.sum())).sum())
    if lens.size:
        bits -= float((lens * np.log2(lens / lens.sum())).sum())
    return bits


def _xlog2(n: np.ndarray, p: np.ndarray) -> float:
    n = np.asarray(n, dtype=np.float64)
    m = n > 0
    return float(-(n[m] * np.log2(p[m])).sum())


def _fit(enc: Encoded, telems: np.ndarray, toff: np.ndarray, init: np.ndarray, *,
         prune: bool, max_iter: int, progress=None, counts: np.ndarray | None = None) -> _Fit:
    """Hard EM over the minimum-length parses (and pruning): the template set of least total bits.
    ``counts``: the word counts in pieces (:func:`_piece_counts`), when the caller has them."""
    V = len(enc.words)
    T = len(toff) - 1
    n_pieces = len(enc.pstart)
    n_tokens = enc.n_tokens
    max_len = int((enc.pend - enc.pstart).max()) if n_pieces else 1
    lam = SMOOTHING
    rank = _piece_counts(enc) if counts is None else counts
    baseline = _baseline_bits(enc, rank)
    wc = rank.astype(np.float64)
    lens = np.bincount(enc.pend - enc.pstart, minlength=max_len + 1).astype(np.float64)
    # initial code: the baseline's unigrams and lengths; q from the candidate counts
    word_bits = -np.log2((wc + lam) / (wc.sum() + lam * V)) if V else np.zeros(0)
    # first round's length code: half the pieces' lengths, half an Elias-gamma code (fillers of
    # templates are shorter than pieces; a length no piece has must not look prohibitive)
    len_bits = np.full(max_len + 1, np.inf)
    p_ml = (lens[1:] + lam) / (lens[1:].sum() + lam * max_len)
    len_bits[1:] = -np.log2(0.5 * p_ml + 0.5 * np.exp2(-_universal_len_bits(max_len)[1:]))
    init = np.asarray(init, dtype=np.float64)
    z = n_pieces + init.sum()
    active = np.arange(T)
    t_q = init / z if z else init
    flat_bits = -math.log2(n_pieces / z) if n_pieces else 0.0
    best = None
    prev_total = math.inf
    it = 0
    n_el = np.diff(toff).astype(np.float64)
    # every round parses the same pieces with the same template numbering (dropped templates
    # cost infinitely many bits), so each piece's relevant templates are looked up once
    cache = _templates.RelCache()
    telems = np.ascontiguousarray(telems, dtype=np.int32)
    toff = np.ascontiguousarray(toff, dtype=np.int64)
    for it in range(1, max_iter + 1):
        sub_elems, sub_off = _subset(telems, toff, active)
        t_bits = np.full(T, np.inf)
        with np.errstate(divide="ignore"):
            t_bits[active] = -np.log2(t_q[active])
        res = _templates.parse_pieces(enc.ids, enc.pstart, enc.pend, telems, toff,
                                      np.ascontiguousarray(word_bits), np.ascontiguousarray(len_bits),
                                      t_bits, float(flat_bits), False, rank, cache)
        uses, loss = res["uses"][active], res["loss"][active]
        contested_uses = res["contested"][active]
        blocks = int(res["blocks"])
        n_flat = blocks - int(res["uses"].sum())
        # re-estimate (hard EM) and code the current parses with the new parameters
        fw = res["flat_words"].astype(np.float64)
        fl = res["flat_len"][: max_len + 1].astype(np.float64)
        pw = (fw + lam) / (fw.sum() + lam * V)
        pl = np.ones(max_len + 1)
        pl[1:] = (fl[1:] + lam) / (fl[1:].sum() + lam * max_len)
        q = uses / blocks
        qf = n_flat / blocks
        data = _xlog2(uses, q) + (-n_flat * math.log2(qf) if n_flat else 0.0) + _xlog2(fw, pw) + _xlog2(fl[1:], pl[1:])
        used = uses > 0
        wb = -np.log2(pw)
        sub_words = np.where(sub_elems >= 0, wb[np.maximum(sub_elems, 0)], 0.0)
        word_cost = np.add.reduceat(sub_words, sub_off[:-1]) if len(active) else np.zeros(0)
        model_t = (n_el[active] + 1) * _LOG2_3 + word_cost + 0.5 * math.log2(max(blocks, 2))
        model = float(model_t[used].sum())
        total = data + model
        if progress:
            progress(f"round {it}: {int(used.sum()):,} templates used, {total:,.0f} bits "
                     f"(baseline {baseline:,.0f})")
        if best is None or total < best[0] - 1e-9:
            dl = DescriptionLength(baseline, data, model, n_tokens, n_pieces, blocks, int(used.sum()), it)
            code = {"blocks": blocks, "flat_bits": -math.log2(qf) if qf > 0 else 0.0,
                    "len_bits": (-np.log2(pl)).tolist(), "word_bits": wb}
            best = (total, _Fit(active[used], uses[used], loss[used], model_t[used], dl, code))
        keep = used.copy()
        if prune:
            fail = used & (loss <= model_t)
            # a failing template whose blocks fall back to FLAT goes now; one whose blocks fall
            # back to another template may be that template's fallback too: drop only the worse
            # half of those per round
            contested = fail & (contested_uses > 0)
            if PRUNE_FRACTION < 1.0 and contested.sum() > 10:
                g = (loss - model_t)[contested]
                cut = np.quantile(g, PRUNE_FRACTION)
                fail &= ~contested | ((loss - model_t) <= cut)
            keep &= ~fail
        # the next round's code
        q_all = np.zeros(T)
        q_all[active] = q
        t_q = q_all
        word_bits = wb
        len_bits = np.full(max_len + 1, np.inf)
        len_bits[1:] = -np.log2(pl[1:])
        flat_bits = -math.log2(qf) if qf > 0 else 0.0
        stalled = total > prev_total - TOLERANCE * baseline
        prev_total = min(prev_total, total)
        if stalled and (it > 1 or not prune):
            break
        if prune and it > 1 and len(active) - keep.sum() < MIN_DROP * len(active):
            break       # the few templates left to drop cannot buy much: stop here
        active = active[keep]
    best[1].dl = dataclasses.replace(best[1].dl, iterations=it)
    return best[1]


def _subset(telems: np.ndarray, toff: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lens = toff[idx + 1] - toff[idx]
    off = np.zeros(len(idx) + 1, dtype=np.int64)
    np.cumsum(lens, out=off[1:])
    if len(idx) == 0:
        return np.zeros(0, dtype=np.int32), off
    take = np.repeat(toff[idx] - off[:-1], lens) + np.arange(off[-1])
    return np.ascontiguousarray(telems[take], dtype=np.int32), off



def _universal_len_bits(n: int) -> np.ndarray:
    """Elias-gamma code lengths 2·floor(log2 l) + 1 for l = 1..n (index 0 unused)."""
    lb = np.zeros(n + 1)
    lb[1:] = 2 * np.floor(np.log2(np.arange(1, n + 1))) + 1
    return lb



def pair_occurrences(enc: Encoded, window: int) -> int:
    """N2: the pair occurrences (u, then v 1..``window`` tokens later) inside the pieces."""
    lens = (enc.pend - enc.pstart).astype(np.int64)
    return int(sum(int(np.clip(lens - d, 0, None).sum()) for d in range(1, window + 1)))


def derived_link_count(n2: int, n_pieces: int, min_pmi: float) -> float:
    """The count c* a pair needs to link when ``min_proba`` is derived (``min_proba = c*/N2``).

    A link (u, v) at the PMI floor (PMI = ``min_pmi``) seen c times, made a template
    ``[X]u[X]v[X]`` used by all c of its occurrences, saves per block the code of its two words,
    b_u + b_v, and pays its own code −log2 q(t) = log2(B/c) with B ≥ P blocks (P pieces). From
    P(u,v) = c/N2 and PMI = ln P(u,v) − ln P(u) − ln P(v), b_u + b_v = min_pmi·log2 e +
    log2(N2/c), so a block saves at most s = min_pmi·log2 e + log2(N2/P) bits. Its model costs
    6·log2 3 (five elements and the end mark) + b_u + b_v + ½·log2 P bits. c* is the count at
    which the data saved equals the model cost,

        c*·s = 6·log2 3 + min_pmi·log2 e + log2(N2/c*) + ½·log2 P,

    the smallest count at which a link of any PMI above the floor could pay for itself (the
    saving and the model cost grow alike with the PMI). The left side grows and the right side
    falls with c*, so the root is unique; it is found by bisection. Returns inf when s ≤ 0 (no
    link can pay: the pieces are too short for the floor).

    With N2 = 2**20 pair occurrences in P = 2**16 pieces and min_pmi = 0, s = 4 bits and
    4·c* + log2 c* = 6·log2 3 + 20 + 8 = 37.51:

    >>> round(derived_link_count(2 ** 20, 2 ** 16, 0.0), 4)
    8.6013
    """
    if n2 <= 0 or n_pieces <= 0:
        return math.inf
    s = min_pmi * math.log2(math.e) + math.log2(n2 / n_pieces)
    if s <= 0:
        return math.inf
    k = 6 * _LOG2_3 + min_pmi * math.log2(math.e) + math.log2(n2) + 0.5 * math.log2(n_pieces)

    def excess(c: float) -> float:
        return c * s + math.log2(c) - k

    lo, hi = 1e-12, max(1.0, 2 * k / s)
    while excess(hi) < 0:
        hi *= 2
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if excess(mid) >= 0:
            hi = mid
        else:
            lo = mid
    return hi
