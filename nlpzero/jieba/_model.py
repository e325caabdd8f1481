"""The data behind :mod:`nlpzero.jieba`: jieba's HMM tables (read from the installed jieba at
run time), the process-wide force-split set, the main dictionary (read as jieba's
``gen_pfdict`` reads it, through the compiled-dictionary cache) and the read-only ``FREQ`` view.
Internal."""
from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from .. import _segment
from ..errors import FormatError, InputError

if TYPE_CHECKING:
    from . import Tokenizer


# ---------------------------------------------------------------------- the HMM (finalseg)
_HMM_LOCK = threading.Lock()
_HMM_STATES = "BEMS"            # the kernel's order (alphabetical: jieba breaks ties by letter)
_HMM_MIN = -3.14e100            # jieba's finalseg.MIN_FLOAT


def hmm_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """jieba's HMM log-probabilities as arrays, read from the installed jieba package.

    Returns
    -------
    start : ndarray (4,), trans : ndarray (4, 4), emit : ndarray (4, 20950)
        States in the order B, E, M, S; ``emit[s, c - 0x4E00]`` for the characters U+4E00 to
        U+9FD5 (the only ones the HMM sees); missing entries are jieba's ``-3.14e100``.

    Examples
    --------
    >>> start, trans, emit = hmm_tables()
    >>> emit.shape
    (4, 20950)
    """
    try:
        from jieba.finalseg.prob_emit import P as emit_p
        from jieba.finalseg.prob_start import P as start_p
        from jieba.finalseg.prob_trans import P as trans_p
    except ImportError:
        raise InputError("jieba's HMM tables were asked for, but jieba is not installed "
                         "(pip install jieba)") from None
    start = np.array([start_p.get(s, _HMM_MIN) for s in _HMM_STATES], dtype=np.float64)
    trans = np.array([[trans_p.get(a, {}).get(b, _HMM_MIN) for b in _HMM_STATES]
                      for a in _HMM_STATES], dtype=np.float64)
    n = 0x9FD5 - 0x4E00 + 1
    emit = np.full((4, n), _HMM_MIN, dtype=np.float64)
    for i, s in enumerate(_HMM_STATES):
        for ch, p in emit_p.get(s, {}).items():
            c = ord(ch) - 0x4E00
            if 0 <= c < n:
                emit[i, c] = p
    return start, trans, emit


def ensure_hmm() -> None:
    """Hand jieba's HMM tables to the segmentation kernel once (thread-safe); the kernels of
    ``HMM=True`` cuts and of ``Segmenter(..., hmm=True)`` need them."""
    if _segment.jieba_hmm_ready():
        return
    with _HMM_LOCK:
        if not _segment.jieba_hmm_ready():
            _segment.jieba_set_hmm(*hmm_tables())


#: Words the HMM never outputs whole: jieba adds every word given frequency 0 (``del_word``)
#: to one process-wide set (its ``finalseg.Force_Split_Words``); so does this module.
Force_Split_Words: set = set()
_FORCE_LOCK = threading.Lock()


def _add_force_split(word: str) -> None:
    with _FORCE_LOCK:
        if word in Force_Split_Words:
            return
        Force_Split_Words.add(word)
        trie = _segment.Trie(max(16, 2 * len(Force_Split_Words)))
        words = sorted(w for w in Force_Split_Words if w)
        trie.add_words(words, np.zeros(len(words)))
        _segment.jieba_set_force_split(trie)


# ---------------------------------------------------------------------- dictionary files
def _abs_path(path: Any) -> str:
    return os.path.normpath(os.path.join(os.getcwd(), os.fspath(path)))


def _default_dict_path() -> str:
    from .interop import jieba_dict_path

    return jieba_dict_path()


def _read_main_dict(path: str) -> tuple[dict[str, int], int]:
    """jieba's ``gen_pfdict`` without the prefix entries: ``word freq`` lines, every line must
    parse (the error names the file and line), later duplicates win, the total sums them all."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the dictionary: {exc.strerror or exc}", path) from None
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    freq: dict[str, int] = {}
    total = 0
    for lineno, raw in enumerate(lines, 1):
        try:
            line = raw.strip().decode("utf-8")
            word, value = line.split(" ")[:2]
            value = int(value)
        except ValueError:
            raise FormatError(path, lineno, f"expected 'word freq [tag]', got {raw[:60]!r}") from None
        if value < 0:
            raise FormatError(path, lineno, f"the frequency must be ≥ 0, got {value}")
        freq[word] = value
        total += value
    return freq, total


def _build_trie(freq: dict[str, int]) -> _segment.Trie:
    trie = _segment.Trie(max(16, 2 * len(freq)))
    words = [w for w, c in freq.items() if c > 0 and w]
    log = math.log
    trie.add_words(words, np.array([log(freq[w]) for w in words], dtype=np.float64))
    for w, c in freq.items():
        if c == 0 and w:
            trie.insert(w)               # a zero frequency: only a prefix, as in jieba
    trie.compact()
    return trie


#: Frequencies up to this are recovered exactly from a cached trie's log-frequencies.
_EXACT_FREQ = 1 << 40


def _load_main_dict(path: str) -> tuple[dict[str, int], _segment.Trie, int]:
    """(exact frequencies not in the trie, trie, total) of a main dictionary, through the
    compiled-dictionary cache: a cached trie holds ``log freq`` (computed by ``math.log``, as
    jieba does), from which each frequency is recovered exactly."""
    from .. import _trie_cache

    cache = _trie_cache.cache_path(path, "jieba-dropin", False)
    if cache is not None and os.path.exists(cache):
        try:
            trie, total = _trie_cache.load(cache)
            return {}, trie, int(total)
        except (OSError, ValueError, KeyError):
            pass                          # a stale or broken cache is rebuilt
    freq, total = _read_main_dict(path)
    trie = _build_trie(freq)
    if cache is not None and total < 2 ** 53 and all(c < _EXACT_FREQ for c in freq.values()):
        try:
            _trie_cache.save(cache, trie, float(total))
        except OSError:
            pass                          # a read-only cache only costs speed
    return freq, trie, total


class _FreqView:
    """Read-only view of a tokenizer's frequencies with jieba's ``FREQ`` semantics: words map
    to their frequency, every prefix of a word that is not a word itself maps to 0."""

    def __init__(self, tok: Tokenizer):
        self._tok = tok

    def get(self, key: Any, default: Any = None) -> Any:
        tok = self._tok
        if tok._trie is None or not isinstance(key, str) or not key:
            return default
        value = tok._freq.get(key)
        if value is not None:
            return value
        node = tok._trie.find(key)
        if node <= 0:
            return default
        if not tok._trie.flag_arr[node]:
            return 0                      # a prefix, or a word of frequency 0
        return int(round(math.exp(tok._trie.score_arr[node])))

    def __getitem__(self, key: Any) -> int:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __contains__(self, key: Any) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return 0 if self._tok._trie is None else int(self._tok._trie.n_nodes) - 1

    def __iter__(self) -> Iterator[str]:
        trie = self._tok._trie
        if trie is None:
            return iter(())
        return (trie.spell(i) for i in range(1, int(trie.n_nodes)))

    def keys(self):
        return iter(self)

    def items(self):
        return ((k, self[k]) for k in self)

    def __repr__(self) -> str:
        return f"<FREQ of {self._tok!r}: {len(self)} keys>"
