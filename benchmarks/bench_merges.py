"""CPU time and passes of the joint model's type-level merges alone (seed 0).

For PKU 1998-01 and for the SIGHAN-2005 MSR test text (its raw lines), the ICM's segmentation is
computed once (not timed, as ``segment_unsupervised`` computes it: nVBE, then the ICM with seed 0);
then :func:`nlpzero._joint_merge.merge_words` runs, as the joint model calls it, with the longer
pairs only (``all_pairs=False``, the bound 8) and with every pair a candidate for each bound on the
passes given. Each row: merged types, passes that merged something, CPU seconds of the call in
this process (compiled code only: nothing to warm up). ``--bounds 1000`` runs the merges to
convergence (about 50 CPU-s on PKU).

Usage::

    python -m benchmarks.bench_merges [--sighan DIR] [--bounds 8 16 ...]
"""
from __future__ import annotations

import argparse
import os
import sys
import time

if not __package__:  # run as a file: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import datasets

DEFAULT_SIGHAN = os.environ.get("NLPZERO_SIGHAN", "")


def icm_segmentation(corpus):
    """The inputs of the merges for ``corpus``, as the joint model has them after ICM (seed 0)."""
    from nlpzero import _ngram, unsupervised
    from nlpzero._joint_learn import joint_inputs
    from nlpzero.joint import refine
    from nlpzero.ngrams import DEFAULT_MAX_MEMORY

    passes, model, _ = unsupervised._learn(corpus, 4, 0.0, 0, None, "utf-8", "strict", True, False,
                                           DEFAULT_MAX_MEMORY, None, whole_again=True)
    inputs = joint_inputs(passes, model, DEFAULT_MAX_MEMORY)
    refined = refine(inputs.sym, inputs.off, inputs.starts, max_word_len=4, seed=0)
    classes = (inputs.chars == _ngram.DIGIT_SYMBOL) | (inputs.chars == _ngram.LATIN_SYMBOL)
    return inputs.sym, inputs.off, refined.starts, refined.alpha0[-1], refined.alpha1[-1], classes


def main() -> None:
    from nlpzero._joint_merge import merge_words

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sighan", default=DEFAULT_SIGHAN, help="folder of the SIGHAN-2005 test splits")
    ap.add_argument("--bounds", nargs="*", type=int, default=[8, 16], help="bounds on the passes (every pair)")
    args = ap.parse_args()
    corpora = [("PKU 1998-01", str(datasets.pku_raw_path()))]
    msr = os.path.join(args.sighan, "msr_test_gold.utf8")
    if os.path.exists(msr):
        with open(msr, encoding="utf-8") as f:
            corpora.insert(0, ("SIGHAN-2005 MSR test", ["".join(line.split()) for line in f if line.strip()]))
    else:
        print(f"skipping MSR: no {msr}", file=sys.stderr)
    print("| corpus | candidates | bound | merged types | passes | CPU s |")
    print("|---|---|---|---|---|---|")
    for name, corpus in corpora:
        sym, off, starts, a0, a1, classes = icm_segmentation(corpus)
        for all_pairs, bound in [(False, 8)] + [(True, b) for b in args.bounds]:
            t = time.process_time()
            _, merged, passes = merge_words(sym, off, starts, 4, a0, a1, max_passes=bound, char=True,
                                            classes=classes, all_pairs=all_pairs)
            cpu = time.process_time() - t
            print(f"| {name} | {'every pair' if all_pairs else 'longer pairs'} | {bound} | {merged} | {passes} | "
                  f"{cpu:.2f} |", flush=True)


if __name__ == "__main__":
    main()
