"""Dictionary segmentation: the compiled Viterbi against a slow dict-DAG reference
and against jieba itself; dictionaries, caching, files, CLI and bad input."""
import json
import math
import os
import random

import numpy as np
import pytest
from reference.segment import ref_nlpzero

from nlpzero._testing import SMALL_LEXICON as LEX
from nlpzero.segment import Segmenter

# ---------------------------------------------------------------------- slow references


def random_text(rng, n, alphabet="今天气不错北京大学生中国人TOK恤卡拉abc１２，。 　\t·・——"):
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
    seg = Segmenter.from_scores(scores, unknown_score=unk)
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
    from nlpzero.jieba.interop import jieba_tokenizer

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


# ---------------------------------------------------------------------- jieba's own dictionary
SENTENCES = [
    "迈向充满希望的新世纪——一九九八年新年讲话（附图片１张）",
    "１２月３１日，中共中央总书记、国家主席江泽民发表１９９８年新年讲话。",
    "我来到北京清华大学，他说iPhone 15 Pro的价格是7999元！",
    "T恤和B超，AT&T与c#，3.5%的增长-率；Ａ股",
    "工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作",
    "𠀀中文\u9FD6字\u3400 \x00 end",
]


@pytest.fixture(scope="module")
def jieba_pair(tmp_path_factory):
    jieba = pytest.importorskip("jieba")
    import logging

    jieba.setLogLevel(logging.WARNING)
    old = os.environ.get("NLPZERO_CACHE")
    os.environ["NLPZERO_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    tok = jieba.Tokenizer()
    tok.initialize()
    yield tok, Segmenter("jieba")
    if old is None:
        os.environ.pop("NLPZERO_CACHE", None)
    else:
        os.environ["NLPZERO_CACHE"] = old


@pytest.mark.slow
def test_jieba_dictionary_parity(jieba_pair):
    tok, seg = jieba_pair
    rng = random.Random(7)
    chars = "".join(sorted(set("".join(SENTENCES))))
    texts = SENTENCES + ["".join(rng.choice(chars) for _ in range(rng.randint(1, 40))) for _ in range(300)]
    for text in texts:
        assert seg.lcut(text) == [w for w in tok.lcut(text, HMM=False) if w.strip()], text


@pytest.mark.slow
def test_jieba_cache_is_written_and_versioned(jieba_pair):
    """Loading jieba's dictionary leaves one cache file of the current layout (that a cached
    file is not parsed again is tested on a small dictionary below)."""
    from nlpzero import _trie_cache

    _, seg = jieba_pair
    caches = [f for f in os.listdir(_trie_cache.cache_dir())
              if f.startswith(f"trie-v{_trie_cache.CACHE_VERSION}-")]
    assert len(caches) == 1
    again = Segmenter("jieba")
    assert len(again) == len(seg) and again.total == seg.total
    assert again.lcut(SENTENCES[2]) == seg.lcut(SENTENCES[2])


# ---------------------------------------------------------------------- dictionaries
def test_read_dictionary_formats(tmp_path):
    from nlpzero.dictionary import read_dictionary

    tsv = tmp_path / "lex.tsv"
    tsv.write_text("#word\tcount\tcohesion\n今天\t10\t3.2\n天气\t8\t1.0\n", encoding="utf-8")
    assert read_dictionary(tsv) == [("今天", 10.0), ("天气", 8.0)]
    jb = tmp_path / "user.txt"
    jb.write_text("\ufeff云计算 5 n\n创新办 3\n\n韩玉赏鉴\n台中 nr\n", encoding="utf-8")
    assert read_dictionary(jb) == [("云计算", 5.0), ("创新办", 3.0), ("韩玉赏鉴", None), ("台中", None)]


@pytest.mark.parametrize("content,line", [
    ("今天\t10\n天气\tmany\n", 2),
    ("今天 10 n\n天气 -3 n\n", 2),
    ("今天 10 n x y\n", 1),
    ("今天\t10\n\t5\n", 2),
])
def test_malformed_dictionary_names_file_and_line(tmp_path, content, line):
    from nlpzero.errors import FormatError

    path = tmp_path / "bad.dict"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError) as info:
        Segmenter(str(path))
    assert info.value.line == line and str(path) in str(info.value) and f"line {line}" in str(info.value)


def test_dictionary_cache_rebuilt_when_file_changes(tmp_path, monkeypatch):
    from nlpzero import _trie_cache

    monkeypatch.setenv("NLPZERO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(_trie_cache, "CACHE_MIN_BYTES", 0)
    path = tmp_path / "d.txt"
    path.write_text("北京 5\n大学 5\n", encoding="utf-8")
    assert Segmenter(str(path)).lcut("北京大学") == ["北京", "大学"]
    assert len(os.listdir(tmp_path / "cache")) == 1
    stamp = os.stat(path).st_mtime_ns
    path.write_text("南京 5\n中学 5\n", encoding="utf-8")              # same size, same time:
    os.utime(path, ns=(stamp, stamp))
    assert Segmenter(str(path)).lcut("北京大学") == ["北京", "大学"]     # read from the cache
    assert Segmenter(str(path)).lcut("南京中学") == ["南", "京", "中", "学"]
    path.write_text("北京 5\n大学 5\n", encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))
    path.write_text("北京 5\n大学 5\n北京大学 9\n", encoding="utf-8")
    os.utime(path, ns=(1, 10**18))
    assert Segmenter(str(path)).lcut("北京大学") == ["北京大学"]
    for name in os.listdir(tmp_path / "cache"):                          # a broken cache is rebuilt
        (tmp_path / "cache" / name).write_bytes(b"junk")
    assert Segmenter(str(path)).lcut("北京大学") == ["北京大学"]


def test_bad_dictionary_values():
    with pytest.raises(ValueError, match="count"):
        Segmenter({"a": -1})
    with pytest.raises(ValueError, match="non-empty"):
        Segmenter({"": 1})
    with pytest.raises(TypeError, match="mapping"):
        Segmenter(42)
    with pytest.raises(ValueError, match="mode"):
        Segmenter(LEX, mode="hmm")
    with pytest.raises(ValueError, match="finite"):
        Segmenter.from_scores({"a": float("nan")})


def test_kind_names_counts_or_scores_and_survives_a_model_file(tmp_path):
    from nlpzero import to_jieba_userdict
    from nlpzero.errors import ParameterError

    counts, scores = Segmenter(LEX), Segmenter.from_scores({"北京": 2.0}, unknown_score=-3.0)
    assert (counts.kind, scores.kind) == ("count", "score")
    scores.save(tmp_path / "m.nlpz")
    assert Segmenter.load(tmp_path / "m.nlpz").kind == "score"
    assert to_jieba_userdict(counts)                     # counts export to jieba, scores do not
    with pytest.raises(ParameterError, match="score segmenter"):
        to_jieba_userdict(scores)


def test_to_dict_object_and_normalised_keys():
    class Lexicon:
        def to_dict(self):
            return {"ＩＢＭ": 3, "电脑": 4}

    seg = Segmenter(Lexicon())
    assert seg.to_dict() == {"IBM": 3.0, "电脑": 4.0}
    assert "ＩＢＭ" in seg and "IBM" in seg and "电" not in seg
    assert seg.lcut("IBM电脑") == ["IBM", "电脑"]
    assert seg.score("电脑") == pytest.approx(math.log(4 / 7))


# ---------------------------------------------------------------------- editing
def test_add_and_del_word_match_reference():
    rng = random.Random(3)
    lex = dict(LEX)
    seg = Segmenter(lex)
    for _step in range(30):
        word = random_text(rng, rng.randint(1, 3), "今天气不错北京大学生")
        if rng.random() < 0.6:
            count = rng.randint(1, 20)
            seg.add_word(word, count)
            lex[word] = count
        else:
            seg.del_word(word)
            lex.pop(word, None)
        assert seg.total == pytest.approx(sum(lex.values()))
        text = random_text(rng, 20, "今天气不错北京大学生")
        assert seg.lcut(text) == ref_nlpzero(text, full_scores(seg, lex), -math.log(sum(lex.values())))
    assert seg.to_dict() == {k: float(v) for k, v in lex.items()}


def test_add_word_without_count_makes_it_win():
    seg = Segmenter(LEX)
    assert seg.lcut("今天气") == ["今天", "气"]
    seg.add_word("天气", None)             # already a word: keeps its count
    seg.add_word("今天气")                # suggested count just large enough
    assert seg.lcut("今天气") == ["今天气"]


def test_load_userdict_on_top(tmp_path):
    path = tmp_path / "user.txt"
    path.write_text("北京大学生 100\n学生 0\n", encoding="utf-8")
    seg = Segmenter(LEX, user_dicts=[str(path)])
    assert seg.lcut("北京大学生们") == ["北京大学生", "们"]
    assert "学生" not in seg


# ---------------------------------------------------------------------- jieba interop
def test_to_jieba_userdict_roundtrip(tmp_path):
    from nlpzero.dictionary import read_dictionary
    from nlpzero.jieba.interop import to_jieba_userdict

    assert to_jieba_userdict({"云计算": 5, "创新办": 2.6}) == "云计算 5\n创新办 3\n"
    path = tmp_path / "u.txt"
    assert to_jieba_userdict(Segmenter(LEX), path) == len(LEX)
    assert dict(read_dictionary(path)) == {k: float(v) for k, v in LEX.items()}
    with pytest.raises(ValueError, match="whitespace"):
        to_jieba_userdict({"a b": 1})


def test_jieba_tokenizer_with_lexicon():
    tok = _jieba_tokenizer(LEX)
    assert tok.lcut("北京大学生", HMM=False) == Segmenter(LEX, mode="jieba").lcut("北京大学生")
    pytest.importorskip("jieba")
    from nlpzero.jieba.interop import jieba_tokenizer

    tok = jieba_tokenizer({"韩玉赏鉴": 5}, base="jieba")
    assert "韩玉赏鉴" in tok.lcut("李小福是韩玉赏鉴的主任", HMM=True)


# ---------------------------------------------------------------------- files
def _corpus_lines(rng, n):
    return [random_text(rng, rng.randint(0, 60)) for _ in range(n)]


@pytest.mark.parametrize("jobs", [1, 2])
def test_segment_file_matches_cut_lines(tmp_path, small_pool, jobs):
    from nlpzero.corpus import Corpus

    rng = random.Random(jobs)
    lines = _corpus_lines(rng, 400)
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    seg = Segmenter(LEX)
    res = small_pool.segment_file(Corpus(str(src), chunk_bytes=512), str(out), segmenter=seg, jobs=jobs, delimiter="|")
    expected = "".join("|".join(toks) + "\n" for toks in seg.cut_lines(lines))
    assert out.read_text(encoding="utf-8") == expected
    assert res.lines == 400 and res.bytes_in == src.stat().st_size and res.jobs == jobs
    assert res.bytes_out == len(expected.encode("utf-8"))


@pytest.mark.parametrize("mode", ["nlpzero", "jieba"])
def test_text_cut_at_last_boundary_segments_the_same(mode):
    # long texts are cut at last_boundary: the two sides must segment exactly like the whole,
    # even when a middle dot joins words across the cut or punctuation repeats over it
    rng = random.Random(5)
    seg = Segmenter(LEX, mode=mode)
    for _ in range(300):
        text = random_text(rng, rng.randint(1, 40), "今天北京大学ab·——，。 ")
        for window in range(1, len(text) + 1):
            cut = seg.last_boundary(text[:window])
            if cut >= 0:
                assert seg.lcut(text[: cut + 1]) + seg.lcut(text[cut + 1 :]) == seg.lcut(text), (text, cut)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("kind", ["path", "gb18030", "list", "textfile"])
def test_huge_line_in_pieces(tmp_path, small_pool, monkeypatch, jobs, kind):
    from nlpzero.corpus import Corpus

    monkeypatch.setattr(small_pool, "MAX_PIECE_CHARS", 300)
    rng = random.Random(11)
    line = "".join(random_text(rng, 50) + "，" for _ in range(200))      # 10k chars, boundaries
    src = tmp_path / "in.txt"
    enc = "gb18030" if kind == "gb18030" else "utf-8"
    src.write_text("短行\n" + line + "\n尾", encoding=enc)
    out = tmp_path / "out.txt"
    seg = Segmenter(LEX)
    if kind == "list":
        source = Corpus(["短行", line, "尾"], chunk_bytes=256)
    elif kind == "textfile":
        source = Corpus(open(src, encoding=enc), chunk_bytes=256)
    else:
        source = Corpus(str(src), encoding=enc, chunk_bytes=256)
    res = small_pool.segment_file(source, str(out), segmenter=seg, jobs=jobs)
    got = out.read_text(encoding="utf-8").split("\n")
    ending = ["尾", ""] if kind == "list" else ["尾"]           # items of a list are lines
    assert got == [" ".join(seg.lcut("短行")), " ".join(seg.lcut(line))] + ending
    assert res.lines == 3


def test_nul_and_undecodable_bytes(tmp_path):
    from nlpzero.batch import segment_file
    from nlpzero.errors import DecodeError

    src = tmp_path / "in.txt"
    src.write_bytes(("今天" * 40000 + "\n").encode() + "今\x00天\n".encode())
    out = tmp_path / "out.txt"
    segment_file(str(src), str(out), segmenter=Segmenter(LEX), jobs=1)
    assert out.read_text(encoding="utf-8").split("\n")[1] == "今 \x00 天"
    bad = tmp_path / "bad.txt"
    bad.write_bytes("今天\n".encode() * 10 + b"\xff\xfe\n")
    target = tmp_path / "never.txt"
    with pytest.raises(DecodeError) as info:
        segment_file(str(bad), str(target), segmenter=Segmenter(LEX))
    assert info.value.offset == 70
    assert sorted(os.listdir(tmp_path)) == ["bad.txt", "in.txt", "out.txt"]      # no partial file


def test_output_in_missing_directory_fails_first(tmp_path):
    from nlpzero.batch import segment_file
    from nlpzero.errors import OutputError

    with pytest.raises(OutputError, match="does not exist"):
        segment_file(["今天"], str(tmp_path / "no" / "out.txt"), segmenter=Segmenter(LEX))


@pytest.mark.parametrize("jobs", [1, 2])
def test_interrupt_leaves_no_file_and_no_workers(tmp_path, small_pool, jobs):
    import multiprocessing

    def lines():
        for i in range(20000):
            if i == 15000:
                raise KeyboardInterrupt
            yield "今天天气不错" * 3

    target = tmp_path / "out.txt"
    with pytest.raises(KeyboardInterrupt):
        small_pool.segment_file(lines(), str(target), segmenter=Segmenter(LEX), jobs=jobs)
    assert os.listdir(tmp_path) == []
    assert multiprocessing.active_children() == []


# ---------------------------------------------------------------------- long texts
def test_long_text_is_cut_at_boundaries(monkeypatch):
    from nlpzero import segment as S

    rng = random.Random(5)
    text = "".join(random_text(rng, rng.randint(1, 30), "今天气不错北京大学生Tab") + "，" for _ in range(200))
    whole = Segmenter(LEX).lcut(text)
    monkeypatch.setattr(S, "BATCH_CHARS", 64)
    seg = Segmenter(LEX)
    assert seg.lcut(text) == whole and list(seg.cut(text)) == whole
    run = "今天天气" * 100                                  # one run longer than BATCH_CHARS: forced cuts
    assert "".join(seg.lcut(run)) == run


def test_dictionary_from_a_pipe_and_bad_dictionary_paths(tmp_path):
    """`--lexicon <(command)` hands over a FIFO: it must read like a file (and is not cached)."""
    import os
    import threading

    from nlpzero.errors import InputError

    fifo = tmp_path / "lex.fifo"
    os.mkfifo(fifo)
    writer = threading.Thread(target=lambda: fifo.write_text("自然语言\t9\n处理\t5\n", encoding="utf-8"))
    writer.start()
    seg = Segmenter(str(fifo))
    writer.join()
    assert seg.lcut("自然语言处理") == ["自然语言", "处理"]
    with pytest.raises(InputError, match="no such dictionary file"):
        Segmenter(str(tmp_path / "missing.tsv"))
    with pytest.raises(InputError, match="is a directory"):
        Segmenter(str(tmp_path))


# ---------------------------------------------------------------------- the trie cache is checksummed
def test_damaged_trie_cache_is_rebuilt(tmp_path, monkeypatch):
    from nlpzero import _trie_cache

    monkeypatch.setenv("NLPZERO_CACHE", str(tmp_path / "cache"))
    rng = random.Random(3)
    chars = [chr(0x4E00 + i) for i in range(400)]
    words = {"".join(rng.choices(chars, k=rng.choice((2, 3, 4)))) for _ in range(40000)}
    path = tmp_path / "big.txt"
    path.write_text("".join(f"{w} {rng.randint(1, 5000)}\n" for w in sorted(words)), encoding="utf-8")
    assert path.stat().st_size >= _trie_cache.CACHE_MIN_BYTES
    text = "".join(rng.choices(chars, k=3000))
    fresh = Segmenter(str(path))
    want = fresh.lcut(text)
    (cache,) = (tmp_path / "cache").iterdir()
    data = bytearray(cache.read_bytes())
    header = json.loads(bytes(data[12 : 12 + int.from_bytes(data[8:12], "little")]))
    dtype, n, offset = header["arrays"]["slots"]               # damage the trie's hash slots (bit rot)
    size = np.dtype(dtype).itemsize * n
    slots = np.frombuffer(bytes(data[offset : offset + size]), dtype=dtype).copy()
    slots[::2] //= 2
    data[offset : offset + size] = slots.tobytes()
    cache.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="checksum"):
        _trie_cache.load(str(cache))
    again = Segmenter(str(path))                              # the damaged cache is not used ...
    assert again.lcut(text) == want and again.total == fresh.total
    _trie_cache.load(str(cache))                              # ... and was rewritten, valid again
    cache.write_bytes(cache.read_bytes()[:6000])              # a truncated cache too
    assert Segmenter(str(path)).lcut(text) == want
