"""Benchmark: character n-gram counting, orders 1..4, nlpzero vs collections.Counter.

End to end (read + decode + normalise + count) on the People's Daily January 1998 raw text
(~5.5 MB) and on a ~100 MB concatenation of it. Every measurement runs through
:mod:`benchmarks.harness` (a fresh child process per run, one warm-up run; wall-clock median of
``--repeat`` runs for nlpzero, peak RSS of the process); the Counter baseline (about 2 MB/s)
runs once per file. Both implementations produce the same counts; the benchmark checks that on
the small file.

    python -m benchmarks.bench_ngrams            # both files
    python -m benchmarks.bench_ngrams --quick    # Counter on the first 10 MB of the big file only
"""
from __future__ import annotations

import argparse
import os
import sys

if not __package__:  # run as a file (python benchmarks/bench_ngrams.py): make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import datasets, harness

MAX_N = 4


def counter_count(path: str, limit_bytes: int | None = None):
    """The naive baseline: regex runs + Counter over slices (same text model as nlpzero)."""
    import collections
    import re

    run = re.compile("[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")
    table = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}
    table[0x3000] = 0x20
    counts = collections.Counter()
    read = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            read += len(line.encode("utf-8"))
            for r in run.findall(line.translate(table)):
                for k in range(1, MAX_N + 1):
                    counts.update(r[i : i + k] for i in range(len(r) - k + 1))
            if limit_bytes and read >= limit_bytes:
                break
    return counts, read


def count_nlpzero(path: str) -> dict:
    import nlpzero

    return {"bytes": os.path.getsize(path), "distinct": len(nlpzero.count_ngrams(path, max_n=MAX_N))}


def count_counter(path: str, limit: int | None) -> dict:
    counts, nbytes = counter_count(path, limit)
    return {"bytes": nbytes, "distinct": len(counts)}


def check_identical(path) -> None:
    import nlpzero

    ours = nlpzero.count_ngrams(path, max_n=MAX_N).to_dict()
    theirs, _ = counter_count(str(path))
    assert ours == dict(theirs), "nlpzero and Counter disagree"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="Counter on 10 MB of the big file")
    args = ap.parse_args()

    small, big = str(datasets.pku_raw_path()), str(datasets.pku_raw_big_path(100))
    print(f"orders 1..{MAX_N}, end to end (read + decode + count); median of {args.repeat} for nlpzero")
    print(f"{'file':<16}{'impl':<10}{'MB':>8}{'seconds':>10}{'MB/s':>8}{'peak MB':>9}{'distinct':>11}")
    reports = []
    for label, path in (("1998-01 raw", small), ("100 MB concat", big)):
        limit = 10_000_000 if (args.quick and path == big) else None
        rows = {"nlpzero": harness.measure(count_nlpzero, path, repeat=args.repeat),
                "Counter": harness.measure(count_counter, path, limit, repeat=1, warmups=0)}
        for name, m in rows.items():
            if not m.ok:
                print(f"{label:<16}{name:<10} failed: {m.error}")
                continue
            r = m.result
            print(f"{label:<16}{name:<10}{r['bytes'] / 1e6:>8.1f}{m.wall:>10.2f}{r['bytes'] / 1e6 / m.wall:>8.1f}"
                  f"{m.peak_mb:>9.0f}{r['distinct']:>11}")
        ours, base = rows["nlpzero"], rows["Counter"]
        if ours.ok and base.ok:
            speed = harness.ratio(ours.result["bytes"] / ours.wall, base.result["bytes"] / base.wall)
            print(f"{label:<16}speed-up nlpzero / Counter: {speed:.1f}x"
                  + (" (Counter on the first 10 MB)" if limit else ""))
        if not limit:  # seconds are comparable only when both read the whole file
            reports.append((label, rows))
    for label, rows in reports:
        print(f"\n{label}:")
        harness.report(rows, anchor="Counter", metrics=("wall", "cpu", "peak_mb"))
    check_identical(small)
    print("identical counts on 1998-01 raw text: yes")


if __name__ == "__main__":
    main()
