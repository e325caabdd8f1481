# Dictionary segmentation: a scored trie and a max-score (Viterbi) route per run.
#
# The trie maps code points to nodes. Children of the root for BMP characters sit in a direct
# table (one array read per text position); every other edge is a key (parent << 21 | char) in
# one open-addressing hash table. A node has a score (float64; NaN when the node is only a prefix
# of words, so the DP needs no separate "is a word" read). The DP's hot loop is one probe per
# character, so each 24-byte slot holds {key, child, score of child}: the score arrives in the
# same cache line as the edge (a separate score array cost a second cache miss per step). The
# per-node arrays (score, flag, parent, label) are the master copy for the Python side.
#
# Segmenting a text chunk: classify each character (run character / ASCII letter or digit /
# whitespace / other), cut the chunk into runs, and in each run choose the split maximising the
# sum of (score(word) + offset) by a backward DP over trie walks (the shape of jieba's
# get_DAG + calc, done without building the DAG). Ties go to the longer first word, as in
# jieba's max over (score, end) tuples. Two text models:
#   MODE_NLPZERO (the text model): runs are word characters after normalisation; a stretch of ASCII
#     letters/digits is never cut inside; a single character (or ASCII stretch) missing from the
#     dictionary costs `unk`; words are matched on the normalised characters. Between runs: a
#     lone middle dot with word characters on both sides joins the last word before it and the
#     first word after it into one token ("卡尔·马克思"); a repeated punctuation
#     character ("——", "……") is one token. This is the one place where nlpzero's text model
#     turns a line into tokens (discovery's unsupervised segmentation goes through it too).
#   MODE_JIEBA: jieba 0.42's re_han_default blocks ([\u4E00-\u9FD5a-zA-Z0-9+#&._%-]+), no
#     normalisation, a single character is a candidate only when no dictionary word starts
#     there, and consecutive single-character ASCII letter/digit pieces are glued afterwards.
#
# Output is spans (start, end) into the text; (-1, -1) marks a newline when asked. No policy here:
# the Python layer (nlpzero/segment.py) owns scores, dictionaries, files and processes.
cimport cython
from libc.stdint cimport uint8_t, uint32_t, uint64_t, int32_t, int64_t
from libc.stdlib cimport malloc, free
from libc.math cimport INFINITY, NAN
from cpython.ref cimport PyObject, Py_INCREF

import numpy as np
cimport numpy as cnp

from _textmodel cimport is_word_char, normalize_char, is_ascii_alnum
from _utf8 cimport put_utf8

cnp.import_array()

from _native cimport nz_prefetch_r

cdef extern from "Python.h":
    int PyUnicode_KIND(object o)
    void* PyUnicode_DATA(object o)
    Py_UCS4 PyUnicode_READ(int kind, void* data, Py_ssize_t index) nogil
    bytes PyBytes_FromStringAndSize(const char* v, Py_ssize_t n)

MODE_NLPZERO = 0
MODE_JIEBA = 1

cdef enum:
    CHAR_BITS = 21
    ROOT_DIRECT = 65536
    PREFETCH_AHEAD = 6   # the DP prefetches the second-character slot this many starts ahead
    # character classes
    C_RUN = 1        # run character, cut anywhere
    C_ALNUM = 2      # ASCII letter/digit (after normalisation in MODE_NLPZERO)
    C_SPACE = 3      # dropped
    C_OTHER = 4      # a token (in MODE_NLPZERO: a repeat joins it; a joining middle dot is not one)
    C_NEWLINE = 5    # '\n' when newline markers are on

cdef uint64_t EMPTY = <uint64_t>0xFFFFFFFFFFFFFFFF
cdef uint64_t GOLDEN = <uint64_t>0x9E3779B97F4A7C15


cdef inline bint is_space(uint32_t c) noexcept nogil:
    """Python's str.isspace (what jieba's ``\\s`` matches)."""
    if c < 128:
        return c == 32 or (9 <= c <= 13) or (28 <= c <= 31)
    return (c == 0x85 or c == 0xA0 or c == 0x1680 or (0x2000 <= c <= 0x200A) or c == 0x2028
            or c == 0x2029 or c == 0x202F or c == 0x205F or c == 0x3000)


cdef inline bint is_middle_dot(uint32_t c) noexcept nogil:
    """Middle dots that join transliterated names (·, ‧, ・, ･)."""
    return c == 0xB7 or c == 0x2027 or c == 0x30FB or c == 0xFF65


cdef inline bint is_run_class(int c) noexcept nogil:
    return c == C_RUN or c == C_ALNUM


cdef inline int classify(uint32_t c, int mode, bint norm, bint markers) noexcept nogil:
    cdef uint32_t n
    if c == 10 and markers:
        return C_NEWLINE
    if mode == 0:
        n = normalize_char(c) if norm else c
        if is_ascii_alnum(n):
            return C_ALNUM
        if is_word_char(n):
            return C_RUN
    else:
        if is_ascii_alnum(c):
            return C_ALNUM
        if (0x4E00 <= c <= 0x9FD5) or c == 43 or c == 35 or c == 38 or c == 46 or c == 95 \
                or c == 37 or c == 45:       # + # & . _ % -
            return C_RUN
    if is_space(c):
        return C_SPACE
    return C_OTHER


ctypedef struct TrieC:
    int32_t* root          # [ROOT_DIRECT] child of the root, -1 when none
    double* root_score     # [ROOT_DIRECT] its score
    uint32_t* root_mask    # [ROOT_DIRECT] its child mask
    uint64_t* slots        # [3 * cap]: key, child | child's mask << 32, score bits (NaN: not a word)
    uint64_t mask
    int shift


cdef inline int32_t child(const TrieC* t, int32_t node, uint32_t c, double* score,
                          uint32_t* cmask) noexcept nogil:
    """Child of ``node`` by ``c`` (or -1); its score and child mask go to ``score``/``cmask``."""
    cdef uint64_t key, h, k, v
    if node == 0 and c < ROOT_DIRECT:
        score[0] = t.root_score[c]
        cmask[0] = t.root_mask[c]
        return t.root[c]
    key = (<uint64_t>node << CHAR_BITS) | c
    h = (key * GOLDEN) >> t.shift
    while True:
        k = t.slots[3 * h]
        if k == key:
            score[0] = (<const double*>&t.slots[3 * h + 2])[0]
            v = t.slots[3 * h + 1]
            cmask[0] = <uint32_t>(v >> 32)
            return <int32_t><uint32_t>v
        if k == EMPTY:
            return -1
        h = (h + 1) & t.mask


cdef inline Py_ssize_t find_slot(const TrieC* t, uint64_t key) noexcept nogil:
    cdef uint64_t h = (key * GOLDEN) >> t.shift
    while t.slots[3 * h] != key:
        if t.slots[3 * h] == EMPTY:
            return -1
        h = (h + 1) & t.mask
    return <Py_ssize_t>h


cdef class Trie:
    """A growable trie over code points with a score and a word flag per node (node 0 = root).

    Strings are stored as given (callers normalise when they want to). ``flag[node]`` is 1 for
    words; ``score[node]`` is the word's score (meaningless when the flag is 0).

    Each node also has a 32-bit child mask (bit ``c & 31`` set when a child by ``c`` exists),
    kept beside the edge into the node (``root_mask`` for the root's BMP children, the high half
    of the child word in a slot otherwise): a walk that would ask for a missing child mostly
    stops on the mask, without the hash probe (a cache miss in a large dictionary).
    """
    cdef public object root_arr, root_score_arr, root_mask_arr, slots_arr, score_arr, flag_arr, parent_arr, label_arr
    cdef public Py_ssize_t n_nodes, n_keys, cap
    cdef TrieC c
    # the node arrays' data, for the insertion path (rebound whenever they are replaced)
    cdef double* score_p
    cdef uint8_t* flag_p
    cdef int32_t* parent_p
    cdef uint32_t* label_p
    cdef Py_ssize_t node_cap

    def __init__(self, Py_ssize_t node_capacity=1024, state=None):
        cdef Py_ssize_t cap = 1024
        if state is not None:
            (self.root_arr, self.root_score_arr, self.root_mask_arr, self.slots_arr, self.score_arr,
             self.flag_arr, self.parent_arr, self.label_arr, self.n_nodes, self.n_keys) = state
            self.cap = len(self.slots_arr) // 3
            self._bind()
            return
        while cap < 2 * node_capacity:
            cap *= 2
        self.root_arr = np.full(ROOT_DIRECT, -1, dtype=np.int32)
        self.root_score_arr = np.full(ROOT_DIRECT, np.nan, dtype=np.float64)
        self.root_mask_arr = np.zeros(ROOT_DIRECT, dtype=np.uint32)
        self.slots_arr = np.full(3 * cap, EMPTY, dtype=np.uint64)
        self.cap = cap
        n = max(node_capacity, 16)
        self.score_arr = np.full(n, np.nan, dtype=np.float64)
        self.flag_arr = np.zeros(n, dtype=np.uint8)
        self.parent_arr = np.full(n, -1, dtype=np.int32)
        self.label_arr = np.zeros(n, dtype=np.uint32)
        self.n_nodes = 1
        self.n_keys = 0
        self._bind()

    def __reduce__(self):
        return (Trie, (0, self.state()))

    def state(self):
        """Arrays and counters that rebuild this trie (``Trie(state=...)``); node arrays trimmed."""
        n = self.n_nodes
        return (self.root_arr, self.root_score_arr, self.root_mask_arr, self.slots_arr, self.score_arr[:n], self.flag_arr[:n],
                self.parent_arr[:n], self.label_arr[:n], self.n_nodes, self.n_keys)

    cdef void _bind(self):
        cdef cnp.ndarray r = self.root_arr, rs = self.root_score_arr, s = self.slots_arr
        cdef cnp.ndarray rm = self.root_mask_arr
        if (r.dtype != np.int32 or rs.dtype != np.float64 or rm.dtype != np.uint32
                or s.dtype != np.uint64 or len(r) != ROOT_DIRECT or len(rs) != ROOT_DIRECT
                or len(rm) != ROOT_DIRECT or not (r.flags.c_contiguous and rs.flags.c_contiguous
                                                 and rm.flags.c_contiguous and s.flags.c_contiguous)):
            raise ValueError("bad trie arrays")
        cdef cnp.ndarray sc = self.score_arr, fl = self.flag_arr, pa = self.parent_arr, la = self.label_arr
        if (sc.dtype != np.float64 or fl.dtype != np.uint8 or pa.dtype != np.int32
                or la.dtype != np.uint32 or not (sc.flags.c_contiguous and fl.flags.c_contiguous
                                                 and pa.flags.c_contiguous and la.flags.c_contiguous)
                or not (len(sc) == len(fl) == len(pa) == len(la))):
            raise ValueError("bad trie node arrays")
        self.score_p = <double*>cnp.PyArray_DATA(sc)
        self.flag_p = <uint8_t*>cnp.PyArray_DATA(fl)
        self.parent_p = <int32_t*>cnp.PyArray_DATA(pa)
        self.label_p = <uint32_t*>cnp.PyArray_DATA(la)
        self.node_cap = len(sc)
        self.c.root = <int32_t*>cnp.PyArray_DATA(r)
        self.c.root_score = <double*>cnp.PyArray_DATA(rs)
        self.c.root_mask = <uint32_t*>cnp.PyArray_DATA(rm)
        self.c.slots = <uint64_t*>cnp.PyArray_DATA(s)
        self.c.mask = <uint64_t>(self.cap - 1)
        bits = 0
        while (1 << bits) < self.cap:
            bits += 1
        self.c.shift = 64 - bits

    cdef void _grow_nodes(self):
        n = 2 * len(self.score_arr)
        for name in ("score_arr", "flag_arr", "parent_arr", "label_arr"):
            old = getattr(self, name)
            new = np.full(n, np.nan) if name == "score_arr" else np.zeros(n, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        self._bind()

    def compact(self):
        """Shrink the hash table to the smallest size with load ≤ 1/2 (faster lookups)."""
        cdef Py_ssize_t cap = 1024
        while cap < 2 * (self.n_keys + 1):
            cap *= 2
        if cap < self.cap:
            self._rehash(cap)

    cdef void _grow_slots(self):
        self._rehash(2 * self.cap)

    cdef void _rehash(self, Py_ssize_t cap):
        cdef uint64_t[::1] old = self.slots_arr
        cdef Py_ssize_t i
        cdef uint64_t key, h
        self.cap = cap
        self.slots_arr = np.full(3 * self.cap, EMPTY, dtype=np.uint64)
        self._bind()
        for i in range(old.shape[0] // 3):
            key = old[3 * i]
            if key != EMPTY:
                h = (key * GOLDEN) >> self.c.shift
                while self.c.slots[3 * h] != EMPTY:
                    h = (h + 1) & self.c.mask
                self.c.slots[3 * h] = key
                self.c.slots[3 * h + 1] = old[3 * i + 1]
                self.c.slots[3 * h + 2] = old[3 * i + 2]

    cdef int32_t _add_child(self, int32_t node, uint32_t ch):
        cdef int32_t new
        cdef uint64_t key, h
        if self.n_nodes >= self.node_cap:
            self._grow_nodes()
        if self.n_nodes >= 0x7FFFFFFF:
            raise MemoryError("trie has too many nodes")
        new = <int32_t>self.n_nodes
        self.n_nodes += 1
        self.parent_p[new] = node
        self.label_p[new] = ch
        self._mark_child(node, ch)
        if node == 0 and ch < ROOT_DIRECT:
            self.c.root[ch] = new
            return new
        if 2 * (self.n_keys + 1) > self.cap:
            self._grow_slots()
        key = (<uint64_t>node << CHAR_BITS) | ch
        h = (key * GOLDEN) >> self.c.shift
        while self.c.slots[3 * h] != EMPTY:
            h = (h + 1) & self.c.mask
        self.c.slots[3 * h] = key
        self.c.slots[3 * h + 1] = <uint64_t>new
        (<double*>&self.c.slots[3 * h + 2])[0] = NAN
        self.n_keys += 1
        return new

    cdef void _mark_child(self, int32_t node, uint32_t ch):
        """Set bit ``ch & 31`` of ``node``'s child mask (the root has none: it is never read)."""
        cdef int32_t p
        cdef uint32_t label
        cdef Py_ssize_t h
        if node == 0:
            return
        p = self.parent_p[node]
        label = self.label_p[node]
        if p == 0 and label < ROOT_DIRECT:
            self.c.root_mask[label] |= (<uint32_t>1) << (ch & 31)
        else:
            h = find_slot(&self.c, (<uint64_t>p << CHAR_BITS) | label)
            self.c.slots[3 * h + 1] |= (<uint64_t>1) << (32 + (ch & 31))

    def insert(self, str word):
        """Node of ``word``, creating the path if needed (the word flag is not touched)."""
        return self._insert(word)

    cdef int32_t _insert(self, str word) except -1:
        cdef int32_t node = 0, nxt
        cdef Py_UCS4 ch
        cdef double sc
        cdef uint32_t cm
        for ch in word:
            nxt = child(&self.c, node, <uint32_t>ch, &sc, &cm)
            if nxt < 0:
                nxt = self._add_child(node, <uint32_t>ch)
            node = nxt
        return node

    def find(self, str word):
        """Node of ``word`` (a word or only a prefix), or -1."""
        cdef int32_t node = 0
        cdef Py_UCS4 ch
        cdef double sc
        cdef uint32_t cm
        for ch in word:
            node = child(&self.c, node, <uint32_t>ch, &sc, &cm)
            if node < 0:
                return -1
        return node

    cdef void _set_score(self, int32_t node, double score):
        cdef int32_t p = self.parent_p[node]
        cdef uint32_t ch = self.label_p[node]
        cdef Py_ssize_t h
        self.score_p[node] = score
        self.flag_p[node] = score == score
        if p == 0 and ch < ROOT_DIRECT:
            self.c.root_score[ch] = score
        else:
            h = find_slot(&self.c, (<uint64_t>p << CHAR_BITS) | ch)
            (<double*>&self.c.slots[3 * h + 2])[0] = score

    def set_word(self, int32_t node, double score):
        if score != score:
            raise ValueError("a word's score cannot be NaN")
        self._set_score(node, score)

    def unset_word(self, int32_t node):
        self._set_score(node, NAN)

    def add_words(self, list words, double[::1] scores):
        """Insert ``words[i]`` with ``scores[i]`` (later duplicates win)."""
        cdef Py_ssize_t i
        cdef int32_t node
        if len(words) != scores.shape[0]:
            raise ValueError("words and scores differ in length")
        for i in range(len(words)):
            if scores[i] != scores[i]:
                raise ValueError(f"the score of {words[i]!r} is NaN")
            node = self._insert(<str?>words[i])
            self._set_score(node, scores[i])

    def word_nodes(self):
        """Indices (int32) of the nodes that are words."""
        return np.flatnonzero(self.flag_arr[: self.n_nodes]).astype(np.int32)

    def spell(self, int32_t node):
        """The string of ``node`` (walking parent links to the root)."""
        cdef list chars = []
        cdef int32_t[::1] parent = self.parent_arr
        cdef uint32_t[::1] label = self.label_arr
        while node > 0:
            chars.append(chr(label[node]))
            node = parent[node]
        return "".join(reversed(chars))


cdef void read_text(str text, uint32_t* raw) noexcept:
    """The code points of ``text`` into ``raw`` (room for len(text) of them)."""
    cdef Py_ssize_t n = len(text), i
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    if kind == 1:
        for i in range(n):
            raw[i] = (<uint8_t*>data)[i]
    elif kind == 2:
        for i in range(n):
            raw[i] = (<unsigned short*>data)[i]
    else:
        for i in range(n):
            raw[i] = (<uint32_t*>data)[i]


cdef Py_ssize_t seg_run(const TrieC* t, const uint32_t* raw, const uint8_t* cls,
                        Py_ssize_t s, Py_ssize_t e, int mode, bint norm, double offset, double unk,
                        double* rs, int32_t* rend, int32_t* out, Py_ssize_t k, bint glue) noexcept nogil:
    """Segment raw[s:e] (one run); append spans to out[k:]; return the new k. With ``glue``,
    the first word extends the last span already written (the run follows a joining middle dot)."""
    cdef Py_ssize_t p, m, q, unit_end, stretch_end = e, gs
    cdef int32_t node
    cdef double best, cand, sc
    cdef Py_ssize_t bend
    cdef bint unit_word
    cdef uint32_t ch, cmask, c1, c2
    rs[e] = 0.0
    p = e
    while p > s:
        p -= 1
        # The walk from each start is a chain of dependent hash probes; the first one (second
        # character) of the walk PREFETCH_AHEAD starts on is known now, so fetch it early.
        if p - PREFETCH_AHEAD >= s:
            c1 = raw[p - PREFETCH_AHEAD]
            c2 = raw[p - PREFETCH_AHEAD + 1]
            if norm:
                c1 = normalize_char(c1)
                c2 = normalize_char(c2)
            if c1 < ROOT_DIRECT and t.root[c1] > 0 and (t.root_mask[c1] >> (c2 & 31)) & 1:
                nz_prefetch_r(&t.slots[3 * ((((<uint64_t>t.root[c1] << CHAR_BITS) | c2) * GOLDEN)
                                            >> t.shift)])
        if mode == 0 and cls[p] == C_ALNUM:
            if p + 1 == e or cls[p + 1] != C_ALNUM:
                stretch_end = p + 1
            if p > s and cls[p - 1] == C_ALNUM:
                continue              # inside an ASCII stretch: not a start
            unit_end = stretch_end
        else:
            unit_end = p + 1
        best = -INFINITY
        bend = -1
        unit_word = False
        node = 0
        cmask = 0xFFFFFFFF
        m = p
        while m < e:
            ch = raw[m]
            if norm:
                ch = normalize_char(ch)
            if not ((cmask >> (ch & 31)) & 1):
                break                 # no child by ch (the mask saves the probe)
            node = child(t, node, ch, &sc, &cmask)
            if node < 0:
                break
            m += 1
            if sc == sc:              # a word (prefix-only nodes hold NaN)
                if mode == 0 and m < e and cls[m] == C_ALNUM and cls[m - 1] == C_ALNUM:
                    continue          # would cut an ASCII stretch
                cand = (sc + offset) + rs[m]
                if cand >= best:
                    best = cand
                    bend = m
                if m == unit_end:
                    unit_word = True
        if mode == 0:
            if not unit_word:
                cand = unk + rs[unit_end]
                if cand > best or (cand == best and unit_end > bend):
                    best = cand
                    bend = unit_end
        elif bend < 0:
            best = unk + rs[p + 1]
            bend = p + 1
        rs[p] = best
        rend[p] = <int32_t>bend
    p = s
    gs = -1
    while p < e:
        q = rend[p]
        if mode == 1 and q == p + 1 and cls[p] == C_ALNUM:
            if gs < 0:
                gs = p
        else:
            if gs >= 0:
                out[k] = <int32_t>gs
                out[k + 1] = <int32_t>p
                k += 2
                gs = -1
            if glue:
                out[k - 1] = <int32_t>q
                glue = False
            else:
                out[k] = <int32_t>p
                out[k + 1] = <int32_t>q
                k += 2
        p = q
    if gs >= 0:
        out[k] = <int32_t>gs
        out[k + 1] = <int32_t>e
        k += 2
    return k


cdef Py_ssize_t seg_all(const TrieC* t, const uint32_t* raw, Py_ssize_t n, int mode, bint norm,
                        double offset, double unk, bint markers, uint8_t* cls, double* rs,
                        int32_t* rend, int32_t* out) noexcept nogil:
    cdef Py_ssize_t i, j, k = 0
    cdef int c
    cdef bint glue = False
    for i in range(n):
        cls[i] = <uint8_t>classify(raw[i], mode, norm, markers)
    i = 0
    while i < n:
        c = cls[i]
        if c == C_RUN or c == C_ALNUM:
            j = i + 1
            while j < n and (cls[j] == C_RUN or cls[j] == C_ALNUM):
                j += 1
            k = seg_run(t, raw, cls, i, j, mode, norm, offset, unk, rs, rend, out, k, glue)
            glue = False
            i = j
            continue
        if c == C_OTHER and mode == 0:
            if (is_middle_dot(raw[i]) and i > 0 and i + 1 < n and is_run_class(cls[i - 1])
                    and is_run_class(cls[i + 1])):
                out[k - 1] = <int32_t>(i + 1)     # the word before takes the dot ...
                glue = True                       # ... and the first word of the next run
                i += 1
                continue
            j = i + 1
            while j < n and cls[j] == C_OTHER and raw[j] == raw[i]:
                j += 1                            # "——", "……": one token
            out[k] = <int32_t>i
            out[k + 1] = <int32_t>j
            k += 2
            i = j
            continue
        if c == C_OTHER:
            out[k] = <int32_t>i
            out[k + 1] = <int32_t>(i + 1)
            k += 2
        elif c == C_NEWLINE:
            out[k] = -1
            out[k + 1] = -1
            k += 2
        i += 1
    return k


cdef class _Work:
    """Scratch buffers for one call, kept in a small pool and reused (fresh multi-megabyte
    buffers on every call cost a page fault per 4 KB, a fifth of the time of a file run)."""
    cdef uint32_t* raw
    cdef uint8_t* cls
    cdef double* rs
    cdef int32_t* rend
    cdef int32_t* out
    cdef unsigned char* obuf
    cdef Py_ssize_t n, cap, ocap

    def __cinit__(self):
        self.raw = NULL
        self.cls = NULL
        self.rs = NULL
        self.rend = NULL
        self.out = NULL
        self.obuf = NULL
        self.cap = 0
        self.ocap = 0

    cdef void _release(self) noexcept:
        free(self.raw)
        free(self.cls)
        free(self.rs)
        free(self.rend)
        free(self.out)
        self.raw = NULL
        self.cls = NULL
        self.rs = NULL
        self.rend = NULL
        self.out = NULL
        self.cap = 0

    cdef int setup(self, str text) except -1:
        cdef Py_ssize_t n = len(text), cap
        if n + 1 > self.cap:
            self._release()
            cap = n + 1 + (n >> 3)
            self.raw = <uint32_t*>malloc(cap * sizeof(uint32_t))
            self.cls = <uint8_t*>malloc(cap)
            self.rs = <double*>malloc(cap * sizeof(double))
            self.rend = <int32_t*>malloc(cap * sizeof(int32_t))
            self.out = <int32_t*>malloc(2 * cap * sizeof(int32_t))
            if (self.raw == NULL or self.cls == NULL or self.rs == NULL or self.rend == NULL
                    or self.out == NULL):
                self._release()
                raise MemoryError()
            self.cap = cap
        read_text(text, self.raw)
        self.n = n
        return 0

    cdef unsigned char* out_buffer(self, Py_ssize_t size) except NULL:
        if size > self.ocap:
            free(self.obuf)
            self.ocap = 0
            self.obuf = <unsigned char*>malloc(size + (size >> 3))
            if self.obuf == NULL:
                raise MemoryError()
            self.ocap = size + (size >> 3)
        return self.obuf

    def __dealloc__(self):
        self._release()
        free(self.obuf)


#: Idle scratch buffers. Taken and given back with the GIL held, so concurrent calls (the
#: kernels run without the GIL) never share one.
cdef list _POOL = []
#: Scratch larger than this (characters) is freed after its call rather than pooled.
cdef Py_ssize_t POOL_MAX_CHARS = 1 << 21


cdef _Work take_work():
    if _POOL:
        return _POOL.pop()
    return _Work()


cdef void give_work(_Work w):
    if w.cap <= POOL_MAX_CHARS + (POOL_MAX_CHARS >> 3) + 1 and w.ocap <= 5 * POOL_MAX_CHARS \
            and len(_POOL) < 4:
        _POOL.append(w)


def segment_spans(str text, Trie trie, int mode, bint norm, double offset, double unk,
                  bint markers=False):
    """Token spans of ``text`` as an int32 array of shape (k, 2); (-1, -1) marks a newline when
    ``markers`` (else a newline is whitespace)."""
    cdef _Work w = take_work()
    cdef Py_ssize_t k
    w.setup(text)
    with nogil:
        k = seg_all(&trie.c, w.raw, w.n, mode, norm, offset, unk, markers, w.cls, w.rs, w.rend, w.out)
    res = np.empty(k, dtype=np.int32)
    cdef int32_t[::1] rv = res
    cdef Py_ssize_t i
    for i in range(k):
        rv[i] = w.out[i]
    give_work(w)
    return res.reshape(-1, 2)


#: One-character strings of the BMP, made once each (a token of one character is the most
#: common kind, and a cached object saves an allocation per token).
cdef PyObject* _CHAR_STR[ROOT_DIRECT]


cdef inline object char_str(uint32_t c):
    cdef object s
    if c >= ROOT_DIRECT:
        return chr(c)
    if _CHAR_STR[c] == NULL:
        s = chr(c)
        Py_INCREF(s)                     # owned by the table for the life of the process
        _CHAR_STR[c] = <PyObject*>s
    return <object>_CHAR_STR[c]


def segment_lists(str text, Trie trie, int mode, bint norm, double offset, double unk):
    """Tokens of ``text`` as a list of lists of str: one list per '\\n'-separated line."""
    cdef _Work w = take_work()
    cdef Py_ssize_t k, i
    w.setup(text)
    with nogil:
        k = seg_all(&trie.c, w.raw, w.n, mode, norm, offset, unk, True, w.cls, w.rs, w.rend, w.out)
    cdef list lines = []
    cdef list cur = []
    for i in range(0, k, 2):
        if w.out[i] < 0:
            lines.append(cur)
            cur = []
        elif w.out[i + 1] - w.out[i] == 1:
            cur.append(char_str(w.raw[w.out[i]]))
        else:
            cur.append(text[w.out[i]:w.out[i + 1]])
    lines.append(cur)
    give_work(w)
    return lines


def segment_utf8(str text, Trie trie, int mode, bint norm, double offset, double unk,
                 bytes delimiter, bint mid_line=False):
    """Segment ``text`` and write it as UTF-8: tokens joined by ``delimiter``, lines by '\\n'.

    ``mid_line`` says a token of the current line was already written (by the previous chunk of
    a line cut in pieces), so a delimiter goes before this chunk's first token. Returns
    ``(bytes, mid_line_after)``.
    """
    cdef _Work w = take_work()
    cdef Py_ssize_t k, i, p, j = 0, size
    cdef const unsigned char* d = delimiter
    cdef Py_ssize_t dl = len(delimiter), x
    cdef bint started = mid_line
    w.setup(text)
    with nogil:
        k = seg_all(&trie.c, w.raw, w.n, mode, norm, offset, unk, True, w.cls, w.rs, w.rend, w.out)
    size = 4 * w.n + (k // 2) * dl + 16
    cdef unsigned char* b = w.out_buffer(size)
    with nogil:
        for i in range(0, k, 2):
            if w.out[i] < 0:
                b[j] = 10
                j += 1
                started = False
                continue
            if started:
                for x in range(dl):
                    b[j + x] = d[x]
                j += dl
            started = True
            for p in range(w.out[i], w.out[i + 1]):
                j = put_utf8(b, j, w.raw[p])
    res = PyBytes_FromStringAndSize(<char*>b, j)
    give_work(w)
    return res, bool(started)


def last_boundary(str text, int mode, bint norm):
    """Index ``i`` of the last character of ``text`` after which the text may be cut without
    changing its segmentation (``text[:i + 1]`` and the rest segment to the same tokens as the
    whole), or -1. In ``MODE_NLPZERO`` that is after a boundary character that neither joins the
    next run (a middle dot after a word character), nor may repeat into the next piece (a
    punctuation character at the very end), nor is followed by the same punctuation character."""
    cdef Py_ssize_t n = len(text), i
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef int c, c_next = C_SPACE
    cdef uint32_t ch, ch_next = 0
    i = n - 1
    while i >= 0:
        ch = PyUnicode_READ(kind, data, i)
        c = classify(ch, mode, norm, True)
        if not is_run_class(c):
            if mode != 0 or c != C_OTHER:
                return i
            if i + 1 < n and not (is_middle_dot(ch) and i > 0
                                  and is_run_class(classify(PyUnicode_READ(kind, data, i - 1), mode, norm, True))) \
                    and not (c_next == C_OTHER and ch_next == ch):
                return i
        c_next = c
        ch_next = ch
        i -= 1
    return -1


# jieba 0.42's cut modes (nlpzero.jieba, Segmenter(hmm=True)); kept in a file of their own.
include "_jieba.pxi"
