"""Segmentation quality of nVBE variants under three protocols (scoring changes are adopted only
when they help all three, never picked on gold).

1. PKU full: People's Daily 1998-01, learn on the raw text and segment the same text (bench_pku).
2. PKU held-out: learn on the even lines, segment the odd lines (strings never seen in training
   are not words; unseen characters are single tokens).
3. Reviews silver: the bundled product reviews (``nlpzero/data/reviews.txt``, another genre),
   learn and segment the same text, scored against ``jieba.lcut(line, HMM=False)`` (jieba's
   dictionary segmentation: a silver standard with its own conventions, so only differences
   between rows mean anything).

Word F1 by character spans per line (whitespace tokens ignored). Quality only: speed and memory
are measured by ``benchmarks.bench_pku`` (this one runs in one process: nothing here is timed).

Usage::

    python -m benchmarks.bench_quality
"""
from __future__ import annotations

import functools
import os
import sys
import time

if not __package__:  # run as a file (python benchmarks/bench_quality.py): make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

from benchmarks import datasets

REVIEWS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "nlpzero", "data", "reviews.txt")

# name: (description, keyword arguments of nvbe_scores, max_word_len, refine rounds)
VARIANTS = {
    "original": ("nVBE of Magistry & Sagot (a = z_l + z_r, word score a·len)",
                 dict(restandardize=False, link=False, one_ascii=False), 4, 0),
    "restd": ("+ sum standardised again per length", dict(link=False, one_ascii=False), 4, 0),
    "restd+link": ("+ Σ z(PMI) of the links inside the word", dict(one_ascii=False), 4, 0),
    "default": ("+ at most one ASCII stretch per word (the default)", {}, 4, 0),
    "no-restd": ("default without the second standardisation", dict(restandardize=False), 4, 0),
    "default+refine": ("default + 3 rounds unigram refinement", {}, 4, 3),
    "default-L3": ("default with max_word_len=3 (diagnostic)", {}, 3, 0),
    "default-L5": ("default with max_word_len=5 (diagnostic)", {}, 5, 0),
}


def spans(tokens_per_line, lines) -> set:
    out = set()
    for i, (toks, line) in enumerate(zip(tokens_per_line, lines)):
        pos = 0
        for t in toks:
            if not t or t.isspace():
                continue
            j = line.index(t, pos)
            out.add((i, j, j + len(t)))
            pos = j + len(t)
    return out


def f1(pred: set, ref: set) -> float:
    tp = len(pred & ref)
    p, r = tp / len(pred), tp / len(ref)
    return 2 * p * r / (p + r)


def learn(lines, kw, max_word_len, refine):
    """A segmenter learned on ``lines`` with the given nvbe_scores variant (discovery's scoring
    function swapped for the variant while learning)."""
    from nlpzero import discovery, nvbe

    original = discovery.nvbe_scores
    discovery.nvbe_scores = functools.partial(nvbe.nvbe_scores, **kw)
    try:
        return discovery.learn_segmenter(lines, max_word_len=max_word_len, refine=refine)
    finally:
        discovery.nvbe_scores = original


def segment(segmenter, lines):
    return list(segmenter.cut_lines(lines))


def main() -> None:
    import jieba

    jieba.setLogLevel(60)
    gold = datasets.pku_gold()
    raw = ["".join(ws) for ws in gold]
    with open(REVIEWS, encoding="utf-8") as f:
        rev = [line.rstrip("\n") for line in f if line.strip()]
    silver = [jieba.lcut(line, HMM=False) for line in rev]
    refs = {"full": spans(gold, raw), "held": spans(gold[1::2], raw[1::2]), "silver": spans(silver, rev)}
    print(f"PKU 1998-01: {len(raw)} lines ({sum(map(len, raw)) / 1e6:.2f}M characters); "
          f"reviews: {len(rev)} lines ({sum(map(len, rev)) / 1e3:.0f}k characters)\n")
    print("| variant | PKU full F1 | PKU held-out F1 | reviews vs jieba F1 |")
    print("|---|---|---|---|")
    for name, (desc, kw, max_word_len, refine) in VARIANTS.items():
        t0 = time.process_time()
        row = {}
        model = learn(raw, kw, max_word_len, refine)
        row["full"] = f1(spans(segment(model, raw), raw), refs["full"])
        model = learn(raw[0::2], kw, max_word_len, refine)
        row["held"] = f1(spans(segment(model, raw[1::2]), raw[1::2]), refs["held"])
        model = learn(rev, kw, max_word_len, refine)
        row["silver"] = f1(spans(segment(model, rev), rev), refs["silver"])
        print(f"| {desc} | {row['full']:.4f} | {row['held']:.4f} | {row['silver']:.4f} |", flush=True)
        print(f"  {name}: {time.process_time() - t0:.1f} CPU-s", file=sys.stderr)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
