"""The segmenter model file: what ``nlpzero learn`` writes and ``Segmenter.load`` reads.

A model is a :class:`~nlpzero.Segmenter`'s dictionary (every word with its score or count) and
the settings that decide how it segments. It is stored as plain arrays, never as a pickle, so a
model file from anyone is safe to load: loading reads numbers and strings, checks them, and
builds the trie from them (it never executes anything from the file).

Layout (all integers little-endian)::

    offset  size  field
    0       8     magic b"NLPZSEGM"
    8       4     format version (uint32), currently 1
    12      4     header length H in bytes (uint32)
    16      32    SHA-256 of every byte from offset 48 to the end of the file
    48      H     header: UTF-8 JSON object (below)
    ...           arrays, each starting at a multiple of 64 bytes, at the offsets the header gives

Header fields: ``format`` (``"nlpzero-segmenter"``), ``kind`` (``"score"``: additive word
scores, as learned; ``"count"``: word counts, scored ``log c − log total``), ``mode``
(``"nlpzero"`` or ``"jieba"``), ``normalize`` (bool), ``unknown_score`` (float, or null for the
count default), ``total`` (float: the total count of a count model), ``hmm``, ``cut_mode`` and
``traditional`` (jieba-mode and traditional-character options), ``forced`` (words kept whole
wherever they occur), ``n_words``, ``learned``
(how the model was learned: a free-form object such as ``{"method": "nvbe", "max_word_len": 4,
...}``, for people), ``nlpzero`` (the version that wrote it) and ``arrays``: name → ``[dtype,
length, offset]`` for

- ``chars`` (``<u4``): the code points of all words, concatenated;
- ``ends`` (``<u8``, ``n_words``): where each word ends in ``chars`` (word i is
  ``chars[ends[i-1]:ends[i]]``, ``ends[-1] == len(chars)``);
- ``values`` (``<f8``, ``n_words``): each word's score (``kind="score"``) or count.

A file whose magic is wrong is not a model; another format version, a checksum mismatch, a
truncated file or an inconsistent header are reported as :class:`~nlpzero.errors.ModelFormatError`
naming the file and what is wrong. A new format version will be written only when the layout
changes; readers refuse versions they do not know.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from typing import Any

import numpy as np

from ._version import __version__
from .errors import ModelFormatError

__all__ = ["FORMAT_VERSION", "MAGIC", "read_model", "write_model"]

MAGIC = b"NLPZSEGM"
FORMAT_VERSION = 1
_FIXED = 48
_ALIGN = 64
_ARRAYS = {"chars": "<u4", "ends": "<u8", "values": "<f8"}
#: largest header accepted (a model's header is a few hundred bytes)
_MAX_HEADER = 1 << 20


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def write_model(path: str | os.PathLike[str], words: list, values: np.ndarray, settings: dict[str, Any]) -> None:
    """Write a model file (atomically): ``words`` with ``values`` and the header ``settings``
    (kind, mode, normalize, unknown_score, total, learned)."""
    from ._io import atomic_write

    codes = np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    arrays = {"chars": codes, "ends": np.cumsum(lengths).astype("<u8"),
              "values": np.asarray(values, dtype="<f8")}
    header = dict(settings, format="nlpzero-segmenter", n_words=len(words), nlpzero=__version__)
    # offsets depend on the header's length, which depends on the offsets' digits: iterate
    offsets = dict.fromkeys(arrays, 0)
    while True:
        header["arrays"] = {name: [_ARRAYS[name], int(a.size), offsets[name]] for name, a in arrays.items()}
        blob = json.dumps(header, sort_keys=True).encode("utf-8")
        pos = _aligned(_FIXED + len(blob))
        placed = {}
        for name, a in arrays.items():
            placed[name] = pos
            pos = _aligned(pos + a.nbytes)
        if placed == offsets:
            break
        offsets = placed
    body = bytearray(pos - _FIXED)
    body[: len(blob)] = blob
    for name, a in arrays.items():
        start = offsets[name] - _FIXED
        body[start : start + a.nbytes] = a.tobytes()
    digest = hashlib.sha256(body).digest()
    with atomic_write(path, "wb") as f:
        f.write(MAGIC + FORMAT_VERSION.to_bytes(4, "little") + len(blob).to_bytes(4, "little") + digest)
        f.write(body)


def read_model(path: str | os.PathLike[str]) -> tuple[list, np.ndarray, dict[str, Any]]:
    """``(words, values, header)`` of a model file, every part checked.

    Raises
    ------
    nlpzero.errors.InputError
        The file cannot be read.
    nlpzero.errors.ModelFormatError
        Not a model, another format version, truncated, damaged or inconsistent.
    """
    from .errors import InputError

    name = os.fspath(path)
    try:
        with open(name, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        raise InputError(f"{name}: no such file", name) from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory, not a model file", name) from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})", name) from None

    def bad(reason: str) -> ModelFormatError:
        return ModelFormatError(f"{name}: {reason}", name)

    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise bad("not an nlpzero segmenter model (no NLPZSEGM signature); write one with "
                  "`nlpzero learn` or Segmenter.save")
    if len(data) < _FIXED:
        raise bad("truncated model file (shorter than its fixed header)")
    version = int.from_bytes(data[8:12], "little")
    if version != FORMAT_VERSION:
        raise bad(f"model format version {version}, but this nlpzero ({__version__}) reads version "
                  f"{FORMAT_VERSION}; learn the model again with this version")
    size = int.from_bytes(data[12:16], "little")
    if size > _MAX_HEADER or _FIXED + size > len(data):
        raise bad("truncated or damaged model file (header runs past the end)")
    if hashlib.sha256(data[_FIXED:]).digest() != data[16:_FIXED]:
        raise bad("damaged or truncated model file (checksum mismatch)")
    try:
        header = json.loads(data[_FIXED : _FIXED + size].decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != "nlpzero-segmenter":
            raise ValueError("not a segmenter header")
        arrays = {}
        for key, dtype in _ARRAYS.items():
            got_dtype, n, offset = header["arrays"][key]
            n, offset = int(n), int(offset)
            if got_dtype != dtype or n < 0 or offset < _FIXED + size or offset % _ALIGN:
                raise ValueError(f"array {key}")
            nbytes = n * np.dtype(dtype).itemsize
            if offset + nbytes > len(data):
                raise ValueError(f"array {key} runs past the end")
            arrays[key] = np.frombuffer(data, dtype=dtype, count=n, offset=offset)
        n_words = int(header["n_words"])
        chars, ends, values = arrays["chars"], arrays["ends"], arrays["values"]
        if ends.size != n_words or values.size != n_words:
            raise ValueError("word arrays disagree")
        if n_words and (ends[-1] != chars.size or (np.diff(ends.astype(np.int64), prepend=0) < 1).any()):
            raise ValueError("word ends")
        if not n_words and chars.size:
            raise ValueError("characters without words")
        if header["kind"] not in ("score", "count") or header["mode"] not in ("nlpzero", "jieba"):
            raise ValueError("kind or mode")
        if not np.isfinite(values).all() or (header["kind"] == "count" and (values < 0).any()):
            raise ValueError("values")
        if (chars > 0x10FFFF).any():
            raise ValueError("code points")
        if header.get("cut_mode", "accurate") not in ("accurate", "search", "full"):
            raise ValueError("cut_mode")
        forced = header.get("forced", [])
        if not isinstance(forced, list) or not all(isinstance(w, str) and w for w in forced):
            raise ValueError("forced words")
        if (header.get("hmm") or header.get("cut_mode", "accurate") != "accurate") and header["mode"] != "jieba":
            raise ValueError("jieba cut options without jieba mode")
        unknown = header.get("unknown_score")
        if unknown is not None and not math.isfinite(float(unknown)):
            raise ValueError("unknown_score")
        if not math.isfinite(float(header.get("total", 0.0))):
            raise ValueError("total")
        text = chars.tobytes().decode("utf-32-le", "surrogatepass")
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise bad(f"inconsistent model file ({exc})") from None
    bounds = np.concatenate(([0], ends.astype(np.int64)))
    words = [text[a:b] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist())]
    return words, np.array(values, dtype=np.float64), header
