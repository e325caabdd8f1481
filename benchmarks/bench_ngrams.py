"""Benchmark: character n-gram counting, orders 1..4, nlpzero vs collections.Counter.

End to end (read + decode + normalise + count) on the People's Daily January 1998 raw text
(~5.5 MB) and on a ~100 MB concatenation of it. Every measurement runs through
:mod:`benchmarks.harness` (a fresh child process per run, one warm-up run; wall-clock median of
``--repeat`` runs for nlpzero, peak RSS of the process); the Counter baseline (about 1 MB/s)
runs once per file. Rows:

- ``count_ngrams``: the API call, with the imports it needs (``nlpzero.ngrams``, mostly numpy's
  import, ~0.1 s) made before the timed call, as the harness does for imports;
- ``count_ngrams+import``: the same with the import timed too;
- ``ngrams -o F``: the command ``nlpzero ngrams FILE -o F`` as a whole process (interpreter
  start-up, counting and writing the TSV listing in frequency order);
- ``Counter``: regex runs + ``collections.Counter`` over slices (counting only, no listing).

MB/s is per core (every configuration runs on one). Both implementations produce the same
counts; the benchmark checks that on the small file.

    python -m benchmarks.bench_ngrams            # both files
    python -m benchmarks.bench_ngrams --quick    # Counter on the first 10 MB of the big file only
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

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


def import_nlpzero() -> None:
    """The warm-up of the ``count_ngrams`` row: imports are not counting. ``import nlpzero``
    loads its modules on first use, so the counting module (and numpy) is loaded here too."""
    import nlpzero

    nlpzero.count_ngrams  # noqa: B018  (loads nlpzero.ngrams, numpy and the compiled counter)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="Counter on 10 MB of the big file")
    args = ap.parse_args()

    small, big = str(datasets.pku_raw_path()), str(datasets.pku_raw_big_path(100))
    print(f"orders 1..{MAX_N}, end to end (read + decode + count); median of {args.repeat} for nlpzero; "
          "one core each")
    print(f"{'file':<16}{'impl':<22}{'MB':>8}{'seconds':>10}{'MB/s':>8}{'CPU s':>8}{'peak MB':>9}{'distinct':>11}")
    reports = []
    with tempfile.TemporaryDirectory(prefix="nlpzero-bench-ngrams-") as tmp:
        for label, path in (("1998-01 raw", small), ("100 MB concat", big)):
            limit = 10_000_000 if (args.quick and path == big) else None
            size = os.path.getsize(path)
            listing = os.path.join(tmp, "ngrams.tsv")
            rows = {
                "count_ngrams": harness.measure(count_nlpzero, path, repeat=args.repeat,
                                                warmup=harness.Call(import_nlpzero)),
                "count_ngrams+import": harness.measure(count_nlpzero, path, repeat=args.repeat),
                "ngrams -o F": harness.measure_command(
                    [sys.executable, "-m", "nlpzero", "ngrams", "-n", str(MAX_N), path, "-o", listing, "-q"],
                    repeat=args.repeat),
                "Counter": harness.measure(count_counter, path, limit, repeat=1, warmups=0),
            }
            results = {}
            for name, m in rows.items():
                if not m.ok:
                    print(f"{label:<16}{name:<22} failed: {m.error}")
                    continue
                r = results[name] = m.result if m.result is not None else {"bytes": size, "distinct": _rows(listing)}
                print(f"{label:<16}{name:<22}{r['bytes'] / 1e6:>8.1f}{m.wall:>10.2f}{r['bytes'] / 1e6 / m.wall:>8.1f}"
                      f"{m.cpu:>8.2f}{m.peak_mb:>9.0f}{r['distinct']:>11}")
            base = rows["Counter"]
            for name in ("count_ngrams", "count_ngrams+import", "ngrams -o F"):
                ours = rows[name]
                if ours.ok and base.ok:
                    mine, theirs = results[name]["bytes"], results["Counter"]["bytes"]
                    speed = harness.ratio(mine / ours.wall, theirs / base.wall)
                    cpu = harness.ratio(mine / ours.cpu, theirs / base.cpu)
                    print(f"{label:<16}speed-up {name} / Counter: {speed:.1f}x wall, {cpu:.1f}x CPU"
                          + (" (Counter on the first 10 MB)" if limit else ""))
            if not limit:  # seconds are comparable only when both read the whole file
                reports.append((label, rows))
    for label, rows in reports:
        print(f"\n{label}:")
        harness.report(rows, anchor="Counter", metrics=("wall", "cpu", "peak_mb"))
    check_identical(small)
    print("identical counts on 1998-01 raw text: yes")


def _rows(listing: str) -> int:
    """N-grams in a listing written by ``nlpzero ngrams`` (its lines less the header)."""
    with open(listing, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1


if __name__ == "__main__":
    main()
