"""Compiled dictionaries (the trie of :class:`nlpzero.Segmenter`): built from entries, and cached.

:func:`compile_entries` checks ``(word, value)`` entries and compiles them into a trie (counts
stored as their logs, words normalised when the segmenter normalises); :func:`trie_of` compiles
keys and trie scores as they are (a model file's).

A dictionary file of at least :data:`CACHE_MIN_BYTES` is compiled once and its trie saved under
:func:`cache_dir`, keyed by the file's absolute path, size, modification time and the
segmenter's mode and normalisation, so a changed file or other settings miss the cache. The
file is one block: the magic ``NLPZTRIE``, a 4-byte header length, a JSON header (version,
total count, trie sizes, dtype/length/offset of each array, a CRC-32 of the array bytes), then
each array 64-byte aligned from byte 4096. A file whose checksum does not match (a damaged or
truncated cache) is not used: the trie is rebuilt from the dictionary and the cache rewritten.
Loading is a few copy-on-write memory maps: no parsing, and worker processes share the pages.
Files are written atomically; bumping :data:`CACHE_VERSION` orphans the
older files, which the next save removes.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import zlib
from typing import Any

import numpy as np

from . import _segment

__all__ = ["CACHE_MIN_BYTES", "CACHE_VERSION", "cache_dir", "cache_path", "compile_entries", "load", "save",
           "trie_of"]

#: Bump when the trie layout or scoring changes: old cache files are then ignored.
CACHE_VERSION = 6
#: Dictionaries larger than this (bytes) are cached as a compiled trie.
CACHE_MIN_BYTES = 256 << 10

_MAGIC = b"NLPZTRIE"
_ARRAYS = ("root", "root_score", "root_mask", "slots", "score", "flag", "parent", "label")
_DATA_START = 4096


def trie_of(keys: list[str], scores: np.ndarray) -> _segment.Trie:
    """A compact trie whose words are ``keys`` (the trie's own, normalised already) with ``scores``."""
    trie = _segment.Trie(max(16, 2 * len(keys)))
    trie.add_words(keys, np.ascontiguousarray(scores, dtype=np.float64))
    trie.compact()
    return trie


def compile_entries(items: list[tuple[str, Any]], kind: str, normalize: bool) -> tuple[_segment.Trie, float]:
    """The trie of dictionary entries and its total.

    ``kind="count"``: values are counts ≥ 0, stored as their logs; a count of 0 keeps the word
    out (its prefixes stay, like jieba) and the total is the sum of every count, duplicates
    included (as jieba sums them). ``kind="score"``: values are finite additive scores, the total
    is the number of entries.

    Raises
    ------
    nlpzero.errors.ParameterError
        A word that is not a non-empty str, or a value that is not a count ≥ 0 / a finite score.
    """
    from .errors import ParameterError

    words, values = [], np.empty(len(items), dtype=np.float64)
    total = 0.0
    for i, (word, value) in enumerate(items):
        if not isinstance(word, str) or not word:
            raise ParameterError(f"dictionary words must be non-empty str, got {word!r}")
        words.append(word)
        try:
            v = float(value)
        except (TypeError, ValueError):
            raise ParameterError(f"the value of {word!r} must be a number, got {value!r}") from None
        if not math.isfinite(v) or (kind == "count" and v < 0):
            what = "count ≥ 0" if kind == "count" else "finite score"
            raise ParameterError(f"the value of {word!r} must be a {what}, got {value!r}")
        values[i] = v
        total += v
    if normalize and words:             # one pass over all words, not one per word
        from .corpus import normalize as normalized

        joined = "\n".join(words)
        if joined.count("\n") == len(words) - 1:
            words = normalized(joined).split("\n")
        else:
            words = [normalized(w) for w in words]
    if kind != "count":
        return trie_of(words, values), float(len(words))
    trie = _segment.Trie(max(16, 2 * len(words)))
    keep = values > 0
    with np.errstate(divide="ignore"):
        scores = np.log(values)
    for w, k in zip(words, keep):     # zero counts: prefixes only, like jieba
        if not k:
            trie.insert(w)
    trie.add_words([w for w, k in zip(words, keep) if k], np.ascontiguousarray(scores[keep]))
    trie.compact()
    return trie, total


def cache_dir() -> str:
    """Where compiled dictionaries are cached: ``$NLPZERO_CACHE`` or ``~/.cache/nlpzero``."""
    return os.environ.get("NLPZERO_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "nlpzero")


def cache_path(path: str, mode: str, normalize: bool) -> str | None:
    """The cache file for dictionary ``path`` read with these settings, or None when the file is
    not cached (smaller than :data:`CACHE_MIN_BYTES`, or not a regular file: a pipe has no
    stable identity to key the cache on)."""
    if not os.path.isfile(path) or os.path.getsize(path) < CACHE_MIN_BYTES:
        return None
    st = os.stat(path)
    ident = f"{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}|{mode}|{normalize}"
    digest = hashlib.sha1(ident.encode("utf-8", "surrogatepass")).hexdigest()[:20]
    return os.path.join(cache_dir(), f"trie-v{CACHE_VERSION}-{digest}.bin")


def save(cache: str, trie: _segment.Trie, total: float) -> None:
    """Write ``trie`` and the dictionary's total count to ``cache`` (atomically), and remove the
    cache files of older layouts next to it.

    Raises
    ------
    OSError
        The cache directory cannot be written (callers ignore it: a read-only cache costs speed).
    """
    from ._io import atomic_write

    os.makedirs(os.path.dirname(cache), exist_ok=True)
    *arrays, n_nodes, n_keys = trie.state()
    meta = {"version": CACHE_VERSION, "total": total, "n_nodes": int(n_nodes),
            "n_keys": int(n_keys), "arrays": {}}
    offset = _DATA_START
    for name, arr in zip(_ARRAYS, arrays):
        meta["arrays"][name] = [arr.dtype.str, arr.shape[0], offset]
        offset += -(-arr.nbytes // 64) * 64
    meta["crc32"] = _checksum(np.ascontiguousarray(arr) for arr in arrays)
    header = json.dumps(meta).encode("ascii")
    if len(header) > _DATA_START - 12:
        raise ValueError("cache header too long")
    with atomic_write(cache, "wb") as f:
        f.write(_MAGIC + len(header).to_bytes(4, "little") + header)
        for name, arr in zip(_ARRAYS, arrays):
            f.seek(meta["arrays"][name][2])
            f.write(np.ascontiguousarray(arr).tobytes())
        f.truncate(offset)
    for name in os.listdir(os.path.dirname(cache)):       # caches of older layouts are dead
        if name.startswith("trie-v") and not name.startswith(f"trie-v{CACHE_VERSION}-"):
            try:
                os.unlink(os.path.join(os.path.dirname(cache), name))
            except OSError:
                pass


def load(cache: str) -> tuple[_segment.Trie, float]:
    """The trie and total count saved in ``cache``.

    Raises
    ------
    OSError, ValueError, KeyError
        A missing, foreign, stale or broken file (callers rebuild the trie from the dictionary).
    """
    with open(cache, "rb") as f:
        head = f.read(_DATA_START)
    if head[:8] != _MAGIC:
        raise ValueError("not a trie cache")
    meta = json.loads(head[12 : 12 + int.from_bytes(head[8:12], "little")])
    if meta["version"] != CACHE_VERSION:
        raise ValueError("cache version")
    arrays = []
    for name in _ARRAYS:
        dtype, n, offset = meta["arrays"][name]
        arrays.append(np.memmap(cache, dtype=np.dtype(dtype), mode="c", offset=offset, shape=(n,)))
    if _checksum(arrays) != meta.get("crc32"):
        raise ValueError("cache checksum mismatch (a damaged file)")
    return _segment.Trie(0, (*arrays, meta["n_nodes"], meta["n_keys"])), float(meta["total"])


def _checksum(arrays) -> int:
    """CRC-32 of the arrays' bytes in order (a few ms for jieba's trie)."""
    crc = 0
    for arr in arrays:
        crc = zlib.crc32(memoryview(arr).cast("B"), crc)
    return crc
