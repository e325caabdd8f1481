# Character n-gram counting (SPEC §1): a prefix trie stored in one open-addressing hash table.
#
# Every n-gram w (1 <= |w| <= max_n) is a node; its key packs (depth, slot of its prefix, last
# character), so extending an n-gram by one character is one hash probe and any order works with
# raw code points (no alphabet mapping). A slot is 16 bytes {key, count}: the n-gram and its count
# sit in one cache line. Counting walks a chunk order by order (all 1-grams, then all 2-grams
# extending them, ...), so consecutive probes are independent and can be prefetched.
#
# Slot indices move when the table grows; growing rebuilds the table depth by depth and hands back
# the old -> new index map so callers can fix indices they hold.
#
# No policy here: the Python layer (nlpzero/ngrams.py) decides chunking, budgets and pruning.
cimport cython
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int64_t
from libc.stdlib cimport calloc, malloc, free
from libc.string cimport memset

import numpy as np
cimport numpy as cnp

from _textmodel cimport is_word_char, normalize_char

cnp.import_array()

from _native cimport nz_prefetch

cdef enum:
    CHAR_BITS = 21
    DEPTH_SHIFT = 58
    MAX_ORDER = 32
    PREFETCH = 32          # probes in flight
    BLOCK = 1 << 12       # positions between growth checks (bounds over-reservation)

cdef uint64_t CHAR_MASK = (<uint64_t>1 << CHAR_BITS) - 1
cdef uint64_t PARENT_MASK = (<uint64_t>1 << (DEPTH_SHIFT - CHAR_BITS)) - 1
cdef uint64_t NONE = <uint64_t>0xFFFFFFFFFFFFFFFF
cdef uint64_t GOLDEN = <uint64_t>0x9E3779B97F4A7C15

#: count_chunk() status codes
OK = 0
OVER_BUDGET = 1

ctypedef struct Slot:
    uint64_t key      # 0 = empty; otherwise depth << 58 | prefix slot << 21 | last char
    uint64_t count


cdef inline uint64_t make_key(uint64_t depth, uint64_t parent, uint64_t c) noexcept nogil:
    return (depth << DEPTH_SHIFT) | (parent << CHAR_BITS) | c


cdef inline uint64_t key_depth(uint64_t key) noexcept nogil:
    return key >> DEPTH_SHIFT


cdef inline uint64_t key_parent(uint64_t key) noexcept nogil:
    return (key >> CHAR_BITS) & PARENT_MASK


cdef inline uint32_t part_of(uint32_t c, uint32_t n_parts) noexcept nogil:
    # which of n_parts hash partitions an n-gram starting with c belongs to
    return <uint32_t>(((<uint64_t>(c * <uint32_t>2654435761u)) * n_parts) >> 32)


@cython.final
cdef class NgramTable:
    """Counts of character n-grams of orders 1..max_n in a hash-table trie.

    Parameters
    ----------
    max_n : int
        Highest order counted (1..32).
    max_bytes : int
        The slot array may not grow beyond this many bytes; growth past it makes
        ``count_chunk`` return ``OVER_BUDGET``. 0 means unbounded.
    capacity : int
        Initial number of slots (rounded up to a power of two).
    """
    cdef Slot* slots
    cdef uint64_t capacity
    cdef uint64_t mask
    cdef int shift
    cdef uint64_t used
    cdef uint64_t grow_at
    cdef readonly int max_n
    cdef readonly uint64_t max_bytes
    cdef uint64_t* _totals

    def __cinit__(self, int max_n, uint64_t max_bytes=0, uint64_t capacity=1 << 16):
        if max_n < 1 or max_n > MAX_ORDER:
            raise ValueError(f"max_n must be in [1, {MAX_ORDER}], got {max_n}")
        self.max_n = max_n
        self.max_bytes = max_bytes
        self._totals = <uint64_t*>calloc(MAX_ORDER + 1, sizeof(uint64_t))
        if self._totals == NULL:
            raise MemoryError()
        cdef uint64_t cap = 1 << 10
        while cap < capacity and (max_bytes == 0 or 2 * cap * sizeof(Slot) <= max_bytes):
            cap <<= 1
        self._alloc(cap)

    def __dealloc__(self):
        free(self.slots)
        free(self._totals)

    cdef int _alloc(self, uint64_t cap) except -1:
        self.slots = <Slot*>calloc(cap, sizeof(Slot))
        if self.slots == NULL:
            raise MemoryError(f"cannot allocate an n-gram table of {cap * sizeof(Slot)} bytes")
        self.capacity = cap
        self.mask = cap - 1
        self.shift = 64
        while (<uint64_t>1 << (64 - self.shift)) < cap:
            self.shift -= 1
        self.used = 0
        self.grow_at = (cap * 5) // 8      # maximum load factor 0.625 (linear probing)
        return 0

    # ------------------------------------------------------------------ probing
    cdef inline uint64_t _home(self, uint64_t key) noexcept nogil:
        return (key * GOLDEN) >> self.shift

    cdef inline uint64_t _find_or_insert(self, uint64_t key) noexcept nogil:
        cdef uint64_t i = self._home(key)
        cdef Slot* s
        while True:
            s = &self.slots[i]
            if s.key == key:
                return i
            if s.key == 0:
                s.key = key
                self.used += 1
                return i
            i = (i + 1) & self.mask

    cdef inline uint64_t _find(self, uint64_t key) noexcept nogil:
        cdef uint64_t i = self._home(key)
        cdef Slot* s
        while True:
            s = &self.slots[i]
            if s.key == key:
                return i
            if s.key == 0:
                return NONE
            i = (i + 1) & self.mask

    # ------------------------------------------------------------------ growing
    cdef uint64_t* _grow(self, uint64_t new_cap) except? NULL:
        """Rebuild into ``new_cap`` slots, parents before children; return the old -> new map
        (caller frees it)."""
        cdef Slot* old = self.slots
        cdef uint64_t old_cap = self.capacity
        cdef uint64_t* remap = <uint64_t*>malloc(old_cap * sizeof(uint64_t))
        if remap == NULL:
            raise MemoryError()
        try:
            self._alloc(new_cap)
        except MemoryError:
            self.slots = old
            self.capacity = old_cap
            free(remap)
            raise
        cdef uint64_t i, j, key, parent, depth
        with nogil:
            for depth in range(1, <uint64_t>self.max_n + 1):
                for i in range(old_cap):
                    key = old[i].key
                    if key == 0 or key_depth(key) != depth:
                        continue
                    parent = 0 if depth == 1 else remap[key_parent(key)]
                    j = self._find_or_insert(make_key(depth, parent, key & CHAR_MASK))
                    self.slots[j].count = old[i].count
                    remap[i] = j
        free(old)
        return remap

    cdef int _ensure_room(self, uint64_t extra, uint64_t* held, Py_ssize_t n_held) except -1:
        """Grow (if needed) so ``extra`` more insertions fit; remap ``held`` slot indices.
        Returns 1 when the byte budget forbids growing, else 0."""
        cdef uint64_t new_cap = self.capacity
        while self.used + extra > (new_cap * 5) // 8:
            new_cap <<= 1
        if new_cap == self.capacity:
            return 0
        if self.max_bytes and new_cap * sizeof(Slot) > self.max_bytes:
            return 1
        cdef uint64_t* remap = self._grow(new_cap)
        cdef Py_ssize_t i
        for i in range(n_held):
            if held[i] != NONE:
                held[i] = remap[held[i]]
        free(remap)
        return 0

    # ------------------------------------------------------------------ counting
    @cython.boundscheck(False)
    @cython.wraparound(False)
    def count_chunk(self, const uint32_t[::1] codes, Py_ssize_t stop, bint normalize=True,
                    uint32_t n_parts=1, uint32_t part=0, bint count_totals=True):
        """Count the n-grams that start at positions ``[0, stop)`` of ``codes``.

        N-grams may extend up to ``len(codes)`` but never across a run boundary. Callers that
        stream chunk by chunk pass ``stop = len(codes) - (max_n - 1)`` and carry ``codes[stop:]``
        to the front of the next chunk (``stop = len(codes)`` for the last one).

        Parameters
        ----------
        codes : uint32[::1]  (IN) code points.
        stop : int  (IN) first start position *not* counted.
        normalize : bool  (IN) apply the full-width -> ASCII map on the fly.
        n_parts, part : int  (IN) count only n-grams whose first character hashes to ``part``.
        count_totals : bool  (IN) add to the per-order totals (once per position, whatever the part).

        Returns
        -------
        status : int
            ``OK``, or ``OVER_BUDGET`` when the table would outgrow ``max_bytes`` (the table is
            then incomplete and must be discarded).
        """
        cdef Py_ssize_t n = codes.shape[0]
        if stop > n or stop < 0:
            raise ValueError("stop out of range")
        if stop == 0:
            return OK
        cdef uint64_t* cur = <uint64_t*>malloc(stop * sizeof(uint64_t))
        if cur == NULL:
            raise MemoryError()
        memset(cur, 0xFF, stop * sizeof(uint64_t))     # all NONE
        cdef Py_ssize_t i, j, b0, b1
        cdef uint64_t key, slot, run, inserted
        cdef uint32_t c
        cdef int k
        cdef uint64_t pending[PREFETCH]
        try:
            if count_totals and n_parts > 1:
                # totals[k] += number of positions whose run continues for >= k characters
                run = 0
                for i in range(n - 1, -1, -1):
                    c = normalize_char(codes[i]) if normalize else codes[i]
                    if is_word_char(c):
                        if run < <uint64_t>self.max_n:
                            run += 1
                    else:
                        run = 0
                    if i < stop:
                        for k in range(1, <int>run + 1):
                            self._totals[k] += 1
            for k in range(1, self.max_n + 1):
                inserted = 0
                for b0 in range(0, stop, BLOCK):
                    b1 = min(b0 + BLOCK, stop)
                    if self._ensure_room(b1 - b0, cur, stop):
                        return OVER_BUDGET
                    with nogil:
                        # extend each surviving (k-1)-gram at i by the character at i + k - 1;
                        # the probe for position i is issued PREFETCH iterations before its use
                        for i in range(b0, b1 + PREFETCH):
                            j = i - PREFETCH
                            if j >= b0:
                                key = pending[(j - b0) % PREFETCH]
                                if key == 0:
                                    cur[j] = NONE
                                else:
                                    slot = self._find_or_insert(key)
                                    self.slots[slot].count += 1
                                    cur[j] = slot
                                    inserted += 1
                            if i < b1:
                                key = 0
                                j = i + k - 1
                                if j < n and (k == 1 or cur[i] != NONE):
                                    c = normalize_char(codes[j]) if normalize else codes[j]
                                    if is_word_char(c):
                                        if k > 1:
                                            key = make_key(k, cur[i], c)
                                        elif n_parts == 1 or part_of(c, n_parts) == part:
                                            key = make_key(1, 0, c)
                                        if key:
                                            nz_prefetch(&self.slots[self._home(key)])
                                pending[(i - b0) % PREFETCH] = key
                if count_totals and n_parts == 1:
                    self._totals[k] += inserted
            return OK
        finally:
            free(cur)

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def add(self, const uint32_t[:, ::1] codes, const uint8_t[::1] lengths, const uint64_t[::1] counts):
        """Add ``counts[r]`` to the n-gram ``codes[r, :lengths[r]]`` for every row r (exact merge).

        Missing prefixes are created with count 0. Totals are not touched (see ``add_totals``).
        Returns ``OVER_BUDGET`` if the table would outgrow ``max_bytes``, else ``OK``.
        """
        cdef Py_ssize_t m = codes.shape[0], r
        cdef int d, length
        cdef uint64_t parent, slot
        if lengths.shape[0] != m or counts.shape[0] != m:
            raise ValueError("codes, lengths and counts must have the same number of rows")
        for r in range(m):
            length = lengths[r]
            if length < 1 or length > self.max_n or length > codes.shape[1]:
                raise ValueError(f"row {r}: length {length} outside [1, {self.max_n}]")
            if self.used + <uint64_t>length > self.grow_at:
                if self._ensure_room(length + 4096, NULL, 0):
                    return OVER_BUDGET
            parent = 0
            for d in range(length):
                slot = self._find_or_insert(make_key(d + 1, parent, codes[r, d] & CHAR_MASK))
                parent = slot
            self.slots[parent].count += counts[r]
        return OK

    def add_totals(self, const uint64_t[::1] totals):
        """Add per-order totals (index k = order k; index 0 ignored)."""
        cdef Py_ssize_t k
        for k in range(1, min(totals.shape[0], self.max_n + 1)):
            self._totals[k] += totals[k]

    # ------------------------------------------------------------------ reading
    @cython.boundscheck(False)
    @cython.wraparound(False)
    def lookup(self, const uint32_t[:, ::1] codes, const uint8_t[::1] lengths):
        """Counts of the n-grams ``codes[r, :lengths[r]]`` (0 when absent or too long).

        Returns
        -------
        counts : ndarray of uint64, shape (m,)
        """
        cdef Py_ssize_t m = codes.shape[0], r
        cdef int d, length
        cdef uint64_t parent, slot
        out = np.zeros(m, dtype=np.uint64)
        cdef uint64_t[::1] o = out
        if lengths.shape[0] != m:
            raise ValueError("codes and lengths must have the same number of rows")
        with nogil:
            for r in range(m):
                length = lengths[r]
                if length < 1 or length > self.max_n or length > codes.shape[1]:
                    continue
                parent = 0
                for d in range(length):
                    slot = self._find(make_key(d + 1, parent, codes[r, d] & CHAR_MASK))
                    if slot == NONE:
                        break
                    parent = slot
                else:
                    o[r] = self.slots[parent].count
        return out

    @cython.boundscheck(False)
    @cython.wraparound(False)
    def export(self, uint64_t min_count=1):
        """All n-grams with count >= ``min_count``, parents before children.

        Returns
        -------
        codes : ndarray of uint32, shape (n, max_n)  code points, zero-padded
        lengths : ndarray of uint8, shape (n,)
        counts : ndarray of uint64, shape (n,)
        parent : ndarray of int64, shape (n,)  row of the (n-1)-prefix, -1 for 1-grams
        """
        cdef uint64_t cap = self.capacity, i, key
        cdef int64_t n = 0, row, p
        cdef int depth, d
        for i in range(cap):
            if self.slots[i].key != 0 and self.slots[i].count >= min_count:
                n += 1
        codes_a = np.zeros((n, self.max_n), dtype=np.uint32)
        lengths_a = np.zeros(n, dtype=np.uint8)
        counts_a = np.zeros(n, dtype=np.uint64)
        parent_a = np.full(n, -1, dtype=np.int64)
        cdef uint32_t[:, ::1] C = codes_a
        cdef uint8_t[::1] L = lengths_a
        cdef uint64_t[::1] N = counts_a
        cdef int64_t[::1] P = parent_a
        cdef int64_t* row_of = <int64_t*>malloc(cap * sizeof(int64_t))
        if row_of == NULL:
            raise MemoryError()
        memset(row_of, 0xFF, cap * sizeof(int64_t))     # all -1
        try:
            with nogil:
                row = 0
                # counts never grow along a path, so a kept n-gram's prefixes are all kept
                for depth in range(1, self.max_n + 1):
                    for i in range(cap):
                        key = self.slots[i].key
                        if key == 0 or <int>key_depth(key) != depth or self.slots[i].count < min_count:
                            continue
                        if depth > 1 and row_of[key_parent(key)] < 0:
                            continue        # prefix dropped (only after add() of non-monotone counts)
                        row_of[i] = row
                        if depth > 1:
                            p = row_of[key_parent(key)]
                            P[row] = p
                            for d in range(depth - 1):
                                C[row, d] = C[p, d]
                        C[row, depth - 1] = <uint32_t>(key & CHAR_MASK)
                        L[row] = depth
                        N[row] = self.slots[i].count
                        row += 1
        finally:
            free(row_of)
        if row < n:
            return codes_a[:row].copy(), lengths_a[:row].copy(), counts_a[:row].copy(), parent_a[:row].copy()
        return codes_a, lengths_a, counts_a, parent_a

    @property
    def totals(self):
        """ndarray of uint64, shape (max_n + 1,): number of n-gram occurrences of each order
        (index 0 unused), counted before any pruning."""
        out = np.zeros(self.max_n + 1, dtype=np.uint64)
        cdef int k
        for k in range(1, self.max_n + 1):
            out[k] = self._totals[k]
        return out

    @property
    def size(self):
        """Number of distinct n-grams stored."""
        return self.used

    @property
    def nbytes(self):
        """Bytes held by the slot array."""
        return self.capacity * sizeof(Slot)


@cython.boundscheck(False)
@cython.wraparound(False)
def word_mask(const uint32_t[::1] codes, bint normalize=True):
    """uint8 mask: 1 where ``codes[i]`` is a word character (after normalisation if asked)."""
    cdef Py_ssize_t n = codes.shape[0], i
    out = np.empty(n, dtype=np.uint8)
    cdef uint8_t[::1] o = out
    cdef uint32_t c
    with nogil:
        for i in range(n):
            c = normalize_char(codes[i]) if normalize else codes[i]
            o[i] = is_word_char(c)
    return out


@cython.boundscheck(False)
@cython.wraparound(False)
def normalize_codes(uint32_t[::1] codes):
    """Apply the full-width -> ASCII map of SPEC §0 in place."""
    cdef Py_ssize_t i
    with nogil:
        for i in range(codes.shape[0]):
            codes[i] = normalize_char(codes[i])
