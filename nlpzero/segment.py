"""Dictionary segmentation: unigram max-probability Viterbi over a compiled trie.

:class:`Segmenter` holds a dictionary in a compiled trie (``nlpzero._segment``) and splits every
run of text into the sequence of dictionary words with the highest total score, by dynamic
programming. Two kinds of scores:

- **counts** (``Segmenter(mapping_of_counts)``): ``score(w) = log c(w) − log Σc``, the unigram
  log-probability, as in jieba and nlp-zero;
- **arbitrary additive scores** (:meth:`Segmenter.from_scores`): the DP maximises the sum of the
  pieces' scores (used by branching-entropy segmentation).

Text model (``mode="nlpzero"``): a line is cut into runs of word characters (CJK
ideographs, ASCII letters and digits, full-width ones included); whitespace is dropped and every
other character is a token, a repeated one ("——", "……") a single token. A lone middle dot
(``·``, ``‧``, ``・``, ``･``) between two word characters joins the words on either side into one
token, so transliterated names stay whole (``卡尔·马克思``). A stretch of ASCII letters/digits is never cut inside:
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

Options on top (see :class:`Segmenter`): in jieba mode, ``hmm=True`` and ``cut_mode="search"`` /
``"full"`` give jieba's other cuts (its HMM for unknown stretches, its search-engine and full
modes; computed by :mod:`nlpzero.jieba`'s kernel); in nlpzero mode, forced words
(``add_word(word, force=True)``) and user words containing spaces or symbols are kept whole
wherever they occur; ``traditional=True`` matches the dictionary on a simplified view of
traditional characters (:mod:`nlpzero.traditional`).

Around the segmenter: :mod:`nlpzero._views` runs these options (the classic kernel alone runs
a segmenter without them), :mod:`nlpzero._trie_cache` compiles dictionaries and keeps them on disk,
:mod:`nlpzero.batch` segments files of any size on all cores (:func:`nlpzero.batch.segment_file`),
and :mod:`nlpzero.jieba.interop` reads and writes jieba's dictionaries.

References
----------
Su Jianlin, "【中文分词系列】 1. 基于AC自动机的快速分词" and "2. 基于切分的新词发现" (kexue.fm, 2016).
Sun Junyi, jieba (https://github.com/fxsjy/jieba): ``Tokenizer.get_DAG`` / ``calc``.
"""
from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from . import _segment, _trie_cache, _views
from ._validate import check_choice, check_float
from .dictionary import check_dictionary_path, parse_dictionary, read_dictionary
from .errors import ParameterError, ParameterTypeError
from .protocol import SegmenterLike, SegmenterSource, cut_lines_in_batches

__all__ = ["MODES", "Segmenter", "as_segmenter"]

MODES = ("nlpzero", "jieba")
CUT_MODES = ("accurate", "search", "full")
#: Text handed to the kernel per call by the line-oriented methods (characters).
BATCH_CHARS = 1 << 20

_MODE_CODE = {"nlpzero": _segment.MODE_NLPZERO, "jieba": _segment.MODE_JIEBA}


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
    hmm : bool, default False
        In ``"jieba"`` mode, jieba's default cut: stretches of single characters that are not a
        dictionary word are re-cut by jieba's HMM (``jieba.lcut(line)`` with whitespace dropped,
        computed by :mod:`nlpzero.jieba`'s kernel).
    cut_mode : {"accurate", "search", "full"}, default "accurate"
        In ``"jieba"`` mode: jieba's accurate cut, its search-engine mode (``lcut_for_search``:
        the dictionary 2- and 3-grams of a long word come before it) or its full mode
        (``cut_all=True``: every dictionary word; tokens overlap).
    traditional : bool, default False
        Match dictionary words on a simplified view of the text (each traditional character
        replaced by one simplified character, :mod:`nlpzero.traditional`); tokens keep the
        original characters. Needs ``pip install nlpzero[traditional]``.
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
    >>> seg.add_word("天气不", force=True)   # kept whole wherever it occurs
    >>> seg.lcut("今天天气不错！")
    ['今天', '天气不', '错', '！']
    """

    # defaults for segmenters built by from_scores (and pickles from before these options)
    hmm = False
    cut_mode = "accurate"
    traditional = False
    #: Words kept whole wherever they occur (normalised key -> None), nlpzero mode only.
    _whole: dict | None = None
    _whole_trie: Any = None

    def __init__(
        self,
        dictionary: Any,
        *,
        mode: str | None = None,
        normalize: bool = True,
        user_dicts: Iterable[Any] = (),
        unknown_score: float | None = None,
        hmm: bool = False,
        cut_mode: str = "accurate",
        traditional: bool = False,
    ):
        if mode is None:
            mode = "jieba" if isinstance(dictionary, str) and dictionary == "jieba" else "nlpzero"
        check_choice("mode", mode, MODES)
        check_choice("cut_mode", cut_mode, CUT_MODES)
        if (hmm or cut_mode != "accurate") and mode != "jieba":
            raise ParameterError("`hmm` and `cut_mode` are jieba's cuts: they need mode='jieba'")
        self.mode = mode
        self.hmm = bool(hmm)
        self.cut_mode = cut_mode
        self.traditional = bool(traditional)
        if self.traditional:
            _views.require_traditional()
        self.normalize = bool(normalize) and mode == "nlpzero"
        self._kind = "count"
        self._unknown = None if unknown_score is None else check_float("unknown_score", unknown_score)
        self.source = None
        if isinstance(dictionary, (str, os.PathLike)):
            if os.fspath(dictionary) == "jieba":
                from .jieba.interop import jieba_dict_path

                path = jieba_dict_path()
            else:
                path = os.fspath(dictionary)
            self.source = path
            self._load_path(path)
        else:
            if hasattr(dictionary, "to_dict") and not isinstance(dictionary, Mapping):
                dictionary = dictionary.to_dict()
            if not isinstance(dictionary, Mapping):
                raise ParameterTypeError(
                    "`dictionary` must be a mapping word -> count, an object with to_dict(), a path "
                    f"or 'jieba'; got {type(dictionary).__name__}"
                )
            self._build(list(dictionary.items()))
        if isinstance(user_dicts, (str, bytes, os.PathLike)):
            user_dicts = [user_dicts]                 # one path, not its characters
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
    ) -> Segmenter:
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

    # ------------------------------------------------------------------ model files
    def save(self, path: str | os.PathLike[str]) -> None:
        """Save this segmenter as a model file (written atomically; not a pickle).

        The file holds every word with its score (for count dictionaries, the log of its count)
        and the settings that decide how text is segmented, in the versioned, checksummed layout
        of :mod:`nlpzero._model`; :meth:`load` gives back a segmenter with the same words,
        scores and tokens. ``nlpzero learn CORPUS -o MODEL`` writes the same file.

        Examples
        --------
        >>> import os, tempfile
        >>> seg = Segmenter.from_scores({"云计算": 3.0, "计算": 1.0}, unknown_score=-5.0)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.nlpz")
        >>> seg.save(path)
        >>> Segmenter.load(path).lcut("云计算机")
        ['云计算', '机']
        """
        from ._model import write_model

        nodes = self._trie.word_nodes()
        spell = self._trie.spell
        words = [spell(int(n)) for n in nodes]
        settings = {"kind": self._kind, "mode": self.mode, "normalize": bool(self.normalize),
                    "unknown_score": self._unknown, "total": float(self.total),
                    "hmm": bool(self.hmm), "cut_mode": self.cut_mode, "traditional": bool(self.traditional),
                    "forced": list(self._whole) if self._whole else [],
                    "learned": getattr(self, "learned", None)}
        write_model(path, words, np.asarray(self._trie.score_arr[nodes], dtype=np.float64), settings)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Segmenter:
        """A segmenter saved by :meth:`save` (or ``nlpzero learn``).

        Raises
        ------
        nlpzero.errors.InputError
            The file cannot be read.
        nlpzero.errors.ModelFormatError
            The file is not a model, is of another format version, or is truncated or damaged.
        nlpzero.errors.ModelKindError
            The file holds a joint model (load it with :func:`nlpzero.load_model` or
            :meth:`nlpzero.joint.JointSegmenter.load`).
        """
        from ._model import read_model

        words, values, header = read_model(path)
        self = cls.__new__(cls)
        self.mode = header["mode"]
        self.normalize = bool(header["normalize"]) and self.mode == "nlpzero"
        self._kind = header["kind"]
        unknown = header.get("unknown_score")
        self._unknown = None if unknown is None else float(unknown)
        self.source = os.fspath(path)
        self.total = float(header.get("total", len(words)))
        self.learned = header.get("learned")
        self.hmm = bool(header.get("hmm", False))
        self.cut_mode = header.get("cut_mode", "accurate")
        self.traditional = bool(header.get("traditional", False))
        if self.traditional:
            _views.require_traditional()
        forced = header.get("forced") or []
        self._whole = dict.fromkeys(forced) if forced else None
        self._whole_trie = None
        # the stored words are the trie's own keys (normalised already) with its own scores
        self._trie = _trie_cache.trie_of(words, values)
        return self

    def _key(self, word: str) -> str:
        if self.normalize:
            from .corpus import normalize

            return normalize(word)
        return word

    def _check_word(self, word: Any) -> str:
        if not isinstance(word, str) or not word:
            raise ParameterError(f"dictionary words must be non-empty str, got {word!r}")
        return self._key(word)

    def _build(self, items: list[tuple[str, Any]]) -> None:
        self._trie, self.total = _trie_cache.compile_entries(items, self._kind, self.normalize)

    def _load_path(self, path: str) -> None:
        check_dictionary_path(path)
        cache = _trie_cache.cache_path(path, self.mode, self.normalize)
        if cache is not None and os.path.exists(cache):
            try:
                self._trie, self.total = _trie_cache.load(cache)
                return
            except (OSError, ValueError, KeyError, TypeError):
                pass                          # a stale, damaged or foreign cache is rebuilt
        entries = read_dictionary(path)
        if not entries:
            from .errors import FormatError

            raise FormatError(path, 0, "the dictionary holds no words (an empty file would segment "
                                       "every character alone)")
        missing = [w for w, c in entries if c is None]
        self._build([(w, c) for w, c in entries if c is not None])
        for word in missing:
            self.add_word(word)
        if cache is not None:
            try:
                _trie_cache.save(cache, self._trie, self.total)
            except OSError:
                pass                          # a read-only cache dir only costs speed

    # ------------------------------------------------------------------ scores
    @property
    def _offset(self) -> float:
        if self._kind == "score":
            return 0.0
        return -math.log(self.total) if self.total > 0 else 0.0

    @property
    def kind(self) -> str:
        """``"count"`` (a dictionary of word counts, scored ``log c − log Σc``) or ``"score"``
        (additive word scores: :meth:`from_scores`, learned segmenters)."""
        return self._kind

    @property
    def unknown_score(self) -> float:
        """Score of a character (or ASCII stretch) missing from the dictionary."""
        if self._unknown is not None:
            return self._unknown
        return self._offset            # log(1) - log(total)

    def score(self, word: str) -> float | None:
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
    def add_word(self, word: str, count: float | None = None, *, force: bool = False) -> None:
        """Add ``word`` or change its count (score, for :meth:`from_scores` segmenters).

        With ``count=None`` a count is suggested as jieba does: just large enough for the word to
        beat its best split into other words (at least 1).

        In ``"nlpzero"`` mode, ``force=True`` keeps the word whole wherever it occurs: its
        occurrences are found first (on the matching view of the text) and the text around them
        is segmented as usual. Occurrences are taken from left to right, at one position the
        longest forced word; a forced word overlapping one already taken is not matched there
        (with 南门 and 门店 forced, ``超市南门店`` gives 超市 / 南门 / 店). An occurrence never cuts
        a stretch of ASCII letters/digits (a forced ``Edu`` is not found in ``Education``). A word
        containing whitespace, punctuation or symbols (``[捂脸]``, ``<NUM>``, ``Edu Trust认证``)
        cannot be reached by the dictionary search, which works inside runs of word characters,
        so it is always treated as forced.
        """
        key = self._check_word(word)
        whole = self.mode == "nlpzero" and (force or _views.has_boundary_char(key))
        if force and self.mode != "nlpzero":
            raise ParameterError("force=True needs mode='nlpzero' (jieba mode stays identical to jieba)")
        if whole and (not word.strip() or "\n" in word or "\r" in word):
            raise ParameterError(f"a forced word cannot be only whitespace or contain a line break: {word!r}")
        if count is None:
            if self._kind == "score":
                raise ParameterError("add_word on a score dictionary needs a score")
            count = self.suggest_count(word)
        value = float(count)
        if not math.isfinite(value) or (self._kind == "count" and value < 0):
            raise ParameterError(f"`count` must be a finite number ≥ 0, got {count!r}")
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
        if whole:
            if self._whole is None:
                self._whole = {}
            self._whole[key] = None
            self._whole_trie = None

    def del_word(self, word: str) -> None:
        """Remove ``word`` from the dictionary (no error if absent)."""
        key = self._check_word(word)
        if self._whole and key in self._whole:
            del self._whole[key]
            self._whole_trie = None
        node = self._trie.find(key)
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
            raise ParameterError("suggest_count needs a count dictionary")
        pieces = self.lcut(word)
        logp = 0.0
        for piece in pieces:
            s = self.score(piece)
            logp += self.unknown_score if s is None else s
        current = self.score(word)
        base = math.exp(current - self._offset) if current is not None else 1.0
        return float(max(int(math.exp(logp) * self.total) + 1, base))

    def load_userdict(self, source: Any, *, force: bool = False) -> None:
        """Merge a dictionary on top: a path (nlpzero TSV or jieba format), a mapping, or an
        iterable of dictionary lines. Words without a count get :meth:`suggest_count`;
        ``force=True`` forces every word (see :meth:`add_word`).

        A word containing spaces or symbols needs the TSV syntax, ``word<TAB>count`` (count may
        be left empty), because jieba's syntax separates its fields by spaces."""
        if isinstance(source, (str, os.PathLike)):
            entries = read_dictionary(source)
        elif isinstance(source, Mapping):
            entries = list(source.items())
        elif hasattr(source, "to_dict"):
            entries = list(source.to_dict().items())
        else:
            entries = parse_dictionary(source, "auto", getattr(source, "name", None))
        for word, count in entries:
            self.add_word(word, count, force=force)

    # ------------------------------------------------------------------ segmenting
    def _args(self):
        return (self._trie, _MODE_CODE[self.mode], self.normalize, self._offset, self.unknown_score)

    @property
    def _plain(self) -> bool:
        """Whether the classic kernel alone does the work (no jieba cut, view or forced word:
        those are :mod:`nlpzero._views`)."""
        return ((self.mode != "jieba" or (not self.hmm and self.cut_mode == "accurate"))
                and not self.traditional and not self._whole)

    def lcut(self, text: str) -> list[str]:
        """Tokens of ``text`` as a list (whitespace dropped; newlines are whitespace here).

        >>> Segmenter({"北京": 5, "大学": 5, "北京大学": 3}).lcut("北京大学 生")
        ['北京大学', '生']
        """
        if not isinstance(text, str):
            raise ParameterTypeError(f"`text` must be str, got {type(text).__name__}")
        if len(text) <= BATCH_CHARS:
            if not self._plain:
                return _views.lcut(self, text)
            return [text[a:b] for a, b in _segment.segment_spans(text, *self._args()).tolist()]
        out: list[str] = []
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

    def last_boundary(self, text: str) -> int:
        """Index of the last character of ``text`` after which a cut changes no token (a place
        no run crosses), or -1 when there is none. Batch jobs cut huge lines there.

        >>> Segmenter({"北京": 5}).last_boundary("北京，北京")
        2
        """
        return _segment.last_boundary(text, _MODE_CODE[self.mode], self.normalize)

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

    def cut_lines(self, lines: Iterable[str]) -> Iterator[list[str]]:
        """Segment many lines in batches: one list of tokens per input item, in order.

        A line containing ``"\\n"`` is segmented as a whole (its newlines are whitespace).
        ``lines`` must be an iterable of str, not one str (use :meth:`lcut` for one text).
        """
        return cut_lines_in_batches(lines, self.lcut, self._batch, BATCH_CHARS)

    def _batch(self, batch: list[str]) -> list[list[str]]:
        return self._line_tokens("\n".join(batch))

    def spans(self, text: str) -> np.ndarray:
        """Token spans of ``text``: an int32 array of shape (k, 2), ``text[a:b]`` for each row
        ``(a, b)`` is a token (in order; whitespace, newlines included, is in no span).

        >>> Segmenter({"北京": 5, "大学": 5}).spans("北京 大学！").tolist()
        [[0, 2], [3, 5], [5, 6]]
        """
        if not isinstance(text, str):
            raise ParameterTypeError(f"`text` must be str, got {type(text).__name__}")
        if self._plain:
            return _segment.segment_spans(text, *self._args())
        return _views.spans(self, text)

    def _line_tokens(self, text: str) -> list[list[str]]:
        """One list of tokens per ``\\n``-separated line of ``text`` (a final newline opens an
        empty last line)."""
        if self._plain:
            return _segment.segment_lists(text, *self._args())
        return _views.line_tokens(self, text)

    def segment_bytes(self, text: str, delimiter: str = " ", mid_line: bool = False) -> tuple[bytes, bool]:
        """``text`` segmented as UTF-8 bytes, tokens joined by ``delimiter`` and lines by ``\\n``
        (the batch path of :func:`nlpzero.batch.segment_file`). Returns the bytes and whether the output ends
        inside a line that already has a token."""
        delim = delimiter.encode("utf-8")
        if self._plain:
            return _segment.segment_utf8(text, *self._args(), delim, mid_line)
        return _views.utf8(self, text, delim, mid_line)

    # ------------------------------------------------------------------ pickling
    def __getstate__(self):
        state = dict(self.__dict__)
        state["_trie"] = self._trie.state()
        state.pop("_whole_trie", None)          # rebuilt on first use
        return state

    def __setstate__(self, state):
        state = dict(state)
        state["_trie"] = _segment.Trie(0, state["_trie"])
        self.__dict__.update(state)

    def __repr__(self) -> str:
        src = f" from {self.source!r}" if self.source else ""
        extra = "".join([", hmm=True" if self.hmm else "",
                         f", cut_mode={self.cut_mode!r}" if self.cut_mode != "accurate" else "",
                         ", traditional=True" if self.traditional else "",
                         f", {len(self._whole)} forced" if self._whole else ""])
        return f"<Segmenter {len(self)} words{src}, mode={self.mode!r}{extra}, {self._kind}s>"


def as_segmenter(dictionary: SegmenterSource, **kwargs) -> SegmenterLike:
    """``dictionary`` itself if it is a segmenter (a :class:`Segmenter`, the joint model's
    :class:`nlpzero.joint.JointSegmenter`, or any :class:`~nlpzero.protocol.SegmenterLike`),
    else ``Segmenter(dictionary, **kwargs)``."""
    if isinstance(dictionary, SegmenterLike):
        return dictionary
    return Segmenter(dictionary, **kwargs)
