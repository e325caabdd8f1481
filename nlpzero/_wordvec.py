"""The stages of word vectors and word classes (an internal seam).

:func:`nlpzero.word_vectors` is :func:`vocabulary` → :func:`cooccurrence` (window pairs, counted
in bounded buffers) → :func:`ppmi` (shifted positive PMI with context smoothing, CSR) →
:func:`truncated_svd` (exact below :data:`DENSE_SVD_MAX` words, else randomized);
:func:`nlpzero.cluster_words` links each word to its nearest ones with :func:`knn_graph`. Not
part of ``nlpzero.*``: documented so tests can check each stage against a slow reference
(``tests/reference/vectors.py``), and stable enough that they need no private names.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .corpus import TokenCorpus

__all__ = [
    "DENSE_SVD_MAX",
    "ID_BUFFER",
    "PAIR_BUFFER",
    "cooccurrence",
    "knn_graph",
    "ppmi",
    "truncated_svd",
    "unit_rows",
    "vocabulary",
]

#: Below this vocabulary size the SVD is exact (numpy.linalg.svd of the dense matrix).
DENSE_SVD_MAX = 1200
#: Pair keys buffered before they are merged into the running counts (bounds memory).
PAIR_BUFFER = 1 << 23
#: Token ids buffered before their pairs are formed.
ID_BUFFER = 1 << 16


def vocabulary(corpus: TokenCorpus, min_count: int, max_vocab: int | None) -> tuple[list[str], np.ndarray]:
    counts: Counter = Counter()
    for sent in corpus:
        counts.update(sent)
    items = [(w, c) for w, c in counts.items() if c >= min_count]
    items.sort(key=lambda wc: (-wc[1], wc[0]))
    if max_vocab is not None:
        items = items[:max_vocab]
    return [w for w, _ in items], np.array([c for _, c in items], dtype=np.int64)


def cooccurrence(corpus: TokenCorpus, index: dict[str, int], window: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted unique keys ``a * V + b`` and their counts (pairs within ``window``, both ways)."""
    from . import _vectors_core as core

    V = len(index)
    gap = [-1] * window
    keys_acc = np.zeros(0, np.int64)
    cnt_acc = np.zeros(0, np.int64)
    buf: list[int] = []
    pending: list[np.ndarray] = []
    pending_size = 0

    def flush_ids():
        nonlocal pending_size
        if buf:
            left, right = core.window_pairs(np.array(buf, dtype=np.int64), window)
            pending.append(left * V + right)
            pending_size += left.shape[0]
            buf.clear()

    def merge():
        nonlocal keys_acc, cnt_acc, pending_size
        if not pending:
            return
        keys, cnt = np.unique(np.concatenate(pending), return_counts=True)
        pending.clear()
        pending_size = 0
        if keys_acc.size:
            both = np.concatenate([keys_acc, keys])
            keys_acc, inv = np.unique(both, return_inverse=True)
            cnt_acc = np.bincount(inv.ravel(), np.concatenate([cnt_acc, cnt]).astype(np.float64)).astype(np.int64)
        else:
            keys_acc, cnt_acc = keys, cnt.astype(np.int64)

    for sent in corpus:
        buf.extend(index.get(tok, -1) for tok in sent)
        buf.extend(gap)
        if len(buf) >= ID_BUFFER:
            flush_ids()
            if pending_size >= PAIR_BUFFER:
                merge()
    flush_ids()
    merge()
    return keys_acc, cnt_acc


def ppmi(keys: np.ndarray, counts: np.ndarray, V: int, shift: float, alpha: float):
    """CSR (ptr, idx, val) of max(PMI − log shift, 0) with context smoothing ``alpha``."""
    rows = keys // V
    cols = keys % V
    c = counts.astype(np.float64)
    total = c.sum()
    row_sum = np.bincount(rows, c, V)
    col_sum = np.bincount(cols, c, V)
    col_p = col_sum**alpha
    col_p /= col_p.sum()
    pmi = np.log(c / total) - np.log(row_sum[rows] / total) - np.log(col_p[cols]) - math.log(shift)
    keep = pmi > 0
    rows, cols, pmi = rows[keep], cols[keep], pmi[keep]
    ptr = np.zeros(V + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=V), out=ptr[1:])
    return ptr, cols.astype(np.int64), pmi  # keys were sorted, so rows are grouped in order


def _transpose_csr(ptr, idx, val, n_cols):
    rows = np.repeat(np.arange(ptr.shape[0] - 1), np.diff(ptr))
    order = np.lexsort((rows, idx))
    tptr = np.zeros(n_cols + 1, np.int64)
    np.cumsum(np.bincount(idx, minlength=n_cols), out=tptr[1:])
    return tptr, rows[order].astype(np.int64), val[order]


def _svd_flip(u: np.ndarray, vt: np.ndarray):
    """Deterministic signs: the largest-magnitude entry of each left singular vector is positive."""
    big = np.argmax(np.abs(u), axis=0)
    signs = np.sign(u[big, np.arange(u.shape[1])])
    signs[signs == 0] = 1.0
    return u * signs, vt * signs[:, None]


def truncated_svd(ptr, idx, val, n: int, dim: int, seed: int, n_iter: int = 6, oversample: int = 20):
    """Top ``dim`` singular triplets of the n x n CSR matrix."""
    if n <= DENSE_SVD_MAX:
        dense = np.zeros((n, n))
        rows = np.repeat(np.arange(n), np.diff(ptr))
        dense[rows, idx] = val
        u, s, vt = np.linalg.svd(dense)
        u, vt = _svd_flip(u[:, :dim], vt[:dim])
        return u, s[:dim], vt
    from . import _vectors_core as core

    tptr, tidx, tval = _transpose_csr(ptr, idx, val, n)
    rng = np.random.default_rng(seed)
    width = min(n, dim + oversample)
    q, _ = np.linalg.qr(core.csr_matmul(ptr, idx, val, rng.standard_normal((n, width))))
    for _ in range(n_iter):
        z, _ = np.linalg.qr(core.csr_matmul(tptr, tidx, tval, np.ascontiguousarray(q)))
        q, _ = np.linalg.qr(core.csr_matmul(ptr, idx, val, np.ascontiguousarray(z)))
    b = core.csr_matmul(tptr, tidx, tval, np.ascontiguousarray(q)).T  # width x n = Q^T M
    ub, s, vt = np.linalg.svd(b, full_matrices=False)
    u, vt = _svd_flip((q @ ub)[:, :dim], vt[:dim])
    return u, s[:dim], vt




def unit_rows(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x, dtype=np.float64), where=norms > 0)


def knn_graph(vectors: np.ndarray, k: int, block: int = 512):
    """Undirected kNN cosine graph: (src, dst, similarity) with src < dst, positive similarities."""
    unit = unit_rows(np.asarray(vectors, dtype=np.float64))
    n = unit.shape[0]
    k = min(k, n - 1)
    src_parts, dst_parts, w_parts = [], [], []
    for start in range(0, n, block):
        sims = unit[start : start + block] @ unit.T
        rows = np.arange(sims.shape[0])
        sims[rows, start + rows] = -np.inf
        # top k by similarity, ties by lower index (stable sort of the candidate set)
        cand = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < n - 1 else np.argsort(-sims, axis=1)[:, :k]
        kth = np.take_along_axis(sims, cand, axis=1).min(axis=1, keepdims=True)
        for r in range(sims.shape[0]):
            # everything strictly above the k-th value, then the lowest indices at that value
            above = np.flatnonzero(sims[r] > kth[r])
            at = np.flatnonzero(sims[r] == kth[r])[: k - above.size]
            nb = np.concatenate([above, at])
            src_parts.append(np.full(nb.size, start + r, np.int64))
            dst_parts.append(nb.astype(np.int64))
            w_parts.append(sims[r, nb])
    src = np.concatenate(src_parts) if src_parts else np.zeros(0, np.int64)
    dst = np.concatenate(dst_parts) if dst_parts else np.zeros(0, np.int64)
    w = np.concatenate(w_parts) if w_parts else np.zeros(0)
    keep = w > 0
    src, dst, w = src[keep], dst[keep], w[keep]
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    keys, first = np.unique(lo * n + hi, return_index=True)  # a mutual pair is one edge
    return keys // n, keys % n, w[first]
