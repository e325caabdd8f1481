"""Numba kernels of the two-level InfoMap optimiser (private; see :mod:`nlpzero.community`).

Arrays in, arrays out, no policy. A network is given as node flows plus the flows on links
between distinct nodes in CSR form (``optr``/``oidx``/``oflow`` for out-links and
``iptr``/``iidx``/``iflow`` for in-links; for undirected networks the in-link arrays are the
out-link arrays and ``directed`` is False). Self-loops never appear in these arrays: their flow
is already inside the node flow and never crosses a module boundary.

The codelength bookkeeping follows Rosvall & Bergstrom (2008), logs base 2::

    L = plogp(sum_i enter_i) - sum_i plogp(enter_i) - sum_i plogp(exit_i)
        + sum_i plogp(exit_i + flow_i) - sum_a plogp(p_a)

Moving node ``a`` from module ``i`` to ``j`` changes only the terms of ``i`` and ``j`` (and the
total enter flow), so every candidate move is scored in O(1) from the module totals once the
flows between ``a`` and each neighbouring module are summed.

Entry points (the names without an underscore; :mod:`nlpzero.community`, :mod:`nlpzero._flow`
and the tests call these only): :func:`pagerank_flow`, :func:`build_csr`, :func:`trial`,
:func:`codelength` and :func:`renumber`.

Importing this module imports numba (and compiles on first use, cached on disk).
"""
import numpy as np
from numba import njit

#: A node moves only when it improves the codelength by more than this (bits).
_MOVE_EPS = 1e-13


@njit(cache=True, inline="always")
def _plogp(x):
    if x > 0.0:
        return x * np.log2(x)
    return 0.0


@njit(cache=True, nogil=True)
def pagerank_flow(n, src, dst, weight, teleportation, tol, min_iter, max_iter):
    """Directed flow with teleportation to links, recorded only for the rank.

    Returns ``(node_flow, link_flow, iterations)``: the stationary distribution of the walk
    that teleports with probability ``teleportation`` (and always from dangling nodes) to
    node ``a`` in proportion to its out-strength, then the *unrecorded* link flows
    ``f_ab = pi_a w_ab / out_a / (1 - sum_dangling pi)`` and node flows ``p_b = sum_a f_ab``.
    """
    m = src.shape[0]
    out_w = np.zeros(n)
    for e in range(m):
        out_w[src[e]] += weight[e]
    total = 0.0
    for a in range(n):
        total += out_w[a]
    tele = out_w / total
    beta = 1.0 - teleportation
    rank = np.full(n, 1.0 / n)
    new = np.empty(n)
    prob = np.empty(m)
    for e in range(m):
        prob[e] = weight[e] / out_w[src[e]]
    it = 0
    prev_err = np.inf
    while True:
        dangling = 0.0
        for a in range(n):
            if out_w[a] == 0.0:
                dangling += rank[a]
        base = teleportation + beta * dangling
        for a in range(n):
            new[a] = base * tele[a]
        for e in range(m):
            new[dst[e]] += beta * prob[e] * rank[src[e]]
        s = 0.0
        for a in range(n):
            s += new[a]
        err = 0.0
        for a in range(n):
            v = new[a] / s
            err += abs(v - rank[a])
            rank[a] = v
        it += 1
        if it >= max_iter:
            break
        if it >= min_iter and (err <= tol or err >= prev_err):
            break
        prev_err = err
    dangling = 0.0
    for a in range(n):
        if out_w[a] == 0.0:
            dangling += rank[a]
    norm = 1.0 - dangling
    link_flow = np.empty(m)
    node_flow = np.zeros(n)
    for e in range(m):
        f = rank[src[e]] * prob[e] / norm
        link_flow[e] = f
        node_flow[dst[e]] += f
    return node_flow, link_flow, it


@njit(cache=True)
def build_csr(n, src, dst, flow):
    """CSR (ptr, idx, flow) of the links ``src -> dst``, skipping self-loops; stable order."""
    m = src.shape[0]
    ptr = np.zeros(n + 1, np.int64)
    for e in range(m):
        if src[e] != dst[e]:
            ptr[src[e] + 1] += 1
    for a in range(n):
        ptr[a + 1] += ptr[a]
    fill = ptr[:-1].copy()
    idx = np.empty(ptr[n], np.int64)
    fl = np.empty(ptr[n])
    for e in range(m):
        a = src[e]
        if a != dst[e]:
            idx[fill[a]] = dst[e]
            fl[fill[a]] = flow[e]
            fill[a] += 1
    return ptr, idx, fl


@njit(cache=True)
def _transpose(n, ptr, idx, fl):
    cnt = np.zeros(n + 1, np.int64)
    for e in range(idx.shape[0]):
        cnt[idx[e] + 1] += 1
    for a in range(n):
        cnt[a + 1] += cnt[a]
    fill = cnt[:-1].copy()
    tidx = np.empty(idx.shape[0], np.int64)
    tfl = np.empty(idx.shape[0])
    for a in range(n):
        for e in range(ptr[a], ptr[a + 1]):
            b = idx[e]
            tidx[fill[b]] = a
            tfl[fill[b]] = fl[e]
            fill[b] += 1
    return cnt, tidx, tfl


@njit(cache=True)
def renumber(module):
    """Module ids -> 0..k-1 in order of first appearance; returns (new ids, k).

    Any non-negative ids are accepted (the lookup table spans 0..max id); a negative id is
    reported as the status k = -1 (the ids are then meaningless), never an out-of-bounds write.
    """
    n = module.shape[0]
    out = np.empty(n, np.int64)
    top = -1
    for a in range(n):
        m = module[a]
        if m < 0:
            return out, -1
        if m > top:
            top = m
    lookup = np.full(top + 1, -1, np.int64)
    k = 0
    for a in range(n):
        m = module[a]
        if lookup[m] < 0:
            lookup[m] = k
            k += 1
        out[a] = lookup[m]
    return out, k


@njit(cache=True)
def _aggregate(n, flow, ptr, idx, fl, module, k):
    """The network of modules: node flows summed, links between distinct modules merged."""
    new_flow = np.zeros(k)
    for a in range(n):
        new_flow[module[a]] += flow[a]
    # members grouped by module (counting sort)
    start = np.zeros(k + 1, np.int64)
    for a in range(n):
        start[module[a] + 1] += 1
    for m in range(k):
        start[m + 1] += start[m]
    fill = start[:-1].copy()
    members = np.empty(n, np.int64)
    for a in range(n):
        members[fill[module[a]]] = a
        fill[module[a]] += 1
    acc = np.zeros(k)
    mark = np.full(k, -1, np.int64)
    touched = np.empty(k, np.int64)
    new_ptr = np.zeros(k + 1, np.int64)
    new_idx = np.empty(idx.shape[0], np.int64)
    new_fl = np.empty(idx.shape[0])
    pos = 0
    for m in range(k):
        nt = 0
        for s in range(start[m], start[m + 1]):
            a = members[s]
            for e in range(ptr[a], ptr[a + 1]):
                mb = module[idx[e]]
                if mb == m:
                    continue
                if mark[mb] != m:
                    mark[mb] = m
                    acc[mb] = 0.0
                    touched[nt] = mb
                    nt += 1
                acc[mb] += fl[e]
        for t in range(nt):
            mb = touched[t]
            new_idx[pos] = mb
            new_fl[pos] = acc[mb]
            pos += 1
        new_ptr[m + 1] = pos
    return new_flow, new_ptr, new_idx[:pos].copy(), new_fl[:pos].copy()


@njit(cache=True)
def _codelength_terms(n, node_flow, optr, oidx, oflow, module, k):
    """(L, index part, module part) of a partition with ids in 0..k-1."""
    mflow = np.zeros(k)
    mexit = np.zeros(k)
    menter = np.zeros(k)
    for a in range(n):
        mflow[module[a]] += node_flow[a]
        for e in range(optr[a], optr[a + 1]):
            mb = module[oidx[e]]
            if mb != module[a]:
                mexit[module[a]] += oflow[e]
                menter[mb] += oflow[e]
    sum_enter = 0.0
    enter_log = 0.0
    exit_log = 0.0
    flow_log = 0.0
    for m in range(k):
        sum_enter += menter[m]
        enter_log += _plogp(menter[m])
        exit_log += _plogp(mexit[m])
        flow_log += _plogp(mexit[m] + mflow[m])
    node_log = 0.0
    for a in range(n):
        node_log += _plogp(node_flow[a])
    index = _plogp(sum_enter) - enter_log
    mod = -exit_log + flow_log - node_log
    return index + mod, index, mod


@njit(cache=True)
def codelength(n, node_flow, optr, oidx, oflow, module):
    """Two-level codelength (bits) of ``module`` (any non-negative ids) on a leaf network;
    (-1, -1, -1) as the status of a negative id."""
    mod, k = renumber(module)
    if k < 0:
        return -1.0, -1.0, -1.0
    return _codelength_terms(n, node_flow, optr, oidx, oflow, mod, k)


@njit(cache=True, nogil=True)
def _core_loop(n, flow, optr, oidx, oflow, iptr, iidx, iflow, directed, module, loop_limit, node_log):
    """Move nodes (in random order, up to ``loop_limit`` sweeps) to the best module; in place."""
    mflow = np.zeros(n)
    mexit = np.zeros(n)
    menter = np.zeros(n)
    mcount = np.zeros(n, np.int64)
    nexit = np.zeros(n)
    nenter = np.zeros(n)
    for a in range(n):
        mflow[module[a]] += flow[a]
        mcount[module[a]] += 1
        for e in range(optr[a], optr[a + 1]):
            nexit[a] += oflow[e]
            if module[oidx[e]] != module[a]:
                mexit[module[a]] += oflow[e]
                menter[module[oidx[e]]] += oflow[e]
        if directed:
            for e in range(iptr[a], iptr[a + 1]):
                nenter[a] += iflow[e]
        else:
            nenter[a] = nexit[a]
    empty = np.empty(n, np.int64)
    n_empty = 0
    for m in range(n - 1, -1, -1):
        if mcount[m] == 0:
            empty[n_empty] = m
            n_empty += 1

    sum_enter = 0.0
    enter_log = 0.0
    exit_log = 0.0
    flow_log = 0.0
    for m in range(n):
        sum_enter += menter[m]
        enter_log += _plogp(menter[m])
        exit_log += _plogp(mexit[m])
        flow_log += _plogp(mexit[m] + mflow[m])
    length = _plogp(sum_enter) - enter_log - exit_log + flow_log - node_log

    out_to = np.zeros(n)
    in_from = np.zeros(n)
    mark = np.full(n, -1, np.int64)
    touched = np.empty(n, np.int64)
    stamp = 0
    for _loop in range(loop_limit):
        order = np.random.permutation(n)
        moved = 0
        for a in order:
            stamp += 1
            nt = 0
            for e in range(optr[a], optr[a + 1]):
                m = module[oidx[e]]
                if mark[m] != stamp:
                    mark[m] = stamp
                    out_to[m] = 0.0
                    in_from[m] = 0.0
                    touched[nt] = m
                    nt += 1
                out_to[m] += oflow[e]
            if directed:
                for e in range(iptr[a], iptr[a + 1]):
                    m = module[iidx[e]]
                    if mark[m] != stamp:
                        mark[m] = stamp
                        out_to[m] = 0.0
                        in_from[m] = 0.0
                        touched[nt] = m
                        nt += 1
                    in_from[m] += iflow[e]
            else:
                for t in range(nt):
                    in_from[touched[t]] = out_to[touched[t]]
            i = module[a]
            oi = 0.0
            ii = 0.0
            if mark[i] == stamp:
                oi = out_to[i]
                ii = in_from[i]
            fa = flow[a]
            # module i without a
            exit_i = mexit[i] - nexit[a] + oi + ii
            enter_i = menter[i] - nenter[a] + oi + ii
            flow_i = mflow[i] - fa
            d_enter_i = enter_i - menter[i]
            base = (-_plogp(enter_i) + _plogp(menter[i]) - _plogp(exit_i) + _plogp(mexit[i])
                    + _plogp(exit_i + flow_i) - _plogp(mexit[i] + mflow[i]))
            old_total = _plogp(sum_enter)
            best_delta = 0.0
            best = i
            for t in range(nt + 1):
                if t < nt:
                    j = touched[t]
                    if j == i:
                        continue
                    oj = out_to[j]
                    ij = in_from[j]
                else:
                    # an empty module, when a is not alone
                    if mcount[i] <= 1 or n_empty == 0:
                        continue
                    j = empty[n_empty - 1]
                    oj = 0.0
                    ij = 0.0
                exit_j = mexit[j] + nexit[a] - oj - ij
                enter_j = menter[j] + nenter[a] - oj - ij
                flow_j = mflow[j] + fa
                new_sum = sum_enter + d_enter_i + enter_j - menter[j]
                delta = (base + _plogp(new_sum) - old_total
                         - _plogp(enter_j) + _plogp(menter[j])
                         - _plogp(exit_j) + _plogp(mexit[j])
                         + _plogp(exit_j + flow_j) - _plogp(mexit[j] + mflow[j]))
                if delta < best_delta - _MOVE_EPS:
                    best_delta = delta
                    best = j
            if best != i:
                j = best
                if mark[j] == stamp:
                    oj = out_to[j]
                    ij = in_from[j]
                else:
                    oj = 0.0
                    ij = 0.0
                    n_empty -= 1
                exit_j = mexit[j] + nexit[a] - oj - ij
                enter_j = menter[j] + nenter[a] - oj - ij
                sum_enter += d_enter_i + enter_j - menter[j]
                mexit[i] = exit_i
                menter[i] = enter_i
                mflow[i] = flow_i
                mcount[i] -= 1
                if mcount[i] == 0:
                    empty[n_empty] = i
                    n_empty += 1
                mexit[j] = exit_j
                menter[j] = enter_j
                mflow[j] += fa
                mcount[j] += 1
                module[a] = j
                moved += 1
        # recompute the codelength from the module totals (no drift from incremental sums)
        sum_enter = 0.0
        enter_log = 0.0
        exit_log = 0.0
        flow_log = 0.0
        for m in range(n):
            if mcount[m] > 0:
                sum_enter += menter[m]
                enter_log += _plogp(menter[m])
                exit_log += _plogp(mexit[m])
                flow_log += _plogp(mexit[m] + mflow[m])
        new_length = _plogp(sum_enter) - enter_log - exit_log + flow_log - node_log
        improvement = length - new_length
        length = new_length
        if moved == 0 or improvement < 1e-10:
            break
    return length


@njit(cache=True, nogil=True)
def _partition(n, flow, optr, oidx, oflow, iptr, iidx, iflow, directed, group, group_module, loop_limit, node_log):
    """Core loops on ever coarser networks until no modules merge.

    The first network has one node per ``group`` of leaves, starting in ``group_module``;
    returns the leaf module ids (0..k-1).
    """
    g = group_module.shape[0]
    if g == n:
        trivial = True
        for a in range(n):
            if group[a] != a:
                trivial = False
                break
    else:
        trivial = False
    if trivial:
        cflow, cptr, cidx, cfl = flow, optr, oidx, oflow
    else:
        cflow, cptr, cidx, cfl = _aggregate(n, flow, optr, oidx, oflow, group, g)
    if directed:
        if trivial:
            tptr, tidx, tfl = iptr, iidx, iflow
        else:
            tptr, tidx, tfl = _transpose(g, cptr, cidx, cfl)
    else:
        tptr, tidx, tfl = cptr, cidx, cfl
    leaf_node = group.copy()
    mod = group_module.copy()
    cn = g
    while True:
        _core_loop(cn, cflow, cptr, cidx, cfl, tptr, tidx, tfl, directed, mod, loop_limit, node_log)
        mod, k = renumber(mod)
        for a in range(n):
            leaf_node[a] = mod[leaf_node[a]]
        if k == cn:
            break
        cflow, cptr, cidx, cfl = _aggregate(cn, cflow, cptr, cidx, cfl, mod, k)
        if directed:
            tptr, tidx, tfl = _transpose(k, cptr, cidx, cfl)
        else:
            tptr, tidx, tfl = cptr, cidx, cfl
        cn = k
        mod = np.arange(k)
    return leaf_node


@njit(cache=True)
def _internal_links(n, ptr, idx, fl, module):
    """The links whose two ends are in the same module (CSR)."""
    new_ptr = np.zeros(n + 1, np.int64)
    new_idx = np.empty(idx.shape[0], np.int64)
    new_fl = np.empty(idx.shape[0])
    pos = 0
    for a in range(n):
        for e in range(ptr[a], ptr[a + 1]):
            if module[idx[e]] == module[a]:
                new_idx[pos] = idx[e]
                new_fl[pos] = fl[e]
                pos += 1
        new_ptr[a + 1] = pos
    return new_ptr, new_idx[:pos].copy(), new_fl[:pos].copy()


@njit(cache=True, nogil=True)
def trial(n, flow, optr, oidx, oflow, iptr, iidx, iflow, directed, seed, loop_limit, tune_limit, rel_threshold):
    """One seeded optimisation: levels of core loops, then fine- and coarse-tuning.

    Returns ``(module, codelength)`` with module ids 0..k-1 over the leaf nodes.
    """
    np.random.seed(seed)
    node_log = 0.0
    for a in range(n):
        node_log += _plogp(flow[a])
    ident = np.arange(n)
    module = _partition(n, flow, optr, oidx, oflow, iptr, iidx, iflow, directed, ident, ident, loop_limit, node_log)
    length = codelength(n, flow, optr, oidx, oflow, module)[0]
    first = length
    failures = 0
    for it in range(tune_limit):
        if it % 2 == 0:
            # fine-tuning: leaves move again under the current modules
            cand = _partition(n, flow, optr, oidx, oflow, iptr, iidx, iflow, directed, ident, module, loop_limit,
                              node_log)
        else:
            # coarse-tuning: split every module by a nested run, then move the sub-modules
            sptr, sidx, sfl = _internal_links(n, optr, oidx, oflow, module)
            if directed:
                tptr, tidx, tfl = _transpose(n, sptr, sidx, sfl)
            else:
                tptr, tidx, tfl = sptr, sidx, sfl
            sub = _partition(n, flow, sptr, sidx, sfl, tptr, tidx, tfl, directed, ident, ident, loop_limit, node_log)
            ns = sub.max() + 1
            parent = np.empty(ns, np.int64)
            for a in range(n):
                parent[sub[a]] = module[a]
            cand = _partition(n, flow, optr, oidx, oflow, iptr, iidx, iflow, directed, sub, parent, loop_limit,
                              node_log)
        new_length = codelength(n, flow, optr, oidx, oflow, cand)[0]
        gain = length - new_length
        if gain > 1e-12:
            module = cand
            length = new_length
        if gain < rel_threshold * first:
            failures += 1
            if failures >= 2:
                break
        else:
            failures = 0
    out, k = renumber(module)
    return out, length
