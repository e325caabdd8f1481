"""Tests of nlpzero.distance: the network simplex against slow exact references and
POT, WMD/WRD against their definitions, gensim and POT, the bounds, and the exact top-k search."""
from __future__ import annotations

import math

import numpy as np
import pytest
from reference.distance import ref_emd_1d, ref_emd_min_cost_flow, ref_emd_permutations, ref_text_distance

import nlpzero
from nlpzero.distance import wmd, wmd_lower_bounds, wmd_search, wrd, wrd_lower_bounds
from nlpzero.errors import FormatError, InputError
from nlpzero.transport import EMDResult, IterationLimitError, emd, emd_plan
from nlpzero.vectors import WordVectors, load_vectors

# ---------------------------------------------------------------------------------------------
# slow, obviously correct references


def random_problem(rng, n1, n2, kind="plain"):
    a = rng.random(n1) + 1e-3
    b = rng.random(n2) + 1e-3
    M = rng.random((n1, n2))
    if kind == "zeros":
        a[rng.random(n1) < 0.3] = 0.0
        b[rng.random(n2) < 0.3] = 0.0
        a[rng.integers(n1)] += 1.0
        b[rng.integers(n2)] += 1.0
    elif kind == "tiny":
        a[rng.random(n1) < 0.3] = 1e-12
        b[rng.random(n2) < 0.3] = 1e-12
    elif kind == "duplicates":  # repeated points: equal rows and columns of M
        x = rng.normal(size=(max(1, n1 // 3), 3))
        y = rng.normal(size=(max(1, n2 // 3), 3))
        X = x[rng.integers(len(x), size=n1)]
        Y = y[rng.integers(len(y), size=n2)]
        M = np.sqrt(((X[:, None] - Y[None]) ** 2).sum(-1))
    elif kind == "integer":  # many ties
        M = rng.integers(0, 4, size=(n1, n2)).astype(float)
    elif kind == "allzero":
        M = np.zeros((n1, n2))
    a /= a.sum()
    b /= b.sum()
    return a, b, M


def check_plan(res: EMDResult, a, b, M, tol=1e-9):
    P = res.plan
    assert P.shape == M.shape
    assert (P >= 0).all()
    np.testing.assert_allclose(P.sum(1), a, atol=tol)
    np.testing.assert_allclose(P.sum(0), b * a.sum() / b.sum(), atol=tol)
    assert abs((P * M).sum() - res.cost) <= tol * (1 + abs(res.cost))
    assert np.count_nonzero(P) <= M.shape[0] + M.shape[1] - 1
    # dual feasibility, complementary slackness, strong duality, centring
    scale = 1 + np.abs(M).max()
    slack = M - res.u[:, None] - res.v[None, :]
    assert slack.min() >= -1e-9 * scale
    assert np.all(np.abs(slack[P > 0]) <= 1e-9 * scale)
    assert abs(a @ res.u + b @ res.v - res.cost) <= 1e-9 * scale
    assert abs(a @ res.u - b @ res.v) <= 1e-9 * scale


# ---------------------------------------------------------------------------------------------
# EMD against references


@pytest.mark.parametrize("seed", range(40))
def test_emd_matches_permutation_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 7))
    M = rng.random((n, n)) if seed % 2 else rng.integers(0, 3, (n, n)).astype(float)
    u = np.full(n, 1.0 / n)
    assert abs(emd(u, u, M) - ref_emd_permutations(M)) <= 1e-12
    check_plan(emd_plan(u, u, M), u, u, M)


@pytest.mark.parametrize("seed", range(40))
def test_emd_matches_min_cost_flow(seed):
    rng = np.random.default_rng(100 + seed)
    n1, n2 = (int(x) for x in rng.integers(1, 9, size=2))
    total = 60
    a_int = np.bincount(rng.integers(0, n1, total), minlength=n1)  # may contain zeros
    b_int = np.bincount(rng.integers(0, n2, total), minlength=n2)
    M_int = rng.integers(0, 10, size=(n1, n2))
    expected = ref_emd_min_cost_flow(a_int, b_int, M_int) / total
    got = emd(a_int / total, b_int / total, M_int.astype(float))
    assert abs(got - expected) <= 1e-12


@pytest.mark.parametrize("seed", range(20))
def test_emd_one_dimensional_closed_form(seed):
    rng = np.random.default_rng(200 + seed)
    n1, n2 = (int(x) for x in rng.integers(1, 40, size=2))
    x, y = rng.normal(size=n1), rng.normal(size=n2)
    a, b = rng.random(n1), rng.random(n2)
    a /= a.sum()
    b /= b.sum()
    M = np.abs(x[:, None] - y[None, :])
    assert abs(emd(a, b, M) - ref_emd_1d(x, a, y, b)) <= 1e-12


KINDS = ["plain", "zeros", "tiny", "duplicates", "integer", "allzero"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("block", range(5))
def test_emd_matches_pot(kind, block):
    """300 seeded problems of sizes 1..80 (every kind x 10 per block), 1e-9 absolute."""
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(1000 * KINDS.index(kind) + block)
    for _ in range(10):
        n1, n2 = (int(x) for x in rng.integers(1, 81, size=2))
        a, b, M = random_problem(rng, n1, n2, kind)
        ref = ot.emd2(a, b, M, numItermax=10**7)
        res = emd_plan(a, b, M)
        assert res.status == "optimal"
        assert abs(res.cost - ref) <= 1e-9
        assert abs(emd(a, b, M) - res.cost) == 0.0
        check_plan(res, a, b, M)


@pytest.mark.parametrize("n", [1, 2, 150, 300, 500])
def test_emd_matches_pot_sizes(n):
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(n)
    x, y = rng.normal(size=(n, 5)), rng.normal(size=(n + n // 3, 5))
    M = np.sqrt(((x[:, None] - y[None]) ** 2).sum(-1))
    a, b = rng.random(len(x)), rng.random(len(y))
    a /= a.sum()
    b /= b.sum()
    assert abs(emd(a, b, M) - ot.emd2(a, b, M, numItermax=10**8)) <= 1e-9


@pytest.mark.parametrize("scale", [1e-6, 1e6])
def test_emd_scaled_costs(scale):
    ot = pytest.importorskip("ot")
    rng = np.random.default_rng(7)
    for n1, n2 in [(5, 9), (30, 20), (64, 64)]:
        a, b, M = random_problem(rng, n1, n2)
        ref = ot.emd2(a, b, M)
        assert abs(emd(a, b, M * scale) / scale - ref) <= 1e-9
        # unnormalised weights: the cost scales with the total mass
        assert abs(emd(3 * a, 3 * b, M) - 3 * ref) <= 3e-9


def test_emd_small_cases():
    assert emd([1.0], [1.0], [[2.5]]) == 2.5
    assert emd([0.5, 0.5], [1.0], np.array([[0.0], [2.0]])) == 1.0
    assert emd(None, None, np.zeros((3, 4))) == 0.0  # None = uniform
    r = emd_plan([0.0, 1.0], [1.0, 0.0], np.array([[0.0, 1.0], [3.0, 0.0]]))
    assert r.cost == 3.0 and r.to_triples() == [(1, 0, 1.0)]
    check_plan(r, np.array([0.0, 1.0]), np.array([1.0, 0.0]), np.array([[0.0, 1.0], [3.0, 0.0]]))
    assert r.to_dict()["status"] == "optimal" and r.optimal


def test_emd_accepts_mismatch_below_tolerance_and_rescales():
    a = np.array([0.5, 0.5])
    b = np.array([0.5, 0.5]) * (1 + 5e-10)
    M = np.array([[0.0, 1.0], [1.0, 0.0]])
    r = emd_plan(a, b, M)
    np.testing.assert_allclose(r.plan.sum(0), [0.5, 0.5], atol=1e-15)


@pytest.mark.parametrize(
    "a, b, M, match",
    [
        ([-0.1, 1.1], [0.5, 0.5], [[0, 1], [1, 0]], r"a\[0\] = -0.1"),
        ([np.nan, 1.0], [0.5, 0.5], [[0, 1], [1, 0]], "a"),
        ([0.5, 0.5], [np.inf, 1.0], [[0, 1], [1, 0]], r"b\[0\] = inf"),
        ([0.5, 0.5], [0.5, 0.5], [[0, np.nan], [1, 0]], r"M\[0, 1\]"),
        ([0.5, 0.5], [0.5, 0.5], [[0, -1.0], [1, 0]], "non-negative"),
        ([0.5, 0.5], [0.5, 0.5], [[0, np.inf], [1, 0]], "finite"),
        ([0.5, 0.5], [0.5, 0.5 + 1e-8], [[0, 1], [1, 0]], "1e-9 relative"),
        ([0.5, 0.5], [0.5, 0.5, 0.0], [[0, 1], [1, 0]], "shape"),
        ([0.0, 0.0], [0.0, 0.0], [[0, 1], [1, 0]], "positive total"),
        ([], [], np.zeros((0, 0)), "non-empty"),
        ([[0.5, 0.5]], [0.5, 0.5], [[0, 1], [1, 0]], "1-D"),
        ([0.5, 0.5], [0.5, 0.5], [0, 1], "2-D"),
    ],
)
def test_emd_bad_input(a, b, M, match):
    with pytest.raises(ValueError, match=match):
        emd(a, b, M)
    with pytest.raises(ValueError, match=match):
        emd_plan(a, b, M)


def test_emd_iteration_limit_is_explicit():
    rng = np.random.default_rng(3)
    a, b, M = random_problem(rng, 30, 30)
    with pytest.raises(IterationLimitError, match="max_iter"):
        emd(a, b, M, max_iter=3)
    r = emd_plan(a, b, M, max_iter=3, on_limit="return")
    assert r.status == "max_iter_reached" and not r.optimal and r.iterations == 3
    assert r.cost >= emd(a, b, M) - 1e-12  # feasible, hence no better than the optimum
    np.testing.assert_allclose(r.plan.sum(1), a, atol=1e-12)
    np.testing.assert_allclose(r.plan.sum(0), b, atol=1e-12)
    with pytest.raises(ValueError, match="max_iter"):
        emd(a, b, M, max_iter=0)
    with pytest.raises(ValueError, match="on_limit"):
        emd_plan(a, b, M, on_limit="ignore")


def test_public_names_are_exported():
    assert nlpzero.emd is emd and nlpzero.wmd_search is wmd_search and nlpzero.wrd is wrd


# ---------------------------------------------------------------------------------------------
# WMD / WRD


def make_vocab(rng, n_words=60, dim=8, clusters=6):
    words = [f"w{i}" for i in range(n_words)]
    centres = rng.normal(size=(clusters, dim)) * 3
    X = centres[rng.integers(clusters, size=n_words)] + rng.normal(size=(n_words, dim))
    return words, X, dict(zip(words, X))


def random_doc(rng, words, lo=1, hi=12):
    return [words[i] for i in rng.integers(len(words), size=int(rng.integers(lo, hi + 1)))]


@pytest.mark.parametrize("metric", ["wmd", "wrd"])
@pytest.mark.parametrize("seed", range(5))
def test_text_distance_matches_definition_and_bounds(metric, seed):
    rng = np.random.default_rng(seed)
    words, X, vec = make_vocab(rng)
    fn, bounds = (wmd, wmd_lower_bounds) if metric == "wmd" else (wrd, wrd_lower_bounds)
    wv = WordVectors(words, X)
    for _ in range(15):
        d1, d2 = random_doc(rng, words), random_doc(rng, words)
        r = fn(d1, d2, wv)
        assert abs(r.distance - ref_text_distance(d1, d2, vec, metric)) <= 1e-9
        # every form of `vectors` gives the same number
        assert fn(d1, d2, vec).distance == pytest.approx(r.distance, abs=1e-12)
        assert fn(d1, d2, (words, X)).distance == pytest.approx(r.distance, abs=1e-12)
        # symmetric, zero on itself
        assert abs(fn(d2, d1, wv).distance - r.distance) <= 1e-9
        assert abs(fn(d1, d1, wv).distance) <= 1e-12
        b = bounds(d1, d2, wv)
        assert b.centroid <= r.distance + 1e-12 and b.relaxed <= r.distance + 1e-12
        assert b.best == max(b.centroid, b.relaxed)
        np.testing.assert_allclose(r.plan.sum(1), r.weights1, atol=1e-12)
        assert math.isclose(r.weights1.sum(), 1.0) and math.isclose(r.weights2.sum(), 1.0)


@pytest.mark.parametrize("metric", ["wmd", "wrd"])
def test_small_and_large_encodings_agree(metric, monkeypatch):
    """Pairs are bagged with dicts, big batches with numpy: the bits must not depend on it."""
    import nlpzero.distance as dist

    rng = np.random.default_rng(5)
    words, X, vec = make_vocab(rng)
    fn = wmd if metric == "wmd" else wrd
    pairs = [(random_doc(rng, words) + ["oov"], random_doc(rng, words)) for _ in range(20)]
    small = [fn(d1, d2, vec) for d1, d2 in pairs]
    monkeypatch.setattr(dist, "SMALL_BAG_TOKENS", -1)
    for (d1, d2), r in zip(pairs, small):
        big = fn(d1, d2, vec)
        assert big.distance == r.distance and big.words1 == r.words1 and big.oov1 == r.oov1 == ("oov",)
        assert np.array_equal(big.weights2, r.weights2) and np.array_equal(big.plan, r.plan)


def test_wmd_weights_and_example():
    vec = {"猫": np.array([0.0, 0.0]), "狗": np.array([3.0, 4.0]), "吃": np.array([0.0, 1.0])}
    r = wmd(["猫", "吃", "猫", "鱼"], ["狗"], vec)
    assert r.words1 == ("猫", "吃") and r.oov1 == ("鱼",) and r.oov2 == ()
    np.testing.assert_allclose(r.weights1, [2 / 3, 1 / 3])
    assert r.distance == pytest.approx(2 / 3 * 5 + 1 / 3 * math.sqrt(18), abs=1e-12)
    assert float(r) == r.distance and r.to_dict()["oov1"] == ["鱼"]


def test_wrd_is_scale_invariant_in_direction_and_weights_by_norm():
    vec = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 3.0]), "c": np.array([1.0, 1.0])}
    r = wrd(["a", "b"], ["c"], vec)
    np.testing.assert_allclose(r.weights1, [0.25, 0.75])
    cos = 1 / math.sqrt(2)
    assert r.distance == pytest.approx(1 - cos, abs=1e-12)
    assert r.similarity == pytest.approx(cos, abs=1e-12)
    vec2 = dict(vec, c=np.array([5.0, 5.0]))
    assert wrd(["a", "b"], ["c"], vec2).distance == pytest.approx(r.distance, abs=1e-12)
    # a zero vector has no direction and no weight: ignored and reported
    vec3 = dict(vec, z=np.zeros(2))
    r3 = wrd(["a", "b", "z"], ["c"], vec3)
    assert r3.oov1 == ("z",) and r3.distance == pytest.approx(r.distance, abs=1e-12)


def test_wmd_matches_gensim():
    gensim_models = pytest.importorskip("gensim.models")
    rng = np.random.default_rng(11)
    words, X, vec = make_vocab(rng, n_words=40, dim=6)
    kv = gensim_models.KeyedVectors(6)
    kv.add_vectors(words, X.astype(np.float32))
    Xf = kv.vectors.astype(np.float64)  # compare on the same (float32-rounded) vectors
    wv = WordVectors(words, Xf)
    for _ in range(10):
        d1, d2 = random_doc(rng, words), random_doc(rng, words)
        assert abs(wmd(d1, d2, wv).distance - kv.wmdistance(d1, d2, norm=False)) <= 1e-6
    # gensim's vectors object is accepted directly
    assert wmd(d1, d2, kv).distance == pytest.approx(wmd(d1, d2, wv).distance, abs=1e-12)


def test_text_distance_bad_input():
    vec = {"a": np.array([1.0, 0.0]), "b": np.array([0.0, 1.0])}
    with pytest.raises(ValueError, match="doc2 has no in-vocabulary token.*'x'"):
        wmd(["a"], ["x", "y"], vec)
    with pytest.raises(ValueError, match="doc1 has no"):
        wrd([], ["a"], vec)
    assert wmd([], ["a"], vec, empty_value=math.inf).distance == math.inf
    assert wmd(["x"], ["a"], vec, empty_value=-1.0).distance == -1.0
    with pytest.raises(TypeError, match="split it first"):
        wmd("a b", ["a"], vec)
    with pytest.raises(TypeError, match="vectors"):
        wmd(["a"], ["b"], [1, 2, 3])
    with pytest.raises(ValueError, match="finite"):
        wmd(["a"], ["b"], {"a": np.array([np.nan, 0.0]), "b": np.zeros(2)})
    with pytest.raises(ValueError, match="shape"):
        wmd(["a"], ["b"], {"a": np.zeros(2), "b": np.zeros(3)})
    with pytest.raises(ValueError, match="distinct"):
        WordVectors(["a", "a"], np.zeros((2, 2)))
    with pytest.raises(ValueError, match="shape"):
        WordVectors(["a"], np.zeros((2, 2)))
    with pytest.raises(TypeError, match="empty_value"):
        wmd(["a"], ["b"], vec, empty_value="inf")


# ---------------------------------------------------------------------------------------------
# exact top-k search


def brute_force_topk(query, docs, wv, k, metric, empty_value=None):
    fn = wmd if metric == "wmd" else wrd
    dists = [fn(query, d, wv, empty_value=empty_value).distance for d in docs]
    order = sorted(range(len(docs)), key=lambda i: (dists[i], i))[:k]
    return order, [dists[i] for i in order]


@pytest.mark.parametrize("metric", ["wmd", "wrd"])
@pytest.mark.parametrize("seed", range(4))
def test_search_equals_brute_force(metric, seed):
    rng = np.random.default_rng(50 + seed)
    words, X, _ = make_vocab(rng, n_words=80)
    wv = WordVectors(words, X)
    docs = [random_doc(rng, words) for _ in range(150)]
    # exact duplicates and permuted duplicates create ties, broken by position
    docs += [list(docs[3]), list(reversed(docs[3])), list(docs[40])]
    docs.insert(10, list(docs[77]))
    query = random_doc(rng, words)
    for k in (1, 5, 20):
        res = wmd_search(query, docs, wv, k=k, metric=metric)
        idx, dist = brute_force_topk(query, docs, wv, k, metric)
        assert res.indices.tolist() == idx
        assert res.distances.tolist() == dist  # same solver on the same bits: equal, not close
        assert res.n_docs == len(docs) and 1 <= res.n_solved <= len(docs)
    # a query that is one of the documents finds it (and its duplicates) at distance 0
    res = wmd_search(docs[3], docs, wv, k=3, metric=metric)
    assert sorted(res.indices.tolist()[:3]) == sorted([3 if 3 < 10 else 4, len(docs) - 3, len(docs) - 2])
    assert np.all(res.distances <= 1e-12)


def test_text_index_reuses_documents():
    rng = np.random.default_rng(77)
    words, X, vec = make_vocab(rng, n_words=50)
    docs = [random_doc(rng, words) for _ in range(60)]
    for metric in ("wmd", "wrd"):
        index = nlpzero.TextIndex(docs, vec, metric=metric)
        assert len(index) == 60 and index.oov == [()] * 60
        for _ in range(3):
            q = random_doc(rng, words) + ["not-a-word"]
            res = index.search(q, k=4)
            assert res.to_list() == wmd_search(q, docs, vec, k=4, metric=metric).to_list()
            assert res.query_oov == ("not-a-word",)
    with pytest.raises(ValueError, match="dimension 3"):
        nlpzero.TextIndex([["a"]], {"a": np.zeros(2), "b": np.ones(3)}).search(["b"])


def test_search_prunes_on_clustered_data():
    rng = np.random.default_rng(9)
    words, X, _ = make_vocab(rng, n_words=200, dim=10, clusters=10)
    wv = WordVectors(words, X)
    docs = [random_doc(rng, words[20 * (i % 10): 20 * (i % 10) + 20], 3, 8) for i in range(400)]
    res = wmd_search(docs[0], docs, wv, k=5)
    assert res.indices.tolist() == brute_force_topk(docs[0], docs, wv, 5, "wmd")[0]
    assert res.n_solved < len(docs) // 2  # the bounds did their job


def test_search_empty_documents_and_oov():
    vec = {"a": np.array([0.0, 0.0]), "b": np.array([1.0, 0.0]), "c": np.array([5.0, 0.0])}
    docs = [["c"], [], ["zz"], ["b", "b"], ["a", "qq"]]
    with pytest.raises(ValueError, match=r"docs\[1\] has no in-vocabulary token"):
        wmd_search(["a"], docs, vec)
    res = wmd_search(["a", "oov"], docs, vec, k=5, empty_value=math.inf)
    assert res.to_list() == [(4, 0.0), (3, 1.0), (0, 5.0), (1, math.inf), (2, math.inf)]
    assert res.query_oov == ("oov",) and res.n_empty == 2
    res = wmd_search(["a"], docs, vec, k=2, empty_value=0.5)  # a finite sentinel takes its place
    assert res.to_list() == [(4, 0.0), (1, 0.5)]
    with pytest.raises(ValueError, match="the query has no"):
        wmd_search(["zz"], docs[:1], vec)
    res = wmd_search(["zz"], docs, vec, k=2, empty_value=math.inf)
    assert res.indices.tolist() == [0, 1] and np.all(np.isinf(res.distances))
    assert wmd_search(["a"], [["b"]], vec, k=10).to_list() == [(0, 1.0)]
    with pytest.raises(ValueError, match="`k`"):
        wmd_search(["a"], docs, vec, k=0)
    with pytest.raises(ValueError, match="metric"):
        wmd_search(["a"], docs, vec, metric="cosine")
    assert wmd_search(["a"], [], vec).to_list() == []


# ---------------------------------------------------------------------------------------------
# vector files


def test_load_word2vec_text_and_npz(tmp_path):
    p = tmp_path / "v.txt"
    p.write_text("3 2\n猫 0 0\n狗 3 4\n吃 0 1.5e0\n", encoding="utf-8")
    wv = load_vectors(p)
    assert wv.words == ("猫", "狗", "吃") and wv.dim == 2 and wv["吃"].tolist() == [0.0, 1.5]
    g = tmp_path / "glove.txt"
    g.write_text("猫 0 0\n狗 3 4\n", encoding="utf-8")
    assert load_vectors(g).words == ("猫", "狗")
    npz = tmp_path / "v.npz"
    wv.save(npz)
    back = load_vectors(npz)
    assert back.words == wv.words and np.array_equal(back.vectors, wv.vectors)
    # the plain np.savez layout written by nlpzero.word_vectors
    other = tmp_path / "w.npz"
    np.savez(other, words=np.array(["甲", "乙"]), vectors=np.eye(2, dtype=np.float32))
    assert load_vectors(other).words == ("甲", "乙")
    raw = tmp_path / "bytes.npz"
    np.savez(raw, words=np.array(["甲".encode(), b"b"]), vectors=np.eye(2))
    assert load_vectors(raw).words == ("甲", "b")


@pytest.mark.parametrize(
    "text, line",
    [("2 2\na 0 0\nb 1\n", 3), ("a 0 0\nb x 1\n", 2), ("a 0 0\na 1 1\n", 2), ("a 0 nan\n", 1)],
)
def test_load_word2vec_text_errors(tmp_path, text, line):
    p = tmp_path / "bad.txt"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(FormatError) as info:
        load_vectors(p)
    assert info.value.line == line and str(p) in str(info.value)


def test_load_npz_errors(tmp_path):
    p = tmp_path / "bad.npz"
    np.savez(p, w=np.array(["a"]), v=np.zeros((1, 2)))
    with pytest.raises(InputError, match="`words` and `vectors`"):
        load_vectors(p)
    q = tmp_path / "header.txt"
    q.write_text("5 2\na 0 0\n", encoding="utf-8")
    with pytest.raises(InputError, match="announces 5"):
        load_vectors(q)
