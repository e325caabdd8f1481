# Kernels for word discovery and unsupervised segmentation (SPEC §2-§4).
#
# NgramIndex gives every distinct n-gram of orders 1..max_n a dense id *per order*: the n-gram at
# position i of order k is the pair (id of the (k-1)-gram at i, symbol at i+k-1), looked up in
# one open-addressing hash table per order. With dense ids, the statistics of discovery become
# flat arrays indexed by id (counts, the id of the prefix w[:-1] and of the suffix w[1:]), and
# every position of a chunk knows the id of each n-gram starting there, so segmentation needs no
# trie: the score of the word starting at i with length k is one array read.
#
# Text enters as symbols: code points mapped to dense symbol ids (normalised on the fly), one
# separator (-1) after every run of word characters. Optionally each maximal ASCII letter/digit
# stretch becomes one symbol (DIGITS when it has only digits, LATIN otherwise), so a number is
# never split and statistics see "<number>年" as one two-symbol string.
#
# No policy here: nlpzero/discovery.py and nlpzero/nvbe.py choose orders, scores and thresholds.
cimport cython
from libc.stdint cimport uint8_t, uint32_t, int32_t, int64_t, uint64_t
from libc.stdlib cimport calloc, malloc, realloc, free
from libc.string cimport memcpy, memset
from libc.math cimport INFINITY, log

import numpy as np
cimport numpy as cnp

from _textmodel cimport is_word_char, normalize_char, is_ascii_alnum

cnp.import_array()

from _native cimport nz_prefetch

cdef enum:
    PREFETCH = 32          # hash probes in flight
    MAX_LEVEL = 16
    N_CODES = 0x110000
    SYM_BITS = 21

#: symbol ids of collapsed ASCII stretches
DIGITS = 0
LATIN = 1
cdef int32_t N_RESERVED = 2


ctypedef struct Level:
    uint64_t* keys       # 0 = empty; else (prefix id + 1) << 21 | symbol
    int32_t* vals        # n-gram id stored at that slot
    uint64_t cap         # slots (power of two)
    uint64_t n           # distinct n-grams (= next id)
    uint64_t alloc       # allocated length of the per-id arrays
    int64_t* count
    int32_t* prefix      # id (order k-1) of w[:-1]
    int32_t* suffix      # id (order k-1) of w[1:]


cdef inline uint64_t mix(uint64_t key) noexcept nogil:
    key ^= key >> 31
    key *= <uint64_t>0x9E3779B97F4A7C15
    key ^= key >> 29
    return key


@cython.final
cdef class NgramIndex:
    """Dense ids, counts and prefix/suffix links of the n-grams of orders 1..max_n.

    Parameters
    ----------
    max_n : int
        Highest order (1..16).
    collapse_ascii : bool
        Map each maximal ASCII letter/digit stretch to one symbol (DIGITS or LATIN).
    """
    cdef Level levels[MAX_LEVEL + 1]   # levels[1] keeps counts only; ids of order 1 = symbols
    cdef int32_t* amap                 # code point -> symbol id, -1 unseen
    cdef uint32_t* cps                 # symbol id -> code point
    cdef uint64_t n_sym, sym_alloc
    cdef readonly int max_n
    cdef readonly bint collapse_ascii
    cdef readonly int64_t n_symbols    # symbol occurrences fed (N)

    def __cinit__(self, int max_n, bint collapse_ascii=False):
        if max_n < 1 or max_n > MAX_LEVEL:
            raise ValueError(f"max_n must be in [1, {MAX_LEVEL}], got {max_n}")
        self.max_n = max_n
        self.collapse_ascii = collapse_ascii
        memset(self.levels, 0, sizeof(self.levels))
        self.amap = <int32_t*>malloc(N_CODES * sizeof(int32_t))
        self.sym_alloc = 1024
        self.cps = <uint32_t*>malloc(self.sym_alloc * sizeof(uint32_t))
        self.levels[1].count = <int64_t*>calloc(self.sym_alloc, sizeof(int64_t))
        if self.amap == NULL or self.cps == NULL or self.levels[1].count == NULL:
            raise MemoryError()
        memset(self.amap, 0xFF, N_CODES * sizeof(int32_t))
        self.cps[DIGITS] = 0x30
        self.cps[LATIN] = 0x41
        self.n_sym = N_RESERVED
        cdef int k
        for k in range(2, max_n + 1):
            self._alloc_level(k, 1 << 12)

    def __dealloc__(self):
        free(self.amap)
        free(self.cps)
        cdef int k
        for k in range(1, MAX_LEVEL + 1):
            free(self.levels[k].keys)
            free(self.levels[k].vals)
            free(self.levels[k].count)
            free(self.levels[k].prefix)
            free(self.levels[k].suffix)

    cdef int _alloc_level(self, int k, uint64_t cap) except -1:
        cdef Level* L = &self.levels[k]
        L.keys = <uint64_t*>calloc(cap, sizeof(uint64_t))
        L.vals = <int32_t*>malloc(cap * sizeof(int32_t))
        L.cap = cap
        L.alloc = cap // 2
        L.count = <int64_t*>calloc(L.alloc, sizeof(int64_t))
        L.prefix = <int32_t*>malloc(L.alloc * sizeof(int32_t))
        L.suffix = <int32_t*>malloc(L.alloc * sizeof(int32_t))
        if not (L.keys and L.vals and L.count and L.prefix and L.suffix):
            raise MemoryError()
        return 0

    cdef int _grow_level(self, int k, uint64_t new_cap) except -1:
        # enlarge the hash table to new_cap slots (a power of two; rehash) and the per-id arrays
        cdef Level* L = &self.levels[k]
        cdef uint64_t old_cap = L.cap, i, j, mask = new_cap - 1
        cdef uint64_t* keys = <uint64_t*>calloc(new_cap, sizeof(uint64_t))
        cdef int32_t* vals = <int32_t*>malloc(new_cap * sizeof(int32_t))
        if keys == NULL or vals == NULL:
            free(keys)
            free(vals)
            raise MemoryError()
        for i in range(old_cap):
            if L.keys[i]:
                j = mix(L.keys[i]) & mask
                while keys[j]:
                    j = (j + 1) & mask
                keys[j] = L.keys[i]
                vals[j] = L.vals[i]
        free(L.keys)
        free(L.vals)
        L.keys = keys
        L.vals = vals
        L.cap = new_cap
        cdef uint64_t new_alloc = new_cap // 2
        cdef int64_t* count = <int64_t*>realloc(L.count, new_alloc * sizeof(int64_t))
        if count == NULL:
            raise MemoryError()
        memset(count + L.alloc, 0, (new_alloc - L.alloc) * sizeof(int64_t))
        L.count = count
        cdef int32_t* p = <int32_t*>realloc(L.prefix, new_alloc * sizeof(int32_t))
        if p == NULL:
            raise MemoryError()
        L.prefix = p
        p = <int32_t*>realloc(L.suffix, new_alloc * sizeof(int32_t))
        if p == NULL:
            raise MemoryError()
        L.suffix = p
        L.alloc = new_alloc
        return 0

    cdef int32_t _symbol(self, uint32_t c) except -2:
        cdef int32_t s = self.amap[c]
        if s >= 0:
            return s
        if self.n_sym == self.sym_alloc:
            self.sym_alloc *= 2
            self.cps = <uint32_t*>realloc(self.cps, self.sym_alloc * sizeof(uint32_t))
            self.levels[1].count = <int64_t*>realloc(self.levels[1].count, self.sym_alloc * sizeof(int64_t))
            if self.cps == NULL or self.levels[1].count == NULL:
                raise MemoryError()
            memset(self.levels[1].count + self.n_sym, 0, (self.sym_alloc - self.n_sym) * sizeof(int64_t))
        s = <int32_t>self.n_sym
        self.amap[c] = s
        self.cps[s] = c
        self.n_sym += 1
        return s

    def encode(self, const uint32_t[::1] codes, bint normalize=True):
        """Symbols of a text chunk that ends at a line end.

        Returns ``sym`` (int32, -1 = separator after each run), ``start`` and ``end`` (int64,
        the span of each symbol in ``codes``; a separator spans the boundary characters up to
        the next word character).
        """
        cdef Py_ssize_t n = codes.shape[0], i = 0, j, m = 0
        sym_a = np.empty(n + 1, dtype=np.int32)
        start_a = np.empty(n + 1, dtype=np.int64)
        end_a = np.empty(n + 1, dtype=np.int64)
        cdef int32_t[::1] sym = sym_a
        cdef int64_t[::1] start = start_a
        cdef int64_t[::1] end = end_a
        cdef uint32_t c
        cdef bint digits
        while i < n:
            c = codes[i]
            if normalize:
                c = normalize_char(c)
            if not is_word_char(c):
                j = i + 1
                while j < n:
                    c = normalize_char(codes[j]) if normalize else codes[j]
                    if is_word_char(c):
                        break
                    j += 1
                if m > 0 and sym[m - 1] >= 0:
                    sym[m] = -1
                    start[m] = i
                    end[m] = j
                    m += 1
                elif m > 0:
                    end[m - 1] = j
                i = j
                continue
            if self.collapse_ascii and is_ascii_alnum(c):
                digits = True
                j = i
                while j < n:
                    c = normalize_char(codes[j]) if normalize else codes[j]
                    if not is_ascii_alnum(c):
                        break
                    if c > 57:
                        digits = False
                    j += 1
                sym[m] = DIGITS if digits else LATIN
                start[m] = i
                end[m] = j
                m += 1
                i = j
                continue
            sym[m] = self._symbol(c)
            start[m] = i
            end[m] = i + 1
            m += 1
            i += 1
        if m > 0 and sym[m - 1] >= 0:
            sym[m] = -1
            start[m] = n
            end[m] = n
            m += 1
        return sym_a[:m], start_a[:m], end_a[:m]

    def feed(self, const int32_t[::1] sym, bint add=True):
        """N-gram ids of every position: ``ids[k-1, i]`` is the id of the order-k n-gram at ``i``
        (-1 when it crosses a separator or, with ``add=False``, was never counted). With
        ``add=True`` the n-grams are counted (new ones get new ids)."""
        cdef Py_ssize_t m = sym.shape[0], i
        cdef int k, K = self.max_n
        ids_a = np.full((K, m), -1, dtype=np.int32)
        cdef int32_t[:, ::1] ids = ids_a
        cdef int64_t* c1 = self.levels[1].count
        cdef int32_t s, cur
        for i in range(m):
            s = sym[i]
            ids[0, i] = s
            if s >= 0 and add:
                c1[s] += 1
                self.n_symbols += 1
            if s >= 0 and <uint64_t>s >= self.n_sym:
                raise ValueError("symbol id out of range")
        cdef Level* L
        cdef uint64_t key, j, mask
        cdef int32_t v
        cdef Py_ssize_t b0, b1
        cdef uint64_t keys[PREFETCH]
        for k in range(2, K + 1):
            L = &self.levels[k]
            for b0 in range(0, m - k + 1, PREFETCH):
                b1 = min(b0 + PREFETCH, m - k + 1)
                if add and (L.n + PREFETCH) * 2 > L.cap:
                    self._grow_level(k, L.cap * 2)
                mask = L.cap - 1
                # compute this block's keys and prefetch their home slots: the probes are
                # independent, so their cache misses overlap
                for i in range(b0, b1):
                    cur = ids[k - 2, i]
                    s = sym[i + k - 1]
                    if cur < 0 or s < 0:
                        keys[i - b0] = 0
                        continue
                    key = ((<uint64_t>cur + 1) << SYM_BITS) | <uint64_t>s
                    keys[i - b0] = key
                    j = mix(key) & mask
                    nz_prefetch(&L.keys[j])
                    nz_prefetch(&L.vals[j])
                for i in range(b0, b1):
                    key = keys[i - b0]
                    if key == 0:
                        continue
                    j = mix(key) & mask
                    while L.keys[j] and L.keys[j] != key:
                        j = (j + 1) & mask
                    if L.keys[j]:
                        v = L.vals[j]
                    elif add:
                        v = <int32_t>L.n
                        L.n += 1
                        L.keys[j] = key
                        L.vals[j] = v
                        L.prefix[v] = ids[k - 2, i]
                        L.suffix[v] = ids[k - 2, i + 1]
                    else:
                        continue
                    ids[k - 1, i] = v
                    if add:
                        L.count[v] += 1
        return ids_a

    def reserve(self, double factor, int64_t limit=1 << 21):
        """Size each order's table for ``factor`` times the n-grams it holds now (at most
        ``limit`` n-grams; never shrinks), in one rehash: a caller's hint that about this much
        more text is coming, so that the table does not double its way up (each doubling
        rehashes everything into fresh memory). Ids and counts are unchanged."""
        cdef int k
        cdef Level* L
        cdef uint64_t want, cap
        for k in range(2, self.max_n + 1):
            L = &self.levels[k]
            want = <uint64_t>min(<double>limit, L.n * factor)
            cap = L.cap
            while (want + PREFETCH) * 2 > cap:
                cap *= 2
            if cap > L.cap:
                self._grow_level(k, cap)

    def symbols(self, const uint32_t[::1] codes):
        """Symbol id of each code point (-1 for unseen ones); no normalisation."""
        out = np.empty(codes.shape[0], dtype=np.int32)
        cdef int32_t[::1] o = out
        cdef Py_ssize_t i
        for i in range(codes.shape[0]):
            o[i] = self.amap[codes[i]] if codes[i] < N_CODES else -1
        return out

    def level(self, int k):
        """Copies of (count int64, prefix int32, suffix int32) for order ``k`` (prefix/suffix
        are -1 for order 1)."""
        if k < 1 or k > self.max_n:
            raise ValueError(f"order must be in [1, {self.max_n}], got {k}")
        cdef Level* L = &self.levels[k]
        cdef uint64_t n = self.n_sym if k == 1 else L.n
        count = np.empty(n, dtype=np.int64)
        if n:
            memcpy(cnp.PyArray_DATA(count), L.count, n * sizeof(int64_t))
        if k == 1:
            return count, np.full(n, -1, dtype=np.int32), np.full(n, -1, dtype=np.int32)
        prefix = np.empty(n, dtype=np.int32)
        suffix = np.empty(n, dtype=np.int32)
        if n:
            memcpy(cnp.PyArray_DATA(prefix), L.prefix, n * sizeof(int32_t))
            memcpy(cnp.PyArray_DATA(suffix), L.suffix, n * sizeof(int32_t))
        return count, prefix, suffix

    def chars(self):
        """Code point of each symbol id (uint32); DIGITS and LATIN hold '0' and 'A'."""
        out = np.empty(self.n_sym, dtype=np.uint32)
        cdef uint32_t[::1] o = out
        cdef uint64_t i
        for i in range(self.n_sym):
            o[i] = self.cps[i]
        return out

    @property
    def nbytes(self):
        cdef uint64_t total = N_CODES * 4 + self.sym_alloc * 12
        cdef int k
        for k in range(2, self.max_n + 1):
            total += self.levels[k].cap * 12 + self.levels[k].alloc * 16
        return total


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
