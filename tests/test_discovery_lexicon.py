"""What ``discover`` marks and ranks: new words against the user's own dictionaries (``known``),
the joint model's lexicon (``method="joint"``), words mixing ASCII letters or digits with
Chinese, and words longer than the n-gram order."""
from __future__ import annotations

import random

import pytest

from nlpzero.discovery import discover
from nlpzero.errors import FormatError, InputError, ParameterError
from nlpzero.lexicon import Lexicon, known_words

WORDS = ["自然", "语言", "处理", "我们", "喜欢", "很", "美", "的", "北京大学", "研究生"]


def _lines(words=WORDS, n=300, k=12, seed=0):
    rng = random.Random(seed)
    return ["".join(rng.choices(words, k=k)) for _ in range(n)]


# ---------------------------------------------------------------------- known words
def test_known_files_mark_words_not_new(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("研究生\n北京大学 3 nt\n", encoding="utf-8")        # word per line, jieba syntax
    tsv = tmp_path / "more.tsv"
    tsv.write_text("#word\tcount\n喜欢\t7\n", encoding="utf-8")          # nlpzero TSV
    lines = _lines()
    plain = discover(lines, method="min_entropy", min_count=5, known_jieba=False)
    assert set(plain.new_words()) == set(plain.words)                     # nothing known at all
    lex = discover(lines, method="min_entropy", min_count=5, known=[mine, str(tsv)], known_jieba=False)
    assert lex.words == plain.words
    assert set(lex.words) - set(lex.new_words()) == {"研究生", "北京大学", "喜欢"}
    one = discover(lines, method="min_entropy", min_count=5, known=mine, known_jieba=False)
    assert set(one.words) - set(one.new_words()) == {"研究生", "北京大学"}


def test_known_adds_to_jieba_by_default(tmp_path):
    pytest.importorskip("jieba")
    lines = _lines()
    base = discover(lines, method="min_entropy", min_count=5)
    assert "研究生" not in base.new_words() and "北京大学" not in base.new_words()  # jieba knows them
    assert base.new_words() == []
    mine = tmp_path / "mine.txt"
    mine.write_text("自然\n", encoding="utf-8")
    lex = discover(lines, method="min_entropy", min_count=5, known=mine)
    assert lex.new_words() == []
    only = discover(lines, method="min_entropy", min_count=5, known=mine, known_jieba=False)
    assert "自然" not in only.new_words() and "研究生" in only.new_words()


def test_known_words_are_normalised_like_the_corpus(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_text("ＡＢ\n", encoding="utf-8")                          # full-width
    assert known_words(mine, known_jieba=False) == {"AB"}
    assert known_words(mine, known_jieba=False, normalize=False) == {"ＡＢ"}


def test_malformed_known_file_names_file_and_line(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_text("研究生\n北京 x y z\n", encoding="utf-8")
    with pytest.raises(FormatError) as err:
        discover(_lines(), min_count=5, known=bad)
    assert err.value.line == 2 and f"{bad}, line 2" in str(err.value)
    mixed = tmp_path / "mixed.txt"
    mixed.write_text("研究生\t3\n北京 3\n", encoding="utf-8")
    with pytest.raises(FormatError, match="line 2"):
        known_words(mixed)
    with pytest.raises(InputError, match="no such dictionary file"):
        discover(_lines(), min_count=5, known=tmp_path / "nope.txt")
    with pytest.raises(ParameterError, match="known"):
        discover(_lines(), min_count=5, known=42)
    with pytest.raises(ParameterError, match="known_jieba"):
        discover(_lines(), min_count=5, known_jieba="no")


def test_from_counts_known_set():
    lex = Lexicon.from_counts({"甲乙": 3, "丙丁": 2}, known=frozenset({"丙丁"}))
    assert lex.new_words() == ["甲乙"]


# ---------------------------------------------------------------------- the joint model's lexicon
def _zipf_text(seed=1, n_lines=500):
    from nlpzero._testing import zipf_corpus

    words, lines = zipf_corpus(seed, n_lines)
    return words, ["".join(ws) + ("。" if i % 3 else "，再") for i, ws in enumerate(lines)]


def test_joint_lexicon_is_the_joint_segmentation_ranked_by_dl_gain():
    from reference.discovery import ref_dl_gains

    from nlpzero.unsupervised import segment_unsupervised

    _, text = _zipf_text()
    tokens = [t for line in segment_unsupervised(text, method="joint", seed=2) for t in line
              if t not in "。，"]
    lex = discover(text, method="joint", min_count=3, seed=2)
    from collections import Counter

    n = Counter(tokens)
    assert lex.to_dict() == {w: c for w, c in n.items() if c >= 3}
    gains = ref_dl_gains(tokens, 4)
    multi = [w for w in lex.words if len(w) > 1]
    singles = [w for w in lex.words if len(w) == 1]
    assert lex.words == tuple(multi + singles)                   # multi-character words first
    assert all(gains[a] >= gains[b] - 1e-6 * max(1.0, abs(gains[b])) for a, b in zip(multi, multi[1:]))
    assert [n[w] for w in singles] == sorted((n[w] for w in singles), reverse=True)
    assert lex.method == "joint"


def test_joint_lexicon_finds_the_planted_words():
    words, text = _zipf_text(seed=3, n_lines=800)
    lex = discover(text, method="joint", min_count=3)
    planted = {w for w in words if len(w) > 1}
    top = [w for w in lex.words if len(w) > 1][: len(planted) // 2]
    assert sum(w in planted for w in top) >= 0.9 * len(top)


def test_joint_lexicon_is_seeded_and_marks_new_words(tmp_path):
    _, text = _zipf_text()
    a = discover(text, method="joint", min_count=3, seed=5)
    assert a.words == discover(text, method="joint", min_count=3, seed=5).words
    mine = tmp_path / "mine.txt"
    mine.write_text(a.words[0] + "\n", encoding="utf-8")
    b = discover(text, method="joint", min_count=3, seed=5, known=mine, known_jieba=False)
    assert b.words == a.words and b.new_words() == list(a.words[1:])


# ---------------------------------------------------------------------- words with ASCII letters or digits
MIXED = ["K线图", "58同城", "T恤", "O2O", "A股"]


def _mixed_lines(n=600, seed=0):
    """Planted words with ASCII stretches among Chinese words (never two stretches in a row:
    they would be one stretch), and a random number + 年 per line (no number recurs often)."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        line = []
        for _ in range(10):
            w = rng.choice(WORDS) if rng.random() < 0.8 else rng.choice(MIXED)
            if line and line[-1][-1].isascii() and w[0].isascii():
                w = rng.choice(WORDS)
            line.append(w)
        out.append("".join(line) + "，" + str(rng.randint(1, 5000)) + "年")
    return out


@pytest.mark.parametrize("method", ["mi", "min_entropy", "joint"])
def test_words_mixing_ascii_and_chinese_are_kept(method):
    from reference.discovery import literal_symbols, ref_literal_cohesion

    lines = _mixed_lines()
    lex = discover(lines, method=method, min_count=5)
    with_ascii = {w for w in lex.words if any(ch.isascii() for ch in w)}
    assert set(MIXED) <= with_ascii
    assert not any(w.endswith("年") for w in with_ascii)            # no number recurs: no N年 word
    assert with_ascii <= set(MIXED) | {"K线图了", "T恤了"} or method == "min_entropy"
    if method == "mi":
        assert with_ascii == set(MIXED)                             # collocations fail the literal bar
        for w in with_ascii - {"O2O"}:
            assert lex[w]["cohesion"] == pytest.approx(ref_literal_cohesion(lines, w), abs=1e-4)
            assert lex[w]["cohesion"] >= 2 * len(literal_symbols(w)) - 3
    full = discover([s.replace("K", "Ｋ") for s in lines], method=method, min_count=5)
    assert "K线图" in full                                          # normalised like the statistics


def test_mixed_words_in_the_joint_lexicon_rank_by_literal_gain():
    from reference.discovery import literal_symbols, ref_dl_gains

    from nlpzero.unsupervised import segment_unsupervised

    lines = _mixed_lines(seed=4)
    tokens = [t for line in segment_unsupervised(lines, method="joint") for t in line if t not in "，"]
    lex = discover(lines, method="joint", min_count=5)
    gains = ref_dl_gains(tokens, 4)
    multi = [w for w in lex.words if len(literal_symbols(w)) > 1]
    assert {w for w in multi if not w.isascii()} >= set(MIXED) - {"O2O"}
    assert all(gains[a] >= gains[b] - 1e-6 * max(1.0, abs(gains[b])) for a, b in zip(multi, multi[1:]))
    assert lex.words.index("O2O") > lex.words.index(multi[-1])      # one symbol: with the characters


def test_a_number_alone_is_no_word_but_a_latin_stretch_is():
    lines = _mixed_lines()
    lex = discover(lines + ["这是，2012，iPad。"] * 30, method="mi", min_count=5)
    assert "iPad" in lex and "2012" not in lex


@pytest.mark.parametrize("method", ["mi", "joint"])
def test_a_number_any_number_would_do_for_is_no_word(method):
    """N岁, N本书, ... with every number 1-9 alike: each N岁 is seen often, but any number sticks
    to 岁 as well as 3 does (class cohesion ≈ 0), so no N岁 is a word; 58同城's 58 is bound."""
    rng = random.Random(1)
    def age_or_count():
        words = "".join(rng.choices(WORDS, k=3))
        return words + str(rng.randint(1, 9)) + rng.choice(["岁", "本书", "个月", "天"]) + words[::-1]

    lines = _mixed_lines() + [age_or_count() for _ in range(3000)]
    lex = discover(lines, method=method, min_count=5)
    assert not [w for w in lex.words if w.endswith("岁")]
    assert "58同城" in lex and "T恤" in lex


def test_joint_lexicon_of_a_sampled_corpus():
    """A budget too small for the joint model's training text gives it an evenly spread sample of
    the runs (see joint_sample_chars); the lexicon is that sample's words, with its counts."""
    from nlpzero.joint import joint_sample_chars

    words, text = _zipf_text(seed=3, n_lines=800)
    budget = 1 << 18
    assert sum(map(len, text)) > joint_sample_chars(budget)
    full = discover(text, method="joint", min_count=3)
    sampled = discover(text, method="joint", min_count=3, max_memory=budget)
    assert all(sampled.count(w) <= full.count(w) for w in sampled.words)
    assert sampled.counts.sum() < full.counts.sum()
    planted = {w for w in words if len(w) > 1}
    top = [w for w in sampled.words if len(w) > 1][:20]
    assert sum(w in planted for w in top) >= 18
