"""Benchmark: ``nlpzero.jieba`` as a drop-in for jieba 0.42.1 — parity and speed.

Parity: the share of lines where ``nlpzero.jieba`` returns exactly jieba's list (whitespace
tokens included), on the People's Daily 1998-01 raw text (one line per gold sentence, tags
stripped) plus the bundled reviews, for ``lcut`` (HMM on), ``lcut(HMM=False)``,
``lcut(cut_all=True)`` and ``lcut_for_search``; then again after the same dictionary edits
(``suggest_freq(..., tune=True)``, ``add_word``, ``del_word``) made to both. Every differing
line is classified by the kind of its first difference and a few are printed.

Speed, per core, through :mod:`benchmarks.harness` (fresh child processes, warm-up, medians):
CPU seconds of ``nlpzero.jieba.lcut`` (HMM on) and of ``jieba.lcut`` over the same lines, one
call per line (nlpzero: median of 3 runs; jieba: one run), and the other modes likewise. File
speed on the ~100 MB concatenation: ``segment_file(..., Segmenter("jieba", hmm=True), jobs=1)``
(CPU seconds of the call, median of 3) and the whole ``nlpzero segment BIG --dict jieba --hmm
--jobs 1`` command (its lifetime: start-up and dictionary load included), plus ``--jobs`` = all
cores.

    python -m benchmarks.bench_jieba               # ~8 minutes; run it alone on the machine
    python -m benchmarks.bench_jieba --no-file     # parity and lcut only
"""
from __future__ import annotations

import argparse
import collections
import os
import sys

if not __package__:  # run as a file (python benchmarks/bench_jieba.py): make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import datasets, harness

REVIEWS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nlpzero", "data", "reviews.txt")

MODES = {
    "lcut": lambda t, s: t.lcut(s),
    "lcut(HMM=False)": lambda t, s: t.lcut(s, HMM=False),
    "lcut(cut_all=True)": lambda t, s: t.lcut(s, cut_all=True),
    "lcut_for_search": lambda t, s: t.lcut_for_search(s),
}


def lines_of_corpus() -> list:
    with open(datasets.pku_raw_path(), encoding="utf-8") as f:
        pku = f.read().split("\n")
    if pku and pku[-1] == "":
        pku.pop()
    with open(REVIEWS, encoding="utf-8") as f:
        reviews = f.read().split("\n")
    return pku + reviews


def edit(tok) -> None:
    """The same edits, made to either tokenizer."""
    tok.suggest_freq(("中", "将"), True)
    tok.suggest_freq("台中", True)
    tok.suggest_freq(("今天", "天气"), True)
    tok.suggest_freq("江泽民", True)
    tok.add_word("创新办", 3, "i")
    tok.add_word("云计算", 5)
    tok.add_word("南门")
    tok.add_word("石墨烯")
    tok.add_word("国务院总理", 2000)
    tok.del_word("长江大桥")
    tok.del_word("中国人民")
    tok.add_word("北京", 5)


def kind(ours: list, theirs: list) -> str:
    """What the first difference is about."""
    i = 0
    while i < min(len(ours), len(theirs)) and ours[i] == theirs[i]:
        i += 1
    a = ours[i] if i < len(ours) else ""
    b = theirs[i] if i < len(theirs) else ""
    piece = a + b
    if not piece.strip():
        return "whitespace token"
    if any(c.isascii() and c.isalnum() for c in piece):
        return "ASCII letters/digits"
    if all("\u4e00" <= c <= "\u9fd5" for c in piece):
        return "han characters"
    return "other characters"


def parity(lines: list, ours, theirs, label: str) -> None:
    for mode, f in MODES.items():
        diffs = []
        for s in lines:
            a, b = f(ours, s), f(theirs, s)
            if a != b:
                diffs.append((s, a, b))
        same = len(lines) - len(diffs)
        print(f"parity {label:>12} {mode:<20} {same}/{len(lines)} = {100 * same / len(lines):.3f}%")
        kinds = collections.Counter(kind(a, b) for _, a, b in diffs)
        for k, n in kinds.most_common():
            print(f"    {n} lines differ first at: {k}")
        for s, a, b in diffs[:3]:
            print(f"    line {s[:60]!r}\n      nlpzero {a[:12]}\n      jieba   {b[:12]}")


KWARGS = {"lcut(HMM=False)": {"HMM": False}, "lcut(cut_all=True)": {"cut_all": True}}


def init(module: str) -> None:
    """Load the dictionary and the HMM (untimed, in the child)."""
    import importlib
    import logging

    jb = importlib.import_module(module)
    if hasattr(jb, "setLogLevel"):
        jb.setLogLevel(logging.WARNING)
    jb.initialize()
    jb.lcut("预热一下他来到了网易杭研大厦")
    jb.lcut_for_search("预热一下")


def cut_every_line(module: str, mode: str, lines: list) -> int:
    """The timed call: one jieba-style call per line, as users make them."""
    import importlib

    jb = importlib.import_module(module)
    f = jb.lcut_for_search if mode == "lcut_for_search" else jb.lcut
    kw = KWARGS.get(mode, {})
    n = 0
    for s in lines:
        n += len(f(s, **kw))
    return n


def speed(lines: list) -> None:
    nbytes = sum(len(s.encode("utf-8")) + 1 for s in lines)
    data = harness.Call(lines_of_corpus)
    for mode in MODES:
        ours = harness.measure(cut_every_line, "nlpzero.jieba", mode, data, repeat=3,
                               warmup=harness.Call(init, "nlpzero.jieba"))
        theirs = harness.measure(cut_every_line, "jieba", mode, data, repeat=1, warmups=0,
                                 warmup=harness.Call(init, "jieba"))
        print(f"speed {mode:<20} nlpzero {nbytes / 1e6 / ours.cpu:6.2f} MB/s, jieba {nbytes / 1e6 / theirs.cpu:5.2f} "
              f"MB/s per CPU second: {theirs.cpu / ours.cpu:.1f}x (CPU s {ours.cpu:.2f} vs {theirs.cpu:.2f})")


def segment_big(path: str, jobs: int) -> int:
    from nlpzero import Segmenter, batch

    with open(os.devnull, "wb") as out:
        return batch.segment_file(path, out, segmenter=Segmenter("jieba", hmm=True), jobs=jobs).bytes_in


def file_speed() -> None:
    big = str(datasets.pku_raw_big_path(100))
    size = os.path.getsize(big) / 1e6
    cores = len(os.sched_getaffinity(0))
    call = harness.measure(segment_big, big, 1, repeat=3, warmup=harness.Call(init, "nlpzero.jieba"))
    print(f"segment_file(Segmenter('jieba', hmm=True), jobs=1) on {size:.0f} MB: {size / call.cpu:.1f} MB/s "
          f"per CPU second ({call.cpu:.2f} CPU-s, {call.wall:.2f} s wall)")
    for jobs in sorted({1, cores}):
        cmd = [sys.executable, "-m", "nlpzero", "segment", big, "--dict", "jieba", "--hmm", "-q",
               "--jobs", str(jobs), "-o", os.devnull]
        run = harness.measure_command(cmd, repeat=3)
        print(f"nlpzero segment --dict jieba --hmm --jobs {jobs} on {size:.0f} MB: {size / run.wall:.1f} MB/s "
              f"wall-clock, {size / run.cpu:.1f} MB/s per CPU second (whole command: {run.wall:.2f} s, "
              f"{run.cpu:.2f} CPU-s)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-file", action="store_true", help="skip the 100 MB segment run")
    ap.add_argument("--no-parity", action="store_true")
    args = ap.parse_args()

    import logging

    import jieba

    import nlpzero.jieba as nj

    jieba.setLogLevel(logging.WARNING)
    lines = lines_of_corpus()
    print(f"{len(lines)} lines (PKU 1998-01 raw + reviews), jieba {jieba.__version__}")
    if not args.no_parity:
        parity(lines, nj.Tokenizer(), jieba.Tokenizer(), "as shipped")
        ours, theirs = nj.Tokenizer(), jieba.Tokenizer()
        edit(ours)
        edit(theirs)
        parity(lines, ours, theirs, "after edits")
    speed(lines)
    if not args.no_file:
        file_speed()


if __name__ == "__main__":
    main()
