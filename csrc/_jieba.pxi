# jieba 0.42's three cut modes, compiled (included at the end of _segment.pyx, so it shares the
# trie's C layout and walk). Used by nlpzero.jieba (the drop-in API) and Segmenter(hmm=True).
#
# What jieba.Tokenizer.cut does, step by step, and where it is here:
#   - the text is split into blocks of re_han_default ([\u4E00-\u9FD5a-zA-Z0-9+#&._%-]+) and
#     the rest; a non-han block is split by re_skip ((\r\n|\s)): whitespace pieces are tokens,
#     the other pieces one token per character (full mode: the whole piece, empty ones too)
#     -> jb_other;
#   - a han block: the DAG of dictionary words (a single character only where no word starts)
#     and the max-score route (ties to the longer word) -> jb_route;
#   - HMM off: the route's words, consecutive one-character ASCII letters/digits glued -> jb_plain;
#   - HMM on: consecutive one-character pieces gathered into a buffer; a buffer of length > 1
#     that is not itself a dictionary word goes to finalseg: blocks of [\u4E00-\u9FD5]+ get the
#     BMES Viterbi (jb_viterbi; words in the force-split set come out as characters), the rest
#     is cut by ([a-zA-Z0-9]+(?:\.\d+)?%?) -> jb_hmm, jb_finalseg, jb_skip_split;
#   - full mode: jieba's __cut_all walk over the DAG -> jb_full;
#   - search mode: each token longer than 2 (3) is preceded by its 2-grams (3-grams) that are
#     dictionary words -> jb_search.
# Floating-point sums are done in jieba's order ((a + b) + c), so scores tie exactly where
# jieba's tie, and ties are broken as jieba's max over tuples breaks them.
#
# These kernels hold the GIL: the trie they walk can then never be edited under them by another
# thread (nlpzero.jieba's dictionary edits are Python code), which is what makes the module-level
# tokenizer safe to share between threads. Output is spans (start, end) into the text; a span
# may be empty (full mode's empty pieces) and spans of the HMM may overlap (jieba's Viterbi
# output keeps a stale word start when the best path has an E without a B).

from libc.stdlib cimport realloc

cdef enum:
    JB_NO_HMM = 0
    JB_HMM = 1
    JB_FULL = 2
    HAN_FIRST = 0x4E00
    HAN_N = 0x9FD5 - 0x4E00 + 1
    # BMES states, indexed in alphabetical order (jieba breaks ties by the state's letter)
    ST_B = 0
    ST_E = 1
    ST_M = 2
    ST_S = 3

#: jieba's finalseg MIN_FLOAT (the log-probability of anything missing from its tables).
cdef double HMM_MIN = -3.14e100
cdef double HMM_START[4]
cdef double HMM_TRANS[4][4]
cdef double* HMM_EMIT = NULL          # [4 * HAN_N]: state-major, character - HAN_FIRST
#: Words the HMM must not output whole (jieba's finalseg.Force_Split_Words): a Trie or None.
cdef object JB_FORCE = None
#: The two previous states of each state (jieba's PrevStatus), in jieba's order.
cdef int PREV[4][2]
PREV[ST_B][0] = ST_E
PREV[ST_B][1] = ST_S
PREV[ST_M][0] = ST_M
PREV[ST_M][1] = ST_B
PREV[ST_S][0] = ST_S
PREV[ST_S][1] = ST_E
PREV[ST_E][0] = ST_B
PREV[ST_E][1] = ST_M


def jieba_set_hmm(double[::1] start, double[:, ::1] trans, double[:, ::1] emit):
    """Install the HMM tables: start (4,), trans (4, 4) and emit (4, 0x9FD5 - 0x4E00 + 1), states
    in the order B, E, M, S, missing entries already set to -3.14e100."""
    global HMM_EMIT
    cdef Py_ssize_t i, j
    if start.shape[0] != 4 or trans.shape[0] != 4 or trans.shape[1] != 4 \
            or emit.shape[0] != 4 or emit.shape[1] != HAN_N:
        raise ValueError("bad HMM table shapes")
    cdef double* e = <double*>malloc(4 * HAN_N * sizeof(double))
    if e == NULL:
        raise MemoryError()
    for i in range(4):
        HMM_START[i] = start[i]
        for j in range(4):
            HMM_TRANS[i][j] = trans[i, j]
        for j in range(HAN_N):
            e[i * HAN_N + j] = emit[i, j]
    free(HMM_EMIT)
    HMM_EMIT = e


def jieba_hmm_ready():
    return HMM_EMIT != NULL


def jieba_set_force_split(trie):
    """Set the force-split words (a Trie whose word nodes are the words, or None)."""
    global JB_FORCE
    if trie is not None and not isinstance(trie, Trie):
        raise TypeError("expected a Trie or None")
    JB_FORCE = trie


ctypedef struct JbOut:
    int32_t* d
    Py_ssize_t k
    Py_ssize_t cap


cdef int jb_push(JbOut* o, Py_ssize_t a, Py_ssize_t b) except -1:
    cdef Py_ssize_t cap
    cdef int32_t* d
    if o.k + 2 > o.cap:
        cap = 2 * o.cap + 64
        d = <int32_t*>realloc(o.d, cap * sizeof(int32_t))
        if d == NULL:
            raise MemoryError()
        o.d = d
        o.cap = cap
    o.d[o.k] = <int32_t>a
    o.d[o.k + 1] = <int32_t>b
    o.k += 2
    return 0


ctypedef struct JbScratch:
    double* rs
    int32_t* rend
    int32_t* ends
    double* v
    uint8_t* bp
    Py_ssize_t cap


cdef inline bint jb_han(uint32_t c) noexcept nogil:
    """re_han_default's class: [\\u4E00-\\u9FD5a-zA-Z0-9+#&._%-]."""
    return ((0x4E00 <= c <= 0x9FD5) or is_ascii_alnum(c) or c == 43 or c == 35 or c == 38
            or c == 46 or c == 95 or c == 37 or c == 45)


cdef inline bint jb_hanonly(uint32_t c) noexcept nogil:
    return 0x4E00 <= c <= 0x9FD5


cdef inline bint jb_is_word(const TrieC* t, const uint32_t* raw, Py_ssize_t a, Py_ssize_t b) noexcept nogil:
    """raw[a:b] is a word (a non-zero frequency) of the trie."""
    cdef int32_t node = 0
    cdef double sc = NAN
    cdef uint32_t cm
    cdef Py_ssize_t i
    for i in range(a, b):
        node = child(t, node, raw[i], &sc, &cm)
        if node < 0:
            return False
    return sc == sc


cdef void jb_route(const TrieC* t, const uint32_t* raw, Py_ssize_t s, Py_ssize_t e, double offset,
                   double* rs, int32_t* rend) noexcept nogil:
    """jieba's get_DAG + calc over raw[s:e]: rend[p] = end of the route's word starting at p."""
    cdef Py_ssize_t p, m, bend
    cdef int32_t node
    cdef double best, cand, sc
    cdef uint32_t ch, cmask
    rs[e] = 0.0
    p = e
    while p > s:
        p -= 1
        best = -INFINITY
        bend = -1
        node = 0
        cmask = 0xFFFFFFFF
        m = p
        while m < e:
            ch = raw[m]
            if not ((cmask >> (ch & 31)) & 1):
                break
            node = child(t, node, ch, &sc, &cmask)
            if node < 0:
                break
            m += 1
            if sc == sc:
                cand = (sc + offset) + rs[m]
                if cand >= best:          # ties: the later (longer) end, as max over (score, x)
                    best = cand
                    bend = m
        if bend < 0:                      # no word starts here: the character, frequency 1
            best = offset + rs[p + 1]
            bend = p + 1
        rs[p] = best
        rend[p] = <int32_t>bend


cdef int jb_plain(const uint32_t* raw, Py_ssize_t s, Py_ssize_t e, const int32_t* rend,
                  JbOut* o) except -1:
    cdef Py_ssize_t p = s, q, gs = -1
    while p < e:
        q = rend[p]
        if q == p + 1 and is_ascii_alnum(raw[p]):
            if gs < 0:
                gs = p
        else:
            if gs >= 0:
                jb_push(o, gs, p)
                gs = -1
            jb_push(o, p, q)
        p = q
    if gs >= 0:
        jb_push(o, gs, e)
    return 0


cdef int jb_word_out(const uint32_t* raw, Py_ssize_t a, Py_ssize_t b, const TrieC* force,
                     JbOut* o) except -1:
    """An HMM word: whole, or character by character when it is a force-split word."""
    cdef Py_ssize_t i
    if force != NULL and jb_is_word(force, raw, a, b):
        for i in range(a, b):
            jb_push(o, i, i + 1)
    else:
        jb_push(o, a, b)
    return 0


cdef int jb_viterbi(const uint32_t* raw, Py_ssize_t s, Py_ssize_t e, JbScratch* w,
                    const TrieC* force, JbOut* o) except -1:
    """finalseg.__cut over raw[s:e] (all characters in U+4E00..U+9FD5)."""
    cdef Py_ssize_t n = e - s, t, i, begin, nexti
    cdef int y, y0, y1, state
    cdef double em, c0, c1
    cdef double* v = w.v
    cdef uint8_t* bp = w.bp
    cdef uint32_t c = raw[s] - HAN_FIRST
    for y in range(4):
        v[y] = HMM_START[y] + HMM_EMIT[y * HAN_N + c]
    for t in range(1, n):
        c = raw[s + t] - HAN_FIRST
        for y in range(4):
            em = HMM_EMIT[y * HAN_N + c]
            y0 = PREV[y][0]
            y1 = PREV[y][1]
            c0 = (v[4 * (t - 1) + y0] + HMM_TRANS[y0][y]) + em
            c1 = (v[4 * (t - 1) + y1] + HMM_TRANS[y1][y]) + em
            # max over (prob, state) tuples: equal probs go to the later letter
            if c0 > c1 or (c0 == c1 and y0 > y1):
                v[4 * t + y] = c0
                bp[4 * t + y] = <uint8_t>y0
            else:
                v[4 * t + y] = c1
                bp[4 * t + y] = <uint8_t>y1
    state = ST_S if v[4 * (n - 1) + ST_S] >= v[4 * (n - 1) + ST_E] else ST_E
    # the path, written into bp[4 * t + 3]'s neighbour slot: reuse w.ends as the state list
    t = n - 1
    while True:
        w.ends[t] = state
        if t == 0:
            break
        state = bp[4 * t + state]
        t -= 1
    begin = 0
    nexti = 0
    for i in range(n):
        state = w.ends[i]
        if state == ST_B:
            begin = i
        elif state == ST_E:
            jb_word_out(raw, s + begin, s + i + 1, force, o)
            nexti = i + 1
        elif state == ST_S:
            jb_word_out(raw, s + i, s + i + 1, force, o)
            nexti = i + 1
    if nexti < n:
        jb_word_out(raw, s + nexti, e, force, o)
    return 0


cdef inline bint jb_digit(uint32_t c) noexcept nogil:
    return 48 <= c <= 57


cdef int jb_skip_split(const uint32_t* raw, Py_ssize_t s, Py_ssize_t e, JbOut* o) except -1:
    """finalseg's re_skip ([a-zA-Z0-9]+(?:\\.\\d+)?%?) split of raw[s:e], non-empty pieces."""
    cdef Py_ssize_t r = s, m, pend = s
    while r < e:
        if is_ascii_alnum(raw[r]):
            m = r + 1
            while m < e and is_ascii_alnum(raw[m]):
                m += 1
            if m + 1 < e and raw[m] == 46 and jb_digit(raw[m + 1]):
                m += 2
                while m < e and jb_digit(raw[m]):
                    m += 1
            if m < e and raw[m] == 37:
                m += 1
            if pend < r:
                jb_push(o, pend, r)
            jb_push(o, r, m)
            r = m
            pend = m
        else:
            r += 1
    if pend < e:
        jb_push(o, pend, e)
    return 0


cdef int jb_finalseg(const uint32_t* raw, Py_ssize_t s, Py_ssize_t e, JbScratch* w,
                     const TrieC* force, JbOut* o) except -1:
    cdef Py_ssize_t p = s, q
    while p < e:
        q = p + 1
        if jb_hanonly(raw[p]):
            while q < e and jb_hanonly(raw[q]):
                q += 1
            jb_viterbi(raw, p, q, w, force, o)
        else:
            while q < e and not jb_hanonly(raw[q]):
                q += 1
            jb_skip_split(raw, p, q, o)
        p = q
    return 0


cdef int jb_flush(const TrieC* t, const uint32_t* raw, Py_ssize_t a, Py_ssize_t b, JbScratch* w,
                  const TrieC* force, JbOut* o) except -1:
    cdef Py_ssize_t i
    if b - a == 1:
        jb_push(o, a, b)
    elif jb_is_word(t, raw, a, b):
        for i in range(a, b):
            jb_push(o, i, i + 1)
    else:
        jb_finalseg(raw, a, b, w, force, o)
    return 0


cdef int jb_hmm(const TrieC* t, const uint32_t* raw, Py_ssize_t s, Py_ssize_t e, JbScratch* w,
                const TrieC* force, JbOut* o) except -1:
    cdef Py_ssize_t x = s, y, bs = -1
    while x < e:
        y = w.rend[x]
        if y - x == 1:
            if bs < 0:
                bs = x
        else:
            if bs >= 0:
                jb_flush(t, raw, bs, x, w, force, o)
                bs = -1
            jb_push(o, x, y)
        x = y
    if bs >= 0:
        jb_flush(t, raw, bs, e, w, force, o)
    return 0


cdef int jb_full(const TrieC* t, const uint32_t* raw, Py_ssize_t s, Py_ssize_t e, JbScratch* w,
                 bint exact, JbOut* o) except -1:
    """jieba's __cut_all over raw[s:e]. When jieba would glue ASCII pieces that are not adjacent
    (a string no span can express), returns 1 if ``exact`` (the caller then falls back to
    Python), else writes the glued piece so far and starts a new one."""
    cdef Py_ssize_t k, m, nl, i, old_j = s - 1, eng_s = -1, eng_e = -1, j
    cdef bint eng_scan = False
    cdef int32_t node
    cdef double sc
    cdef uint32_t ch, cmask
    for k in range(s, e):
        nl = 0
        node = 0
        cmask = 0xFFFFFFFF
        m = k
        while m < e:
            ch = raw[m]
            if not ((cmask >> (ch & 31)) & 1):
                break
            node = child(t, node, ch, &sc, &cmask)
            if node < 0:
                break
            m += 1
            if sc == sc:
                w.ends[nl] = <int32_t>(m - 1)      # jieba's DAG holds inclusive ends
                nl += 1
        if nl == 0:
            w.ends[0] = <int32_t>k
            nl = 1
        if eng_scan and not is_ascii_alnum(raw[k]):
            eng_scan = False
            jb_push(o, eng_s, eng_e)
        if nl == 1 and k > old_j:
            j = w.ends[0]
            if is_ascii_alnum(raw[k]):
                if not eng_scan:
                    eng_scan = True
                    eng_s = k
                    eng_e = j + 1
                else:
                    if k != eng_e:
                        if exact:
                            return 1
                        jb_push(o, eng_s, eng_e)
                        eng_s = k
                    eng_e = j + 1
            if not eng_scan:
                jb_push(o, k, j + 1)
            old_j = j
        else:
            for i in range(nl):
                j = w.ends[i]
                if j > k:
                    jb_push(o, k, j + 1)
                    old_j = j
    if eng_scan:
        jb_push(o, eng_s, eng_e)
    return 0


cdef int jb_other(const uint32_t* raw, Py_ssize_t s, Py_ssize_t e, int how, bint keep,
                  JbOut* o) except -1:
    """A non-han block: re_skip's split, whitespace pieces as tokens (when ``keep``)."""
    cdef Py_ssize_t p = s, piece = s, sep = 0, i
    while True:
        if p < e:
            if raw[p] == 13 and p + 1 < e and raw[p + 1] == 10:
                sep = 2
            elif is_space(raw[p]):
                sep = 1
            else:
                p += 1
                continue
        if how == JB_FULL:
            if keep or p > piece:
                jb_push(o, piece, p)
        else:
            for i in range(piece, p):
                jb_push(o, i, i + 1)
        if p >= e:
            break
        if keep:
            jb_push(o, p, p + sep)
        p += sep
        piece = p
    return 0


cdef int jb_search(const TrieC* t, const uint32_t* raw, JbOut* src, JbOut* o) except -1:
    """cut_for_search: each token's dictionary 2-grams, then 3-grams, then the token."""
    cdef Py_ssize_t i, a, b, x
    for i in range(0, src.k, 2):
        a = src.d[i]
        b = src.d[i + 1]
        if a >= 0 and b - a > 2:
            for x in range(a, b - 1):
                if jb_is_word(t, raw, x, x + 2):
                    jb_push(o, x, x + 2)
            if b - a > 3:
                for x in range(a, b - 2):
                    if jb_is_word(t, raw, x, x + 3):
                        jb_push(o, x, x + 3)
        jb_push(o, a, b)
    return 0


cdef class _JbWork:
    """Scratch for the jieba kernels (one at a time: they hold the GIL)."""
    cdef uint32_t* raw
    cdef JbScratch w
    cdef JbOut out
    cdef JbOut out2
    cdef Py_ssize_t rcap

    def __cinit__(self):
        self.raw = NULL
        self.rcap = 0
        self.w.rs = NULL
        self.w.rend = NULL
        self.w.ends = NULL
        self.w.v = NULL
        self.w.bp = NULL
        self.w.cap = 0
        self.out.d = NULL
        self.out.cap = 0
        self.out.k = 0
        self.out2.d = NULL
        self.out2.cap = 0
        self.out2.k = 0

    cdef void _free(self) noexcept:
        free(self.raw)
        free(self.w.rs)
        free(self.w.rend)
        free(self.w.ends)
        free(self.w.v)
        free(self.w.bp)
        self.raw = NULL
        self.w.rs = NULL
        self.w.rend = NULL
        self.w.ends = NULL
        self.w.v = NULL
        self.w.bp = NULL
        self.w.cap = 0

    cdef int setup(self, str text) except -1:
        cdef Py_ssize_t n = len(text), cap
        if n + 1 > self.w.cap:
            self._free()
            cap = n + 1 + (n >> 2) + 64
            self.raw = <uint32_t*>malloc(cap * sizeof(uint32_t))
            self.w.rs = <double*>malloc(cap * sizeof(double))
            self.w.rend = <int32_t*>malloc(cap * sizeof(int32_t))
            self.w.ends = <int32_t*>malloc(cap * sizeof(int32_t))
            self.w.v = <double*>malloc(4 * cap * sizeof(double))
            self.w.bp = <uint8_t*>malloc(4 * cap)
            if (self.raw == NULL or self.w.rs == NULL or self.w.rend == NULL
                    or self.w.ends == NULL or self.w.v == NULL or self.w.bp == NULL):
                self._free()
                raise MemoryError()
            self.w.cap = cap
        read_text(text, self.raw)
        self.out.k = 0
        self.out2.k = 0
        return 0

    cdef void shrink(self) noexcept:
        if self.w.cap > (1 << 20):
            self._free()
        if self.out.cap > (1 << 21):
            free(self.out.d)
            self.out.d = NULL
            self.out.cap = 0
        if self.out2.cap > (1 << 21):
            free(self.out2.d)
            self.out2.d = NULL
            self.out2.cap = 0

    def __dealloc__(self):
        self._free()
        free(self.out.d)
        free(self.out2.d)


#: Idle scratch (taken and given back with the GIL held; a finalizer run by an allocation while
#: tokens are built could let another thread in, so no two calls ever share one).
cdef list _JB_POOL = []


cdef _JbWork jb_take():
    if _JB_POOL:
        return _JB_POOL.pop()
    return _JbWork()


cdef void jb_give(_JbWork wk):
    wk.shrink()
    if len(_JB_POOL) < 4:
        _JB_POOL.append(wk)


cdef int jb_cut(Trie trie, _JbWork wk, Py_ssize_t n, double offset, int how, bint search,
                bint keep, bint markers, bint exact, JbOut** result) except -1:
    """Cut wk.raw[:n]; the spans end up in result[0]. Returns 1 when full mode needs the Python
    fallback (see jb_full). With ``markers``, a newline is (-1, -1) and blocks end at it."""
    cdef const TrieC* t = &trie.c
    cdef const TrieC* force = NULL
    cdef Trie ft
    cdef const uint32_t* raw = wk.raw
    cdef Py_ssize_t i = 0, j
    cdef uint32_t c
    if JB_FORCE is not None:
        ft = <Trie>JB_FORCE
        if ft.n_keys > 0 or ft.n_nodes > 1:
            force = &ft.c
    if how == JB_HMM and HMM_EMIT == NULL:
        raise RuntimeError("the HMM tables are not loaded")
    cdef JbOut* o = &wk.out
    while i < n:
        c = raw[i]
        if markers and c == 10:
            jb_push(o, -1, -1)
            i += 1
            continue
        j = i + 1
        if jb_han(c):
            while j < n and jb_han(raw[j]):
                j += 1
            if how == JB_FULL:
                if jb_full(t, raw, i, j, &wk.w, exact, o):
                    return 1
            else:
                jb_route(t, raw, i, j, offset, wk.w.rs, wk.w.rend)
                if how == JB_HMM:
                    jb_hmm(t, raw, i, j, &wk.w, force, o)
                else:
                    jb_plain(raw, i, j, wk.w.rend, o)
        else:
            while j < n and not jb_han(raw[j]) and not (markers and raw[j] == 10):
                j += 1
            jb_other(raw, i, j, how, keep, o)
        i = j
    if search:
        jb_search(t, raw, o, &wk.out2)
        result[0] = &wk.out2
    else:
        result[0] = o
    return 0


def jieba_spans(str text, Trie trie, double offset, int how, bint search=False, bint keep=True,
                bint markers=False, bint exact=True):
    """Token spans of ``text`` as jieba cuts it: int32 (k, 2), or None when full mode needs the
    Python fallback. ``how``: 0 HMM off, 1 HMM on, 2 full; ``keep``: whitespace tokens (and full
    mode's empty pieces) are kept, as jieba does; ``markers``: a newline is (-1, -1)."""
    cdef _JbWork wk = jb_take()
    cdef JbOut* o
    cdef Py_ssize_t i
    wk.setup(text)
    if jb_cut(trie, wk, len(text), offset, how, search, keep, markers, exact, &o):
        jb_give(wk)
        return None
    res = np.empty(o.k, dtype=np.int32)
    cdef int32_t[::1] rv = res
    for i in range(o.k):
        rv[i] = o.d[i]
    jb_give(wk)
    return res.reshape(-1, 2)


def jieba_list(str text, Trie trie, double offset, int how, bint search=False):
    """``jieba.lcut(text)``'s list of str (whitespace tokens kept), or None when full mode needs
    the Python fallback."""
    cdef _JbWork wk = jb_take()
    cdef JbOut* o
    cdef Py_ssize_t i, a, b
    cdef list res = []
    wk.setup(text)
    if jb_cut(trie, wk, len(text), offset, how, search, True, False, True, &o):
        jb_give(wk)
        return None
    for i in range(0, o.k, 2):
        a = o.d[i]
        b = o.d[i + 1]
        if b - a == 1:
            res.append(char_str(wk.raw[a]))
        else:
            res.append(text[a:b])
    jb_give(wk)
    return res


def jieba_lists(str text, Trie trie, double offset, int how, bint search=False, bint exact=True):
    """Tokens per '\\n'-separated line of ``text`` (whitespace dropped), a list of lists."""
    cdef _JbWork wk = jb_take()
    cdef JbOut* o
    cdef Py_ssize_t i, a, b
    cdef list lines = [], cur = []
    wk.setup(text)
    if jb_cut(trie, wk, len(text), offset, how, search, False, True, exact, &o):
        jb_give(wk)
        return None
    for i in range(0, o.k, 2):
        a = o.d[i]
        b = o.d[i + 1]
        if a < 0:
            lines.append(cur)
            cur = []
        elif b - a == 1:
            cur.append(char_str(wk.raw[a]))
        else:
            cur.append(text[a:b])
    lines.append(cur)
    jb_give(wk)
    return lines


def jieba_utf8(str text, Trie trie, double offset, int how, bint search, bytes delimiter,
               bint mid_line=False, bint exact=True):
    """Like segment_utf8, with jieba's cut (whitespace dropped): ``(bytes, mid_line_after)``,
    or None when full mode needs the Python fallback."""
    cdef _JbWork wk = jb_take()
    cdef JbOut* o
    cdef Py_ssize_t i, p, j = 0, size, x, a, b, total = 0
    cdef const unsigned char* d = delimiter
    cdef Py_ssize_t dl = len(delimiter)
    cdef bint started = mid_line
    wk.setup(text)
    if jb_cut(trie, wk, len(text), offset, how, search, False, True, exact, &o):
        jb_give(wk)
        return None
    for i in range(0, o.k, 2):
        if o.d[i] >= 0:
            total += 4 * (o.d[i + 1] - o.d[i]) + dl
        else:
            total += 1
    size = total + 16
    cdef bytearray buf = bytearray(size)
    cdef unsigned char* bb = buf
    for i in range(0, o.k, 2):
        a = o.d[i]
        b = o.d[i + 1]
        if a < 0:
            bb[j] = 10
            j += 1
            started = False
            continue
        if started:
            for x in range(dl):
                bb[j + x] = d[x]
            j += dl
        started = True
        for p in range(a, b):
            j = put_utf8(bb, j, wk.raw[p])
    jb_give(wk)
    return bytes(buf[:j]), bool(started)


def spans_utf8(str text, const int32_t[:, ::1] spans, bytes delimiter, bint mid_line=False):
    """``text[a:b]`` for each span written as UTF-8, joined by ``delimiter``; a (-1, -1) span is
    a newline. Returns ``(bytes, mid_line_after)`` like segment_utf8 (for callers that segment
    a view of the text but write the original characters)."""
    cdef Py_ssize_t k = spans.shape[0], i, p, j = 0, x, total = 16
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef const unsigned char* d = delimiter
    cdef Py_ssize_t dl = len(delimiter), n = len(text)
    cdef bint started = mid_line
    for i in range(k):
        if spans[i, 0] < 0:
            total += 1
        else:
            if spans[i, 0] > spans[i, 1] or spans[i, 1] > n:
                raise ValueError("span out of range")
            total += 4 * (spans[i, 1] - spans[i, 0]) + dl
    cdef bytearray buf = bytearray(total)
    cdef unsigned char* bb = buf
    for i in range(k):
        if spans[i, 0] < 0:
            bb[j] = 10
            j += 1
            started = False
            continue
        if started:
            for x in range(dl):
                bb[j + x] = d[x]
            j += dl
        started = True
        for p in range(spans[i, 0], spans[i, 1]):
            j = put_utf8(bb, j, PyUnicode_READ(kind, data, p))
    return bytes(buf[:j]), bool(started)


def whole_word_spans(str text, Trie trie, bint norm):
    """Occurrences of ``trie``'s words in ``text``, leftmost first and, at one position, the
    longest: int32 (k, 2), non-overlapping, in order (a word overlapping an occurrence already
    taken is not matched there). An occurrence never cuts a stretch of ASCII letters/digits:
    it may not start right after one of them with one of them, nor end inside one. Matching
    uses the normalised characters when ``norm`` (full-width ASCII as ASCII)."""
    cdef Py_ssize_t n = len(text), p = 0, m, best
    cdef int kind = PyUnicode_KIND(text)
    cdef void* data = PyUnicode_DATA(text)
    cdef int32_t node
    cdef double sc
    cdef uint32_t ch, cmask, prev = 0
    cdef JbOut o
    o.d = NULL
    o.k = 0
    o.cap = 0
    cdef uint32_t* raw = <uint32_t*>malloc((n + 1) * sizeof(uint32_t))
    if raw == NULL:
        raise MemoryError()
    try:
        for p in range(n):
            ch = PyUnicode_READ(kind, data, p)
            raw[p] = normalize_char(ch) if norm else ch
        raw[n] = 0
        p = 0
        while p < n:
            if p > 0 and is_ascii_alnum(raw[p - 1]) and is_ascii_alnum(raw[p]):
                p += 1
                continue
            best = -1
            node = 0
            cmask = 0xFFFFFFFF
            m = p
            while m < n:
                ch = raw[m]
                if not ((cmask >> (ch & 31)) & 1):
                    break
                node = child(&trie.c, node, ch, &sc, &cmask)
                if node < 0:
                    break
                m += 1
                if sc == sc and not (m < n and is_ascii_alnum(raw[m - 1]) and is_ascii_alnum(raw[m])):
                    best = m
            if best > 0:
                jb_push(&o, p, best)
                p = best
            else:
                p += 1
        res = np.empty(o.k, dtype=np.int32)
        for p in range(o.k):
            res[p] = o.d[p]
        return res.reshape(-1, 2)
    finally:
        free(raw)
        free(o.d)
