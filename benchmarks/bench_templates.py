"""Benchmark: ``nlpzero templates`` / ``nlpzero parse`` vs nlp-zero 0.1.6 ``Template_Finder`` (issue 12).

Corpora (People's Daily 1998-01, the PKU standard; fetched by ``benchmarks.datasets``):

  gold      the gold segmentation, one sentence per line, tokens separated by spaces;
  nlpzero   the raw text segmented by nlpzero's own unsupervised segmenter
            (``nlpzero segment raw.txt``, learned from the raw text; done once, cached).

For each corpus, two protocols: learn on all lines and code all lines; learn on the even lines
(0-based) and code the odd lines (held out). Every learner runs in a fresh child process (the
command line end to end for nlpzero, a small driver script for nlp-zero), measured by
``benchmarks.harness.measure_command``: the median CPU seconds (user + system, the whole
process lifetime) of 3 fresh runs after one warm-up for nlpzero, of 1 run for nlp-zero (it takes
10-20 CPU-s), and the peak RSS. nlp-zero is given exactly the same pieces
(token stretches between punctuation, cut every 128 tokens) with ``filtering=False``, its
defaults (window 5, min_proba 1e-5, min_pmi 2) and ``remove_weak_grams=False`` (its True wipes
the stored counts and changes nothing else).

Both template sets are then scored by the same measure, ``Templates.description_length``
(baseline = lengths + ML unigrams; template code with hard EM of q, P_len, P_w; model cost
log2 3 per element + end mark, −log2 P_w per word, ½ log2 blocks per template used). Finally
``nlpzero parse`` parses every line of the gold corpus (CPU and peak memory, end to end).

Run:  python -m benchmarks.bench_templates [--json out.json]   (alone on the machine: it times CPU)
      python -m benchmarks.bench_templates --min-proba-study   (DL savings of min_proba values, no timing)
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

if not __package__:  # run as a file: make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import datasets, harness

NLPZERO_DRIVER = r"""
import collections, collections.abc, json, sys
collections.Iterable = collections.abc.Iterable      # nlp-zero 0.1.6 predates Python 3.10
from nlp_zero import Template_Finder
pieces_path, out_path = sys.argv[1], sys.argv[2]
with open(pieces_path, encoding="utf-8") as f:
    sents = [line.rstrip("\n") for line in f]
tf = Template_Finder(lambda s: s.split("\x01"), window=5, min_proba=1e-5, min_pmi=2)
tf.train(sents, filtering=False)
tf.find(sents, filtering=False, remove_weak_grams=False)
with open(out_path, "w", encoding="utf-8") as f:
    for t, c in sorted(tf.templates.items(), key=lambda x: -x[1]):
        f.write(json.dumps({"template": list(t.words), "count": c}, ensure_ascii=False) + "\n")
"""


def run_child(args, repeat=1, warmups=0):
    """Run a command in fresh processes; return (median CPU seconds, peak MB)."""
    m = harness.measure_command(args, repeat=repeat, warmups=warmups, stderr=subprocess.DEVNULL)
    if not m.ok:
        raise RuntimeError(f"{args[:4]} failed: {m.error}")
    return m.cpu, m.peak_mb


def prepare(workdir):
    """The corpora as segmented files (all / even / odd lines) and as nlp-zero piece files."""
    from nlpzero.templates._corpus import boundary_mask

    cache_dir, pku_gold, pku_raw_path = datasets.cache_dir, datasets.pku_gold, datasets.pku_raw_path

    gold_path = cache_dir() / "199801.gold.seg.txt"
    if not gold_path.exists():
        tmp = gold_path.with_suffix(".tmp")
        tmp.write_text("".join(" ".join(ws) + "\n" for ws in pku_gold()), encoding="utf-8")
        tmp.replace(gold_path)
    seg_path = cache_dir() / "199801.nlpzero.seg.txt"
    if not seg_path.exists():
        print("segmenting the raw text with nlpzero (learned, once) ...", file=sys.stderr)
        tmp = seg_path.with_suffix(".tmp")
        subprocess.run([sys.executable, "-m", "nlpzero", "segment", str(pku_raw_path()), "-o", str(tmp), "-q"],
                       check=True)
        tmp.replace(seg_path)
    out = {}
    for name, path in (("gold", gold_path), ("nlpzero", seg_path)):
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        vocab = sorted({w for line in lines for w in line.split()})
        boundary = dict(zip(vocab, boundary_mask(vocab).tolist()))
        files = {}
        for part, sel in (("all", lines), ("even", lines[0::2]), ("odd", lines[1::2])):
            seg = os.path.join(workdir, f"{name}.{part}.seg.txt")
            with open(seg, "w", encoding="utf-8") as f:
                f.write("".join(line + "\n" for line in sel))
            pieces = os.path.join(workdir, f"{name}.{part}.pieces.txt")
            with open(pieces, "w", encoding="utf-8") as f:
                for line in sel:
                    cur = []
                    for w in line.split() + ["。"]:
                        if boundary.get(w, 1):
                            while cur:
                                f.write("\x01".join(cur[:128]) + "\n")
                                cur = cur[128:]
                        else:
                            cur.append(w)
            files[part] = (seg, pieces)
        out[name] = files
    return out


def learn_ours(seg, out):
    return run_child([sys.executable, "-m", "nlpzero", "templates", seg, "--segmented", "--format", "jsonl",
                      "-o", out, "-q"], repeat=3, warmups=1)


def learn_theirs(pieces, out, driver):
    return run_child([sys.executable, driver, pieces, out])


def load_theirs(path):
    from nlpzero.templates import Templates

    elements, counts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            obj = json.loads(line)
            t = obj["template"]
            # nlp-zero's Template drops a placeholder only when it follows another one
            if any(w is not None for w in t):
                elements.append(t)
                counts.append(obj["count"])
    return Templates.from_elements(elements, counts)


def top_multiword(ts, k=12):
    out = []
    for t in ts:
        if len(t.words) >= 2:
            out.append(f"{t}({t.count})")
            if len(out) == k:
                break
    return out


def min_proba_study(data, work):
    """DL saving of a fixed min_proba (nlp-zero's 1e-5, 3e-6) against the one derived from each
    corpus, in the four settings and on the bundled reviews (another genre, segmented by the
    learned segmenter and by jieba's dictionary). No timing: one process, in order."""
    from nlpzero.errors import CorpusTooSmallError
    from nlpzero.templates import find_templates

    reviews = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "nlpzero", "data",
                           "reviews.txt")
    settings = []
    for corpus in ("gold", "nlpzero"):
        files = data[corpus]
        settings.append((f"PKU {corpus}, all → all", files["all"][0], None))
        settings.append((f"PKU {corpus}, even → odd", files["even"][0], files["odd"][0]))
    for name, extra in (("learned", []), ("jieba", ["--dict", "jieba"])):
        seg = os.path.join(work, f"reviews.{name}.seg.txt")
        subprocess.run([sys.executable, "-m", "nlpzero", "segment", reviews, *extra, "-o", seg, "-q"], check=True)
        settings.append((f"reviews ({name} segmentation), all → all", seg, None))
    rows = []
    for name, learn, code in settings:
        row = {"setting": name}
        for label, mp in (("1e-5", 1e-5), ("3e-6", 3e-6), ("derived", None)):
            try:
                ts = find_templates(learn, min_proba=mp)
            except CorpusTooSmallError:
                row[label] = None
                continue
            dl = ts.training if code is None else ts.description_length(code)
            row[label] = round(100 * dl.saving, 3)
            if mp is None:
                row["derived_min_proba"] = ts.params["min_proba"]
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
    print("| setting | min_proba 1e-5 | 3e-6 | derived | derived value |")
    print("|---|---:|---:|---:|---:|")
    for r in rows:
        cells = [f"{r[k]:.2f}%" if r[k] is not None else "—" for k in ("1e-5", "3e-6", "derived")]
        print(f"| {r['setting']} | " + " | ".join(cells) + f" | {r.get('derived_min_proba', float('nan')):.3g} |")
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--json", help="also write the results here")
    ap.add_argument("--corpora", default="gold,nlpzero")
    ap.add_argument("--no-nlp-zero", action="store_true", help="skip nlp-zero (it takes ~10-20 CPU-s per run)")
    ap.add_argument("--min-proba-study", action="store_true",
                    help="only compare the DL saving of fixed min_proba values with the derived one "
                         "(PKU gold and nlpzero-segmented, all and even → odd; the bundled reviews)")
    args = ap.parse_args()
    from nlpzero.templates import Templates

    work = tempfile.mkdtemp(prefix="bench_templates_")
    if args.min_proba_study:
        rows = min_proba_study(prepare(work), work)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as f:
                json.dump({"min_proba_study": rows}, f, ensure_ascii=False, indent=1)
        return
    driver = os.path.join(work, "nlp_zero_driver.py")
    with open(driver, "w", encoding="utf-8") as f:
        f.write(NLPZERO_DRIVER)
    data = prepare(work)
    rows = []
    tops = {}
    for corpus in args.corpora.split(","):
        files = data[corpus]
        for learn_part, code_part in (("all", "all"), ("even", "odd")):
            seg_learn, pieces_learn = files[learn_part]
            seg_code, _ = files[code_part]
            impls = [("nlpzero", learn_ours, seg_learn)]
            if not args.no_nlp_zero:
                impls.append(("nlp-zero 0.1.6", None, pieces_learn))
            for impl, fn, src in impls:
                out = os.path.join(work, f"{corpus}.{learn_part}.{impl.split()[0]}.jsonl")
                t0 = time.perf_counter()
                if fn is not None:
                    cpu, mb = fn(src, out)
                    ts = Templates.load(out)
                else:
                    cpu, mb = learn_theirs(src, out, driver)
                    ts = load_theirs(out)
                wall = time.perf_counter() - t0
                dl = ts.description_length(seg_code)
                multi = sum(1 for t in ts if not (len(t.elements) == 3 and t.elements[0] is None
                                                   and t.elements[2] is None))
                row = dict(corpus=corpus, learn=learn_part, code=code_part, impl=impl, cpu_s=round(cpu, 3),
                           wall_s=round(wall, 2), peak_mb=round(mb, 1), templates=len(ts), non_trivial=multi,
                           used=dl.templates_used, saving_pct=round(100 * dl.saving, 3),
                           bits_per_token=round(dl.saving_per_token, 4), baseline_bits=round(dl.baseline_bits),
                           data_bits=round(dl.data_bits), model_bits=round(dl.model_bits))
                rows.append(row)
                print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
                if learn_part == "all":
                    tops[(corpus, impl)] = top_multiword(ts)
    # parse every line of the gold corpus with our templates learned on it
    parse_row = None
    if "gold" in args.corpora.split(","):
        seg_all = data["gold"]["all"][0]
        tpl = os.path.join(work, "gold.all.nlpzero.jsonl")
        cpu, mb = run_child([sys.executable, "-m", "nlpzero", "parse", seg_all, "--segmented",
                             "--templates", tpl, "-o", os.path.join(work, "gold.parse.txt"), "-q"], repeat=3, warmups=1)
        with open(os.path.join(work, "gold.parse.txt"), encoding="utf-8") as f:
            n_lines = sum(1 for _ in f)
        parse_row = dict(corpus="gold", lines=n_lines, cpu_s=round(cpu, 3), peak_mb=round(mb, 1))

    print("| corpus | learned on → coded | impl | CPU s | peak MB | templates (not [X]w[X]) | used | DL saving "
          "| bits/token |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['corpus']} | {r['learn']} → {r['code']} | {r['impl']} | {r['cpu_s']:.2f} | {r['peak_mb']:.0f} | "
              f"{r['templates']:,} ({r['non_trivial']:,}) | {r['used']:,} | {r['saving_pct']:.2f}% "
              f"| {r['bits_per_token']:.3f} |")
    if parse_row:
        print(f"\n`nlpzero parse` of every line of the gold corpus ({parse_row['lines']:,} lines): "
              f"{parse_row['cpu_s']:.2f} CPU-s, peak {parse_row['peak_mb']:.0f} MB (end to end)")
    for (corpus, impl), top in tops.items():
        print(f"\ntop templates with at least two words, {impl} on {corpus}: " + "  ".join(top))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"rows": rows, "parse": parse_row, "top": {f"{c}/{i}": t for (c, i), t in tops.items()}},
                      f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
