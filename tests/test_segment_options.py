"""Segmenter options around the dictionary search: jieba's cuts (hmm, cut_mode), forced and
symbol words, the traditional view; on the API, the batch path and the CLI."""
import io
import pickle
from pathlib import Path

import pytest

from nlpzero.errors import FormatError
from nlpzero.segment import Segmenter

jieba = pytest.importorskip("jieba")
jieba.setLogLevel(60)

REVIEWS = (Path(__file__).resolve().parents[1] / "nlpzero" / "data" / "reviews.txt").read_text(
    encoding="utf-8").split("\n")[:400]
EDGE = ["", "  ", "a\r\nb", "iPhone12 售价 7999 元，贵 3.5%", "C++ 和 C# 是语言", "１２月３１日，ＡＢＣ公司",
        "他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所", "xyz 卡拉OK T恤", "工信处女干事每月经过下属科室"]

JIEBA_CUTS = {
    (True, "accurate"): lambda s: jieba.lcut(s),
    (False, "search"): lambda s: jieba.lcut_for_search(s, HMM=False),
    (True, "search"): lambda s: jieba.lcut_for_search(s),
    (False, "full"): lambda s: jieba.lcut(s, cut_all=True),
}


def _expected(f, lines):
    return [[w for w in f(s) if w.strip()] for s in lines]


@pytest.fixture(scope="module")
def jieba_segs():
    return {key: Segmenter("jieba", hmm=key[0], cut_mode=key[1]) for key in JIEBA_CUTS}


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(JIEBA_CUTS))
def test_jieba_cuts_match_jieba(jieba_segs, key):
    seg = jieba_segs[key]
    lines = REVIEWS + EDGE
    expected = _expected(JIEBA_CUTS[key], lines)
    assert list(seg.cut_lines(lines)) == expected
    assert [seg.lcut(s) for s in lines] == expected
    assert [[s[a:b] for a, b in seg.spans(s).tolist()] for s in lines] == expected
    out = io.BytesIO()
    from nlpzero.batch import segment_file

    one_line = [i for i, s in enumerate(lines) if "\n" not in s]       # a file line has no "\n"
    segment_file([lines[i] for i in one_line], out, segmenter=seg, jobs=1, delimiter="|")
    assert out.getvalue().decode("utf-8") == "".join("|".join(expected[i]) + "\n" for i in one_line)
    again = pickle.loads(pickle.dumps(seg))
    assert again.lcut(lines[3]) == expected[3]


@pytest.mark.slow
def test_jieba_cuts_on_workers(tmp_path, monkeypatch, jieba_segs):
    from nlpzero import batch

    monkeypatch.setattr(batch, "SMALL_INPUT_BYTES", 0)
    monkeypatch.setattr(batch, "FIRST_CHUNK_CHARS", 64)
    src = tmp_path / "in.txt"
    src.write_text("\n".join(REVIEWS) + "\n", encoding="utf-8")
    seg = jieba_segs[(True, "accurate")]
    out = tmp_path / "out.txt"
    batch.segment_file(str(src), str(out), segmenter=seg, jobs=2)
    assert out.read_text(encoding="utf-8") == "".join(
        " ".join(t) + "\n" for t in _expected(JIEBA_CUTS[(True, "accurate")], REVIEWS))


def test_jieba_cut_options_need_jieba_mode():
    with pytest.raises(ValueError, match="mode='jieba'"):
        Segmenter({"北京": 3}, hmm=True)
    with pytest.raises(ValueError, match="cut_mode"):
        Segmenter("jieba", cut_mode="fast")


# ---------------------------------------------------------------------- forced and symbol words
LEX = {"超市": 50, "南": 5, "门店": 40, "南门": 3, "开业": 20, "认证": 30, "的": 100, "个": 50, "店": 5,
       "门": 5, "机构": 10}


def test_forced_word_stays_whole():
    seg = Segmenter(LEX)
    assert seg.lcut("超市南门店开业") == ["超市", "南", "门店", "开业"]
    seg.add_word("南门", force=True)
    assert seg.lcut("超市南门店开业") == ["超市", "南门", "店", "开业"]
    assert seg.lcut("南门南门") == ["南门", "南门"]
    seg.del_word("南门")
    assert seg.lcut("超市南门店开业") == ["超市", "南", "门店", "开业"]


def test_overlapping_forced_words_leftmost_then_longest():
    seg = Segmenter(LEX)
    seg.add_word("门店", force=True)
    seg.add_word("南门", force=True)
    assert seg.lcut("超市南门店") == ["超市", "南门", "店"]          # leftmost wins
    seg.add_word("南门店开", force=True)
    assert seg.lcut("超市南门店开业") == ["超市", "南门店开", "业"]   # longest at one position


def test_forced_word_never_cuts_an_ascii_stretch():
    seg = Segmenter(LEX)
    seg.add_word("Edu", force=True)
    assert seg.lcut("Education Edu认证") == ["Education", "Edu", "认证"]
    assert seg.lcut("Ｅｄｕcation") == ["Ｅｄｕcation"]         # matched on the normalised view


def test_symbol_words_come_out_whole():
    seg = Segmenter(LEX)
    text = "超市开业[捂脸]，Edu Trust认证的<NUM>个"
    assert "[捂脸]" not in seg.lcut(text)
    seg.load_userdict(["[捂脸]\t3", "Edu Trust认证\t", "<NUM>\t10"])
    assert seg.lcut(text) == ["超市", "开业", "[捂脸]", "，", "Edu Trust认证", "的", "<NUM>", "个"]
    assert "".join(seg.lcut(text)) == text          # the space inside a word is kept
    again = pickle.loads(pickle.dumps(seg))
    assert again.lcut(text) == seg.lcut(text)
    out = io.BytesIO()
    from nlpzero.batch import segment_file

    segment_file([text, "", text], out, segmenter=seg, jobs=1, delimiter="|")
    line = "|".join(seg.lcut(text))
    assert out.getvalue().decode("utf-8") == f"{line}\n\n{line}\n"
    assert [seg.lcut(text)] * 2 == list(seg.cut_lines([text, text]))


def test_forced_user_dictionary_file(tmp_path):
    path = tmp_path / "force.tsv"
    path.write_text("南门\t\nEdu Trust认证\t5\n", encoding="utf-8")
    seg = Segmenter(LEX)
    seg.load_userdict(str(path), force=True)
    assert seg.lcut("超市南门店，Edu Trust认证机构") == ["超市", "南门", "店", "，", "Edu Trust认证", "机构"]


def test_bad_forced_words(tmp_path):
    seg = Segmenter(LEX)
    for bad in ["", " ", "\t "]:
        with pytest.raises(ValueError):
            seg.add_word(bad, force=True)
    with pytest.raises(ValueError, match="line break"):
        seg.add_word("南门\n店", force=True)
    with pytest.raises(ValueError, match="nlpzero"):
        Segmenter(LEX, mode="jieba").add_word("南门", force=True)
    mixed = tmp_path / "mixed.txt"
    mixed.write_text("南门 3\n[捂脸]\t3\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"mixed.txt.*line 2.*mixes"):
        seg.load_userdict(str(mixed))
    mixed.write_text("南门\t3\n门店 3\n", encoding="utf-8")
    with pytest.raises(FormatError, match=r"mixed.txt.*line 2.*mixes"):
        seg.load_userdict(str(mixed))


def test_jieba_mode_ignores_symbol_words():
    seg = Segmenter(dict(LEX), mode="jieba")
    seg.add_word("[捂脸]", 5)
    assert seg.lcut("开业[捂脸]") == ["开业", "[", "捂", "脸", "]"]


# ---------------------------------------------------------------------- traditional view
def test_traditional_view_keeps_the_original_characters():
    pytest.importorskip("opencc")
    text = "臺灣的經濟發展很快，資訊產業"
    plain = Segmenter("jieba").lcut(text)
    trad = Segmenter("jieba", traditional=True)
    tokens = trad.lcut(text)
    assert "".join(tokens) == text.replace(" ", "")
    assert len(tokens) < len(plain)
    from nlpzero.traditional import simplified_view

    simple = Segmenter("jieba").lcut(simplified_view(text))
    assert [len(t) for t in tokens] == [len(t) for t in simple]
    assert list(trad.cut_lines([text, text])) == [tokens, tokens]
    hmm = Segmenter("jieba", traditional=True, hmm=True)
    assert [len(t) for t in hmm.lcut(text)] == [len(t) for t in jieba.lcut(simplified_view(text))]
