"""Graphs as the InfoMap kernels see them: edge arrays and the flow model (an internal seam).

:func:`as_edges` turns every graph form :func:`nlpzero.infomap` accepts (networkx graphs, edge
arrays, ``(sources, targets[, weights])`` tuples, edge-list files read by
:func:`read_edge_list`) into :class:`Edges`; :func:`flow_network` computes the flow the map
equation is defined on (:class:`Network`). Not part of ``nlpzero.*``, but documented and
stable enough for :mod:`nlpzero.community`, :func:`nlpzero.cluster_words` and the tests that
run the compiled optimiser (``nlpzero._infomap_core``) directly on a network.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from .corpus import Corpus
from .errors import FormatError, ParameterError, ParameterTypeError

__all__ = ["Edges", "Network", "as_edges", "flow_network", "read_edge_list"]

#: PageRank stops when the L1 change of an iteration is at or below this (after MIN_ITER).
_FLOW_TOL = 1e-15
_FLOW_MIN_ITER = 50
_FLOW_MAX_ITER = 10_000


@dataclass(frozen=True)
class Edges:
    """A graph as integer edge arrays over node ids (``nodes[i]`` is the label of node i)."""

    nodes: list  # original labels, index = node id
    src: np.ndarray  # int64
    dst: np.ndarray  # int64
    weight: np.ndarray  # float64, finite, > 0 (zero-weight edges are dropped)
    directed: bool


def read_edge_list(path: str, encoding: str = "utf-8") -> tuple[list, list, list]:
    """Read ``SOURCE TARGET [WEIGHT]`` lines (tab- or space-separated; ``#`` starts a comment).

    Node labels are kept as strings. ``path`` may be ``"-"`` for standard input.
    Returns ``(sources, targets, weights)`` lists. Raises :class:`FormatError` naming the line.
    """
    src: list = []
    dst: list = []
    wts: list = []
    corpus = Corpus(path, encoding=encoding)        # '-' is stdin; decode errors name the byte offset
    name = corpus.path
    for lineno, line in enumerate(corpus.lines(), 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        parts = text.split()
        if len(parts) not in (2, 3):
            raise FormatError(name, lineno, f"expected 'SOURCE TARGET [WEIGHT]', got {line.strip()!r:.80}")
        w = 1.0
        if len(parts) == 3:
            try:
                w = float(parts[2])
            except ValueError:
                raise FormatError(name, lineno, f"weight {parts[2]!r} is not a number") from None
            if not (math.isfinite(w) and w >= 0):
                raise FormatError(name, lineno, f"weight must be finite and ≥ 0, got {parts[2]}")
        src.append(parts[0])
        dst.append(parts[1])
        wts.append(w)
    return src, dst, wts


def _from_arrays(src_labels, dst_labels, weights, extra_nodes=()) -> tuple[list, np.ndarray, np.ndarray]:
    src_labels = np.asarray(src_labels)
    dst_labels = np.asarray(dst_labels)
    if src_labels.ndim != 1 or src_labels.shape != dst_labels.shape:
        raise ParameterError(
            f"edge arrays must be 1-D and of equal length, got shapes {src_labels.shape} and {dst_labels.shape}"
        )
    both = np.concatenate([src_labels, dst_labels])
    if len(extra_nodes):
        both = np.concatenate([both, np.asarray(list(extra_nodes), dtype=both.dtype)])
    try:
        labels, inverse = np.unique(both, return_inverse=True)
    except TypeError:
        raise ParameterTypeError(
            "edge array node labels must be mutually comparable (all numbers or all strings)") from None
    m = src_labels.shape[0]
    inverse = inverse.astype(np.int64).ravel()
    return labels.tolist(), inverse[:m], inverse[m : 2 * m]


def as_edges(graph: Any, directed: bool | None, weight: str, encoding: str = "utf-8") -> Edges:
    """Turn any graph form :func:`nlpzero.infomap` accepts into node labels + integer edge arrays
    (zero-weight edges dropped, bad weights a ParameterError)."""
    import networkx as nx

    if isinstance(graph, nx.Graph):
        nodes = list(graph)
        index = {node: i for i, node in enumerate(nodes)}
        if graph.is_multigraph():
            triples = [(u, v, d) for u, v, d in graph.edges(data=weight, default=1.0)]
        else:
            triples = list(graph.edges(data=weight, default=1.0))
        src = np.fromiter((index[u] for u, _, _ in triples), np.int64, len(triples))
        dst = np.fromiter((index[v] for _, v, _ in triples), np.int64, len(triples))
        try:
            w = np.array([d for _, _, d in triples], dtype=np.float64)
        except (TypeError, ValueError):
            bad = next(t for t in triples if not isinstance(t[2], (int, float, np.number)))
            raise ParameterError(f"edge ({bad[0]!r}, {bad[1]!r}) has non-numeric weight {bad[2]!r}") from None
        if directed is None:
            directed = graph.is_directed()
        elif directed and not graph.is_directed():
            # an undirected graph read as directed: each edge both ways
            src, dst, w = np.concatenate([src, dst]), np.concatenate([dst, src]), np.concatenate([w, w])
            keep = np.ones(src.shape[0], bool)
            half = src.shape[0] // 2
            keep[half:] = src[half:] != dst[half:]  # a self-loop once, not twice
            src, dst, w = src[keep], dst[keep], w[keep]
    elif isinstance(graph, (str, os.PathLike)):
        s, t, ws = read_edge_list(graph, encoding=encoding)
        nodes, src, dst = _from_arrays(np.array(s, dtype=object).astype(str), np.array(t, dtype=object).astype(str),
                                       None)
        w = np.asarray(ws, dtype=np.float64)
    elif isinstance(graph, np.ndarray) or (isinstance(graph, tuple) and len(graph) in (2, 3)):
        if isinstance(graph, np.ndarray):
            if graph.ndim != 2 or graph.shape[1] not in (2, 3):
                raise ParameterError(f"an edge array must have shape (m, 2) or (m, 3), got {graph.shape}")
            cols = [graph[:, 0], graph[:, 1]] + ([graph[:, 2]] if graph.shape[1] == 3 else [])
        else:
            cols = list(graph)
        nodes, src, dst = _from_arrays(cols[0], cols[1], None)
        if len(cols) == 3:
            try:
                w = np.asarray(cols[2], dtype=np.float64)
            except (TypeError, ValueError):
                raise ParameterError("edge weights must be numbers") from None
            if w.shape != src.shape:
                raise ParameterError(f"weights must have one entry per edge ({src.shape[0]}), got shape {w.shape}")
        else:
            w = np.ones(src.shape[0])
    else:
        raise ParameterTypeError(
            "`graph` must be a networkx Graph/DiGraph, an edge array of shape (m, 2) or (m, 3), "
            f"a (sources, targets[, weights]) tuple, or an edge-list path; got {type(graph).__name__}"
        )
    bad = ~(np.isfinite(w) & (w >= 0))
    if bad.any():
        e = int(np.flatnonzero(bad)[0])
        raise ParameterError(
            f"edge ({nodes[src[e]]!r}, {nodes[dst[e]]!r}) has weight {w[e]}; weights must be finite and ≥ 0"
        )
    keep = w > 0
    if not keep.all():
        src, dst, w = src[keep], dst[keep], w[keep]
    return Edges(nodes, np.ascontiguousarray(src), np.ascontiguousarray(dst), np.ascontiguousarray(w),
                  bool(directed))


@dataclass(frozen=True)
class Network:
    """The flow model the kernels optimise: node flow and the out- (and, directed, in-) links
    with their flow, as CSR arrays."""

    n: int
    flow: np.ndarray  # node flow, sums to 1 (or all zeros for a graph without edges)
    optr: np.ndarray
    oidx: np.ndarray
    oflow: np.ndarray
    iptr: np.ndarray
    iidx: np.ndarray
    iflow: np.ndarray
    directed: bool
    has_link: np.ndarray  # bool: the node has at least one edge (self-loops count)


def flow_network(edges: Edges, teleportation: float) -> Network:
    """The flow of the map equation on ``edges``: edge weights for undirected graphs, PageRank
    with unrecorded teleportation to links for directed ones (compiled: ``_infomap_core``)."""
    from . import _infomap_core as core

    n = len(edges.nodes)
    src, dst, w = edges.src, edges.dst, edges.weight
    has_link = np.zeros(n, bool)
    has_link[src] = True
    has_link[dst] = True
    if w.shape[0] == 0:
        empty_i = np.zeros(0, np.int64)
        ptr = np.zeros(n + 1, np.int64)
        return Network(n, np.zeros(n), ptr, empty_i, np.zeros(0), ptr, empty_i, np.zeros(0), edges.directed, has_link)
    if not edges.directed:
        loop = src == dst
        total = 2.0 * w.sum() - w[loop].sum()
        strength = np.bincount(src, w, n) + np.bincount(dst, w, n) - np.bincount(src[loop], w[loop], n)
        flow = strength / total
        both_src = np.concatenate([src, dst])
        both_dst = np.concatenate([dst, src])
        both_flow = np.concatenate([w, w]) / total
        optr, oidx, oflow = core.build_csr(n, both_src, both_dst, both_flow)
        return Network(n, flow, optr, oidx, oflow, optr, oidx, oflow, False, has_link)
    flow, link_flow, _ = core.pagerank_flow(n, src, dst, w, teleportation, _FLOW_TOL, _FLOW_MIN_ITER, _FLOW_MAX_ITER)
    optr, oidx, oflow = core.build_csr(n, src, dst, link_flow)
    iptr, iidx, iflow = core.build_csr(n, dst, src, link_flow)
    return Network(n, flow, optr, oidx, oflow, iptr, iidx, iflow, True, has_link)
