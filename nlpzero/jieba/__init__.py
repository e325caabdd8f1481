"""A drop-in for jieba's segmentation API: ``import nlpzero.jieba as jieba``.

The module-level functions and the :class:`Tokenizer` class of jieba 0.42.1 — :func:`cut`,
:func:`lcut`, :func:`cut_for_search`, :func:`lcut_for_search`, :func:`tokenize`,
:func:`load_userdict`, :func:`add_word`, :func:`del_word`, :func:`suggest_freq`, :func:`get_FREQ`,
:func:`initialize`, :func:`set_dictionary`, the default tokenizer :data:`dt` — returning what
jieba returns: the same tokens in the same order, whitespace tokens included, for the accurate
mode with and without the HMM, the full mode (``cut_all=True``) and the search-engine mode,
also after dictionary edits. The work is done by a compiled kernel over a compiled trie:

1. the text is cut into blocks by jieba's expressions (:data:`re_han_default`,
   :data:`re_skip_default`);
2. in a han block, every position's dictionary words form jieba's DAG and the route with the
   highest sum of ``log freq(w) - log total`` is chosen (a character that starts no word
   counts as frequency 1; ties go to the longer word);
3. with the HMM on, each stretch of one-character pieces that is not itself a dictionary word is
   re-cut by jieba's character-tagging HMM (states B, M, E, S; Viterbi over the start,
   transition and emission log-probabilities, which are read from the installed ``jieba``
   package at run time, never copied); without it, consecutive one-character ASCII letters and
   digits are glued;
4. full mode lists every dictionary word of the DAG, search mode puts each long word's
   dictionary 2- and 3-grams before it.

Floating-point sums are done in jieba's order and ties broken as jieba breaks them, so the
results are identical, not merely close (``benchmarks/bench_jieba.py`` measures it).

Not provided: ``jieba.posseg`` (part-of-speech tagging), ``jieba.analyse`` (keywords) and the
paddle mode (``use_paddle=True`` is accepted and, as in jieba without paddle installed,
ignored). :func:`enable_parallel` is accepted and changes nothing: the compiled cut is faster
than jieba's process pool; for large files use ``nlpzero segment --dict jieba --hmm``.

Everything else about jieba (reading its dictionary, writing user dictionaries for it, a real
``jieba.Tokenizer`` loaded from a lexicon) lives in :mod:`nlpzero.jieba.interop`.

Thread safety: the default tokenizer is shared. Its lazy initialisation and its dictionary
edits take the tokenizer's lock; a cut runs entirely while holding the interpreter lock, so it
never sees a half-edited trie.

Examples
--------
>>> import nlpzero.jieba as jieba
>>> jieba.lcut("我来到北京清华大学")
['我', '来到', '北京', '清华大学']
>>> jieba.lcut("他来到了网易杭研大厦")                  # 杭研 is found by the HMM
['他', '来到', '了', '网易', '杭研', '大厦']
>>> jieba.lcut("他来到了网易杭研大厦", HMM=False)
['他', '来到', '了', '网易', '杭', '研', '大厦']
>>> jieba.lcut_for_search("小明硕士毕业于中国科学院计算所")
['小明', '硕士', '毕业', '于', '中国', '科学', '学院', '科学院', '中国科学院', '计算', '计算所']
"""
from __future__ import annotations

import logging
import math
import os
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from .. import _segment
from ..errors import FormatError, InputError, ParameterError, ParameterTypeError
from ._model import (  # noqa: F401  (hmm_tables and Force_Split_Words are public here too)
    Force_Split_Words,
    _abs_path,
    _add_force_split,
    _default_dict_path,
    _FreqView,
    _load_main_dict,
    ensure_hmm,
    hmm_tables,
)

__all__ = [
    "DEFAULT_DICT",
    "DEFAULT_DICT_NAME",
    "JIEBA_VERSION",
    "Tokenizer",
    "add_word",
    "calc",
    "cut",
    "cut_for_search",
    "del_word",
    "disable_parallel",
    "dt",
    "enable_parallel",
    "get_DAG",
    "get_FREQ",
    "get_dict_file",
    "initialize",
    "lcut",
    "lcut_for_search",
    "load_userdict",
    "re_eng",
    "re_han_default",
    "re_skip_default",
    "re_userdict",
    "setLogLevel",
    "set_dictionary",
    "suggest_freq",
    "tokenize",
    "user_word_tag_tab",
]

#: The jieba release whose behaviour this module reproduces.
JIEBA_VERSION = "0.42.1"
DEFAULT_DICT = None
DEFAULT_DICT_NAME = "dict.txt"

# jieba's regular expressions (the kernel implements them; they are here for reference and
# for code that reads them)
re_userdict = re.compile("^(.+?)( [0-9]+)?( [a-z]+)?$", re.U)
re_eng = re.compile("[a-zA-Z0-9]", re.U)
re_han_default = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._%\\-]+)", re.U)
re_skip_default = re.compile("(\r\n|\\s)", re.U)

_HOW_PLAIN, _HOW_HMM, _HOW_FULL = 0, 1, 2

default_logger = logging.getLogger(__name__)


def setLogLevel(log_level: int | str) -> None:
    """Set the level of this module's logger (jieba's ``setLogLevel``)."""
    default_logger.setLevel(log_level)


def _strdecode(sentence: Any) -> str:
    """jieba's ``strdecode``: bytes are UTF-8, or else GBK with undecodable bytes dropped."""
    if isinstance(sentence, str):
        return sentence
    if isinstance(sentence, (bytes, bytearray)):
        try:
            return bytes(sentence).decode("utf-8")
        except UnicodeDecodeError:
            return bytes(sentence).decode("gbk", "ignore")
    raise ParameterTypeError(f"the sentence must be str or bytes, got {type(sentence).__name__}", "sentence",
                             sentence)


# ---------------------------------------------------------------------- the tokenizer
class Tokenizer:
    """jieba's ``Tokenizer``: a dictionary and the cut functions over it.

    Parameters
    ----------
    dictionary : path or None
        A jieba main dictionary (``word freq [tag]`` per line, UTF-8). None: jieba's bundled
        ``dict.txt``. Read on first use (or :meth:`initialize`).

    Attributes
    ----------
    FREQ : mapping
        Word → frequency (a prefix of a word → 0), read-only; edit with :meth:`add_word`.
    total : int
        Sum of the frequencies (jieba's ``total``; ``add_word`` adds to it, as jieba does).
    user_word_tag_tab : dict
        Tags given to :meth:`add_word` / user dictionaries.
    lock : threading.RLock
        Held while the dictionary is loaded or edited.

    Examples
    --------
    >>> tok = Tokenizer()
    >>> tok.lcut("我爱北京天安门")
    ['我', '爱', '北京', '天安门']
    """

    def __init__(self, dictionary: Any = DEFAULT_DICT):
        self.lock = threading.RLock()
        self.dictionary = dictionary if dictionary == DEFAULT_DICT else _abs_path(dictionary)
        self.FREQ = _FreqView(self)
        self.total = 0
        self.user_word_tag_tab: dict[str, str] = {}
        self.initialized = False
        self.tmp_dir = None
        self.cache_file = None
        self._trie = None
        self._freq: dict[str, int] = {}
        self._offset = 0.0

    def __repr__(self) -> str:
        return f"<Tokenizer dictionary={self.dictionary!r}>"

    # -------------------------------------------------------------- dictionary
    def initialize(self, dictionary: Any = None) -> None:
        """Load the dictionary now (otherwise it is loaded by the first cut)."""
        if dictionary:
            abs_path = _abs_path(dictionary)
            if self.dictionary == abs_path and self.initialized:
                return
            with self.lock:
                self.dictionary = abs_path
                self.initialized = False
        with self.lock:
            if self.initialized:
                return
            path = _default_dict_path() if self.dictionary == DEFAULT_DICT else self.dictionary
            if not os.path.isfile(path):
                raise InputError(f"{path}: no such dictionary file", path)
            self._freq, self._trie, self.total = _load_main_dict(path)
            self._set_offset()
            self.initialized = True

    def check_initialized(self) -> None:
        if not self.initialized:
            self.initialize()

    def _set_offset(self) -> None:
        self._offset = -math.log(self.total) if self.total > 0 else 0.0

    def set_dictionary(self, dictionary_path: Any) -> None:
        """Use another main dictionary (loaded on the next cut)."""
        with self.lock:
            abs_path = _abs_path(dictionary_path)
            if not os.path.isfile(abs_path):
                raise InputError(f"{abs_path}: no such dictionary file", abs_path)
            self.dictionary = abs_path
            self.initialized = False

    def get_dict_file(self):
        """The main dictionary, opened in binary mode."""
        path = _default_dict_path() if self.dictionary == DEFAULT_DICT else self.dictionary
        return open(path, "rb")

    def add_word(self, word: Any, freq: Any = None, tag: str | None = None) -> None:
        """Add a word (or set its frequency); ``freq=None`` suggests one that makes it win.

        As in jieba, the total grows by ``freq`` (an old frequency is not subtracted) and a
        frequency of 0 also puts the word in the HMM's force-split set.
        """
        with self.lock:
            self.check_initialized()
            word = _strdecode(word)
            if not word:
                raise ParameterError("add_word: the word must not be empty", "word", word)
            freq = int(freq) if freq is not None else self.suggest_freq(word, False)
            if freq < 0:
                raise ParameterError(f"add_word: the frequency must be ≥ 0, got {freq}", "freq", freq)
            node = self._trie.insert(word)
            if freq > 0:
                self._trie.set_word(node, math.log(freq))
            else:
                self._trie.unset_word(node)
            self._freq[word] = freq
            self.total += freq
            self._set_offset()
            if tag:
                self.user_word_tag_tab[word] = tag
            if freq == 0:
                _add_force_split(word)

    def del_word(self, word: Any) -> None:
        """Delete a word (``add_word(word, 0)``)."""
        self.add_word(word, 0)

    def suggest_freq(self, segment: str | Sequence[str], tune: bool = False) -> int:
        """A frequency that joins ``segment`` (a str) into one word, or splits it into the given
        pieces (a sequence of str); ``tune=True`` also sets it. jieba's formula exactly."""
        self.check_initialized()
        with self.lock:
            ftotal = float(self.total)
            freq = 1
            get = self.FREQ.get
            if isinstance(segment, str):
                word = segment
                for seg in self.cut(word, HMM=False):
                    freq *= get(seg, 1) / ftotal
                freq = max(int(freq * self.total) + 1, get(word, 1))
            else:
                segment = tuple(map(_strdecode, segment))
                word = "".join(segment)
                for seg in segment:
                    freq *= get(seg, 1) / ftotal
                freq = min(int(freq * self.total), get(word, 0))
            if tune:
                self.add_word(word, freq)
            return freq

    def load_userdict(self, f: Any) -> None:
        """Add the words of a user dictionary: ``word [freq] [tag]`` per line (UTF-8; a path
        or a file object), as jieba reads it."""
        self.check_initialized()
        if isinstance(f, (str, os.PathLike)):
            f_name = os.fspath(f)
            try:
                fh = open(f_name, "rb")  # noqa: SIM115  (closed below; a file object is the caller's)
            except OSError as exc:
                raise InputError(f"{f_name}: cannot read the user dictionary: "
                                 f"{exc.strerror or exc}", f_name) from None
        else:
            f_name = getattr(f, "name", repr(f))
            fh = f
        with self.lock:
            for lineno, ln in enumerate(fh, 1):
                line = ln.strip()
                if not isinstance(line, str):
                    try:
                        line = line.decode("utf-8").lstrip("\ufeff")
                    except UnicodeDecodeError:
                        raise FormatError(f_name, lineno, "the user dictionary must be UTF-8") from None
                if not line:
                    continue
                word, freq, tag = re_userdict.match(line).groups()
                if freq is not None:
                    freq = freq.strip()
                if tag is not None:
                    tag = tag.strip()
                self.add_word(word, freq, tag)
        if fh is not f:
            fh.close()

    # -------------------------------------------------------------- cutting
    def lcut(self, sentence: Any, cut_all: bool = False, HMM: bool = True,
             use_paddle: bool = False) -> list[str]:
        """The tokens of ``sentence`` as a list (see the module docstring for the modes).

        >>> Tokenizer().lcut("我来到北京清华大学", cut_all=True)
        ['我', '来到', '北京', '清华', '清华大学', '华大', '大学']
        """
        sentence = _strdecode(sentence)
        if not sentence:
            return []
        self.check_initialized()
        if cut_all:
            how = _HOW_FULL
        elif HMM:
            how = _HOW_HMM
            ensure_hmm()
        else:
            how = _HOW_PLAIN
        out = _segment.jieba_list(sentence, self._trie, self._offset, how, False)
        if out is None:                   # full mode glued non-adjacent pieces (see _cut_all)
            out = self._cut_all_python(sentence)
        return out

    def cut(self, sentence: Any, cut_all: bool = False, HMM: bool = True,
            use_paddle: bool = False) -> Iterator[str]:
        """The tokens of ``sentence`` as an iterator (jieba's ``cut``)."""
        return iter(self.lcut(sentence, cut_all, HMM))

    def lcut_for_search(self, sentence: Any, HMM: bool = True) -> list[str]:
        """Search-engine mode: each token longer than 2 (3) characters comes after its 2-grams
        (3-grams) that are dictionary words.

        >>> Tokenizer().lcut_for_search("中华人民共和国")
        ['中华', '华人', '人民', '共和', '共和国', '中华人民共和国']
        """
        sentence = _strdecode(sentence)
        if not sentence:
            return []
        self.check_initialized()
        if HMM:
            ensure_hmm()
        return _segment.jieba_list(sentence, self._trie, self._offset,
                                   _HOW_HMM if HMM else _HOW_PLAIN, True)

    def cut_for_search(self, sentence: Any, HMM: bool = True) -> Iterator[str]:
        return iter(self.lcut_for_search(sentence, HMM))

    _lcut = lcut
    _lcut_for_search = lcut_for_search

    def _lcut_no_hmm(self, sentence: Any) -> list[str]:
        return self.lcut(sentence, False, False)

    def _lcut_all(self, sentence: Any) -> list[str]:
        return self.lcut(sentence, True)

    def _lcut_for_search_no_hmm(self, sentence: Any) -> list[str]:
        return self.lcut_for_search(sentence, False)

    def tokenize(self, unicode_sentence: str, mode: str = "default",
                 HMM: bool = True) -> Iterator[tuple[str, int, int]]:
        """``(word, start, end)`` for each token; ``mode="search"`` adds the dictionary 2- and
        3-grams of long words, as :meth:`cut_for_search` does.

        >>> list(Tokenizer().tokenize("永和服装饰品"))
        [('永和', 0, 2), ('服装', 2, 4), ('饰品', 4, 6)]
        """
        if not isinstance(unicode_sentence, str):
            raise ParameterError("jieba: the input parameter should be unicode.", "unicode_sentence",
                                 unicode_sentence)
        words = self.lcut(unicode_sentence, HMM=HMM)
        out: list[tuple[str, int, int]] = []
        start = 0
        if mode == "default":
            for w in words:
                width = len(w)
                out.append((w, start, start + width))
                start += width
            return iter(out)
        get = self.FREQ.get
        for w in words:
            width = len(w)
            if width > 2:
                for i in range(width - 1):
                    gram2 = w[i:i + 2]
                    if get(gram2):
                        out.append((gram2, start + i, start + i + 2))
            if width > 3:
                for i in range(width - 2):
                    gram3 = w[i:i + 3]
                    if get(gram3):
                        out.append((gram3, start + i, start + i + 3))
            out.append((w, start, start + width))
            start += width
        return iter(out)

    # -------------------------------------------------------------- jieba's internals
    def get_DAG(self, sentence: str) -> dict[int, list[int]]:
        """jieba's DAG: position → inclusive ends of the dictionary words starting there."""
        self.check_initialized()
        find, freq = self._trie.find, self.FREQ.get
        dag: dict[int, list[int]] = {}
        n = len(sentence)
        for k in range(n):
            ends = []
            i = k
            while i < n and find(sentence[k:i + 1]) > 0:
                if freq(sentence[k:i + 1]):
                    ends.append(i)
                i += 1
            dag[k] = ends or [k]
        return dag

    def calc(self, sentence: str, DAG: dict[int, list[int]], route: dict[int, tuple[float, int]]) -> None:
        """jieba's ``calc``: fill ``route`` with the best (score, end) from each position."""
        n = len(sentence)
        route[n] = (0, 0)
        logtotal = math.log(self.total)
        get = self.FREQ.get
        for idx in range(n - 1, -1, -1):
            route[idx] = max((math.log(get(sentence[idx:x + 1]) or 1) - logtotal + route[x + 1][0], x)
                             for x in DAG[idx])

    def _cut_all_python(self, sentence: str) -> list[str]:
        """Full mode in Python, for the rare block where jieba glues ASCII pieces that are not
        adjacent in the text (its ``eng_buf`` keeps growing across a multi-word position)."""
        out: list[str] = []
        for blk in re_han_default.split(sentence):
            if not blk:
                continue
            if re_han_default.match(blk):
                out.extend(self._cut_all_block(blk))
            else:
                out.extend(re_skip_default.split(blk))
        return out

    def _cut_all_block(self, sentence: str) -> Iterator[str]:
        dag = self.get_DAG(sentence)
        old_j = -1
        eng_scan = 0
        eng_buf = ""
        for k, L in dag.items():
            if eng_scan == 1 and not re_eng.match(sentence[k]):
                eng_scan = 0
                yield eng_buf
            if len(L) == 1 and k > old_j:
                word = sentence[k:L[0] + 1]
                if re_eng.match(word):
                    if eng_scan == 0:
                        eng_scan = 1
                        eng_buf = word
                    else:
                        eng_buf += word
                if eng_scan == 0:
                    yield word
                old_j = L[0]
            else:
                for j in L:
                    if j > k:
                        yield sentence[k:j + 1]
                        old_j = j
        if eng_scan == 1:
            yield eng_buf


# ---------------------------------------------------------------------- module-level API
#: The default tokenizer (jieba's ``dt``), used by the module-level functions.
dt = Tokenizer()

get_FREQ = lambda k, d=None: dt.FREQ.get(k, d)  # noqa: E731  (jieba's definition)
add_word = dt.add_word
calc = dt.calc
cut = dt.cut
lcut = dt.lcut
cut_for_search = dt.cut_for_search
lcut_for_search = dt.lcut_for_search
del_word = dt.del_word
get_DAG = dt.get_DAG
get_dict_file = dt.get_dict_file
initialize = dt.initialize
load_userdict = dt.load_userdict
set_dictionary = dt.set_dictionary
suggest_freq = dt.suggest_freq
tokenize = dt.tokenize
user_word_tag_tab = dt.user_word_tag_tab


def _lcut(s: Any) -> list[str]:
    return dt._lcut(s)


def _lcut_no_hmm(s: Any) -> list[str]:
    return dt._lcut_no_hmm(s)


def _lcut_all(s: Any) -> list[str]:
    return dt._lcut_all(s)


def _lcut_for_search(s: Any) -> list[str]:
    return dt._lcut_for_search(s)


def _lcut_for_search_no_hmm(s: Any) -> list[str]:
    return dt._lcut_for_search_no_hmm(s)


def enable_parallel(processnum: int | None = None) -> None:
    """Accepted for compatibility; changes nothing (the compiled cut is faster than jieba's
    process pool, and the output is the same either way)."""
    dt.check_initialized()


def disable_parallel() -> None:
    """Accepted for compatibility; changes nothing."""
