"""Benchmark: traditional-script text segmented with jieba's (simplified) dictionary, with and
without ``Segmenter(traditional=True)``.

Text: every 4th line of the People's Daily 1998-01 corpus converted to traditional characters by
OpenCC's phrase-aware ``s2t`` conversion (lines whose length changes are skipped, so the gold
word boundaries carry over). Scores: word precision / recall / F1 against the PKU gold
segmentation, and the share of single-character tokens, for jieba's dictionary in jieba mode
(HMM off and on) and in nlpzero mode; the simplified original is the ceiling.

    python benchmarks/bench_traditional.py          # ~1 minute (most of it OpenCC's conversion)
"""
from __future__ import annotations

import os
import sys
import time

if not __package__:  # run as a file (python benchmarks/bench_traditional.py): make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import datasets


def spans(words):
    out, pos = set(), 0
    for w in words:
        out.add((pos, pos + len(w)))
        pos += len(w)
    return out


def score(pred, gold):
    tp = n_pred = n_gold = singles = tokens = 0
    for p, g in zip(pred, gold):
        ps, gs = spans(p), spans(g)
        tp += len(ps & gs)
        n_pred += len(ps)
        n_gold += len(gs)
        singles += sum(len(w) == 1 for w in p)
        tokens += len(p)
    prec, rec = tp / n_pred, tp / n_gold
    return prec, rec, 2 * prec * rec / (prec + rec), singles / tokens


def main() -> None:
    from opencc import OpenCC

    from nlpzero.segment import Segmenter

    cc = OpenCC("s2t")
    gold_all = datasets.pku_gold()[::4]
    t = time.perf_counter()
    simp, trad, gold = [], [], []
    for words in gold_all:
        line = "".join(words)
        conv = cc.convert(line)
        if len(conv) == len(line):
            simp.append(line)
            trad.append(conv)
            gold.append(words)
    changed = sum(a != b for s, t_ in zip(simp, trad) for a, b in zip(s, t_))
    total = sum(len(s) for s in simp)
    print(f"{len(trad)} lines ({len(gold_all) - len(trad)} skipped), {changed}/{total} characters "
          f"({100 * changed / total:.1f}%) differ in traditional script; OpenCC s2t took "
          f"{time.perf_counter() - t:.0f} s")
    print(f"{'segmenter':<52} {'text':<12} {'P':>6} {'R':>6} {'F1':>6} {'1-char':>7}")
    for label, kwargs in [("jieba dict, jieba mode (HMM off)", {}),
                          ("jieba dict, jieba mode, HMM", {"hmm": True}),
                          ("jieba dict, nlpzero mode", {"mode": "nlpzero"})]:
        rows = [("simplified", Segmenter("jieba", **kwargs), simp),
                ("traditional", Segmenter("jieba", **kwargs), trad),
                ("traditional", Segmenter("jieba", traditional=True, **kwargs), trad)]
        for i, (text, seg, lines) in enumerate(rows):
            pred = list(seg.cut_lines(lines))
            p, r, f, single = score(pred, gold)
            name = label + (" + traditional=True" if i == 2 else "")
            print(f"{name:<52} {text:<12} {p:6.3f} {r:6.3f} {f:6.3f} {100 * single:6.1f}%")


if __name__ == "__main__":
    main()
