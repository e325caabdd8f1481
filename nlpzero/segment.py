"""Dictionary segmentation (SPEC §4): unigram max-probability Viterbi over a compiled trie.

:class:`Segmenter` holds a dictionary in a compiled trie (``nlpzero._segment``) and splits every
run of text into the sequence of dictionary words with the highest total score, by dynamic
programming. Two kinds of scores:

- **counts** (``Segmenter(mapping_of_counts)``): ``score(w) = log c(w) − log Σc``, the unigram
  log-probability, as in jieba and nlp-zero;
- **arbitrary additive scores** (:meth:`Segmenter.from_scores`): the DP maximises the sum of the
  pieces' scores (used by branching-entropy segmentation).

Text model (``mode="nlpzero"``, SPEC §0): a line is cut into runs of word characters (CJK
ideographs, ASCII letters and digits, full-width ones included); whitespace is dropped and every
other character is a token, a repeated one ("——", "……") a single token. A lone middle dot
(``·``, ``‧``, ``・``, ``･``) between two word characters joins the words on either side into one
token, so transliterated names stay whole (``卡尔·马克思``; SPEC §4). A stretch of ASCII letters/digits is never cut inside:
it is one token, or part of a dictionary word that covers all of it (``T恤``, ``卡拉OK``). A single
character — or a whole ASCII stretch — that is not in the dictionary scores like a word seen once
(``log 1 − log Σc``; ``unknown_score`` for score dictionaries); it is a candidate even where
dictionary words start. Matching uses the normalised characters (full-width ASCII → ASCII), output
is always the original characters, so the tokens of a line joined together are the line without
its whitespace.

``mode="jieba"`` reproduces ``jieba.lcut(line, HMM=False)`` (jieba 0.42): blocks of
``[\\u4E00-\\u9FD5a-zA-Z0-9+#&._%-]``, no normalisation (a full-width digit is a token of its own),
a single character is a candidate only where no dictionary word starts, and consecutive
one-character ASCII letter/digit pieces are glued. It is the default for ``Segmenter("jieba")``.

Ties between routes go to the longer first word (jieba's rule).

References
----------
Su Jianlin, "【中文分词系列】 1. 基于AC自动机的快速分词" and "2. 基于切分的新词发现" (kexue.fm, 2016).
Sun Junyi, jieba (https://github.com/fxsjy/jieba): ``Tokenizer.get_DAG`` / ``calc``.
"""
from __future__ import annotations

import hashlib
import math
import os
from dataclasses import dataclass
from collections import deque
from typing import Any, Iterable, Iterator, List, Mapping, Optional, Tuple, Union

import numpy as np

from . import _segment
from ._validate import check_choice, check_float
from .dictionary import (check_dictionary_path, jieba_dict_path, parse_dictionary, read_dictionary,
                         write_jieba_dict)

__all__ = ["Segmenter", "segment_file", "SegmentFileResult", "to_jieba_userdict", "jieba_tokenizer",
           "MODES"]

MODES = ("nlpzero", "jieba")
#: Bump when the trie layout or scoring changes: old cache files are then ignored.
CACHE_VERSION = 5
#: Dictionaries larger than this (bytes) are cached as a compiled trie.
CACHE_MIN_BYTES = 256 << 10
#: Text handed to the kernel per call by the line-oriented methods (characters).
BATCH_CHARS = 1 << 20

_MODE_CODE = {"nlpzero": _segment.MODE_NLPZERO, "jieba": _segment.MODE_JIEBA}


def cache_dir() -> str:
    """Where compiled dictionaries are cached: ``$NLPZERO_CACHE`` or ``~/.cache/nlpzero``."""
    return os.environ.get("NLPZERO_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "nlpzero")


class Segmenter:
    """Segment text with a dictionary by unigram max-probability (Viterbi) over a compiled trie.

    Parameters
    ----------
    dictionary : Mapping[str, float], object with ``to_dict()``, path, or ``"jieba"``
        Word → count (frequency). A path is read with :func:`nlpzero.dictionary.read_dictionary`
        (nlpzero lexicon TSV or jieba format); ``"jieba"`` is jieba's bundled dictionary. Large
        dictionary files are compiled once and cached (``~/.cache/nlpzero``, versioned, written
        atomically), so loading jieba's 350k words takes well under 0.3 s after the first time.
        Counts must be ≥ 0; a count of 0 keeps a word out (like jieba's ``del_word``).
    mode : {"nlpzero", "jieba"}, optional
        Text model (see the module docstring). Default: ``"jieba"`` for ``"jieba"``, else
        ``"nlpzero"``.
    normalize : bool, default True
        In ``"nlpzero"`` mode, match words on normalised characters (full-width ASCII as ASCII).
    user_dicts : sequence of paths
        Dictionaries merged on top, in order (like jieba's ``load_userdict``).
    unknown_score : float, optional
        Score of a character (or ASCII stretch) missing from the dictionary. Default
        ``log 1 − log Σc`` (a word seen once).

    Examples
    --------
    >>> seg = Segmenter({"今天": 10, "天气": 8, "不错": 5, "今": 1, "天": 2})
    >>> seg.lcut("今天天气不错！")
    ['今天', '天气', '不错', '！']
    >>> seg.lcut("ＩＢＭ的电脑")           # a full-width ASCII stretch is one token
    ['ＩＢＭ', '的', '电', '脑']
    """

    def __init__(
        self,
        dictionary: Any,
        *,
        mode: Optional[str] = None,
        normalize: bool = True,
        user_dicts: Iterable[Any] = (),
        unknown_score: Optional[float] = None,
    ):
        if mode is None:
            mode = "jieba" if isinstance(dictionary, str) and dictionary == "jieba" else "nlpzero"
        check_choice("mode", mode, MODES)
        self.mode = mode
        self.normalize = bool(normalize) and mode == "nlpzero"
        self._kind = "count"
        self._unknown = None if unknown_score is None else check_float("unknown_score", unknown_score)
        self.source = None
        if isinstance(dictionary, (str, os.PathLike)):
            path = jieba_dict_path() if os.fspath(dictionary) == "jieba" else os.fspath(dictionary)
            self.source = path
            self._load_path(path)
        else:
            if hasattr(dictionary, "to_dict") and not isinstance(dictionary, Mapping):
                dictionary = dictionary.to_dict()
            if not isinstance(dictionary, Mapping):
                raise TypeError(
                    "`dictionary` must be a mapping word -> count, an object with to_dict(), a path "
                    f"or 'jieba'; got {type(dictionary).__name__}"
                )
            self._build(list(dictionary.items()))
        for user in user_dicts:
            self.load_userdict(user)

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_scores(
        cls,
        scores: Mapping[str, float],
        *,
        unknown_score: float = -20.0,
        mode: str = "nlpzero",
        normalize: bool = True,
    ) -> "Segmenter":
        """A segmenter maximising the sum of arbitrary per-word scores.

        Parameters
        ----------
        scores : Mapping[str, float]
            Word → additive score (any finite float; every key is a word).
        unknown_score : float, default -20.0
            Score of a single character (or ASCII stretch) that is not a key. The default is
            about the log-probability of a word seen once in a billion.

        Examples
        --------
        >>> seg = Segmenter.from_scores({"云计算": 3.0, "计算": 1.0, "云": -1.0}, unknown_score=-5.0)
        >>> seg.lcut("云计算机")
        ['云计算', '机']
        """
        self = cls.__new__(cls)
        check_choice("mode", mode, MODES)
        self.mode = mode
        self.normalize = bool(normalize) and mode == "nlpzero"
        self._kind = "score"
        self._unknown = check_float("unknown_score", unknown_score)
        self.source = None
        self._build(list(scores.items()))
        return self

    def _key(self, word: str) -> str:
        if self.normalize:
            from .corpus import normalize

            return normalize(word)
        return word

    def _check_word(self, word: Any) -> str:
        if not isinstance(word, str) or not word:
            raise ValueError(f"dictionary words must be non-empty str, got {word!r}")
        return self._key(word)

    def _build(self, items: List[Tuple[str, Any]]) -> None:
        words, values = [], np.empty(len(items), dtype=np.float64)
        total = 0.0
        for i, (word, value) in enumerate(items):
            if not isinstance(word, str) or not word:
                raise ValueError(f"dictionary words must be non-empty str, got {word!r}")
            words.append(word)
            try:
                v = float(value)
            except (TypeError, ValueError):
                raise ValueError(f"the value of {word!r} must be a number, got {value!r}") from None
            if not math.isfinite(v) or (self._kind == "count" and v < 0):
                what = "count ≥ 0" if self._kind == "count" else "finite score"
                raise ValueError(f"the value of {word!r} must be a {what}, got {value!r}")
            values[i] = v
            total += v
        if self.normalize and words:             # one pass over all words, not one per word
            joined = "\n".join(words)
            if joined.count("\n") == len(words) - 1:
                words = self._key(joined).split("\n")
            else:
                words = [self._key(w) for w in words]
        self._trie = _segment.Trie(max(16, 2 * len(words)))
        if self._kind == "count":
            keep = values > 0
            with np.errstate(divide="ignore"):
                scores = np.log(values)
            kept_words = [w for w, k in zip(words, keep) if k]
            for w, k in zip(words, keep):     # zero counts: prefixes only, like jieba
                if not k:
                    self._trie.insert(w)
            self._trie.add_words(kept_words, np.ascontiguousarray(scores[keep]))
            # jieba sums every frequency field, duplicates included; so do we
            self.total = total
        else:
            self._trie.add_words(words, values)
            self.total = float(len(words))
        self._trie.compact()

    def _load_path(self, path: str) -> None:
        check_dictionary_path(path)
        # only regular files are cached (a pipe has no stable identity to key the cache on)
        cache = None
        if os.path.isfile(path) and os.path.getsize(path) >= CACHE_MIN_BYTES:
            cache = self._cache_path(path)
        if cache is not None and os.path.exists(cache):
            try:
                self._load_cache(cache)
                return
            except (OSError, ValueError, KeyError):
                pass                          # a stale or broken cache is rebuilt
        entries = read_dictionary(path)
        missing = [w for w, c in entries if c is None]
        self._build([(w, c) for w, c in entries if c is not None])
        for word in missing:
            self.add_word(word)
        if cache is not None:
            try:
                self._save_cache(cache)
            except OSError:
                pass                          # a read-only cache dir only costs speed

    def _cache_path(self, path: str) -> str:
        st = os.stat(path)
        ident = f"{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}|{self.mode}|{self.normalize}"
        digest = hashlib.sha1(ident.encode("utf-8", "surrogatepass")).hexdigest()[:20]
        return os.path.join(cache_dir(), f"trie-v{CACHE_VERSION}-{digest}.bin")

    _CACHE_MAGIC = b"NLPZTRIE"
    _CACHE_ARRAYS = ("root", "root_score", "root_mask", "slots", "score", "flag", "parent", "label")

    def _save_cache(self, cache: str) -> None:
        """One file: magic, header length, JSON header, then each array 64-byte aligned, so a
        load is a few copy-on-write memory maps (no parsing, pages shared by worker processes)."""
        import json

        from ._io import atomic_write

        os.makedirs(os.path.dirname(cache), exist_ok=True)
        *arrays, n_nodes, n_keys = self._trie.state()
        meta = {"version": CACHE_VERSION, "total": self.total, "n_nodes": int(n_nodes),
                "n_keys": int(n_keys), "arrays": {}}
        offset = 4096
        for name, arr in zip(self._CACHE_ARRAYS, arrays):
            meta["arrays"][name] = [arr.dtype.str, arr.shape[0], offset]
            offset += -(-arr.nbytes // 64) * 64
        header = json.dumps(meta).encode("ascii")
        if len(header) > 4096 - 12:
            raise ValueError("cache header too long")
        with atomic_write(cache, "wb") as f:
            f.write(self._CACHE_MAGIC + len(header).to_bytes(4, "little") + header)
            for name, arr in zip(self._CACHE_ARRAYS, arrays):
                f.seek(meta["arrays"][name][2])
                f.write(np.ascontiguousarray(arr).tobytes())
            f.truncate(offset)
        for name in os.listdir(os.path.dirname(cache)):       # caches of older layouts are dead
            if name.startswith("trie-v") and not name.startswith(f"trie-v{CACHE_VERSION}-"):
                try:
                    os.unlink(os.path.join(os.path.dirname(cache), name))
                except OSError:
                    pass

    def _load_cache(self, cache: str) -> None:
        import json

        with open(cache, "rb") as f:
            head = f.read(4096)
        if head[:8] != self._CACHE_MAGIC:
            raise ValueError("not a trie cache")
        meta = json.loads(head[12 : 12 + int.from_bytes(head[8:12], "little")])
        if meta["version"] != CACHE_VERSION:
            raise ValueError("cache version")
        arrays = []
        for name in self._CACHE_ARRAYS:
            dtype, n, offset = meta["arrays"][name]
            arrays.append(np.memmap(cache, dtype=np.dtype(dtype), mode="c", offset=offset, shape=(n,)))
        self.total = float(meta["total"])
        self._trie = _segment.Trie(0, (*arrays, meta["n_nodes"], meta["n_keys"]))

    # ------------------------------------------------------------------ scores
    @property
    def _offset(self) -> float:
        if self._kind == "score":
            return 0.0
        return -math.log(self.total) if self.total > 0 else 0.0

    @property
    def unknown_score(self) -> float:
        """Score of a character (or ASCII stretch) missing from the dictionary."""
        if self._unknown is not None:
            return self._unknown
        return self._offset            # log(1) - log(total)

    def score(self, word: str) -> Optional[float]:
        """The word's score (``log c − log Σc`` for count dictionaries), or None if absent."""
        node = self._trie.find(self._key(word))
        if node <= 0 or not self._trie.flag_arr[node]:
            return None
        return float(self._trie.score_arr[node]) + self._offset

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and bool(word) and self.score(word) is not None

    def __len__(self) -> int:
        return int(self._trie.flag_arr[: self._trie.n_nodes].sum())

    def to_dict(self) -> dict:
        """Word → count (count dictionaries) or score (score dictionaries), keys normalised."""
        nodes = self._trie.word_nodes()
        values = self._trie.score_arr[nodes]
        if self._kind == "count":
            values = np.exp(values)
            near = np.abs(values - np.round(values)) < 1e-6 * np.maximum(values, 1)
            values = np.where(near, np.round(values), values)
        spell = self._trie.spell
        return {spell(int(n)): float(v) for n, v in zip(nodes, values)}

    # ------------------------------------------------------------------ editing
    def add_word(self, word: str, count: Optional[float] = None) -> None:
        """Add ``word`` or change its count (score, for :meth:`from_scores` segmenters).

        With ``count=None`` a count is suggested as jieba does: just large enough for the word to
        beat its best split into other words (at least 1).
        """
        key = self._check_word(word)
        if count is None:
            if self._kind == "score":
                raise ValueError("add_word on a score dictionary needs a score")
            count = self.suggest_count(word)
        value = float(count)
        if not math.isfinite(value) or (self._kind == "count" and value < 0):
            raise ValueError(f"`count` must be a finite number ≥ 0, got {count!r}")
        node = self._trie.insert(key)
        if self._kind == "count":
            if self._trie.flag_arr[node]:
                self.total -= math.exp(self._trie.score_arr[node])
            if value > 0:
                self._trie.set_word(node, math.log(value))
                self.total += value
            else:
                self._trie.unset_word(node)
        else:
            if not self._trie.flag_arr[node]:
                self.total += 1
            self._trie.set_word(node, value)

    def del_word(self, word: str) -> None:
        """Remove ``word`` from the dictionary (no error if absent)."""
        node = self._trie.find(self._check_word(word))
        if node > 0 and self._trie.flag_arr[node]:
            if self._kind == "count":
                self.total -= math.exp(self._trie.score_arr[node])
            else:
                self.total -= 1
            self._trie.unset_word(node)

    def suggest_count(self, word: str) -> float:
        """Smallest count that makes ``word`` win over its current best split (jieba's
        ``suggest_freq`` with ``tune=False``)."""
        if self._kind == "score":
            raise ValueError("suggest_count needs a count dictionary")
        pieces = self.lcut(word)
        logp = 0.0
        for piece in pieces:
            s = self.score(piece)
            logp += self.unknown_score if s is None else s
        current = self.score(word)
        base = math.exp(current - self._offset) if current is not None else 1.0
        return float(max(int(math.exp(logp) * self.total) + 1, base))

    def load_userdict(self, source: Any) -> None:
        """Merge a dictionary on top: a path (nlpzero TSV or jieba format), a mapping, or an
        iterable of dictionary lines. Words without a count get :meth:`suggest_count`."""
        if isinstance(source, (str, os.PathLike)):
            entries = read_dictionary(source)
        elif isinstance(source, Mapping):
            entries = list(source.items())
        elif hasattr(source, "to_dict"):
            entries = list(source.to_dict().items())
        else:
            entries = parse_dictionary(source, "auto", getattr(source, "name", None))
        for word, count in entries:
            self.add_word(word, count)

    # ------------------------------------------------------------------ segmenting
    def _args(self):
        return (self._trie, _MODE_CODE[self.mode], self.normalize, self._offset, self.unknown_score)

    def lcut(self, text: str) -> List[str]:
        """Tokens of ``text`` as a list (whitespace dropped; newlines are whitespace here).

        >>> Segmenter({"北京": 5, "大学": 5, "北京大学": 3}).lcut("北京大学 生")
        ['北京大学', '生']
        """
        if not isinstance(text, str):
            raise TypeError(f"`text` must be str, got {type(text).__name__}")
        if len(text) <= BATCH_CHARS:
            spans = _segment.segment_spans(text, *self._args())
            return [text[a:b] for a, b in spans.tolist()]
        out: List[str] = []
        for piece in self._pieces(text):
            out.extend(self.lcut(piece))
        return out

    def cut(self, text: str) -> Iterator[str]:
        """Tokens of ``text``, as a generator (jieba's ``cut``)."""
        if len(text) <= BATCH_CHARS:
            yield from self.lcut(text)
            return
        for piece in self._pieces(text):
            yield from self.lcut(piece)

    def _pieces(self, text: str) -> Iterator[str]:
        """Cut a long text at boundaries that no run crosses (forced every BATCH_CHARS inside a
        run longer than that)."""
        mode, norm = _MODE_CODE[self.mode], self.normalize
        start = 0
        while len(text) - start > BATCH_CHARS:
            window = text[start : start + BATCH_CHARS]
            cut = _segment.last_boundary(window, mode, norm)
            end = start + (cut + 1 if cut >= 0 else BATCH_CHARS)
            yield text[start:end]
            start = end
        yield text[start:]

    def cut_lines(self, lines: Iterable[str]) -> Iterator[List[str]]:
        """Segment many lines in batches: one list of tokens per input item, in order.

        A line containing ``"\\n"`` is segmented as a whole (its newlines are whitespace).
        """
        batch: List[str] = []
        size = 0
        for line in lines:
            if not isinstance(line, str):
                raise TypeError(f"lines must be str, got {type(line).__name__}")
            if "\n" in line or len(line) > BATCH_CHARS:
                yield from self._batch(batch)
                batch, size = [], 0
                yield self.lcut(line)
                continue
            batch.append(line)
            size += len(line) + 1
            if size >= BATCH_CHARS:
                yield from self._batch(batch)
                batch, size = [], 0
        yield from self._batch(batch)

    def _batch(self, batch: List[str]) -> List[List[str]]:
        if not batch:
            return []
        return _segment.segment_lists("\n".join(batch), *self._args())

    def spans(self, text: str) -> np.ndarray:
        """Token spans of ``text``: an int32 array of shape (k, 2), ``text[a:b]`` for each row
        ``(a, b)`` is a token (in order; whitespace, newlines included, is in no span).

        >>> Segmenter({"北京": 5, "大学": 5}).spans("北京 大学！").tolist()
        [[0, 2], [3, 5], [5, 6]]
        """
        if not isinstance(text, str):
            raise TypeError(f"`text` must be str, got {type(text).__name__}")
        return _segment.segment_spans(text, *self._args())

    def _line_tokens(self, text: str) -> List[List[str]]:
        """One list of tokens per ``\\n``-separated line of ``text`` (a final newline opens an
        empty last line)."""
        return _segment.segment_lists(text, *self._args())

    def segment_bytes(self, text: str, delimiter: str = " ", mid_line: bool = False) -> Tuple[bytes, bool]:
        """``text`` segmented as UTF-8 bytes, tokens joined by ``delimiter`` and lines by ``\\n``
        (the batch path of :func:`segment_file`). Returns the bytes and whether the output ends
        inside a line that already has a token."""
        return _segment.segment_utf8(text, *self._args(), delimiter.encode("utf-8"), mid_line)

    # ------------------------------------------------------------------ pickling
    def __getstate__(self):
        state = dict(self.__dict__)
        state["_trie"] = self._trie.state()
        return state

    def __setstate__(self, state):
        state = dict(state)
        state["_trie"] = _segment.Trie(0, state["_trie"])
        self.__dict__.update(state)

    def __repr__(self) -> str:
        src = f" from {self.source!r}" if self.source else ""
        return f"<Segmenter {len(self)} words{src}, mode={self.mode!r}, {self._kind}s>"


def as_segmenter(dictionary: Any, **kwargs) -> Segmenter:
    """``dictionary`` itself if it is a :class:`Segmenter`, else ``Segmenter(dictionary, **kwargs)``."""
    if isinstance(dictionary, Segmenter):
        return dictionary
    return Segmenter(dictionary, **kwargs)


# ---------------------------------------------------------------------- jieba interop
def _counts_of(lexicon: Any) -> List[Tuple[str, float]]:
    if isinstance(lexicon, Segmenter):
        if lexicon._kind != "count":
            raise ValueError("a score segmenter has no counts to export; pass a count lexicon")
        return list(lexicon.to_dict().items())
    if hasattr(lexicon, "to_dict") and not isinstance(lexicon, Mapping):
        lexicon = lexicon.to_dict()
    if isinstance(lexicon, (str, os.PathLike)):
        return [(w, c) for w, c in read_dictionary(lexicon) if c is not None]
    if not isinstance(lexicon, Mapping):
        raise TypeError(f"expected a lexicon (mapping word -> count), got {type(lexicon).__name__}")
    return list(lexicon.items())


def to_jieba_userdict(lexicon: Any, path: Any = None) -> Union[str, int]:
    """Write a lexicon as a jieba user dictionary (``word freq`` per line).

    Parameters
    ----------
    lexicon : Mapping[str, number], object with ``to_dict()``, count Segmenter, or path
    path : str, os.PathLike, file object or None
        Where to write (atomically for paths). None returns the text instead.

    Returns
    -------
    str or int
        The text when ``path`` is None, else the number of words written.

    Examples
    --------
    >>> to_jieba_userdict({"云计算": 5, "创新办": 3})
    '云计算 5\\n创新办 3\\n'
    """
    entries = [(w, c) for w, c in _counts_of(lexicon) if c > 0]
    if path is None:
        import io

        buf = io.StringIO()
        write_jieba_dict(entries, buf)
        return buf.getvalue()
    return write_jieba_dict(entries, path)


def jieba_tokenizer(lexicon: Any, *, base: Optional[str] = None):
    """A ``jieba.Tokenizer`` loaded with ``lexicon``, for jieba's HMM on top of our words.

    Parameters
    ----------
    lexicon : Mapping[str, number], object with ``to_dict()``, count Segmenter, or path
    base : {None, "jieba"}
        None: the lexicon is the tokenizer's whole dictionary. ``"jieba"``: jieba's own
        dictionary with the lexicon loaded on top as a user dictionary.

    Examples
    --------
    >>> tok = jieba_tokenizer({"云计算": 5, "是": 10, "好": 3})      # doctest: +SKIP
    >>> tok.lcut("云计算是好", HMM=True)                              # doctest: +SKIP
    ['云计算', '是', '好']
    """
    import io
    import shutil
    import tempfile

    import jieba

    text = to_jieba_userdict(lexicon)
    if base == "jieba":
        tok = jieba.Tokenizer()
        tok.initialize()
        tok.load_userdict(io.StringIO(text))
        return tok
    if base is not None:
        raise ValueError(f"`base` must be None or 'jieba', got {base!r}")
    if not text:
        raise ValueError("the lexicon is empty")
    tmp = tempfile.mkdtemp(prefix="nlpzero-jieba-")
    try:
        path = os.path.join(tmp, "dict.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        tok = jieba.Tokenizer(dictionary=path)
        tok.tmp_dir = tmp
        tok.initialize()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return tok



# ---------------------------------------------------------------------- batch jobs over files
@dataclass(frozen=True)
class SegmentFileResult:
    """What :func:`segment_file` did.

    Attributes
    ----------
    lines : int
        Lines written (one per input line; a last input line without a terminator counts when
        it has a token).
    bytes_in, bytes_out : int
        Bytes read (as encoded on input) and written (UTF-8).
    seconds : float
        Wall-clock time.
    jobs : int
        Worker processes used (1 = in this process).
    """

    lines: int
    bytes_in: int
    bytes_out: int
    seconds: float
    jobs: int

    @property
    def mb_per_s(self) -> float:
        """Input megabytes (10⁶ bytes) per second."""
        return self.bytes_in / 1e6 / max(self.seconds, 1e-9)

    def to_dict(self) -> dict:
        return {"lines": self.lines, "bytes_in": self.bytes_in, "bytes_out": self.bytes_out,
                "seconds": self.seconds, "jobs": self.jobs, "mb_per_s": self.mb_per_s}


#: A line longer than this (characters, or bytes on the byte path) is cut at its last boundary
#: character (a place no run crosses, so the result is unchanged), or, inside a longer run, at
#: this length.
MAX_PIECE_CHARS = 4 << 20
#: Inputs smaller than this are segmented in this process (starting workers costs more).
SMALL_INPUT_BYTES = 8 << 20
#: The first chunk is small so that the first output line comes quickly.
FIRST_CHUNK_CHARS = 1 << 15
#: Encodings in which byte 0x0A is always a newline (never inside a multi-byte character), so
#: the parent can cut raw bytes at newlines and leave decoding to the workers.
_NEWLINE_SAFE = {"utf-8", "ascii", "latin-1", "iso8859-1", "cp1252", "gb2312", "gbk", "gb18030",
                 "big5", "big5hkscs", "cp950", "cp936", "euc_jp", "euc_kr", "shift_jis", "cp932"}

def _text_chunks(corpus, segmenter: Segmenter, progress) -> Iterator[str]:
    """Decoded text in pieces that end at a newline (or, in a huge line, at a boundary)."""
    mode, norm = _MODE_CODE[segmenter.mode], segmenter.normalize
    carry = ""
    first = True
    for text in corpus.texts(progress):
        buf = carry + text if carry else text
        if first and len(buf) > 2 * FIRST_CHUNK_CHARS:
            cut = buf.rfind("\n", 0, FIRST_CHUNK_CHARS)
            if cut >= 0:
                yield buf[: cut + 1]
                buf = buf[cut + 1 :]
        first = False
        cut = buf.rfind("\n")
        if cut >= 0:
            yield buf[: cut + 1]
            carry = buf[cut + 1 :]
        elif len(buf) >= MAX_PIECE_CHARS:
            cut = _segment.last_boundary(buf, mode, norm)
            end = cut + 1 if cut >= 0 else len(buf)
            yield buf[:end]
            carry = buf[end:]
        else:
            carry = buf
    if carry:
        yield carry


def _byte_chunks(corpus, segmenter: Segmenter, progress) -> Iterator[Union[Tuple[int, bytes], str]]:
    """Raw byte pieces ``(offset, bytes)`` that end at a newline, read without decoding (workers
    decode). A line longer than MAX_PIECE_CHARS bytes is decoded here and handed out as ``str``
    pieces cut at boundaries. Reads with :meth:`Corpus.blocks` (BinaryInputError on binary input)."""
    import codecs

    from .errors import DecodeError

    mode, norm = _MODE_CODE[segmenter.mode], segmenter.normalize
    carry = b""
    offset = 0                     # file offset of carry[0]
    first = True
    for _, block in corpus.blocks(progress):
        buf = carry + block if carry else block
        if first and len(buf) > 2 * FIRST_CHUNK_CHARS:
            cut = buf.rfind(b"\n", 0, FIRST_CHUNK_CHARS)
            if cut >= 0:
                yield offset, buf[: cut + 1]
                offset += cut + 1
                buf = buf[cut + 1 :]
        first = False
        cut = buf.rfind(b"\n")
        if cut >= 0:
            yield offset, buf[: cut + 1]
            offset += cut + 1
            carry = buf[cut + 1 :]
        elif len(buf) >= MAX_PIECE_CHARS:
            decoder = codecs.getincrementaldecoder(corpus.encoding)(corpus.errors)
            try:
                text = decoder.decode(buf, False)
            except UnicodeDecodeError as exc:
                raise DecodeError(corpus.path, offset + exc.start, corpus.encoding, exc.reason) from None
            pending = decoder.getstate()[0]
            cut = _segment.last_boundary(text, mode, norm)
            end = cut + 1 if cut >= 0 else len(text)
            yield text[:end]
            carry = buf[len(buf) - len(pending) - len(text[end:].encode(corpus.encoding)) :] \
                if corpus.errors == "strict" else text[end:].encode(corpus.encoding) + pending
            offset += len(buf) - len(carry)
        else:
            carry = buf
    if carry:
        yield offset, carry


def _segment_piece(segmenter: Segmenter, delimiter: str, encoding: str, errors: str, piece):
    """Segment one piece: ``str``, or ``(offset, bytes)`` decoded here. Returns
    ``(bytes, mid_line)`` or, for undecodable bytes, ``(None, (file offset, reason))``."""
    if not isinstance(piece, str):
        offset, raw = piece
        try:
            piece = raw.decode(encoding, errors)
        except UnicodeDecodeError as exc:
            return None, (offset + exc.start, exc.reason)
    return segmenter.segment_bytes(piece, delimiter)


class _Workers:
    """Worker processes fed in turn, one piece in flight each, results read back in order.

    Deliberately not ``multiprocessing.Pool``: the parent has no helper threads and the
    workers share no locks, so a signal may interrupt the parent anywhere and ``close()`` can
    still kill and reap every worker (Pool's ``terminate()`` could deadlock there). Each
    worker has its own pipe; the parent sends a worker its next piece only after reading its
    previous result, so neither side ever blocks sending while the other is sending too.
    """

    def __init__(self, n: int, work: tuple):
        import multiprocessing as mp

        ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        self.procs, self.conns = [], []
        self.busy: deque = deque()                 # worker indices with a piece in flight, oldest first
        self.next = 0
        try:
            for _ in range(n):
                ours, theirs = ctx.Pipe(duplex=True)
                proc = ctx.Process(target=_worker_main, args=(theirs, work), daemon=True)
                proc.start()
                theirs.close()
                self.procs.append(proc)
                self.conns.append(ours)
        except BaseException:
            self.kill()
            raise

    def full(self) -> bool:
        return len(self.busy) == len(self.procs)

    def submit(self, piece) -> None:
        k = self.next
        self.next = (k + 1) % len(self.procs)
        self.conns[k].send(piece)
        self.busy.append(k)

    def result(self):
        """The result of the oldest piece in flight."""
        k = self.busy.popleft()
        try:
            out = self.conns[k].recv()
        except EOFError:
            code = self.procs[k].exitcode
            raise RuntimeError(f"a segmentation worker died (exit code {code}); out of memory?") from None
        if out[0] == "error":
            raise RuntimeError(f"a segmentation worker failed: {out[1]}")
        return out

    def close(self) -> None:
        """Normal end: no pieces in flight; workers exit on a None."""
        for conn in self.conns:
            conn.send(None)
        for proc, conn in zip(self.procs, self.conns):
            proc.join()
            conn.close()

    def kill(self) -> None:
        for proc in self.procs:
            if proc.exitcode is None:
                proc.kill()
        for proc, conn in zip(self.procs, self.conns):
            proc.join()
            conn.close()


def _worker_main(conn, work: tuple) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)      # the parent handles Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:                                              # die with the parent, even on SIGKILL
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os._exit(1)
    except (OSError, AttributeError):
        pass
    while True:
        try:
            piece = conn.recv()
        except EOFError:
            break
        if piece is None:
            break
        try:
            out = _segment_piece(*work, piece)
        except BaseException as exc:                  # MemoryError and the like: report, go on
            out = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(out)
    conn.close()


def default_jobs() -> int:
    """Cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:               # not Linux
        return os.cpu_count() or 1


def segment_file(
    corpus: Any,
    output: Any = None,
    *,
    segmenter: Any = "jieba",
    jobs: Optional[int] = None,
    delimiter: str = " ",
    encoding: str = "utf-8",
    errors: str = "strict",
    progress: Any = False,
) -> SegmentFileResult:
    """Segment a file (any size) line by line into another, on all cores, keeping line order.

    Each output line holds the tokens of the input line joined by ``delimiter`` (whitespace is
    dropped, every input line gives one output line, UTF-8). Memory stays bounded: at most
    ``jobs + 1`` chunks of about 1 MB are in flight. The parent process only cuts the raw
    bytes at newlines and writes results in order; workers decode and segment. A line longer
    than 4 M characters is handled in pieces cut where no run crosses (inside a run longer than
    that, the cut is forced).

    Parameters
    ----------
    corpus : path, ``"-"``, file object, iterable of str, or Corpus
        The input (see :class:`nlpzero.Corpus`).
    output : path, ``"-"``, None, or file object
        A path is written atomically (temporary file + rename, removed on error, Ctrl-C or
        SIGTERM); ``"-"`` or None is standard output; a file object receives bytes (or str if it
        is a text file).
    segmenter : Segmenter or anything :class:`Segmenter` accepts
        Default: jieba's dictionary (in jieba mode).
    jobs : int, optional
        Worker processes (default: all cores this process may use). Inputs under 8 MB are done
        in this process.
    delimiter : str, default " "
    encoding, errors
        Passed to :class:`~nlpzero.Corpus` when ``corpus`` is not one already.
    progress : bool or callable
        True shows bytes, MB/s and lines/s on stderr for large inputs.

    Returns
    -------
    SegmentFileResult

    Raises
    ------
    nlpzero.errors.InputError, DecodeError, BinaryInputError
        Unreadable, undecodable (the error names the byte offset) or binary input (nothing is
        left at ``output``).

    Examples
    --------
    >>> segment_file("news.txt", "news.seg.txt", segmenter="jieba", jobs=4)      # doctest: +SKIP
    SegmentFileResult(lines=19484, bytes_in=5543424, ...)
    """
    import codecs
    import time

    from ._io import _check_output_path, atomic_write
    from ._progress import make_progress
    from ._validate import check_int
    from .corpus import Corpus
    from .errors import DecodeError

    start = time.perf_counter()
    seg = as_segmenter(segmenter)
    jobs = default_jobs() if jobs is None else check_int("jobs", jobs, minimum=1)
    if not isinstance(delimiter, str):
        raise TypeError(f"`delimiter` must be str, got {type(delimiter).__name__}")
    source = corpus if isinstance(corpus, Corpus) else Corpus(corpus, encoding=encoding, errors=errors)
    if source.size is not None and source.size < SMALL_INPUT_BYTES:
        jobs = 1
    if isinstance(output, (str, os.PathLike)) and os.fspath(output) != "-":
        _check_output_path(os.fspath(output))       # fail before reading anything
    meter = make_progress(progress, source.size, "segmenting")
    byte_path = (source.is_binary
                 and codecs.lookup(source.encoding).name in _NEWLINE_SAFE)
    work = (seg, delimiter, source.encoding, source.errors)
    counts = {"lines": 0, "out": 0, "last": b""}

    def run(write) -> None:
        mid = False
        delim = delimiter.encode("utf-8")

        def emit(data, started) -> None:
            nonlocal mid
            if data is None:
                raise DecodeError(source.path, started[0], source.encoding, started[1])
            if mid and data[:1] not in (b"", b"\n"):
                write(delim)
                counts["out"] += len(delim)
            write(data)
            counts["out"] += len(data)
            nl = data.count(b"\n")              # one output newline per input newline
            counts["lines"] += nl
            meter.update(0, nl)
            mid = started or (mid and not nl)
            if data:
                counts["last"] = data[-1:]

        chunks = _byte_chunks(source, seg, meter) if byte_path else _text_chunks(source, seg, meter)
        if jobs == 1:
            for piece in chunks:
                emit(*_segment_piece(*work, piece))
            return
        first = next(chunks, None)            # done here while no worker exists yet: the first
        if first is None:                     # output line does not wait for the workers to start
            return
        emit(*_segment_piece(*work, first))
        import signal

        old_term = signal.getsignal(signal.SIGTERM)

        def on_term(signum, frame):
            raise SystemExit(128 + signum)

        in_main = _is_main_thread()
        workers = _Workers(jobs, work)
        if in_main:                           # after the fork: workers keep the default action
            signal.signal(signal.SIGTERM, on_term)
        try:
            for piece in chunks:
                if workers.full():
                    emit(*workers.result())
                workers.submit(piece)
            while workers.busy:
                emit(*workers.result())
            workers.close()
        except BaseException:
            workers.kill()
            raise
        finally:
            if in_main:
                signal.signal(signal.SIGTERM, old_term)

    try:
        if output is None or (isinstance(output, (str, os.PathLike)) and os.fspath(output) == "-"):
            import sys

            stream = sys.stdout.buffer

            def write(data: bytes) -> None:
                stream.write(data)
                stream.flush()

            run(write)
        elif isinstance(output, (str, os.PathLike)):
            with atomic_write(output, "wb") as f:
                run(f.write)
        elif hasattr(output, "write"):
            import io

            if isinstance(output, io.TextIOBase):
                run(lambda data: output.write(data.decode("utf-8")))
            else:
                run(output.write)
        else:
            raise TypeError(f"`output` must be a path, '-', None or a file object, got {type(output).__name__}")
    finally:
        meter.close()
    # a last line without a terminator still counts (its output has no newline either)
    lines = counts["lines"] + (1 if counts["last"] not in (b"", b"\n") else 0)
    return SegmentFileResult(lines, meter.done, counts["out"], time.perf_counter() - start, jobs)


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()
