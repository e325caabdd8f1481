"""Unsupervised segmentation and word discovery on the People's Daily 1998-01 corpus (PKU).

Protocol (issue #3): learn on the raw text (the gold words joined, one sentence per line),
segment that same raw text, score word precision/recall/F1 by character spans against the gold
segmentation; lexicon precision@1000/@5000 = share of the top multi-character words that are gold
word types (single characters are left out of P@K: every character is trivially a word type).
Every configuration is measured by :mod:`benchmarks.harness`: a fresh child process per run
after one warm-up run, CPU seconds of the call (reading the file and building the token lists
included; median of ``--repeat`` runs) and the peak RSS of the child (the largest of the runs);
scoring happens in the parent. The ``cli`` row runs the real command, ``python -m nlpzero segment
PKU -o FILE -q``, in a subprocess of that child: its CPU seconds (user + sys) and peak RSS are
the subprocess's own (``getrusage(RUSAGE_CHILDREN)``: its whole lifetime, interpreter start-up
and imports included), and its F1 is scored from the file it wrote. Anchors in the same run:
nlp-zero 0.1.6 ``Word_Finder`` + ``Tokenizer`` (pure Python, slow: run once on the full corpus)
and jieba with its own dictionary (HMM off and on).

Usage::

    python -m benchmarks.bench_pku            # everything (about 4-5 minutes, nlp-zero dominates)
    python -m benchmarks.bench_pku --quick    # skip nlp-zero
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys

if not __package__:  # run as a file (python benchmarks/bench_pku.py): make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import datasets, harness

CONFIGS = {
    # name: (description)
    "nvbe": "nlpzero nVBE, defaults (segment_unsupervised)",
    "nvbe-original": "nlpzero nVBE as published (no restandardising, PMI links or ASCII rule)",
    "nvbe+refine": "nlpzero nVBE + 3 rounds unigram refinement",
    "nvbe-penalty1": "nlpzero nVBE, penalty=1 (a value picked on gold)",
    "nvbe-segmenter": "nlpzero learn_segmenter(method='nvbe') -> Segmenter.cut_lines",
    "joint": "nlpzero joint model, defaults (segment_unsupervised); lexicon = its words by count",
    "joint-segmenter": "learn_segmenter -> perceptron cut_lines (the `learn` + `segment --model` path)",
    "cli": "`python -m nlpzero segment PKU -o FILE -q` (joint default, in a subprocess; its own CPU and peak RSS)",
    "joint-1M": "joint-segmenter with the joint model's training sample capped at 1M characters",
    "joint-quarter": "joint-segmenter learned from a 1/4 sample of the lines (max_memory = 1/4 of the text "
                     "x LEARN_BYTES_PER_CHAR), as on a corpus 4x the learning cap",
    "joint-scale-sample": "joint-segmenter learned from the 50 MB scale text (PKU inside it) at the default budget: "
                          "a 5.59 M-character sample of its lines",
    "joint-scale-whole": "joint-segmenter learned from all of the 50 MB scale text (max_memory 4G: no sample)",
    "mi": "nlpzero discover(mi) -> Segmenter",
    "discover-joint": "nlpzero discover(joint): the joint model's words by description-length gain -> Segmenter",
    "discover-joint-quarter": "discover(joint) from a 1/4 sample of the lines (max_memory as joint-quarter)",
    "mi+refine": "nlpzero discover(mi) -> Segmenter + 3 rounds refinement",
    "min_entropy": "nlpzero discover(min_entropy) -> Segmenter",
    "min_entropy+refine": "nlpzero discover(min_entropy) -> Segmenter + 3 rounds refinement",
    "nlp-zero": "nlp-zero 0.1.6 Word_Finder + Tokenizer (defaults)",
    "jieba": "jieba 0.42 own dictionary, HMM off (supervised)",
    "jieba-hmm": "jieba 0.42 own dictionary, HMM on (supervised)",
}


def _refine(path, counts, rounds, min_count):
    """Unigram-LM refinement with a dictionary segmenter: segment, recount, prune, repeat."""
    from collections import Counter

    from nlpzero.segment import Segmenter

    for _ in range(rounds):
        seg = Segmenter(counts)
        with open(path, encoding="utf-8") as f:
            c = Counter(t for toks in seg.cut_lines(line.rstrip("\n") for line in f) for t in toks)
        counts = {w: n for w, n in c.items() if n >= min_count or len(w) == 1}
    return counts


def quarter_budget(path: str) -> int:
    """A max_memory whose learning cap (nlpzero.unsupervised.learn_sample_chars) is a quarter of the
    file's characters: learning reads an evenly spread sample of a quarter of the lines."""
    from nlpzero.unsupervised import LEARN_BYTES_PER_CHAR

    with open(path, encoding="utf-8") as f:
        chars = len(f.read())
    return chars // 4 * LEARN_BYTES_PER_CHAR


def run_cli(path: str) -> dict:
    """``python -m nlpzero segment PATH -o FILE -q`` in a subprocess (this checkout's package):
    the tokens of the file it wrote, and its CPU seconds (user + sys) and peak RSS (MB) from
    ``getrusage(RUSAGE_CHILDREN)`` around it."""
    import resource
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench_pku-") as tmp:
        out = os.path.join(tmp, "pku.seg.txt")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, "-m", "nlpzero", "segment", path, "-o", out, "-q"], check=True,
                       cwd=harness.ROOT)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        with open(out, encoding="utf-8") as f:
            lines = [[t for t in line.rstrip("\n").split(" ") if t] for line in f]
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"lines": lines, "lexicon": None, "cpu": cpu, "peak_mb": after.ru_maxrss * 1024 / harness.MB}


def run_one(name: str, path: str) -> dict:
    """Learn + segment (the measured call); returns tokens per line and the lexicon."""
    lexicon = None
    if name == "cli":
        return run_cli(path)
    if name.startswith("nvbe"):
        from nlpzero.unsupervised import learn_segmenter, segment_unsupervised

        if name == "nvbe-original":
            import functools

            from nlpzero import discovery, nvbe

            discovery.nvbe_scores = functools.partial(nvbe.nvbe_scores, restandardize=False, link=False,
                                                      one_ascii=False)
            lines = list(segment_unsupervised(path, method="nvbe"))
        elif name == "nvbe-segmenter":
            seg = learn_segmenter(path, method="nvbe")
            with open(path, encoding="utf-8") as f:
                lines = list(seg.cut_lines(line.rstrip("\n") for line in f))
        else:
            kw = {"refine": 3} if name == "nvbe+refine" else {"penalty": 1.0} if name == "nvbe-penalty1" else {}
            lines = list(segment_unsupervised(path, method="nvbe", **kw))
    elif name.startswith("joint"):
        from collections import Counter

        from nlpzero.unsupervised import learn_segmenter, segment_unsupervised

        if name == "joint-1M":
            # the sample cap of a budget that holds 1M characters (max_memory / JOINT_BYTES_PER_CHAR),
            # at the default budget so the n-gram counting runs as usual
            from nlpzero import joint
            from nlpzero.ngrams import DEFAULT_MAX_MEMORY

            joint.JOINT_BYTES_PER_CHAR = -(-DEFAULT_MAX_MEMORY // 1_000_000)
            seg = learn_segmenter(path, method="joint")
            assert seg.learned["sample_characters"] <= 1_000_000 < seg.learned["characters"]
            with open(path, encoding="utf-8") as f:
                lines = list(seg.cut_lines(line.rstrip("\n") for line in f))
        elif name.startswith("joint-scale"):
            # the effect of the learning sample on a corpus past the cap: learn on the scale text
            from benchmarks import scaletext

            big = str(scaletext.scale_text_path(50_000_000))
            kw = {"max_memory": 4 << 30} if name == "joint-scale-whole" else {}
            seg = learn_segmenter(big, method="joint", **kw)
            assert ("sampled_lines" in seg.learned) == (name == "joint-scale-sample")
            with open(path, encoding="utf-8") as f:
                lines = list(seg.cut_lines(line.rstrip("\n") for line in f))
        elif name in ("joint-segmenter", "joint-quarter"):
            kw = {"max_memory": quarter_budget(path)} if name == "joint-quarter" else {}
            seg = learn_segmenter(path, method="joint", **kw)
            assert ("sampled_lines" in seg.learned) == (name == "joint-quarter")
            with open(path, encoding="utf-8") as f:
                lines = list(seg.cut_lines(line.rstrip("\n") for line in f))
        else:
            lines = list(segment_unsupervised(path, method="joint"))
            counts = Counter(t for toks in lines for t in toks if len(t) > 1 and t.isalnum())
            lexicon = [w for w, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))][:5000]
    elif name.startswith(("mi", "min_entropy", "discover-")):
        from nlpzero.discovery import default_min_count, discover
        from nlpzero.segment import Segmenter

        method = name.split("+")[0].removeprefix("discover-").removesuffix("-quarter")
        kw = {"max_memory": quarter_budget(path)} if name.endswith("-quarter") else {}
        lex = discover(path, method=method, **kw)
        lexicon = [w for w in lex.words if len(w) > 1][:5000]
        counts = lex.to_dict()
        if name.endswith("+refine"):
            counts = _refine(path, counts, 3, default_min_count(1_840_000))
        seg = Segmenter(counts)
        with open(path, encoding="utf-8") as f:
            lines = list(seg.cut_lines(line.rstrip("\n") for line in f))
    elif name == "nlp-zero":
        import collections
        import collections.abc

        collections.Iterable = collections.abc.Iterable
        import logging

        logging.disable(logging.CRITICAL)
        from nlp_zero import Word_Finder

        with open(path, encoding="utf-8") as f:
            texts = [line.rstrip("\n") for line in f]
        finder = Word_Finder()
        finder.train(texts)
        finder.find(texts)
        lexicon = [w for w, _ in sorted(finder.words.items(), key=lambda x: (-x[1], x[0])) if len(w) > 1][:5000]
        tok = finder.export_tokenizer()
        lines = [[t for t in tok.tokenize(s) if not t.isspace()] for s in texts]
    else:
        import jieba

        jieba.setLogLevel(60)
        jieba.initialize()
        hmm = name == "jieba-hmm"
        with open(path, encoding="utf-8") as f:
            lines = [[t for t in jieba.lcut(line.rstrip("\n"), HMM=hmm) if not t.isspace()] for line in f]
    return {"lines": lines, "lexicon": lexicon}


def score(result: dict, gold) -> dict:
    # offsets by line: (line number, start, end)
    pred, ref = set(), set()
    for i, toks in enumerate(result["lines"]):
        pos = 0
        for t in toks:
            pred.add((i, pos, pos + len(t)))
            pos += len(t)
    for i, toks in enumerate(gold):
        pos = 0
        for t in toks:
            ref.add((i, pos, pos + len(t)))
            pos += len(t)
    tp = len(pred & ref)
    p, r = tp / len(pred), tp / len(ref)
    out = {"P": p, "R": r, "F1": 2 * p * r / (p + r)}
    if result["lexicon"]:
        # over multi-character entries only: a single character is trivially a word type; gold
        # types normalised as the lexicon is (the gold's full-width １９９８年 is 1998年 there)
        from nlpzero.corpus import normalize

        types = {normalize(w) for s in gold for w in s}
        for n in (100, 1000, 5000):
            top = [w for w in result["lexicon"] if len(w) > 1][:n]
            out[f"P@{n}"] = sum(w in types for w in top) / len(top)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="skip nlp-zero (minutes of pure Python)")
    ap.add_argument("--only", nargs="*", help="run only these configurations")
    ap.add_argument("--repeat", type=int, default=3,
                    help="fresh-process runs per configuration; the median CPU time is reported "
                         "(nlp-zero, ~10 s a run, runs once)")
    args = ap.parse_args()
    path = str(datasets.pku_raw_path())
    gold = datasets.pku_gold()
    # the joint-scale rows learn from 50 MB (minutes each): only when asked for with --only
    names = args.only or [n for n in CONFIGS
                          if not (args.quick and n == "nlp-zero") and not n.startswith("joint-scale")]
    rows = {}
    for name in names:
        slow = name == "nlp-zero"
        m = harness.measure(run_one, name, path, repeat=1 if slow else max(1, args.repeat), warmups=0 if slow else 1)
        if not m.ok:
            print(f"{name}: failed: {m.error}", file=sys.stderr)
            continue
        if len(gold) != len(m.result["lines"]):
            raise SystemExit(f"{name}: {len(m.result['lines'])} lines, gold has {len(gold)}")
        cpu, peak_mb = m.cpu, m.peak_mb
        own = [run.result for run in m.runs if run.error is None and "cpu" in run.result]
        if own:                                   # the subprocess's own figures (the cli row)
            cpu, peak_mb = statistics.median(x["cpu"] for x in own), max(x["peak_mb"] for x in own)
        r = rows[name] = {"cpu": cpu, "peak_mb": peak_mb, **score(m.result, gold)}
        print(f"  {name:<20} F1 {r['F1']:.3f}  cpu {r['cpu']:.2f}s  peak {r['peak_mb']:.0f} MB", file=sys.stderr)
    print(f"PKU 1998-01 raw text ({os.path.getsize(path) / 1e6:.1f} MB), learn + segment the same text; "
          f"CPU s = median of {args.repeat} fresh processes (nlp-zero: 1), peak = their maximum\n")
    print("| configuration | P | R | F1 | lexicon P@100 (multi-char) | P@1000 | P@5000 | CPU s | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        ps = " | ".join(f"{r[f'P@{n}']:.3f}" if f"P@{n}" in r else "–" for n in (100, 1000, 5000))
        print(f"| {CONFIGS[name]} | {r['P']:.3f} | {r['R']:.3f} | {r['F1']:.3f} | {ps} | "
              f"{r['cpu']:.2f} | {r['peak_mb']:.0f} |")
    if "nvbe" in rows and "nlp-zero" in rows:
        print(f"\nspeed-up of nlpzero nVBE over nlp-zero (CPU time): "
              f"{harness.ratio(rows['nlp-zero']['cpu'], rows['nvbe']['cpu']):.1f}x")


if __name__ == "__main__":
    main()
