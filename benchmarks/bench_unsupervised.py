"""Segmentation quality of the unsupervised methods (nVBE, the joint model) under five protocols.

1. ``pku``: People's Daily 1998-01 (PKU), learn on the raw text and segment the same text.
2. ``pku-held``: learn on the even lines, segment the odd lines with the learned segmenter
   (``learn_segmenter(...).cut_lines``: for the joint model, its perceptron).
3. ``sighan-pku``: SIGHAN-2005 PKU test split, learn on the 1998-01 raw text plus the test raw
   text, segment the test text (the usual protocol of unsupervised segmenters).
4. ``sighan-msr``: SIGHAN-2005 MSR test split, learn on its raw text alone (184k characters).
5. ``reviews``: the bundled product reviews (``nlpzero/data/reviews.txt``, another genre), learn
   and segment the same text, scored against ``jieba.lcut(line, HMM=False)`` — a silver standard
   with jieba's conventions: only differences between rows mean anything.

Word precision/recall/F1 by character spans per line. Every (protocol, method, seed) is one
fresh child process of :mod:`benchmarks.harness` (after one warm-up run of the cheapest check):
CPU seconds of the call (reading the text and building the token lists included) and the peak
RSS of the child; scoring happens in the parent. The joint model runs with 3
seeds (the order ICM visits the runs); the table gives min and max. nVBE has no seed.

A change is adopted only if it helps on the PKU checks and on MSR without hurting the reviews
check; nothing is tuned on the gold segmentations.

Usage::

    python -m benchmarks.bench_unsupervised [--sighan DIR] [--only pku sighan-msr ...]
        [--methods nvbe joint joint-short]

``joint`` is the default joint model (with the type-level merges that make words longer than
``max_word_len``); ``joint-short`` is the joint model with ``long_words=False`` (the ICM's words
only); it runs only when asked for.

``--sighan`` is the folder with ``pku_test_gold.utf8`` and ``msr_test_gold.utf8`` (default:
``$NLPZERO_SIGHAN``; the data is not shipped); its rows are skipped with a message when
the folder is absent.
"""
from __future__ import annotations

import argparse
import os
import sys

if not __package__:  # run as a file: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import datasets, harness

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REVIEWS = os.path.join(ROOT, "nlpzero", "data", "reviews.txt")
DEFAULT_SIGHAN = os.environ.get("NLPZERO_SIGHAN", "")

PROTOCOLS = {
    "pku": "PKU 1998-01, learn + segment the raw text",
    "pku-held": "PKU held out: learn even lines, segment odd",
    "sighan-pku": "SIGHAN-2005 PKU test (learn 1998-01 + test raw)",
    "sighan-msr": "SIGHAN-2005 MSR test (learn test raw alone)",
    "reviews": "reviews vs jieba (silver)",
}
METHODS = ("nvbe", "joint", "joint-short")
SEEDS = (0, 1, 2)


def read_gold(path):
    """Gold words per non-empty line of a space-separated file."""
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f if line.strip()]


def reviews():
    with open(REVIEWS, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


def raw_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def spans(tokens_per_line) -> set:
    out = set()
    for i, toks in enumerate(tokens_per_line):
        pos = 0
        for t in toks:
            if not t or t.isspace():
                continue
            out.add((i, pos, pos + len(t)))
            pos += len(t)
    return out


def prf(pred_lines, gold_lines) -> dict:
    if len(pred_lines) != len(gold_lines):
        raise SystemExit(f"{len(pred_lines)} segmented lines, gold has {len(gold_lines)}")
    pred, ref = spans(pred_lines), spans(gold_lines)
    tp = len(pred & ref)
    p, r = tp / len(pred), tp / len(ref)
    return {"P": p, "R": r, "F1": 2 * p * r / (p + r)}


def segment_protocol(protocol: str, method: str, seed: int, sighan: str):
    """Learn and segment as the protocol says (runs in the measured child); token lists.
    ``joint-short``: the joint model with ``long_words=False``."""
    import functools

    from nlpzero import unsupervised

    learn_segmenter, segment_unsupervised = unsupervised.learn_segmenter, unsupervised.segment_unsupervised
    if method == "joint-short":
        method = "joint"
        learn_segmenter = functools.partial(learn_segmenter, long_words=False)
        segment_unsupervised = functools.partial(segment_unsupervised, long_words=False)

    if protocol == "pku":
        return list(segment_unsupervised(str(datasets.pku_raw_path()), method=method, seed=seed))
    if protocol == "pku-held":
        raw = raw_lines(datasets.pku_raw_path())
        seg = learn_segmenter(raw[0::2], method=method, seed=seed)
        return list(seg.cut_lines(raw[1::2]))
    if protocol == "sighan-pku":
        raw = raw_lines(datasets.pku_raw_path())
        test = ["".join(ws) for ws in read_gold(os.path.join(sighan, "pku_test_gold.utf8"))]
        return list(segment_unsupervised(raw + test, method=method, seed=seed))[len(raw):]
    if protocol == "sighan-msr":
        test = ["".join(ws) for ws in read_gold(os.path.join(sighan, "msr_test_gold.utf8"))]
        return list(segment_unsupervised(test, method=method, seed=seed))
    return list(segment_unsupervised(reviews(), method=method, seed=seed))


def gold_of(protocol: str, sighan: str):
    if protocol == "pku":
        return datasets.pku_gold()
    if protocol == "pku-held":
        return datasets.pku_gold()[1::2]
    if protocol == "sighan-pku":
        return read_gold(os.path.join(sighan, "pku_test_gold.utf8"))
    if protocol == "sighan-msr":
        return read_gold(os.path.join(sighan, "msr_test_gold.utf8"))
    import jieba

    jieba.setLogLevel(60)
    return [jieba.lcut(line, HMM=False) for line in reviews()]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sighan", default=DEFAULT_SIGHAN, help="folder of the SIGHAN-2005 test splits")
    ap.add_argument("--only", nargs="*", choices=list(PROTOCOLS), help="run only these checks")
    ap.add_argument("--methods", nargs="*", choices=METHODS, default=["nvbe", "joint"])
    args = ap.parse_args()
    protocols = args.only or list(PROTOCOLS)
    have_sighan = all(os.path.exists(os.path.join(args.sighan, f))
                      for f in ("pku_test_gold.utf8", "msr_test_gold.utf8"))
    harness.run_callable(segment_protocol, "reviews", "nvbe", 0, args.sighan)     # warm-up
    rows = []
    for protocol in protocols:
        if protocol.startswith("sighan") and not have_sighan:
            print(f"skipping {protocol}: no SIGHAN-2005 test splits in {args.sighan}", file=sys.stderr)
            continue
        gold = gold_of(protocol, args.sighan)
        for method in args.methods:
            runs = []
            for seed in (SEEDS if method != "nvbe" else (0,)):
                m = harness.measure(segment_protocol, protocol, method, seed, args.sighan, repeat=1, warmups=0)
                if not m.ok:
                    print(f"{protocol} {method} seed {seed}: failed\n{m.error}", file=sys.stderr)
                    continue
                r = dict(prf(m.runs[0].result, gold), cpu=m.cpu, peak_mb=m.peak_mb)
                runs.append(r)
                print(f"  {protocol:<11} {method:<6} seed {seed}: F1 {r['F1']:.4f} (P {r['P']:.4f} "
                      f"R {r['R']:.4f})  cpu {r['cpu']:.1f}s  peak {r['peak_mb']:.0f} MB",
                      file=sys.stderr, flush=True)
            if runs:
                rows.append((protocol, method, runs))
    print("| check | method | F1 (min–max over seeds) | P | R | CPU s (max) | peak MB |")
    print("|---|---|---|---|---|---|---|")
    for protocol, method, runs in rows:
        f1s = [r["F1"] for r in runs]
        f1 = f"{min(f1s):.4f}" if len(runs) == 1 else f"{min(f1s):.4f}–{max(f1s):.4f}"
        p = sum(r["P"] for r in runs) / len(runs)
        rr = sum(r["R"] for r in runs) / len(runs)
        cpu = max(r["cpu"] for r in runs)
        peak = max(r["peak_mb"] for r in runs)
        print(f"| {PROTOCOLS[protocol]} | {method} | {f1} | {p:.4f} | {rr:.4f} | {cpu:.1f} | {peak:.0f} |")


if __name__ == "__main__":
    main()
