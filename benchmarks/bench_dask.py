"""Benchmark: the four Dask-enabled commands in one process and on a LocalCluster, outputs compared.

For ``ngrams -n 4 --min-count 1``, ``discover``, ``learn`` and ``segment`` (learned from the input,
no dictionary) on the realistic scale text of :mod:`benchmarks.scaletext` (50 MB by default),
one fresh run of ``python -m nlpzero ...`` in one process and one with ``--scheduler local:N``
(a LocalCluster of N single-threaded worker processes started and stopped by the command),
each through :func:`benchmarks.harness.run_command`: CPU seconds of the whole process tree (the
command, the nanny-started workers it waits for), peak RSS of the whole tree (sampled), wall
time. The two outputs are compared byte for byte; a difference is reported (and the exit
status is 1).

    python -m benchmarks.bench_dask                       # 50 MB, local:2
    python -m benchmarks.bench_dask --size 200M --workers 2 --only ngrams,discover
"""
from __future__ import annotations

import argparse
import filecmp
import os
import sys
import tempfile

if not __package__:  # run as a file (python benchmarks/bench_dask.py): make `benchmarks` importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from benchmarks import harness, scaletext

COMMANDS: dict[str, list[str]] = {
    "ngrams": ["ngrams", "-n", "4", "--min-count", "1"],
    "discover": ["discover"],
    "learn": ["learn"],
    "segment": ["segment"],
}


def _run(args: list[str], path: str, out: str, timeout: float, scheduler: str | None) -> harness.Run:
    cmd = [sys.executable, "-m", "nlpzero", args[0], path, *args[1:], "-q", "-o", out]
    if scheduler:
        cmd += ["--scheduler", scheduler]
    with tempfile.TemporaryFile("w+") as err:
        run = harness.run_command(cmd, timeout=timeout, stderr=err)
        if run.error is not None:
            err.seek(0)
            lines = [ln.strip() for ln in err.read().splitlines() if ln.strip()]
            if lines:
                run.error += f" ({lines[-1][:160]})"
    return run


def cell(run: harness.Run) -> str:
    if run.error is not None:
        return f"FAILED {run.error}"
    return f"{run.cpu:.1f} CPU-s, {run.peak_mb / 1000:.2f} GB, {run.wall:.0f} s wall"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--size", default="50M", help="size of the scale text (bytes; K/M/G suffixes)")
    ap.add_argument("--workers", type=int, default=2, help="worker processes of the LocalCluster")
    ap.add_argument("--timeout", type=float, default=1800.0, help="wall-clock limit of one run (s)")
    ap.add_argument("--only", default="", help=f"comma-separated subset of {','.join(COMMANDS)}")
    args = ap.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(COMMANDS)
    if unknown:
        ap.error(f"--only: unknown {sorted(unknown)}; choose from {list(COMMANDS)}")
    size = scaletext.parse_size(args.size)
    path = str(scaletext.scale_text_path(size))
    scheduler = f"local:{args.workers}"
    rows, same_all = [], True
    with tempfile.TemporaryDirectory(prefix="nlpzero-dask-", dir=os.environ.get("NLPZERO_SCALE_TMP")) as tmp:
        for name in only or COMMANDS:
            one, two = os.path.join(tmp, f"{name}.one"), os.path.join(tmp, f"{name}.two")
            single = _run(COMMANDS[name], path, one, args.timeout, None)
            print(f"[{name}] one process: {cell(single)}", file=sys.stderr, flush=True)
            spread = _run(COMMANDS[name], path, two, args.timeout, scheduler)
            print(f"[{name}] {scheduler}: {cell(spread)}", file=sys.stderr, flush=True)
            ok = single.error is None and spread.error is None
            same = ok and filecmp.cmp(one, two, shallow=False)
            same_all &= same
            size_out = os.path.getsize(one) if os.path.exists(one) else 0
            rows.append((name, single, spread, "yes" if same else ("no" if ok else "n/a"), size_out))
            for p in (one, two):
                if os.path.exists(p):
                    os.remove(p)
    print(f"nlpzero on {scaletext.human(size)}B of realistic text (scale-v{scaletext.VERSION}): one process vs "
          f"--scheduler {scheduler}; CPU seconds and peak RSS of the whole process tree (GB = 10^9 bytes), "
          "one fresh run each\n")
    print(f"| command | one process | `--scheduler {scheduler}` | output identical | output bytes |")
    print("|---|---|---|---|---|")
    for name, single, spread, same, size_out in rows:
        print(f"| `{' '.join(COMMANDS[name])}` | {cell(single)} | {cell(spread)} | {same} | {size_out:,} |")
    return 0 if same_all else 1


if __name__ == "__main__":
    sys.exit(main())
