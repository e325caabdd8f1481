"""Property-based tests (hypothesis): every file parser, on arbitrary bytes and on nearly-valid
text, either returns a well-formed result or raises one of nlpzero's own errors -- never a bare
builtin exception, never a crash -- and the kernels agree with their slow references.

Bounded for CI: fixed seeds (``derandomize``), no example database, and ``max_examples`` chosen
so that each parser sees at least 1,000 generated inputs per run while the whole module stays
within a few minutes. ``PARSER_INPUTS`` counts them; the last test checks the floor.
"""
import collections
import json
import math
import os
import tempfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference.apriori import brute_itemsets
from reference.community import ref_codelength
from reference.ngrams import count_ngrams as ref_count_ngrams

import nlpzero
from nlpzero.errors import NlpzeroError

PARSER_INPUTS = collections.Counter()
MIN_INPUTS_PER_PARSER = 1000
_RAN = set()

DIR = tempfile.mkdtemp(prefix="nlpzero-properties-")


def bounded(n):
    return settings(max_examples=n, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def _file(name, data):
    path = os.path.join(DIR, name)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


# text built from the pieces the parsers care about: separators, numbers, comments, CJK, junk
PIECES = ["今天", "天气", "不错", "北京", "大学", "a", "b", "x1", "我", " ", "  ", "\t", "#", "-", "1", "2",
          "0", "3.5", "-1", "1e3", "1e400", "nan", "inf", "0x10", ".", ",", "\r", "\u3000", "Ａ", "😀", "\ufeff",
          "[", "]", "{", "}", '"', ":", "word", "count", "\x00", "é"]
line_st = st.lists(st.sampled_from(PIECES), min_size=0, max_size=8).map("".join)
lines_st = st.lists(line_st, min_size=0, max_size=12)


def _text(lines, final_newline=True):
    return "\n".join(lines) + ("\n" if final_newline and lines else "")


def _encoded(lines):
    return _text(lines).encode("utf-8", "surrogatepass")


raw_st = st.one_of(
    st.binary(max_size=300),
    lines_st.map(_encoded),
    st.tuples(lines_st.map(_encoded), st.binary(max_size=6), st.integers(0, 400)).map(
        lambda t: t[0][: t[2]] + t[1] + t[0][t[2]:]),          # valid text with junk spliced in
)


def _expect_nlpzero_error(call):
    """Run ``call``; a NlpzeroError is an accepted outcome, anything else propagates."""
    try:
        return call()
    except NlpzeroError:
        return None


def _count(parser, name):
    PARSER_INPUTS[parser] += 1
    _RAN.add(name)


# ------------------------------------------------------------------ corpus reader


@bounded(700)
@given(raw_st)
def test_corpus_reader_bytes(data):
    _count("corpus", "corpus_bytes")
    path = _file("corpus.txt", data)
    lines = _expect_nlpzero_error(lambda: list(nlpzero.Corpus(path).lines()))
    if lines is not None:
        assert all(isinstance(line, str) and "\n" not in line for line in lines)


def _ref_lines(text):
    if text.startswith("\ufeff"):
        text = text[1:]
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    return [p[:-1] if p.endswith("\r") else p for p in parts]


@bounded(500)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=200),
       st.sampled_from([16, 17, 64, 4096]))
def test_corpus_reader_lines_match_reference(text, chunk):
    _count("corpus", "corpus_lines")
    path = _file("corpus.txt", text)
    assert list(nlpzero.Corpus(path, chunk_bytes=chunk).lines()) == _ref_lines(text)


# ------------------------------------------------------------------ dictionaries


@bounded(700)
@given(raw_st)
def test_dictionary_bytes(data):
    _count("dictionary", "dictionary_bytes")
    from nlpzero.dictionary import read_dictionary

    path = _file("dict.txt", data)
    entries = _expect_nlpzero_error(lambda: read_dictionary(path))
    if entries is not None:
        for word, count in entries:
            assert word and "\n" not in word and "\t" not in word      # (a TSV word may hold spaces)
            assert count is None or (math.isfinite(count) and count >= 0)


@bounded(400)
@given(st.lists(st.tuples(st.sampled_from(["今天", "天气", "不错", "天气不错", "北京", "a", "b1"]),
                          st.one_of(st.none(), st.integers(0, 50)), st.sampled_from(["", " n", " v"])),
                min_size=1, max_size=8),
       st.text(alphabet="今天气不错北京 ab1，", max_size=30))
def test_dictionary_segmenter_is_lossless(rows, text):
    _count("dictionary", "dictionary_segmenter")
    lines = [w + ("" if c is None else f" {c}") + (tag if c is not None else "") for w, c, tag in rows]
    path = _file("seg-dict.txt", _text(lines))
    seg = _expect_nlpzero_error(lambda: nlpzero.Segmenter(path))
    if seg is not None:
        tokens = seg.lcut(text)
        assert "".join(tokens) == "".join(text.split())


# ------------------------------------------------------------------ edge lists


@bounded(700)
@given(raw_st)
def test_edge_list_bytes(data):
    _count("edge_list", "edge_bytes")
    path = _file("edges.txt", data)
    result = _expect_nlpzero_error(lambda: nlpzero.infomap(path, num_trials=1))
    if result is not None:
        k = result.num_modules
        assert len(result.membership) == len(result.nodes)
        assert (k == 0) or sorted(set(result.membership.tolist())) == list(range(k))


@bounded(400)
@given(st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7), st.sampled_from(["", " 1", " 2.5", " 0"])),
                min_size=1, max_size=14),
       st.booleans())
def test_edge_list_codelength_matches_reference(edges, directed):
    _count("edge_list", "edge_codelength")
    path = _file("edges-ok.txt", _text([f"n{u} n{v}{w}" for u, v, w in edges]))
    result = nlpzero.infomap(path, num_trials=1, directed=directed)
    index = {name: i for i, name in enumerate(result.nodes)}
    ref_edges = [(index[f"n{u}"], index[f"n{v}"], float(w or 1)) for u, v, w in edges if float(w or 1) > 0]
    if not ref_edges or all(u == v for u, v, _ in ref_edges):
        return
    ref = ref_codelength(len(result.nodes), ref_edges, result.membership.tolist(), directed)
    assert result.codelength == pytest.approx(ref, rel=1e-6, abs=1e-9)


# ------------------------------------------------------------------ vectors


@bounded(600)
@given(raw_st)
def test_word2vec_bytes(data):
    _count("vectors", "w2v_bytes")
    path = _file("vec.txt", data)
    wv = _expect_nlpzero_error(lambda: nlpzero.load_vectors(path))
    if wv is not None:
        assert wv.vectors.shape == (len(wv.words), wv.dim) and np.isfinite(wv.vectors).all()


@bounded(300)
@given(st.binary(max_size=400), st.integers(0, 400))
def test_npz_vectors_bytes(junk, cut):
    _count("vectors", "npz_bytes")
    good = os.path.join(DIR, "good-vec.npz")
    if not os.path.exists(good):
        nlpzero.WordVectors(["猫", "狗"], [[1.0, 0.0], [0.0, 1.0]]).save(good)
    with open(good, "rb") as f:
        valid = f.read()
    path = _file("vec.npz", valid[:cut] + junk if junk else valid[:cut])
    wv = _expect_nlpzero_error(lambda: nlpzero.load_vectors(path))
    if wv is not None:
        assert wv.vectors.shape[0] == len(wv.words)


@bounded(200)
@given(st.lists(st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=2), min_size=1, max_size=6))
def test_word2vec_round_trip(rows):
    _count("vectors", "w2v_round_trip")
    words = [f"w{i}" for i in range(len(rows))]
    wv = nlpzero.WordVectors(words, np.array(rows))
    path = os.path.join(DIR, "rt-vec.txt")
    wv.to_word2vec(path)
    back = nlpzero.load_vectors(path)
    assert back.words == wv.words
    np.testing.assert_allclose(back.vectors, wv.vectors, rtol=1e-7, atol=1e-300)


# ------------------------------------------------------------------ counts (n-gram files)


@bounded(500)
@given(st.binary(max_size=400), st.integers(0, 2000))
def test_counts_file_bytes(junk, cut):
    _count("counts", "counts_bytes")
    good = os.path.join(DIR, "good-counts.npz")
    if not os.path.exists(good):
        nlpzero.count_ngrams(["今天天气不错", "天气很好"], max_n=3).save(good)
    with open(good, "rb") as f:
        valid = f.read()
    path = _file("counts.npz", valid[:cut] + junk)
    counts = _expect_nlpzero_error(lambda: nlpzero.NgramCounts.load(path))
    if counts is not None:
        assert counts.max_n >= 1


@bounded(500)
@given(st.lists(st.text(alphabet="今天气不错很好ab1 ，Ａ\u3000", max_size=20), max_size=6), st.integers(1, 4),
       st.integers(1, 3))
def test_counts_kernel_and_file_match_reference(texts, max_n, min_count):
    _count("counts", "counts_kernel")
    counts = nlpzero.count_ngrams(texts, max_n=max_n, min_count=min_count)
    want, _ = ref_count_ngrams(texts, max_n, min_count)
    assert dict(counts.items()) == want
    path = os.path.join(DIR, "rt-counts.npz")
    counts.save(path)
    assert dict(nlpzero.NgramCounts.load(path).items()) == want


# ------------------------------------------------------------------ model files (lexicons, jieba)


@bounded(400)
@given(raw_st)
def test_lexicon_tsv_bytes(data):
    _count("model_files", "lexicon_tsv")
    path = _file("lex.tsv", data)
    lex = _expect_nlpzero_error(lambda: nlpzero.Lexicon.load(path))
    if lex is not None:
        assert len(lex) > 0 and all(c >= 1 for c in lex.counts.tolist())


jsonl_line = st.one_of(
    line_st,
    st.fixed_dictionaries({"word": st.sampled_from(["天气", "", "a b", "不错"]),
                           "count": st.one_of(st.integers(-2, 9), st.floats(allow_nan=True), st.text(max_size=3))},
                          optional={"cohesion": st.one_of(st.floats(), st.none(), st.text(max_size=2))}
                          ).map(json.dumps),
)


@bounded(400)
@given(st.lists(jsonl_line, max_size=6))
def test_lexicon_jsonl(lines):
    _count("model_files", "lexicon_jsonl")
    path = _file("lex.jsonl", _text(lines))
    lex = _expect_nlpzero_error(lambda: nlpzero.Lexicon.load(path))
    if lex is not None:
        assert len(lex) > 0


@bounded(300)
@given(raw_st)
def test_jieba_dictionary_bytes(data):
    _count("model_files", "jieba_dict")
    path = _file("jieba.txt", data)
    lex = _expect_nlpzero_error(lambda: nlpzero.Lexicon.load(path, format="jieba"))
    if lex is not None:
        assert all(w and " " not in w and "\n" not in w for w in lex.words)


# ------------------------------------------------------------------ transactions (apriori input)


@bounded(500)
@given(raw_st)
def test_transactions_bytes(data):
    _count("transactions", "transactions_bytes")
    path = _file("tr.txt", data)
    fi = _expect_nlpzero_error(lambda: nlpzero.frequent_itemsets(path, min_count=1, max_itemsets=100_000))
    if fi is not None:
        assert len(fi) >= 0


@bounded(500)
@given(st.lists(st.lists(st.sampled_from("abcdefg"), max_size=5), max_size=12), st.integers(1, 3))
def test_transactions_kernel_matches_brute_force(transactions, min_count):
    _count("transactions", "transactions_kernel")
    path = _file("tr-ok.txt", _text([" ".join(t) for t in transactions], final_newline=True))
    fi = nlpzero.frequent_itemsets(path, min_count=min_count)
    rows = [line.split() for line in _text([" ".join(t) for t in transactions]).split("\n")[:-1]] \
        if transactions else []
    want = brute_itemsets(rows, min_count)
    assert {frozenset(items): c for items, c in fi.to_list()} == want


# ------------------------------------------------------------------ the floor


def test_zz_every_parser_saw_enough_inputs():
    expected = {"corpus_bytes", "corpus_lines", "dictionary_bytes", "dictionary_segmenter", "edge_bytes",
                "edge_codelength", "w2v_bytes", "npz_bytes", "w2v_round_trip", "counts_bytes", "counts_kernel",
                "lexicon_tsv", "lexicon_jsonl", "jieba_dict", "transactions_bytes", "transactions_kernel"}
    if not expected <= _RAN:
        pytest.skip("only part of the property suite ran")
    print("\ngenerated inputs per parser:", dict(sorted(PARSER_INPUTS.items())))
    assert all(n >= MIN_INPUTS_PER_PARSER for n in PARSER_INPUTS.values()), PARSER_INPUTS
