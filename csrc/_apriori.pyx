# cython: language_level=3
"""Frequent-itemset kernels for ``nlpzero.apriori`` (private).

Arrays in, arrays out, no policy. Items are dense ids ``0 .. n_items-1`` of the *frequent*
items only, in ascending order of support. The database is held twice, both restricted to the
frequent items: vertically, one bitset row of ``n_words`` uint64 words per item (bit t of row i
set when transaction t contains item i), and horizontally, each transaction's item ids in
increasing order.

The result is a prefix tree (trie) of all frequent itemsets, stored as flat node arrays:
node 0 is the root (the empty set, count = number of transactions), nodes 1..n_items are the
single items (node i+1 holds item i), and every node's children are one contiguous block
``child_start[v] .. child_end[v]-1`` with increasing items. The itemset of a node is the path
from the root to it; items increase along every path.

Mining is depth first, visiting children in *decreasing* item order. That order guarantees
that when an itemset Q = (q_0 < ... < q_{d-1}) is visited, every itemset Q - q_i + c with
c > q_{d-1} has already been decided, so candidates Q + c are generated with the full Apriori
subset prune: c must be a child of every node Q - q_i (the ``omit`` nodes, kept per depth and
updated with one child lookup each when descending). Supports are then counted, exactly, in
whichever of two ways is estimated cheaper for the node:

* AND + popcount: Q's bitset (kept sparse: its non-zero words and their indices) against each
  candidate's row, so a candidate costs one pass over Q's non-zero words. Best while Q is
  supported by many transactions (dense data, short itemsets).
* occurrence deliver: one pass over Q's transactions counts every item after q_{d-1} at once.
  Q's children then inherit those transactions reduced to the items that became children
  ("rows"), so deeper levels walk ever shorter rows. Here every item met is already an
  extension of Q and a count >= min_count proves all subsets frequent, so below such a node
  no candidate lists are built (the prune would only add work).
"""
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.stdlib cimport free, malloc, realloc, calloc
from libc.string cimport memcpy
from cpython.dict cimport PyDict_GetItem
from cpython.long cimport PyLong_AsSsize_t

import numpy as np

cimport numpy as cnp

cnp.import_array()

cdef extern from *:
    """
    #include <stdint.h>
    #if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __attribute__((target("popcnt")))
    static int64_t nz_and_count_hw(const int32_t *idx, const uint64_t *w, const uint64_t *row, int64_t n) {
        int64_t c0 = 0, c1 = 0, j = 0;
        for (; j + 1 < n; j += 2) {
            c0 += __builtin_popcountll(w[j] & row[idx[j]]);
            c1 += __builtin_popcountll(w[j + 1] & row[idx[j + 1]]);
        }
        if (j < n) c0 += __builtin_popcountll(w[j] & row[idx[j]]);
        return c0 + c1;
    }
    static int nz_have_popcnt(void) { __builtin_cpu_init(); return __builtin_cpu_supports("popcnt"); }
    #else
    static int64_t nz_and_count_hw(const int32_t *idx, const uint64_t *w, const uint64_t *row, int64_t n) { return 0; }
    static int nz_have_popcnt(void) { return 0; }
    #endif
    static inline int nz_ctz(uint64_t w) { return __builtin_ctzll(w); }
    #include <stdlib.h>
    static int nz_cmp_int32(const void *a, const void *b) {
        int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
        return (x > y) - (x < y);
    }
    static void nz_sort_int32(int32_t *a, int64_t n) {
        if (n > 32) { qsort(a, (size_t)n, sizeof(int32_t), nz_cmp_int32); return; }
        for (int64_t i = 1; i < n; i++) {
            int32_t x = a[i]; int64_t k = i;
            while (k > 0 && a[k - 1] > x) { a[k] = a[k - 1]; k--; }
            a[k] = x;
        }
    }
    static int64_t nz_and_count_sw(const int32_t *idx, const uint64_t *w, const uint64_t *row, int64_t n) {
        int64_t c = 0;
        for (int64_t j = 0; j < n; j++) c += __builtin_popcountll(w[j] & row[idx[j]]);
        return c;
    }
    """
    int64_t nz_and_count_hw(const int32_t *idx, const uint64_t *w, const uint64_t *row, int64_t n) nogil
    int64_t nz_and_count_sw(const int32_t *idx, const uint64_t *w, const uint64_t *row, int64_t n) nogil
    int nz_have_popcnt() nogil
    int nz_ctz(uint64_t w) nogil
    void nz_sort_int32(int32_t *a, int64_t n) nogil

cdef bint HAVE_POPCNT = nz_have_popcnt() != 0

# status codes returned by the kernels
cdef enum:
    OK = 0
    TOO_MANY = 1
    NO_MEMORY = 2

STATUS_OK = OK
STATUS_TOO_MANY = TOO_MANY
STATUS_NO_MEMORY = NO_MEMORY


cdef inline int64_t and_count(const int32_t *idx, const uint64_t *w, const uint64_t *row, int64_t n) noexcept nogil:
    if HAVE_POPCNT:
        return nz_and_count_hw(idx, w, row, n)
    return nz_and_count_sw(idx, w, row, n)


cdef struct Trie:
    int64_t n            # nodes in use
    int64_t cap
    int32_t *item
    int64_t *count
    int32_t *parent
    int32_t *cstart
    int32_t *cend


cdef int trie_reserve(Trie *t, int64_t need) noexcept nogil:
    """Make room for ``need`` nodes; 0 on success, -1 when out of memory."""
    cdef int64_t cap = t.cap
    if need <= cap:
        return 0
    while cap < need:
        cap = cap * 2 if cap > 0 else 1024
    cdef void *p
    p = realloc(t.item, cap * sizeof(int32_t))
    if p == NULL:
        return -1
    t.item = <int32_t *> p
    p = realloc(t.count, cap * sizeof(int64_t))
    if p == NULL:
        return -1
    t.count = <int64_t *> p
    p = realloc(t.parent, cap * sizeof(int32_t))
    if p == NULL:
        return -1
    t.parent = <int32_t *> p
    p = realloc(t.cstart, cap * sizeof(int32_t))
    if p == NULL:
        return -1
    t.cstart = <int32_t *> p
    p = realloc(t.cend, cap * sizeof(int32_t))
    if p == NULL:
        return -1
    t.cend = <int32_t *> p
    t.cap = cap
    return 0


cdef inline int32_t find_child(const Trie *t, int32_t v, int32_t c) noexcept nogil:
    """Node id of the child of ``v`` holding item ``c``, or -1 (binary search in v's block)."""
    cdef int32_t lo = t.cstart[v], hi = t.cend[v] - 1, mid, x
    while lo <= hi:
        mid = (lo + hi) >> 1
        x = t.item[mid]
        if x == c:
            return mid
        if x < c:
            lo = mid + 1
        else:
            hi = mid - 1
    return -1


cdef int grow(void **p, int64_t *cap, int64_t need, size_t elsize) noexcept nogil:
    """Make the buffer ``*p`` hold at least ``need`` elements; 0 on success, -1 out of memory."""
    cdef int64_t c = cap[0]
    cdef void *q
    if need <= c:
        return 0
    while c < need:
        c = c * 2 if c > 0 else 4096
    q = realloc(p[0], c * elsize)
    if q == NULL:
        return -1
    p[0] = q
    cap[0] = c
    return 0


cdef struct Level:
    # state of the node being expanded at one depth d (itemset size), allocated on first use
    int32_t *omit            # omit[i] = node of (Q - q_i), i < d
    int32_t *cand            # candidate items
    # bitset view: the non-zero words of Q's bitset and their word indices
    int32_t *rep_idx
    uint64_t *rep_w
    int64_t rep_nz
    # projected view: Q's transactions as rows, pairs (start, end) into `base`, each row the
    # items after Q's last item that may still extend Q (increasing); rows that would be empty
    # are left out. Either given by the parent or built here (entry) from the bitset view.
    bint has_rows
    const int64_t *rows
    int64_t n_rows
    const int32_t *base
    int64_t *entry           # owned buffer for entry rows
    int64_t entry_cap
    # what this node hands its children when it projects: filtered rows in `proj`, and for
    # child k its rows crow[2*coff[k] : 2*cfill[k]]
    int32_t *proj
    int64_t proj_cap
    int64_t *crow
    int64_t crow_cap
    int64_t *coff
    int64_t *cfill
    bint children_rows


cdef struct Miner:
    const uint64_t *bits     # n_items x n_words
    int64_t n_words
    int64_t n_items
    int64_t min_count
    int64_t max_len
    int64_t max_nodes        # root + max_itemsets
    Trie trie
    Level *lv                # per depth
    int64_t depth_cap
    int status
    # horizontal copy (transaction t: items h_items[h_off[t]:h_off[t+1]], increasing) for
    # occurrence-deliver counting: one pass over the rows of Q counts every extension at once
    const int32_t *h_items
    const int64_t *h_off
    const double *suffix_mean   # per item b: mean number of items > b in transactions holding b
    int32_t *cnt                # n_items counters, all zero between uses
    int32_t *touched            # items whose counter is non-zero
    int32_t *slot               # n_items, -1 between uses: child index of an item
    int count_mode              # 0: cheaper of the two per node, 1: always AND, 2: always deliver


cdef int ensure_depth(Miner *m, int64_t d) noexcept nogil:
    cdef Level *L = &m.lv[d]
    if L.omit != NULL:
        return 0
    L.rep_idx = <int32_t *> malloc(max(m.n_words, 1) * sizeof(int32_t))
    L.rep_w = <uint64_t *> malloc(max(m.n_words, 1) * sizeof(uint64_t))
    L.cand = <int32_t *> malloc(max(m.n_items, 1) * sizeof(int32_t))
    L.coff = <int64_t *> malloc((m.n_items + 1) * sizeof(int64_t))
    L.cfill = <int64_t *> malloc((m.n_items + 1) * sizeof(int64_t))
    L.omit = <int32_t *> malloc((d + 1) * sizeof(int32_t))
    if (L.rep_idx == NULL or L.rep_w == NULL or L.cand == NULL or L.coff == NULL or L.cfill == NULL
            or L.omit == NULL):
        return -1
    return 0


cdef void free_levels(Miner *m) noexcept nogil:
    cdef int64_t d
    if m.lv == NULL:
        return
    for d in range(m.depth_cap):
        free(m.lv[d].omit)
        free(m.lv[d].cand)
        free(m.lv[d].rep_idx)
        free(m.lv[d].rep_w)
        free(m.lv[d].entry)
        free(m.lv[d].proj)
        free(m.lv[d].crow)
        free(m.lv[d].coff)
        free(m.lv[d].cfill)
    free(m.lv)
    m.lv = NULL


cdef inline void add_node(Trie *t, int32_t item, int64_t count, int32_t parent) noexcept nogil:
    t.item[t.n] = item
    t.count[t.n] = count
    t.parent[t.n] = parent
    t.cstart[t.n] = 0
    t.cend[t.n] = 0
    t.n += 1


cdef int deliver(Miner *m, Level *L, int32_t v, int64_t nc, int64_t start, bint project) noexcept nogil:
    """Count v's candidates by one pass over its rows; optionally build its children's rows."""
    cdef Trie *t = &m.trie
    cdef int32_t *counter = m.cnt
    cdef int32_t *slot = m.slot
    cdef int64_t r, q, e, n_touched = 0, total = 0, j, k, pos, w0
    cdef int32_t x, c
    cdef const int32_t *base = L.base
    # pass 1: count every item in v's rows
    for r in range(L.n_rows):
        e = L.rows[2 * r + 1]
        total += e - L.rows[2 * r]
        for q in range(L.rows[2 * r], e):
            x = base[q]
            if counter[x] == 0:
                m.touched[n_touched] = x
                n_touched += 1
            counter[x] += 1
    if nc < 0:
        # no candidate list: every item met in the rows is an extension of v, and a count
        # >= min_count already proves all its subsets frequent (the prune has nothing to add)
        nc = 0
        for j in range(n_touched):
            c = m.touched[j]
            if counter[c] >= m.min_count:
                L.cand[nc] = c
                nc += 1
        nz_sort_int32(L.cand, nc)
    for j in range(nc):
        c = L.cand[j]
        if counter[c] >= m.min_count:
            k = t.n - start
            slot[c] = <int32_t> k
            L.coff[k] = counter[c]      # count, turned into offsets below
            add_node(t, c, counter[c], v)
    for j in range(n_touched):
        counter[m.touched[j]] = 0
    L.children_rows = 0
    if project and t.n > start:
        # pass 2: keep only the items that became children; child k gets the suffix of every
        # filtered row after its own item
        if grow(<void **> &L.proj, &L.proj_cap, total, sizeof(int32_t)) != 0:
            return -1
        if grow(<void **> &L.crow, &L.crow_cap, 2 * total, sizeof(int64_t)) != 0:
            return -1
        pos = 0
        for k in range(t.n - start):
            j = L.coff[k]
            L.coff[k] = pos
            L.cfill[k] = pos
            pos += j
        pos = 0
        for r in range(L.n_rows):
            w0 = pos
            for q in range(L.rows[2 * r], L.rows[2 * r + 1]):
                if slot[base[q]] >= 0:
                    L.proj[pos] = base[q]
                    pos += 1
            for q in range(w0, pos - 1):
                k = slot[L.proj[q]]
                L.crow[2 * L.cfill[k]] = q + 1
                L.crow[2 * L.cfill[k] + 1] = pos
                L.cfill[k] += 1
        L.children_rows = 1
    for j in range(start, t.n):
        slot[t.item[j]] = -1
    return 0


cdef void visit(Miner *m, int32_t v, int64_t d) noexcept nogil:
    """Generate, count and recurse into the children of node ``v`` (an itemset of size d).

    On entry lv[d] holds v's omit nodes and either its bitset view or its rows (has_rows).
    """
    cdef Trie *t = &m.trie
    cdef Level *L = &m.lv[d]
    cdef Level *L2
    cdef int32_t b = t.item[v]
    cdef int32_t p = t.parent[v]
    cdef int32_t *cand = L.cand
    cdef int32_t *om = L.omit
    cdef int64_t nc = 0, i, j, k, kept, lo, hi, start, cnt, nz, n_entry, tid, q, e
    cdef int32_t u, c, o
    cdef uint64_t word
    cdef const uint64_t *row
    cdef bint project

    t.cstart[v] = <int32_t> t.n
    t.cend[v] = <int32_t> t.n
    if d >= m.max_len:
        return
    project = d + 1 < m.max_len
    if L.has_rows:
        # projected view (inherited): count all extensions in one pass over the rows
        start = t.n
        if trie_reserve(t, t.n + (m.n_items - 1 - b)) != 0:
            m.status = NO_MEMORY
            return
        if deliver(m, L, v, -1, start, project) != 0:
            m.status = NO_MEMORY
            return
        t.cstart[v] = <int32_t> start
        t.cend[v] = <int32_t> t.n
        if t.n > m.max_nodes:
            m.status = TOO_MANY
            return
        if t.n == start or not project:
            return
        if d + 1 >= m.depth_cap or ensure_depth(m, d + 1) != 0:
            m.status = NO_MEMORY
            return
        L2 = &m.lv[d + 1]
        for u in range(t.cend[v] - 1, <int32_t> start - 1, -1):
            k = u - start
            L2.has_rows = 1
            L2.rows = L.crow + 2 * L.coff[k]
            L2.n_rows = L.cfill[k] - L.coff[k]
            L2.base = L.proj
            visit(m, u, d + 1)
            if m.status != OK:
                return
        return
    # bitset view. Candidates: items after b among v's siblings (children of v's parent) ...
    for u in range(v + 1, t.cend[p]):
        cand[nc] = t.item[u]
        nc += 1
    # ... that are also children of every other (d-1)-subset of v: the Apriori prune
    i = 0
    while i < d - 1 and nc > 0:
        o = om[i]
        lo = t.cstart[o]
        hi = t.cend[o]
        kept = 0
        k = lo
        for j in range(nc):
            c = cand[j]
            while k < hi and t.item[k] < c:
                k += 1
            if k == hi:
                break
            if t.item[k] == c:
                cand[kept] = c
                kept += 1
        nc = kept
        i += 1
    if nc == 0:
        return
    if trie_reserve(t, t.n + nc) != 0:
        m.status = NO_MEMORY
        return
    start = t.n
    nz = L.rep_nz
    L.children_rows = 0
    # Count support, exactly, one of two ways, whichever is estimated cheaper:
    # (a) per candidate, AND of v's bitset (its nz non-zero words) with the candidate's row;
    # (b) occurrence deliver over v's rows (its transactions, reduced to the items that can
    #     still extend it); v's children then inherit rows filtered to their own candidates.
    if not L.has_rows and (m.count_mode == 2 or (m.count_mode == 0 and
            8.0 * <double> t.count[v] * (m.suffix_mean[b] + 1.0) + <double> nz < <double> nc * <double> nz)):
        # entry into the projected view: rows = the suffixes after b of v's transactions
        if grow(<void **> &L.entry, &L.entry_cap, 2 * t.count[v], sizeof(int64_t)) != 0:
            m.status = NO_MEMORY
            return
        n_entry = 0
        for j in range(nz):
            word = L.rep_w[j]
            while word:
                tid = (<int64_t> L.rep_idx[j] << 6) + nz_ctz(word)
                word &= word - 1
                e = m.h_off[tid + 1]
                q = e
                while q > m.h_off[tid] and m.h_items[q - 1] > b:
                    q -= 1
                if q < e:
                    L.entry[2 * n_entry] = q
                    L.entry[2 * n_entry + 1] = e
                    n_entry += 1
        L.rows = L.entry
        L.n_rows = n_entry
        L.base = m.h_items
        L.has_rows = 1
    if L.has_rows:
        if deliver(m, L, v, nc, start, project) != 0:
            m.status = NO_MEMORY
            return
    else:
        for j in range(nc):
            c = cand[j]
            cnt = and_count(L.rep_idx, L.rep_w, m.bits + c * m.n_words, nz)
            if cnt >= m.min_count:
                add_node(t, c, cnt, v)
    t.cstart[v] = <int32_t> start
    t.cend[v] = <int32_t> t.n
    if t.n > m.max_nodes:
        m.status = TOO_MANY
        return
    if t.n == start:
        return
    if d + 1 >= m.depth_cap or ensure_depth(m, d + 1) != 0:
        m.status = NO_MEMORY
        return
    L2 = &m.lv[d + 1]
    # recurse, children in decreasing item order
    for u in range(t.cend[v] - 1, <int32_t> start - 1, -1):
        c = t.item[u]
        if project:
            k = u - start
            if L.children_rows:
                L2.has_rows = 1  # (the projected view needs no omit nodes)
                L2.rows = L.crow + 2 * L.coff[k]
                L2.n_rows = L.cfill[k] - L.coff[k]
                L2.base = L.proj
            else:
                L2.has_rows = 0
                row = m.bits + c * m.n_words
                kept = 0
                for j in range(nz):
                    word = L.rep_w[j] & row[L.rep_idx[j]]
                    if word:
                        L2.rep_idx[kept] = L.rep_idx[j]
                        L2.rep_w[kept] = word
                        kept += 1
                L2.rep_nz = kept
                for i in range(d):
                    L2.omit[i] = find_child(t, om[i], c)
                L2.omit[d] = v
        visit(m, u, d + 1)
        if m.status != OK:
            return


def mine(const uint64_t[:, ::1] bits not None, const int64_t[::1] item_count not None,
         const int32_t[::1] h_items not None, const int64_t[::1] h_off not None,
         const double[::1] suffix_mean not None,
         const int32_t[::1] v_tids not None, const int64_t[::1] v_off not None,
         int64_t n_transactions, int64_t min_count, int64_t max_len, int64_t max_itemsets,
         int count_mode=0):
    """Mine all itemsets of the frequent items with support >= ``min_count``.

    Parameters
    ----------
    bits : uint64 array, shape (n_items, n_words)          # IN
        Vertical bitsets; items in ascending order of support.
    item_count : int64 array, shape (n_items,)             # IN
        Support of each item (all >= min_count).
    h_items, h_off : int32 array, int64 array (n_transactions + 1,)  # IN
        The same database horizontally: transaction t holds h_items[h_off[t]:h_off[t+1]], increasing.
    suffix_mean : float64 array, shape (n_items,)          # IN
        Mean number of items greater than b in the transactions holding b (a cost estimate).
    v_tids, v_off : int32 array, int64 array (n_items + 1,)  # IN
        Only when bits has no columns: item i's transactions v_tids[v_off[i]:v_off[i+1]]; then
        every node is counted by occurrence deliver.
    n_transactions, min_count, max_len, max_itemsets : int # IN
        max_len <= 0 means no limit.
    count_mode : int                                       # IN
        How supports are counted: 0 picks per node the cheaper (estimated) of 1 = AND + popcount
        per candidate and 2 = occurrence deliver; all give the same counts (tests use 1 and 2).

    Returns
    -------
    (status, item, count, parent, child_start, child_end) : int and arrays of length n_nodes
        status is OK, TOO_MANY (more than max_itemsets itemsets) or NO_MEMORY.
    """
    cdef Miner m
    cdef int64_t n_items = bits.shape[0]
    cdef int64_t n_words = bits.shape[1]
    cdef int64_t d, j, w
    cdef int32_t u, c
    cdef Trie *t = &m.trie
    cdef Level *L1
    if item_count.shape[0] != n_items or suffix_mean.shape[0] != n_items:
        raise ValueError("item_count and suffix_mean must have one entry per row of bits")
    cdef bint no_bits = n_words == 0 and n_transactions > 0
    cdef int64_t q, e, lo, hi, n_entry, tid
    if h_off.shape[0] != n_transactions + 1 or (n_items > 0 and not no_bits and n_words != (n_transactions + 63) // 64):
        raise ValueError("bits, h_off and n_transactions disagree")
    if no_bits and v_off.shape[0] != n_items + 1:
        raise ValueError("without bitsets, v_off must have n_items + 1 entries")
    m.bits = &bits[0, 0] if n_items > 0 and n_words > 0 else NULL
    m.n_words = n_words
    m.n_items = n_items
    m.min_count = min_count
    m.max_len = max_len if max_len > 0 else n_items
    m.max_nodes = 1 + max_itemsets
    m.status = OK
    m.h_items = &h_items[0] if h_items.shape[0] > 0 else NULL
    m.h_off = &h_off[0]
    m.suffix_mean = &suffix_mean[0] if n_items > 0 else NULL
    m.count_mode = count_mode
    t.n = 0
    t.cap = 0
    t.item = NULL
    t.count = NULL
    t.parent = NULL
    t.cstart = NULL
    t.cend = NULL
    m.depth_cap = min(m.max_len, n_items) + 2
    m.lv = <Level *> calloc(m.depth_cap, sizeof(Level))
    m.cnt = <int32_t *> calloc(max(n_items, 1), sizeof(int32_t))
    m.touched = <int32_t *> malloc(max(n_items, 1) * sizeof(int32_t))
    m.slot = <int32_t *> malloc(max(n_items, 1) * sizeof(int32_t))
    try:
        if m.lv == NULL or m.cnt == NULL or m.touched == NULL or m.slot == NULL:
            raise MemoryError()
        for j in range(n_items):
            m.slot[j] = -1
        if trie_reserve(t, n_items + 1) != 0:
            raise MemoryError()
        with nogil:
            # root and the single items
            add_node(t, -1, n_transactions, -1)
            for j in range(n_items):
                add_node(t, <int32_t> j, item_count[j], 0)
            t.cstart[0] = 1
            t.cend[0] = <int32_t> (n_items + 1)
            if t.n > m.max_nodes:
                m.status = TOO_MANY
            elif n_items > 0 and m.max_len > 1:
                if ensure_depth(&m, 1) != 0:
                    m.status = NO_MEMORY
                L1 = &m.lv[1]
                for u in range(<int32_t> n_items, 0, -1):
                    if m.status != OK:
                        break
                    c = t.item[u]
                    L1.omit[0] = 0
                    if no_bits:
                        # rows = the suffixes after c of c's transactions
                        if grow(<void **> &L1.entry, &L1.entry_cap, 2 * item_count[c], sizeof(int64_t)) != 0:
                            m.status = NO_MEMORY
                            break
                        n_entry = 0
                        for j in range(v_off[c], v_off[c + 1]):
                            tid = v_tids[j]
                            lo = h_off[tid]
                            hi = h_off[tid + 1]
                            while lo < hi:  # first position holding an item > c
                                q = (lo + hi) >> 1
                                if h_items[q] <= c:
                                    lo = q + 1
                                else:
                                    hi = q
                            e = h_off[tid + 1]
                            if lo < e:
                                L1.entry[2 * n_entry] = lo
                                L1.entry[2 * n_entry + 1] = e
                                n_entry += 1
                        L1.rows = L1.entry
                        L1.n_rows = n_entry
                        L1.base = m.h_items
                        L1.has_rows = 1
                    else:
                        d = 0
                        for w in range(n_words):
                            if m.bits[c * n_words + w]:
                                L1.rep_idx[d] = <int32_t> w
                                L1.rep_w[d] = m.bits[c * n_words + w]
                                d += 1
                        L1.rep_nz = d
                        L1.has_rows = 0
                    visit(&m, u, 1)
        status = m.status
        n = t.n
        item = np.empty(n, dtype=np.int32)
        count = np.empty(n, dtype=np.int64)
        parent = np.empty(n, dtype=np.int32)
        cstart = np.empty(n, dtype=np.int32)
        cend = np.empty(n, dtype=np.int32)
        if status == OK:
            _copy_trie(t, item, count, parent, cstart, cend)
        return status, item, count, parent, cstart, cend
    finally:
        free_levels(&m)
        free(m.cnt)
        free(m.touched)
        free(m.slot)
        free(t.item)
        free(t.count)
        free(t.parent)
        free(t.cstart)
        free(t.cend)


cdef void _copy_trie(const Trie *t, int32_t[::1] item, int64_t[::1] count, int32_t[::1] parent,
                     int32_t[::1] cstart, int32_t[::1] cend) noexcept:
    cdef int64_t j
    for j in range(t.n):
        item[j] = t.item[j]
        count[j] = t.count[j]
        parent[j] = t.parent[j]
        cstart[j] = t.cstart[j]
        cend[j] = t.cend[j]


def flatten(const int32_t[::1] item not None, const int32_t[::1] parent not None):
    """Itemset of every node 1..n-1 as item ids, deepest item first (decreasing item id).

    Returns
    -------
    flat : int32 array, shape (sum of sizes,)
    offsets : int64 array, shape (n_nodes,)   # itemset of node v is flat[offsets[v-1]:offsets[v]]
    size : int32 array, shape (n_nodes,)      # size[0] = 0 for the root
    """
    cdef int64_t n = item.shape[0], v, pos, total = 0
    cdef int32_t u
    size_arr = np.zeros(n, dtype=np.int32)
    offsets_arr = np.zeros(max(n, 1), dtype=np.int64)
    cdef int32_t[::1] size = size_arr
    cdef int64_t[::1] offsets = offsets_arr
    with nogil:
        for v in range(1, n):
            size[v] = size[parent[v]] + 1
            total += size[v]
            offsets[v] = total
    flat_arr = np.empty(total, dtype=np.int32)
    cdef int32_t[::1] flat = flat_arr
    with nogil:
        for v in range(1, n):
            pos = offsets[v - 1]
            u = <int32_t> v
            while u > 0:
                flat[pos] = item[u]
                pos += 1
                u = parent[u]
    return flat_arr, offsets_arr, size_arr


cdef struct RuleBuf:
    int64_t n
    int64_t cap
    int32_t *ante
    int32_t *cons
    int32_t *node


cdef int rulebuf_push(RuleBuf *r, int32_t ante, int32_t cons, int32_t node) noexcept nogil:
    cdef int64_t cap
    cdef void *p
    if r.n == r.cap:
        cap = r.cap * 2 if r.cap > 0 else 1024
        p = realloc(r.ante, cap * sizeof(int32_t))
        if p == NULL:
            return -1
        r.ante = <int32_t *> p
        p = realloc(r.cons, cap * sizeof(int32_t))
        if p == NULL:
            return -1
        r.cons = <int32_t *> p
        p = realloc(r.node, cap * sizeof(int32_t))
        if p == NULL:
            return -1
        r.node = <int32_t *> p
        r.cap = cap
    r.ante[r.n] = ante
    r.cons[r.n] = cons
    r.node[r.n] = node
    r.n += 1
    return 0


cdef struct RuleWalk:
    Trie trie
    int32_t **omit
    double min_conf
    double min_lift
    double n_transactions
    RuleBuf out
    int status


cdef void rules_visit(RuleWalk *w, int32_t v, int64_t d) noexcept nogil:
    """Emit the rules of node v (size d, omit[d] set) and recurse into its children."""
    cdef Trie *t = &w.trie
    cdef int32_t *om = w.omit[d]
    cdef int32_t *om2
    cdef int64_t i
    cdef int32_t u, c, x, y, z
    cdef double conf, lift
    # the item removed from v to get om[i] is the i-th item on v's path: walk it root-first
    if d >= 2:
        z = v
        i = d - 1
        while z > 0:
            x = om[i]                    # v minus the item of node z
            y = t.item[z] + 1            # node of that single item
            conf = <double> t.count[v] / <double> t.count[x]
            lift = conf / (<double> t.count[y] / w.n_transactions)
            if conf >= w.min_conf and lift >= w.min_lift:
                if rulebuf_push(&w.out, x, y, v) != 0:
                    w.status = NO_MEMORY
                    return
            z = t.parent[z]
            i -= 1
    if t.cend[v] <= t.cstart[v]:
        return
    om2 = w.omit[d + 1]
    for u in range(t.cstart[v], t.cend[v]):
        c = t.item[u]
        for i in range(d):
            om2[i] = find_child(t, om[i], c)
        om2[d] = v
        rules_visit(w, u, d + 1)
        if w.status != OK:
            return


def one_item_rules(const int32_t[::1] item not None, const int64_t[::1] count not None,
                   const int32_t[::1] parent not None, const int32_t[::1] cstart not None,
                   const int32_t[::1] cend not None, int64_t n_transactions,
                   double min_confidence, double min_lift, int64_t max_depth):
    """All rules X -> {y} from the trie's itemsets Z = X + y (|Z| >= 2) meeting both thresholds.

    Returns
    -------
    (status, antecedent, consequent, itemset) : int and three int32 arrays of node ids
    """
    cdef RuleWalk w
    cdef int64_t n = item.shape[0], d
    cdef int32_t u
    w.trie.n = n
    w.trie.item = <int32_t *> &item[0]
    w.trie.count = <int64_t *> &count[0]
    w.trie.parent = <int32_t *> &parent[0]
    w.trie.cstart = <int32_t *> &cstart[0]
    w.trie.cend = <int32_t *> &cend[0]
    w.min_conf = min_confidence
    w.min_lift = min_lift
    w.n_transactions = <double> n_transactions
    w.out.n = 0
    w.out.cap = 0
    w.out.ante = NULL
    w.out.cons = NULL
    w.out.node = NULL
    w.status = OK
    w.omit = <int32_t **> calloc(max_depth + 2, sizeof(int32_t *))
    try:
        if w.omit == NULL:
            raise MemoryError()
        for d in range(max_depth + 2):
            w.omit[d] = <int32_t *> malloc((d + 1) * sizeof(int32_t))
            if w.omit[d] == NULL:
                raise MemoryError()
        with nogil:
            for u in range(cstart[0], cend[0]):
                w.omit[1][0] = 0
                rules_visit(&w, u, 1)
                if w.status != OK:
                    break
        ante = np.empty(w.out.n, dtype=np.int32)
        cons = np.empty(w.out.n, dtype=np.int32)
        node = np.empty(w.out.n, dtype=np.int32)
        for d in range(w.out.n):
            ante[d] = w.out.ante[d]
            cons[d] = w.out.cons[d]
            node[d] = w.out.node[d]
        return w.status, ante, cons, node
    finally:
        if w.omit != NULL:
            for d in range(max_depth + 2):
                free(w.omit[d])
        free(w.omit)
        free(w.out.ante)
        free(w.out.cons)
        free(w.out.node)


def build_vertical(const int32_t[::1] ids not None, const int64_t[::1] offsets not None,
                   const int32_t[::1] remap not None, int64_t n_items, bint with_bits=True):
    """Both layouts of the database restricted to the frequent items.

    ids/offsets: transaction t holds raw item ids ids[offsets[t]:offsets[t+1]] (no duplicates);
    remap[raw id] = dense frequent-item id or -1. Without ``with_bits`` the bitsets have no
    columns and each item's transaction list is returned instead (for very sparse data, where
    n_items x n_transactions bits would dwarf the occurrences).

    Returns
    -------
    bits : uint64 array (n_items, n_words or 0)  # bit t of row i: transaction t holds item i
    h_items : int32 array, h_off : int64 array (n_transactions + 1,)   # increasing ids per transaction
    suffix_mean : float64 array (n_items,)      # mean count of items > i in transactions holding i
    v_tids : int32 array, v_off : int64 array (n_items + 1,)  # item i's transactions (if not with_bits)
    """
    cdef int64_t n_trans = offsets.shape[0] - 1
    cdef int64_t n_words = (n_trans + 63) // 64 if with_bits else 0
    cdef int64_t t, j, k, pos = 0, lo, n_occ = 0
    cdef int32_t r
    for j in range(ids.shape[0]):
        if remap[ids[j]] >= 0:
            n_occ += 1
    bits_arr = np.zeros((n_items, n_words), dtype=np.uint64)
    h_items_arr = np.empty(n_occ, dtype=np.int32)
    h_off_arr = np.zeros(n_trans + 1, dtype=np.int64)
    suffix_arr = np.zeros(n_items, dtype=np.float64)
    cdef int32_t[::1] h_items = h_items_arr
    cdef int64_t[::1] h_off = h_off_arr
    cdef double[::1] suffix = suffix_arr
    cdef uint64_t *bits = <uint64_t *> cnp.PyArray_DATA(bits_arr)
    with nogil:
        for t in range(n_trans):
            lo = pos
            for j in range(offsets[t], offsets[t + 1]):
                r = remap[ids[j]]
                if r >= 0:
                    if with_bits:
                        bits[r * n_words + (t >> 6)] |= (<uint64_t> 1) << (t & 63)
                    h_items[pos] = r
                    pos += 1
            if pos - lo > 1:                  # (&h_items[lo] is past the end for an empty tail)
                nz_sort_int32(&h_items[lo], pos - lo)
            h_off[t + 1] = pos
            for k in range(lo, pos):
                suffix[h_items[k]] += <double> (pos - 1 - k)
    occ = np.bincount(h_items_arr, minlength=n_items) if n_items else np.zeros(0, np.int64)
    np.divide(suffix_arr, np.maximum(occ, 1), out=suffix_arr)
    v_off_arr = np.zeros(n_items + 1, dtype=np.int64)
    v_tids_arr = np.empty(0 if with_bits else n_occ, dtype=np.int32)
    if not with_bits:
        np.cumsum(occ, out=v_off_arr[1:])
        fill_arr = v_off_arr[:n_items].copy()
        _fill_tids(h_items, h_off, fill_arr, v_tids_arr)
    return bits_arr, h_items_arr, h_off_arr, suffix_arr, v_tids_arr, v_off_arr


cdef void _fill_tids(const int32_t[::1] h_items, const int64_t[::1] h_off, int64_t[::1] fill,
                     int32_t[::1] v_tids) noexcept nogil:
    cdef int64_t t, q
    for t in range(h_off.shape[0] - 1):
        for q in range(h_off[t], h_off[t + 1]):
            v_tids[fill[h_items[q]]] = <int32_t> t
            fill[h_items[q]] += 1


class BadTransaction(Exception):
    """Internal: transaction number ``args[0]`` (the object is ``args[1]``) cannot be read."""


def encode(transactions, dict vocab):
    """Raw item ids of every transaction, duplicates dropped; new items are added to ``vocab``.

    Returns (ids int32 array, offsets int64 array of n_transactions + 1). Raises BadTransaction
    (index, object) for a str/bytes transaction, a non-iterable or an unhashable item.
    """
    cdef int32_t *ids = NULL
    cdef int64_t *offs = NULL
    cdef int64_t n = 0, cap = 0, cap_t = 0, k = 0
    cdef object s, x, tr
    cdef void *p
    cdef Py_ssize_t idx
    try:
        if grow(<void **> &offs, &cap_t, 1, sizeof(int64_t)) != 0:
            raise MemoryError()
        offs[0] = 0
        for tr in transactions:
            if isinstance(tr, (str, bytes)):
                raise BadTransaction(k, tr)
            try:
                s = set(tr)
            except TypeError:
                raise BadTransaction(k, tr) from None
            if grow(<void **> &ids, &cap, n + len(s), sizeof(int32_t)) != 0:
                raise MemoryError()
            for x in s:
                p = <void *> PyDict_GetItem(vocab, x)
                if p == NULL:
                    idx = len(vocab)
                    if idx >= 2147483647:
                        raise OverflowError("more than 2**31 - 1 distinct items")
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
