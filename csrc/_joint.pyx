# Kernels of the joint segmentation model (nlpzero/joint.py): arrays in, arrays out.
#
# Runs are given as one int32 array of symbol ids (every run concatenated) and int64 offsets
# (run r is sym[off[r]:off[r+1]]). Nothing here reads text except `encode`, and no n-gram table
# of another module is used: word identities come from `intern_words`, a hash table of the
# symbol strings of length <= L that occur in the runs.
#
# - intern_words: id of every substring of length <= L (cand[i, k-1] = id of sym[i:i+k]).
# - ICM: word counts, a hash map of word bigram counts and the current boundaries; `sweep`
#   re-segments each run (in the given order) by the best path under the product of the
#   Dirichlet-process bigram-over-unigram word model and the character position model, with the
#   run's own words removed from the counts first (iterated conditional modes).
# - perceptron_epoch / viterbi: the averaged structured perceptron over B/M/E/S tags with hashed
#   character window features and legal-transition Viterbi.
# - encode: code points -> per-symbol feature codes (an ASCII letter/digit stretch is one
#   symbol), the same text model as the n-gram counter.
#
# Everything is deterministic: the only randomness is the run order, passed in by the caller.
cimport cython
from libc.stdint cimport uint8_t, int8_t, uint32_t, uint64_t, int32_t, int64_t
from libc.math cimport log, exp, INFINITY
from libc.stdlib cimport malloc, calloc, realloc, free
from libc.string cimport memset

import numpy as np
cimport numpy as cnp

from _textmodel cimport is_word_char, normalize_char, is_ascii_alnum
from _utf8 cimport put_utf8
from _native cimport nz_alloc_table, nz_free_table, nz_prefetch_r

cnp.import_array()

# feature codes of the collapsed ASCII stretches and of the padding outside a run (all < 2**21)
DIGITS_CODE = 0x110000
LATIN_CODE = 0x110001
cdef uint32_t PAD_LEFT = 0x110002
cdef uint32_t PAD_RIGHT = 0x110003

# tags
cdef enum:
    TB = 0
    TM = 1
    TE = 2
    TS = 3
    START = 4
TAG_B, TAG_M, TAG_E, TAG_S = TB, TM, TE, TS
N_TEMPLATES = 10

cdef uint64_t EMPTY = <uint64_t>0xFFFFFFFFFFFFFFFF
cdef enum:
    N_LOG = 4096     # log(n + alpha1) is tabulated for counts below this (32 KB)
    HB_RUN = 4096    # runs up to this length keep their pair hashes from the prefetch for the DP


cdef inline uint64_t mix(uint64_t key) noexcept nogil:
    key ^= key >> 31
    key *= <uint64_t>0x9E3779B97F4A7C15
    key ^= key >> 29
    key *= <uint64_t>0xBF58476D1CE4E5B9
    key ^= key >> 32
    return key


# ---------------------------------------------------------------------- text -> symbols
def encode(const uint32_t[::1] codes, bint normalize=True):
    """Feature code of each symbol of a text chunk, and its span.

    Returns ``feat`` (int32; -1 = one separator after each run), ``start``, ``end`` (int64 spans
    in ``codes``). A symbol is a word character (its code point, normalised), or a maximal
    stretch of ASCII letters/digits (``DIGITS_CODE`` if only digits, else ``LATIN_CODE``).
    """
    cdef Py_ssize_t n = codes.shape[0], i = 0, j, m = 0
    feat_a = np.empty(n + 1, dtype=np.int32)
    start_a = np.empty(n + 1, dtype=np.int64)
    end_a = np.empty(n + 1, dtype=np.int64)
    cdef int32_t[::1] feat = feat_a
    cdef int64_t[::1] start = start_a
    cdef int64_t[::1] end = end_a
    cdef uint32_t c
    cdef bint digits
    while i < n:
        c = normalize_char(codes[i]) if normalize else codes[i]
        if not is_word_char(c):
            j = i + 1
            while j < n:
                c = normalize_char(codes[j]) if normalize else codes[j]
                if is_word_char(c):
                    break
                j += 1
            if m > 0 and feat[m - 1] >= 0:
                feat[m] = -1
                start[m] = i
                end[m] = j
                m += 1
            elif m > 0:
                end[m - 1] = j
            i = j
            continue
        if is_ascii_alnum(c):
            digits = True
            j = i
            while j < n:
                c = normalize_char(codes[j]) if normalize else codes[j]
                if not is_ascii_alnum(c):
                    break
                if c > 57:
                    digits = False
                j += 1
            feat[m] = DIGITS_CODE if digits else LATIN_CODE
            start[m] = i
            end[m] = j
            m += 1
            i = j
            continue
        feat[m] = <int32_t>c
        start[m] = i
        end[m] = i + 1
        m += 1
        i += 1
    if m > 0 and feat[m - 1] >= 0:
        feat[m] = -1
        start[m] = n
        end[m] = n
        m += 1
    return feat_a[:m], start_a[:m], end_a[:m]


# ---------------------------------------------------------------------- word ids
cdef void* _grow(void* p, size_t size) except NULL:
    cdef void* q = realloc(p, size)
    if q == NULL:
        raise MemoryError()
    return q


cdef struct IdSlot:
    uint64_t key
    int64_t val


cdef Py_ssize_t _check_runs(const int64_t[::1] off, Py_ssize_t n, bint cover) except -1:
    """Check that run offsets lie within the ``n`` symbols and never go down (with ``cover``,
    that they also start at 0 and end at ``n``); returns the longest run's length (at least 1)."""
    cdef Py_ssize_t r, longest = 1
    if off.shape[0] == 0 or off[0] < 0 or off[off.shape[0] - 1] > n:
        raise ValueError("run offsets out of range")
    if cover and (off[0] != 0 or off[off.shape[0] - 1] != n):
        raise ValueError("run offsets must start at 0 and end at the number of symbols")
    for r in range(off.shape[0] - 1):
        if off[r + 1] < off[r]:
            raise ValueError("run offsets must not decrease")
        longest = max(longest, off[r + 1] - off[r])
    return longest


def intern_words(const int32_t[::1] sym, const int64_t[::1] off, int L):
    """Ids of every substring of at most ``L`` symbols inside a run.

    Returns ``cand`` (int32, shape (n, L); ``cand[i, k-1]`` is the id of ``sym[i:i+k]``, -1 when
    that crosses the end of its run), ``length`` (int32 per id) and ``first`` (int64 per id:
    position of its first occurrence). Ids are given by length, then by first occurrence, so
    they are deterministic (and the short strings, the frequent words, have the small ids).

    A string of one symbol s has a table of its own (indexed by s); a longer one is keyed
    exactly by (id of the string without its last symbol, last symbol), so equal keys mean
    equal strings and no symbols are compared. The strings of one length are looked up in
    position order, their keys known from the length before: the table slot of a string a few
    positions ahead is asked for while one is looked up (the table is larger than the cache).
    A key names the string's length (that of its prefix id, plus one), so the table holds the
    strings of one length at a time: it is emptied, not freed, between lengths.
    """
    cdef Py_ssize_t n = sym.shape[0], r, i, k, lo, hi, ahead
    cdef Py_ssize_t n_sym = 0
    for i in range(n):
        if sym[i] < 0:
            raise ValueError("symbol ids must be >= 0")
        if sym[i] + 1 > n_sym:
            n_sym = sym[i] + 1
    _check_runs(off, n, False)
    cand_a = np.full((n, max(L, 0)), -1, dtype=np.int32)
    cdef int32_t[:, ::1] cand = cand_a
    single_a = np.full(max(n_sym, 1), -1, dtype=np.int32)
    cdef int32_t[::1] single = single_a
    # 1 where a run starts (and at the end): sym[i:i+k] lies in one run when sym[i:i+k-1] does
    # and position i+k-1 starts none
    run_start_a = np.zeros(n + 1, dtype=np.uint8)
    cdef uint8_t[::1] run_start = run_start_a
    for r in range(off.shape[0]):
        run_start[off[r]] = 1
    cdef uint64_t cap = 1 << 16, mask, slot, key, t, c2
    cdef IdSlot* table = <IdSlot*>nz_alloc_table(cap * sizeof(IdSlot))
    cdef IdSlot* nt
    cdef Py_ssize_t alloc = 1 << 15, n_words = 0, n_tab = 0
    cdef int32_t* wlen = <int32_t*>malloc(alloc * sizeof(int32_t))
    cdef int64_t* wfirst = <int64_t*>malloc(alloc * sizeof(int64_t))
    cdef int32_t v, prev
    if table == NULL or wlen == NULL or wfirst == NULL:
        nz_free_table(table, cap * sizeof(IdSlot))
        free(wlen)
        free(wfirst)
        raise MemoryError()
    for t in range(cap):
        table[t].key = EMPTY
    try:
        for k in range(1, L + 1):
            if k > 2:
                for t in range(cap):
                    table[t].key = EMPTY
                n_tab = 0
            for i in range(n - k + 1):
                if k == 1:
                    if i < off[0] or i >= off[off.shape[0] - 1]:
                        continue
                    v = single[sym[i]]
                else:
                    prev = cand[i, k - 2]
                    if prev < 0 or run_start[i + k - 1]:
                        continue
                    ahead = i + 8
                    if ahead + k <= n and cand[ahead, k - 2] >= 0:
                        nz_prefetch_r(&table[mix((<uint64_t><uint32_t>cand[ahead, k - 2] << 32)
                                                 | <uint64_t><uint32_t>sym[ahead + k - 1]) & (cap - 1)])
                    key = (<uint64_t><uint32_t>prev << 32) | <uint64_t><uint32_t>sym[i + k - 1]
                    mask = cap - 1
                    slot = mix(key) & mask
                    v = -1
                    while table[slot].key != EMPTY:
                        if table[slot].key == key:
                            v = <int32_t>table[slot].val
                            break
                        slot = (slot + 1) & mask
                if v < 0:
                    if n_words == alloc:
                        alloc *= 2
                        wlen = <int32_t*>_grow(wlen, alloc * sizeof(int32_t))
                        wfirst = <int64_t*>_grow(wfirst, alloc * sizeof(int64_t))
                    if n_words >= 0x7FFFFFFF:
                        raise OverflowError("more than 2**31 - 1 distinct strings")
                    v = <int32_t>n_words
                    wlen[v] = <int32_t>k
                    wfirst[v] = i
                    n_words += 1
                    if k == 1:
                        single[sym[i]] = v
                    else:
                        table[slot].key = key
                        table[slot].val = v
                        n_tab += 1
                        if <uint64_t>n_tab * 2 > cap:
                            c2 = cap * 2
                            nt = <IdSlot*>nz_alloc_table(c2 * sizeof(IdSlot))
                            if nt == NULL:
                                raise MemoryError()
                            for t in range(c2):
                                nt[t].key = EMPTY
                            for t in range(cap):
                                if table[t].key != EMPTY:
                                    slot = mix(table[t].key) & (c2 - 1)
                                    while nt[slot].key != EMPTY:
                                        slot = (slot + 1) & (c2 - 1)
                                    nt[slot] = table[t]
                            nz_free_table(table, cap * sizeof(IdSlot))
                            table = nt
                            cap = c2
                cand[i, k - 1] = v
        length_a = np.empty(n_words, dtype=np.int32)
        first_a = np.empty(n_words, dtype=np.int64)
        for t in range(<uint64_t>n_words):
            length_a[t] = wlen[t]
            first_a[t] = wfirst[t]
    finally:
        nz_free_table(table, cap * sizeof(IdSlot))
        free(wlen)
        free(wfirst)
    return cand_a, length_a, first_a


# ---------------------------------------------------------------------- bigram hash map
# One open-addressing table of {key = v << 32 | w, count}: key and count share a slot, so a probe
# is one cache line. Entries are never removed (a count may drop to 0).
#
# Beside it, a bit filter of the keys ever inserted (8 bits per slot, bit = top bits of the key's
# hash): a pair whose bit is clear was never seen, so its count is 0 without probing the table.
# Most pairs the ICM asks about were never seen, and the filter (1/16 of the table's bytes) stays
# in cache where the table does not. Only ever set, so it never hides a key: same counts.
cdef struct Slot:
    uint64_t key
    int64_t val


cdef struct PairMap:
    Slot* slots
    uint64_t cap
    uint64_t n
    uint64_t* seen           # cap * 8 bits
    int seen_shift           # bit of key = mix(key) >> seen_shift


cdef inline int _log2(uint64_t x) noexcept nogil:
    cdef int b = 0
    while (<uint64_t>1 << b) < x:
        b += 1
    return b


cdef int pm_alloc_seen(PairMap* m) except -1:
    """A cleared filter for the current capacity, filled from the table's keys."""
    cdef uint64_t t, bit
    m.seen = <uint64_t*>nz_alloc_table(m.cap)         # cap * 8 bits = cap bytes
    if m.seen == NULL:
        raise MemoryError()
    m.seen_shift = 64 - (_log2(m.cap) + 3)
    for t in range(m.cap):
        if m.slots[t].key != EMPTY:
            bit = mix(m.slots[t].key) >> m.seen_shift
            m.seen[bit >> 6] |= <uint64_t>1 << (bit & 63)
    return 0


cdef int pm_init(PairMap* m, uint64_t cap) except -1:
    cdef uint64_t t
    m.cap = cap
    m.n = 0
    m.seen = NULL
    m.slots = <Slot*>nz_alloc_table(cap * sizeof(Slot))
    if m.slots == NULL:
        raise MemoryError()
    for t in range(cap):
        m.slots[t].key = EMPTY
    pm_alloc_seen(m)
    return 0


cdef inline bint pm_maybe(const PairMap* m, uint64_t h) noexcept nogil:
    """False when the key whose hash is ``h = mix(key)`` was never inserted (then its count is
    0)."""
    cdef uint64_t bit = h >> m.seen_shift
    return (m.seen[bit >> 6] >> (bit & 63)) & 1


cdef inline int32_t pm_get(const PairMap* m, uint64_t key, uint64_t h) noexcept nogil:
    """Count of ``key``, whose hash is ``h = mix(key)``."""
    cdef uint64_t mask = m.cap - 1
    cdef uint64_t slot = h & mask
    while m.slots[slot].key != EMPTY:
        if m.slots[slot].key == key:
            return <int32_t>m.slots[slot].val
        slot = (slot + 1) & mask
    return 0


cdef int pm_add(PairMap* m, uint64_t key, int32_t delta) except -1:
    cdef uint64_t mask = m.cap - 1
    cdef uint64_t slot = mix(key) & mask, t, c2
    cdef Slot* ns
    while m.slots[slot].key != EMPTY:
        if m.slots[slot].key == key:
            m.slots[slot].val += delta
            return 0
        slot = (slot + 1) & mask
    m.slots[slot].key = key
    m.slots[slot].val = delta
    m.n += 1
    t = mix(key) >> m.seen_shift
    m.seen[t >> 6] |= <uint64_t>1 << (t & 63)
    if m.n * 2 > m.cap:
        c2 = m.cap * 2
        ns = <Slot*>nz_alloc_table(c2 * sizeof(Slot))
        if ns == NULL:
            raise MemoryError()
        for t in range(c2):
            ns[t].key = EMPTY
        for t in range(m.cap):
            if m.slots[t].key != EMPTY:
                slot = mix(m.slots[t].key) & (c2 - 1)
                while ns[slot].key != EMPTY:
                    slot = (slot + 1) & (c2 - 1)
                ns[slot] = m.slots[t]
        nz_free_table(m.slots, m.cap * sizeof(Slot))
        nz_free_table(m.seen, m.cap)
        m.seen = NULL
        m.slots = ns
        m.cap = c2
        pm_alloc_seen(m)
    return 0


cdef inline uint64_t _hash(const uint64_t* hb, Py_ssize_t idx, uint64_t key) noexcept nogil:
    """The hash of the pair ``key``: kept in ``hb[idx]`` by the prefetch of its run, or computed
    (``hb`` NULL, or 0 there: that pair was not hashed ahead)."""
    cdef uint64_t h
    if hb != NULL:
        h = hb[idx]
        if h != 0:
            return h
    return mix(key)


cdef _exps(const double[::1] x, Py_ssize_t n):
    """exp of ``x[:n]`` (libm's, element by element) as a new float64 array."""
    out_a = np.empty(max(n, 1), dtype=np.float64)
    cdef double[::1] out = out_a
    cdef Py_ssize_t i
    for i in range(n):
        out[i] = exp(x[i])
    return out_a


# ---------------------------------------------------------------------- ICM over the joint model
@cython.final
cdef class ICM:
    """Counts of the current segmentation and the ICM sweep.

    Parameters: ``sym`` (int32 symbol ids of all runs), ``off`` (int64 run offsets), ``cand``,
    ``length`` (from :func:`intern_words`), ``starts`` (uint8 per symbol: 1 where a word
    starts; the first symbol of a run must be 1). Word id ``n_words`` is the run start/end
    marker ($): the context of a run's first word and the successor of its last.
    """
    cdef const int32_t[::1] sym
    cdef const int64_t[::1] off
    cdef const int32_t[:, ::1] cand
    cdef const int32_t[::1] length
    cdef public object starts_arr, count_arr
    cdef uint8_t[::1] starts
    cdef int32_t[::1] count
    cdef uint64_t* live      # a bit per word id: its count is positive (the DP reads counts only there)
    cdef PairMap pairs
    cdef readonly int L
    cdef readonly int64_t n_tokens, n_runs
    cdef readonly int32_t n_words
    cdef readonly Py_ssize_t n_sym          # symbol ids are 0..n_sym-1
    cdef double* best
    cdef int32_t* back
    cdef double* p1
    cdef double* lp1
    cdef double* inner
    cdef double* lctx
    cdef int32_t* ncnt
    cdef int32_t* lw_key
    cdef int32_t* lw_val
    cdef uint64_t* lp_key
    cdef int32_t* lp_val
    cdef uint64_t lmask
    cdef double log_ctx[N_LOG]
    cdef Py_ssize_t scratch

    def __cinit__(self):
        self.pairs.slots = NULL
        self.pairs.seen = NULL
        self.live = NULL
        self.best = NULL
        self.back = NULL
        self.p1 = NULL
        self.lp1 = NULL
        self.inner = NULL
        self.lctx = NULL
        self.ncnt = NULL
        self.lw_key = NULL
        self.lw_val = NULL
        self.lp_key = NULL
        self.lp_val = NULL

    def __init__(self, const int32_t[::1] sym, const int64_t[::1] off, const int32_t[:, ::1] cand,
                 const int32_t[::1] length, starts):
        cdef Py_ssize_t r, longest = 0
        cdef uint64_t lcap = 4
        self.sym = sym
        self.off = off
        self.cand = cand
        self.length = length
        self.L = cand.shape[1]
        self.n_words = <int32_t>length.shape[0]
        self.starts_arr = np.array(starts, dtype=np.uint8, copy=True)
        self.starts = self.starts_arr
        self.count_arr = np.zeros(self.n_words + 1, dtype=np.int32)
        self.count = self.count_arr
        self.n_runs = off.shape[0] - 1
        self.n_tokens = 0
        self.n_sym = 0
        self.live = <uint64_t*>calloc((self.n_words + 1) // 64 + 1, sizeof(uint64_t))
        if self.live == NULL:
            raise MemoryError()
        for r in range(sym.shape[0]):
            if sym[r] < 0:
                raise ValueError("symbol ids must be >= 0")
            if sym[r] >= self.n_sym:
                self.n_sym = sym[r] + 1
        pm_init(&self.pairs, 1 << 16)
        for r in range(self.n_runs):
            if off[r + 1] - off[r] > longest:
                longest = off[r + 1] - off[r]
            if off[r + 1] > off[r] and not self.starts[off[r]]:
                raise ValueError("the first symbol of every run must start a word")
            self._update(r, 1)
        self.scratch = longest + 1
        self.best = <double*>malloc(self.scratch * self.L * sizeof(double))
        self.back = <int32_t*>malloc(self.scratch * self.L * sizeof(int32_t))
        self.p1 = <double*>malloc(self.scratch * self.L * sizeof(double))
        self.lp1 = <double*>malloc(self.scratch * self.L * sizeof(double))
        self.inner = <double*>malloc(self.scratch * self.L * sizeof(double))
        self.lctx = <double*>malloc(self.scratch * self.L * sizeof(double))
        self.ncnt = <int32_t*>malloc(self.scratch * self.L * sizeof(int32_t))
        while lcap < <uint64_t>(2 * (longest + 2)):
            lcap *= 2
        self.lw_key = <int32_t*>malloc(lcap * sizeof(int32_t))
        self.lw_val = <int32_t*>malloc(lcap * sizeof(int32_t))
        self.lp_key = <uint64_t*>malloc(lcap * sizeof(uint64_t))
        self.lp_val = <int32_t*>malloc(lcap * sizeof(int32_t))
        if (self.best == NULL or self.back == NULL or self.p1 == NULL or self.lp1 == NULL
                or self.inner == NULL or self.lctx == NULL or self.ncnt == NULL or self.lw_key == NULL
                or self.lw_val == NULL or self.lp_key == NULL or self.lp_val == NULL):
            raise MemoryError()

    def __dealloc__(self):
        if self.pairs.slots != NULL:
            nz_free_table(self.pairs.slots, self.pairs.cap * sizeof(Slot))
        nz_free_table(self.pairs.seen, self.pairs.cap)
        free(self.live)
        free(self.best)
        free(self.back)
        free(self.p1)
        free(self.lp1)
        free(self.inner)
        free(self.lctx)
        free(self.ncnt)
        free(self.lw_key)
        free(self.lw_val)
        free(self.lp_key)
        free(self.lp_val)

    cdef int _update(self, Py_ssize_t r, int32_t delta) except -1:
        """Add (delta=1) or remove (-1) the words of run r and their bigrams."""
        cdef Py_ssize_t lo = self.off[r], hi = self.off[r + 1], i, j
        cdef int32_t prev = self.n_words, w
        if hi <= lo:
            return 0
        i = lo
        while i < hi:
            j = i + 1
            while j < hi and not self.starts[j]:
                j += 1
            w = self.cand[i, j - i - 1]
            self.count[w] += delta
            if self.count[w] > 0:
                self.live[w >> 6] |= <uint64_t>1 << (w & 63)
            else:
                self.live[w >> 6] &= ~(<uint64_t>1 << (w & 63))
            self.n_tokens += delta
            pm_add(&self.pairs, (<uint64_t>prev << 32) | <uint64_t>w, delta)
            prev = w
            i = j
        pm_add(&self.pairs, (<uint64_t>prev << 32) | <uint64_t>self.n_words, delta)
        return 0

    def pair_counts(self):
        """(context, word, count) of every bigram seen with a positive count (int32 arrays;
        id ``n_words`` is the run marker)."""
        cdef uint64_t t
        cdef Py_ssize_t k = 0
        v = np.empty(self.pairs.n, dtype=np.int32)
        w = np.empty(self.pairs.n, dtype=np.int32)
        c = np.empty(self.pairs.n, dtype=np.int32)
        for t in range(self.pairs.cap):
            if self.pairs.slots[t].key != EMPTY and self.pairs.slots[t].val > 0:
                v[k] = <int32_t>(self.pairs.slots[t].key >> 32)
                w[k] = <int32_t>(self.pairs.slots[t].key & 0xFFFFFFFF)
                c[k] = <int32_t>self.pairs.slots[t].val
                k += 1
        return v[:k], w[:k], c[:k]

    def stats(self, Py_ssize_t n_symbols):
        """Counts of the current segmentation that the model is re-estimated from between sweeps,
        in one pass (int64 arrays): ``n_types`` (word types with a positive count), ``lens[k]``
        (types of k symbols, k = 0..L), ``em[tag, s]`` (symbols s tagged B/M/E/S), ``tr[prev,
        tag]`` (tag transitions, prev 4 = run start), and for each context v that has a
        successor (id ``n_words`` = $ included), in id order, ``n_ctx`` (tokens after v: the sum
        of its positive pair counts) and ``k_ctx`` (distinct successors with a positive count)."""
        cdef Py_ssize_t w, r, t, lo, hi
        cdef uint64_t q
        cdef int32_t v
        cdef int64_t n_types = 0
        cdef int tag, prev
        cdef bint st, nxt
        lens_a = np.zeros(self.L + 1, dtype=np.int64)
        em_a = np.zeros((4, n_symbols), dtype=np.int64)
        tr_a = np.zeros((5, 4), dtype=np.int64)
        # per context: distinct successors (int32 over all ids), and the sums of its pair counts
        # (int64 over the contexts that have one), then both compacted
        k_all_a = np.zeros(self.n_words + 1, dtype=np.int32)
        cdef int32_t[::1] k_all = k_all_a
        cdef int64_t n_contexts = 0, c
        cdef int64_t[::1] lens = lens_a
        cdef int64_t[:, ::1] em = em_a
        cdef int64_t[:, ::1] tr = tr_a
        cdef int64_t[::1] n_ctx
        cdef int64_t[::1] k_ctx
        for w in range(self.n_words):
            if self.count[w] > 0:
                n_types += 1
                lens[self.length[w]] += 1
        for r in range(self.n_runs):
            lo = self.off[r]
            hi = self.off[r + 1]
            prev = START
            for t in range(lo, hi):
                st = self.starts[t] != 0
                nxt = t + 1 == hi or self.starts[t + 1] != 0
                if st:
                    tag = TS if nxt else TB
                else:
                    tag = TE if nxt else TM
                em[tag, self.sym[t]] += 1
                tr[prev, tag] += 1
                prev = tag
        for q in range(self.pairs.cap):
            if self.pairs.slots[q].key != EMPTY and self.pairs.slots[q].val > 0:
                v = <int32_t>(self.pairs.slots[q].key >> 32)
                if k_all[v] == 0:
                    n_contexts += 1
                k_all[v] += 1
        # the slot of a context in the compact arrays (k_all is overwritten by it, plus one)
        n_ctx_a = np.zeros(n_contexts, dtype=np.int64)
        k_ctx_a = np.zeros(n_contexts, dtype=np.int64)
        n_ctx = n_ctx_a
        k_ctx = k_ctx_a
        c = 0
        for w in range(self.n_words + 1):
            if k_all[w] > 0:
                k_ctx[c] = k_all[w]
                c += 1
                k_all[w] = <int32_t>c
        for q in range(self.pairs.cap):
            if self.pairs.slots[q].key != EMPTY and self.pairs.slots[q].val > 0:
                v = <int32_t>(self.pairs.slots[q].key >> 32)
                n_ctx[k_all[v] - 1] += self.pairs.slots[q].val
        return n_types, lens_a, em_a, tr_a, n_ctx_a, k_ctx_a

    def pair_count(self, int32_t v, int32_t w):
        """Count of the word pair (v, w), read as the sweep reads it (filter, then table)."""
        return self._pair((<uint64_t><uint32_t>v << 32) | <uint64_t><uint32_t>w, False)

    cdef inline int32_t _local_word(self, int32_t w) noexcept nogil:
        """Count of word w in the run being re-segmented (its old path)."""
        cdef uint64_t slot = mix(<uint64_t>w) & self.lmask
        while self.lw_key[slot] >= 0:
            if self.lw_key[slot] == w:
                return self.lw_val[slot]
            slot = (slot + 1) & self.lmask
        return 0

    cdef inline int32_t _local_pair(self, uint64_t key, uint64_t h) noexcept nogil:
        """Count of the word pair ``key`` (hash ``h = mix(key)``) in the run being re-segmented
        (its old path)."""
        cdef uint64_t slot = h & self.lmask
        while self.lp_key[slot] != EMPTY:
            if self.lp_key[slot] == key:
                return self.lp_val[slot]
            slot = (slot + 1) & self.lmask
        return 0

    cdef int64_t _exclude(self, Py_ssize_t r) noexcept nogil:
        """Fill the local tables with the words and word pairs of run r's current path (the
        counts its own re-segmentation must not see); returns its number of words."""
        cdef Py_ssize_t lo = self.off[r], hi = self.off[r + 1], i, j
        cdef uint64_t cap = 4, slot, key, t
        cdef int32_t prev = self.n_words, w
        cdef int64_t n = 0
        while cap < <uint64_t>(2 * (hi - lo + 2)):
            cap *= 2
        self.lmask = cap - 1
        for t in range(cap):
            self.lw_key[t] = -1
            self.lp_key[t] = EMPTY
        i = lo
        while i <= hi:
            if i < hi:
                j = i + 1
                while j < hi and not self.starts[j]:
                    j += 1
                w = self.cand[i, j - i - 1]
                slot = mix(<uint64_t>w) & self.lmask
                while self.lw_key[slot] >= 0 and self.lw_key[slot] != w:
                    slot = (slot + 1) & self.lmask
                if self.lw_key[slot] < 0:
                    self.lw_key[slot] = w
                    self.lw_val[slot] = 0
                self.lw_val[slot] += 1
                n += 1
            else:
                w = self.n_words
                j = hi + 1
            key = (<uint64_t>prev << 32) | <uint64_t>w
            slot = mix(key) & self.lmask
            while self.lp_key[slot] != EMPTY and self.lp_key[slot] != key:
                slot = (slot + 1) & self.lmask
            if self.lp_key[slot] == EMPTY:
                self.lp_key[slot] = key
                self.lp_val[slot] = 0
            self.lp_val[slot] += 1
            prev = w
            i = j
        return n

    cdef inline int32_t _pair(self, uint64_t key, bint exclude) noexcept nogil:
        return self._pair_h(key, mix(key), exclude)

    cdef inline int32_t _pair_h(self, uint64_t key, uint64_t h, bint exclude) noexcept nogil:
        """Count of the word pair ``key`` whose hash is ``h = mix(key)`` (the filter's bit, the
        table's slot and the local table's slot all come from it), without run r's current path
        with ``exclude``."""
        if not pm_maybe(&self.pairs, h):
            return 0
        cdef int32_t c = pm_get(&self.pairs, key, h)
        if exclude and c > 0:
            c -= self._local_pair(key, h)
        return c

    cdef void _prefetch_rows(self, Py_ssize_t r) noexcept nogil:
        """Ask for run r's rows of the candidate table, its symbols and its flags."""
        cdef Py_ssize_t lo = self.off[r], hi = self.off[r + 1]
        cdef const char* a
        cdef const char* b
        if hi <= lo:
            return
        a = <const char*>&self.cand[lo, 0]
        b = <const char*>&self.cand[hi - 1, self.L - 1]
        while a <= b:
            nz_prefetch_r(a)
            a += 64
        nz_prefetch_r(b)
        nz_prefetch_r(&self.sym[lo])
        nz_prefetch_r(&self.sym[hi - 1])
        nz_prefetch_r(&self.starts[lo])
        nz_prefetch_r(&self.starts[hi - 1])

    cdef void _prefetch_counts(self, Py_ssize_t r) noexcept nogil:
        """Ask for the counts of run r's candidate words (its rows are asked for earlier)."""
        cdef Py_ssize_t lo = self.off[r], hi = self.off[r + 1], i, k
        for i in range(lo, hi):
            for k in range(self.L):
                if i + k >= hi:
                    break
                if self._live(self.cand[i, k]):
                    nz_prefetch_r(&self.count[self.cand[i, k]])

    cdef void _prefetch_pairs(self, Py_ssize_t r, uint64_t* hb) noexcept nogil:
        """Ask for the home slot of every word pair the DP of run r may look up: pairs of
        candidates with positive counts (before run r's own words are taken out) that the
        filter does not rule out (its counts are asked for earlier). With ``hb`` (room for
        :meth:`_hb_size` entries), the hash of each of those pairs is kept there for the DP
        (0 where none was computed: the DP then hashes the pair itself)."""
        cdef Py_ssize_t lo = self.off[r], hi = self.off[r + 1], m = hi - lo, i, k, kp, c
        cdef int L = self.L
        cdef uint64_t mask = self.pairs.cap - 1, key, wkey, h
        cdef uint64_t endw = <uint64_t>self.n_words
        cdef uint64_t* he = NULL
        if hb != NULL:
            memset(hb, 0, self._hb_size(m) * sizeof(uint64_t))
            he = hb + m * L * (L + 1)
        for i in range(lo, hi):
            for k in range(1, L + 1):
                if i + k > hi:
                    break
                if not self._live(self.cand[i, k - 1]):
                    continue
                wkey = <uint64_t>self.cand[i, k - 1]
                c = (i - lo) * L + k - 1
                if i == lo:
                    key = (endw << 32) | wkey
                    h = mix(key)
                    if hb != NULL:
                        hb[c * (L + 1)] = h
                    if pm_maybe(&self.pairs, h):
                        nz_prefetch_r(&self.pairs.slots[h & mask])
                else:
                    for kp in range(1, L + 1):
                        if i - kp < lo:
                            break
                        if self._live(self.cand[i - kp, kp - 1]):
                            key = (<uint64_t>self.cand[i - kp, kp - 1] << 32) | wkey
                            h = mix(key)
                            if hb != NULL:
                                hb[c * (L + 1) + kp] = h
                            if pm_maybe(&self.pairs, h):
                                nz_prefetch_r(&self.pairs.slots[h & mask])
                if i + k == hi:
                    key = (wkey << 32) | endw
                    h = mix(key)
                    if hb != NULL:
                        he[k - 1] = h
                    if pm_maybe(&self.pairs, h):
                        nz_prefetch_r(&self.pairs.slots[h & mask])

    cdef inline bint _live(self, int32_t w) noexcept nogil:
        """Whether word w has a positive count (one bit per word: the bits of all candidates fit
        in cache where their counts do not)."""
        return (self.live[w >> 6] >> (w & 63)) & 1

    cdef inline Py_ssize_t _hb_size(self, Py_ssize_t m) noexcept nogil:
        """Entries of a run's pair-hash buffer: (L + 1) per candidate (its pairs with the start
        marker and with each previous word length), then L (its last words with the end marker)."""
        return m * self.L * (self.L + 1) + self.L

    @cython.cdivision(True)
    cdef double _path(self, Py_ssize_t r, double alpha0, double alpha1, const double* lplen,
                      const double* lpsym, const double* plen, const double* psym,
                      const double[:, ::1] logem, const double[:, ::1] logtr,
                      double p_end, double n_ctx_start, bint exclude, const uint64_t* hb,
                      uint8_t* out) except? -1e300:
        """Best path of run r; its word starts go to out[0 : length of r]; returns the log score
        of the path. With ``exclude`` the counts are those without run r's current path (its
        words and pairs are subtracted where they are read: iterated conditional modes without
        removing and re-adding a run whose path stays), else the counts as they are.
        ``plen``, ``psym``: exp of ``lplen``, ``lpsym``; ``hb``: the pair hashes of
        :meth:`_prefetch_pairs` for this run, or NULL.

        First every candidate word (i, k) = sym[lo+i : lo+i+k] gets its count, its unigram
        predictive P1, its character-model score and log(n_w + α1) (as a context); then the
        forward DP over (end j, length k of the last word) adds log P(w | v) for each previous
        word v. A pair is looked up in the hash map only when both words have counts: otherwise
        n_vw = 0 and P(w | v) = α1 P1(w) / (n_v + α1), a sum of logs known already."""
        cdef Py_ssize_t lo = self.off[r], hi = self.off[r + 1], m = hi - lo, i, j, k, kp, t, c, cp
        cdef int L = self.L
        cdef double* best = self.best
        cdef int32_t* back = self.back
        cdef double* p1 = self.p1
        cdef double* lp1 = self.lp1
        cdef double* inner = self.inner
        cdef double* lctx = self.lctx
        cdef int32_t* ncnt = self.ncnt
        cdef double a0 = alpha0, a1 = alpha1, N, la1 = log(alpha1), la0 = log(alpha0), lNa0, lstart
        cdef double sc, bestsc, ins, lsum, lpsum, prod, lpe = log(p_end)
        cdef int top
        cdef int32_t w, v, c_vw, nw, nv
        cdef int32_t endw = self.n_words
        cdef uint64_t endkey = <uint64_t>endw << 32, key
        cdef int64_t n_local = 0
        cdef const uint64_t* he = NULL
        cdef double tr_be = logtr[TB, TE], tr_bm = logtr[TB, TM], tr_mm = logtr[TM, TM]
        cdef double tr_me = logtr[TM, TE]
        cdef double tr_sb = logtr[TS, TB], tr_ss = logtr[TS, TS], tr_eb = logtr[TE, TB]
        cdef double tr_es = logtr[TE, TS], st_b = logtr[START, TB], st_s = logtr[START, TS]
        if m == 0:
            return 0.0
        if hb != NULL:
            he = hb + m * L * (L + 1)
        if exclude:
            n_local = self._exclude(r)
        N = <double>(self.n_tokens - n_local)
        lNa0 = log(N + a0)
        lstart = log(n_ctx_start + a1)
        # candidates: c = i * L + k - 1 for the word sym[lo+i : lo+i+k]
        for i in range(m):
            lsum = 0.0                         # sum of M emissions strictly inside
            lpsum = 0.0                        # log P0 without p_len, and its exp
            prod = 1.0
            for k in range(1, L + 1):
                c = i * L + k - 1
                if i + k > m:
                    p1[c] = 0.0
                    ncnt[c] = 0
                    continue
                t = lo + i + k - 1
                w = self.cand[lo + i, k - 1]
                nw = self.count[w] if self._live(w) else 0
                if exclude and nw > 0:
                    nw -= self._local_word(w)
                ncnt[c] = nw
                lpsum += lpsym[self.sym[t]]
                prod *= psym[self.sym[t]]
                p1[c] = (nw + a0 * plen[k] * prod) / (N + a0)
                if nw > 0:
                    lp1[c] = log(p1[c])
                    lctx[c] = self.log_ctx[nw] if nw < N_LOG else log(nw + a1)
                else:                          # P1 = α0 P0 / (N + α0), in logs
                    lp1[c] = la0 + lplen[k] + lpsum - lNa0
                    lctx[c] = la1
                if k == 1:
                    inner[c] = logem[TS, self.sym[t]]
                else:
                    ins = logem[TB, self.sym[lo + i]] + logem[TE, self.sym[t]] + lsum
                    if k == 2:
                        ins += tr_be
                    else:
                        ins += tr_bm + (k - 3) * tr_mm + tr_me
                    inner[c] = ins
                    lsum += logem[TM, self.sym[t]]
        for j in range(1, m + 1):
            for k in range(1, L + 1):
                best[j * L + k - 1] = -INFINITY
                back[j * L + k - 1] = 0
                if k > j:
                    continue
                i = j - k
                c = i * L + k - 1
                w = self.cand[lo + i, k - 1]
                nw = ncnt[c]
                if i == 0:
                    c_vw = 0
                    if nw > 0:
                        key = endkey | <uint64_t>w
                        c_vw = self._pair_h(key, _hash(hb, c * (L + 1), key), exclude)
                    if c_vw > 0:
                        sc = log(c_vw + a1 * p1[c]) - lstart
                    else:
                        sc = la1 + lp1[c] - lstart
                    sc += st_s if k == 1 else st_b
                    best[j * L + k - 1] = sc + inner[c]
                    continue
                bestsc = -INFINITY
                top = 0
                for kp in range(1, L + 1):
                    if kp > i:
                        break
                    if best[i * L + kp - 1] == -INFINITY:
                        continue
                    cp = (i - kp) * L + kp - 1
                    nv = ncnt[cp]
                    c_vw = 0
                    if nv > 0 and nw > 0:
                        v = self.cand[lo + i - kp, kp - 1]
                        key = (<uint64_t>v << 32) | <uint64_t>w
                        c_vw = self._pair_h(key, _hash(hb, c * (L + 1) + kp, key), exclude)
                    if c_vw > 0:
                        sc = log(c_vw + a1 * p1[c]) - lctx[cp]
                    else:
                        sc = la1 + lp1[c] - lctx[cp]
                    if kp == 1:
                        sc += tr_ss if k == 1 else tr_sb
                    else:
                        sc += tr_es if k == 1 else tr_eb
                    sc += best[i * L + kp - 1]
                    if sc > bestsc:
                        bestsc = sc
                        top = kp
                best[j * L + k - 1] = bestsc + inner[c]
                back[j * L + k - 1] = <int32_t>top
        # end of the run: P($ | last word)
        bestsc = -INFINITY
        top = 0
        for k in range(1, L + 1):
            if k > m or best[m * L + k - 1] == -INFINITY:
                continue
            cp = (m - k) * L + k - 1
            v = self.cand[lo + m - k, k - 1]
            nv = ncnt[cp]
            c_vw = 0
            if nv > 0:
                key = (<uint64_t>v << 32) | <uint64_t>endw
                c_vw = self._pair_h(key, _hash(he, k - 1, key), exclude)
            if c_vw > 0:
                sc = best[m * L + k - 1] + log(c_vw + a1 * p_end) - lctx[cp]
            else:
                sc = best[m * L + k - 1] + la1 + lpe - lctx[cp]
            if sc > bestsc:
                bestsc = sc
                top = k
        j = m
        k = top
        for t in range(m):
            out[t] = 0
        while j > 0:
            out[j - k] = 1
            kp = back[j * L + k - 1]
            j -= k
            k = kp
        return bestsc

    cdef void _set_log_ctx(self, double alpha1) noexcept:
        cdef int t
        for t in range(N_LOG):
            self.log_ctx[t] = log(t + alpha1)

    cdef int _check_model(self, const double[::1] lplen, const double[::1] lpsym,
                          const double[:, ::1] logem, const double[:, ::1] logtr) except -1:
        if lplen.shape[0] < self.L + 1:
            raise ValueError("lplen needs L + 1 entries")
        if lpsym.shape[0] < self.n_sym or logem.shape[0] < 4 or logem.shape[1] < self.n_sym:
            raise ValueError("lpsym and logem need an entry for every symbol id")
        if logtr.shape[0] < 5 or logtr.shape[1] < 4:
            raise ValueError("logtr needs 5 x 4 entries")
        return 0

    def sweep(self, const int64_t[::1] order, double alpha0, double alpha1,
              const double[::1] lplen, const double[::1] lpsym, const double[:, ::1] logem,
              const double[:, ::1] logtr, double p_end):
        """One ICM sweep: for each run in ``order``, take the best path under the predictive
        model with the run's own words taken out of the counts, and put the new words in (a
        run whose path stays leaves the counts as they are). ``lplen[k]`` = log p_len(k)
        (k = 1..L), ``lpsym[s]`` = log p(s) (so P0(w) = p_len(|w|) Π p(c)), ``logem[tag, s]``
        emission and ``logtr[prev, tag]`` transition log-probabilities of the character model
        (row 4 = run start), ``p_end`` = P0 of the run end marker. Returns the number of symbols
        whose boundary flag changed and the total log score of the paths."""
        cdef Py_ssize_t q, r, t, lo, hi, n_order = order.shape[0], hb_m, b
        cdef int64_t changed = 0, diff
        cdef double total = 0.0
        cdef uint8_t* new = NULL
        cdef uint64_t* hbuf = NULL
        cdef uint64_t* hb
        cdef Py_ssize_t hb_run[2]
        self._check_model(lplen, lpsym, logem, logtr)
        for q in range(n_order):
            if order[q] < 0 or order[q] >= self.n_runs:
                raise ValueError("order holds a run index out of range")
        cdef double[::1] plen = _exps(lplen, self.L + 1)
        cdef double[::1] psym = _exps(lpsym, self.n_sym)
        # the pair hashes of the next run are kept for its DP when it is no longer than this
        # (a bound on the buffers, 2 x HB_RUN x L x (L + 1) hashes; longer runs hash as they go)
        hb_m = min(self.scratch - 1, HB_RUN)
        hb_run[0] = -1
        hb_run[1] = -1
        new = <uint8_t*>malloc(self.scratch)
        hbuf = <uint64_t*>malloc(2 * self._hb_size(hb_m) * sizeof(uint64_t))
        try:
            if new == NULL or hbuf == NULL:
                raise MemoryError()
            self._set_log_ctx(alpha1)
            for q in range(n_order):
                r = order[q]
                # the memory of the runs to come is asked for while this one is computed (the
                # runs are visited at random, so each run's rows, counts and pairs would
                # otherwise be cache misses one after another): the rows of the run three ahead,
                # the counts of the one two ahead, the pair slots of the next (whose hashes
                # are kept for its DP)
                if q + 3 < n_order:
                    self._prefetch_rows(order[q + 3])
                if q + 2 < n_order:
                    self._prefetch_counts(order[q + 2])
                if q + 1 < n_order:
                    b = (q + 1) & 1
                    if self.off[order[q + 1] + 1] - self.off[order[q + 1]] <= hb_m:
                        hb_run[b] = order[q + 1]
                        self._prefetch_pairs(order[q + 1], hbuf + b * self._hb_size(hb_m))
                    else:
                        hb_run[b] = -1
                        self._prefetch_pairs(order[q + 1], NULL)
                lo = self.off[r]
                hi = self.off[r + 1]
                if hi <= lo:
                    continue
                b = q & 1
                hb = hbuf + b * self._hb_size(hb_m) if hb_run[b] == r else NULL
                total += self._path(r, alpha0, alpha1, &lplen[0], &lpsym[0], &plen[0], &psym[0], logem, logtr,
                                    p_end, <double>(self.n_runs - 1), True, hb, new)
                diff = 0
                for t in range(lo, hi):
                    if new[t - lo] != self.starts[t]:
                        diff += 1
                if diff:
                    changed += diff
                    self._update(r, -1)
                    for t in range(lo, hi):
                        self.starts[t] = new[t - lo]
                    self._update(r, 1)
        finally:
            free(new)
            free(hbuf)
        return changed, total

    def best_path(self, Py_ssize_t r, double alpha0, double alpha1, const double[::1] lplen,
                  const double[::1] lpsym, const double[:, ::1] logem, const double[:, ::1] logtr, double p_end):
        """Score of the best path of run r with the current counts as they are (nothing removed,
        nothing written; for tests) and its word starts (uint8 per symbol of the run)."""
        if r < 0 or r >= self.n_runs:
            raise ValueError("run index out of range")
        self._check_model(lplen, lpsym, logem, logtr)
        cdef Py_ssize_t lo = self.off[r], hi = self.off[r + 1]
        out_a = np.zeros(max(hi - lo, 1), dtype=np.uint8)
        cdef uint8_t[::1] out = out_a
        cdef double[::1] plen = _exps(lplen, self.L + 1)
        cdef double[::1] psym = _exps(lpsym, self.n_sym)
        self._set_log_ctx(alpha1)
        sc = self._path(r, alpha0, alpha1, &lplen[0], &lpsym[0], &plen[0], &psym[0], logem, logtr, p_end,
                        <double>self.n_runs, False, NULL, &out[0])
        return sc, out_a[: hi - lo]


# ---------------------------------------------------------------------- perceptron
cdef inline uint32_t code_at(const int32_t* feat, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t t) noexcept nogil:
    if t < lo:
        return PAD_LEFT
    if t >= hi:
        return PAD_RIGHT
    return <uint32_t>feat[t]


cdef inline void features(const int32_t* feat, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t t,
                          uint64_t mask, uint64_t* out) noexcept nogil:
    """Bucket of each of the 10 window templates at position t: C-2, C-1, C0, C1, C2, C-2C-1,
    C-1C0, C0C1, C1C2, C-1C1 (a key = template << 42 | code << 21 | code, hashed)."""
    cdef uint64_t a = code_at(feat, lo, hi, t - 2), b = code_at(feat, lo, hi, t - 1)
    cdef uint64_t c = code_at(feat, lo, hi, t), d = code_at(feat, lo, hi, t + 1)
    cdef uint64_t e = code_at(feat, lo, hi, t + 2), none = 0x1FFFFF
    out[0] = mix((<uint64_t>0 << 42) | (a << 21) | none) & mask
    out[1] = mix((<uint64_t>1 << 42) | (b << 21) | none) & mask
    out[2] = mix((<uint64_t>2 << 42) | (c << 21) | none) & mask
    out[3] = mix((<uint64_t>3 << 42) | (d << 21) | none) & mask
    out[4] = mix((<uint64_t>4 << 42) | (e << 21) | none) & mask
    out[5] = mix((<uint64_t>5 << 42) | (a << 21) | b) & mask
    out[6] = mix((<uint64_t>6 << 42) | (b << 21) | c) & mask
    out[7] = mix((<uint64_t>7 << 42) | (c << 21) | d) & mask
    out[8] = mix((<uint64_t>8 << 42) | (d << 21) | e) & mask
    out[9] = mix((<uint64_t>9 << 42) | (b << 21) | d) & mask


cdef inline bint legal(int prev, int tag) noexcept nogil:
    if prev == TB or prev == TM:
        return tag == TM or tag == TE
    return tag == TB or tag == TS          # after E, S, or at the start


def feature_buckets(const int32_t[::1] feat, Py_ssize_t lo, Py_ssize_t hi, Py_ssize_t t, int bits):
    """The 10 feature buckets at position t of the run feat[lo:hi] (for tests)."""
    cdef uint64_t out[10]
    features(&feat[0], lo, hi, t, (<uint64_t>1 << bits) - 1, out)
    return [int(out[i]) for i in range(10)]


ctypedef fused weight_t:
    float
    double

cdef double F32_EXACT = 16777216.0     # 2**24: float32 holds every integer up to here exactly


cdef void run_buckets(const int32_t* feat, Py_ssize_t lo, Py_ssize_t hi, const weight_t* w,
                      uint64_t mask, uint64_t* fb) noexcept nogil:
    """The feature buckets of every position of the run feat[lo:hi] into ``fb`` (10 per symbol),
    each weight row asked for at once: the rows are spread over a table larger than the cache,
    so their misses overlap instead of coming one by one. The callers do this for the next run
    before decoding the current one, so the next run's rows arrive during that work."""
    cdef Py_ssize_t t, f
    for t in range(hi - lo):
        features(feat, lo, hi, lo + t, mask, fb + 10 * t)
        for f in range(10):
            nz_prefetch_r(w + fb[10 * t + f] * 4)


cdef double viterbi_run(Py_ssize_t m, const weight_t* w, const double* tw, double* delta,
                        int8_t* bp, const uint64_t* fb, int8_t* out) noexcept nogil:
    """Best legal tag sequence of a run of ``m`` symbols into out[0:m]; returns its score.
    ``fb`` holds the run's feature buckets (:func:`run_buckets`), ``w[bucket * 4 + tag]`` the
    emission weights, ``tw[prev * 4 + tag]`` the transitions (prev 4 = start). Sums are in
    double whatever the type of ``w`` (a float32 weight converts exactly, so float32 weights
    decode as their float64 copy would, from half the memory). Ties go to the lowest tag."""
    cdef Py_ssize_t t, f
    cdef int y, p, bestp
    cdef double em, sc, bestsc
    cdef double em4[4]
    cdef const weight_t* row
    for t in range(m):
        # each tag's emission sums its 10 weights in template order (a bucket's 4 weights
        # are adjacent: the 4 sums advance together)
        em4[0] = 0.0
        em4[1] = 0.0
        em4[2] = 0.0
        em4[3] = 0.0
        for f in range(10):
            row = w + fb[10 * t + f] * 4
            em4[0] += row[0]
            em4[1] += row[1]
            em4[2] += row[2]
            em4[3] += row[3]
        for y in range(4):
            em = em4[y]
            if t == 0:
                delta[y] = em + tw[START * 4 + y] if legal(START, y) else -INFINITY
                bp[y] = START
                continue
            bestsc = -INFINITY
            bestp = 0
            for p in range(4):
                if not legal(p, y) or delta[(t - 1) * 4 + p] == -INFINITY:
                    continue
                sc = delta[(t - 1) * 4 + p] + tw[p * 4 + y]
                if sc > bestsc:
                    bestsc = sc
                    bestp = p
            delta[t * 4 + y] = bestsc + em
            bp[t * 4 + y] = <int8_t>bestp
    bestsc = -INFINITY
    y = TS
    for p in range(4):
        if (p == TE or p == TS) and delta[(m - 1) * 4 + p] > bestsc:
            bestsc = delta[(m - 1) * 4 + p]
            y = p
    t = m - 1
    while t >= 0:
        out[t] = <int8_t>y
        y = bp[t * 4 + y]
        t -= 1
    return bestsc


def viterbi(const int32_t[::1] feat, const int64_t[::1] off, const weight_t[::1] w,
            const double[::1] tw):
    """Tags (int8, B=0 M=1 E=2 S=3) of every symbol of every run by legal-transition Viterbi;
    ``w`` (float32 or float64) has 4 weights per bucket (a power of two of buckets), ``tw`` 20
    transition weights."""
    cdef Py_ssize_t n = feat.shape[0], r, longest = 1, lo, hi
    cdef uint64_t n_buckets = <uint64_t>(w.shape[0] // 4)
    if n_buckets == 0 or (n_buckets & (n_buckets - 1)) != 0:
        raise ValueError("w must hold 4 weights for each of a power of two of buckets")
    if tw.shape[0] != 20:
        raise ValueError("tw must hold 20 transition weights")
    longest = _check_runs(off, n, True)
    tags_a = np.zeros(n, dtype=np.int8)
    if n == 0:
        return tags_a
    cdef int8_t[::1] tags = tags_a
    cdef double* delta = <double*>malloc(longest * 4 * sizeof(double))
    cdef int8_t* bp = <int8_t*>malloc(longest * 4)
    cdef uint64_t* fb = <uint64_t*>malloc(2 * longest * 10 * sizeof(uint64_t))   # this run, next run
    cdef uint64_t* cur
    cdef Py_ssize_t n_runs = off.shape[0] - 1
    if delta == NULL or bp == NULL or fb == NULL:
        free(delta)
        free(bp)
        free(fb)
        raise MemoryError()
    try:
        with nogil:
            if n_runs > 0:
                run_buckets(&feat[0], off[0], off[1], &w[0], n_buckets - 1, fb)
            for r in range(n_runs):
                cur = fb + (r & 1) * longest * 10
                if r + 1 < n_runs:
                    run_buckets(&feat[0], off[r + 1], off[r + 2], &w[0], n_buckets - 1,
                                fb + ((r + 1) & 1) * longest * 10)
                lo = off[r]
                hi = off[r + 1]
                if hi > lo:
                    viterbi_run(hi - lo, &w[0], &tw[0], delta, bp, cur, &tags[lo])
    finally:
        free(delta)
        free(bp)
        free(fb)
    return tags_a


def perceptron_epoch(const int32_t[::1] feat, const int64_t[::1] off, const int64_t[::1] order,
                     const int8_t[::1] gold, weight_t[::1] w, double[::1] u, double[::1] tw,
                     double[::1] tu, int64_t step):
    """One epoch of the averaged structured perceptron (Collins 2002) over the runs in ``order``.

    For each run: decode with the current weights; if the tags differ from ``gold``, add the
    gold features and subtract the predicted ones (``w``, ``tw``) and record ``step`` times the
    change (``u``, ``tu``), so the averaged weights are ``w - u / step`` at the end (Daumé's
    trick). ``step`` counts runs seen, starting at 1. Returns (step, runs with an error).

    ``w`` may be float32 (half the memory the decoder reads at random): its entries change by
    whole units, which float32 holds exactly up to 2**24, so the epoch is the float64 one; an
    entry that would pass 2**24 raises ``OverflowError`` (the caller then trains in float64).
    """
    cdef Py_ssize_t n = feat.shape[0], q, r, lo, hi, t, m, longest = 1
    cdef uint64_t n_buckets = <uint64_t>(w.shape[0] // 4), mask
    cdef int64_t errors = 0
    cdef int g, p, gp, pp, f
    cdef bint wrong, inexact = False
    cdef double c
    if n_buckets == 0 or (n_buckets & (n_buckets - 1)) != 0:
        raise ValueError("w must hold 4 weights for each of a power of two of buckets")
    if u.shape[0] != w.shape[0] or tw.shape[0] != 20 or tu.shape[0] != 20 or gold.shape[0] != n:
        raise ValueError("array shapes do not match")
    mask = n_buckets - 1
    longest = _check_runs(off, n, True)
    for q in range(order.shape[0]):
        if order[q] < 0 or order[q] >= off.shape[0] - 1:
            raise ValueError("order holds a run that does not exist")
    for t in range(n):
        if gold[t] < 0 or gold[t] > 3:
            raise ValueError("gold tags must be 0..3 (B, M, E, S)")
    cdef double* delta = <double*>malloc(longest * 4 * sizeof(double))
    cdef int8_t* bp = <int8_t*>malloc(longest * 4)
    cdef int8_t* pred = <int8_t*>malloc(longest)
    cdef uint64_t* fb = <uint64_t*>malloc(2 * longest * 10 * sizeof(uint64_t))   # this run, next run
    cdef uint64_t* cur
    cdef uint64_t* fp
    cdef Py_ssize_t n_order = order.shape[0]
    if delta == NULL or bp == NULL or pred == NULL or fb == NULL:
        free(delta)
        free(bp)
        free(pred)
        free(fb)
        raise MemoryError()
    try:
        with nogil:
            if n_order > 0:
                run_buckets(&feat[0], off[order[0]], off[order[0] + 1], &w[0], mask, fb)
            for q in range(n_order):
                r = order[q]
                lo = off[r]
                hi = off[r + 1]
                m = hi - lo
                cur = fb + (q & 1) * longest * 10
                if q + 1 < n_order:
                    run_buckets(&feat[0], off[order[q + 1]], off[order[q + 1] + 1], &w[0], mask,
                                fb + ((q + 1) & 1) * longest * 10)
                if m <= 0:
                    continue
                viterbi_run(m, &w[0], &tw[0], delta, bp, cur, pred)
                wrong = False
                for t in range(m):
                    if pred[t] != gold[lo + t]:
                        wrong = True
                        break
                if wrong:
                    errors += 1
                    c = <double>step
                    gp = START
                    pp = START
                    for t in range(m):
                        g = gold[lo + t]
                        p = pred[t]
                        if g != p:
                            fp = cur + 10 * t       # the run's buckets (run_buckets)
                            for f in range(10):
                                w[fp[f] * 4 + g] += 1.0
                                u[fp[f] * 4 + g] += c
                                w[fp[f] * 4 + p] -= 1.0
                                u[fp[f] * 4 + p] -= c
                                if weight_t is float:
                                    if (w[fp[f] * 4 + g] >= F32_EXACT or w[fp[f] * 4 + p] <= -F32_EXACT):
                                        inexact = True
                        if g != p or gp != pp:
                            tw[gp * 4 + g] += 1.0
                            tu[gp * 4 + g] += c
                            tw[pp * 4 + p] -= 1.0
                            tu[pp * 4 + p] -= c
                        gp = g
                        pp = p
                step += 1
                if inexact:
                    break
    finally:
        free(delta)
        free(bp)
        free(pred)
        free(fb)
    if inexact:
        raise OverflowError("a float32 perceptron weight reached 2**24: train in float64")
    return step, errors


# ---------------------------------------------------------------------- tokens
cdef inline bint all_digits(const uint32_t[::1] codes, Py_ssize_t a, Py_ssize_t b, bint normalize) noexcept:
    cdef Py_ssize_t t
    cdef uint32_t c
    for t in range(a, b):
        c = normalize_char(codes[t]) if normalize else codes[t]
        if not (48 <= c <= 57):
            return False
    return b > a


def join_flags(const uint32_t[::1] codes, const int32_t[::1] lo, const int32_t[::1] hi,
               const uint8_t[::1] word_start, bint normalize=True):
    """For token spans of one text (one span per character of a run, per ASCII stretch, per
    punctuation token), whether span i continues the token of span i - 1 (1 = by the words,
    2 = by the number rule). A span continues the previous one when it starts right where that
    one ends, on a word character that does not start a word (``word_start`` is a flag per
    character offset). The number rule: a lone ``.`` between digits joins both neighbours, and
    ``%`` or ``‰`` joins the number before it; the number is then a token of its own (a digit
    stretch it starts with is cut from a word before it)."""
    cdef Py_ssize_t n = lo.shape[0], i
    cdef uint32_t c, p, q
    out_a = np.zeros(n, dtype=np.uint8)
    cdef uint8_t[::1] out = out_a
    for i in range(1, n):
        if lo[i] != hi[i - 1]:
            continue
        c = normalize_char(codes[lo[i]]) if normalize else codes[lo[i]]
        if is_word_char(c):
            if not word_start[lo[i]] and out[i] == 0:
                out[i] = 1
            continue
        p = normalize_char(codes[hi[i - 1] - 1]) if normalize else codes[hi[i - 1] - 1]
        if not (48 <= p <= 57):
            continue
        if (c == 0x25 or c == 0x2030) and hi[i] == lo[i] + 1:
            out[i] = 2                               # 5% 5‰
        elif c == 0x2E and hi[i] == lo[i] + 1 and i + 1 < n and lo[i + 1] == hi[i]:
            q = normalize_char(codes[lo[i + 1]]) if normalize else codes[lo[i + 1]]
            if not (48 <= q <= 57):
                continue
            out[i] = 2                               # 3.5
            out[i + 1] = 2
        else:
            continue
        if out[i - 1] == 1 and all_digits(codes, lo[i - 1], hi[i - 1], normalize):
            out[i - 1] = 0                           # 增长了|3.5%
    return out_a


# ---------------------------------------------------------------------- output
def line_lists(str text, const uint32_t[::1] codes, const int64_t[::1] lo, const int64_t[::1] hi):
    """Tokens ``text[lo[i]:hi[i]]`` (spans in order, none containing a newline) grouped by the
    ``\\n``-separated line of ``text`` they are on: one list per line (a final newline opens an
    empty last line). ``codes`` are the code points of ``text``."""
    cdef Py_ssize_t n = codes.shape[0], k = lo.shape[0], i, p = 0
    cdef list lines = []
    cdef list cur = []
    if len(text) != n or hi.shape[0] != k:
        raise ValueError("text, codes and spans do not match")
    for i in range(k):
        if lo[i] < 0 or lo[i] > hi[i] or hi[i] > n:
            raise ValueError("span out of range")
        while p < lo[i]:
            if codes[p] == 10:
                lines.append(cur)
                cur = []
            p += 1
        cur.append(text[lo[i]:hi[i]])
    while p < n:
        if codes[p] == 10:
            lines.append(cur)
            cur = []
        p += 1
    lines.append(cur)
    return lines


def tokens_utf8(const uint32_t[::1] codes, const int64_t[::1] lo, const int64_t[::1] hi,
                bytes delimiter, bint mid_line=False):
    """The tokens ``codes[lo[i]:hi[i]]`` (spans in order, none containing a newline) as UTF-8,
    joined by ``delimiter`` within a line and by ``\\n`` between the ``\\n``-separated lines of
    the text. ``mid_line``: a token of the current line was written before this text (the
    first token gets a delimiter). Returns ``(bytes, mid_line_after)``."""
    cdef Py_ssize_t n = codes.shape[0], k = lo.shape[0], i, p = 0, t, j = 0, x, size = 16
    cdef const unsigned char* d = delimiter
    cdef Py_ssize_t dl = len(delimiter)
    cdef bint started = mid_line
    if hi.shape[0] != k:
        raise ValueError("span arrays do not match")
    for i in range(k):
        if lo[i] < 0 or lo[i] > hi[i] or hi[i] > n:
            raise ValueError("span out of range")
    for p in range(n):
        if codes[p] == 10:
            size += 1
    for i in range(k):
        size += 4 * (hi[i] - lo[i]) + dl
    cdef bytearray buf = bytearray(size)
    cdef unsigned char* b = buf
    p = 0
    with nogil:
        for i in range(k):
            while p < lo[i]:
                if codes[p] == 10:
                    b[j] = 10
                    j += 1
                    started = False
                p += 1
            if started:
                for x in range(dl):
                    b[j + x] = d[x]
                j += dl
            started = True
            for t in range(lo[i], hi[i]):
                j = put_utf8(b, j, codes[t])
        while p < n:
            if codes[p] == 10:
                b[j] = 10
                j += 1
                started = False
            p += 1
    return bytes(buf[:j]), bool(started)
