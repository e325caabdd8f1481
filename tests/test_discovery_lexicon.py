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
