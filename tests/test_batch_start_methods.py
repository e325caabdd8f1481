"""Batch jobs under every process start method available here (fork, spawn, forkserver): the
same output, Ctrl-C still clean, no worker left behind (the signal tests of the command, under
each method, are in test_cli.py)."""
import multiprocessing
import os

import pytest

from nlpzero import batch
from nlpzero.segment import Segmenter

LEX = {"今天": 10, "天气": 8, "不错": 5, "北京": 6, "大学": 6, "北京大学": 4, "学生": 5, "大学生": 3}
METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]
pytestmark = pytest.mark.slow                 # worker processes
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def small_pool(monkeypatch):
    monkeypatch.setattr(batch, "SMALL_INPUT_BYTES", 0)
    monkeypatch.setattr(batch, "FIRST_CHUNK_CHARS", 64)
    return batch


def _lines(n):
    words = list(LEX) + ["，", "x", "1998", " "]
    return ["".join(words[(i * 7 + j * 3) % len(words)] for j in range(i % 23 + 1)) for i in range(n)]


@pytest.mark.parametrize("method", METHODS)
def test_same_output_under_every_start_method(tmp_path, small_pool, method):
    from nlpzero.corpus import Corpus

    lines = _lines(3000)
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seg = Segmenter(LEX)
    seg.add_word("[捂脸]")                      # a symbol word: must travel to the workers too
    out = tmp_path / "out.txt"
    res = small_pool.segment_file(Corpus(str(src), chunk_bytes=4096), str(out), segmenter=seg, jobs=2,
                                  start_method=method)
    assert res.jobs == 2
    assert out.read_text(encoding="utf-8") == "".join(" ".join(t) + "\n" for t in seg.cut_lines(lines))
    assert multiprocessing.active_children() == []


@pytest.mark.parametrize("method", METHODS)
def test_interrupt_under_every_start_method(tmp_path, small_pool, method):
    def lines():
        for i in range(20000):
            if i == 15000:
                raise KeyboardInterrupt
            yield "今天天气不错" * 3

    with pytest.raises(KeyboardInterrupt):
        small_pool.segment_file(lines(), str(tmp_path / "out.txt"), segmenter=Segmenter(LEX), jobs=2,
                                start_method=method)
    assert os.listdir(tmp_path) == []
    assert multiprocessing.active_children() == []


def test_unavailable_start_method():
    with pytest.raises(ValueError, match="not available"):
        batch.segment_file(["今天"], None, segmenter=Segmenter(LEX), start_method="teleport")
