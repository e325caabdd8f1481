# cython: language_level=3
"""Sentence-template kernels for ``nlpzero.templates`` (private).

Arrays in, arrays out, no policy. Tokens are dense int32 word ids; a corpus is the id array
plus the pieces ``[pstart[i], pend[i])`` (token stretches between punctuation, at most
``max_len`` tokens each). A template is a sequence of elements, a word id (>= 0) or -1 for a
placeholder X, never two X in a row; templates are concatenated in ``telems`` with offsets
``toff``. Its *runs* are its maximal stretches of words: a template with k runs is
``[X] W_1 X W_2 ... X W_k [X]`` (the outer X optional).

* :func:`encode_lines` maps token lists to ids through a dict (new words are added).
* :func:`pieces` cuts lines into pieces at boundary tokens and every ``max_len`` tokens.
* :func:`count_pairs` counts skip-gram pairs (u, v) at distance 1..window inside pieces
  (:func:`count_pairs_hash`, the hash-map counter it falls back to past 65,536 active words,
  is callable too, so that tests check both against the same reference).
* :func:`chain_templates` builds, in every piece, the chains of the link graph by the
  nearest-free-successor rule and counts the distinct templates they spell.
* :func:`parse_pieces` finds, per piece, the parse of minimum code length by dynamic
  programming over spans, and returns the statistics hard EM needs (and the trees if asked).
"""
from libc.stdint cimport int32_t, int64_t, uint64_t, uint8_t, uint32_t
from libc.stdlib cimport free, malloc, realloc, calloc
from libc.string cimport memcmp, memcpy, memset
from libc.math cimport INFINITY
from cpython.dict cimport PyDict_GetItem
from cpython.long cimport PyLong_AsSsize_t

import numpy as np

cimport numpy as cnp

cnp.import_array()


cdef int grow(void **buf, int64_t *cap, int64_t need, size_t item) noexcept nogil:
    """Make ``*buf`` hold at least ``need`` items (doubling); 0 on success."""
    cdef int64_t c
    cdef void *p
    if need <= cap[0]:
        return 0
    c = cap[0] * 2 if cap[0] else 1024
    while c < need:
        c *= 2
    p = realloc(buf[0], c * item)
    if p == NULL:
        return -1
    buf[0] = p
    cap[0] = c
    return 0


cdef inline uint64_t mix64(uint64_t x) noexcept nogil:
    x ^= x >> 30
    x *= <uint64_t> 0xbf58476d1ce4e5b9ULL
    x ^= x >> 27
    x *= <uint64_t> 0x94d049bb133111ebULL
    x ^= x >> 31
    return x


# ------------------------------------------------------------------ int64 -> int64 hash map

cdef struct Map:
    int64_t *keys      # -1 = empty
    int64_t *vals
    int64_t mask
    int64_t size


cdef int map_init(Map *m, int64_t expected) noexcept nogil:
    cdef int64_t cap = 1024
    while cap < 2 * expected:
        cap *= 2
    m.keys = <int64_t *> malloc(cap * sizeof(int64_t))
    m.vals = <int64_t *> malloc(cap * sizeof(int64_t))
    if m.keys == NULL or m.vals == NULL:
        return -1
    memset(m.keys, 0xFF, cap * sizeof(int64_t))
    m.mask = cap - 1
    m.size = 0
    return 0


cdef void map_free(Map *m) noexcept nogil:
    free(m.keys)
    free(m.vals)
    m.keys = NULL
    m.vals = NULL


cdef int map_rehash(Map *m) noexcept nogil:
    cdef int64_t old_cap = m.mask + 1, cap = 2 * old_cap, i, j, k
    cdef int64_t *keys = <int64_t *> malloc(cap * sizeof(int64_t))
    cdef int64_t *vals = <int64_t *> malloc(cap * sizeof(int64_t))
    if keys == NULL or vals == NULL:
        free(keys)
        free(vals)
        return -1
    memset(keys, 0xFF, cap * sizeof(int64_t))
    for i in range(old_cap):
        k = m.keys[i]
        if k >= 0:
            j = <int64_t> (mix64(<uint64_t> k) & <uint64_t> (cap - 1))
            while keys[j] >= 0:
                j = (j + 1) & (cap - 1)
            keys[j] = k
            vals[j] = m.vals[i]
    free(m.keys)
    free(m.vals)
    m.keys = keys
    m.vals = vals
    m.mask = cap - 1
    return 0


cdef inline int64_t map_slot(Map *m, int64_t key) noexcept nogil:
    """Slot of ``key`` (existing or the empty slot where it would go)."""
    cdef int64_t j = <int64_t> (mix64(<uint64_t> key) & <uint64_t> m.mask)
    while m.keys[j] >= 0 and m.keys[j] != key:
        j = (j + 1) & m.mask
    return j


cdef inline int map_add(Map *m, int64_t key, int64_t delta) noexcept nogil:
    cdef int64_t j = map_slot(m, key)
    if m.keys[j] < 0:
        m.keys[j] = key
        m.vals[j] = delta
        m.size += 1
        if 2 * m.size > m.mask:
            return map_rehash(m)
        return 0
    m.vals[j] += delta
    return 0


cdef inline int64_t map_get(Map *m, int64_t key, int64_t missing) noexcept nogil:
    cdef int64_t j = map_slot(m, key)
    if m.keys[j] < 0:
        return missing
    return m.vals[j]


# ------------------------------------------------------------------ input

def encode_lines(lines, dict vocab):
    """Word ids of every token list in ``lines`` (new words added to ``vocab``).

    Returns (ids int32, line offsets int64 of n_lines + 1). A str line is split on whitespace.
    """
    cdef int32_t *ids = NULL
    cdef int64_t *offs = NULL
    cdef int64_t n = 0, cap = 0, cap_t = 0, k = 0
    cdef object x, tr
    cdef void *p
    cdef Py_ssize_t idx
    try:
        if grow(<void **> &offs, &cap_t, 1, sizeof(int64_t)) != 0:
            raise MemoryError()
        offs[0] = 0
        for tr in lines:
            if isinstance(tr, str):
                tr = tr.split()
            elif not isinstance(tr, list):
                tr = list(tr)
            if grow(<void **> &ids, &cap, n + len(tr), sizeof(int32_t)) != 0:
                raise MemoryError()
            for x in tr:
                p = <void *> PyDict_GetItem(vocab, x)
                if p == NULL:
                    if not isinstance(x, str):
                        raise TypeError(f"tokens must be str, got {type(x).__name__} {x!r:.40}")
                    if not x:
                        continue
                    idx = len(vocab)
                    if idx >= 2147483647:
                        raise OverflowError("more than 2**31 - 1 distinct words")
                    vocab[x] = idx
                else:
                    idx = PyLong_AsSsize_t(<object> p)
                ids[n] = <int32_t> idx
                n += 1
            k += 1
            if grow(<void **> &offs, &cap_t, k + 1, sizeof(int64_t)) != 0:
                raise MemoryError()
            offs[k] = n
        ids_arr = np.empty(n, dtype=np.int32)
        off_arr = np.empty(k + 1, dtype=np.int64)
        if n:
            memcpy(cnp.PyArray_DATA(ids_arr), ids, n * sizeof(int32_t))
        memcpy(cnp.PyArray_DATA(off_arr), offs, (k + 1) * sizeof(int64_t))
        return ids_arr, off_arr
    finally:
        free(ids)
        free(offs)


cdef inline bint _is_space(uint8_t c) noexcept nogil:
    return c == 32 or (9 <= c <= 13) or (28 <= c <= 31)


def encode_bytes(const uint8_t[::1] data, dict vocab):
    """Word ids of a segmented UTF-8 text: lines end at ``\\n``, tokens are separated by ASCII
    whitespace (and U+001C..U+001F, as ``str.split``). The caller has checked that the text
    decodes and holds no other whitespace. New words are added to ``vocab`` (token -> id).

    Returns (ids int32, line offsets int64) like :func:`encode_lines` over ``str.split`` lines.

    Each distinct token's bytes are copied once into a compact arena, and a hash slot holds the
    token id with 32 bits of its hash, so a token is compared with bytes that stay in cache
    rather than with its first occurrence somewhere in the text.
    """
    cdef int64_t n = data.shape[0], i = 0, start, n_tok = 0, n_lines = 0, cap_t = 0, cap_l = 0
    cdef int32_t *ids = NULL
    cdef int64_t *offs = NULL
    cdef uint64_t *slots = NULL     # hash table: (high 32 bits of the hash << 32) | (id + 1), 0 empty
    cdef int64_t *tok_off = NULL    # per token id: its bytes in the arena (offset, length)
    cdef int32_t *tok_len = NULL
    cdef uint64_t *tok_hash = NULL
    cdef uint8_t *arena = NULL
    cdef int64_t cap_a = 0, n_a = 0
    cdef int64_t mask = (1 << 16) - 1, n_words = 0, cap_w = 0, j, k, idx, m, tl
    cdef uint64_t h, sl, tag
    cdef bint same
    cdef const uint8_t *d = &data[0] if n else NULL
    cdef list words = []
    existing = list(vocab)
    if existing:
        # start from the given vocabulary: its words keep their ids
        raise ValueError("encode_bytes builds a fresh vocabulary")
    try:
        slots = <uint64_t *> calloc(mask + 1, sizeof(uint64_t))
        # at most one token per two bytes (a token and its separator), plus one
        cap_t = n // 2 + 1
        ids = <int32_t *> malloc(cap_t * sizeof(int32_t))
        if slots == NULL or ids == NULL or grow(<void **> &offs, &cap_l, 1, sizeof(int64_t)) != 0:
            raise MemoryError()
        offs[0] = 0
        while i < n:
            # one line
            while i < n and d[i] != 10:
                if _is_space(d[i]):
                    i += 1
                    continue
                start = i
                h = 1469598103934665603ULL
                while i < n and not _is_space(d[i]):
                    h = (h ^ d[i]) * 1099511628211ULL
                    i += 1
                h = mix64(h)
                tl = i - start
                tag = h & 0xFFFFFFFF00000000ULL
                j = <int64_t> (h & <uint64_t> mask)
                idx = -1
                while True:
                    sl = slots[j]
                    if sl == 0:
                        break
                    if (sl & 0xFFFFFFFF00000000ULL) == tag:
                        k = <int64_t> (sl & 0xFFFFFFFFULL) - 1
                        if tok_len[k] == tl and memcmp(arena + tok_off[k], d + start, tl) == 0:
                            idx = k
                            break
                    j = (j + 1) & mask
                if idx < 0:
                    idx = n_words
                    if n_words + 1 > cap_w:
                        m = cap_w
                        if grow(<void **> &tok_off, &m, n_words + 1, sizeof(int64_t)) != 0:
                            raise MemoryError()
                        m = cap_w
                        if grow(<void **> &tok_len, &m, n_words + 1, sizeof(int32_t)) != 0:
                            raise MemoryError()
                        m = cap_w
                        if grow(<void **> &tok_hash, &m, n_words + 1, sizeof(uint64_t)) != 0:
                            raise MemoryError()
                        cap_w = m
                    if grow(<void **> &arena, &cap_a, n_a + tl, sizeof(uint8_t)) != 0:
                        raise MemoryError()
                    memcpy(arena + n_a, d + start, tl)
                    tok_off[idx] = n_a
                    n_a += tl
                    tok_len[idx] = <int32_t> tl
                    tok_hash[idx] = h
                    slots[j] = tag | <uint64_t> (idx + 1)
                    n_words += 1
                    w = (<bytes> d[start:i]).decode("utf-8")
                    words.append(w)
                    if 2 * n_words > mask:
                        # rehash
                        free(slots)
                        mask = 2 * mask + 1
                        slots = <uint64_t *> calloc(mask + 1, sizeof(uint64_t))
                        if slots == NULL:
                            raise MemoryError()
                        for k in range(n_words):
                            j = <int64_t> (tok_hash[k] & <uint64_t> mask)
                            while slots[j] != 0:
                                j = (j + 1) & mask
                            slots[j] = (tok_hash[k] & 0xFFFFFFFF00000000ULL) | <uint64_t> (k + 1)
                ids[n_tok] = <int32_t> idx
                n_tok += 1
            # end of line (or of the data)
            if i < n or n_tok > offs[n_lines] or (n > 0 and d[n - 1] != 10):
                n_lines += 1
                if grow(<void **> &offs, &cap_l, n_lines + 1, sizeof(int64_t)) != 0:
                    raise MemoryError()
                offs[n_lines] = n_tok
            i += 1
        for k in range(n_words):
            vocab[words[k]] = k
        if len(vocab) != n_words:
            raise ValueError("two byte sequences decode to the same token")
        ids_arr = np.empty(n_tok, dtype=np.int32)
        off_arr = np.empty(n_lines + 1, dtype=np.int64)
        if n_tok:
            memcpy(cnp.PyArray_DATA(ids_arr), ids, n_tok * sizeof(int32_t))
        memcpy(cnp.PyArray_DATA(off_arr), offs, (n_lines + 1) * sizeof(int64_t))
        return ids_arr, off_arr
    finally:
        free(ids)
        free(offs)
        free(slots)
        free(tok_off)
        free(tok_len)
        free(tok_hash)
        free(arena)


def pieces(const int32_t[::1] ids, const int64_t[::1] line_off, const uint8_t[::1] boundary,
           int64_t max_len):
    """Pieces: maximal stretches of non-boundary tokens inside a line, cut every ``max_len``.

    Returns (pstart int64, pend int64, pline int64 = the line of each piece).
    """
    cdef int64_t n_lines = line_off.shape[0] - 1, li, i, s, e, start
    cdef int64_t np_ = 0, cap = 0
    cdef int64_t *buf = NULL
    try:
        for li in range(n_lines):
            s = line_off[li]
            e = line_off[li + 1]
            i = s
            while i < e:
                if boundary[ids[i]]:
                    i += 1
                    continue
                start = i
                while i < e and not boundary[ids[i]] and i - start < max_len:
                    i += 1
                if grow(<void **> &buf, &cap, 3 * (np_ + 1), sizeof(int64_t)) != 0:
                    raise MemoryError()
                buf[3 * np_] = start
                buf[3 * np_ + 1] = i
                buf[3 * np_ + 2] = li
                np_ += 1
        arr = np.empty((np_, 3), dtype=np.int64)
        if np_:
            memcpy(cnp.PyArray_DATA(arr), buf, 3 * np_ * sizeof(int64_t))
        return np.ascontiguousarray(arr[:, 0]), np.ascontiguousarray(arr[:, 1]), np.ascontiguousarray(arr[:, 2])
    finally:
        free(buf)


# ------------------------------------------------------------------ counting

def count_pairs(const int32_t[::1] ids, const int64_t[::1] pstart, const int64_t[::1] pend,
                int window, const uint8_t[::1] active):
    """Counts of the pairs (u, v), v at distance 1..window after u in the same piece, for the
    pairs whose two words are both ``active``. Returns (keys int64 = u * V + v ascending, counts
    int64, n_pairs = the number of all pair occurrences, active or not).

    With fewer than 65,536 active words the pair keys fit 32 bits and are counted by an LSD
    radix sort (two 16-bit passes, cache friendly); otherwise by a hash map.
    """
    cdef int64_t V = active.shape[0], n_pairs = 0, p, i, j, e, k, n_out, n_act = 0, n_key = 0
    cdef int32_t u
    cdef int32_t *dense = NULL
    cdef int32_t *back = NULL
    cdef uint32_t *a = NULL
    cdef uint32_t *b = NULL
    cdef uint32_t *tmp
    cdef int64_t *cnt = NULL
    cdef int shift
    cdef uint32_t key, prev
    cdef int64_t[::1] keys_v, counts_v
    for k in range(V):
        n_act += active[k] != 0
    if n_act >= 65536:
        return count_pairs_hash(ids, pstart, pend, window, active)
    try:
        dense = <int32_t *> malloc((V + 1) * sizeof(int32_t))
        back = <int32_t *> malloc((n_act + 1) * sizeof(int32_t))
        cnt = <int64_t *> malloc(65536 * sizeof(int64_t))
        if dense == NULL or back == NULL or cnt == NULL:
            raise MemoryError()
        n_act = 0
        for k in range(V):
            if active[k]:
                dense[k] = <int32_t> n_act
                back[n_act] = <int32_t> k
                n_act += 1
            else:
                dense[k] = -1
        with nogil:
            for p in range(pstart.shape[0]):
                e = pend[p]
                for i in range(pstart[p], e):
                    n_pairs += min(<int64_t> window, e - 1 - i)
            a = <uint32_t *> malloc((n_pairs + 1) * sizeof(uint32_t))
            b = <uint32_t *> malloc((n_pairs + 1) * sizeof(uint32_t))
        if a == NULL or b == NULL:
            raise MemoryError()
        with nogil:
            for p in range(pstart.shape[0]):
                e = pend[p]
                for i in range(pstart[p], e):
                    u = dense[ids[i]]
                    if u < 0:
                        continue
                    for j in range(i + 1, min(i + 1 + window, e)):
                        if dense[ids[j]] >= 0:
                            a[n_key] = <uint32_t> u * <uint32_t> n_act + <uint32_t> dense[ids[j]]
                            n_key += 1
            for shift in range(0, 32, 16):
                memset(cnt, 0, 65536 * sizeof(int64_t))
                for k in range(n_key):
                    cnt[(a[k] >> shift) & 0xFFFF] += 1
                e = 0
                for k in range(65536):
                    i = cnt[k]
                    cnt[k] = e
                    e += i
                for k in range(n_key):
                    key = a[k]
                    j = (key >> shift) & 0xFFFF
                    b[cnt[j]] = key
                    cnt[j] += 1
                tmp = a
                a = b
                b = tmp
            # runs of equal keys
            n_out = 0
            k = 0
            while k < n_key:
                key = a[k]
                j = k + 1
                while j < n_key and a[j] == key:
                    j += 1
                b[n_out] = key
                a[n_out] = <uint32_t> (j - k)   # safe: n_out <= k
                n_out += 1
                k = j
        keys = np.empty(n_out, dtype=np.int64)
        counts = np.empty(n_out, dtype=np.int64)
        keys_v = keys
        counts_v = counts
        with nogil:
            for k in range(n_out):
                keys_v[k] = <int64_t> back[b[k] // <uint32_t> n_act] * V + back[b[k] % <uint32_t> n_act]
                counts_v[k] = a[k]
        return keys, counts, n_pairs
    finally:
        free(dense)
        free(back)
        free(cnt)
        free(a)
        free(b)


def count_pairs_hash(const int32_t[::1] ids, const int64_t[::1] pstart, const int64_t[::1] pend,
                      int window, const uint8_t[::1] active):
    cdef int64_t V = active.shape[0], n_pairs = 0, p, i, j, e, k, n_out
    cdef int32_t u
    cdef Map m
    cdef int64_t[::1] keys_v, counts_v
    if map_init(&m, 1 << 16) != 0:
        raise MemoryError()
    try:
        with nogil:
            for p in range(pstart.shape[0]):
                e = pend[p]
                for i in range(pstart[p], e):
                    n_pairs += min(<int64_t> window, e - 1 - i)
                    u = ids[i]
                    if not active[u]:
                        continue
                    for j in range(i + 1, min(i + 1 + window, e)):
                        if active[ids[j]]:
                            if map_add(&m, u * V + ids[j], 1) != 0:
                                with gil:
                                    raise MemoryError()
        keys = np.empty(m.size, dtype=np.int64)
        counts = np.empty(m.size, dtype=np.int64)
        keys_v = keys
        counts_v = counts
        n_out = 0
        with nogil:
            for k in range(m.mask + 1):
                if m.keys[k] >= 0:
                    keys_v[n_out] = m.keys[k]
                    counts_v[n_out] = m.vals[k]
                    n_out += 1
        order = np.argsort(keys, kind="stable")
        return keys[order], counts[order], n_pairs
    finally:
        map_free(&m)


# ------------------------------------------------------------------ chains -> templates

cdef struct SeqTable:
    int32_t *buf        # concatenated sequences
    int64_t n_buf, cap_buf
    int64_t *off        # n_seq + 1 offsets
    int64_t *count
    uint64_t *hash
    int64_t n_seq, cap_seq
    int64_t *slots      # hash table of sequence indices (-1 empty)
    int64_t mask


cdef uint64_t seq_hash(const int32_t *s, int64_t n) noexcept nogil:
    cdef uint64_t h = (<uint64_t> 0x9E3779B97F4A7C15ULL) ^ <uint64_t> n
    cdef int64_t i
    for i in range(n):
        h = mix64(h ^ (<uint64_t> (<uint32_t> s[i]) + (<uint64_t> 0x632BE59BD9B4E019ULL)))
    return h


cdef int seq_rehash(SeqTable *t) noexcept nogil:
    cdef int64_t cap = 2 * (t.mask + 1), i, j
    cdef int64_t *slots = <int64_t *> malloc(cap * sizeof(int64_t))
    if slots == NULL:
        return -1
    memset(slots, 0xFF, cap * sizeof(int64_t))
    for i in range(t.n_seq):
        j = <int64_t> (t.hash[i] & <uint64_t> (cap - 1))
        while slots[j] >= 0:
            j = (j + 1) & (cap - 1)
        slots[j] = i
    free(t.slots)
    t.slots = slots
    t.mask = cap - 1
    return 0


cdef int seq_add(SeqTable *t, const int32_t *s, int64_t n) noexcept nogil:
    """Count one occurrence of sequence s[0..n) (exact comparison, not hash-only)."""
    cdef uint64_t h = seq_hash(s, n)
    cdef int64_t j = <int64_t> (h & <uint64_t> t.mask), idx, k
    cdef bint same
    while True:
        idx = t.slots[j]
        if idx < 0:
            break
        if t.hash[idx] == h and t.off[idx + 1] - t.off[idx] == n:
            same = True
            for k in range(n):
                if t.buf[t.off[idx] + k] != s[k]:
                    same = False
                    break
            if same:
                t.count[idx] += 1
                return 0
        j = (j + 1) & t.mask
    # new sequence
    if grow(<void **> &t.buf, &t.cap_buf, t.n_buf + n, sizeof(int32_t)) != 0:
        return -1
    if t.n_seq + 2 > t.cap_seq:
        k = t.cap_seq
        if grow(<void **> &t.off, &k, t.n_seq + 2, sizeof(int64_t)) != 0:
            return -1
        k = t.cap_seq
        if grow(<void **> &t.count, &k, t.n_seq + 2, sizeof(int64_t)) != 0:
            return -1
        k = t.cap_seq
        if grow(<void **> &t.hash, &k, t.n_seq + 2, sizeof(uint64_t)) != 0:
            return -1
        t.cap_seq = k
    memcpy(t.buf + t.n_buf, s, n * sizeof(int32_t))
    t.n_buf += n
    t.off[t.n_seq + 1] = t.n_buf
    t.count[t.n_seq] = 1
    t.hash[t.n_seq] = h
    t.slots[j] = t.n_seq
    t.n_seq += 1
    if 2 * t.n_seq > t.mask:
        return seq_rehash(t)
    return 0


cdef int64_t spell(int32_t *seq, const int32_t *pos, int64_t r0, int64_t r1, const int32_t[::1] ids,
                   int64_t s, int64_t L) noexcept nogil:
    """The template of the positions pos[r0:r1] of a piece starting at s, of length L."""
    cdef int64_t n_el = 0, r
    if pos[r0] > 0:
        seq[n_el] = -1
        n_el += 1
    for r in range(r0, r1):
        if r > r0 and pos[r] > pos[r - 1] + 1:
            seq[n_el] = -1
            n_el += 1
        seq[n_el] = ids[s + pos[r]]
        n_el += 1
    if pos[r1 - 1] < L - 1:
        seq[n_el] = -1
        n_el += 1
    return n_el


def chain_templates(const int32_t[::1] ids, const int64_t[::1] pstart, const int64_t[::1] pend,
                    int window, const int64_t[::1] kept_keys, int64_t V, int min_words,
                    const double[::1] kept_pmi=None, bint runs=False, int max_sub=4):
    """Templates spelled by the chains of every piece's link graph, with their counts.

    Position i links to j (i < j <= i + window) when the pair (ids[i], ids[j]) is one of
    ``kept_keys`` (u * V + v). Chains, left to right: each position that has no successor yet
    takes as successor the nearest linked position that has no predecessor yet; so every
    position is in exactly one chain (a path cover of the link graph). A chain spells the
    template of its words with X for every gap between consecutive positions, and X at the
    start (end) when it does not start (end) the piece. Chains with fewer than ``min_words``
    words are not counted.

    Returns (elems int32, offsets int64, counts int64, n_chains = the number counted).
    """
    cdef Map kept
    cdef SeqTable t
    cdef int64_t p, s, e, L, i, j, k, n_chains = 0, cap_piece = 0, n_el, nw, kk, r0, r1, nr
    cdef double bp, pv
    cdef bint by_pmi = kept_pmi is not None
    cdef int32_t *pos = NULL
    cdef int32_t *succ = NULL
    cdef uint8_t *has_pred = NULL
    cdef int32_t *seq = NULL
    memset(&t, 0, sizeof(SeqTable))
    if map_init(&kept, kept_keys.shape[0]) != 0:
        raise MemoryError()
    try:
        for k in range(kept_keys.shape[0]):
            if map_add(&kept, kept_keys[k], k + 1) != 0:
                raise MemoryError()
        t.slots = <int64_t *> malloc(1024 * sizeof(int64_t))
        if t.slots == NULL:
            raise MemoryError()
        memset(t.slots, 0xFF, 1024 * sizeof(int64_t))
        t.mask = 1023
        k = 0
        if grow(<void **> &t.off, &k, 2, sizeof(int64_t)) != 0:
            raise MemoryError()
        t.off[0] = 0
        k = 0
        if grow(<void **> &t.count, &k, 2, sizeof(int64_t)) != 0:
            raise MemoryError()
        k = 0
        if grow(<void **> &t.hash, &k, 2, sizeof(uint64_t)) != 0:
            raise MemoryError()
        t.cap_seq = k
        with nogil:
            for p in range(pstart.shape[0]):
                s = pstart[p]
                e = pend[p]
                L = e - s
                if L > cap_piece:
                    cap_piece = L
                    free(succ)
                    free(has_pred)
                    free(seq)
                    free(pos)
                    pos = <int32_t *> malloc(L * sizeof(int32_t))
                    succ = <int32_t *> malloc(L * sizeof(int32_t))
                    has_pred = <uint8_t *> malloc(L)
                    seq = <int32_t *> malloc((2 * L + 1) * sizeof(int32_t))
                    if succ == NULL or has_pred == NULL or seq == NULL or pos == NULL:
                        with gil:
                            raise MemoryError()
                memset(has_pred, 0, L)
                for i in range(L):
                    succ[i] = -1
                    bp = -INFINITY
                    for j in range(i + 1, min(i + 1 + window, L)):
                        if has_pred[j]:
                            continue
                        kk = map_get(&kept, ids[s + i] * V + ids[s + j], 0)
                        if kk:
                            if not by_pmi:
                                succ[i] = <int32_t> j
                                break
                            pv = kept_pmi[kk - 1]
                            if pv > bp:
                                bp = pv
                                succ[i] = <int32_t> j
                    if succ[i] >= 0:
                        has_pred[succ[i]] = 1
                for i in range(L):
                    if has_pred[i]:
                        continue
                    # chain starting at i
                    nw = 0
                    j = i
                    while True:
                        pos[nw] = <int32_t> j
                        nw += 1
                        if succ[j] < 0:
                            break
                        j = succ[j]
                    if nw >= min_words:
                        n_el = spell(seq, pos, 0, nw, ids, s, L)
                        n_chains += 1
                        if seq_add(&t, seq, n_el) != 0:
                            with gil:
                                raise MemoryError()
                    if runs and nw >= 3:
                        # also every sub-chain of 2..max_sub consecutive chain positions
                        for r0 in range(nw - 1):
                            for r1 in range(r0 + 2, min(r0 + max_sub, nw) + 1):
                                if r1 - r0 == nw:
                                    continue
                                n_el = spell(seq, pos, r0, r1, ids, s, L)
                                if seq_add(&t, seq, n_el) != 0:
                                    with gil:
                                        raise MemoryError()
        elems = np.empty(t.n_buf, dtype=np.int32)
        offs = np.empty(t.n_seq + 1, dtype=np.int64)
        counts = np.empty(t.n_seq, dtype=np.int64)
        if t.n_buf:
            memcpy(cnp.PyArray_DATA(elems), t.buf, t.n_buf * sizeof(int32_t))
        offs[0] = 0
        if t.n_seq:
            memcpy(cnp.PyArray_DATA(offs), t.off, (t.n_seq + 1) * sizeof(int64_t))
            memcpy(cnp.PyArray_DATA(counts), t.count, t.n_seq * sizeof(int64_t))
        return elems, offs, counts, n_chains
    finally:
        map_free(&kept)
        free(t.buf)
        free(t.off)
        free(t.count)
        free(t.hash)
        free(t.slots)
        free(succ)
        free(has_pred)
        free(seq)
        free(pos)


# ------------------------------------------------------------------ parsing

cdef struct Tpl:
    int32_t n_runs
    int64_t run0          # index of the template's first run in the run arrays
    uint8_t lead          # starts with X
    uint8_t trail         # ends with X


cdef struct Work:
    # per template (global)
    Tpl *tpl
    int64_t *run_elem     # per run: index of its first word in telems
    int32_t *run_len
    int32_t *stamp        # per template: piece number when relevant, else -1
    int32_t *slot         # per template: index in the piece's relevant list
    int64_t *first_off    # CSR: anchor word (the template's rarest word) -> templates
    int32_t *first_list
    int32_t *first_w2     # in first_list order: the template's second rarest word (-1: none)
    int32_t *anchor_run   # per template: the run holding its anchor word
    int32_t *anchor_k     # per template: position of the anchor word in that run
    int32_t *word_stamp   # per word: piece number when the word occurs in the current piece
    int32_t *first_at     # per word (valid when stamped): its first position in the piece
    int32_t *next_at      # per position: the next position of the same word (-1: none)
    const int64_t *tpl_words_off  # = toff: the template's elements
    # per piece (reused)
    int32_t *rel          # relevant templates
    int64_t n_rel, cap_rel
    int64_t *occ_off      # per (relevant template, run): offsets into occ_end / F (n_runs_rel + 1)
    int64_t cap_occ_off
    int64_t *rel_run0     # per relevant template: index of its first run in occ_off
    int64_t cap_rel_run0
    int32_t *occ_end
    double *F
    double *G             # scratch for re-alignment
    int32_t *arg          # scratch for re-alignment
    int64_t cap_occ
    int64_t *ptr          # per (relevant template, run): next occurrence to process
    int64_t cap_ptr
    int64_t *lo           # per (relevant template, run): first occurrence ending after the span start
    int64_t cap_lo
    int32_t *act
    int32_t *live         # the piece's relevant templates with a finite code (indices into rel)
    int64_t *nxt          # per active template: the next end of an unprocessed run occurrence
    double *best
    double *second
    int32_t *second_id
    int32_t *choice
    double *cw
    int64_t max_L


cdef inline int32_t anchor_word(Work *W, int32_t t, const int32_t[::1] telems) noexcept nogil:
    return telems[W.run_elem[W.tpl[t].run0 + W.anchor_run[t]] + W.anchor_k[t]]


cdef inline bint run_at(const int32_t *x, int64_t L, int64_t s, const int32_t *w, int32_t n) noexcept nogil:
    cdef int32_t k
    if s < 0 or s + n > L:
        return False
    for k in range(n):
        if x[s + k] != w[k]:
            return False
    return True


cdef int find_relevant(Work *W, const int32_t *x, int64_t L, int32_t piece, const int32_t *telems) noexcept nogil:
    """Fill W.rel with the templates that can match some span of the piece, and their run
    occurrences (occ_end, sorted by end)."""
    cdef int64_t p, q, pos, s, n_occ = 0, n_rr = 0
    cdef int32_t t, r
    cdef Tpl *tp
    cdef bint ok
    cdef int64_t p0, lo, hi, g
    cdef int32_t ar, ak
    for p in range(L - 1, -1, -1):
        t = x[p]
        if W.word_stamp[t] == piece:
            W.next_at[p] = W.first_at[t]
        else:
            W.next_at[p] = -1
            W.word_stamp[t] = piece
        W.first_at[t] = <int32_t> p
    W.n_rel = 0
    for p in range(L):
        for q in range(W.first_off[x[p]], W.first_off[x[p] + 1]):
            t = W.first_list[q]
            if W.stamp[t] == piece:
                continue
            tp = &W.tpl[t]
            if W.first_w2[q] >= 0 and W.word_stamp[W.first_w2[q]] != piece:
                continue
            ok = True
            for g in range(W.tpl_words_off[t], W.tpl_words_off[t + 1]):
                if telems[g] >= 0 and W.word_stamp[telems[g]] != piece:
                    ok = False
                    break
            if not ok:
                continue
            ar = W.anchor_run[t]
            ak = W.anchor_k[t]
            # the anchor run starts at p0; it must match there
            p0 = p - ak
            if not run_at(x, L, p0, telems + W.run_elem[tp.run0 + ar], W.run_len[tp.run0 + ar]):
                continue
            # runs before the anchor, right to left, as late as possible
            ok = True
            pos = p0
            for r in range(ar - 1, -1, -1):
                s = pos - 1 - W.run_len[tp.run0 + r]
                while s >= 0 and not run_at(x, L, s, telems + W.run_elem[tp.run0 + r], W.run_len[tp.run0 + r]):
                    s -= 1
                if s < 0:
                    ok = False
                    break
                pos = s
            if not ok or (tp.lead and pos == 0):
                continue
            # runs after the anchor, left to right, as early as possible
            pos = p0 + W.run_len[tp.run0 + ar]
            for r in range(ar + 1, tp.n_runs):
                s = pos + 1
                while s + W.run_len[tp.run0 + r] <= L and not run_at(x, L, s, telems + W.run_elem[tp.run0 + r], W.run_len[tp.run0 + r]):
                    s += 1
                if s + W.run_len[tp.run0 + r] > L:
                    ok = False
                    break
                pos = s + W.run_len[tp.run0 + r]
            if not ok or (tp.trail and pos >= L):
                continue
            W.stamp[t] = piece
            if grow(<void **> &W.rel, &W.cap_rel, W.n_rel + 1, sizeof(int32_t)) != 0:
                return -1
            W.slot[t] = <int32_t> W.n_rel
            W.rel[W.n_rel] = t
            W.n_rel += 1
    # run occurrences
    for q in range(W.n_rel):
        t = W.rel[q]
        n_rr += W.tpl[t].n_runs
    if grow(<void **> &W.occ_off, &W.cap_occ_off, n_rr + 1, sizeof(int64_t)) != 0:
        return -1
    if grow(<void **> &W.rel_run0, &W.cap_rel_run0, W.n_rel + 1, sizeof(int64_t)) != 0:
        return -1
    n_rr = 0
    W.occ_off[0] = 0
    for q in range(W.n_rel):
        t = W.rel[q]
        tp = &W.tpl[t]
        W.rel_run0[q] = n_rr
        for r in range(tp.n_runs):
            # the positions of the run's first word, left to right (every word of a relevant
            # template occurs in the piece)
            s = W.first_at[telems[W.run_elem[tp.run0 + r]]]
            while s >= 0:
                if run_at(x, L, s, telems + W.run_elem[tp.run0 + r], W.run_len[tp.run0 + r]):
                    if n_occ + 1 > W.cap_occ:
                        pos = W.cap_occ
                        if grow(<void **> &W.occ_end, &pos, n_occ + 1, sizeof(int32_t)) != 0:
                            return -1
                        pos = W.cap_occ
                        if grow(<void **> &W.F, &pos, n_occ + 1, sizeof(double)) != 0:
                            return -1
                        pos = W.cap_occ
                        if grow(<void **> &W.G, &pos, n_occ + 1, sizeof(double)) != 0:
                            return -1
                        pos = W.cap_occ
                        if grow(<void **> &W.arg, &pos, n_occ + 1, sizeof(int32_t)) != 0:
                            return -1
                        W.cap_occ = pos
                    W.occ_end[n_occ] = <int32_t> (s + W.run_len[tp.run0 + r])
                    n_occ += 1
                s = W.next_at[s]
            n_rr += 1
            W.occ_off[n_rr] = n_occ
    W.rel_run0[W.n_rel] = n_rr
    if grow(<void **> &W.ptr, &W.cap_ptr, n_rr + 1, sizeof(int64_t)) != 0:
        return -1
    if grow(<void **> &W.lo, &W.cap_lo, n_rr + 1, sizeof(int64_t)) != 0:
        return -1
    return 0


cdef void piece_dp(Work *W, const int32_t *x, int64_t L, const double *t_bits,
                   const double *len_bits, double flat_bits) noexcept nogil:
    """best / second / choice for every span of the piece (a descending, b ascending).

    For a span start a, a template's run occurrences ending at or before a take no part
    (``lo``); within the b loop a template is only visited at the ends of its run occurrences
    (``nxt``) or, when it ends with X, to close a span; the others cannot change the span's
    best or second code, so skipping them gives the same result as visiting every template."""
    cdef int64_t a, b, q, r, m, mm, o0, o1, po0, po1, s, n_act, k, L1 = L + 1, e, n_live = 0, nx
    cdef int64_t never = L + 2
    cdef int32_t t, best_id, sec_id
    cdef double c, f, bst, sec, v
    cdef Tpl *tp
    cdef double *best = W.best
    cdef double *cw = W.cw
    # the relevant templates still in the code, once per piece
    for q in range(W.n_rel):
        if t_bits[W.rel[q]] != INFINITY:
            W.live[n_live] = <int32_t> q
            n_live += 1
    for a in range(L - 1, -1, -1):
        # templates that can start a span at a
        n_act = 0
        for k in range(n_live):
            q = W.live[k]
            t = W.rel[q]
            tp = &W.tpl[t]
            o0 = W.occ_off[W.rel_run0[q]]
            o1 = W.occ_off[W.rel_run0[q] + 1]
            if tp.lead:
                # needs a first-run occurrence starting after a
                if o1 > o0 and W.occ_end[o1 - 1] - W.run_len[tp.run0] > a:
                    W.act[n_act] = <int32_t> q
                    n_act += 1
            else:
                # a first-run occurrence starting at a (occurrences are sorted by end)
                for m in range(o0, o1):
                    s = W.occ_end[m] - W.run_len[tp.run0]
                    if s >= a:
                        if s == a:
                            W.act[n_act] = <int32_t> q
                            n_act += 1
                        break
        for k in range(n_act):
            q = W.act[k]
            t = W.rel[q]
            nx = never
            for r in range(W.tpl[t].n_runs):
                mm = W.rel_run0[q] + r
                o1 = W.occ_off[mm + 1]
                m = W.occ_off[mm]
                while m < o1 and W.occ_end[m] <= a:
                    m += 1
                W.ptr[mm] = m
                W.lo[mm] = m
                if m < o1 and W.occ_end[m] < nx:
                    nx = W.occ_end[m]
            W.nxt[k] = nx
        for b in range(a + 1, L + 1):
            bst = flat_bits + len_bits[b - a] + cw[b] - cw[a]
            best_id = -1
            sec = INFINITY
            sec_id = -2
            for k in range(n_act):
                q = W.act[k]
                t = W.rel[q]
                tp = &W.tpl[t]
                if W.nxt[k] == b:
                    nx = never
                    for r in range(tp.n_runs):
                        mm = W.rel_run0[q] + r
                        m = W.ptr[mm]
                        o1 = W.occ_off[mm + 1]
                        if m < o1 and W.occ_end[m] == b:
                            s = b - W.run_len[tp.run0 + r]
                            if r == 0:
                                if tp.lead:
                                    f = best[a * L1 + s] if s > a else INFINITY
                                else:
                                    f = 0.0 if s == a else INFINITY
                            else:
                                f = INFINITY
                                po0 = W.lo[mm - 1]
                                po1 = W.ptr[mm - 1]
                                while po0 < po1 and W.occ_end[po0] < s:
                                    v = W.F[po0]
                                    if v < INFINITY:
                                        v = v + best[W.occ_end[po0] * L1 + s]
                                        if v < f:
                                            f = v
                                    po0 += 1
                            W.F[m] = f
                            m += 1
                            W.ptr[mm] = m
                        if m < o1 and W.occ_end[m] < nx:
                            nx = W.occ_end[m]
                    W.nxt[k] = nx
                elif not tp.trail:
                    continue        # no run occurrence ends at b: no candidate for (a, b)
                # candidate for the span (a, b)
                mm = W.rel_run0[q] + tp.n_runs - 1
                c = INFINITY
                if tp.trail:
                    po0 = W.lo[mm]
                    po1 = W.ptr[mm]
                    while po0 < po1 and W.occ_end[po0] < b:
                        v = W.F[po0]
                        if v < INFINITY:
                            v = v + best[W.occ_end[po0] * L1 + b]
                            if v < c:
                                c = v
                        po0 += 1
                else:
                    m = W.ptr[mm] - 1
                    if m >= W.lo[mm] and W.occ_end[m] == b:
                        c = W.F[m]
                if c < INFINITY:
                    c = c + t_bits[t]
                    if c < bst:
                        if best_id != t:
                            sec = bst
                            sec_id = best_id
                        bst = c
                        best_id = t
                    elif c < sec and t != best_id:
                        sec = c
                        sec_id = t
            best[a * L1 + b] = bst
            W.second[a * L1 + b] = sec
            W.second_id[a * L1 + b] = sec_id
            W.choice[a * L1 + b] = best_id


cdef int realign(Work *W, int32_t t, int64_t a, int64_t b, int64_t L, int32_t *starts) noexcept nogil:
    """Run starts of template t's best alignment on span (a, b) (same arithmetic as piece_dp)."""
    cdef int32_t q = W.slot[t], r
    cdef Tpl *tp = &W.tpl[t]
    cdef int64_t mm, m, o0, o1, po, s, L1 = L + 1, bestm
    cdef double f, v
    cdef double *best = W.best
    for r in range(tp.n_runs):
        mm = W.rel_run0[q] + r
        o0 = W.occ_off[mm]
        o1 = W.occ_off[mm + 1]
        for m in range(o0, o1):
            W.G[m] = INFINITY
            W.arg[m] = -1
            if W.occ_end[m] <= a or W.occ_end[m] > b:
                continue
            s = W.occ_end[m] - W.run_len[tp.run0 + r]
            if r == 0:
                if tp.lead:
                    W.G[m] = best[a * L1 + s] if s > a else INFINITY
                else:
                    W.G[m] = 0.0 if s == a else INFINITY
            else:
                f = INFINITY
                for po in range(W.occ_off[mm - 1], W.occ_off[mm]):
                    if W.occ_end[po] >= s:
                        break
                    v = W.G[po]
                    if v < INFINITY:
                        v = v + best[W.occ_end[po] * L1 + s]
                        if v < f:
                            f = v
                            W.arg[m] = <int32_t> po
                W.G[m] = f
    mm = W.rel_run0[q] + tp.n_runs - 1
    bestm = -1
    f = INFINITY
    for m in range(W.occ_off[mm], W.occ_off[mm + 1]):
        if tp.trail:
            if W.occ_end[m] < b and W.G[m] < INFINITY:
                v = W.G[m] + best[W.occ_end[m] * L1 + b]
                if v < f:
                    f = v
                    bestm = m
        elif W.occ_end[m] == b and W.G[m] < f:
            f = W.G[m]
            bestm = m
    if bestm < 0:
        return -1
    m = bestm
    for r in range(tp.n_runs - 1, -1, -1):
        starts[r] = <int32_t> (W.occ_end[m] - W.run_len[tp.run0 + r])
        m = W.arg[m]
    return 0



cdef class RelCache:
    """The relevant templates and run occurrences of every piece, kept between parse rounds
    over the same corpus and template numbering (templates only drop out: an infinite
    ``t_bits`` marks them)."""
    cdef int64_t *rel_off      # per piece + 1: offsets into rel / rel_run0
    cdef int32_t *rel
    cdef int64_t *rr_off       # per piece + 1: offsets into occ_off (n_runs entries + 1 per piece)
    cdef int64_t *occ_off      # piece-relative
    cdef int64_t *occ_base     # per piece + 1: offsets into occ_end
    cdef int32_t *occ_end
    cdef int64_t n_pieces, cap_rel, cap_rr, cap_occ
    cdef bint filled

    def __cinit__(self):
        self.rel_off = NULL
        self.rel = NULL
        self.rr_off = NULL
        self.occ_off = NULL
        self.occ_base = NULL
        self.occ_end = NULL
        self.n_pieces = -1
        self.cap_rel = self.cap_rr = self.cap_occ = 0
        self.filled = False

    def __dealloc__(self):
        free(self.rel_off)
        free(self.rel)
        free(self.rr_off)
        free(self.occ_off)
        free(self.occ_base)
        free(self.occ_end)

    @property
    def nbytes(self):
        return 8 * 3 * (self.n_pieces + 1) + 4 * self.cap_rel + 8 * self.cap_rr + 4 * self.cap_occ


cdef int cache_store(RelCache c, Work *W, int64_t p) noexcept nogil:
    cdef int64_t n_rr = W.rel_run0[W.n_rel] if W.n_rel else 0
    cdef int64_t n_occ = W.occ_off[n_rr]
    cdef int64_t r0 = c.rel_off[p], rr0 = c.rr_off[p], o0 = c.occ_base[p]
    if grow(<void **> &c.rel, &c.cap_rel, r0 + W.n_rel, sizeof(int32_t)) != 0:
        return -1
    if grow(<void **> &c.occ_off, &c.cap_rr, rr0 + n_rr + 1, sizeof(int64_t)) != 0:
        return -1
    if grow(<void **> &c.occ_end, &c.cap_occ, o0 + n_occ + 1, sizeof(int32_t)) != 0:
        return -1
    if W.n_rel:
        memcpy(c.rel + r0, W.rel, W.n_rel * sizeof(int32_t))
    memcpy(c.occ_off + rr0, W.occ_off, (n_rr + 1) * sizeof(int64_t))
    if n_occ:
        memcpy(c.occ_end + o0, W.occ_end, n_occ * sizeof(int32_t))
    c.rel_off[p + 1] = r0 + W.n_rel
    c.rr_off[p + 1] = rr0 + n_rr + 1
    c.occ_base[p + 1] = o0 + n_occ
    return 0


cdef int cache_load(RelCache c, Work *W, int64_t p) noexcept nogil:
    cdef int64_t n_rel = c.rel_off[p + 1] - c.rel_off[p]
    cdef int64_t n_rr1 = c.rr_off[p + 1] - c.rr_off[p]
    cdef int64_t n_occ = c.occ_base[p + 1] - c.occ_base[p], q, k, tmp
    cdef int32_t t
    W.n_rel = n_rel
    if grow(<void **> &W.rel, &W.cap_rel, n_rel + 1, sizeof(int32_t)) != 0:
        return -1
    if grow(<void **> &W.occ_off, &W.cap_occ_off, n_rr1 + 1, sizeof(int64_t)) != 0:
        return -1
    if grow(<void **> &W.ptr, &W.cap_ptr, n_rr1 + 1, sizeof(int64_t)) != 0:
        return -1
    if grow(<void **> &W.lo, &W.cap_lo, n_rr1 + 1, sizeof(int64_t)) != 0:
        return -1
    if grow(<void **> &W.rel_run0, &W.cap_rel_run0, n_rel + 1, sizeof(int64_t)) != 0:
        return -1
    if n_occ + 1 > W.cap_occ:
        tmp = W.cap_occ
        if grow(<void **> &W.occ_end, &tmp, n_occ + 1, sizeof(int32_t)) != 0:
            return -1
        tmp = W.cap_occ
        if grow(<void **> &W.F, &tmp, n_occ + 1, sizeof(double)) != 0:
            return -1
        tmp = W.cap_occ
        if grow(<void **> &W.G, &tmp, n_occ + 1, sizeof(double)) != 0:
            return -1
        tmp = W.cap_occ
        if grow(<void **> &W.arg, &tmp, n_occ + 1, sizeof(int32_t)) != 0:
            return -1
        W.cap_occ = tmp
    if n_rel:
        memcpy(W.rel, c.rel + c.rel_off[p], n_rel * sizeof(int32_t))
    memcpy(W.occ_off, c.occ_off + c.rr_off[p], n_rr1 * sizeof(int64_t))
    if n_occ:
        memcpy(W.occ_end, c.occ_end + c.occ_base[p], n_occ * sizeof(int32_t))
    k = 0
    for q in range(n_rel):
        t = W.rel[q]
        W.slot[t] = <int32_t> q
        W.rel_run0[q] = k
        k += W.tpl[t].n_runs
    W.rel_run0[n_rel] = k
    return 0


def parse_pieces(const int32_t[::1] ids, const int64_t[::1] pstart, const int64_t[::1] pend,
                 const int32_t[::1] telems, const int64_t[::1] toff,
                 const double[::1] word_bits, const double[::1] len_bits, const double[::1] t_bits,
                 double flat_bits, bint want_trees, const int64_t[::1] word_rank=None,
                 RelCache cache=None):
    """Minimum-code-length parse of every piece.

    ``word_rank`` (optional, per word id, smaller = rarer, e.g. the corpus count) picks the word
    each template is looked up by (its rarest); by default its first word. ``cache`` (a
    :class:`RelCache`) keeps each piece's relevant templates between calls on the same pieces
    and template numbering: the first call fills it, later ones skip the lookup (templates
    with an infinite ``t_bits`` are then skipped).

    Costs in bits: a FLAT block of span (a, b) costs ``flat_bits + len_bits[b - a] +
    sum(word_bits[x])``; a template block ``t_bits[t]`` plus the cost of each of its X blocks
    (each a non-empty span, coded recursively). ``len_bits`` must cover the longest piece.

    Returns a dict: ``bits`` (total), ``piece_bits`` (per piece), ``uses`` (int64 per template:
    blocks coded with it), ``loss`` (float64 per template: sum over its blocks of the cost of
    the best other way to code the same span minus the chosen cost), ``contested`` (int64 per
    template: its blocks whose best other code has another template at the top), ``flat_len`` (int64 per
    length: FLAT blocks), ``flat_words`` (int64 per word id: tokens coded flat), ``blocks``;
    with ``want_trees`` also ``block_start``, ``block_end``, ``block_tpl`` (-1 = FLAT),
    ``block_parent`` (-1 = root; indices are global) and ``piece_block`` (offsets per piece),
    blocks in preorder.
    """
    cdef int64_t T = toff.shape[0] - 1, V = word_bits.shape[0], P = pstart.shape[0]
    cdef int64_t i, j, k, n_runs = 0, max_L = 0, p, L, a, b, n_blocks = 0, top, g, L1
    cdef int64_t cap_tree = 0, n_tree = 0, cap_stack = 0, node
    cdef int32_t t, r, w, w2
    cdef double total = 0.0
    cdef Work W
    cdef const int32_t *x
    cdef int32_t *starts = NULL
    cdef int64_t *stack = NULL
    cdef int64_t *tree = NULL
    cdef int64_t[::1] uses_v, flat_len_v, flat_words_v
    cdef double[::1] loss_v, piece_bits_v
    cdef int64_t[::1] contested_v
    cdef int64_t max_runs = 1
    cdef bint use_cache = cache is not None and cache.filled
    cdef bint fill_cache = cache is not None and not cache.filled
    memset(&W, 0, sizeof(Work))
    for p in range(P):
        if pend[p] - pstart[p] > max_L:
            max_L = pend[p] - pstart[p]
    if len_bits.shape[0] < max_L + 1:
        raise ValueError("len_bits does not cover the longest piece")
    uses = np.zeros(T, dtype=np.int64)
    loss = np.zeros(T, dtype=np.float64)
    contested = np.zeros(T, dtype=np.int64)
    contested_v = contested
    flat_len = np.zeros(max(len_bits.shape[0], 1), dtype=np.int64)
    flat_words = np.zeros(V, dtype=np.int64)
    piece_bits = np.zeros(P, dtype=np.float64)
    uses_v = uses
    loss_v = loss
    flat_len_v = flat_len
    flat_words_v = flat_words
    piece_bits_v = piece_bits
    piece_block = np.zeros(P + 1, dtype=np.int64)
    cdef int64_t[::1] piece_block_v = piece_block
    try:
        W.tpl = <Tpl *> calloc(T + 1, sizeof(Tpl))
        W.stamp = <int32_t *> malloc((T + 1) * sizeof(int32_t))
        W.slot = <int32_t *> malloc((T + 1) * sizeof(int32_t))
        W.first_off = <int64_t *> calloc(V + 2, sizeof(int64_t))
        W.first_list = <int32_t *> malloc((T + 1) * sizeof(int32_t))
        W.anchor_run = <int32_t *> malloc((T + 1) * sizeof(int32_t))
        W.anchor_k = <int32_t *> malloc((T + 1) * sizeof(int32_t))
        W.word_stamp = <int32_t *> malloc((V + 1) * sizeof(int32_t))
        W.first_at = <int32_t *> malloc((V + 1) * sizeof(int32_t))
        W.next_at = <int32_t *> malloc((max_L + 1) * sizeof(int32_t))
        if W.first_at == NULL or W.next_at == NULL:
            raise MemoryError()
        if W.word_stamp != NULL:
            for w in range(V + 1):
                W.word_stamp[w] = -1
        W.tpl_words_off = &toff[0]
        if W.anchor_run == NULL or W.anchor_k == NULL or W.word_stamp == NULL:
            raise MemoryError()
        if W.tpl == NULL or W.stamp == NULL or W.slot == NULL or W.first_off == NULL or W.first_list == NULL:
            raise MemoryError()
        for t in range(T):
            W.stamp[t] = -1
            n_runs += 1
            for j in range(toff[t] + 1, toff[t + 1]):
                if telems[j] < 0:
                    n_runs += 1
        W.run_elem = <int64_t *> malloc((n_runs + 1) * sizeof(int64_t))
        W.run_len = <int32_t *> malloc((n_runs + 1) * sizeof(int32_t))
        if W.run_elem == NULL or W.run_len == NULL:
            raise MemoryError()
        k = 0
        for t in range(T):
            i = toff[t]
            j = toff[t + 1]
            if j - i < 1:
                raise ValueError(f"template {t} is empty")
            W.tpl[t].lead = telems[i] < 0
            W.tpl[t].trail = telems[j - 1] < 0
            W.tpl[t].run0 = k
            W.tpl[t].n_runs = 0
            g = i
            while g < j:
                if telems[g] < 0:
                    if g + 1 < j and telems[g + 1] < 0:
                        raise ValueError(f"template {t} has two placeholders in a row")
                    g += 1
                    continue
                if telems[g] >= V:
                    raise ValueError(f"template {t} has a word id out of range")
                W.run_elem[k] = g
                W.run_len[k] = 0
                while g < j and telems[g] >= 0:
                    W.run_len[k] += 1
                    g += 1
                k += 1
                W.tpl[t].n_runs += 1
            if W.tpl[t].n_runs == 0:
                raise ValueError(f"template {t} has no word")
            if W.tpl[t].n_runs > max_runs:
                max_runs = W.tpl[t].n_runs
            # anchor: the rarest word (first of equals), or the first word
            W.anchor_run[t] = 0
            W.anchor_k[t] = 0
            if word_rank is not None:
                for r in range(W.tpl[t].n_runs):
                    for g in range(W.run_len[W.tpl[t].run0 + r]):
                        w = telems[W.run_elem[W.tpl[t].run0 + r] + g]
                        if word_rank[w] < word_rank[telems[W.run_elem[W.tpl[t].run0 + W.anchor_run[t]] + W.anchor_k[t]]]:
                            W.anchor_run[t] = r
                            W.anchor_k[t] = <int32_t> g
            W.first_off[anchor_word(&W, t, telems) + 1] += 1
        for w in range(V):
            W.first_off[w + 1] += W.first_off[w]
        W.first_w2 = <int32_t *> malloc((T + 1) * sizeof(int32_t))
        if W.first_w2 == NULL:
            raise MemoryError()
        for t in range(T):
            w = anchor_word(&W, t, telems)
            W.first_list[W.first_off[w]] = t
            # second rarest word: the rarest among the others (by word_rank, else the first other)
            w2 = -1
            for g in range(toff[t], toff[t + 1]):
                if telems[g] < 0 or telems[g] == w:
                    continue
                if w2 < 0 or (word_rank is not None and word_rank[telems[g]] < word_rank[w2]):
                    w2 = telems[g]
            W.first_w2[W.first_off[w]] = w2
            W.first_off[w] += 1
        for w in range(V, 0, -1):
            W.first_off[w] = W.first_off[w - 1]
        W.first_off[0] = 0
        L1 = max_L + 1
        W.best = <double *> malloc(L1 * L1 * sizeof(double))
        W.second = <double *> malloc(L1 * L1 * sizeof(double))
        W.second_id = <int32_t *> malloc(L1 * L1 * sizeof(int32_t))
        if W.second_id == NULL:
            raise MemoryError()
        W.choice = <int32_t *> malloc(L1 * L1 * sizeof(int32_t))
        W.cw = <double *> malloc(L1 * sizeof(double))
        W.act = <int32_t *> malloc((T + 1) * sizeof(int32_t))
        W.live = <int32_t *> malloc((T + 1) * sizeof(int32_t))
        W.nxt = <int64_t *> malloc((T + 1) * sizeof(int64_t))
        if W.live == NULL or W.nxt == NULL:
            raise MemoryError()
        starts = <int32_t *> malloc((max_runs + 1) * sizeof(int32_t))
        if W.best == NULL or W.second == NULL or W.choice == NULL or W.cw == NULL or W.act == NULL or starts == NULL:
            raise MemoryError()
        if use_cache and cache.n_pieces != P:
            raise ValueError("the cache belongs to other pieces")
        if fill_cache:
            cache.n_pieces = P
            cache.rel_off = <int64_t *> calloc(P + 1, sizeof(int64_t))
            cache.rr_off = <int64_t *> calloc(P + 1, sizeof(int64_t))
            cache.occ_base = <int64_t *> calloc(P + 1, sizeof(int64_t))
            if cache.rel_off == NULL or cache.rr_off == NULL or cache.occ_base == NULL:
                raise MemoryError()
        with nogil:
            for p in range(P):
                x = &ids[pstart[p]]
                L = pend[p] - pstart[p]
                piece_block_v[p] = n_tree
                if L == 0:
                    if fill_cache:
                        cache.rel_off[p + 1] = cache.rel_off[p]
                        cache.rr_off[p + 1] = cache.rr_off[p]
                        cache.occ_base[p + 1] = cache.occ_base[p]
                    continue
                L1 = L + 1
                if use_cache:
                    if cache_load(cache, &W, p) != 0:
                        with gil:
                            raise MemoryError()
                else:
                    if find_relevant(&W, x, L, <int32_t> p, &telems[0]) != 0:
                        with gil:
                            raise MemoryError()
                    if fill_cache and cache_store(cache, &W, p) != 0:
                        with gil:
                            raise MemoryError()
                W.cw[0] = 0.0
                for a in range(L):
                    W.cw[a + 1] = W.cw[a] + word_bits[x[a]]
                piece_dp(&W, x, L, &t_bits[0] if T else NULL, &len_bits[0], flat_bits)
                piece_bits_v[p] = W.best[L]
                total += W.best[L]
                # walk the chosen parse (preorder, left to right)
                if grow(<void **> &stack, &cap_stack, 3, sizeof(int64_t)) != 0:
                    with gil:
                        raise MemoryError()
                stack[0] = 0
                stack[1] = L
                stack[2] = -1
                top = 1
                while top > 0:
                    top -= 1
                    a = stack[3 * top]
                    b = stack[3 * top + 1]
                    g = stack[3 * top + 2]
                    t = W.choice[a * L1 + b]
                    n_blocks += 1
                    node = n_tree
                    if want_trees:
                        if grow(<void **> &tree, &cap_tree, 4 * (n_tree + 1), sizeof(int64_t)) != 0:
                            with gil:
                                raise MemoryError()
                        tree[4 * n_tree] = pstart[p] + a
                        tree[4 * n_tree + 1] = pstart[p] + b
                        tree[4 * n_tree + 2] = t
                        tree[4 * n_tree + 3] = g
                    n_tree += 1
                    if t < 0:
                        flat_len_v[b - a] += 1
                        for i in range(a, b):
                            flat_words_v[x[i]] += 1
                        continue
                    uses_v[t] += 1
                    loss_v[t] += W.second[a * L1 + b] - W.best[a * L1 + b]
                    if W.second_id[a * L1 + b] >= 0:
                        contested_v[t] += 1
                    if realign(&W, t, a, b, L, starts) != 0:
                        with gil:
                            raise RuntimeError("internal error: template alignment not found")
                    if grow(<void **> &stack, &cap_stack, 3 * (top + W.tpl[t].n_runs + 2), sizeof(int64_t)) != 0:
                        with gil:
                            raise MemoryError()
                    # gaps, pushed right to left so that they pop left to right
                    if W.tpl[t].trail:
                        r = W.tpl[t].n_runs - 1
                        stack[3 * top] = starts[r] + W.run_len[W.tpl[t].run0 + r]
                        stack[3 * top + 1] = b
                        stack[3 * top + 2] = node
                        top += 1
                    for r in range(W.tpl[t].n_runs - 1, 0, -1):
                        stack[3 * top] = starts[r - 1] + W.run_len[W.tpl[t].run0 + r - 1]
                        stack[3 * top + 1] = starts[r]
                        stack[3 * top + 2] = node
                        top += 1
                    if W.tpl[t].lead:
                        stack[3 * top] = a
                        stack[3 * top + 1] = starts[0]
                        stack[3 * top + 2] = node
                        top += 1
            piece_block_v[P] = n_tree
        if fill_cache:
            cache.filled = True
        out = {
            "bits": total, "piece_bits": piece_bits, "uses": uses, "loss": loss, "contested": contested,
            "flat_len": flat_len, "flat_words": flat_words, "blocks": n_blocks,
        }
        if want_trees:
            arr = np.empty((n_tree, 4), dtype=np.int64)
            if n_tree:
                memcpy(cnp.PyArray_DATA(arr), tree, 4 * n_tree * sizeof(int64_t))
            out["block_start"] = np.ascontiguousarray(arr[:, 0])
            out["block_end"] = np.ascontiguousarray(arr[:, 1])
            out["block_tpl"] = np.ascontiguousarray(arr[:, 2])
            out["block_parent"] = np.ascontiguousarray(arr[:, 3])
            out["piece_block"] = piece_block
        return out
    finally:
        free(W.tpl)
        free(W.stamp)
        free(W.slot)
        free(W.first_off)
        free(W.first_list)
        free(W.first_w2)
        free(W.anchor_run)
        free(W.anchor_k)
        free(W.word_stamp)
        free(W.first_at)
        free(W.next_at)
        free(W.run_elem)
        free(W.run_len)
        free(W.rel)
        free(W.occ_off)
        free(W.rel_run0)
        free(W.occ_end)
        free(W.F)
        free(W.G)
        free(W.arg)
        free(W.ptr)
        free(W.lo)
        free(W.act)
        free(W.live)
        free(W.nxt)
        free(W.best)
        free(W.second)
        free(W.second_id)
        free(W.choice)
        free(W.cw)
        free(starts)
        free(stack)
        free(tree)
