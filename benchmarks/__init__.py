"""Benchmarks: nlpzero side by side with its anchors, measured by one harness.

Run each from the repository root as a module, e.g. ``python -m benchmarks.bench_ngrams``
(``python benchmarks/bench_ngrams.py`` works too). :mod:`benchmarks.harness` runs every
measurement in a fresh child process (warm-up, median of fresh runs, CPU seconds and peak RSS of
the whole process tree); :mod:`benchmarks.datasets` fetches and caches the data.
"""
