"""Benchmark: character n-gram counting, orders 1..4, nlpzero vs collections.Counter.

End to end (read + decode + normalise + count) on the People's Daily January 1998 raw text
(~5.5 MB) and on a ~100 MB concatenation of it. Every measurement runs in a fresh subprocess so
its peak memory (ru_maxrss) is its own; nlpzero is repeated and the median is reported, the
Counter baseline (about 1.7 MB/s) runs once per file. Both implementations produce the same
counts; the benchmark checks that on the small file.

    python benchmarks/bench_ngrams.py            # both files
    python benchmarks/bench_ngrams.py --quick    # Counter on the first 10 MB of the big file only
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _data  # noqa: E402

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


def worker(impl: str, path: str, limit: int | None) -> dict:
    start = time.perf_counter()
    if impl == "nlpzero":
        import nlpzero

        counts = nlpzero.count_ngrams(path, max_n=MAX_N)
        distinct, nbytes = len(counts), os.path.getsize(path)
    else:
        counts, nbytes = counter_count(path, limit)
        distinct = len(counts)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"seconds": seconds, "bytes": nbytes, "distinct": distinct, "peak": peak}


def measure(impl: str, path, limit=None) -> dict:
    cmd = [sys.executable, __file__, "--worker", impl, str(path)] + (["--limit", str(limit)] if limit else [])
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def check_identical(path) -> None:
    import nlpzero

    ours = nlpzero.count_ngrams(path, max_n=MAX_N).to_dict()
    theirs, _ = counter_count(str(path))
    assert ours == dict(theirs), "nlpzero and Counter disagree"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="Counter on 10 MB of the big file")
    ap.add_argument("--worker", nargs=2, metavar=("IMPL", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], args.worker[1], args.limit)))
        return

    small, big = _data.pku_raw_path(), _data.pku_raw_big_path(100)
    print(f"orders 1..{MAX_N}, end to end (read + decode + count); median of {args.repeat} for nlpzero")
    print(f"{'file':<16}{'impl':<10}{'MB':>8}{'seconds':>10}{'MB/s':>8}{'peak MB':>9}{'distinct':>11}")
    for label, path in (("1998-01 raw", small), ("100 MB concat", big)):
        runs = [measure("nlpzero", path) for _ in range(args.repeat)]
        ours = dict(runs[0], seconds=statistics.median(r["seconds"] for r in runs),
                    peak=max(r["peak"] for r in runs))
        limit = 10_000_000 if (args.quick and path == big) else None
        base = measure("counter", path, limit)
        rows = [("nlpzero", ours), ("Counter", base)]
        for name, r in rows:
            mbps = r["bytes"] / 1e6 / r["seconds"]
            print(f"{label:<16}{name:<10}{r['bytes'] / 1e6:>8.1f}{r['seconds']:>10.2f}{mbps:>8.1f}"
                  f"{r['peak'] / 1e6:>9.0f}{r['distinct']:>11}")
        ratio = (ours["bytes"] / ours["seconds"]) / (base["bytes"] / base["seconds"])
        print(f"{label:<16}speed-up nlpzero / Counter: {ratio:.1f}x")
    # last: Linux carries a parent's peak RSS over fork+exec, so the workers above must be
    # spawned before this process grows
    check_identical(small)
    print("identical counts on 1998-01 raw text: yes")


if __name__ == "__main__":
    main()
