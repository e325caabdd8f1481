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

Word precision/recall/F1 by character spans per line. Every (protocol, method, seed) runs in a
fresh child process: CPU time (``time.process_time``, reading included) and peak memory
(``ru_maxrss``, taken before the gold data is read) are its own. The joint model runs with 3
seeds (the order ICM visits the runs); the table gives min and max. nVBE has no seed.

A change is adopted only if it helps on the PKU checks and on MSR without hurting the reviews
check; nothing is tuned on the gold segmentations.

Usage::

    flock /work/bench.lock python benchmarks/bench_quality.py [--sighan DIR] [--only pku msr ...]

``--sighan`` is the folder with ``pku_test_gold.utf8`` and ``msr_test_gold.utf8`` (default
``../shared/data/sighan2005`` next to the repository); its rows are skipped with a message when
the folder is absent.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, ROOT)

REVIEWS = os.path.join(ROOT, "nlpzero", "data", "reviews.txt")
DEFAULT_SIGHAN = os.path.join(os.path.dirname(ROOT), "shared", "data", "sighan2005")
if not os.path.isdir(DEFAULT_SIGHAN):
    DEFAULT_SIGHAN = "/work/shared/data/sighan2005"

PROTOCOLS = {
    "pku": "PKU 1998-01, learn + segment the raw text",
    "pku-held": "PKU held out: learn even lines, segment odd",
    "sighan-pku": "SIGHAN-2005 PKU test (learn 1998-01 + test raw)",
    "sighan-msr": "SIGHAN-2005 MSR test (learn test raw alone)",
    "reviews": "reviews vs jieba (silver)",
}
METHODS = ("nvbe", "joint")
SEEDS = (0, 1, 2)


def read_gold(path):
    """Gold words per non-empty line of a space-separated file."""
    with open(path, encoding="utf-8") as f:
        return [line.split() for line in f if line.strip()]


def reviews():
    with open(REVIEWS, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip()]


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


def run_child(protocol: str, method: str, seed: int, sighan: str) -> dict:
    from _data import pku_gold, pku_raw_path

    from nlpzero.discovery import learn_segmenter, segment_unsupervised

    t0 = time.process_time()
    if protocol == "pku":
        lines = list(segment_unsupervised(str(pku_raw_path()), method=method, seed=seed))
    elif protocol == "pku-held":
        with open(pku_raw_path(), encoding="utf-8") as f:
            raw = [line.rstrip("\n") for line in f]
        seg = learn_segmenter(raw[0::2], method=method, seed=seed)
        lines = list(seg.cut_lines(raw[1::2]))
    elif protocol == "sighan-pku":
        with open(pku_raw_path(), encoding="utf-8") as f:
            raw = [line.rstrip("\n") for line in f]
        test = ["".join(ws) for ws in read_gold(os.path.join(sighan, "pku_test_gold.utf8"))]
        lines = list(segment_unsupervised(raw + test, method=method, seed=seed))[len(raw):]
    elif protocol == "sighan-msr":
        test = ["".join(ws) for ws in read_gold(os.path.join(sighan, "msr_test_gold.utf8"))]
        lines = list(segment_unsupervised(test, method=method, seed=seed))
    else:
        lines = list(segment_unsupervised(reviews(), method=method, seed=seed))
    cpu = time.process_time() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if protocol == "pku":
        gold = pku_gold()
    elif protocol == "pku-held":
        gold = pku_gold()[1::2]
    elif protocol == "sighan-pku":
        gold = read_gold(os.path.join(sighan, "pku_test_gold.utf8"))
    elif protocol == "sighan-msr":
        gold = read_gold(os.path.join(sighan, "msr_test_gold.utf8"))
    else:
        import jieba

        jieba.setLogLevel(60)
        gold = [jieba.lcut(line, HMM=False) for line in reviews()]
    return {"cpu": cpu, "peak_mb": peak, **prf(lines, gold)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sighan", default=DEFAULT_SIGHAN, help="folder of the SIGHAN-2005 test splits")
    ap.add_argument("--only", nargs="*", choices=list(PROTOCOLS), help="run only these protocols")
    ap.add_argument("--methods", nargs="*", choices=METHODS, default=list(METHODS))
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        protocol, method, seed = args.child
        print(json.dumps(run_child(protocol, method, int(seed), args.sighan)))
        return
    protocols = args.only or list(PROTOCOLS)
    have_sighan = all(os.path.exists(os.path.join(args.sighan, f))
                      for f in ("pku_test_gold.utf8", "msr_test_gold.utf8"))
    rows = []
    for protocol in protocols:
        if protocol.startswith("sighan") and not have_sighan:
            print(f"skipping {protocol}: no SIGHAN-2005 test splits in {args.sighan}", file=sys.stderr)
            continue
        for method in args.methods:
            runs = []
            for seed in (SEEDS if method == "joint" else (0,)):
                proc = subprocess.run([sys.executable, __file__, "--sighan", args.sighan, "--child",
                                       protocol, method, str(seed)], capture_output=True, text=True)
                if proc.returncode != 0:
                    print(f"{protocol} {method} seed {seed}: failed\n{proc.stderr[-2000:]}", file=sys.stderr)
                    continue
                r = json.loads(proc.stdout.strip().splitlines()[-1])
                runs.append(r)
                print(f"  {protocol:<11} {method:<6} seed {seed}: F1 {r['F1']:.4f} (P {r['P']:.4f} "
                      f"R {r['R']:.4f})  cpu {r['cpu']:.1f}s  peak {r['peak_mb']:.0f} MB",
                      file=sys.stderr, flush=True)
            if runs:
                rows.append((protocol, method, runs))
    print("| check | method | F1 (min–max over seeds) | P | R | CPU s | peak MB |")
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
