"""Benchmark: dictionary segmentation with jieba's dictionary — nlpzero vs jieba vs jieba-fast-dat.

End to end (read + decode + segment + write tokens joined by spaces to /dev/null), HMM off,
on the People's Daily January 1998 raw text (~5.5 MB) and a ~100 MB concatenation of it.

- nlpzero: ``segment_file(..., jobs=1)`` (one core) and ``jobs=all cores``, jieba-compatible mode,
  dictionary loaded from its compiled cache; median of ``--repeat`` runs.
- jieba 0.42 ``lcut(line, HMM=False)`` and jieba-fast-dat (C++ double-array trie) ``lcut`` line by
  line, one run each on the 5.5 MB file (the 100 MB file is that text 18 times over, so their
  per-byte rate is the same; ``--full`` runs them on 100 MB too).
- start-up: process start to the first output line of ``nlpzero segment BIG --dict jieba``
  (and ``python -m jieba -n``), median of 3; dictionary load times (cold build and cached).
- every run goes through :mod:`benchmarks.harness` (a fresh child process, one warm-up run);
  peak memory of its main process and of its largest worker, CPU seconds of the whole tree.
- parity: share of lines where nlpzero equals jieba (whitespace tokens dropped).

    python -m benchmarks.bench_segment               # ~2 minutes
    python -m benchmarks.bench_segment --full        # jieba on 100 MB as well (~3 more minutes)
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

if not __package__:  # run as a file (python benchmarks/bench_segment.py): make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import datasets, harness


def run_nlpzero(path: str, jobs: int) -> dict:
    from nlpzero import Segmenter, batch, segment_file

    batch.SMALL_INPUT_BYTES = 0  # measure the workers even on the 5.5 MB file
    seg = Segmenter("jieba")
    with open(os.devnull, "wb") as out:
        res = segment_file(path, out, segmenter=seg, jobs=jobs)
    return {"bytes": res.bytes_in, "jobs": res.jobs}


def run_jieba(module: str, path: str, limit: int | None = None) -> dict:
    import importlib
    import logging

    jb = importlib.import_module(module)
    jb.setLogLevel(logging.WARNING)
    jb.initialize()
    jb.lcut("预热一下", HMM=False)
    nbytes = 0
    with open(path, encoding="utf-8") as f, open(os.devnull, "w", encoding="utf-8") as out:
        for line in f:
            nbytes += len(line.encode("utf-8"))
            out.write(" ".join(w for w in jb.lcut(line.rstrip("\n"), HMM=False) if w.strip()) + "\n")
            if limit and nbytes >= limit:
                break
    return {"bytes": nbytes, "jobs": 1}


def jieba_warmup(module: str) -> None:
    """Load jieba's dictionary before the timed call (its own start-up is measured separately)."""
    import importlib
    import logging

    jb = importlib.import_module(module)
    jb.setLogLevel(logging.WARNING)
    jb.initialize()


def measure(impl: str, path: str, jobs: int = 1, repeat: int = 1) -> dict:
    if impl == "nlpzero":
        m = harness.measure(run_nlpzero, path, jobs, repeat=repeat)
    else:
        m = harness.measure(run_jieba, impl, path, repeat=repeat, warmups=0, warmup=harness.Call(jieba_warmup, impl))
    if not m.ok:
        raise SystemExit(f"{impl} on {path}: {m.error}")
    return {**m.result, "seconds": m.wall, "cpu": m.cpu, "peak_main": m.peak_main_mb * 1e6,
            "peak_worker": m.peak_worker_mb * 1e6}


def load_jieba_dictionary() -> None:
    from nlpzero import Segmenter

    Segmenter("jieba")


def first_line_seconds(cmd) -> float:
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    proc.stdout.readline()
    elapsed = time.perf_counter() - start
    proc.kill()
    proc.wait()
    proc.stdout.close()
    return elapsed


def load_times() -> tuple:
    """Seconds to build jieba's dictionary with an empty trie cache, and (median of 5) with the cache."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, NLPZERO_CACHE=tmp)
        cold = harness.measure(load_jieba_dictionary, repeat=1, warmups=0, env=env)
        warm = harness.measure(load_jieba_dictionary, repeat=5, warmups=0, env=env)
    return cold.wall, warm.wall


def parity(path) -> tuple:
    import logging

    import jieba

    from nlpzero import Segmenter

    jieba.setLogLevel(logging.WARNING)
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    seg = Segmenter("jieba")
    ours = list(seg.cut_lines(lines))
    same = sum(ours[i] == [w for w in jieba.lcut(line, HMM=False) if w.strip()] for i, line in enumerate(lines))
    return same, len(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--full", action="store_true", help="jieba and jieba-fast-dat on 100 MB too")
    args = ap.parse_args()

    small, big = str(datasets.pku_raw_path()), str(datasets.pku_raw_big_path(100))
    harness.run_callable(load_jieba_dictionary)  # build the dictionary's trie cache once
    from nlpzero.batch import default_jobs

    cores = default_jobs()
    have_fast = subprocess.run([sys.executable, "-c", "import jieba_fast_dat"], capture_output=True).returncode == 0
    print(f"jieba dictionary, HMM off, end to end; nlpzero median of {args.repeat}; {cores} cores")
    print(f"{'file':<15}{'impl':<22}{'MB':>7}{'seconds':>9}{'MB/s':>8}{'peak MB main/worker':>21}")
    rates, cpu = {}, {}
    load0 = f"{os.getloadavg()[0]:.2f}"
    for label, path in (("1998-01 raw", small), ("100 MB concat", big)):
        rows = []
        for jobs in sorted({1, cores}):
            r = measure("nlpzero", path, jobs, repeat=args.repeat)
            cpu[(label, jobs)] = r["cpu"]
            rows.append((f"nlpzero jobs={r['jobs']}", r))
        if path == small or args.full:
            rows.append(("jieba", measure("jieba", path)))
            if have_fast:
                rows.append(("jieba-fast-dat", measure("jieba_fast_dat", path)))
        for name, r in rows:
            mbps = r["bytes"] / 1e6 / r["seconds"]
            rates[(label, name)] = mbps
            worker = f"{r['peak_worker'] / 1e6:.0f}" if r["jobs"] > 1 else "-"
            print(f"{label:<15}{name:<22}{r['bytes'] / 1e6:>7.1f}{r['seconds']:>9.2f}{mbps:>8.1f}"
                  f"{r['peak_main'] / 1e6:>14.0f} / {worker}")

    one_big = rates[("100 MB concat", "nlpzero jobs=1")]
    one_small = rates[("1998-01 raw", "nlpzero jobs=1")]
    print()
    for other in ("jieba", "jieba-fast-dat"):
        theirs = rates.get(("1998-01 raw", other))
        if theirs:
            print(f"per core, nlpzero / {other}: {one_big / theirs:.1f}x (100 MB vs their 5.5 MB rate), "
                  f"{one_small / theirs:.1f}x (both on 5.5 MB)")
    if cores > 1:
        many = rates[("100 MB concat", f"nlpzero jobs={cores}")]
        c1, cn = cpu[("100 MB concat", 1)], cpu[("100 MB concat", cores)]
        print(f"scaling on 100 MB: {many / one_big:.2f}x wall-clock with {cores} cores; CPU seconds "
              f"(all processes) {c1:.2f} with 1 job, {cn:.2f} with {cores}: parallel overhead "
              f"{100 * (cn / c1 - 1):.0f}%; load average before/after {load0} / {os.getloadavg()[0]:.2f}")

    cold, warm = load_times()
    print(f"load jieba's dictionary: {cold:.2f} s cold (parse + build + write cache), {warm:.3f} s cached")
    ours_cmd = [sys.executable, "-m", "nlpzero", "segment", big, "--dict", "jieba", "-q"]
    ours = statistics.median(first_line_seconds(ours_cmd) for _ in range(3))
    theirs = statistics.median(first_line_seconds([sys.executable, "-m", "jieba", "-n", "-d", " ", big])
                               for _ in range(3))
    print(f"process start to first output line: nlpzero {ours:.3f} s, python -m jieba -n {theirs:.3f} s")
    same, total = parity(small)
    print(f"parity with jieba.lcut(HMM=False) on 1998-01 raw lines: {same}/{total} = {100 * same / total:.2f}%")


if __name__ == "__main__":
    main()
