"""Dictionary segmentation (SPEC §4): the compiled Viterbi against a slow dict-DAG reference
and against jieba itself; dictionaries, caching, files, CLI and bad input."""
import math
import os
import random

import pytest

from nlpzero.segment import Segmenter

# ---------------------------------------------------------------------- slow references
_EXTRA_JIEBA = set("+#&._%-")


def _ascii_alnum(ch):
    return ch.isascii() and ch.isalnum()


def _norm(ch):
    o = ord(ch)
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    if o == 0x3000:
        return " "
    return ch


def _cjk(o):
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x3FFFF or 0xF900 <= o <= 0xFAFF


def ref_nlpzero(text, scores, unk, normalize=True):
    """Obviously-correct route: enumerate every candidate piece of every run, DP by dict lookups.
    ``scores`` maps normalised words to their full score (offset included)."""
    norm = "".join(_norm(c) for c in text) if normalize else text
    out, i, n = [], 0, len(text)
    while i < n:
        c = norm[i]
        if _ascii_alnum(c) or _cjk(ord(c)):
            j = i
            while j < n and (_ascii_alnum(norm[j]) or _cjk(ord(norm[j]))):
                j += 1
            out.extend(text[a:b] for a, b in _ref_run(norm, i, j, scores, unk))
            i = j
            continue
        if not text[i].isspace() and not c.isspace():
            out.append(text[i])
        i += 1
    return out


def _ref_run(norm, s, e, scores, unk):
    def inside(p):      # True if a cut at p would split an ASCII stretch
        return s < p < e and _ascii_alnum(norm[p - 1]) and _ascii_alnum(norm[p])

    best = {e: (0.0, e)}
    for p in range(e - 1, s - 1, -1):
        if inside(p):
            continue
        unit = p + 1
        while _ascii_alnum(norm[p]) and unit < e and _ascii_alnum(norm[unit]):
            unit += 1
        cands = []
        for m in range(p + 1, e + 1):
            if inside(m):
                continue
            w = norm[p:m]
            if w in scores:
                cands.append((scores[w] + best[m][0], m))
        if norm[p:unit] not in scores:
            cands.append((unk + best[unit][0], unit))
        best[p] = max(cands)
    spans, p = [], s
    while p < e:
        spans.append((p, best[p][1]))
        p = best[p][1]
    return spans


LEX = {"今天": 10, "天气": 8, "不错": 5, "今": 1, "天": 2, "北京": 6, "北京大学": 3, "大学": 5,
       "大学生": 2, "学生": 4, "生": 1, "T恤": 2, "卡拉OK": 2, "OK": 1, "中国": 9, "国人": 2}


def random_text(rng, n, alphabet="今天气不错北京大学生中国人TOK恤卡拉abc１２，。 　\t"):
    return "".join(rng.choice(alphabet) for _ in range(n))


def full_scores(seg, lex):
    total = sum(lex.values())
    return {k: math.log(v) - math.log(total) for k, v in lex.items()}


# ---------------------------------------------------------------------- core
def test_doc_examples():
    seg = Segmenter(LEX)
    assert seg.lcut("今天天气不错！") == ["今天", "天气", "不错", "！"]
    assert seg.lcut("北京大学生") in (["北京", "大学生"], ["北京大学", "生"])
    assert seg.lcut("穿T恤唱卡拉OK") == ["穿", "T恤", "唱", "卡拉OK"]
    assert seg.lcut("ＩＢＭ 的") == ["ＩＢＭ", "的"]


@pytest.mark.parametrize("seed", range(6))
def test_matches_reference_counts(seed):
    rng = random.Random(seed)
    seg = Segmenter(LEX)
    scores = full_scores(seg, LEX)
    unk = -math.log(sum(LEX.values()))
    for _ in range(40):
        text = random_text(rng, rng.randint(0, 30))
        assert seg.lcut(text) == ref_nlpzero(text, scores, unk), text


@pytest.mark.parametrize("seed", range(4))
def test_matches_reference_scores(seed):
    rng = random.Random(100 + seed)
    words = {random_text(rng, rng.randint(1, 4), "今天气不错北京大学生Tab") for _ in range(25)}
    scores = {w: rng.uniform(-6, 3) for w in words if w.strip()}
    unk = rng.uniform(-8, 0)
    seg = Segmenter.from_scores(scores, unk)
    for _ in range(40):
        text = random_text(rng, rng.randint(0, 25), "今天气不错北京大学生Tab，")
        assert seg.lcut(text) == ref_nlpzero(text, scores, unk), text


@pytest.mark.parametrize("seed", range(3))
def test_lossless(seed):
    rng = random.Random(seed)
    seg = Segmenter(LEX)
    for _ in range(50):
        text = random_text(rng, rng.randint(0, 40)) + "\U00020000ab\x00é"
        assert "".join(seg.lcut(text)) == "".join(ch for ch in text if not ch.isspace())


def test_cut_lines_and_generator():
    seg = Segmenter(LEX)
    lines = ["今天天气不错", "", "北京 大学", "a\nb", "。"]
    assert list(seg.cut_lines(lines)) == [seg.lcut(x) for x in lines]
    assert list(seg.cut("今天天气")) == seg.lcut("今天天气")


# ---------------------------------------------------------------------- jieba parity
def _jieba_tokenizer(lex):
    jieba = pytest.importorskip("jieba")
    import logging

    jieba.setLogLevel(logging.WARNING)
    from nlpzero.segment import jieba_tokenizer

    return jieba_tokenizer(lex)


@pytest.mark.parametrize("seed", range(3))
def test_jieba_mode_matches_jieba(seed):
    rng = random.Random(seed)
    alphabet = "今天气不错北京大学生中国人ab1２.%-+，。 \u9FD6"
    lex = {random_text(rng, rng.randint(1, 4), alphabet.replace(" ", "")): rng.randint(1, 50) for _ in range(40)}
    lex = {k: v for k, v in lex.items() if not any(c.isspace() for c in k)}
    tok = _jieba_tokenizer(lex)
    seg = Segmenter(lex, mode="jieba")
    for _ in range(60):
        text = random_text(rng, rng.randint(0, 30), alphabet)
        expected = [w for w in tok.lcut(text, HMM=False) if w.strip()]
        assert seg.lcut(text) == expected, text
