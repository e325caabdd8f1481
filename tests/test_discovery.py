"""Word discovery and unsupervised segmentation: kernels against slow references, recovery of a
known lexicon, lossless output, lexicon files, CLI and bad input."""
from __future__ import annotations

import json
import math
import random
from collections import Counter

import numpy as np
import pytest
from reference.discovery import all_splits, ref_counts, ref_entropy, ref_mi, ref_min_entropy
from reference.text_model import symbols

from nlpzero import _discover, _ngram
from nlpzero._passes import Passes, best_split, cohesion, learn_model
from nlpzero._testing import COMMON_HANZI, zipf_corpus
from nlpzero.corpus import as_corpus, normalize
from nlpzero.discovery import default_min_count, discover
from nlpzero.errors import CorpusTooSmallError, CountOverflowError, FormatError, InputError
from nlpzero.jieba.interop import load_jieba_dict
from nlpzero.lexicon import Lexicon
from nlpzero.ngrams import NgramCounts, count_ngrams
from nlpzero.nvbe import autonomy
from nlpzero.unsupervised import learn_segmenter, segment_unsupervised, segment_unsupervised_spans


def _random_text(rng, n, alphabet="天地人和中国大学生的是了", extra="，。 ABc１２\n·"):
    return "".join(rng.choice(alphabet + extra) if rng.random() < 0.25 else rng.choice(alphabet)
                   for _ in range(n))


# ---------------------------------------------------------------------- the one counter, viewed
def _view_of(chunks, K, capacity=1024, reserve_at=None):
    """Count symbol chunks into one NgramTable (recording each position's ids) and view it."""
    table = _ngram.NgramTable(K, 0, capacity)
    recorded = []
    for i, text in enumerate(chunks):
        codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
        sym, start, end = _ngram.encode_symbols(codes, True, True)
        ids = np.empty((K, sym.size), dtype=np.int32)
        assert table.count_chunk(sym, sym.size, False, 1, 0, True, ids) == _ngram.OK
        recorded.append((sym, ids))
        if reserve_at == i:
            table.reserve(table.size * 40)
    return table, _ngram.NgramView(table), recorded


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_view_counts_and_links_match_counter(seed):
    rng = random.Random(seed)
    chunks = ["\n".join(_random_text(rng, rng.randint(0, 40)) for _ in range(20)) + "\n" for _ in range(3)]
    text = "".join(chunks)
    K = 4
    table, view, recorded = _view_of(chunks, K)
    chars = view.chars()
    ref = Counter()
    for run in symbols(text):
        for k in range(1, K + 1):
            for i in range(len(run) - k + 1):
                ref[tuple(run[i : i + k])] += 1

    got = Counter()
    strings = {}
    for k in range(1, K + 1):
        count, prefix, suffix = view.level(k)
        for i in range(count.size):
            if k == 1:
                s = (chr(chars[i]),)
            else:
                s = strings[k - 1, prefix[i]] + (strings[k - 1, suffix[i]][-1],)
                assert strings[k - 1, suffix[i]][:-1] == s[1:-1]
            strings[k, i] = s
            got[s] = int(count[i])
    assert got == ref
    # every position's id names the n-gram that starts there, whether counting recorded it or
    # the view looked it up afterwards
    for sym, ids in recorded:
        assert np.array_equal(view.ids(sym), ids)
        for k in range(1, K + 1):
            for i in range(sym.size):
                want = tuple(chr(c) for c in sym[i : i + k])
                if ids[k - 1, i] >= 0:
                    assert strings[k, ids[k - 1, i]] == want
                else:
                    assert len(want) < k or 0 in sym[i : i + k]
    assert view.n_symbols == sum(len(r) for r in symbols(text))
    # the same statistic through the public counter: count_ngrams(collapse_ascii=True)
    counts = count_ngrams([text], max_n=K, collapse_ascii=True)
    assert view.n_symbols == counts.N
    assert counts.to_dict() == {"".join(s): c for s, c in ref.items()}


@pytest.mark.parametrize("reserve_at", [None, 0, 2])
def test_ids_do_not_depend_on_table_growth(reserve_at):
    """Ids are given at insertion and kept when the table is rebuilt: a table that doubled its
    way up from 1024 slots, one reserved early and one sized once agree on every id."""
    rng = random.Random(7)
    chunks = ["\n".join(_random_text(rng, rng.randint(0, 40)) for _ in range(40)) + "\n" for _ in range(4)]
    out = [_view_of(chunks, 4, capacity, reserve_at) for capacity in (1024, 1 << 16)]
    (_, va, ra), (_, vb, rb) = out
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(ra, rb))
    assert all(np.array_equal(x, y) for k in range(1, 5) for x, y in zip(va.level(k), vb.level(k)))


def test_encode_spans_cover_original_text():
    text = "ＡＢＣ12中文，\n１９９８年  x"
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    sym, start, end = _ngram.encode_symbols(codes, True, True)
    words = [text[a:b] for s, a, b in zip(sym, start, end) if s]
    assert words == ["ＡＢＣ12", "中", "文", "１９９８", "年", "x"]
    assert sym.tolist() == [ord("A"), ord("中"), ord("文"), 0, ord("0"), ord("年"), 0, ord("A"), 0]
    # without collapsing, every (normalised) word character is a symbol
    plain, _, _ = _ngram.encode_symbols(codes, True, False)
    assert "".join(chr(c) if c else "|" for c in plain) == "ABC12中文|1998年|x|"


def test_collapsed_lookups_and_persistence(tmp_path):
    counts = count_ngrams(["１９９８年，2024年ABC 很好", "x1很好"], max_n=3, collapse_ascii=True)
    assert counts["1949年"] == counts["0年"] == counts["１９９８年"] == 2
    assert counts["A很好"] == 1 and counts["Ab12"] == counts["A"] == 2 and counts["年A"] == 1
    path = tmp_path / "c.npz"
    counts.save(path)
    again = NgramCounts.load(path)
    assert again.collapse_ascii and again.to_dict() == counts.to_dict() and again.N == counts.N
    with pytest.raises(ValueError, match="collapse_ascii"):
        counts.merge(count_ngrams(["很好"], max_n=3))
    assert counts.merge(counts)["0年"] == 4


def test_count_overflow_is_an_error():
    table = _ngram.NgramTable(2)
    codes = np.array([[0x4E00, 0]], dtype=np.uint32)
    one = np.array([1], dtype=np.uint8)
    assert table.add(codes, one, np.array([2**32 - 2], dtype=np.uint64)) == _ngram.OK
    assert table.add(codes, one, np.array([1], dtype=np.uint64)) == _ngram.OK
    assert table.add(codes, one, np.array([1], dtype=np.uint64)) == _ngram.COUNT_OVERFLOW
    big = NgramCounts(table)
    with pytest.raises(CountOverflowError):
        big.merge(big)


# ---------------------------------------------------------------------- DP against brute force


@pytest.mark.parametrize("seed", range(4))
def test_best_path_matches_enumeration(seed):
    rng = np.random.default_rng(seed)
    K = 3
    runs = [rng.integers(2, 6, size=rng.integers(1, 8)) for _ in range(5)]
    # symbols as characters: a text of those characters, counted and viewed
    text = "".join("".join(chr(0x4E00 + int(s)) for s in r) + "，" for r in runs)
    _, view, [(symbols_, ids)] = _view_of([text], K)
    sym = ids[0]
    sizes = [view.level(k)[0].size for k in range(1, K + 1)]
    offset = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)
    score = rng.normal(size=int(offset[-1]))
    starts = _discover.best_path(sym, ids, score, offset, -5.0)
    pos = 0
    for r in np.split(sym, np.flatnonzero(sym < 0) + 1)[:-1]:
        n = r.size - 1
        best = max(
            (sum(score[offset[k - 1] + ids[k - 1, pos + sum(sp[:j])]] for j, k in enumerate(sp)), sp)
            for sp in all_splits(n, K)
        )
        got = np.flatnonzero(starts[pos : pos + n]).tolist() + [n]
        got_sp = [b - a for a, b in zip(got, got[1:])]
        got_score = sum(score[offset[k - 1] + ids[k - 1, pos + sum(got_sp[:j])]] for j, k in enumerate(got_sp))
        assert got_score == pytest.approx(best[0], abs=1e-12)
        pos += r.size


# ---------------------------------------------------------------------- scores against references


def test_cohesion_matches_formula():
    _, lines = zipf_corpus(3, 200)
    lines = ["".join(ws) for ws in lines]
    passes = Passes(as_corpus(lines), 4, False, "")
    ref = ref_counts(lines, 4)
    n = sum(v for w, v in ref.items() if len(w) == 1)
    for k in (2, 3, 4):
        coh = cohesion(passes, k)
        strings = passes.strings(k, np.arange(coh.size))
        for s, value in zip(strings, coh):
            want = min(math.log(n * ref[s] / (ref[s[:j]] * ref[s[j:]])) for j in range(1, k))
            assert value == pytest.approx(want, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("restandardize", [True, False])
def test_autonomy_matches_reference(restandardize):
    _, lines = zipf_corpus(5, 150)
    lines = ["".join(ws) for ws in lines]
    L = 3
    count, h_r, h_l = ref_entropy(lines, L)
    unigrams = {x: c for x, c in count.items() if len(x) == 1}
    total = sum(unigrams.values())
    h0 = -sum(c / total * math.log(c / total) for c in unigrams.values())
    vbe = {}
    for x in count:
        if len(x) == 1:
            vbe[x] = (h_r[x] - h0, h_l[x] - h0)
        else:
            vbe[x] = (h_r[x] - h_r[x[:-1]], h_l[x] - h_l[x[1:]])
    ref = {}
    for k in range(1, L + 1):
        xs = [x for x in count if len(x) == k]
        r = np.array([vbe[x][0] for x in xs])
        l_ = np.array([vbe[x][1] for x in xs])
        z = (r - r.mean()) / r.std() + (l_ - l_.mean()) / l_.std()
        if restandardize:
            z = (z - z.mean()) / z.std()
        ref.update(zip(xs, z))
    passes = Passes(as_corpus(lines), L + 1, False, "")
    auto = autonomy(passes.index, L, restandardize=restandardize)
    for k in range(1, L + 1):
        strings = passes.strings(k, np.arange(auto[k - 1].size))
        seen = passes.levels[k - 1][0] > 0
        assert seen.sum() == sum(len(x) == k for x in ref)
        for s, a, ok in zip(strings, auto[k - 1], seen):
            if ok:
                assert a == pytest.approx(ref[tuple(s)], rel=1e-9, abs=1e-9)
            else:
                assert a == -np.inf


def test_lexicon_entropies_and_min_entropy_pmi_match_reference():
    _, lines = zipf_corpus(7, 300)
    lines = ["".join(ws) for ws in lines]
    count, h_r, h_l = ref_entropy(lines, 3)
    lex = discover(lines, method="min_entropy", min_count=3, max_n=2)
    c = ref_counts(lines, 2)
    n = sum(v for w, v in c.items() if len(w) == 1)
    n2 = sum(v for w, v in c.items() if len(w) == 2)
    checked = 0
    for w in lex.words:
        rec = lex[w]
        if len(w) <= 2:
            assert rec["right_entropy"] == pytest.approx(h_r[tuple(w)], abs=1e-5)
            assert rec["left_entropy"] == pytest.approx(h_l[tuple(w)], abs=1e-5)
        if len(w) >= 2:
            pmi = min(math.log(c[w[i : i + 2]] / n2) - math.log(c[w[i]] / n) - math.log(c[w[i + 1]] / n)
                      for i in range(len(w) - 1))
            assert rec["cohesion"] == pytest.approx(pmi, abs=1e-5)
            assert pmi > 1
            checked += 1
    assert checked > 10


def test_best_split_matches_enumeration():
    rng = random.Random(4)
    vocab = {"".join(rng.choice("甲乙丙丁") for _ in range(rng.randint(1, 3))) for _ in range(25)}
    logp = {w: -rng.uniform(1, 8) for w in vocab}
    for _ in range(40):
        word = "".join(rng.choice("甲乙丙丁") for _ in range(rng.randint(2, 6)))
        best = None
        for sp in all_splits(len(word), len(word)):
            if len(sp) < 2:
                continue
            pieces = [word[sum(sp[:j]) : sum(sp[: j + 1])] for j in range(len(sp))]
            if all(p in logp for p in pieces):
                s = sum(logp[p] for p in pieces)
                if best is None or s > best[0] + 1e-12:
                    best = (s, pieces)
        got = best_split(word, logp)
        if best is None:
            assert got is None
        else:
            assert sum(logp[p] for p in got) == pytest.approx(best[0])


# ---------------------------------------------------------------------- quality on a known lexicon
def test_synthetic_lexicon_is_recovered():
    words, lines = zipf_corpus(11, 1500)
    text = ["".join(ws) for ws in lines]
    truth = set(words)
    # segmentation: token-level F1 of nVBE against the generating words
    out = list(segment_unsupervised(text))
    tp = pred = ref = 0
    for toks, ws in zip(out, lines):
        def spans(seq):
            pos, s = 0, set()
            for w in seq:
                s.add((pos, pos + len(w)))
                pos += len(w)
            return s
        a, b = spans(toks), spans(ws)
        tp += len(a & b)
        pred += len(a)
        ref += len(b)
    f1 = 2 * tp / (pred + ref)
    assert f1 >= 0.85, f1
    for method in ("mi", "min_entropy"):
        lex = discover(text, method=method, min_count=5)
        top = lex.top(len(truth) // 2)
        precision = sum(w in truth for w in top) / len(top)
        assert precision >= 0.8, (method, precision, top)


@pytest.mark.parametrize("seed", [0, 1])
def test_matches_nlp_zero_word_finder(seed):
    import collections
    import collections.abc

    collections.Iterable = collections.abc.Iterable
    nz = pytest.importorskip("nlp_zero")
    _, lines = zipf_corpus(seed, 800)
    text = ["".join(ws) for ws in lines]
    finder = nz.Word_Finder(min_proba=1e-7, min_pmi=1)
    finder.train(text)
    finder.find(text)
    theirs = {w for w, c in finder.words.items() if c >= 2}
    ours = set(discover(text, method="min_entropy", min_count=2).words)
    assert len(ours & theirs) / len(ours | theirs) >= 0.85


# ---------------------------------------------------------------------- lossless output
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_segmentation_is_lossless_on_random_unicode(seed):
    rng = random.Random(seed)
    pool = COMMON_HANZI[:30] + "，。！ ＡＢ１２abc12·—\t\u3000😀\u00e9\U00020000"
    lines = ["".join(rng.choice(pool) for _ in range(rng.randint(0, 30))) for _ in range(200)]
    out = list(segment_unsupervised(lines))
    assert len(out) == len(lines)
    seg = learn_segmenter(lines)
    for line, toks in zip(lines, out):
        stripped = "".join(ch for ch in line if not ch.isspace())
        assert "".join(toks) == stripped
        assert all(t and not any(ch.isspace() for ch in t) for t in toks)
        assert "".join(seg.lcut(line)) == stripped


def test_ascii_stretches_are_never_cut():
    rng = random.Random(9)
    pool = ["１９９８年", "１月", "ABC", "公司", "在", "北京", "成立", "Ｗindows", "9", "x1"]
    lines = ["".join(rng.choices(pool, k=8)) for _ in range(300)]
    seg = learn_segmenter(lines)
    for line, toks in zip(lines, segment_unsupervised(lines)):
        for tokens in (toks, seg.lcut(line)):
            cuts, pos = set(), 0
            for t in tokens:
                pos += len(t)
                cuts.add(pos)
            norm = normalize(line)
            for i in range(1, len(line)):
                inside = norm[i - 1].isascii() and norm[i - 1].isalnum() and norm[i].isascii() and norm[i].isalnum()
                assert not (inside and i in cuts), (line, tokens)


# ---------------------------------------------------------------------- lexicon files
def _small_lexicon():
    _, lines = zipf_corpus(2, 300)
    return discover(["".join(ws) for ws in lines], min_count=3)


@pytest.mark.parametrize("fmt", ["tsv", "jsonl"])
def test_lexicon_round_trip(tmp_path, fmt):
    lex = _small_lexicon()
    path = tmp_path / f"lex.{fmt}"
    assert lex.save(path, format=fmt) == len(lex)
    back = Lexicon.load(path)
    assert back.words == lex.words
    assert back.counts.tolist() == lex.counts.tolist()
    np.testing.assert_allclose(back.cohesion, lex.cohesion, atol=1e-4, equal_nan=True)
    np.testing.assert_allclose(back.right_entropy, lex.right_entropy, atol=1e-4, equal_nan=True)
    assert back.is_new.tolist() == lex.is_new.tolist()
    first = path.read_text(encoding="utf-8").splitlines()[0]
    if fmt == "tsv":
        assert first.startswith("#word\tcount")
    else:
        assert json.loads(first)["word"] == lex.words[0]


def test_jieba_dictionary_round_trip(tmp_path):
    lex = _small_lexicon()
    path = tmp_path / "user.dict"
    lex.save(path, format="jieba")
    back = load_jieba_dict(path)
    assert back.to_dict() == lex.to_dict()
    (tmp_path / "tagged.dict").write_text("北京 30 ns\n大学 20\n", encoding="utf-8")
    assert Lexicon.load(tmp_path / "tagged.dict", format="jieba").to_dict() == {"北京": 30, "大学": 20}


def test_lexicon_reads_jieba_dicts_with_the_dictionary_parser(tmp_path):
    from nlpzero.dictionary import read_dictionary

    path = tmp_path / "d.txt"
    path.write_text("\ufeff北京 30 ns\n大学 20\n\n删除 0\n北京 5\n", encoding="utf-8")
    lex = Lexicon.load(path, format="jieba")
    assert lex.to_dict() == {"北京": 35, "大学": 20}          # BOM skipped, 0 = deleted, repeats add
    assert [w for w, _ in read_dictionary(path, format="jieba")] == ["北京", "大学", "删除", "北京"]
    path.write_text("北京 30\n大学\n", encoding="utf-8")  # a segmenter user dict may omit freq ...
    assert read_dictionary(path, format="jieba") == [("北京", 30.0), ("大学", None)]
    with pytest.raises(FormatError) as err:                 # ... a lexicon may not
        load_jieba_dict(path)
    assert err.value.line == 2 and str(path) in str(err.value)


@pytest.mark.parametrize("content, fmt, line", [
    ("#word\tcount\n中国\t12\n北京\tmany\n", "tsv", 3),
    ("中国\t12\n\n北京\n", "tsv", 3),
    ("中国\t0\n", "tsv", 1),
    ('{"word": "中国", "count": 3}\n{"word": "北京"}\n', "jsonl", 2),
    ("北京 3 ns\n大学 x\n", "jieba", 2),
    ("北京 3 ns extra\n", "jieba", 1),
])
def test_malformed_lexicon_line_names_file_and_line(tmp_path, content, fmt, line):
    path = tmp_path / ("bad.jsonl" if fmt == "jsonl" else "bad.txt")
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError) as err:
        Lexicon.load(path, format=fmt)
    assert err.value.line == line
    assert str(path) in str(err.value) and f"line {line}" in str(err.value)


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        Lexicon.load(tmp_path / "nope.tsv")


def test_is_new_uses_jieba_dictionary():
    pytest.importorskip("jieba")
    lex = Lexicon.from_counts({"中国": 5, "鞥鞥鞥": 3})
    assert lex["中国"]["new"] is False and lex["鞥鞥鞥"]["new"] is True


# ---------------------------------------------------------------------- bad input and defaults
def test_too_small_corpus_is_an_error():
    with pytest.raises(CorpusTooSmallError, match="too small"):
        discover(["你好"])
    with pytest.raises(CorpusTooSmallError, match="too small"):
        learn_segmenter(["，。"])
    with pytest.raises(CorpusTooSmallError, match="no word"), pytest.warns(RuntimeWarning, match="joint"):
        discover(["我们喜欢自然语言处理"] * 3, min_count=10)      # the joint model falls back to nVBE
    with pytest.raises(CorpusTooSmallError, match="no word"):
        discover(["我们喜欢自然语言处理"] * 3, method="mi", min_count=10)


@pytest.mark.parametrize("kwargs, match", [
    ({"min_count": 0}, "`min_count` must be an int ≥ 1, got 0"),
    ({"max_n": 1}, "`max_n`"),
    ({"method": "lda"}, "`method`"),
    ({"thresholds": [1.0]}, "`thresholds`"),
])
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match.replace("(", r"\(")):
        discover(["中文文本"] * 50, **kwargs)


def test_default_min_count_scales_with_size():
    assert default_min_count(1000) == 2
    assert default_min_count(1_840_000) == 4
    assert default_min_count(100_000_000) == 200


# ---------------------------------------------------------------------- whole pipelines vs references


@pytest.mark.parametrize("seed", [0, 1])
def test_mi_pipeline_matches_reference(seed):
    _, lines = zipf_corpus(seed, 250, 40)
    text = ["".join(ws) for ws in lines]
    thetas = (0.5, 1.0, 1.5)        # low bars: long pieces and the check-back get exercised
    got = discover(text, method="mi", min_count=2, max_n=4, thresholds=thetas).to_dict()
    want = ref_mi(text, 4, 2, thetas)
    assert any(len(w) > 4 for w in want)
    assert got == want


@pytest.mark.parametrize("seed", [0, 1])
def test_min_entropy_pipeline_matches_reference(seed):
    _, lines = zipf_corpus(seed + 20, 200, 40)
    text = ["".join(ws) for ws in lines]
    got = discover(text, method="min_entropy", min_count=2, max_n=3).to_dict()
    want = ref_min_entropy(text, 2, 1.0, 1e-7)
    assert got == want


# ---------------------------------------------------------------------- one text model
def _punctuated(seed, n_lines=300):
    """Zipf-corpus lines with punctuation, repeated punctuation, middle dots, ASCII and spaces."""
    rng = random.Random(seed)
    _, lines = zipf_corpus(seed, n_lines)
    seps = ["", "", "", "", "，", "。", "——", "……", "·", "・", " ", "！！", "ABC", "１９９８", "3"]
    return ["".join(w + rng.choice(seps) for w in ws) for ws in lines]


@pytest.mark.parametrize("seed,kw", [(0, {}), (1, {"penalty": 1.0}), (2, {"refine": 2}),
                                     (3, {"max_word_len": 3})])
def test_learned_segmenter_gives_exactly_segment_unsupervised(seed, kw):
    # one text model: segment_unsupervised's tokens are the learned Segmenter's, line by line,
    # whether the Segmenter gets lines one at a time, in batches, or as spans of the whole text
    # (nVBE: the joint model's perceptron is for other text, see test_joint.py)
    kw = dict(kw, method="nvbe")
    text = _punctuated(seed)
    seg = learn_segmenter(text, **kw)
    out = list(segment_unsupervised(text, **kw))
    assert len(out) == len(text)
    assert [seg.lcut(line) for line in text] == out
    assert list(seg.cut_lines(text)) == out
    lo, hi = segment_unsupervised_spans(text, **kw)
    whole = "\n".join(text)
    joined = [t for toks in out for t in toks]
    assert [whole[a:b] for a, b in zip(lo.tolist(), hi.tolist())] == joined
    for line, toks in zip(text, out):                       # lossless
        assert "".join(toks) == line.replace(" ", "")
    assert any("·" in t and len(t) > 1 for t in joined) and "——" in joined and "！！" in joined


def _run_scores_of_model(passes, model):
    """The optimum of every run under the full model (best_path over every n-gram), in order."""
    K = model.max_word_len
    want = []
    for _codes, sym, _start, _end, ids in passes.chunks():
        starts = _discover.best_path(sym, np.ascontiguousarray(ids[:K]), model.score,
                                     model.offset, model.unknown)
        s, run = 0.0, False
        for i in range(sym.size):
            if sym[i] < 0:
                if run:
                    want.append(s)
                s, run = 0.0, False
                continue
            if starts[i]:
                k = 1
                while i + k < sym.size and sym[i + k] >= 0 and not starts[i + k]:
                    k += 1
                w = ids[k - 1, i]
                s += model.score[model.offset[k - 1] + w] if w >= 0 else model.unknown
            run = True
    return want


def _run_scores_of_segmenter(seg, lines):
    """Σ score of the Segmenter's tokens in every run of ``lines`` (no middle dots), in order."""
    got = []
    for line in lines:
        s, prev_end, pos = None, None, 0
        for tok in seg.lcut(line):
            pos = line.index(tok, pos)
            if not symbols(tok):                    # punctuation
                pos += len(tok)
                continue
            if s is None or prev_end != pos:         # a new run starts
                if s is not None:
                    got.append(s)
                s = 0.0
            sc = seg.score(tok)
            s += seg.unknown_score if sc is None else sc
            pos += len(tok)
            prev_end = pos
        if s is not None:
            got.append(s)
    return got


@pytest.mark.parametrize("seed,kw", [(0, {}), (1, {"penalty": 1.0}), (2, {"refine": 2})])
def test_learned_segmenter_routes_are_optimal_for_the_model(seed, kw):
    # The tightest true statement behind the restricted dictionary: on the training text, the
    # Segmenter's route of every run scores exactly the optimum of the full model (best_path over
    # every n-gram). Routes may still differ where two routes score the same: the two DPs break
    # exact ties differently (Segmenter: longer first word; best_path: shorter last word).
    text = [line.replace("·", "").replace("・", "") for line in _punctuated(seed)]
    seg = learn_segmenter(text, method="nvbe", **kw)
    passes, model = learn_model(text, **kw)
    want = _run_scores_of_model(passes, model)
    got = _run_scores_of_segmenter(seg, text)
    assert len(got) == len(want)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)


def test_one_shot_input_is_spilled_and_gives_the_same_results():
    """A generator (or standard input) is read once into a temporary file, so the passes that
    discovery and segmentation need work on it, with the same results as on a list; the N of
    discovery's formulas is count_ngrams(collapse_ascii=True).N."""
    text = _punctuated(4, 200)
    passes = Passes(as_corpus(iter(text)), 5, False, "")
    assert passes.N == count_ngrams(text, max_n=5, collapse_ascii=True).N
    import gc
    import os

    spill_dir = os.path.dirname(passes.corpus.path)          # the passes read the temporary copy
    assert passes.corpus.reiterable and os.path.exists(spill_dir)
    assert list(segment_unsupervised(iter(text))) == list(segment_unsupervised(text))
    assert discover(iter(text), min_count=3).to_dict() == discover(text, min_count=3).to_dict()
    del passes
    gc.collect()
    assert not os.path.exists(spill_dir)                      # removed with the passes


@pytest.mark.parametrize("budget", [1 << 17, 1 << 18])
def test_a_bounded_run_equals_the_unbounded_one(budget):
    """A counting budget too small for the table makes discovery count in hash partitions
    (several exact passes); lexicon and N stay those of the unbounded run. Learning at such a
    budget reads a sample of the lines (nlpzero._sample): it is learning on that sample."""
    from reference.unsupervised import ref_learning_sample

    from nlpzero.unsupervised import learn_sample_chars

    text = _punctuated(0, 600)
    assert count_ngrams(text, max_n=5, collapse_ascii=True).nbytes > budget     # partitions forced
    sample = [x[:-1] for x in ref_learning_sample(text, learn_sample_chars(budget))]
    assert (list(segment_unsupervised(text, method="nvbe", max_memory=budget))
            == list(learn_segmenter(sample, method="nvbe").cut_lines(text)))
    assert (discover(text, method="mi", min_count=3, max_memory=budget).to_dict()
            == discover(text, method="mi", min_count=3).to_dict())
    bounded = count_ngrams(text, max_n=5, collapse_ascii=True, max_memory=budget)
    assert bounded.to_dict() == count_ngrams(text, max_n=5, collapse_ascii=True).to_dict()


def test_a_bounded_learning_run_equals_the_unbounded_one_when_the_sample_is_the_corpus():
    """A budget that partitions the counting but still holds the whole corpus as the learning
    sample (learn_sample_chars(budget) characters) changes nothing."""
    from nlpzero.unsupervised import LEARN_BYTES_PER_CHAR

    text = _punctuated(0, 60)
    budget = sum(len(x) + 1 for x in text) * LEARN_BYTES_PER_CHAR
    counts = count_ngrams(text, max_n=5, collapse_ascii=True)
    assert counts.nbytes > budget
    assert (list(segment_unsupervised(text, method="nvbe", max_memory=budget))
            == list(segment_unsupervised(text, method="nvbe")))
    assert (list(segment_unsupervised(text, method="joint", max_memory=budget))
            == list(segment_unsupervised(text, method="joint")))
