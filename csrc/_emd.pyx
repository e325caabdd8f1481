# cython: language_level=3
"""Private compiled core of :mod:`nlpzero.distance`: an exact transportation solver.

The solver is a primal network simplex on the bipartite transportation network (supply nodes
``0..n1-1``, demand nodes ``n1..n1+n2-1``, an artificial root ``n1+n2``). It follows the textbook
design that the LEMON / Bonneel et al. solver (used by POT) also follows: an initial basis of
artificial root arcs (big-M), a strongly feasible spanning tree (Cunningham's leaving-arc rule,
which prevents cycling on degenerate pivots), and block-search pricing (scan ``sqrt(m)`` arcs at a
time, take the most negative reduced cost of the block). The tree is kept as parent pointers,
depths and doubly linked child lists; the flow of a tree arc is stored on its lower endpoint, so
memory is O(n1 + n2) plus one byte per arc for the basis flags.

Kernels take arrays and return numbers and status codes; policy (messages, warnings, defaults)
lives in ``nlpzero/distance.py``. Functions:

- ``emd_solve``: validated single problem (cost, optionally plan and duals).
- ``pairwise_cost``: deterministic ground-cost kernel (Euclidean or half squared distance of
  unit vectors) so that batch and pair computations agree bit for bit.
- ``search_topk``: the prefetch-and-prune loop of the exact top-k text search.
"""
from libc.math cimport fabs, isfinite, sqrt, ceil
from libc.stdlib cimport free, malloc
from libc.string cimport memset

import numpy as np

# status codes (mirrored in nlpzero/distance.py)
cdef enum:
    ST_OPTIMAL = 0
    ST_MAX_ITER = 1
    ST_INFEASIBLE = 2

STATUS_OPTIMAL = ST_OPTIMAL
STATUS_MAX_ITER = ST_MAX_ITER
STATUS_INFEASIBLE = ST_INFEASIBLE

#: relative tolerance of the pricing test: an arc enters only if its reduced cost is below
#: -EPS_REL * (|cost| + |pi_source| + |pi_target|) (a few hundred ulps of the terms involved)
cdef double EPS_REL = 1e-14


ctypedef struct Work:
    Py_ssize_t cap_nodes
    Py_ssize_t cap_arcs
    int* parent
    int* depth
    int* first_child
    int* next_sib
    int* prev_sib
    Py_ssize_t* pred        # arc id of the tree arc joining node and parent
    signed char* up         # 1: that arc points node -> parent; 0: parent -> node
    double* flow            # flow on that arc
    double* pi              # node potentials
    unsigned char* state    # 1 if real arc e is in the tree
    double* scratch         # cost sub-matrix / weights for the search loop


cdef int _work_alloc(Work* w, Py_ssize_t nodes, Py_ssize_t arcs) noexcept nogil:
    """Allocate for ``nodes`` nodes (root included) and ``arcs`` real arcs; 0 on success."""
    w.cap_nodes = nodes
    w.cap_arcs = arcs
    w.parent = <int*> malloc(5 * nodes * sizeof(int))
    w.pred = <Py_ssize_t*> malloc(nodes * sizeof(Py_ssize_t))
    w.up = <signed char*> malloc(nodes)
    w.flow = <double*> malloc(2 * nodes * sizeof(double))
    w.state = <unsigned char*> malloc(arcs + 1)
    w.scratch = NULL
    if w.parent == NULL or w.pred == NULL or w.up == NULL or w.flow == NULL or w.state == NULL:
        _work_free(w)
        return -1
    w.depth = w.parent + nodes
    w.first_child = w.parent + 2 * nodes
    w.next_sib = w.parent + 3 * nodes
    w.prev_sib = w.parent + 4 * nodes
    w.pi = w.flow + nodes
    return 0


cdef void _work_free(Work* w) noexcept nogil:
    free(w.parent)
    free(w.pred)
    free(w.up)
    free(w.flow)
    free(w.state)
    free(w.scratch)
    w.parent = NULL
    w.pred = NULL
    w.up = NULL
    w.flow = NULL
    w.state = NULL
    w.scratch = NULL


cdef inline void _detach(Work* w, int x) noexcept nogil:
    cdef int p = w.prev_sib[x], s = w.next_sib[x]
    if p != -1:
        w.next_sib[p] = s
    else:
        w.first_child[w.parent[x]] = s
    if s != -1:
        w.prev_sib[s] = p


cdef inline void _attach(Work* w, int x, int par) noexcept nogil:
    cdef int f = w.first_child[par]
    w.parent[x] = par
    w.prev_sib[x] = -1
    w.next_sib[x] = f
    if f != -1:
        w.prev_sib[f] = x
    w.first_child[par] = x


cdef int _simplex(Work* w, Py_ssize_t n1, Py_ssize_t n2, const double* a, const double* b,
                  const double* M, long long max_iter, long long* iters) noexcept nogil:
    """Solve min sum T_ij M_ij s.t. rows sum to a, columns to b (all a, b > 0, sum a == sum b).

    M is C-contiguous (n1, n2), non-negative and finite. On return the tree is in ``w``: node u
    (u < n1 + n2) carries flow ``w.flow[u]`` on arc ``w.pred[u]`` (real iff < n1*n2).
    """
    cdef Py_ssize_t N = n1 + n2, m = n1 * n2, e, k, best, block, cnt, next_arc = 0
    cdef Py_ssize_t i, j, best_i = 0, best_j = 0
    cdef int root = <int> N, u, v, s, t, join, u_out, u_in, v_in, x, old_parent, side
    cdef int new_parent
    cdef Py_ssize_t new_pred, old_pred
    cdef signed char new_up, old_up
    cdef double maxc = 0.0, art, c, best_c, delta, d, sigma, new_flow, old_flow, total = 0.0
    cdef int* parent = w.parent
    cdef int* depth = w.depth
    cdef int* first_child = w.first_child
    cdef Py_ssize_t* pred = w.pred
    cdef signed char* up = w.up
    cdef double* flow = w.flow
    cdef double* pi = w.pi
    cdef unsigned char* state = w.state
    cdef long long it = 0
    cdef bint found

    for e in range(m):
        if M[e] > maxc:
            maxc = M[e]
    # big-M cost of the artificial arcs: more than any real path through the network costs
    art = 2.0 * (N + 1) * maxc if maxc > 0 else 1.0

    parent[root] = -1
    depth[root] = 0
    pi[root] = 0.0
    first_child[root] = -1
    pred[root] = -1
    for u in range(<int> N):
        first_child[u] = -1
        depth[u] = 1
        pred[u] = m + u
        _attach(w, u, root)
        if u < n1:
            up[u] = 1
            flow[u] = a[u]
            pi[u] = 0.0
            total += a[u]
        else:
            up[u] = 0
            flow[u] = b[u - n1]
            pi[u] = art
    memset(state, 0, m)

    block = <Py_ssize_t> ceil(sqrt(<double> m))
    if block < 10:
        block = 10
    if block > m:
        block = m

    while True:
        # ---- pricing: block search, resuming where the previous search stopped
        best = -1
        best_c = 0.0
        found = False
        e = next_arc
        i = e // n2
        j = e - i * n2
        cnt = block
        for k in range(m):
            if not state[e]:
                c = M[e] + pi[i] - pi[n1 + j]
                if c < best_c:
                    best_c = c
                    best = e
                    best_i = i
                    best_j = j
            e += 1
            j += 1
            if j == n2:
                j = 0
                i += 1
                if e == m:
                    e = 0
                    i = 0
            cnt -= 1
            if cnt == 0 or k == m - 1:
                if best >= 0 and best_c < -EPS_REL * (M[best] + fabs(pi[best_i]) + fabs(pi[n1 + best_j])):
                    found = True
                    break
                cnt = block
        next_arc = e
        if not found:
            break
        if it >= max_iter:
            iters[0] = it
            return ST_MAX_ITER
        it += 1

        # ---- the cycle closed by the entering arc s -> t
        s = <int> best_i
        t = <int> (n1 + best_j)
        u = s
        v = t
        while depth[u] > depth[v]:
            u = parent[u]
        while depth[v] > depth[u]:
            v = parent[v]
        while u != v:
            u = parent[u]
            v = parent[v]
        join = u

        # ---- leaving arc (Cunningham): the last blocking arc met going round the cycle from
        # the join in the direction of the entering arc; ties prefer the t side, then the
        # blocking arc nearest the join on that side and farthest from it on the s side
        delta = 1.0e308
        u_out = -1
        side = 0
        u = s
        while u != join:
            if up[u] and flow[u] < delta:
                delta = flow[u]
                u_out = u
                side = 1
            u = parent[u]
        u = t
        while u != join:
            if not up[u] and flow[u] <= delta:
                delta = flow[u]
                u_out = u
                side = 2
            u = parent[u]

        # ---- push delta round the cycle
        if delta > 0.0:
            u = s
            while u != join:
                if up[u]:
                    flow[u] -= delta
                else:
                    flow[u] += delta
                u = parent[u]
            u = t
            while u != join:
                if up[u]:
                    flow[u] += delta
                else:
                    flow[u] -= delta
                u = parent[u]

        # ---- re-hang the subtree below u_out from the entering arc
        if side == 1:
            u_in = s
            v_in = t
            sigma = -best_c       # raise the potentials on the s side
        else:
            u_in = t
            v_in = s
            sigma = best_c        # lower them on the t side
        if pred[u_out] < m:
            state[pred[u_out]] = 0
        state[best] = 1

        x = u_in
        new_parent = v_in
        new_pred = best
        new_up = 1 if u_in == s else 0
        new_flow = delta
        while True:
            old_parent = parent[x]
            old_pred = pred[x]
            old_up = up[x]
            old_flow = flow[x]
            _detach(w, x)
            _attach(w, x, new_parent)
            pred[x] = new_pred
            up[x] = new_up
            flow[x] = new_flow
            if x == u_out:
                break
            new_parent = x
            new_pred = old_pred
            new_up = 1 - old_up
            new_flow = old_flow
            x = old_parent

        # ---- depths and potentials of the moved subtree (stackless preorder walk)
        depth[u_in] = depth[v_in] + 1
        pi[u_in] += sigma
        x = first_child[u_in]
        while x != -1:
            depth[x] = depth[parent[x]] + 1
            pi[x] += sigma
            if first_child[x] != -1:
                x = first_child[x]
            else:
                while x != u_in and w.next_sib[x] == -1:
                    x = parent[x]
                if x == u_in:
                    break
                x = w.next_sib[x]

    iters[0] = it
    # artificial arcs must end empty (they carry only rounding noise when the totals agree)
    for u in range(<int> N):
        if pred[u] >= m and flow[u] > 1e-9 * total:
            return ST_INFEASIBLE
    return ST_OPTIMAL


cdef double _tree_cost(Work* w, Py_ssize_t n1, Py_ssize_t n2, const double* M) noexcept nogil:
    cdef Py_ssize_t m = n1 * n2
    cdef int u
    cdef double cost = 0.0
    for u in range(<int> (n1 + n2)):
        if w.pred[u] < m and w.flow[u] > 0.0:
            cost += w.flow[u] * M[w.pred[u]]
    return cost


def _fmt(double x):
    return repr(float(x))


def emd_solve(a_in, b_in, M_in, long long max_iter, bint want_plan, bint rescale=True):
    """Validate and solve one transportation problem.

    Parameters are float64 arrays (C-contiguous), shapes (n1,), (n2,), (n1, n2). Raises
    ValueError on bad input. Returns ``(status, cost, iterations, plan, u, v)``; plan and duals
    are None unless ``want_plan``. With ``rescale`` (the public default) ``b`` is scaled to the
    total of ``a``; without it (weights that already sum to 1 up to rounding) the problem is
    solved as given, exactly as ``search_topk`` solves it.
    """
    cdef const double[::1] a = a_in
    cdef const double[::1] b = b_in
    cdef const double[:, ::1] M = M_in
    cdef Py_ssize_t n1 = a.shape[0], n2 = b.shape[0], i, j, r, q, k1 = 0, k2 = 0, m
    cdef double sa = 0.0, sb = 0.0, x, scale, cost
    cdef const double* Mp
    cdef double* Mc = NULL
    cdef double* bw = NULL
    cdef double* aw = NULL
    cdef int* rows = NULL
    cdef int* cols = NULL
    cdef Work w
    cdef int status
    cdef long long iters = 0
    cdef int u

    if M.shape[0] != n1 or M.shape[1] != n2:
        raise ValueError(
            f"`M` must have shape (len(a), len(b)) = ({n1}, {n2}), got ({M.shape[0]}, {M.shape[1]})")
    if n1 == 0 or n2 == 0:
        raise ValueError(f"`a` and `b` must be non-empty, got lengths {n1} and {n2}")
    for i in range(n1):
        x = a[i]
        if not (x >= 0.0 and isfinite(x)):
            raise ValueError(f"weights `a` must be non-negative and finite, got a[{i}] = {_fmt(x)}")
        sa += x
    for j in range(n2):
        x = b[j]
        if not (x >= 0.0 and isfinite(x)):
            raise ValueError(f"weights `b` must be non-negative and finite, got b[{j}] = {_fmt(x)}")
        sb += x
    for i in range(n1):
        for j in range(n2):
            x = M[i, j]
            if not (x >= 0.0 and isfinite(x)):
                raise ValueError(f"costs `M` must be non-negative and finite, got M[{i}, {j}] = {_fmt(x)}")
    if not (sa > 0.0 and sb > 0.0):
        raise ValueError(f"weights must have a positive total, got sum(a) = {_fmt(sa)}, sum(b) = {_fmt(sb)}")
    if fabs(sa - sb) > 1e-9 * max(sa, sb):
        raise ValueError(
            f"total weights must agree to 1e-9 relative, got sum(a) = {_fmt(sa)}, sum(b) = {_fmt(sb)}")
    scale = sa / sb if rescale else 1.0

    rows = <int*> malloc((n1 + n2) * sizeof(int))
    aw = <double*> malloc((n1 + n2) * sizeof(double))
    if rows == NULL or aw == NULL:
        free(rows)
        free(aw)
        raise MemoryError()
    cols = rows + n1
    bw = aw + n1
    for i in range(n1):
        if a[i] > 0.0:
            rows[k1] = <int> i
            aw[k1] = a[i]
            k1 += 1
    for j in range(n2):
        if b[j] > 0.0:
            cols[k2] = <int> j
            bw[k2] = b[j] * scale
            k2 += 1
    m = k1 * k2
    try:
        if k1 == n1 and k2 == n2:
            Mp = &M[0, 0]
        else:
            Mc = <double*> malloc(m * sizeof(double))
            if Mc == NULL:
                raise MemoryError()
            for r in range(k1):
                for q in range(k2):
                    Mc[r * k2 + q] = M[rows[r], cols[q]]
            Mp = Mc
        if _work_alloc(&w, k1 + k2 + 1, m) != 0:
            raise MemoryError()
        try:
            with nogil:
                status = _simplex(&w, k1, k2, aw, bw, Mp, max_iter, &iters)
                cost = _tree_cost(&w, k1, k2, Mp)
            if not want_plan:
                return status, cost, iters, None, None, None
            plan = np.zeros((n1, n2))
            uu = np.empty(n1)
            vv = np.empty(n2)
            _fill_plan(&w, k1, k2, rows, cols, plan, uu, vv)
            return status, cost, iters, plan, uu, vv
        finally:
            _work_free(&w)
    finally:
        free(rows)
        free(aw)
        free(Mc)


cdef _fill_plan(Work* w, Py_ssize_t k1, Py_ssize_t k2, int* rows, int* cols,
                double[:, ::1] plan, double[::1] uu, double[::1] vv):
    """Dense plan and raw duals (u_i = -pi_i, v_j = pi_j) of the kept rows and columns."""
    cdef Py_ssize_t m = k1 * k2, e, r, q
    cdef int u
    uu[:] = np.nan
    vv[:] = np.nan
    for u in range(<int> (k1 + k2)):
        e = w.pred[u]
        if e < m and w.flow[u] > 0.0:
            r = e // k2
            q = e - r * k2
            plan[rows[r], cols[q]] = w.flow[u]
    for r in range(k1):
        uu[rows[r]] = -w.pi[r]
    for q in range(k2):
        vv[cols[q]] = w.pi[k1 + q]


def pairwise_cost(const double[:, ::1] X, const double[:, ::1] Y, double[:, ::1] out, int kind):
    """out[i, j] = cost(X[i], Y[j]); kind 0: Euclidean distance; kind 1: half squared distance.

    Each entry is summed in the same fixed order whatever the batch, so a pair computed alone
    equals the same pair inside a batch bit for bit.
    """
    cdef Py_ssize_t n = X.shape[0], p = Y.shape[0], dim = X.shape[1], i, j, k
    cdef double s, d
    if Y.shape[1] != dim or out.shape[0] != n or out.shape[1] != p:
        raise ValueError("pairwise_cost: shape mismatch")
    with nogil:
        for i in range(n):
            for j in range(p):
                s = 0.0
                for k in range(dim):
                    d = X[i, k] - Y[j, k]
                    s += d * d
                out[i, j] = sqrt(s) if kind == 0 else 0.5 * s


def row_norms(const double[:, ::1] X, double[::1] out):
    """out[i] = Euclidean norm of X[i], summed in a fixed order (see ``pairwise_cost``)."""
    cdef Py_ssize_t n = X.shape[0], dim = X.shape[1], i, k
    cdef double s
    if out.shape[0] != n:
        raise ValueError("row_norms: shape mismatch")
    with nogil:
        for i in range(n):
            s = 0.0
            for k in range(dim):
                s += X[i, k] * X[i, k]
            out[i] = sqrt(s)


def relaxed_bounds(const double[:, ::1] D, const double[::1] qw, const Py_ssize_t[::1] ptr,
                   const int[::1] ids, const double[::1] dw, const Py_ssize_t[::1] docs,
                   double[::1] out):
    """Relaxed transport bound of each document in ``docs`` (layout as in ``search_topk``):
    out[t] = max(sum_i qw[i] min_j D[i, ids_j], sum_j dw_j min_i D[i, ids_j])."""
    cdef Py_ssize_t nq = D.shape[0], t, d, i, j, lo, hi
    cdef double qside, dside, m, c
    if out.shape[0] != docs.shape[0]:
        raise ValueError("relaxed_bounds: shape mismatch")
    with nogil:
        for t in range(docs.shape[0]):
            d = docs[t]
            lo = ptr[d]
            hi = ptr[d + 1]
            qside = 0.0
            for i in range(nq):
                m = 1.0e308
                for j in range(lo, hi):
                    c = D[i, ids[j]]
                    if c < m:
                        m = c
                qside += qw[i] * m
            dside = 0.0
            for j in range(lo, hi):
                m = 1.0e308
                for i in range(nq):
                    c = D[i, ids[j]]
                    if c < m:
                        m = c
                dside += dw[j] * m
            out[t] = qside if qside > dside else dside


def centroid_bounds(const double[:, ::1] X, const Py_ssize_t[::1] ptr, const int[::1] ids,
                    const double[::1] dw, const Py_ssize_t[::1] docs, const double[::1] cq,
                    int kind, double[::1] out):
    """Centroid bound of each document: with c = sum_j dw_j X[ids_j], out[t] = ||c - cq||
    (kind 0, word centroid distance) or ||c - cq||**2 / 2 (kind 1, the WRD bound)."""
    cdef Py_ssize_t dim = X.shape[1], t, d, j, k
    cdef double s, x
    cdef double* acc = <double*> malloc(dim * sizeof(double))
    if acc == NULL:
        raise MemoryError()
    try:
        with nogil:
            for t in range(docs.shape[0]):
                d = docs[t]
                for k in range(dim):
                    acc[k] = -cq[k]
                for j in range(ptr[d], ptr[d + 1]):
                    x = dw[j]
                    for k in range(dim):
                        acc[k] += x * X[ids[j], k]
                s = 0.0
                for k in range(dim):
                    s += acc[k] * acc[k]
                out[t] = sqrt(s) if kind == 0 else 0.5 * s
    finally:
        free(acc)


def search_topk(const double[:, ::1] D, const double[::1] qw, const Py_ssize_t[::1] ptr,
                const int[::1] ids, const double[::1] dw, const Py_ssize_t[::1] order,
                const double[::1] bound, int k, double tol, long long max_iter,
                double[::1] out_dist, Py_ssize_t[::1] out_idx):
    """Exact top-k by prefetch and prune.

    D (nq, V): ground costs from the query's words to every vocabulary word; qw (nq,) query
    weights; document d has words ids[ptr[d]:ptr[d+1]] with weights dw[same]. Documents are
    visited in ``order`` (ascending ``bound``, a lower bound on the distance); the walk stops at
    the first document whose bound exceeds the current k-th best distance by more than ``tol``
    (relative). Results, sorted by (distance, index), go to out_dist / out_idx.
    Returns (number found, number of exact solves, worst status).
    """
    cdef Py_ssize_t nq = D.shape[0], nd, maxd = 0, d, t, r, q, pos, found = 0, solved = 0
    cdef Py_ssize_t ndocs = order.shape[0]
    cdef double kth, dist
    cdef int status, worst = ST_OPTIMAL
    cdef long long iters
    cdef Work w
    cdef double* Mc
    for d in range(ptr.shape[0] - 1):
        if ptr[d + 1] - ptr[d] > maxd:
            maxd = ptr[d + 1] - ptr[d]
    if k <= 0 or ndocs == 0 or maxd == 0:
        return 0, 0, worst
    if _work_alloc(&w, nq + maxd + 1, nq * maxd) != 0:
        raise MemoryError()
    w.scratch = <double*> malloc(nq * maxd * sizeof(double))
    if w.scratch == NULL:
        _work_free(&w)
        raise MemoryError()
    Mc = w.scratch
    try:
        with nogil:
            for t in range(ndocs):
                d = order[t]
                if found == k:
                    kth = out_dist[k - 1]
                    if bound[d] > kth + tol * (1.0 + fabs(kth)):
                        break
                nd = ptr[d + 1] - ptr[d]
                for r in range(nq):
                    for q in range(nd):
                        Mc[r * nd + q] = D[r, ids[ptr[d] + q]]
                status = _simplex(&w, nq, nd, &qw[0], &dw[ptr[d]], Mc, max_iter, &iters)
                if status != ST_OPTIMAL:
                    worst = status
                    break
                dist = _tree_cost(&w, nq, nd, Mc)
                solved += 1
                # insert (dist, d) into the sorted top-k list; ties by document index
                if found == k and (dist > out_dist[k - 1] or (dist == out_dist[k - 1] and d > out_idx[k - 1])):
                    continue
                pos = found if found < k else k - 1
                while pos > 0 and (out_dist[pos - 1] > dist or (out_dist[pos - 1] == dist and out_idx[pos - 1] > d)):
                    out_dist[pos] = out_dist[pos - 1]
                    out_idx[pos] = out_idx[pos - 1]
                    pos -= 1
                out_dist[pos] = dist
                out_idx[pos] = d
                if found < k:
                    found += 1
    finally:
        _work_free(&w)
    return found, solved, worst
