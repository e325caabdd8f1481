# Kernels of word discovery and unsupervised segmentation over dense n-gram ids.
#
# The statistics come from the one n-gram counter (_ngram.NgramTable read through
# _ngram.NgramView): every n-gram of orders 1..K has a dense id per order with its count and
# prefix/suffix links, and every position of a chunk knows the id of each n-gram starting there.
# So segmentation needs no trie (the score of the word starting at i with length k is one array
# read) and the branching entropies are sums grouped by the links.
#
# No policy here: nlpzero/discovery.py and nlpzero/nvbe.py choose orders, scores and thresholds.
from libc.stdint cimport uint8_t, int32_t, int64_t
from libc.stdlib cimport malloc, free
from libc.math cimport INFINITY, log

import numpy as np
cimport numpy as cnp

cnp.import_array()


def best_path(const int32_t[::1] sym, const int32_t[:, ::1] ids, const double[::1] score,
              const int64_t[::1] offset, double unknown):
    """Maximum-score segmentation of every run by dynamic programming.

    The word of order k starting at i scores ``score[offset[k-1] + ids[k-1, i]]`` (``offset``
    has K + 1 entries: order k owns ``score[offset[k-1]:offset[k]]``); a single symbol without a
    score scores ``unknown``; longer n-grams without one are not words. Returns ``starts`` (uint8, 1 where a word begins; separators get 0).
    """
    cdef Py_ssize_t m = sym.shape[0], i, j, r0, r1, t
    cdef int K = ids.shape[0], k
    starts_a = np.zeros(m, dtype=np.uint8)
    cdef uint8_t[::1] starts = starts_a
    cdef double* best = <double*>malloc((m + 1) * sizeof(double))
    cdef int32_t* back = <int32_t*>malloc((m + 1) * sizeof(int32_t))
    cdef double v, b
    cdef int bk
    cdef int32_t w
    if best == NULL or back == NULL:
        free(best)
        free(back)
        raise MemoryError()
    try:
        r0 = 0
        while r0 < m:
            if sym[r0] < 0:
                r0 += 1
                continue
            r1 = r0
            while r1 < m and sym[r1] >= 0:
                r1 += 1
            # run is sym[r0:r1]; best[j] = best score of sym[r0:j]
            best[r0] = 0.0
            for j in range(r0 + 1, r1 + 1):
                b = -INFINITY
                bk = 1
                for k in range(1, K + 1):
                    i = j - k
                    if i < r0:
                        break
                    w = ids[k - 1, i]
                    if w >= 0 and offset[k - 1] + w < offset[k]:
                        v = best[i] + score[offset[k - 1] + w]
                    elif k == 1:
                        v = best[i] + unknown
                    else:
                        continue
                    if v > b:
                        b = v
                        bk = k
                best[j] = b
                back[j] = bk
            t = r1
            while t > r0:
                t -= back[t]
                starts[t] = 1
            r0 = r1
    finally:
        free(best)
        free(back)
    return starts_a


def extension_sums(const int64_t[::1] next_count, const int32_t[::1] next_prefix,
                   const int32_t[::1] next_suffix, Py_ssize_t n):
    """For the n strings of one order: ``Σ c(y) log c(y)`` over their one-symbol extensions y to
    the right (grouped by ``next_prefix``) and to the left (by ``next_suffix``). Returns
    (right, left) float64 arrays of length n."""
    right_a = np.zeros(n, dtype=np.float64)
    left_a = np.zeros(n, dtype=np.float64)
    cdef double[::1] right = right_a
    cdef double[::1] left = left_a
    cdef Py_ssize_t i
    cdef double c, v
    for i in range(next_count.shape[0]):
        c = <double>next_count[i]
        if c > 1:
            v = c * log(c)
            right[next_prefix[i]] += v
            left[next_suffix[i]] += v
    return right_a, left_a
