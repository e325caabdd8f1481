"""Word discovery and unsupervised segmentation: kernels against slow references, recovery of a
known lexicon, lossless output, lexicon files, CLI and bad input."""
from __future__ import annotations

import json
import math
import random
from collections import Counter

import numpy as np
import pytest

from nlpzero import _discover
from nlpzero.corpus import as_corpus, normalize
from nlpzero._passes import Passes
from nlpzero.discovery import (_best_split, _cohesion, default_min_count, discover,
                               learn_segmenter, segment_unsupervised, segment_unsupervised_spans, _learn)
from nlpzero.errors import CorpusTooSmallError, FormatError, InputError
from nlpzero._testing import COMMON_HANZI, zipf_corpus
from nlpzero.jieba.interop import load_jieba_dict
from nlpzero.lexicon import Lexicon
from nlpzero.nvbe import autonomy
from reference.text_model import symbols
from reference.discovery import all_splits, ref_counts, ref_entropy, ref_mi, ref_min_entropy


def _random_text(rng, n, alphabet="天地人和中国大学生的是了", extra="，。 ABc１２\n·"):
    return "".join(rng.choice(alphabet + extra) if rng.random() < 0.25 else rng.choice(alphabet)
                   for _ in range(n))


# ---------------------------------------------------------------------- NgramIndex kernel
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_index_counts_and_links_match_counter(seed):
    rng = random.Random(seed)
    lines = [_random_text(rng, rng.randint(0, 40)) for _ in range(60)]
    text = "\n".join(lines) + "\n"
    K = 4
    idx = _discover.NgramIndex(K, True)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    sym, start, end = idx.encode(codes, True)
    ids = idx.feed(sym)
    chars = idx.chars()
    ref = Counter()
    for run in symbols(text):
        for k in range(1, K + 1):
            for i in range(len(run) - k + 1):
                ref[tuple(run[i : i + k])] += 1

    def name(s):
        return "0" if s == _discover.DIGITS else "A" if s == _discover.LATIN else chr(chars[s])

    got = Counter()
    strings = {}
    for k in range(1, K + 1):
        count, prefix, suffix = idx.level(k)
        for i in range(count.size):
            if k == 1:
                s = (name(i),)
            else:
                s = strings[k - 1, prefix[i]] + (strings[k - 1, suffix[i]][-1],)
                assert strings[k - 1, suffix[i]][:-1] == s[1:-1]
            strings[k, i] = s
            if count[i]:
                got[s] = int(count[i])
    assert got == ref
    # every position's id names the n-gram that starts there
    for k in range(1, K + 1):
        for i in np.flatnonzero(ids[k - 1] >= 0):
            assert strings[k, ids[k - 1, i]] == tuple(name(s) for s in sym[i : i + k])
    assert idx.n_symbols == sum(len(r) for r in symbols(text))


@pytest.mark.parametrize("factor", [1.0, 3.0, 40.0])
def test_reserve_changes_no_id_or_count(factor):
    """``reserve`` (the size hint of a corpus pass) only resizes tables: feeding the same chunks
    with and without it gives the same ids, counts and links."""
    rng = random.Random(7)
    chunks = ["\n".join(_random_text(rng, rng.randint(0, 40)) for _ in range(40)) + "\n" for _ in range(4)]
    out = []
    for hint in (None, factor):
        idx = _discover.NgramIndex(4, True)
        ids = []
        for i, text in enumerate(chunks):
            sym, _, _ = idx.encode(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), True)
            ids.append(idx.feed(sym))
            if i == 0 and hint is not None:
                idx.reserve(hint, limit=1 << 12)
        out.append((ids, [idx.level(k) for k in range(1, 5)]))
    (ids_a, lev_a), (ids_b, lev_b) = out
    assert all(np.array_equal(a, b) for a, b in zip(ids_a, ids_b))
    assert all(np.array_equal(x, y) for la, lb in zip(lev_a, lev_b) for x, y in zip(la, lb))


def test_encode_spans_cover_original_text():
    text = "ＡＢＣ12中文，\n１９９８年  x"
    idx = _discover.NgramIndex(2, True)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    sym, start, end = idx.encode(codes, True)
    words = [text[a:b] for s, a, b in zip(sym, start, end) if s >= 0]
    assert words == ["ＡＢＣ12", "中", "文", "１９９８", "年", "x"]
    assert sym[-1] == -1 and (sym[sym >= 0] > _discover.LATIN).sum() == 3


# ---------------------------------------------------------------------- DP against brute force


@pytest.mark.parametrize("seed", range(4))
def test_best_path_matches_enumeration(seed):
    rng = np.random.default_rng(seed)
    K = 3
    runs = [rng.integers(2, 6, size=rng.integers(1, 8)) for _ in range(5)]
    sym = np.concatenate([np.append(r, -1) for r in runs]).astype(np.int32)
    idx = _discover.NgramIndex(K, False)
    # use symbols as code points: encode a text of those characters
    text = "".join("".join(chr(0x4E00 + int(s)) for s in r) + "，" for r in runs)
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    sym, _, _ = idx.encode(codes, True)
    ids = idx.feed(sym)
    sizes = [idx.level(k)[0].size for k in range(1, K + 1)]
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
        coh = _cohesion(passes, k)
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
        got = _best_split(word, logp)
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
    gold = Counter((i, tuple(ws)) for i, ws in enumerate(lines))
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
    with pytest.raises(CorpusTooSmallError, match="no word"):
        discover(["我们喜欢自然语言处理"] * 3, min_count=10)


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
    for codes, sym, start, end, ids in passes.chunks():
        starts = _discover.best_path(sym, np.ascontiguousarray(ids[:K]), model._score,
                                     model._offset, model.unknown)
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
                s += model._score[model._offset[k - 1] + w] if w >= 0 else model.unknown
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
    seg = learn_segmenter(text, **kw)
    passes, model = _learn(text, 4, kw.get("penalty", 0.0), kw.get("refine", 0), None,
                           "utf-8", "strict", True, False)
    want = _run_scores_of_model(passes, model)
    got = _run_scores_of_segmenter(seg, text)
    assert len(got) == len(want)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9)
