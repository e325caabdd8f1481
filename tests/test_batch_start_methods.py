"""Batch jobs under every process start method available here (fork, spawn, forkserver): the
same output, Ctrl-C and SIGTERM still clean, no worker left behind."""
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from nlpzero import batch
from nlpzero.cli import main
from nlpzero.segment import Segmenter

LEX = {"今天": 10, "天气": 8, "不错": 5, "北京": 6, "大学": 6, "北京大学": 4, "学生": 5, "大学生": 3}
METHODS = [m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]
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
    res = CliRunner().invoke(main, ["segment", "-", "--dict", "jieba", "--start-method", "teleport"], input="今天\n")
    assert res.exit_code == 2 and "Traceback" not in res.output


@pytest.mark.parametrize("method", [m for m in METHODS if m != "fork"])
@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_cli_signal_under_spawn(tmp_path, method, signame):
    sig = getattr(signal, signame)
    d = tmp_path / "d.tsv"
    d.write_text("".join(f"{w}\t{c}\n" for w, c in LEX.items()), encoding="utf-8")
    out = tmp_path / "out.txt"
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen(
        [sys.executable, "-m", "nlpzero", "segment", "-", "--dict", str(d), "-j", "2", "-q", "-o", str(out),
         "--start-method", method],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True, env=env)
    proc.stdin.write(("今天天气不错北京大学生\n" * 200000).encode())       # ~6 MB, stdin left open
    proc.stdin.flush()
    workers = []
    for _ in range(200):
        # spawned workers are children of the parent (forkserver's: of its server process)
        ps = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)], capture_output=True, text=True)
        kids = ps.stdout.split()
        grand = subprocess.run(["ps", "-o", "pid=", "--ppid", ",".join(kids) or "0"], capture_output=True,
                               text=True).stdout.split()
        workers = kids + grand
        if len(kids) + len(grand) >= 2:
            break
        time.sleep(0.05)
    assert len(workers) >= 2
    os.killpg(proc.pid, sig) if sig == signal.SIGINT else proc.send_signal(sig)
    assert proc.wait(timeout=30) == 128 + sig
    assert b"Traceback" not in proc.stderr.read()
    deadline = time.time() + 5
    while time.time() < deadline and any(os.path.exists(f"/proc/{pid}") for pid in workers):
        time.sleep(0.1)
    assert os.listdir(tmp_path) == ["d.tsv"]
    alive = [pid for pid in workers if os.path.exists(f"/proc/{pid}")
             and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"]
    assert alive == []
    proc.stdin.close()
