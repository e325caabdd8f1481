"""The two-level map equation from its definition (flows by power iteration, dict arithmetic)."""
import math


def ref_codelength(n, edges, module, directed, tau=0.15):
    """Map equation from the definitions, with dict/list arithmetic only."""
    flow_link = {}
    p = [0.0] * n
    if not directed:
        total = sum(w if u == v else 2 * w for u, v, w in edges)
        for u, v, w in edges:
            p[u] += w / total
            if u != v:
                p[v] += w / total
                flow_link[(u, v)] = flow_link.get((u, v), 0.0) + w / total
                flow_link[(v, u)] = flow_link.get((v, u), 0.0) + w / total
    else:
        out = [0.0] * n
        for u, _, w in edges:
            out[u] += w
        total = sum(out)
        target = [o / total for o in out]
        rank = [1.0 / n] * n
        for it in range(5000):
            dangling = sum(rank[a] for a in range(n) if out[a] == 0)
            new = [(tau + (1 - tau) * dangling) * target[a] for a in range(n)]
            for u, v, w in edges:
                new[v] += (1 - tau) * rank[u] * w / out[u]
            s = sum(new)
            new = [x / s for x in new]
            err = sum(abs(x - y) for x, y in zip(new, rank))
            rank = new
            if it > 50 and err < 1e-15:
                break
        norm = 1 - sum(rank[a] for a in range(n) if out[a] == 0)
        for u, v, w in edges:
            f = rank[u] * w / out[u] / norm
            p[v] += f
            if u != v:
                flow_link[(u, v)] = flow_link.get((u, v), 0.0) + f
    mods = set(module)
    exit_ = dict.fromkeys(mods, 0.0)
    enter = dict.fromkeys(mods, 0.0)
    mflow = dict.fromkeys(mods, 0.0)
    for a in range(n):
        mflow[module[a]] += p[a]
    for (u, v), f in flow_link.items():
        if module[u] != module[v]:
            exit_[module[u]] += f
            enter[module[v]] += f

    def plogp(x):
        return x * math.log2(x) if x > 0 else 0.0

    return (
        plogp(sum(enter.values()))
        - sum(plogp(x) for x in enter.values())
        - sum(plogp(x) for x in exit_.values())
        + sum(plogp(exit_[m] + mflow[m]) for m in mods)
        - sum(plogp(x) for x in p)
    )
