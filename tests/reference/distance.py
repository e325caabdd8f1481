"""Optimal transport and text distances by other means: permutations (Birkhoff), networkx's
min-cost flow, the closed form on the line, and the WMD/WRD definitions solved by POT."""
import itertools

import numpy as np
import pytest


def ref_emd_permutations(M: np.ndarray) -> float:
    """Uniform weights, n x n: an optimal plan is a permutation (Birkhoff), so try them all."""
    n = M.shape[0]
    return min(sum(M[i, p[i]] for i in range(n)) for p in itertools.permutations(range(n))) / n


def ref_emd_min_cost_flow(a_int, b_int, M_int) -> int:
    """Integer supplies and costs: networkx's (pure Python) min-cost flow."""
    import networkx as nx

    g = nx.DiGraph()
    for i, s in enumerate(a_int):
        g.add_node(("a", i), demand=-int(s))
    for j, d in enumerate(b_int):
        g.add_node(("b", j), demand=int(d))
    for i in range(len(a_int)):
        for j in range(len(b_int)):
            g.add_edge(("a", i), ("b", j), weight=int(M_int[i, j]))
    return nx.min_cost_flow_cost(g)


def ref_emd_1d(x, a, y, b) -> float:
    """Closed form on the line with cost |x - y|: the integral of |F_a - F_b|."""
    pts = np.concatenate([x, y])
    mass = np.concatenate([a, -b])
    order = np.argsort(pts, kind="stable")
    pts, mass = pts[order], mass[order]
    cdf = np.cumsum(mass)[:-1]
    return float(np.sum(np.abs(cdf) * np.diff(pts)))


def ref_text_distance(doc1, doc2, vec: dict, metric: str) -> float:
    """The definitions spelled out, solved by POT."""
    ot = pytest.importorskip("ot")

    def bag(doc):
        words = [w for w in dict.fromkeys(doc) if w in vec]
        counts = np.array([doc.count(w) for w in words], dtype=float)
        X = np.array([vec[w] for w in words], dtype=float)
        if metric == "wrd":
            norms = np.linalg.norm(X, axis=1)
            return counts * norms / (counts * norms).sum(), X / norms[:, None]
        return counts / counts.sum(), X

    a, X = bag(doc1)
    b, Y = bag(doc2)
    if metric == "wmd":
        C = np.sqrt(((X[:, None, :] - Y[None, :, :]) ** 2).sum(-1))
    else:
        C = 1.0 - X @ Y.T
    return float(ot.emd2(a, b, C))
