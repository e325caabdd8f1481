"""Community detection with the map equation (InfoMap, two-level).

A random walker's path on a graph is described in the fewest bits when the graph is split into
modules the walker rarely leaves: :func:`infomap` searches for that partition, :func:`codelength`
scores a given one. Both reproduce the flow model of the reference implementation (the
``infomap`` package, two-level): undirected graphs use edge weights as flow, directed graphs
use PageRank with *unrecorded* teleportation to links.

The optimiser is compiled with Numba (``nlpzero._infomap_core``), imported on first use.
"""
from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _limits as limits
from ._flow import Edges, Network, as_edges, flow_network, read_edge_list
from .errors import ParameterError, ParameterTypeError

__all__ = ["InfomapResult", "codelength", "infomap", "read_edge_list"]

#: Core-loop sweeps per level and the stopping rule of the tuning rounds (the reference's defaults).
_CORE_LOOP_LIMIT = 10
_TUNE_ITERATION_LIMIT = 40
_TUNE_RELATIVE_THRESHOLD = 1e-5


def _plogp(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    pos = x > 0
    out[pos] = x[pos] * np.log2(x[pos])
    return out


def _check_common(directed, teleportation):
    if directed is not None and not isinstance(directed, (bool, np.bool_)):
        raise ParameterTypeError(f"`directed` must be None, True or False, got {directed!r}")
    return limits.check("teleportation", teleportation)


# ----------------------------------------------------------------------------------------------
# codelength of a given partition


def _partition_ids(nodes: list, partition: Any) -> np.ndarray:
    index = {node: i for i, node in enumerate(nodes)}
    module = np.full(len(nodes), -1, np.int64)
    if isinstance(partition, Mapping):
        labels: dict[Hashable, int] = {}
        for node, mod in partition.items():
            if node not in index:
                raise ParameterError(f"partition names node {node!r}, which is not in the graph")
            module[index[node]] = labels.setdefault(mod, len(labels))
    elif isinstance(partition, Iterable) and not isinstance(partition, (str, bytes)):
        for m, group in enumerate(partition):
            for node in group:
                if node not in index:
                    raise ParameterError(f"partition names node {node!r}, which is not in the graph")
                if module[index[node]] >= 0:
                    raise ParameterError(f"node {node!r} appears in more than one community")
                module[index[node]] = m
    else:
        raise ParameterTypeError(
            "`partition` must be a mapping {node: module} or an iterable of node collections, "
            f"got {type(partition).__name__}"
        )
    missing = np.flatnonzero(module < 0)
    if missing.size:
        raise ParameterError(f"partition does not assign node {nodes[int(missing[0])]!r} (every node needs a module)")
    return module


def codelength(
    graph: Any,
    partition: Any,
    *,
    directed: bool | None = None,
    teleportation: float = 0.15,
    weight: str = "weight",
) -> float:
    """Two-level map equation (bits) of a given partition.

    Parameters
    ----------
    graph : networkx.Graph or DiGraph, edge array (m, 2|3), (sources, targets[, weights]) tuple, or path
        The network. Weights come from the ``weight`` attribute (default 1); they must be finite
        and non-negative. An undirected graph counts a self-loop's weight once.
    partition : mapping {node: module} or iterable of node collections
        Every node must be assigned; module labels may be any hashable values.
    directed : bool, optional
        Default: the graph's own directedness (arrays and files: undirected).
    teleportation : float, default 0.15
        Teleportation probability of the directed flow model (to links, unrecorded).

    Returns
    -------
    float
        ``L = plogp(Σq↶) − Σ plogp(q↶) − Σ plogp(q↷) + Σ plogp(q↷ + p_i) − Σ plogp(p_a)``.
        Equals ``Infomap("--two-level --no-infomap [--directed]").run(initial_partition=...)``.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(5, 0)
    >>> round(codelength(G, {v: v < 5 for v in G}), 4)
    2.6428

    References
    ----------
    M. Rosvall and C. T. Bergstrom, "Maps of random walks on complex networks reveal community
    structure", PNAS 105(4), 1118-1123 (2008).
    """
    teleportation = _check_common(directed, teleportation)
    edges = as_edges(graph, directed, weight)
    module = _partition_ids(edges.nodes, partition)
    if not edges.nodes:
        return 0.0
    from . import _infomap_core as core

    net = flow_network(edges, teleportation)
    return float(core.codelength(net.n, net.flow, net.optr, net.oidx, net.oflow, module)[0])


# ----------------------------------------------------------------------------------------------
# optimisation


@dataclass(frozen=True, eq=False)
class InfomapResult:
    """A two-level partition found by :func:`infomap`.

    Attributes
    ----------
    nodes : tuple
        Node labels, in the order of ``membership`` and ``node_flow``.
    membership : ndarray of int64, shape (n,)
        Module index of each node; module 0 carries the most flow.
    node_flow : ndarray of float64, shape (n,)
        Stationary flow of each node (sums to 1; 0 for nodes without edges).
    module_flow : ndarray of float64, shape (k,)
        Flow of each module, decreasing.
    codelength, index_codelength, module_codelength : float
        Two-level codelength in bits and its index (between-module) and module parts.
    one_level_codelength : float
        Codelength with all nodes in one module, ``H(p)``.
    directed : bool
    num_trials, seed : int
    """

    nodes: tuple[Hashable, ...]
    membership: np.ndarray
    node_flow: np.ndarray
    module_flow: np.ndarray
    codelength: float
    index_codelength: float
    module_codelength: float
    one_level_codelength: float
    directed: bool
    num_trials: int
    seed: int
    communities: tuple[frozenset, ...] = field(init=False, repr=False)

    def __post_init__(self):
        groups: list[list] = [[] for _ in range(self.module_flow.shape[0])]
        for node, m in zip(self.nodes, self.membership.tolist()):
            groups[m].append(node)
        object.__setattr__(self, "communities", tuple(frozenset(g) for g in groups))

    @property
    def num_modules(self) -> int:
        """Number of modules (communities)."""
        return int(self.module_flow.shape[0])

    @property
    def relative_codelength_savings(self) -> float:
        """``1 − L / L_one_level`` (0 when nothing beats one module)."""
        if self.one_level_codelength <= 0:
            return 0.0
        return 1.0 - self.codelength / self.one_level_codelength

    def to_dict(self) -> dict[Hashable, int]:
        """``{node: module index}``."""
        return dict(zip(self.nodes, self.membership.tolist()))

    def to_list(self) -> list[set]:
        """Communities as a list of sets (like ``networkx.algorithms.community``)."""
        return [set(c) for c in self.communities]

    def to_rows(self) -> Iterable[tuple[Hashable, int, float]]:
        """``(node, module, node flow)`` rows, by module then decreasing flow."""
        order = np.lexsort((-self.node_flow, self.membership))
        for i in order.tolist():
            yield self.nodes[i], int(self.membership[i]), float(self.node_flow[i])


def _trial_seeds(seed: int, num_trials: int) -> list[int]:
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(num_trials, np.uint32)]


def infomap(
    graph: Any,
    *,
    num_trials: int = 10,
    seed: int = 0,
    directed: bool | None = None,
    teleportation: float = 0.15,
    weight: str = "weight",
    encoding: str = "utf-8",
) -> InfomapResult:
    """Two-level InfoMap: the partition that minimises the map equation.

    Every node starts alone; sweeps over the nodes in random order move each to the
    neighbouring (or an empty) module with the best codelength change, computed in O(1) from
    module totals; modules are aggregated into super-nodes and the sweeps repeat until no
    modules merge. Fine-tuning (leaves move again) and coarse-tuning (each module split by a
    nested run, sub-modules move) then alternate until the codelength stops improving by 1e-5
    of itself. The best of ``num_trials`` seeded trials is kept; when it does not beat the
    one-level codelength ``H(p)``, every linked node goes into one module.

    Parameters
    ----------
    graph : networkx.Graph or DiGraph, edge array (m, 2|3), (sources, targets[, weights]) tuple, or path
        Weights from the ``weight`` attribute (default 1), finite and ≥ 0. Edge arrays and
        files are undirected unless ``directed=True``; a row ``(u, v)`` and a row ``(v, u)``
        add up. An edge-list file has ``SOURCE TARGET [WEIGHT]`` lines (labels kept as str).
    num_trials : int, default 10
        Independent seeded trials; the shortest codelength wins (ties: the earliest).
    seed : int, default 0
        Results are deterministic for a given seed.
    directed : bool, optional
        Default: the graph's own directedness.
    teleportation : float, default 0.15
        Directed flow: PageRank teleporting to links (nodes in proportion to out-strength),
        unrecorded in the codelength, as the ``infomap`` package does by default.
    weight : str, default "weight"
        The edge attribute holding the weight (networkx graphs).
    encoding : str, default "utf-8"
        Encoding of an edge-list file (any Python codec, e.g. ``"gb18030"``).

    Returns
    -------
    InfomapResult
        ``communities`` (tuple of frozensets of original labels, decreasing flow), ``codelength``
        and its index/module parts, ``one_level_codelength``, ``module_flow``. Nodes without
        any edge are singleton communities with zero flow.

    Examples
    --------
    >>> import networkx as nx
    >>> G = nx.barbell_graph(5, 0)
    >>> r = infomap(G, seed=1)
    >>> sorted(sorted(c) for c in r.communities)
    [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    >>> round(r.codelength, 4)
    2.6428

    References
    ----------
    M. Rosvall and C. T. Bergstrom, "Maps of random walks on complex networks reveal community
    structure", PNAS 105(4), 1118-1123 (2008). D. Edler, L. Bohlin and M. Rosvall, "Mapping
    higher-order network flows in memory and multilayer networks with Infomap", Algorithms 10(4),
    112 (2017).
    """
    num_trials = limits.check("num_trials", num_trials)
    seed = limits.check("seed", seed)
    teleportation = _check_common(directed, teleportation)
    return infomap_edges(as_edges(graph, directed, weight, encoding), num_trials, seed, teleportation)


def infomap_edges(edges: Edges, num_trials: int, seed: int, teleportation: float) -> InfomapResult:
    """The optimisation behind :func:`infomap`, on edges already in the kernels' form
    (:class:`nlpzero._flow.Edges`, checked) and checked arguments: what :func:`infomap` runs after
    :func:`nlpzero._flow.as_edges`, and what :func:`nlpzero.cluster_words` runs on its kNN graph."""
    n = len(edges.nodes)
    if n == 0:
        empty = np.zeros(0)
        return InfomapResult((), np.zeros(0, np.int64), empty, empty, 0.0, 0.0, 0.0, 0.0, edges.directed,
                             num_trials, seed)
    from . import _infomap_core as core

    net = flow_network(edges, teleportation)
    one_level = float(-_plogp(net.flow).sum())
    best_module = None
    best_length = math.inf
    if net.oidx.shape[0] == 0:
        # no links between distinct nodes (only self-loops, or none): every node alone codes in 0 bits
        best_module, best_length = np.arange(n, dtype=np.int64), 0.0
    else:
        for s in _trial_seeds(seed, num_trials):
            module, length = core.trial(net.n, net.flow, net.optr, net.oidx, net.oflow, net.iptr, net.iidx,
                                        net.iflow, net.directed, s, _CORE_LOOP_LIMIT, _TUNE_ITERATION_LIMIT,
                                        _TUNE_RELATIVE_THRESHOLD)
            if length < best_length - 1e-12:
                best_module, best_length = module, length
    if best_module is None or best_length >= one_level - 1e-10:
        best_module = np.zeros(n, np.int64)  # one module (isolated nodes split off below)
    # linked nodes keep their modules (renumbered 0..k-1); nodes without any edge get one each
    linked = net.has_link
    module = np.empty(n, np.int64)
    k = 0
    if linked.any():
        module[linked], k = core.renumber(np.ascontiguousarray(best_module[linked]))
        if k < 0:
            raise AssertionError("InfoMap produced a negative module id")   # a bug, not user input
    lonely = np.flatnonzero(~linked)
    module[lonely] = k + np.arange(lonely.size)
    k += lonely.size
    return _finish(edges, net, module, k, one_level, num_trials, seed)


def _finish(edges: Edges, net: Network, module: np.ndarray, k: int, one_level: float, num_trials: int,
            seed: int) -> InfomapResult:
    from . import _infomap_core as core

    mflow = np.bincount(module, net.flow, k)
    # modules by decreasing flow, ties by their first node
    first = np.full(k, net.n, np.int64)
    np.minimum.at(first, module, np.arange(net.n))
    order = np.lexsort((first, -mflow))
    rank = np.empty(k, np.int64)
    rank[order] = np.arange(k)
    module = rank[module]
    length, index, mod = core.codelength(net.n, net.flow, net.optr, net.oidx, net.oflow, module)
    return InfomapResult(
        nodes=tuple(edges.nodes),
        membership=module,
        node_flow=net.flow,
        module_flow=mflow[order],
        codelength=float(length),
        index_codelength=float(index),
        module_codelength=float(mod),
        one_level_codelength=one_level,
        directed=edges.directed,
        num_trials=num_trials,
        seed=seed,
    )
