"""PMI word vectors and word classes by kNN graph + InfoMap.

References: co-occurrence counts and PPMI from Python dicts below, numpy.linalg.svd for the
randomized SVD, a brute-force kNN, gensim for reading the word2vec export.
"""
import math
import random

import numpy as np
import pytest
from reference.vectors import ref_knn, ref_ppmi

from nlpzero import WordVectors, cluster_words, word_vectors
from nlpzero import _wordvec as W
from nlpzero._testing import WORD_CLASSES, class_corpus
from nlpzero.corpus import TokenCorpus
from nlpzero.errors import CorpusTooSmallError, DecodeError, NotReiterableError


def random_corpus(seed, n_sent=60, vocab=15):
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(vocab)]
    weights = [1.0 / (i + 1) for i in range(vocab)]
    return [rng.choices(words, weights, k=rng.randint(1, 12)) for _ in range(n_sent)]


# ------------------------------------------------------------------ slow references


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("window,shift,alpha", [(1, 1.0, 1.0), (3, 1.0, 0.75), (5, 2.0, 0.75)])
def test_ppmi_matches_reference(seed, window, shift, alpha):
    sents = random_corpus(seed)
    vocab, expected = ref_ppmi(sents, 3, window, shift, alpha)
    corpus = TokenCorpus(sents)
    words, _ = W.vocabulary(corpus, 3, None)
    assert words == vocab
    keys, counts = W.cooccurrence(corpus, {w: i for i, w in enumerate(words)}, window)
    ptr, idx, val = W.ppmi(keys, counts, len(words), shift, alpha)
    got = {}
    for r in range(len(words)):
        for e in range(ptr[r], ptr[r + 1]):
            got[(r, int(idx[e]))] = val[e]
    assert got.keys() == expected.keys()
    for key, x in expected.items():
        assert got[key] == pytest.approx(x, abs=1e-12)


def test_cooccurrence_merges_partial_counts(monkeypatch):
    sents = random_corpus(4, n_sent=300)
    corpus = TokenCorpus(sents)
    words, _ = W.vocabulary(corpus, 1, None)
    index = {w: i for i, w in enumerate(words)}
    full = W.cooccurrence(corpus, index, 4)
    monkeypatch.setattr(W, "PAIR_BUFFER", 10)  # force many partial merges
    monkeypatch.setattr(W, "ID_BUFFER", 7)
    small = W.cooccurrence(corpus, index, 4)
    assert np.array_equal(full[0], small[0]) and np.array_equal(full[1], small[1])


@pytest.mark.parametrize("seed", [0, 1])
def test_randomized_svd_matches_numpy(monkeypatch, seed):
    rng = np.random.default_rng(seed)
    n, rank = 300, 12
    low = rng.standard_normal((n, rank)) * (2.0 ** -np.arange(rank)) @ rng.standard_normal((rank, n))
    dense = np.where(rng.random((n, n)) < 0.3, low + 0.01 * rng.standard_normal((n, n)), 0.0)
    rows, cols = np.nonzero(dense)
    ptr = np.zeros(n + 1, np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=ptr[1:])
    monkeypatch.setattr(W, "DENSE_SVD_MAX", 0)
    u, s, vt = W.truncated_svd(ptr, cols.astype(np.int64), dense[rows, cols], n, 8, seed=seed)
    u_ref, s_ref, vt_ref = np.linalg.svd(dense)
    assert s == pytest.approx(s_ref[:8], rel=1e-4)  # randomized: a quality bound, not equality
    # same subspace up to sign: |<u_i, u_ref_i>| = 1 for well separated singular values
    assert np.abs(np.sum(u[:, :4] * u_ref[:, :4], axis=0)) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("k", [1, 3, 7])
def test_knn_graph_matches_brute_force(seed, k):
    x = np.random.default_rng(seed).standard_normal((40, 5))
    src, dst, w = W.knn_graph(x, k, block=16)
    got = {(int(a), int(b)): float(c) for a, b, c in zip(src, dst, w)}
    expected = ref_knn(x, k)
    assert got.keys() == expected.keys()
    for key, val in expected.items():
        assert got[key] == pytest.approx(val, abs=1e-12)


# ------------------------------------------------------------------ end to end
def test_word_classes_recovered():
    wv = word_vectors(class_corpus(3000), min_count=1, window=2)
    assert wv.dim == min(round(8.33 * math.log(len(wv))), len(wv))
    result = cluster_words(wv, k=5, num_trials=3)
    where = {w: i for i, c in enumerate(result.communities) for w in c}
    for members in WORD_CLASSES.values():
        assert len({where[w] for w in members}) == 1, members
    assert len({where[m[0]] for m in WORD_CLASSES.values()}) == len(WORD_CLASSES)
    # neighbours of a word are words of its class
    assert {w for w, _ in wv.most_similar("猫", topn=5)} == set(WORD_CLASSES["noun"]) - {"猫"}


def test_deterministic_and_file_input(tmp_path):
    sents = class_corpus(500, seed=2)
    path = tmp_path / "corpus.txt"
    path.write_text("\n".join(" ".join(s) for s in sents) + "\n\n", encoding="utf-8")
    a = word_vectors(sents, dim=6, min_count=2)
    b = word_vectors(str(path), dim=6, min_count=2)
    c = word_vectors([" ".join(s) for s in sents], dim=6, min_count=2)
    assert a.words == b.words == c.words
    assert np.array_equal(a.vectors, b.vectors) and np.array_equal(a.vectors, c.vectors)
    assert np.array_equal(a.counts, b.counts)


def test_save_load_and_word2vec(tmp_path):
    wv = word_vectors(class_corpus(500), dim=5, min_count=1)
    path = tmp_path / "v.npz"
    wv.save(path)
    with np.load(path) as data:
        assert data["words"].dtype.kind == "U" and data["vectors"].dtype == np.float64
        assert list(data["words"]) == list(wv.words)
    back = WordVectors.load(path)
    assert back.words == wv.words and np.array_equal(back.vectors, wv.vectors)
    text = tmp_path / "v.txt"
    wv.to_word2vec(text)
    lines = text.read_text(encoding="utf-8").splitlines()
    assert lines[0] == f"{len(wv)} 5" and len(lines) == len(wv) + 1
    gensim_models = pytest.importorskip("gensim.models")
    kv = gensim_models.KeyedVectors.load_word2vec_format(str(text), binary=False)
    assert kv["猫"] == pytest.approx(wv["猫"], rel=1e-6, abs=1e-7)


def test_cluster_words_from_arrays_and_errors():
    x = np.array([[1, 0.1], [1, 0.2], [0.1, 1], [0.2, 1]])
    r = cluster_words((["a", "b", "c", "d"], x), k=1)
    assert sorted(map(sorted, r.communities)) == [["a", "b"], ["c", "d"]]
    with pytest.raises(ValueError, match="shape"):
        cluster_words((["a", "b"], x))
    with pytest.raises(ValueError, match="NaN"):
        cluster_words((["a", "b"], np.array([[1.0, np.nan], [0, 1]])))
    with pytest.raises(TypeError, match="WordVectors"):
        cluster_words(x)
    with pytest.raises(ValueError, match="`k`"):
        cluster_words((["a", "b", "c", "d"], x), k=0)


def test_bad_corpus(tmp_path):
    with pytest.raises(NotReiterableError):
        word_vectors(iter(class_corpus(100)), min_count=1)
    with pytest.raises(CorpusTooSmallError):
        word_vectors([["a", "b"]], min_count=2)
    with pytest.raises(TypeError, match="corpus"):
        word_vectors(42)
    with pytest.raises(ValueError, match="`window`"):
        word_vectors(class_corpus(10), window=0)
    bad = tmp_path / "bad.txt"
    bad.write_bytes("我 喜欢\n".encode() + b"\xff\xfe oops\n")
    with pytest.raises(DecodeError, match="offset 11"):
        word_vectors(str(bad), min_count=1)


def _reviews():
    from importlib.resources import files

    return str(files("nlpzero") / "data" / "reviews.txt")


@pytest.mark.slow
def test_word_vectors_of_raw_text_with_a_segmenter():
    # segmenting on the fly is the same as handing over the segmented lines
    from nlpzero import learn_segmenter

    path = _reviews()
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()[:600]
    seg = learn_segmenter(lines)
    segmented = [t for t in seg.cut_lines(lines) if t]
    want = word_vectors(segmented, dim=20, min_count=3)
    for segmenter in (seg, "learn"):
        got = word_vectors(lines, dim=20, min_count=3, segmenter=segmenter)
        assert got.words == want.words
        np.testing.assert_array_equal(got.counts, want.counts)
        np.testing.assert_allclose(got.vectors, want.vectors, atol=1e-9)
    lex = {"喜欢": 5, "这本书": 5, "孩子": 5}                  # a dictionary is a segmenter too
    got = word_vectors(lines, dim=10, min_count=3, segmenter=lex)
    assert "这本书" in got.words and "喜欢" in got.words
    with pytest.raises(NotReiterableError):
        word_vectors(iter(lines), dim=10, min_count=3, segmenter=seg)


def test_csr_matmul_matches_dense():
    from nlpzero import _vectors_core as core

    rng = np.random.default_rng(0)
    dense = np.where(rng.random((30, 20)) < 0.2, rng.standard_normal((30, 20)), 0.0)
    rows, cols = np.nonzero(dense)
    ptr = np.zeros(31, np.int64)
    np.cumsum(np.bincount(rows, minlength=30), out=ptr[1:])
    x = rng.standard_normal((20, 4))
    assert core.csr_matmul(ptr, cols.astype(np.int64), dense[rows, cols], x) == pytest.approx(dense @ x, abs=1e-12)
