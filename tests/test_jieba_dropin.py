"""nlpzero.jieba against the real jieba 0.42.1 (the slow pure-Python reference): identical lists
for every mode, on PKU 1998-01 lines, the bundled reviews and jieba-style edge cases, also
after dictionary edits made to both."""
import io
import os
import threading
from pathlib import Path

import pytest

jieba = pytest.importorskip("jieba")
jieba.setLogLevel(60)

import nlpzero.jieba as nj
from nlpzero.errors import FormatError, InputError

PKU = Path(os.environ.get("NLPZERO_BENCH_CACHE", Path.home() / ".cache" / "nlpzero-bench")) / "199801.txt"
REVIEWS = Path(__file__).resolve().parents[1] / "nlpzero" / "data" / "reviews.txt"

EDGE = [
    "", " ", "  ", "\t", "\n", "\r\n", "a\r\nb", "\r\r\n\n", "\u3000", "你好\u3000世界",
    "我来到北京清华大学", "他来到了网易杭研大厦", "小明硕士毕业于中国科学院计算所，后在日本京都大学深造",
    "iPhone12 Pro Max 售价 7999 元，比 iPhone 11 贵 3.5%", "C++ 和 C# 是 .NET 之外的语言",
    "Python3.11 的 f-string 很好用", "abc def_ghi jkl-mno", "100% 纯棉 T恤 卡拉OK 3.14159",
    "１２月３１日，ＡＢＣ公司", "「引号」『书名号』《红楼梦》——破折号……省略号",
    "English only sentence, with punctuation!", "12345 67890", "a1b2c3.4d5%",
    "混合ｍｉｘｅｄ全角和半角　空格", "𠀀𠀁 扩展B区 字符", "日本語のテキストも混ざる", "한국어 텍스트",
    "工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作",
    "结婚的和尚未结婚的", "南京市长江大桥", "吴国忠臣伍子胥", "永和服装饰品有限公司",
    "1.2.3.4 版本号 v2.0.1-beta", "++--##&&__%%..", "x", "中", "\x00\x01控制字符\x7f",
    "emoji 😀 表情 👍🏻", "   前后空白   ", "line1\nline2\nline3", "tab\tseparated\tfields",
]


def _pku_lines(step):
    if not PKU.exists():
        pytest.skip(f"PKU corpus not cached at {PKU} (python benchmarks/bench_segment.py fetches it)")
    out = []
    with open(PKU, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % step:
                continue
            words = [tok.rsplit("/", 1)[0].lstrip("[") for tok in line.split()]
            raw = "".join(words)
            if raw:
                out.append(raw)
    return out


def _reviews():
    return REVIEWS.read_text(encoding="utf-8").split("\n")


MODES = {
    "hmm": lambda t, s: t.lcut(s),
    "no_hmm": lambda t, s: t.lcut(s, HMM=False),
    "full": lambda t, s: t.lcut(s, cut_all=True),
    "full_no_hmm": lambda t, s: t.lcut(s, cut_all=True, HMM=False),
    "search": lambda t, s: t.lcut_for_search(s),
    "search_no_hmm": lambda t, s: t.lcut_for_search(s, HMM=False),
    "tokenize": lambda t, s: list(t.tokenize(s)),
    "tokenize_search": lambda t, s: list(t.tokenize(s, mode="search")),
    "tokenize_no_hmm": lambda t, s: list(t.tokenize(s, HMM=False)),
}


def _diffs(ours, theirs, lines, mode):
    f = MODES[mode]
    pairs = ((s, f(ours, s), f(theirs, s)) for s in lines)
    return [p for p in pairs if p[1] != p[2]]


@pytest.fixture(scope="module")
def pair():
    return nj.Tokenizer(), jieba.Tokenizer()


@pytest.mark.parametrize("mode", sorted(MODES))
def test_edge_cases(pair, mode):
    assert _diffs(*pair, EDGE, mode) == []


@pytest.mark.slow
@pytest.mark.parametrize("mode", sorted(MODES))
def test_reviews(pair, mode):
    assert _diffs(*pair, _reviews(), mode) == []


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["hmm", "no_hmm", "full", "search"])
def test_pku_lines(pair, mode):
    assert _diffs(*pair, _pku_lines(25), mode) == []


def test_module_level_api_matches():
    for s in EDGE[:20]:
        assert nj.lcut(s) == jieba.lcut(s)
        assert list(nj.cut(s, cut_all=True)) == list(jieba.cut(s, cut_all=True))
        assert list(nj.cut_for_search(s)) == list(jieba.cut_for_search(s))
        assert list(nj.tokenize(s, mode="search")) == list(jieba.tokenize(s, mode="search"))
    assert nj.get_FREQ("北京") == jieba.get_FREQ("北京")
    assert nj.get_FREQ("不存在的词语啊", "x") == "x"
    assert isinstance(nj.dt, nj.Tokenizer) and nj.DEFAULT_DICT is None
    assert nj.user_word_tag_tab is nj.dt.user_word_tag_tab


def test_bytes_input(pair):
    ours, theirs = pair
    for s in ["我来到北京清华大学".encode(), "我来到北京清华大学".encode("gbk"), b"abc \xff"]:
        assert ours.lcut(s) == theirs.lcut(s)
        assert ours.lcut_for_search(s) == theirs.lcut_for_search(s)


def test_bad_sentences(pair):
    ours = pair[0]
    with pytest.raises(TypeError):
        ours.lcut(123)
    with pytest.raises(ValueError, match="unicode"):
        list(ours.tokenize(b"bytes"))


def test_freq_view(pair):
    ours, theirs = pair
    theirs.check_initialized()
    ours.check_initialized()
    for w in ["北京", "北", "清华大", "清华大学", "zzzz", "", "的"]:
        assert ours.FREQ.get(w) == theirs.FREQ.get(w), w
        assert (w in ours.FREQ) == (w in theirs.FREQ), w
    assert ours.total == theirs.total
    assert len(ours.FREQ) == len(theirs.FREQ)
    assert ours.get_DAG("我来到北京清华大学") == theirs.get_DAG("我来到北京清华大学")
    r1, r2 = {}, {}
    ours.calc("北京清华大学", ours.get_DAG("北京清华大学"), r1)
    theirs.calc("北京清华大学", theirs.get_DAG("北京清华大学"), r2)
    assert r1 == r2


EDIT_LINES = [
    "如果放到post中将出错。", "我们中出了一个叛徒", "台中正确应该不会被切开", "「台中」正确应该不会被切开",
    "今天天气不错", "超市南门店开业了", "这是一个伸手不见五指的黑夜。我叫孙悟空，我爱北京，我爱Python和C++。",
    "李小福是创新办主任也是云计算方面的专家", "江州市长江大桥参加了长江大桥的通车仪式", "微信和支付宝",
]


def _edit(tok):
    tok.suggest_freq(("中", "将"), True)
    tok.suggest_freq("台中", True)
    tok.suggest_freq(("今天", "天气"), True)
    tok.add_word("创新办", 3, "i")
    tok.add_word("云计算", 5)
    tok.add_word("南门")
    tok.add_word("江大桥", 20000)
    tok.add_word("石墨烯")
    tok.del_word("自定义词")
    tok.del_word("长江大桥")
    tok.add_word("北京", 5)      # lower an existing word (jieba does not subtract the old freq)
    tok.load_userdict(io.BytesIO("凱特琳 2 nz\n八一双鹿\nedu trust认证 2000\n\ufeff台中 3\n".encode("utf-8")))


@pytest.mark.slow
def test_after_edits():
    ours, theirs = nj.Tokenizer(), jieba.Tokenizer()
    _edit(ours)
    _edit(theirs)
    assert ours.total == theirs.total
    assert ours.user_word_tag_tab == theirs.user_word_tag_tab
    lines = EDIT_LINES + EDGE + _reviews()[:300]
    for mode in MODES:
        assert _diffs(ours, theirs, lines, mode) == [], mode
    for w in ["创新办", "长江大桥", "北京", "台中", "凱特琳", "八一双鹿", "edu"]:
        assert ours.FREQ.get(w) == theirs.FREQ.get(w), w
    assert ours.suggest_freq("南门店") == theirs.suggest_freq("南门店")
    assert ours.suggest_freq(("南门", "店")) == theirs.suggest_freq(("南门", "店"))


@pytest.mark.slow
def test_after_edits_pku():
    ours, theirs = nj.Tokenizer(), jieba.Tokenizer()
    _edit(ours)
    _edit(theirs)
    lines = _pku_lines(50)
    for mode in ["hmm", "no_hmm", "full", "search"]:
        assert _diffs(ours, theirs, lines, mode) == [], mode


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_custom_main_dictionary(tmp_path):
    # 'y' and 'yz' make jieba's full mode glue 'x' and 'w', which are not adjacent ("xw"):
    # the kernel hands such a block to the Python fallback
    path = _write(tmp_path, "d.txt", "y 5\nyz 5\n北京 10\n大学 8\n北京大学 3\n学 0\n北京 12\n")
    ours, theirs = nj.Tokenizer(path), jieba.Tokenizer(path)
    theirs.tmp_dir = str(tmp_path)
    for s in ["xyzw", "北京大学生 xyzw", "xyzwxyzw", "yzyz", "北京大学"]:
        for mode in MODES:
            assert MODES[mode](ours, s) == MODES[mode](theirs, s), (s, mode)
    assert ours.total == theirs.total == 43
    assert ours.FREQ.get("学") == theirs.FREQ.get("学") == 0


def test_set_dictionary(tmp_path):
    path = _write(tmp_path, "d.txt", "北京 10\n大学 8\n")
    tok = nj.Tokenizer()
    tok.set_dictionary(path)
    assert tok.lcut("北京大学", HMM=False) == ["北京", "大学"]
    with pytest.raises(InputError, match="no such dictionary"):
        tok.set_dictionary(str(tmp_path / "missing.txt"))


def test_bad_dictionaries(tmp_path):
    bad = _write(tmp_path, "bad.txt", "北京 10\n大学\n")
    with pytest.raises(FormatError, match=r"bad\.txt.*2"):
        nj.Tokenizer(bad).initialize()
    with pytest.raises(InputError):
        nj.Tokenizer(str(tmp_path / "missing.txt")).initialize()
    tok = nj.Tokenizer(_write(tmp_path, "ok.txt", "北京 10\n"))
    user = tmp_path / "user.txt"
    user.write_bytes("好 3\n".encode() + b"\xff\xfe\n")
    with pytest.raises(FormatError, match=r"user\.txt.*2"):
        tok.load_userdict(str(user))
    with pytest.raises(InputError):
        tok.load_userdict(str(tmp_path / "nope.txt"))
    with pytest.raises(ValueError):
        tok.add_word("")
    with pytest.raises(ValueError):
        tok.add_word("好", -1)


def test_hmm_tables_come_from_jieba():
    from jieba.finalseg.prob_emit import P as emit
    from jieba.finalseg.prob_trans import P as trans

    _, tr, em = nj.hmm_tables()
    assert tr[0, 1] == trans["B"]["E"] and tr[0, 0] == -3.14e100
    assert em[3, ord("的") - 0x4E00] == emit["S"]["的"]


@pytest.mark.slow
def test_threads_share_the_default_tokenizer():
    lines = _reviews()[:200]
    ours = nj.Tokenizer()
    expected = [ours.lcut(s) for s in lines]
    errors = []

    def reader():
        try:
            for _ in range(3):
                got = [ours.lcut(s) for s in lines]
                if got != expected:
                    errors.append("changed")
        except Exception as exc:     # pragma: no cover - reported below
            errors.append(repr(exc))

    def writer():
        for i in range(300):          # words no review contains: the output must not change
            ours.add_word(f"测试词{i}号zz", 10)

    threads = [threading.Thread(target=reader) for _ in range(3)] + [threading.Thread(target=writer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert ours.FREQ.get("测试词299号zz") == 10
