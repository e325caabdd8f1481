"""Benchmark: ``nlpzero.jieba`` as a drop-in for jieba 0.42.1 — parity and speed.

Parity: the share of lines where ``nlpzero.jieba`` returns exactly jieba's list (whitespace
tokens included), on the People's Daily 1998-01 raw text (one line per gold sentence, tags
stripped) plus the bundled reviews, for ``lcut`` (HMM on), ``lcut(HMM=False)``,
``lcut(cut_all=True)`` and ``lcut_for_search``; then again after the same dictionary edits
(``suggest_freq(..., tune=True)``, ``add_word``, ``del_word``) made to both. Every differing
line is classified by the kind of its first difference and a few are printed.

Speed, per core and in the same process: CPU seconds of ``nlpzero.jieba.lcut`` (HMM on) and of
``jieba.lcut`` over the same lines (nlpzero: median of 3 runs; jieba: one run), and the other
modes likewise. File speed: ``nlpzero segment BIG --dict jieba --hmm --jobs 1`` on the ~100 MB
concatenation (a fresh process; MB/s of input per CPU second, and wall-clock), plus
``--jobs`` = all cores.

    flock /work/bench.lock python benchmarks/bench_jieba.py            # ~3 minutes
    python benchmarks/bench_jieba.py --no-file                          # parity and lcut only
"""
from __future__ import annotations

import argparse
import collections
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _data  # noqa: E402

REVIEWS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nlpzero", "data", "reviews.txt")

MODES = {
    "lcut": lambda t, s: t.lcut(s),
    "lcut(HMM=False)": lambda t, s: t.lcut(s, HMM=False),
    "lcut(cut_all=True)": lambda t, s: t.lcut(s, cut_all=True),
    "lcut_for_search": lambda t, s: t.lcut_for_search(s),
}


def lines_of_corpus() -> list:
    with open(_data.pku_raw_path(), encoding="utf-8") as f:
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


def cpu(f, lines) -> float:
    t = time.process_time()
    for s in lines:
        f(s)
    return time.process_time() - t


def speed(lines: list) -> None:
    import jieba

    import nlpzero.jieba as nj

    nbytes = sum(len(s.encode("utf-8")) + 1 for s in lines)
    for mode in MODES:
        f_ours = getattr(nj, "lcut_for_search" if mode == "lcut_for_search" else "lcut")
        f_theirs = getattr(jieba, "lcut_for_search" if mode == "lcut_for_search" else "lcut")
        kw = {"lcut(HMM=False)": {"HMM": False}, "lcut(cut_all=True)": {"cut_all": True}}.get(mode, {})
        ours = statistics.median(cpu(lambda s: f_ours(s, **kw), lines) for _ in range(3))
        theirs = cpu(lambda s: f_theirs(s, **kw), lines)
        print(f"speed {mode:<20} nlpzero {nbytes / 1e6 / ours:6.2f} MB/s, jieba {nbytes / 1e6 / theirs:5.2f} "
              f"MB/s per CPU second: {theirs / ours:.1f}x")


def file_speed(jobs: int) -> None:
    big = str(_data.pku_raw_big_path(100))
    size = os.path.getsize(big)
    cmd = [sys.executable, "-m", "nlpzero", "segment", big, "--dict", "jieba", "--hmm",
           "--jobs", str(jobs), "-o", os.devnull]
    subprocess.run(cmd[:4] + [str(_data.pku_raw_path())] + cmd[5:], check=True)   # warm the cache
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    print(f"segment --dict jieba --hmm --jobs {jobs} on {size / 1e6:.0f} MB: {size / 1e6 / wall:.1f} MB/s "
          f"wall-clock, {size / 1e6 / cpu_s:.1f} MB/s per CPU second ({wall:.1f} s, {cpu_s:.1f} CPU-s)")


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
    nj.initialize()
    jieba.initialize()
    speed(lines)
    if not args.no_file:
        file_speed(1)
        file_speed(len(os.sched_getaffinity(0)))


if __name__ == "__main__":
    main()
