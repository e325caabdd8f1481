# cython: language_level=3
"""Frequent-itemset kernels for ``nlpzero.apriori`` (private).

Arrays in, arrays out, no policy. Items are dense ids ``0 .. n_items-1`` of the *frequent*
items only, in ascending order of support. The database is stored vertically: one bitset row of
``n_words`` uint64 words per item (bit t of row i set when transaction t contains item i).

The result is a prefix tree (trie) of all frequent itemsets, stored as flat node arrays:
node 0 is the root (the empty set, count = number of transactions), nodes 1..n_items are the
single items (node i+1 holds item i), and every node's children are one contiguous block
``child_start[v] .. child_end[v]-1`` with increasing items. The itemset of a node is the path
from the root to it; items increase along every path.

Mining is depth first, visiting children in *decreasing* item order. That order guarantees
that when an itemset Q = (q_0 < ... < q_{d-1}) is visited, every itemset Q - q_i + c with
c > q_{d-1} has already been decided, so candidates Q + c are generated with the full Apriori
subset prune: c must be a child of every node Q - q_i (the ``omit`` nodes, kept per depth and
updated with one child lookup each when descending). Support is counted by AND + popcount of
Q's bitset against c's row; Q's bitset is kept sparse (only its non-zero words with their word
index), so each candidate costs one pass over Q's non-zero words, which shrink with depth.
"""
from libc.stdint cimport int32_t, int64_t, uint64_t
from libc.stdlib cimport free, malloc, realloc, calloc

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
    static int64_t nz_and_count_sw(const int32_t *idx, const uint64_t *w, const uint64_t *row, int64_t n) {
        int64_t c = 0;
        for (int64_t j = 0; j < n; j++) c += __builtin_popcountll(w[j] & row[idx[j]]);
        return c;
    }
    """
    int64_t nz_and_count_hw(const int32_t *idx, const uint64_t *w, const uint64_t *row, int64_t n) nogil
    int64_t nz_and_count_sw(const int32_t *idx, const uint64_t *w, const uint64_t *row, int64_t n) nogil
    int nz_have_popcnt() nogil

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


cdef struct Miner:
    const uint64_t *bits     # n_items x n_words
    int64_t n_words
    int64_t n_items
    int64_t min_count
    int64_t max_len
    int64_t max_nodes        # root + max_itemsets
    Trie trie
    # per depth d (itemset size), allocated on first use
    int32_t **rep_idx        # non-zero word indices of the itemset's bitset
    uint64_t **rep_w         # the non-zero words
    int64_t *rep_nz
    int32_t **omit           # omit[d][i] = node of (Q - q_i), i < d
    int32_t **cand           # candidate items
    int64_t depth_cap
    int status


cdef int ensure_depth(Miner *m, int64_t d) noexcept nogil:
    if m.rep_idx[d] != NULL:
        return 0
    m.rep_idx[d] = <int32_t *> malloc(max(m.n_words, 1) * sizeof(int32_t))
    m.rep_w[d] = <uint64_t *> malloc(max(m.n_words, 1) * sizeof(uint64_t))
    m.omit[d] = <int32_t *> malloc((d + 1) * sizeof(int32_t))
    m.cand[d] = <int32_t *> malloc(max(m.n_items, 1) * sizeof(int32_t))
    if m.rep_idx[d] == NULL or m.rep_w[d] == NULL or m.omit[d] == NULL or m.cand[d] == NULL:
        return -1
    return 0


cdef void visit(Miner *m, int32_t v, int64_t d) noexcept nogil:
    """Generate, count and recurse into the children of node ``v`` (an itemset of size d).

    On entry rep[d] holds v's sparse bitset and omit[d][0..d-1] the nodes of v minus one item.
    """
    cdef Trie *t = &m.trie
    cdef int32_t b = t.item[v]
    cdef int32_t p = t.parent[v]
    cdef int32_t *cand = m.cand[d]
    cdef int32_t *om = m.omit[d]
    cdef int64_t nc = 0, i, j, k, kept, lo, hi
    cdef int32_t u, c, o, x
    cdef int64_t cnt, start
    cdef const int32_t *ridx
    cdef const uint64_t *rw
    cdef int64_t nz
    cdef uint64_t word
    cdef const uint64_t *row

    t.cstart[v] = <int32_t> t.n
    t.cend[v] = <int32_t> t.n
    if d >= m.max_len:
        return
    # candidates: items after b among v's siblings (children of v's parent) ...
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
    # count support: AND of v's sparse bitset with each candidate's row
    ridx = m.rep_idx[d]
    rw = m.rep_w[d]
    nz = m.rep_nz[d]
    if trie_reserve(t, t.n + nc) != 0:
        m.status = NO_MEMORY
        return
    start = t.n
    for j in range(nc):
        c = cand[j]
        cnt = and_count(ridx, rw, m.bits + c * m.n_words, nz)
        if cnt >= m.min_count:
            t.item[t.n] = c
            t.count[t.n] = cnt
            t.parent[t.n] = v
            t.cstart[t.n] = 0
            t.cend[t.n] = 0
            t.n += 1
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
    # recurse, children in decreasing item order
    cdef int32_t *ridx2 = m.rep_idx[d + 1]
    cdef uint64_t *rw2 = m.rep_w[d + 1]
    cdef int32_t *om2 = m.omit[d + 1]
    cdef int64_t nz2
    for u in range(t.cend[v] - 1, <int32_t> start - 1, -1):
        c = t.item[u]
        if d + 1 < m.max_len:
            row = m.bits + c * m.n_words
            nz2 = 0
            for j in range(nz):
                word = rw[j] & row[ridx[j]]
                if word:
                    ridx2[nz2] = ridx[j]
                    rw2[nz2] = word
                    nz2 += 1
            m.rep_nz[d + 1] = nz2
            for i in range(d):
                om2[i] = find_child(t, om[i], c)
            om2[d] = v
        visit(m, u, d + 1)
        if m.status != OK:
            return


def mine(const uint64_t[:, ::1] bits not None, const int64_t[::1] item_count not None,
         int64_t n_transactions, int64_t min_count, int64_t max_len, int64_t max_itemsets):
    """Mine all itemsets of the frequent items with support >= ``min_count``.

    Parameters
    ----------
    bits : uint64 array, shape (n_items, n_words)          # IN
        Vertical bitsets; items in ascending order of support.
    item_count : int64 array, shape (n_items,)             # IN
        Support of each item (all >= min_count).
    n_transactions, min_count, max_len, max_itemsets : int # IN
        max_len <= 0 means no limit.

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
    cdef Trie *t
    if item_count.shape[0] != n_items:
        raise ValueError("item_count must have one entry per row of bits")
    m.bits = &bits[0, 0] if n_items > 0 and n_words > 0 else NULL
    m.n_words = n_words
    m.n_items = n_items
    m.min_count = min_count
    m.max_len = max_len if max_len > 0 else n_items
    m.max_nodes = 1 + max_itemsets
    m.status = OK
    m.trie.n = 0
    m.trie.cap = 0
    m.trie.item = NULL
    m.trie.count = NULL
    m.trie.parent = NULL
    m.trie.cstart = NULL
    m.trie.cend = NULL
    m.depth_cap = min(m.max_len, n_items) + 2
    m.rep_idx = <int32_t **> calloc(m.depth_cap, sizeof(int32_t *))
    m.rep_w = <uint64_t **> calloc(m.depth_cap, sizeof(uint64_t *))
    m.omit = <int32_t **> calloc(m.depth_cap, sizeof(int32_t *))
    m.cand = <int32_t **> calloc(m.depth_cap, sizeof(int32_t *))
    m.rep_nz = <int64_t *> calloc(m.depth_cap, sizeof(int64_t))
    t = &m.trie
    try:
        if m.rep_idx == NULL or m.rep_w == NULL or m.omit == NULL or m.cand == NULL or m.rep_nz == NULL:
            raise MemoryError()
        if trie_reserve(t, n_items + 1) != 0:
            raise MemoryError()
        with nogil:
            # root and the single items
            t.item[0] = -1
            t.count[0] = n_transactions
            t.parent[0] = -1
            t.cstart[0] = 1
            t.cend[0] = <int32_t> (n_items + 1)
            for j in range(n_items):
                t.item[j + 1] = <int32_t> j
                t.count[j + 1] = item_count[j]
                t.parent[j + 1] = 0
                t.cstart[j + 1] = 0
                t.cend[j + 1] = 0
            t.n = n_items + 1
            if t.n > m.max_nodes:
                m.status = TOO_MANY
            elif n_items > 0 and m.max_len > 1:
                if ensure_depth(&m, 1) != 0:
                    m.status = NO_MEMORY
                for u in range(<int32_t> n_items, 0, -1):
                    if m.status != OK:
                        break
                    c = t.item[u]
                    d = 0
                    for w in range(n_words):
                        if m.bits[c * n_words + w]:
                            m.rep_idx[1][d] = <int32_t> w
                            m.rep_w[1][d] = m.bits[c * n_words + w]
                            d += 1
                    m.rep_nz[1] = d
                    m.omit[1][0] = 0
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
        for d in range(m.depth_cap if m.rep_idx != NULL else 0):
            free(m.rep_idx[d])
            free(m.rep_w[d])
            free(m.omit[d])
            free(m.cand[d])
        free(m.rep_idx)
        free(m.rep_w)
        free(m.omit)
        free(m.cand)
        free(m.rep_nz)
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


def build_bitsets(const int32_t[::1] ids not None, const int64_t[::1] offsets not None,
                  const int32_t[::1] remap not None, int64_t n_items):
    """Vertical bitsets of the frequent items.

    ids/offsets: transaction t holds raw item ids ids[offsets[t]:offsets[t+1]];
    remap[raw id] = dense frequent-item id or -1. Returns uint64 array (n_items, n_words).
    """
    cdef int64_t n_trans = offsets.shape[0] - 1
    cdef int64_t n_words = (n_trans + 63) // 64
    cdef int64_t t, j
    cdef int32_t r
    out = np.zeros((n_items, n_words), dtype=np.uint64)
    if n_items == 0 or n_words == 0:
        return out
    cdef uint64_t[:, ::1] bits = out
    with nogil:
        for t in range(n_trans):
            for j in range(offsets[t], offsets[t + 1]):
                r = remap[ids[j]]
                if r >= 0:
                    bits[r, t >> 6] |= (<uint64_t> 1) << (t & 63)
    return out
