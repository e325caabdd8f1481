"""InfoMap: the map equation of a given partition and the optimiser.

References: a slow pure-Python map equation below (flows from the definitions), and the
``infomap`` package (C++), which scores a given partition with ``--no-infomap``.
"""
import math
import random

import numpy as np
import pytest

nx = pytest.importorskip("networkx")

from reference.community import ref_codelength

from nlpzero import codelength, infomap
from nlpzero._testing import lfr, planted_directed
from nlpzero.community import InfomapResult

# ------------------------------------------------------------------ slow, obviously correct reference


def random_graph(seed, n=14, m=40, self_loops=True, dangling=True):
    rng = random.Random(seed)
    edges = []
    sinks = {0, 1} if dangling else set()  # no out-links: dangling when directed
    while len(edges) < m:
        u, v = rng.randrange(n), rng.randrange(n)
        if u in sinks or (u == v and not self_loops):
            continue
        edges.append((u, v, rng.uniform(0.2, 3.0)))
    if self_loops:
        edges += [(5, 5, 2.5), (7, 7, 0.5)]
    module = [rng.randrange(4) for _ in range(n)]
    return n, edges, module


def reference_codelength(n, edges, module, directed):
    infomap_pkg = pytest.importorskip("infomap")
    im = infomap_pkg.Infomap("--two-level --silent --no-infomap --num-threads 1" + (" --directed" if directed else ""))
    for a in range(n):
        im.add_node(a)
    for u, v, w in edges:
        im.add_link(u, v, w)
    return im.run(initial_partition={a: module[a] for a in range(n)}).codelength


def to_nx(n, edges, directed):
    G = nx.DiGraph() if directed else nx.Graph()
    G.add_nodes_from(range(n))
    for u, v, w in edges:
        if G.has_edge(u, v):
            G[u][v]["weight"] += w
        else:
            G.add_edge(u, v, weight=w)
    return G


# ------------------------------------------------------------------ codelength of a given partition
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("self_loops", [False, True])
def test_codelength_matches_slow_reference_and_infomap(directed, seed, self_loops):
    n, edges, module = random_graph(seed, self_loops=self_loops, dangling=True)
    arrays = (np.array([e[0] for e in edges]), np.array([e[1] for e in edges]), np.array([e[2] for e in edges]))
    present = {a for e in edges for a in e[:2]}  # edge arrays cannot name nodes without edges
    ours = codelength(arrays, {a: module[a] for a in present}, directed=directed)
    assert ours == pytest.approx(ref_codelength(n, edges, module, directed), abs=1e-12)
    assert abs(ours - reference_codelength(n, edges, module, directed)) < 1e-9
    # the same through a networkx graph (parallel edges merged by summing weights)
    assert abs(codelength(to_nx(n, edges, directed), dict(enumerate(module))) - ours) < 1e-12


@pytest.mark.parametrize("directed", [False, True])
def test_codelength_extremes(directed):
    n, edges, _ = random_graph(7, self_loops=False, dangling=False)
    G = to_nx(n, edges, directed)
    one = codelength(G, dict.fromkeys(G, 0))
    flow_entropy = ref_codelength(n, edges, [0] * n, directed)
    assert one == pytest.approx(flow_entropy, abs=1e-12)
    singletons = codelength(G, [{a} for a in G])
    assert singletons == pytest.approx(ref_codelength(n, edges, list(range(n)), directed), abs=1e-12)
    assert abs(singletons - reference_codelength(n, edges, list(range(n)), directed)) < 1e-9


def test_codelength_partition_errors():
    G = nx.path_graph(4)
    with pytest.raises(ValueError, match="does not assign node 3"):
        codelength(G, {0: 0, 1: 0, 2: 1})
    with pytest.raises(ValueError, match="not in the graph"):
        codelength(G, {0: 0, 1: 0, 2: 1, 3: 1, 9: 1})
    with pytest.raises(ValueError, match="more than one community"):
        codelength(G, [{0, 1}, {1, 2, 3}])
    with pytest.raises(TypeError, match="partition"):
        codelength(G, 3)


# ------------------------------------------------------------------ optimiser


def reference_optimum(G, directed=False, trials=10):
    infomap_pkg = pytest.importorskip("infomap")
    im = infomap_pkg.Infomap(
        f"--two-level --silent --num-threads 1 -N {trials} --seed 1" + (" --directed" if directed else "")
    )
    im.add_networkx_graph(G)
    return im.run()


@pytest.mark.parametrize(
    "name", ["karate", "lesmis", "lfr-0.1", "lfr-0.3", "directed-planted"]
)
def test_optimum_close_to_infomap(name):
    directed = name == "directed-planted"
    if name == "karate":
        G = nx.karate_club_graph()
    elif name == "lesmis":
        G = nx.les_miserables_graph()
    elif name.startswith("lfr"):
        G, _ = lfr(1000, float(name[4:]))
    else:
        G, _ = planted_directed(600, 12, seed=3)
    ours = infomap(G, num_trials=10, seed=1)
    ref = reference_optimum(G, directed)
    assert ours.codelength <= ref.codelength + 1e-3
    # the reported codelength is the map equation of the reported partition
    assert ours.codelength == pytest.approx(codelength(G, ours.to_dict()), abs=1e-12)
    assert ours.index_codelength + ours.module_codelength == pytest.approx(ours.codelength, abs=1e-12)
    if name.startswith("lfr"):
        assert ours.num_modules == ref.num_top_modules


def same_partition(communities, labels):
    truth = {}
    for node, c in labels.items():
        truth.setdefault(c, set()).add(node)
    return sorted(map(sorted, communities)) == sorted(map(sorted, truth.values()))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_planted_cliques_recovered(seed):
    G = nx.ring_of_cliques(8, 6)
    nx.relabel_nodes(G, {a: f"n{a}" for a in G}, copy=False)  # labels are kept
    r = infomap(G, num_trials=2, seed=seed)
    assert same_partition(r.communities, {f"n{a}": a // 6 for a in range(48)})
    assert r.module_flow.sum() == pytest.approx(1.0)
    assert list(r.module_flow) == sorted(r.module_flow, reverse=True)


def test_planted_directed_recovered():
    G, comm = planted_directed(400, 8, seed=5, deg_out=0.3)
    r = infomap(G, num_trials=3, seed=0)
    assert r.directed
    assert same_partition(r.communities, dict(enumerate(comm.tolist())))


def test_one_module_when_nothing_beats_one_level():
    r = infomap(nx.complete_graph(12), seed=3)
    assert r.num_modules == 1
    assert r.codelength == pytest.approx(r.one_level_codelength)
    assert r.codelength == pytest.approx(math.log2(12))
    G, _ = lfr(1000, 0.5)  # realised mixing overshoots: the planted partition codes longer
    r = infomap(G, num_trials=3, seed=1)
    assert r.num_modules == 1
    assert r.codelength == pytest.approx(reference_optimum(G, trials=3).codelength, abs=1e-9)


def test_deterministic_per_seed():
    G, _ = lfr(1000, 0.3)
    a = infomap(G, num_trials=2, seed=7)
    b = infomap(G, num_trials=2, seed=7)
    assert np.array_equal(a.membership, b.membership) and a.codelength == b.codelength


# ------------------------------------------------------------------ input forms and bad input
def test_input_forms_agree(tmp_path):
    G = nx.ring_of_cliques(4, 5)
    edges = np.array(list(G.edges()))
    path = tmp_path / "edges.tsv"
    path.write_text("# comment\n" + "".join(f"{u}\t{v}\t1\n" for u, v in edges) + "\n")
    r_graph = infomap(G, num_trials=1)
    r_array = infomap(edges, num_trials=1)
    r_tuple = infomap((edges[:, 0], edges[:, 1], np.ones(len(edges))), num_trials=1)
    r_file = infomap(str(path), num_trials=1)
    for r in (r_array, r_tuple, r_file):
        assert r.codelength == pytest.approx(r_graph.codelength, abs=1e-12)
        assert r.num_modules == 4
    assert set(r_file.nodes) == {str(a) for a in G}


def test_empty_and_isolated_and_self_loops_only():
    r = infomap(nx.Graph())
    assert r.communities == () and r.codelength == 0.0
    G = nx.ring_of_cliques(3, 5)
    G.add_nodes_from(["lonely", "alone"])
    r = infomap(G, num_trials=2)
    assert {frozenset({"lonely"}), frozenset({"alone"})} <= set(r.communities)
    assert r.num_modules == 5 and r.node_flow[list(r.nodes).index("lonely")] == 0.0
    loops = nx.Graph([(0, 0), (1, 1), (2, 2)])
    r = infomap(loops)
    assert r.num_modules == 3 and r.codelength == pytest.approx(0.0, abs=1e-12)
    assert codelength(loops, {0: 0, 1: 0, 2: 0}) == pytest.approx(math.log2(3))


@pytest.mark.parametrize("bad", [-1.0, float("nan"), float("inf")])
def test_bad_weights_name_the_edge(bad):
    G = nx.path_graph(4)
    G[1][2]["weight"] = bad
    with pytest.raises(ValueError, match=r"edge \(1, 2\) has weight"):
        infomap(G)
    with pytest.raises(ValueError, match=r"edge \(1, 2\) has weight"):
        codelength(G, dict.fromkeys(G, 0))


def test_bad_arguments():
    with pytest.raises(TypeError, match="networkx"):
        infomap({"a": "b"})
    with pytest.raises(TypeError, match="networkx"):
        infomap(42)
    with pytest.raises(ValueError, match="num_trials"):
        infomap(nx.path_graph(3), num_trials=0)
    with pytest.raises(ValueError, match="teleportation"):
        infomap(nx.path_graph(3), teleportation=1.0)
    with pytest.raises(ValueError, match=r"shape \(m, 2\) or \(m, 3\)"):
        infomap(np.zeros((3, 4)))


def test_edge_file_errors(tmp_path):
    from nlpzero.errors import FormatError

    path = tmp_path / "bad.tsv"
    path.write_text("a b 1\nb c x\n")
    with pytest.raises(FormatError, match="line 2"):
        infomap(str(path))


def test_result_helpers():
    r = infomap(nx.ring_of_cliques(3, 4), num_trials=1)
    assert isinstance(r, InfomapResult)
    d = r.to_dict()
    assert len(d) == 12 and set(d.values()) == {0, 1, 2}
    rows = list(r.to_rows())
    assert [row[1] for row in rows] == sorted(row[1] for row in rows)
    assert 0 < r.relative_codelength_savings < 1


# ------------------------------------------------------------------ kernels directly
@pytest.mark.parametrize("directed", [False, True])
@pytest.mark.parametrize("seed", range(3))
def test_kernel_trial_bookkeeping_matches_formula(directed, seed):
    """The incremental codelength of the optimiser equals the slow formula on its partition."""
    from nlpzero import _infomap_core as core
    from nlpzero._flow import as_edges, flow_network

    n, edges, _ = random_graph(seed + 10, n=30, m=90, self_loops=True, dangling=True)
    G = to_nx(n, edges, directed)
    net = flow_network(as_edges(G, None, "weight"), 0.15)
    module, length = core.trial(net.n, net.flow, net.optr, net.oidx, net.oflow, net.iptr, net.iidx, net.iflow,
                                directed, seed, 10, 40, 1e-5)
    merged = [(u, v, d["weight"]) for u, v, d in G.edges(data=True)]
    assert length == pytest.approx(ref_codelength(n, merged, module.tolist(), directed), abs=1e-10)
    assert length <= ref_codelength(n, merged, list(range(n)), directed) + 1e-12  # never worse than the start
    assert sorted(set(module.tolist())) == list(range(module.max() + 1))


def test_pagerank_flow_matches_slow_reference():
    from nlpzero import _infomap_core as core

    n, edges, _ = random_graph(3, n=20, m=60, self_loops=True, dangling=True)
    src = np.array([e[0] for e in edges])
    dst = np.array([e[1] for e in edges])
    w = np.array([e[2] for e in edges])
    flow, link_flow, iterations = core.pagerank_flow(n, src, dst, w, 0.15, 1e-15, 50, 10000)
    assert iterations >= 50 and flow.sum() == pytest.approx(1.0) and link_flow.sum() == pytest.approx(1.0)
    # reference: dense Google matrix, eigenvector by numpy
    out = np.bincount(src, w, n)
    P = np.zeros((n, n))
    for u, v, x in edges:
        P[u, v] += x / out[u]
    tele = out / out.sum()
    dangling = out == 0
    G = 0.85 * P + 0.15 * tele[None, :]
    G[dangling] = tele
    vals, vecs = np.linalg.eig(G.T)
    pi = np.real(vecs[:, np.argmin(np.abs(vals - 1))])
    pi /= pi.sum()
    expected = np.zeros(n)
    for u, v, x in edges:
        expected[v] += pi[u] * x / out[u] / (1 - pi[dangling].sum())
    assert flow == pytest.approx(expected, abs=1e-12)


def test_undirected_read_as_directed_is_both_ways():
    G = nx.les_miserables_graph()
    part = infomap(G, num_trials=1).to_dict()
    assert codelength(G, part, directed=True) == pytest.approx(codelength(G.to_directed(), part), abs=1e-12)


# ------------------------------------------------------------------ nodes without edges (ids reach n)
def _check_singletons(r, lonely):
    index = {node: i for i, node in enumerate(r.nodes)}
    mods = [int(r.membership[index[v]]) for v in lonely]
    assert len(set(mods)) == len(mods)                        # each alone ...
    for v, m in zip(lonely, mods):
        assert int((r.membership == m).sum()) == 1            # ... and nobody joins it
        assert r.node_flow[index[v]] == 0.0
    assert r.membership.min() == 0 and r.membership.max() == r.num_modules - 1
    assert sorted(set(r.membership.tolist())) == list(range(r.num_modules))


def test_edgeless_graph_every_node_alone():
    r = infomap(nx.empty_graph(3))
    assert r.num_modules == 3 and r.codelength == 0.0
    _check_singletons(r, [0, 1, 2])
    big = infomap(nx.empty_graph(20_000), num_trials=1)
    assert big.num_modules == 20_000 and big.module_flow.shape == (20_000,)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_isolated_nodes_among_directed_links(seed):
    G = nx.DiGraph([(0, 3), (2, 5)])
    G.add_nodes_from([1, 4])
    r = infomap(G, seed=seed)
    _check_singletons(r, [1, 4])
    linked = infomap(nx.DiGraph([(0, 3), (2, 5)]), seed=seed)
    assert r.codelength == pytest.approx(linked.codelength)
    assert r.codelength == pytest.approx(codelength(G, r.to_dict()))


def test_many_isolated_nodes_with_a_community():
    G = nx.ring_of_cliques(4, 6)
    G.add_nodes_from(range(100, 400))
    r = infomap(G, num_trials=2, seed=3)
    _check_singletons(r, list(range(100, 400)))
    assert r.num_modules == 4 + 300


def test_renumber_accepts_ids_beyond_n_and_reports_negative():
    from nlpzero import _infomap_core as core

    out, k = core.renumber(np.array([7, 3, 7, 9], np.int64))
    assert out.tolist() == [0, 1, 0, 2] and k == 3
    _, k = core.renumber(np.array([0, -1], np.int64))
    assert k == -1
