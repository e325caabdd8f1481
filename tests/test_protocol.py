"""The segmenter protocol: both nlpzero segmenters have every method of ``SegmenterLike`` with a
compatible signature and the same contract, and a segmenter of one's own (no nlpzero base class)
works wherever a ``segmenter=`` is taken."""
from __future__ import annotations

import inspect
import io

import numpy as np
import pytest

from nlpzero import Segmenter, SegmenterLike, learn_segmenter, segment_file, word_vectors
from nlpzero._testing import SMALL_LEXICON
from nlpzero.corpus import TokenCorpus
from nlpzero.errors import ParameterTypeError
from nlpzero.joint import JointSegmenter
from nlpzero.segment import as_segmenter

LINES = ["我们喜欢自然语言处理。"] * 30 + ["自然语言很美", "ＡＢＣ 很好！"] * 10
METHODS = [name for name, value in vars(SegmenterLike).items()
           if not name.startswith("_") and inspect.isfunction(value)]


@pytest.fixture(scope="module", params=["dictionary", "joint"])
def segmenter(request):
    if request.param == "dictionary":
        return Segmenter(SMALL_LEXICON)
    seg = learn_segmenter(LINES, method="joint")
    assert isinstance(seg, JointSegmenter)
    return seg


def test_the_protocol_names_the_shared_methods():
    assert set(METHODS) >= {"lcut", "cut", "cut_lines", "spans", "segment_bytes", "last_boundary",
                            "load_userdict", "save"}


@pytest.mark.parametrize("cls", [Segmenter, JointSegmenter])
@pytest.mark.parametrize("name", METHODS)
def test_each_segmenter_accepts_every_call_the_protocol_allows(cls, name):
    """Same parameter names and kinds in order; anything more has a default."""
    want = list(inspect.signature(getattr(SegmenterLike, name)).parameters.values())
    got = list(inspect.signature(getattr(cls, name)).parameters.values())
    for p, q in zip(want, got):
        assert (q.name, q.kind) == (p.name, p.kind), (cls.__name__, name, q, p)
        assert (q.default is inspect.Parameter.empty) == (p.default is inspect.Parameter.empty), (cls, name, q)
    assert len(got) >= len(want), (cls.__name__, name)
    assert all(q.default is not inspect.Parameter.empty or q.kind in (q.VAR_POSITIONAL, q.VAR_KEYWORD)
               for q in got[len(want):]), (cls.__name__, name)


def test_segmenters_keep_the_contract(segmenter, tmp_path):
    assert isinstance(segmenter, SegmenterLike) and as_segmenter(segmenter) is segmenter
    assert segmenter.mode in ("nlpzero", "jieba") and isinstance(segmenter.normalize, bool)
    lines = ["自然语言处理很美", "", "ＡＢＣ 很好！ 我们"]
    text = "\n".join(lines)
    for line in lines:
        tokens = segmenter.lcut(line)
        assert "".join(tokens) == "".join(line.split()) and all(t.strip() == t and t for t in tokens)
        assert list(segmenter.cut(line)) == tokens
        spans = segmenter.spans(line)
        assert spans.shape == (len(tokens), 2) and np.issubdtype(spans.dtype, np.integer)
        assert [line[a:b] for a, b in spans.tolist()] == tokens
    assert list(segmenter.cut_lines(lines)) == [segmenter.lcut(line) for line in lines]
    for bad in ("one text", ["ok", 3]):                 # one str is not lines; items must be str
        with pytest.raises(ParameterTypeError):
            list(segmenter.cut_lines(bad))
    data, mid = segmenter.segment_bytes(text, "/")
    assert data.decode("utf-8").split("\n") == ["/".join(segmenter.lcut(line)) for line in lines] and mid
    assert -1 <= segmenter.last_boundary(text) < len(text)
    segmenter.save(tmp_path / "model.nlpz")
    from nlpzero import load_model

    again = load_model(tmp_path / "model.nlpz")
    assert type(again) is type(segmenter) and list(again.cut_lines(lines)) == list(segmenter.cut_lines(lines))


class CharSegmenter:
    """A segmenter of one's own: every non-space character a token (no nlpzero base class)."""

    mode = "nlpzero"
    normalize = False

    def lcut(self, text: str) -> list[str]:
        return [c for c in text if not c.isspace()]

    def cut(self, text: str):
        yield from self.lcut(text)

    def cut_lines(self, lines):
        return (self.lcut(line) for line in lines)

    def spans(self, text: str) -> np.ndarray:
        return np.array([(i, i + 1) for i, c in enumerate(text) if not c.isspace()], dtype=np.int64).reshape(-1, 2)

    def segment_bytes(self, text: str, delimiter: str = " ", mid_line: bool = False) -> tuple[bytes, bool]:
        lines = [self.lcut(line) for line in text.split("\n")]
        parts = [delimiter.join(tokens) for tokens in lines]
        if mid_line and lines[0]:
            parts[0] = delimiter + parts[0]
        return "\n".join(parts).encode("utf-8"), bool(lines[-1]) or (mid_line and len(lines) == 1)

    def last_boundary(self, text: str) -> int:
        return len(text) - 1

    def load_userdict(self, source, *, force: bool = False) -> None:
        raise TypeError("no dictionary")

    def save(self, path) -> None:
        raise TypeError("not saved")


def test_a_segmenter_of_ones_own_is_taken_wherever_a_segmenter_is():
    seg = CharSegmenter()
    assert isinstance(seg, SegmenterLike) and as_segmenter(seg) is seg
    out = io.BytesIO()
    assert segment_file(["今天 天气", "不错"], out, segmenter=seg).lines == 2
    assert out.getvalue().decode() == "今 天 天 气\n不 错\n"
    assert list(TokenCorpus(["今天", "好"], segmenter=seg)) == [["今", "天"], ["好"]]
    vectors = word_vectors(["我喜欢猫", "我喜欢狗"] * 10, dim=2, min_count=1, segmenter=seg)
    assert set(vectors.words) == set("我喜欢猫狗")


def test_a_dictionary_is_not_a_segmenter():
    assert not isinstance(SMALL_LEXICON, SegmenterLike) and not isinstance("jieba", SegmenterLike)
    assert isinstance(as_segmenter(SMALL_LEXICON), Segmenter)
