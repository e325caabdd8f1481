"""The segmenter model file: what ``nlpzero learn`` writes and :func:`load_model` reads.

A model is one of two segmenters, named by the header's ``segmenter`` field:

- ``"dictionary"``: a :class:`~nlpzero.Segmenter`'s dictionary (every word with its score or
  count) and the settings that decide how it segments (``learn_segmenter(method="nvbe")``,
  ``Segmenter.save``);
- ``"joint"``: a :class:`~nlpzero.joint.JointSegmenter`, the joint model's averaged perceptron
  (``learn_segmenter(method="joint")``, ``JointSegmenter.save``).

It is stored as plain arrays, never as a pickle, so a model file from anyone is safe to load:
loading reads numbers and strings, checks them, and builds the segmenter from them (it never
executes anything from the file).

Layout (all integers little-endian)::

    offset  size  field
    0       8     magic b"NLPZSEGM"
    8       4     format version (uint32), currently 2 (version 1 files, dictionary models
                  written before the joint model could be saved, are still read)
    12      4     header length H in bytes (uint32)
    16      32    SHA-256 of every byte from offset 48 to the end of the file
    48      H     header: UTF-8 JSON object (below)
    ...           arrays, each starting at a multiple of 64 bytes, at the offsets the header gives

Header fields common to both: ``format`` (``"nlpzero-segmenter"``), ``segmenter``
(``"dictionary"`` or ``"joint"``; absent in version 1, meaning ``"dictionary"``), ``normalize``
(bool: full-width forms and ideographic punctuation folded as the corpus reader does),
``learned`` (how the model was learned: a free-form object such as ``{"method": "nvbe",
"max_word_len": 4, ...}``, for people), ``nlpzero`` (the version that wrote it) and ``arrays``:
name → ``[dtype, length, offset]``.

A dictionary model's fields: ``kind`` (``"score"``: additive word
scores, as learned; ``"count"``: word counts, scored ``log c − log total``), ``mode``
(``"nlpzero"`` or ``"jieba"``), ``normalize`` (bool), ``unknown_score`` (float, or null for the
count default), ``total`` (float: the total count of a count model), ``hmm``, ``cut_mode`` and
``traditional`` (jieba-mode and traditional-character options), ``forced`` (words kept whole
wherever they occur), ``n_words`` and the arrays

- ``chars`` (``<u4``): the code points of all words, concatenated;
- ``ends`` (``<u8``, ``n_words``): where each word ends in ``chars`` (word i is
  ``chars[ends[i-1]:ends[i]]``, ``ends[-1] == len(chars)``);
- ``values`` (``<f8``, ``n_words``): each word's score (``kind="score"``) or count.

A joint model's fields: ``mode`` (``"nlpzero"``: the text model of :class:`~nlpzero.Segmenter`),
``features`` (the feature template and hash function of the perceptron, ``"window5-mix64"``:
the ten character-window features of :mod:`nlpzero.joint`, each hashed by a 64-bit mixer into
``2**feature_bits`` buckets; a reader refuses templates it does not implement), ``feature_bits``
(int, 1..26), ``number_rule`` (``1``: decimal numbers, percentages and middle-dot-joined digits
kept one token), ``epochs`` (perceptron epochs trained) and the arrays

- ``weight_index`` (``<u8``): the non-zero entries of the weight vector, as ``bucket * 4 + tag``
  (tags B, M, E, S = 0..3), increasing;
- ``weight_value`` (``<f4``, same length): their weights (every other weight is 0);
- ``transitions`` (``<f4``, 20): the tag transition weights, ``prev * 4 + tag`` (prev 4: the
  start of a run).

A file whose magic is wrong is not a model; another format version, a checksum mismatch, a
truncated file or an inconsistent header are reported as :class:`~nlpzero.errors.ModelFormatError`
naming the file and what is wrong; a model of the other segmenter where one kind is required
(``Segmenter.load`` of a joint model, ``JointSegmenter.load`` of a dictionary) is a
:class:`~nlpzero.errors.ModelKindError`. A new format version will be written only when the
layout changes; readers refuse versions they do not know.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
from typing import Any

import numpy as np

from ._version import __version__
from .errors import ModelFormatError, ModelKindError
from .protocol import SegmenterLike

__all__ = ["FORMAT_VERSION", "JOINT_FEATURES", "MAGIC", "load_model", "read_joint_model", "read_model",
           "write_joint_model", "write_model"]

MAGIC = b"NLPZSEGM"
FORMAT_VERSION = 2
#: versions this reader understands (1: dictionary models only, no ``segmenter`` field)
_READABLE = (1, 2)
_FIXED = 48
_ALIGN = 64
_ARRAYS = {"dictionary": {"chars": "<u4", "ends": "<u8", "values": "<f8"},
           "joint": {"weight_index": "<u8", "weight_value": "<f4", "transitions": "<f4"}}
#: the perceptron feature template and hash this version implements
JOINT_FEATURES = "window5-mix64"
_SEGMENTERS = {"dictionary": "a dictionary segmenter (nlpzero.Segmenter)",
               "joint": "a joint model (nlpzero.joint.JointSegmenter)"}
#: largest header accepted (a model's header is a few hundred bytes)
_MAX_HEADER = 1 << 20


def _aligned(n: int) -> int:
    return -(-n // _ALIGN) * _ALIGN


def write_model(path: str | os.PathLike[str], words: list, values: np.ndarray, settings: dict[str, Any]) -> None:
    """Write a dictionary model file (atomically): ``words`` with ``values`` and the header
    ``settings`` (kind, mode, normalize, unknown_score, total, learned)."""
    codes = np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), dtype="<u4")
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    arrays = {"chars": codes, "ends": np.cumsum(lengths).astype("<u8"),
              "values": np.asarray(values, dtype="<f8")}
    _write(path, "dictionary", arrays, dict(settings, n_words=len(words)))


def write_joint_model(path: str | os.PathLike[str], weights: np.ndarray, transitions: np.ndarray,
                      settings: dict[str, Any]) -> None:
    """Write a joint model file (atomically): the perceptron's dense ``weights`` (``4 <<
    feature_bits`` of them, stored sparsely) and ``transitions`` (20), and the header
    ``settings`` (normalize, epochs, learned)."""
    weights = np.asarray(weights, dtype=np.float32)
    bits = int(weights.size // 4).bit_length() - 1
    if weights.size != 4 << bits:
        raise ValueError("the perceptron weights must number 4 * 2**bits")
    nz = np.flatnonzero(weights)
    arrays = {"weight_index": nz.astype("<u8"), "weight_value": weights[nz].astype("<f4"),
              "transitions": np.asarray(transitions, dtype="<f4")}
    _write(path, "joint", arrays, dict(settings, mode="nlpzero", features=JOINT_FEATURES, feature_bits=bits,
                                       number_rule=1))


def _write(path, segmenter: str, arrays: dict[str, np.ndarray], settings: dict[str, Any]) -> None:
    from ._io import atomic_write

    header = dict(settings, format="nlpzero-segmenter", segmenter=segmenter, nlpzero=__version__)
    dtypes = _ARRAYS[segmenter]
    # offsets depend on the header's length, which depends on the offsets' digits: iterate
    offsets = dict.fromkeys(arrays, 0)
    while True:
        header["arrays"] = {name: [dtypes[name], int(a.size), offsets[name]] for name, a in arrays.items()}
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
        body[start : start + a.nbytes] = np.ascontiguousarray(a, dtype=dtypes[name]).tobytes()
    digest = hashlib.sha256(body).digest()
    with atomic_write(path, "wb") as f:
        f.write(MAGIC + FORMAT_VERSION.to_bytes(4, "little") + len(blob).to_bytes(4, "little") + digest)
        f.write(body)


def _read(path) -> tuple[str, dict[str, Any], dict[str, np.ndarray], Any]:
    """``(name, header, arrays, bad)`` of a model file: the container checked (signature,
    version, checksum, header, array bounds); ``bad(reason)`` makes the error naming the file."""
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
    if version not in _READABLE:
        raise bad(f"model format version {version}, but this nlpzero ({__version__}) reads versions "
                  f"{', '.join(map(str, _READABLE))}; learn the model again with this version")
    size = int.from_bytes(data[12:16], "little")
    if size > _MAX_HEADER or _FIXED + size > len(data):
        raise bad("truncated or damaged model file (header runs past the end)")
    if hashlib.sha256(data[_FIXED:]).digest() != data[16:_FIXED]:
        raise bad("damaged or truncated model file (checksum mismatch)")
    try:
        header = json.loads(data[_FIXED : _FIXED + size].decode("utf-8"))
        if not isinstance(header, dict) or header.get("format") != "nlpzero-segmenter":
            raise ValueError("not a segmenter header")
        segmenter = header.setdefault("segmenter", "dictionary") if version == 1 else header["segmenter"]
        if segmenter not in _ARRAYS or (version == 1 and segmenter != "dictionary"):
            raise ValueError(f"segmenter {segmenter!r}")
        arrays = {}
        for key, dtype in _ARRAYS[segmenter].items():
            got_dtype, n, offset = header["arrays"][key]
            n, offset = int(n), int(offset)
            if got_dtype != dtype or n < 0 or offset < _FIXED + size or offset % _ALIGN:
                raise ValueError(f"array {key}")
            nbytes = n * np.dtype(dtype).itemsize
            if offset + nbytes > len(data):
                raise ValueError(f"array {key} runs past the end")
            arrays[key] = np.frombuffer(data, dtype=dtype, count=n, offset=offset)
    except (KeyError, TypeError, ValueError, UnicodeDecodeError) as exc:
        raise bad(f"inconsistent model file ({exc})") from None
    return name, header, arrays, bad


def _want(name: str, header: dict[str, Any], segmenter: str) -> None:
    got = header["segmenter"]
    if got != segmenter:
        loader = "nlpzero.Segmenter.load" if got == "dictionary" else "nlpzero.joint.JointSegmenter.load"
        raise ModelKindError(f"{name}: the file holds {_SEGMENTERS[got]}, not {_SEGMENTERS[segmenter]}; "
                             f"load it with nlpzero.load_model or {loader}", name)


def read_model(path: str | os.PathLike[str]) -> tuple[list, np.ndarray, dict[str, Any]]:
    """``(words, values, header)`` of a dictionary model file, every part checked.

    Raises
    ------
    nlpzero.errors.InputError
        The file cannot be read.
    nlpzero.errors.ModelFormatError
        Not a model, another format version, truncated, damaged or inconsistent.
    nlpzero.errors.ModelKindError
        The file holds a joint model.
    """
    name, header, arrays, bad = _read(path)
    _want(name, header, "dictionary")
    try:
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


def read_joint_model(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """``(weights, transitions, header)`` of a joint model file (dense float32 weights, ``4 <<
    feature_bits`` of them), every part checked.

    Raises
    ------
    nlpzero.errors.InputError
        The file cannot be read.
    nlpzero.errors.ModelFormatError
        Not a model, another format version or feature template, truncated, damaged or
        inconsistent.
    nlpzero.errors.ModelKindError
        The file holds a dictionary segmenter.
    """
    name, header, arrays, bad = _read(path)
    _want(name, header, "joint")
    if header.get("features") != JOINT_FEATURES:
        raise bad(f"perceptron features {header.get('features')!r}, but this nlpzero ({__version__}) "
                  f"implements {JOINT_FEATURES!r}; learn the model again with this version")
    try:
        bits = header["feature_bits"]
        if not isinstance(bits, int) or isinstance(bits, bool) or not 1 <= bits <= 26:
            raise ValueError("feature_bits")
        if header["mode"] != "nlpzero" or header.get("number_rule") != 1:
            raise ValueError("text model")
        if not isinstance(header["normalize"], bool):
            raise ValueError("normalize")
        index, value, trans = arrays["weight_index"], arrays["weight_value"], arrays["transitions"]
        n = 4 << bits
        if index.size != value.size or trans.size != 20:
            raise ValueError("weight arrays disagree")
        if index.size and (int(index[-1]) >= n or (np.diff(index.astype(np.int64)) < 1).any()):
            raise ValueError("weight indices")
        if not (np.isfinite(value).all() and np.isfinite(trans).all()):
            raise ValueError("weights")
    except (KeyError, TypeError, ValueError) as exc:
        raise bad(f"inconsistent model file ({exc})") from None
    weights = np.zeros(n, dtype=np.float32)
    weights[index.astype(np.int64)] = value
    return weights, np.array(trans, dtype=np.float32), header


def load_model(path: str | os.PathLike[str]) -> SegmenterLike:
    """The segmenter of a model file of either kind: a :class:`~nlpzero.Segmenter` for a
    dictionary model, a :class:`~nlpzero.joint.JointSegmenter` for a joint model (both are
    :class:`~nlpzero.protocol.SegmenterLike`).

    Raises
    ------
    nlpzero.errors.InputError
        The file cannot be read.
    nlpzero.errors.ModelFormatError
        Not a model, another format version, truncated, damaged or inconsistent.

    Examples
    --------
    >>> import os, tempfile
    >>> from nlpzero import Segmenter, load_model
    >>> path = os.path.join(tempfile.mkdtemp(), "model.nlpz")
    >>> Segmenter.from_scores({"云计算": 3.0}, unknown_score=-5.0).save(path)
    >>> load_model(path).lcut("云计算机")
    ['云计算', '机']
    """
    name, header, _, _ = _read(path)
    if header["segmenter"] == "joint":
        from .joint import JointSegmenter

        return JointSegmenter.load(name)
    from .segment import Segmenter

    return Segmenter.load(name)
