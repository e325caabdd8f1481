"""Numba kernels for word vectors (private; see :mod:`nlpzero.vectors`). Arrays in, arrays out.

No BLAS inside (numba's ``np.dot`` would need scipy); dense products stay in numpy.
"""
import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def csr_matmul(ptr, idx, val, x):
    """``M @ x`` for a CSR matrix M (rows = ptr.size - 1) and a dense C-contiguous x (n, cols)."""
    rows = ptr.shape[0] - 1
    cols = x.shape[1]
    out = np.zeros((rows, cols))
    for r in range(rows):
        for e in range(ptr[r], ptr[r + 1]):
            c = idx[e]
            v = val[e]
            for t in range(cols):
                out[r, t] += v * x[c, t]
    return out


@njit(cache=True)
def window_pairs(ids, window):
    """(left, right) word ids of every co-occurrence within ``window`` tokens, both ways.

    ``ids`` is a stream of word ids where negative ids are gaps (unknown words, and sentence
    breaks padded to ``window``); each pair at distance 1..window yields (a, b) and (b, a).
    """
    n = ids.shape[0]
    count = 0
    for i in range(n):
        if ids[i] < 0:
            continue
        for d in range(1, window + 1):
            j = i + d
            if j >= n:
                break
            if ids[j] >= 0:
                count += 1
    left = np.empty(2 * count, np.int64)
    right = np.empty(2 * count, np.int64)
    pos = 0
    for i in range(n):
        a = ids[i]
        if a < 0:
            continue
        for d in range(1, window + 1):
            j = i + d
            if j >= n:
                break
            b = ids[j]
            if b >= 0:
                left[pos] = a
                right[pos] = b
                left[pos + 1] = b
                right[pos + 1] = a
                pos += 2
    return left, right
