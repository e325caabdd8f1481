"""Benchmark of nlpzero's EMD and text distances against POT and gensim, side by side in one run.

1. Time per call of ``nlpzero.emd`` vs ``ot.emd2`` (and POT's bare Cython solver
   ``ot.lp.emd_wrap.emd_c``, i.e. without its Python wrapper) for n = 4..2048, uniform random
   weights and Euclidean costs of random 10-d points; maximum absolute difference of the costs.
2. Exact top-10 document search: 1 query vs 10,000 texts of 5-30 words drawn (Zipf) from a
   20,000-word vocabulary with 100-d vectors, all seeded. ``nlpzero.wmd_search`` on all texts vs
   a gensim ``KeyedVectors.wmdistance`` loop and a POT loop (cost matrix + ``ot.emd2`` per
   text), each on a subset, extrapolated to documents per CPU-second. The POT loop's top-10 is
   checked against ours on the same subset.

Run from the repository root after building: ``python -m benchmarks.bench_distance``
(``--quick`` for a smoke run). Each implementation's EMD timings and the search section run in
fresh child processes through :mod:`benchmarks.harness` (per-call CPU time by
``harness.time_per_call``: a warm-up call, then the median over rounds of the mean of many
calls). Shaped like asv (``params`` / ``time_*``) so asv can pick it up.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

if not __package__:  # run as a file (python benchmarks/bench_distance.py): make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np

from benchmarks import harness

SEED = 20240601


def _problem(n: int, seed: int):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, 10)), rng.normal(size=(n, 10))
    a, b = rng.random(n), rng.random(n)
    a /= a.sum()
    b /= b.sum()
    M = np.sqrt(((x[:, None, :] - y[None, :, :]) ** 2).sum(-1))
    return a, b, M


def _reps(n: int) -> int:
    return 1000 if n <= 16 else 300 if n <= 64 else 30 if n <= 128 else 5 if n <= 512 else 2 if n <= 1024 else 1


class EMDPerCall:
    params = [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048]
    param_names = ["n"]

    def setup(self, n):
        self.a, self.b, self.M = _problem(n, SEED + n)

    def time_nlpzero(self, n):
        import nlpzero

        nlpzero.emd(self.a, self.b, self.M)

    def time_pot_emd2(self, n):
        import ot

        ot.emd2(self.a, self.b, self.M, numItermax=10**8)

    def time_pot_solver(self, n):
        from ot.lp.emd_wrap import emd_c

        emd_c(self.a, self.b, self.M, 10**8, 1)


def emd_times(impl: str, sizes) -> dict:
    """Per-call CPU time of one implementation for every size (run in a fresh child)."""
    bench = EMDPerCall()
    fn = {"nlpzero": bench.time_nlpzero, "ot.emd2": bench.time_pot_emd2, "emd_c": bench.time_pot_solver}[impl]
    out = {}
    for n in sizes:
        bench.setup(n)
        rounds = 5 if n <= 128 else 3 if n <= 512 else 1
        out[n] = harness.time_per_call(lambda n=n: fn(n), _reps(n), rounds)
    return out


def bench_emd(sizes) -> None:
    import ot

    import nlpzero

    print("## EMD per call (CPU time; median of rounds; one fresh process per implementation)")
    print(f"{'n':>5} {'nlpzero':>11} {'ot.emd2':>11} {'emd_c':>11} {'emd2/ours':>9} {'emd_c/ours':>10} "
          f"{'max |diff|':>10}")
    times = {}
    for impl in ("nlpzero", "ot.emd2", "emd_c"):
        m = harness.measure(emd_times, impl, list(sizes), repeat=1, warmups=0)
        if not m.ok:
            raise SystemExit(f"{impl}: {m.error}")
        times[impl] = m.result
    for n in sizes:
        diff = max(abs(nlpzero.emd(*p) - ot.emd2(*p, numItermax=10**8))
                   for p in [_problem(n, SEED + 7 * n + s) for s in range(3 if n <= 512 else 1)])
        ours, pot, core = times["nlpzero"][n], times["ot.emd2"][n], times["emd_c"][n]
        print(f"{n:>5} {_fmt(ours):>11} {_fmt(pot):>11} {_fmt(core):>11} {pot / ours:>9.2f} {core / ours:>10.2f} "
              f"{diff:>10.1e}")
        sys.stdout.flush()


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def _corpus(n_docs: int, vocab: int = 20000, dim: int = 100):
    rng = np.random.default_rng(SEED)
    words = [f"w{i}" for i in range(vocab)]
    X = rng.normal(size=(vocab, dim))
    p = 1.0 / np.arange(1, vocab + 1) ** 1.05  # Zipf-like word frequencies
    p /= p.sum()
    lengths = rng.integers(5, 31, size=n_docs + 3)
    docs = [[words[i] for i in rng.choice(vocab, size=int(L), p=p)] for L in lengths]
    return words, X, docs[:3], docs[3:]


def _pot_distance(query, doc, index, X):
    import ot

    def bag(tokens):
        ids, counts = np.unique([index[t] for t in tokens], return_counts=True)
        return ids, counts / counts.sum()

    qi, qa = bag(query)
    di, db = bag(doc)
    return ot.emd2(qa, db, ot.dist(X[qi], X[di], metric="euclidean"))


def bench_search(n_docs: int, gensim_subset: int, pot_subset: int) -> None:
    import nlpzero

    words, X, queries, docs = _corpus(n_docs)
    wv = nlpzero.WordVectors(words, X)
    index = wv.index
    print(f"\n## Exact top-10 search: 1 query vs {n_docs} texts (5-30 words, 20k vocabulary, 100-d)")
    nlpzero.wmd_search(queries[0], docs[:50], wv, k=10)  # warm-up
    for metric in ("wmd", "wrd"):
        times, solved = [], []
        for q in queries:
            t = time.process_time()
            res = nlpzero.wmd_search(q, docs, wv, k=10, metric=metric)
            times.append(time.process_time() - t)
            solved.append(res.n_solved)
        med = statistics.median(times)
        print(f"nlpzero.wmd_search metric={metric}: {med:.3f} CPU-s per query "
              f"({n_docs / med:,.0f} docs/CPU-s), exact solves {solved} of {n_docs}")
        if metric == "wmd":
            ours_rate = n_docs / med

    q = queries[0]
    # the same pairs one call at a time (no pruning): what each exact solve costs from Python
    nlpzero.wmd(q, docs[0], wv)
    t = time.process_time()
    for d in docs[:pot_subset]:
        nlpzero.wmd(q, d, wv)
    pair_rate = pot_subset / (time.process_time() - t)
    print(f"nlpzero.wmd loop (every text solved, no pruning), {pot_subset} texts: {pair_rate:,.0f} docs/CPU-s")
    # POT directly: nBOW + ot.dist + ot.emd2 per text, on a subset; top-10 must agree
    _pot_distance(q, docs[0], index, X)
    t = time.process_time()
    pot_d = [_pot_distance(q, d, index, X) for d in docs[:pot_subset]]
    pot_rate = pot_subset / (time.process_time() - t)
    pot_top = sorted(range(pot_subset), key=lambda i: (pot_d[i], i))[:10]
    ours_sub = nlpzero.wmd_search(q, docs[:pot_subset], wv, k=10)
    agree = ours_sub.indices.tolist() == pot_top and np.allclose(ours_sub.distances, sorted(pot_d)[:10], atol=1e-9)
    print(f"POT loop (ot.dist + ot.emd2), {pot_subset} texts: {pot_rate:,.0f} docs/CPU-s; "
          f"top-10 identical to nlpzero: {agree}")

    try:
        from gensim.models import KeyedVectors
    except ImportError:
        print("gensim not installed: gensim loop skipped")
        gensim_rate = None
    else:
        kv = KeyedVectors(X.shape[1])
        kv.add_vectors(words, X)
        kv.wmdistance(q, docs[0], norm=False)  # warm-up
        t = time.process_time()
        g = [kv.wmdistance(q, d, norm=False) for d in docs[:gensim_subset]]
        gensim_rate = gensim_subset / (time.process_time() - t)
        err = max(abs(a - _pot_distance(q, d, index, X)) for a, d in zip(g[:20], docs))
        print(f"gensim wmdistance(norm=False) loop, {gensim_subset} texts: {gensim_rate:,.0f} docs/CPU-s "
              f"(max |gensim - POT| on 20 texts: {err:.1e}, float32 vectors)")

    print(f"\nspeed-up of exact top-10 search (WMD): {ours_rate / pot_rate:.1f}x the POT loop"
          + (f", {ours_rate / gensim_rate:.1f}x the gensim loop (target >= 10x)" if gensim_rate else ""))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes only (smoke run)")
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    if args.quick:
        bench_emd([4, 32, 256])
        search = (1000, 100, 200)
    else:
        bench_emd(EMDPerCall.params)
        search = (10000, 500, 1500)
    sys.stdout.flush()
    run = harness.run_callable(bench_search, *search, quiet=False)  # in a fresh process too
    if run.error:
        raise SystemExit(f"search: {run.error}")
    print(f"(search section: peak RSS {run.peak_mb:.0f} MB)")
    print(f"\n(total {time.perf_counter() - t0:.0f} s wall)")


if __name__ == "__main__":
    main()
