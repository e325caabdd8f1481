"""The joint model's lexicon (``discover(method="joint")``): the words of the joint model's
segmentation of the corpus, ranked by how much each saves in describing the corpus.

The words are the tokens of :func:`nlpzero.segment_unsupervised`'s joint segmentation (nVBE's
segmentation refined by :mod:`nlpzero.joint`, with the type-level merges of
:mod:`nlpzero._joint_merge` that make words longer than ``max_n``), counted over the runs. Each multi-character word
w is ranked by its **description-length gain** under the model's own unigram predictive
distribution ``P1(x) = (n_x + α0·P0(x)) / (T + α0)`` (T tokens, α0 the Ewens estimate from the
tokens and types, ``P0(x) = p_len(|x|)·Π p(c)``, all as in :mod:`nlpzero.joint`)::

    gain(w) = n_w · ( log P1(w) − max over splits w = x1..xm (m ≥ 2) of Σ log P1(x_i) )

the nats saved by writing the n_w occurrences of w as one word rather than as the best
sequence of smaller pieces (any strings: P0 gives every string a probability, so no split is
impossible). A frequent collocation of function words (的书, 看了) gains little, since its
parts are about as likely apart; a name seen thirty times gains a lot. Single characters follow
the multi-character words, by count (a character is trivially a word).
"""
from __future__ import annotations

import math

import numpy as np

from ._passes import Passes


def joint_starts(passes: Passes, K: int, seed: int, max_memory: int, progress):
    """The joint model's segmentation of the corpus behind ``passes`` as the arguments of
    :meth:`Passes.count_pieces`: ``(joined_fn, chunks)``, ``chunks`` None for the corpus's own
    chunks, or, when the joint model trained on a sample of the runs (see
    :func:`nlpzero.joint.joint_sample_chars`), the sample's. A corpus too small for the joint
    model (warned by :func:`nlpzero._joint_learn.joint_inputs`) gives nVBE's segmentation."""
    from . import _discover
    from ._joint_learn import joint_inputs, joint_refine
    from .nvbe import nvbe_scores
    from .unsupervised import _Model

    score, offset = nvbe_scores(passes.index, K, 0.0, passes.levels)
    model = _Model(passes.index, score, offset, K, -1e3, passes.normalize, "nvbe")
    inputs = joint_inputs(passes, model, max_memory)
    if inputs is None:                            # too small: nVBE's own segmentation (warned)
        def nvbe_joined(sym, ids):
            st = _discover.best_path(sym, np.ascontiguousarray(ids[:K]), model.score, model.offset,
                                     model.unknown)
            return _joined(sym, st.astype(bool))

        return nvbe_joined, None
    refined = joint_refine(inputs, K, seed, progress, long_words=True)
    flags = refined.starts.astype(bool)
    if inputs.sampled:
        pending = []

        def sample_chunks():
            for joined, sym, ids in _sample_chunks(passes, inputs, flags):
                pending.append(joined)
                yield None, sym, None, None, ids

        return lambda sym, ids: pending.pop(0), sample_chunks()
    sizes = iter([s.size for s in inputs.chunk_starts])
    at = [0]

    def joint_joined(sym, ids):
        n = next(sizes)
        ws = np.zeros(sym.size, dtype=bool)
        ws[sym >= 0] = flags[at[0] : at[0] + n]
        at[0] += n
        return _joined(sym, ws)

    return joint_joined, None


def _joined(sym: np.ndarray, word_start: np.ndarray) -> np.ndarray:
    """Joined-to-the-next flag per symbol from word-start flags (False at run ends)."""
    out = np.zeros(sym.size, dtype=bool)
    out[:-1] = (sym[:-1] >= 0) & (sym[1:] >= 0) & ~word_start[1:]
    return out


def _sample_chunks(passes: Passes, inputs, flags: np.ndarray, block: int = 1 << 20):
    """The joint model's training sample as ``(joined, sym, ids)`` blocks of whole runs (a
    separator after each run), its n-gram ids looked up in the corpus's counts."""
    from ._joint_learn import _with_separators

    off = inputs.off
    r0 = 0
    n_runs = off.size - 1
    while r0 < n_runs:
        r1 = int(np.searchsorted(off, off[r0] + block, side="right")) - 1
        r1 = min(max(r1, r0 + 1), n_runs)
        lo, hi = off[r0], off[r1]
        sub_off = off[r0 : r1 + 1] - lo
        sym, ws = _with_separators(inputs.sym[lo:hi], sub_off, flags[lo:hi])
        codes = np.where(sym >= 0, passes.chars[np.maximum(sym, 0)], 0).astype(np.uint32)
        ids = passes.index.ids(codes)
        yield _joined(ids[0], ws.astype(bool)), ids[0], ids
        r0 = r1


def word_prior(per_order: list, K: int) -> tuple[float, np.ndarray, float]:
    """``(alpha0, log p_len by length - 1, log(N + alpha0))`` of the Dirichlet-process unigram
    over the token counts ``per_order`` of the segmentation (orders 1..K)."""
    from .joint import ewens_alpha

    n_tok = float(sum(int(c.sum()) for c in per_order))
    types = np.array([int((c > 0).sum()) for c in per_order], dtype=np.float64)
    n_types = float(types.sum())
    alpha0 = ewens_alpha(int(n_tok), int(n_types))
    lplen = np.log((types + 1.0) / (n_types + K))           # p_len, add-one over lengths 1..K
    return alpha0, lplen, math.log(n_tok + alpha0)


def split_gain(logp1, k: int):
    """``logp1(0, k)`` minus the best split of the word into at least two parts, by dynamic
    programming over ``logp1(i, j)`` (log P1 of symbols i..j; scalars or arrays per word)."""
    best = [0.0] + [-math.inf] * k
    for j in range(1, k + 1):
        for i in range(j):
            if i == 0 and j == k:
                continue                                       # the word itself is no split
            best[j] = np.maximum(best[j], best[i] + logp1(i, j))
    return logp1(0, k) - best[k]


def gains(passes: Passes, K: int, per_order: list, ids_by_order: dict) -> dict:
    """Description-length gain (see the module docstring) of the words ``ids_by_order[k]``
    (order-k ids, k ≥ 2) given the token counts ``per_order`` of the whole segmentation;
    returns ``{k: gain array}``."""
    alpha0, lplen, denom = word_prior(per_order, K)
    c1 = passes.levels[0][0].astype(np.float64)
    lpsym = np.log(np.maximum(c1, 0.5) / c1.sum())
    out = {}
    for k, ids in ids_by_order.items():
        if not ids.size:
            out[k] = np.zeros(0)
            continue
        sy = passes.symbols_of(k, ids)                         # (n, k) order-1 ids
        csum = np.zeros((ids.size, k + 1))
        csum[:, 1:] = np.cumsum(lpsym[sy], axis=1)

        def logp1(i, j, k=k, ids=ids, csum=csum):              # log P1 of w[i:j], per word
            sub = passes.suffix_ids(j, passes.prefix_ids(k, ids, j), i)
            n = per_order[j - i - 1][sub].astype(np.float64)
            log_p0 = lplen[j - i - 1] + csum[:, j] - csum[:, i]
            return np.logaddexp(np.log(np.maximum(n, 1e-300)), math.log(alpha0) + log_p0) - denom

        n_w = per_order[k - 1][ids].astype(np.float64)
        out[k] = n_w * split_gain(logp1, k)
    return out
