# Character n-gram counting: a prefix trie stored in one open-addressing hash table.
#
# Every n-gram w (1 <= |w| <= max_n) is a node; its key packs (depth, slot of its prefix, last
# character), so extending an n-gram by one character is one hash probe and any order works with
# raw code points (no alphabet mapping). A slot is 16 bytes {key, count, id}: the n-gram, its count
# and its dense id among the n-grams of its order (given at insertion, kept when the table grows)
# sit in one cache line, so counting can hand back the id of every n-gram at every position. Counting walks a chunk order by order (all 1-grams, then all 2-grams
# extending them, ...), so consecutive probes are independent and can be prefetched.
#
# Slot indices move when the table grows; growing rebuilds the table depth by depth and hands back
# the old -> new index map so callers can fix indices they hold.
#
# No policy here: the Python layer (nlpzero/ngrams.py) decides chunking, budgets and pruning.
cimport cython
from libc.stdint cimport uint8_t, uint16_t, uint32_t, int32_t, uint64_t, int64_t
from libc.stdlib cimport calloc, malloc, free
from libc.string cimport memcpy, memset
from libc.math cimport log

import numpy as np
cimport numpy as cnp

from _textmodel cimport is_word_char, normalize_char, is_ascii_alnum
from _utf8 cimport put_utf8

cnp.import_array()

from _native cimport nz_alloc_table, nz_free_table, nz_prefetch, nz_prefetch_r

cdef enum:
    CHAR_BITS = 21
    DEPTH_SHIFT = 58
    MAX_ORDER = 32
    PREFETCH = 32          # probes in flight
    BLOCK = 1 << 12       # positions between growth checks (bounds over-reservation)
    WORD_LIMIT = 0x40000  # every word character (is_word_char) is below this code point

cdef uint64_t CHAR_MASK = (<uint64_t>1 << CHAR_BITS) - 1
cdef uint64_t PARENT_MASK = (<uint64_t>1 << (DEPTH_SHIFT - CHAR_BITS)) - 1
cdef uint64_t NONE = <uint64_t>0xFFFFFFFFFFFFFFFF
cdef uint32_t NO_SLOT = <uint32_t>0xFFFFFFFF     # a missing slot in 32-bit slot arrays
cdef uint64_t GOLDEN = <uint64_t>0x9E3779B97F4A7C15

#: count_chunk() status codes
OK = 0
OVER_BUDGET = 1
COUNT_OVERFLOW = 2         # an n-gram was seen 2**32 - 1 times or more

#: symbols of a collapsed ASCII letter/digit stretch (see ``encode_symbols``)
DIGIT_SYMBOL = 0x30        # '0': a stretch of digits only
LATIN_SYMBOL = 0x41        # 'A': any other stretch of ASCII letters and digits

ctypedef struct Slot:
    uint64_t key      # 0 = empty; otherwise depth << 58 | prefix slot << 21 | last char
    uint32_t count    # saturates at MAX_COUNT (reported as an error, never wrapped)
    uint32_t id       # dense id of the n-gram among those of its order (insertion order)

cdef uint32_t MAX_COUNT = <uint32_t>0xFFFFFFFF


cdef inline uint64_t make_key(uint64_t depth, uint64_t parent, uint64_t c) noexcept nogil:
    return (depth << DEPTH_SHIFT) | (parent << CHAR_BITS) | c


cdef inline uint64_t key_depth(uint64_t key) noexcept nogil:
    return key >> DEPTH_SHIFT


cdef inline uint64_t key_parent(uint64_t key) noexcept nogil:
    return (key >> CHAR_BITS) & PARENT_MASK


cdef inline uint32_t part_of(uint32_t c, uint32_t n_parts) noexcept nogil:
    # which of n_parts hash partitions an n-gram starting with c belongs to
    return <uint32_t>(((<uint64_t>(c * <uint32_t>2654435761u)) * n_parts) >> 32)


#: ``buckets()`` value of a slot that is not exported
NO_BUCKET = 0xFFFF


cdef inline uint32_t bucket_of(uint32_t c, uint32_t n_buckets) noexcept nogil:
    # export batch of an n-gram starting with c: a hash mixed independently of part_of, so the
    # n-grams of one counting partition spread over all batches
    cdef uint32_t h = c * <uint32_t>0x85EBCA77u
    h ^= h >> 15
    h *= <uint32_t>0xC2B2AE3Du
    h ^= h >> 13
    return <uint32_t>((<uint64_t>h * n_buckets) >> 32)


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
    cdef uint64_t by_depth[MAX_ORDER + 1]   # distinct n-grams of each order
    cdef uint64_t grow_at
    cdef readonly int max_n
    cdef readonly uint64_t max_bytes
    cdef uint64_t* _totals
    # count_chunk's working arrays, kept from call to call (a chunk's worth: allocating and
    # faulting them in again for every chunk cost more than the depth-1 probes); see free_buffers
    cdef uint64_t* _cur
    cdef Py_ssize_t* _live
    cdef uint32_t* _sym
    cdef Py_ssize_t _n_cur
    cdef Py_ssize_t _n_sym
    # slot + 1 of the 1-gram of each word character, 0 while unknown: order 1 needs no hash
    # probe (a cache of the table, cleared when slots move)
    cdef uint64_t* _char_slot

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
        nz_free_table(self.slots, self.capacity * sizeof(Slot))
        free(self._totals)
        self._free_buffers()

    cdef int _alloc(self, uint64_t cap) except -1:
        self.slots = <Slot*>nz_alloc_table(cap * sizeof(Slot))
        if self.slots == NULL:
            raise MemoryError(f"cannot allocate an n-gram table of {cap * sizeof(Slot)} bytes")
        self.capacity = cap
        self.mask = cap - 1
        self.shift = 64
        while (<uint64_t>1 << (64 - self.shift)) < cap:
            self.shift -= 1
        self.used = 0
        memset(self.by_depth, 0, sizeof(self.by_depth))
        self.grow_at = (cap * 3) // 4      # maximum load factor 0.75 (linear probing)
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
                s.count = 0
                s.id = <uint32_t>self.by_depth[key >> DEPTH_SHIFT]
                self.used += 1
                self.by_depth[key >> DEPTH_SHIFT] += 1
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
    cdef inline uint64_t _walk(self, const uint32_t[:, ::1] codes, Py_ssize_t r, int length) noexcept nogil:
        """Slot of the n-gram ``codes[r, :length]``, NONE when absent or not a valid length."""
        cdef uint64_t parent = 0
        cdef int d
        if length < 1 or length > self.max_n or length > codes.shape[1]:
            return NONE
        for d in range(length):
            parent = self._find(make_key(d + 1, parent, codes[r, d] & CHAR_MASK))
            if parent == NONE:
                return NONE
        return parent

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
        if self._char_slot != NULL:
            memset(self._char_slot, 0, WORD_LIMIT * sizeof(uint64_t))     # the slots move
        cdef uint64_t i, j, key, depth
        cdef uint64_t batch[PREFETCH]
        cdef uint64_t keys[PREFETCH]
        cdef int nb, b
        with nogil:
            for depth in range(1, <uint64_t>self.max_n + 1):
                i = 0
                while i < old_cap:
                    # a batch of this depth's slots, then its independent misses in stages:
                    # the parents' new slots, then the new home slots, then the insertions
                    nb = 0
                    while i < old_cap and nb < PREFETCH:
                        key = old[i].key
                        if key != 0 and key_depth(key) == depth:
                            batch[nb] = i
                            nb += 1
                            if depth > 1:
                                nz_prefetch_r(&remap[key_parent(key)])
                        i += 1
                    for b in range(nb):
                        key = old[batch[b]].key
                        keys[b] = make_key(depth, 0 if depth == 1 else remap[key_parent(key)], key & CHAR_MASK)
                        nz_prefetch(&self.slots[self._home(keys[b])])
                    for b in range(nb):
                        j = self._find_or_insert(keys[b])
                        self.slots[j].count = old[batch[b]].count
                        self.slots[j].id = old[batch[b]].id        # ids never change
                        remap[batch[b]] = j
        nz_free_table(old, old_cap * sizeof(Slot))
        return remap

    cdef int _ensure_room(self, uint64_t extra, uint64_t* held, Py_ssize_t n_held,
                          const Py_ssize_t* via=NULL) except -1:
        """Grow (if needed) so ``extra`` more insertions fit; remap ``held`` slot indices (the
        ``n_held`` first of them, or with ``via`` only ``held[via[i]]`` for ``i < n_held``).
        Returns 1 when the byte budget forbids growing, else 0."""
        cdef uint64_t new_cap = self.capacity
        while self.used + extra > (new_cap * 3) // 4:
            new_cap <<= 1
        if new_cap == self.capacity:
            return 0
        if self.max_bytes and new_cap * sizeof(Slot) > self.max_bytes:
            return 1
        cdef uint64_t* remap = self._grow(new_cap)
        cdef Py_ssize_t i
        cdef Py_ssize_t h
        for i in range(n_held):
            h = i if via == NULL else via[i]
            if held[h] != NONE:
                held[h] = remap[held[h]]
        free(remap)
        return 0

    def reserve(self, uint64_t n):
        """Grow once so that ``n`` n-grams fit (as far as ``max_bytes`` allows): a caller's hint
        of the final size, so the table does not double its way up (each doubling rebuilds it).
        Counts and ids are unchanged."""
        cdef uint64_t new_cap = self.capacity
        while n > (new_cap * 3) // 4 and (self.max_bytes == 0 or 2 * new_cap * sizeof(Slot) <= self.max_bytes):
            new_cap <<= 1
        if new_cap > self.capacity:
            free(self._grow(new_cap))

    # ------------------------------------------------------------------ counting
    def count_chunk(self, const uint32_t[::1] codes, Py_ssize_t stop, bint normalize=True,
                    uint32_t n_parts=1, uint32_t part=0, bint count_totals=True,
                    int32_t[:, ::1] ids=None):
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
        ids : int32[max_n, stop], optional  (OUT) ``ids[k-1, i]`` = dense id of the order-k n-gram
            at i (-1 where there is none), the ids of ``NgramView``.

        Returns
        -------
        status : int
            ``OK``; ``OVER_BUDGET`` when the table would outgrow ``max_bytes``, ``COUNT_OVERFLOW``
            when a count reached 2**32 - 1 (the table is then incomplete or saturated and must be
            discarded).
        """
        cdef Py_ssize_t n = codes.shape[0]
        if stop > n or stop < 0:
            raise ValueError("stop out of range")
        if stop == 0:
            return OK
        cdef bint keep = ids is not None
        if keep and (ids.shape[0] < self.max_n or ids.shape[1] < stop):
            raise ValueError("ids must have shape (max_n, stop)")
        self._reserve_buffers(stop, n)
        # cur[p]: slot of the n-gram of the current order at p (set for live positions only)
        cdef uint64_t* cur = self._cur
        # the positions still extending: word characters (of this partition) at order 1, then
        # those whose n-gram of the order before exists; a partition's pass visits few positions
        cdef Py_ssize_t* live = self._live
        # each position's symbol once: the normalised code point of a word character, 0 for a
        # boundary (every order reads it; 0 is never a word character)
        cdef uint32_t* sym = self._sym
        cdef uint64_t* char_slot = self._char_slot
        cdef Py_ssize_t i, j, b0, b1, p, q, n_live, m
        cdef uint64_t key, slot, run, inserted
        cdef uint32_t c
        cdef int k
        cdef uint64_t pending[PREFETCH]
        cdef bint overflow = False
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
        n_live = 0
        with nogil:
            for i in range(n):
                c = normalize_char(codes[i]) if normalize else codes[i]
                sym[i] = c if is_word_char(c) else 0
            for i in range(stop):
                c = sym[i]
                if c != 0 and (n_parts == 1 or part_of(c, n_parts) == part):
                    live[n_live] = i
                    n_live += 1
            if keep:
                for k in range(self.max_n):
                    for i in range(stop):
                        ids[k, i] = -1
        for k in range(1, self.max_n + 1):
            inserted = 0
            b0 = 0
            while b0 < n_live:
                b1 = min(b0 + BLOCK, n_live)
                # the slots held: the live positions' (at order 1 only those counted so far)
                if self._ensure_room(b1 - b0, cur, b0 if k == 1 else n_live, live):
                    # the budget forbids growing: go on in blocks no larger than the room
                    # left (a position inserts at most one n-gram), so a table close to its
                    # budget is filled instead of given up early
                    if self.used >= self.grow_at:
                        return OVER_BUDGET
                    b1 = min(b1, b0 + <Py_ssize_t>(self.grow_at - self.used))
                if k == 1:
                    # a word character's 1-gram: its slot is cached by code point (live
                    # positions hold word characters, all below WORD_LIMIT)
                    with nogil:
                        for i in range(b0, b1):
                            p = live[i]
                            c = sym[p]
                            slot = char_slot[c]
                            if slot == 0:
                                slot = self._find_or_insert(make_key(1, 0, c)) + 1
                                char_slot[c] = slot
                            slot -= 1
                            if self.slots[slot].count == MAX_COUNT:
                                overflow = True
                            else:
                                self.slots[slot].count += 1
                            cur[p] = slot
                            if keep:
                                ids[0, p] = <int32_t>self.slots[slot].id
                    inserted += b1 - b0
                    b0 = b1
                    continue
                with nogil:
                    # extend each surviving (k-1)-gram at p by the character at p + k - 1;
                    # the probe for live[i] is issued PREFETCH iterations before its use
                    for i in range(b0, b1 + PREFETCH):
                        q = i - PREFETCH
                        if q >= b0:
                            p = live[q]
                            key = pending[(q - b0) % PREFETCH]
                            if key == 0:
                                cur[p] = NONE
                            else:
                                slot = self._find_or_insert(key)
                                if self.slots[slot].count == MAX_COUNT:
                                    overflow = True
                                else:
                                    self.slots[slot].count += 1
                                cur[p] = slot
                                inserted += 1
                                if keep:
                                    ids[k - 1, p] = <int32_t>self.slots[slot].id
                        if i < b1:
                            p = live[i]
                            key = 0
                            j = p + k - 1
                            if j < n:
                                c = sym[j]
                                if c != 0:
                                    key = make_key(k, cur[p], c)
                                if key:
                                    nz_prefetch(&self.slots[self._home(key)])
                            pending[(i - b0) % PREFETCH] = key
                b0 = b1
            if count_totals and n_parts == 1:
                self._totals[k] += inserted
            if k == self.max_n:
                break
            m = 0
            with nogil:
                for i in range(n_live):
                    if cur[live[i]] != NONE:
                        live[m] = live[i]
                        m += 1
            n_live = m
        return COUNT_OVERFLOW if overflow else OK

    cdef int _reserve_buffers(self, Py_ssize_t n_cur, Py_ssize_t n_sym) except -1:
        if n_cur > self._n_cur:
            free(self._cur)
            free(self._live)
            self._n_cur = 0
            self._cur = <uint64_t*>malloc(n_cur * sizeof(uint64_t))
            self._live = <Py_ssize_t*>malloc(n_cur * sizeof(Py_ssize_t))
            if self._cur == NULL or self._live == NULL:
                self._free_buffers()
                raise MemoryError()
            self._n_cur = n_cur
        if self._char_slot == NULL:
            self._char_slot = <uint64_t*>calloc(WORD_LIMIT, sizeof(uint64_t))
            if self._char_slot == NULL:
                raise MemoryError()
        if n_sym > self._n_sym:
            free(self._sym)
            self._n_sym = 0
            self._sym = <uint32_t*>malloc(n_sym * sizeof(uint32_t))
            if self._sym == NULL:
                self._free_buffers()
                raise MemoryError()
            self._n_sym = n_sym
        return 0

    def free_buffers(self):
        """Free the working arrays ``count_chunk`` keeps from call to call (about 20 bytes per
        code point of the largest chunk); call it when counting is over. Counts are unchanged."""
        self._free_buffers()

    cdef void _free_buffers(self) noexcept:
        free(self._cur)
        free(self._live)
        free(self._sym)
        free(self._char_slot)
        self._char_slot = NULL
        self._cur = NULL
        self._live = NULL
        self._sym = NULL
        self._n_cur = 0
        self._n_sym = 0

    def add(self, const uint32_t[:, ::1] codes, const uint8_t[::1] lengths, const uint64_t[::1] counts):
        """Add ``counts[r]`` to the n-gram ``codes[r, :lengths[r]]`` for every row r (exact merge).

        Missing prefixes are created with count 0. Totals are not touched (see ``add_totals``).
        Returns ``OVER_BUDGET`` if the table would outgrow ``max_bytes``, ``COUNT_OVERFLOW`` if a
        count would reach 2**32 - 1, else ``OK``.
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
            if counts[r] > <uint64_t>(MAX_COUNT - self.slots[parent].count):
                self.slots[parent].count = MAX_COUNT
                return COUNT_OVERFLOW
            self.slots[parent].count += <uint32_t>counts[r]
        return OK

    def add_totals(self, const uint64_t[::1] totals):
        """Add per-order totals (index k = order k; index 0 ignored)."""
        cdef Py_ssize_t k
        for k in range(1, min(totals.shape[0], self.max_n + 1)):
            self._totals[k] += totals[k]

    # ------------------------------------------------------------------ reading
    def lookup(self, const uint32_t[:, ::1] codes, const uint8_t[::1] lengths):
        """Counts of the n-grams ``codes[r, :lengths[r]]`` (0 when absent or too long).

        Returns
        -------
        counts : ndarray of uint64, shape (m,)
        """
        cdef Py_ssize_t m = codes.shape[0], r
        cdef uint64_t slot
        out = np.zeros(m, dtype=np.uint64)
        cdef uint64_t[::1] o = out
        if lengths.shape[0] != m:
            raise ValueError("codes and lengths must have the same number of rows")
        with nogil:
            for r in range(m):
                slot = self._walk(codes, r, lengths[r])
                if slot != NONE:
                    o[r] = self.slots[slot].count
        return out

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

    def buckets(self, uint32_t n_buckets, uint64_t min_count=1):
        """Split the exported n-grams into ``n_buckets`` batches by a hash of their first symbol.

        Returns
        -------
        buckets : ndarray of uint16, shape (capacity,)
            Per slot, the batch (0..n_buckets-1) of its n-gram, or ``NO_BUCKET`` for an empty
            slot and for an n-gram that ``export(min_count)`` leaves out (its count, or a prefix's,
            is below ``min_count``). Read by :meth:`export_bucket`; valid while the table does
            not change.
        """
        if n_buckets < 1 or n_buckets >= NO_BUCKET:
            raise ValueError(f"n_buckets must be in [1, {NO_BUCKET - 1}], got {n_buckets}")
        cdef uint64_t cap = self.capacity, i, key
        cdef int depth
        out = np.full(cap, NO_BUCKET, dtype=np.uint16)
        cdef uint16_t[::1] B = out
        with nogil:
            # parents before children, as in export(): a child inherits its parent's batch
            for depth in range(1, self.max_n + 1):
                for i in range(cap):
                    key = self.slots[i].key
                    if key == 0 or <int>key_depth(key) != depth or self.slots[i].count < min_count:
                        continue
                    if depth == 1:
                        B[i] = <uint16_t>bucket_of(<uint32_t>(key & CHAR_MASK), n_buckets)
                    else:
                        B[i] = B[key_parent(key)]
        return out

    def export_bucket(self, const uint16_t[::1] buckets, uint32_t bucket, int order=0):
        """The n-grams of one batch of :meth:`buckets` (only those of length ``order`` when it is
        not 0), in slot order: ``(codes, lengths, counts)`` as :meth:`export` gives them.

        Exporting every batch of one ``buckets()`` call gives exactly the rows of
        ``export(min_count)``, with no more than one batch in memory at a time.
        """
        if <uint64_t>buckets.shape[0] != self.capacity:
            raise ValueError("buckets must come from this table's buckets()")
        return self._export_where(&buckets[0], <uint16_t>bucket, 0, order)

    def export_kept(self, uint64_t min_count=1, int order=0):
        """The rows of ``export(min_count)`` (only those of length ``order`` when it is not 0),
        in slot order, from one scan of the table: what ``export_bucket`` gives for the one
        batch of ``buckets(1, min_count)``, without the scans of ``buckets``.

        Returns ``(codes, lengths, counts)`` as :meth:`export_bucket` does.
        """
        return self._export_where(NULL, 0, min_count, order)

    cdef inline bint _selected(self, uint64_t i, const uint16_t* buckets, uint16_t b, uint64_t min_count,
                               int order) noexcept nogil:
        """Whether slot ``i`` is exported: in batch ``b`` of ``buckets``, or (``buckets`` NULL)
        used and seen at least ``min_count`` times; of length ``order`` unless it is 0."""
        cdef uint64_t key = self.slots[i].key
        if buckets != NULL:
            if buckets[i] != b:
                return False
        elif key == 0 or self.slots[i].count < min_count:
            return False
        return order == 0 or <int>key_depth(key) == order

    cdef tuple _export_where(self, const uint16_t* buckets, uint16_t b, uint64_t min_count, int order):
        """``(codes, lengths, counts)`` of the slots :meth:`_selected` picks, in slot order; a slot
        with a prefix seen fewer than ``min_count`` times gets no row."""
        cdef uint64_t cap = self.capacity, i
        cdef int64_t n = 0, row
        cdef uint64_t batch[PREFETCH]
        cdef int nb
        with nogil:
            for i in range(cap):
                if self._selected(i, buckets, b, min_count, order):
                    n += 1
        codes_a = np.zeros((n, self.max_n), dtype=np.uint32)
        lengths_a = np.zeros(n, dtype=np.uint8)
        counts_a = np.zeros(n, dtype=np.uint64)
        cdef uint32_t[:, ::1] C = codes_a
        cdef uint8_t[::1] L = lengths_a
        cdef uint64_t[::1] N = counts_a
        with nogil:
            row = 0
            i = 0
            while i < cap:
                nb = 0
                while i < cap and nb < PREFETCH:
                    if self._selected(i, buckets, b, min_count, order):
                        batch[nb] = i
                        nb += 1
                    i += 1
                row += self._rows_of(batch, nb, C, L, N, row, min_count)
        if row < n:     # a prefix below min_count (only in tables made by add())
            return codes_a[:row].copy(), lengths_a[:row].copy(), counts_a[:row].copy()
        return codes_a, lengths_a, counts_a

    cdef int _rows_of(self, uint64_t* batch, int nb, uint32_t[:, ::1] C, uint8_t[::1] L,
                      uint64_t[::1] N, int64_t row, uint64_t min_count=0) noexcept nogil:
        """Rows from ``row`` on for the slots ``batch[:nb]``: length, count and the symbols, from
        the last back to the first along the prefix chains, walked in lockstep so the parents'
        (random) slots of the whole batch are prefetched together. A slot with a prefix seen
        fewer than ``min_count`` times gets no row (the rows stay packed); returns the rows
        written."""
        cdef uint64_t at[PREFETCH]
        cdef int left[PREFETCH]
        cdef bint ok[PREFETCH]
        cdef int t, depth, w
        cdef bint more = False, dropped = False
        cdef uint64_t key
        for t in range(nb):
            key = self.slots[batch[t]].key
            depth = <int>key_depth(key)
            L[row + t] = depth
            N[row + t] = self.slots[batch[t]].count
            C[row + t, depth - 1] = <uint32_t>(key & CHAR_MASK)
            left[t] = depth - 1
            ok[t] = True
            at[t] = key_parent(key)
            if left[t] > 0:
                nz_prefetch_r(&self.slots[at[t]])
                more = True
        while more:
            more = False
            for t in range(nb):
                if left[t] > 0:
                    key = self.slots[at[t]].key
                    if self.slots[at[t]].count < min_count:
                        ok[t] = False
                        dropped = True
                    left[t] -= 1
                    C[row + t, left[t]] = <uint32_t>(key & CHAR_MASK)
                    at[t] = key_parent(key)
                    if left[t] > 0:
                        nz_prefetch_r(&self.slots[at[t]])
                        more = True
        if not dropped:
            return nb
        w = 0
        for t in range(nb):
            if ok[t]:
                if w != t:
                    L[row + w] = L[row + t]
                    N[row + w] = N[row + t]
                    for depth in range(C.shape[1]):
                        C[row + w, depth] = C[row + t, depth]
                w += 1
        for t in range(w, nb):
            L[row + t] = 0
            N[row + t] = 0
            for depth in range(C.shape[1]):
                C[row + t, depth] = 0
        return w

    def export_stats(self, uint64_t min_count, int max_depth):
        """The n-grams of orders 1..``max_depth`` seen at least ``min_count`` times, with the
        right-extension sum of each: ``Σ c(y) log c(y)`` over the n-grams y = x·a in this table
        (the sum of nats that the right branching entropy ``h_r(x) = log c(x) − sum / c(x)``
        needs; extensions seen once add 1·log 1 = 0). Every extension of x shares x's first
        symbol, so in a table of one hash partition the sums are exact.

        Returns
        -------
        codes : ndarray of uint32, shape (n, max_n), zero-padded; lengths : uint8 (n,);
        counts : uint64 (n,); sums : float64 (n,)
        """
        if max_depth < 1 or max_depth > self.max_n:
            raise ValueError(f"max_depth must be in [1, {self.max_n}], got {max_depth}")
        cdef uint64_t cap = self.capacity, i, key, s
        cdef double* acc = <double*>calloc(cap, sizeof(double))
        if acc == NULL:
            raise MemoryError()
        cdef int64_t n = 0, row
        cdef int depth, d
        cdef double c
        try:
            with nogil:
                for i in range(cap):
                    key = self.slots[i].key
                    if key != 0 and key_depth(key) > 1 and self.slots[i].count > 1 \
                            and <int>key_depth(key) <= max_depth + 1:
                        c = <double>self.slots[i].count
                        acc[key_parent(key)] += c * log(c)
                for i in range(cap):
                    key = self.slots[i].key
                    if key != 0 and <int>key_depth(key) <= max_depth and self.slots[i].count >= min_count:
                        n += 1
            codes_a = np.zeros((n, self.max_n), dtype=np.uint32)
            lengths_a = np.zeros(n, dtype=np.uint8)
            counts_a = np.zeros(n, dtype=np.uint64)
            sums_a = np.zeros(n, dtype=np.float64)
            if n == 0:
                return codes_a, lengths_a, counts_a, sums_a
            self._fill_rows(codes_a, lengths_a, counts_a, sums_a, acc, min_count, max_depth)
            return codes_a, lengths_a, counts_a, sums_a
        finally:
            free(acc)

    cdef int _fill_rows(self, uint32_t[:, ::1] C, uint8_t[::1] L, uint64_t[::1] N, double[::1] S,
                        double* acc, uint64_t min_count, int max_depth) except -1:
        cdef uint64_t cap = self.capacity, i, key
        cdef uint64_t batch[PREFETCH]
        cdef int64_t row = 0
        cdef int nb, t
        with nogil:
            i = 0
            while i < cap:
                nb = 0
                while i < cap and nb < PREFETCH:
                    key = self.slots[i].key
                    if key != 0 and self.slots[i].count >= min_count and <int>key_depth(key) <= max_depth:
                        batch[nb] = i
                        nb += 1
                    i += 1
                self._rows_of(batch, nb, C, L, N, row)
                for t in range(nb):
                    S[row + t] = acc[batch[t]]
                row += nb
        return 0

    def ids_of(self, const uint32_t[:, ::1] codes, const uint8_t[::1] lengths):
        """Dense ids (those of ``NgramView``) of the n-grams ``codes[r, :lengths[r]]``, -1 where
        absent (int64, shape (m,))."""
        cdef Py_ssize_t m = codes.shape[0], r
        cdef uint64_t slot
        out = np.full(m, -1, dtype=np.int64)
        cdef int64_t[::1] o = out
        if lengths.shape[0] != m:
            raise ValueError("codes and lengths must have the same number of rows")
        with nogil:
            for r in range(m):
                slot = self._walk(codes, r, lengths[r])
                if slot != NONE:
                    o[r] = self.slots[slot].id
        return out

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


def format_rows(const uint32_t[:, ::1] codes, const uint64_t[::1] counts):
    """``ngram<TAB>count\\n`` lines in UTF-8 for rows of zero-padded code points (as ``export``
    gives them; the n-gram ends at its first 0) and their counts: the TSV body of a listing."""
    cdef Py_ssize_t m = codes.shape[0], width = codes.shape[1], r, j, pos = 0
    if counts.shape[0] != m:
        raise ValueError("codes and counts must have the same number of rows")
    cdef Py_ssize_t cap = m * (4 * width + 22) + 1
    cdef char* buf = <char*>malloc(cap)
    if buf == NULL:
        raise MemoryError()
    cdef uint32_t c
    cdef uint64_t v
    cdef char digits[24]
    cdef int nd
    try:
        with nogil:
            for r in range(m):
                for j in range(width):
                    c = codes[r, j]
                    if c == 0:
                        break
                    pos = put_utf8(<unsigned char*>buf, pos, c)
                buf[pos] = b'\t'
                pos += 1
                v = counts[r]
                nd = 0
                while True:
                    digits[nd] = <char>(48 + v % 10)
                    nd += 1
                    v //= 10
                    if v == 0:
                        break
                while nd > 0:
                    nd -= 1
                    buf[pos] = digits[nd]
                    pos += 1
                buf[pos] = b'\n'
                pos += 1
        return buf[:pos]
    finally:
        free(buf)


def utf8_codes(const uint8_t[::1] data, bint final=False):
    """Code points of strict UTF-8 bytes, as Python's ``bytes.decode("utf-8")`` accepts them
    (no overlong forms, no surrogates, nothing above U+10FFFF).

    Decoding stops before an incomplete sequence at the end (unless ``final``: then that is an
    error) and at the first invalid sequence.

    Returns
    -------
    codes : ndarray of uint32
        The code points decoded.
    used : int
        Bytes decoded (``data[used:]`` is the incomplete tail, or starts at the error).
    bad : bool
        True when decoding stopped at an invalid (or, with ``final``, incomplete) sequence at
        ``data[used]``: the caller lets the text decoder raise its error there.
    """
    cdef Py_ssize_t n = data.shape[0], i = 0, m = 0, need, j
    out = np.empty(n, dtype=np.uint32)
    cdef uint32_t[::1] o = out
    cdef uint32_t b, cp, lo, hi, x, x1, x2
    cdef bint bad = False
    with nogil:
        while i < n:
            b = data[i]
            if b < 0x80:
                o[m] = b
                m += 1
                i += 1
                continue
            if 0xE1 <= b <= 0xEF and b != 0xED and i + 2 < n:
                # the common case of CJK text: a 3-byte sequence without range restrictions
                x1 = data[i + 1]
                x2 = data[i + 2]
                if (x1 & 0xC0) == 0x80 and (x2 & 0xC0) == 0x80:
                    o[m] = ((b & 0x0F) << 12) | ((x1 & 0x3F) << 6) | (x2 & 0x3F)
                    m += 1
                    i += 3
                    continue
            if b < 0xC2:
                bad = True
                break
            elif b < 0xE0:
                need = 1
                cp = b & 0x1F
                lo = 0x80
                hi = 0xBF
            elif b < 0xF0:
                need = 2
                cp = b & 0x0F
                lo = 0xA0 if b == 0xE0 else 0x80
                hi = 0x9F if b == 0xED else 0xBF
            elif b < 0xF5:
                need = 3
                cp = b & 0x07
                lo = 0x90 if b == 0xF0 else 0x80
                hi = 0x8F if b == 0xF4 else 0xBF
            else:
                bad = True
                break
            j = 1
            while j <= need and i + j < n:
                x = data[i + j]
                if j == 1:
                    if x < lo or x > hi:
                        break
                elif x < 0x80 or x > 0xBF:
                    break
                cp = (cp << 6) | (x & 0x3F)
                j += 1
            if j <= need:
                # a bad continuation byte, or the data ends inside the sequence
                bad = final or i + j < n
                break
            o[m] = cp
            m += 1
            i += need + 1
    return out[:m], i, bad


cdef enum:
    RADIX_BITS = 11
    RADIX = 1 << RADIX_BITS
    RADIX_DIGITS = 6       # 6 * 11 bits cover a 64-bit key


cdef int _sort_pairs(uint64_t** key, int64_t** idx, uint64_t** key_tmp, int64_t** idx_tmp,
                     Py_ssize_t n, Py_ssize_t* hist) noexcept nogil:
    """Stable LSD radix sort of the pairs (key[i], idx[i]) by key, 11 bits a pass; a pass whose
    digit is the same for every key is skipped. The sorted pairs end in ``*key``/``*idx`` (the
    buffers may be swapped with the temporaries)."""
    cdef Py_ssize_t i, pos, total
    cdef int d, b
    cdef uint64_t k
    cdef uint64_t* ka = key[0]
    cdef int64_t* ia = idx[0]
    cdef uint64_t* kb = key_tmp[0]
    cdef int64_t* ib = idx_tmp[0]
    cdef uint64_t* kt
    cdef int64_t* it
    cdef Py_ssize_t* h
    cdef bint trivial
    memset(hist, 0, RADIX_DIGITS * RADIX * sizeof(Py_ssize_t))
    for i in range(n):
        k = ka[i]
        for d in range(RADIX_DIGITS):
            hist[d * RADIX + <int>((k >> (RADIX_BITS * d)) & (RADIX - 1))] += 1
    for d in range(RADIX_DIGITS):
        h = hist + d * RADIX
        trivial = False
        for b in range(RADIX):
            if h[b] == n:
                trivial = True
                break
            if h[b] != 0:
                break
        if trivial:
            continue
        total = 0
        for b in range(RADIX):
            pos = h[b]
            h[b] = total
            total += pos
        for i in range(n):
            k = ka[i]
            b = <int>((k >> (RADIX_BITS * d)) & (RADIX - 1))
            pos = h[b]
            h[b] = pos + 1
            kb[pos] = k
            ib[pos] = ia[i]
        kt = ka
        ka = kb
        kb = kt
        it = ia
        ia = ib
        ib = it
    key[0] = ka
    idx[0] = ia
    key_tmp[0] = kb
    idx_tmp[0] = ib
    return 0


def frequency_order(const uint32_t[:, ::1] codes, const uint8_t[::1] lengths, const uint64_t[::1] counts):
    """Row indices (int64) that put n-gram rows in frequency order: count descending, then
    shorter first, then by code point (rows as ``export`` gives them: zero-padded code points).

    The sort keys are packed into 64-bit words (count, length and the first symbol in the
    first; three 21-bit symbols in each further one) and sorted by a stable radix sort from the
    least significant word up. Rows must be distinct n-grams (the order is then total).
    """
    cdef Py_ssize_t n = codes.shape[0], w = codes.shape[1], i, r
    cdef int word, j, col, words
    if lengths.shape[0] != n or counts.shape[0] != n:
        raise ValueError("codes, lengths and counts must have the same number of rows")
    if w < 1:
        raise ValueError("codes must have at least one column")
    order_a = np.arange(n, dtype=np.int64)
    if n <= 1:
        return order_a
    words = 1 + <int>((w - 1 + 2) // 3)
    cdef uint64_t* ka = <uint64_t*>malloc(n * sizeof(uint64_t))
    cdef uint64_t* kb = <uint64_t*>malloc(n * sizeof(uint64_t))
    cdef int64_t* ib = <int64_t*>malloc(n * sizeof(int64_t))
    cdef int64_t* ia = <int64_t*>malloc(n * sizeof(int64_t))
    cdef Py_ssize_t* hist = <Py_ssize_t*>malloc(RADIX_DIGITS * RADIX * sizeof(Py_ssize_t))
    cdef uint64_t k, c
    cdef int64_t[::1] out = order_a
    try:
        if ka == NULL or kb == NULL or ia == NULL or ib == NULL or hist == NULL:
            raise MemoryError()
        with nogil:
            for i in range(n):
                ia[i] = i
            for word in range(words - 1, -1, -1):
                # the word of each row, in the current order (the rows' first use is in row order)
                for i in range(n):
                    r = ia[i]
                    if word == 0:
                        c = counts[r]
                        if c > <uint64_t>MAX_COUNT:
                            c = <uint64_t>MAX_COUNT
                        k = ((<uint64_t>MAX_COUNT - c) << 29) | (<uint64_t>lengths[r] << 21) \
                            | (<uint64_t>codes[r, 0] & CHAR_MASK)
                    else:
                        k = 0
                        for j in range(3):
                            col = 3 * word - 2 + j
                            if col < w:
                                k |= (<uint64_t>codes[r, col] & CHAR_MASK) << (21 * (2 - j))
                    ka[i] = k
                _sort_pairs(&ka, &ia, &kb, &ib, n, hist)
            for i in range(n):
                out[i] = ia[i]
    finally:
        free(ka)
        free(kb)
        free(ia)
        free(ib)
        free(hist)
    return order_a


def take_rows(const uint32_t[:, ::1] codes, const uint8_t[::1] lengths, const uint64_t[::1] counts,
              const int64_t[::1] idx):
    """``(codes[idx], lengths[idx], counts[idx])`` in one pass (rows prefetched ahead)."""
    cdef Py_ssize_t n = idx.shape[0], m = codes.shape[0], w = codes.shape[1], i, j
    cdef int64_t r
    if lengths.shape[0] != m or counts.shape[0] != m:
        raise ValueError("codes, lengths and counts must have the same number of rows")
    codes_a = np.empty((n, w), dtype=np.uint32)
    lengths_a = np.empty(n, dtype=np.uint8)
    counts_a = np.empty(n, dtype=np.uint64)
    cdef uint32_t[:, ::1] C = codes_a
    cdef uint8_t[::1] L = lengths_a
    cdef uint64_t[::1] N = counts_a
    cdef bint bad = False
    with nogil:
        for i in range(n):
            if idx[i] < 0 or idx[i] >= m:
                bad = True
                break
        if not bad:
            for i in range(n):
                if i + PREFETCH < n:
                    r = idx[i + PREFETCH]
                    nz_prefetch_r(&codes[r, 0])
                    nz_prefetch_r(&counts[r])
                r = idx[i]
                for j in range(w):
                    C[i, j] = codes[r, j]
                L[i] = lengths[r]
                N[i] = counts[r]
    if bad:
        raise IndexError("row index out of range")
    return codes_a, lengths_a, counts_a


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


def normalize_codes(uint32_t[::1] codes):
    """Apply the full-width -> ASCII map of the text model in place."""
    cdef Py_ssize_t i
    with nogil:
        for i in range(codes.shape[0]):
            codes[i] = normalize_char(codes[i])


def encode_symbols(const uint32_t[::1] codes, bint normalize=True, bint collapse_ascii=True):
    """The symbol sequence of a text chunk that ends at a line end (or at the end of the text).

    A symbol is a (normalised, when asked) word character; with ``collapse_ascii`` each maximal
    stretch of ASCII letters and digits is one symbol instead: ``DIGIT_SYMBOL`` ('0') when it holds
    digits only, ``LATIN_SYMBOL`` ('A') otherwise. A separator 0 follows every run, so counting
    the returned ``sym`` with ``count_chunk(sym, len(sym), normalize=False)`` counts the n-grams of
    symbols, and no n-gram crosses a run boundary.

    Returns
    -------
    sym : ndarray of uint32
        Code point of each symbol, 0 for the separator after each run.
    start, end : ndarray of int64
        The span of each symbol in ``codes``; a separator spans the boundary characters up to
        the next word character.
    """
    cdef Py_ssize_t n = codes.shape[0], i = 0, j, m = 0
    sym_a = np.empty(n + 1, dtype=np.uint32)
    start_a = np.empty(n + 1, dtype=np.int64)
    end_a = np.empty(n + 1, dtype=np.int64)
    cdef uint32_t[::1] sym = sym_a
    cdef int64_t[::1] start = start_a
    cdef int64_t[::1] end = end_a
    cdef uint32_t c
    cdef bint digits
    with nogil:
        while i < n:
            c = normalize_char(codes[i]) if normalize else codes[i]
            if not is_word_char(c):
                j = i + 1
                while j < n:
                    c = normalize_char(codes[j]) if normalize else codes[j]
                    if is_word_char(c):
                        break
                    j += 1
                if m > 0 and sym[m - 1] != 0:
                    sym[m] = 0
                    start[m] = i
                    end[m] = j
                    m += 1
                elif m > 0:
                    end[m - 1] = j
                i = j
                continue
            if collapse_ascii and is_ascii_alnum(c):
                digits = True
                j = i
                while j < n:
                    c = normalize_char(codes[j]) if normalize else codes[j]
                    if not is_ascii_alnum(c):
                        break
                    if c > 57:
                        digits = False
                    j += 1
                sym[m] = 0x30 if digits else 0x41     # DIGIT_SYMBOL, LATIN_SYMBOL
                start[m] = i
                end[m] = j
                m += 1
                i = j
                continue
            sym[m] = c
            start[m] = i
            end[m] = i + 1
            m += 1
            i += 1
        if m > 0 and sym[m - 1] != 0:
            sym[m] = 0
            start[m] = n
            end[m] = n
            m += 1
    return sym_a[:m], start_a[:m], end_a[:m]


@cython.final
cdef class NgramView:
    """Dense ids, counts and prefix/suffix links of the n-grams of a finished ``NgramTable``.

    The table gives every n-gram a dense id among those of its order when it is inserted; the
    view lays the counts out by id and adds the links: the prefix link of an order-k n-gram w is
    the id of w[:-1] (its trie parent), the suffix link the id of w[1:], found by one probe from
    the suffix of its parent. With dense ids the statistics of discovery are flat arrays indexed
    by id, and :meth:`ids` (or ``count_chunk(..., ids=...)``) gives the id of every n-gram
    starting at every position of a symbol chunk, so segmentation needs no other index.

    The view reads the table: the table must not change while the view is in use.

    Parameters
    ----------
    table : NgramTable
        The counts (any ``min_count`` pruning keeps the prefix and suffix closure, since neither
        is rarer than the n-gram).
    """
    cdef NgramTable table
    cdef readonly int max_n
    cdef readonly int64_t n_symbols
    cdef list _count
    cdef list _prefix
    cdef list _suffix
    cdef object _chars

    def __cinit__(self, NgramTable table):
        self.table = table
        self.max_n = table.max_n
        self.n_symbols = <int64_t>table._totals[1]
        cdef uint64_t cap = table.capacity, i, i0, i1, key, ps, s
        cdef int K = table.max_n, d
        cdef int64_t sizes[MAX_ORDER + 1]
        cdef int64_t first[MAX_ORDER + 2]
        first[1] = 0
        for d in range(1, K + 1):
            sizes[d] = <int64_t>table.by_depth[d]
            first[d + 1] = first[d] + sizes[d]
        cdef int64_t total = first[K + 1]
        cdef Slot* slots = table.slots
        # per row (first[d] + id): last symbol and slot of the suffix
        cdef uint32_t* last = <uint32_t*>malloc(max(total, 1) * sizeof(uint32_t))
        cdef uint64_t* suf_slot = <uint64_t*>malloc(max(total, 1) * sizeof(uint64_t))
        if last == NULL or suf_slot == NULL:
            free(last)
            free(suf_slot)
            raise MemoryError()
        cdef int64_t* cnt_p[MAX_ORDER + 1]
        cdef int32_t* pre_p[MAX_ORDER + 1]
        cdef int32_t* suf_p[MAX_ORDER + 1]
        self._count, self._prefix, self._suffix = [], [], []
        for d in range(1, K + 1):
            count_a = np.empty(sizes[d], dtype=np.int64)
            prefix_a = np.full(sizes[d], -1, dtype=np.int32)
            suffix_a = np.full(sizes[d], -1, dtype=np.int32)
            cnt_p[d] = <int64_t*>cnp.PyArray_DATA(count_a)
            pre_p[d] = <int32_t*>cnp.PyArray_DATA(prefix_a)
            suf_p[d] = <int32_t*>cnp.PyArray_DATA(suffix_a)
            self._count.append(count_a)
            self._prefix.append(prefix_a)
            self._suffix.append(suffix_a)
        cdef int64_t r, r0, r1, row, n
        cdef uint32_t ident
        cdef uint64_t keys[PREFETCH]
        try:
            with nogil:
                # one scan of the table: counts, last symbols and prefix links by id (the
                # parents' slots are random: a block's are prefetched before they are read)
                i0 = 0
                while i0 < cap:
                    i1 = min(i0 + PREFETCH, cap)
                    for i in range(i0, i1):
                        key = slots[i].key
                        if key != 0 and key_depth(key) > 1:
                            nz_prefetch_r(&slots[key_parent(key)])
                    for i in range(i0, i1):
                        key = slots[i].key
                        if key == 0:
                            continue
                        d = <int>key_depth(key)
                        ident = slots[i].id
                        cnt_p[d][ident] = slots[i].count
                        last[first[d] + ident] = <uint32_t>(key & CHAR_MASK)
                        if d > 1:
                            pre_p[d][ident] = <int32_t>slots[key_parent(key)].id
                    i0 = i1
                # suffix links, order by order: the suffix of w is (suffix of w's prefix) + its
                # last symbol; both misses of the chain are prefetched a block at a time
                for r in range(sizes[1]):
                    suf_slot[r] = NONE
                for d in range(2, K + 1):
                    n = sizes[d]
                    r0 = 0
                    while r0 < n:
                        r1 = min(r0 + PREFETCH, n)
                        if d > 2:
                            for r in range(r0, r1):
                                nz_prefetch_r(&suf_slot[first[d - 1] + pre_p[d][r]])
                        for r in range(r0, r1):
                            row = first[d] + r
                            if d == 2:
                                keys[r - r0] = make_key(1, 0, last[row])
                            else:
                                ps = suf_slot[first[d - 1] + pre_p[d][r]]
                                keys[r - r0] = 0 if ps == NONE else make_key(d - 1, ps, last[row])
                            if keys[r - r0]:
                                nz_prefetch_r(&slots[table._home(keys[r - r0])])
                        for r in range(r0, r1):
                            s = NONE if keys[r - r0] == 0 else table._find(keys[r - r0])
                            suf_slot[first[d] + r] = s
                            if s != NONE:
                                suf_p[d][r] = <int32_t>slots[s].id
                        r0 = r1
            chars = np.empty(sizes[1], dtype=np.uint32)
            if sizes[1]:
                memcpy(cnp.PyArray_DATA(chars), last, sizes[1] * sizeof(uint32_t))
            self._chars = chars
        finally:
            free(last)
            free(suf_slot)

    def level(self, int k):
        """(count int64, prefix int32, suffix int32) of order ``k``, by id (prefix and suffix are
        -1 for order 1). The arrays belong to the view: do not modify them."""
        if k < 1 or k > self.max_n:
            raise ValueError(f"order must be in [1, {self.max_n}], got {k}")
        return self._count[k - 1], self._prefix[k - 1], self._suffix[k - 1]

    def chars(self):
        """Code point (symbol) of each order-1 id (uint32)."""
        return self._chars

    def ids(self, const uint32_t[::1] sym):
        """Ids of the n-grams starting at every position of a symbol chunk.

        Parameters
        ----------
        sym : uint32[::1]
            Symbols as ``encode_symbols`` returns them (non-word code points such as the
            separator 0 end a run).

        Returns
        -------
        ids : ndarray of int32, shape (max_n, len(sym))
            ``ids[k-1, i]`` is the id of the order-k n-gram at ``i``, -1 when it crosses a run
            boundary or is not in the table.
        """
        cdef Py_ssize_t m = sym.shape[0], i, b0, b1
        cdef int K = self.max_n, k
        ids_a = np.full((K, m), -1, dtype=np.int32)
        cdef int32_t[:, ::1] ids = ids_a
        if m == 0:
            return ids_a
        cdef uint64_t* cur = <uint64_t*>malloc(m * sizeof(uint64_t))
        if cur == NULL:
            raise MemoryError()
        cdef uint64_t keys[PREFETCH]
        cdef uint64_t key, slot
        cdef uint32_t c
        cdef NgramTable t = self.table
        try:
            with nogil:
                for i in range(m):
                    cur[i] = NONE
                for k in range(1, K + 1):
                    b0 = 0
                    while b0 < m - k + 1:
                        b1 = min(b0 + PREFETCH, m - k + 1)
                        # the block's probes are independent: prefetch their home slots first
                        for i in range(b0, b1):
                            key = 0
                            c = sym[i + k - 1]
                            if is_word_char(c):
                                if k == 1:
                                    key = make_key(1, 0, c)
                                elif cur[i] != NONE:
                                    key = make_key(k, cur[i], c)
                            keys[i - b0] = key
                            if key:
                                nz_prefetch_r(&t.slots[t._home(key)])
                        for i in range(b0, b1):
                            key = keys[i - b0]
                            if key == 0:
                                cur[i] = NONE
                                continue
                            slot = t._find(key)
                            cur[i] = slot
                            if slot != NONE:
                                ids[k - 1, i] = <int32_t>t.slots[slot].id
                        b0 = b1
                    for i in range(max(m - k + 1, 0), m):
                        cur[i] = NONE
        finally:
            free(cur)
        return ids_a

    @property
    def nbytes(self):
        """Bytes held by the view's arrays (not the table)."""
        total = 0
        for a in self._count + self._prefix + self._suffix:
            total += a.nbytes
        return int(total)
