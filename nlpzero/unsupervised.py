"""Unsupervised segmentation: learn a segmenter from raw text, or segment a corpus by itself.

- :func:`learn_segmenter` — a reusable segmenter for new text: by default the joint model of
  :mod:`nlpzero.joint` (a :class:`~nlpzero.joint.JointSegmenter`), with ``method="nvbe"`` the
  branching-entropy autonomy model (nVBE, :mod:`nlpzero.nvbe`) as a :class:`nlpzero.Segmenter`
  whose words are those of the training corpus's segmentation, with their scores.
- :func:`segment_unsupervised` — learn from a corpus and segment that corpus, one call.
- :func:`segment_unsupervised_spans` — the same tokens as character spans of the whole text.
- :func:`segment_unsupervised_file` — the same tokens written to a file (``nlpzero segment``).

Statistics come from the one n-gram counter through :class:`nlpzero._passes.Passes`, as for
:func:`nlpzero.discover`; nVBE's segmentation is one compiled dynamic programme over the
n-gram ids. The joint model starts from that segmentation (:mod:`nlpzero._joint_learn` turns it
into the arrays the model reads).

References
----------
Magistry, P. & Sagot, B. (2012). Unsupervised word segmentation: the case for Mandarin Chinese.
ACL.
"""
from __future__ import annotations

import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from . import _discover
from . import _limits as limits
from ._joint_learn import joint_inputs, joint_output, joint_refine, joint_segmenter
from ._passes import Passes
from ._progress import ProgressArg
from ._sample import learning_sample
from ._text import cut_strings
from ._validate import check_choice, check_float
from .corpus import Source, as_corpus
from .discovery import default_min_count
from .errors import ParameterError
from .ngrams import DEFAULT_MAX_MEMORY
from .nvbe import nvbe_scores

if TYPE_CHECKING:  # pragma: no cover
    from .batch import BatchResult
    from .protocol import SegmenterLike
    from .segment import Segmenter

__all__ = ["LEARN_BYTES_PER_CHAR", "learn_sample_chars", "learn_segmenter", "segment_unsupervised",
           "segment_unsupervised_file", "segment_unsupervised_spans"]

#: segmentation methods of learn_segmenter / segment_unsupervised
METHODS = ("nvbe", "joint")
#: the method of learn_segmenter / segment_unsupervised / ``nlpzero learn`` / ``nlpzero segment``
DEFAULT_METHOD = "joint"


#: bytes of peak memory of the whole learning step (counting, nVBE's statistics, the joint model
#: and its perceptron) per character of the text learned from. Measured on the scale
#: benchmark's text (peak RSS of learn_segmenter): 660 MB for 3.0 M characters, 1120 MB for
#: 6.0 M, i.e. about 0.2 GB + 153 B per character; 192 B/char puts the peak at about max_memory
#: from a few M characters on (5.59 M characters, 1.05 GB, at the default 1 GiB)
LEARN_BYTES_PER_CHAR = 192


def learn_sample_chars(max_memory: int, max_word_len: int = 4) -> int:
    """Characters of text learning reads at most: ``max_memory // b`` with ``b`` bytes per
    character = :data:`LEARN_BYTES_PER_CHAR` ``· max(1, ((max_word_len + 1) / 5)²)`` (192 at the
    default ``max_word_len=4``: 5.59 M characters, about 16 MB of Chinese UTF-8, at the default
    1 GiB). The square follows the measured cost of longer words (3.0 M characters of the scale
    benchmark's text: 493, 660 and 1063 MB peak for ``max_word_len`` 2, 4 and 6).

    A corpus with more characters is learned from an evenly spread sample of its lines (see
    :mod:`nlpzero._sample`).

    >>> learn_sample_chars(192 << 20)
    1048576
    >>> learn_sample_chars(192 << 20, max_word_len=6)
    535443
    """
    per_char = max(LEARN_BYTES_PER_CHAR, LEARN_BYTES_PER_CHAR * (max_word_len + 1) ** 2 // 25)
    return max(1, int(max_memory) // per_char)


class _Model:
    """A learned scoring of every string of at most ``max_word_len`` symbols seen in training (the
    nVBE score ``a(w)·|w| + Σ z(PMI) of its links − penalty`` of
    :func:`nlpzero.nvbe.nvbe_scores`, or after refinement the unigram log-probability), applied
    by the compiled dynamic programme of ``_discover.best_path``: ``score`` holds the scores of
    every order concatenated, ``offset[k - 1]`` where order ``k`` starts, ``index`` the n-gram
    ids (``NgramCounts.view``) they follow."""

    def __init__(self, index, score: np.ndarray, offset: np.ndarray, max_word_len: int, unknown: float,
                 normalize: bool, method: str):
        self.index = index
        self.score = score
        self.offset = offset
        self.max_word_len = max_word_len
        self.unknown = unknown
        self.normalize = normalize
        self.method = method


def _check_segment_params(max_word_len, penalty, refine, min_count):
    max_word_len = limits.check("max_word_len", max_word_len)
    penalty = check_float("penalty", penalty)
    refine = limits.check("refine", refine)
    if min_count is not None:
        min_count = limits.check("min_count", min_count)
        if refine == 0:
            raise ParameterError(
                "`min_count` is the pruning bar of the refinement and has no effect with refine=0; "
                "pass refine >= 1 (e.g. refine=2) or drop min_count", "min_count", min_count)
    return max_word_len, penalty, refine, min_count


def _learn(corpus, max_word_len, penalty, refine, min_count, encoding, errors, normalize, progress,
           max_memory=DEFAULT_MAX_MEMORY, client=None, whole_again=False):
    """``(passes, model, sample)``: nVBE (and the refinement) learned from ``corpus``, or from the
    :class:`~nlpzero._sample.LearningSample` ``sample`` of its lines when it has more than
    :func:`learn_sample_chars` ``(max_memory, max_word_len)`` characters (``sample`` None
    otherwise; ``sample.whole`` is the input, re-readable when ``whole_again``)."""
    max_word_len, penalty, refine, min_count = _check_segment_params(max_word_len, penalty, refine, min_count)
    max_memory = limits.check("max_memory", max_memory)
    sample = None
    from ._reading import is_url

    if client is None or (whole_again and not is_url(corpus)):   # a URL is read by the workers
        corpus = as_corpus(corpus, encoding=encoding, errors=errors, normalize=normalize)
        if whole_again and not corpus.reiterable:     # segmented after learning: keep a copy
            from ._spill import spill_to_file

            spill = spill_to_file(corpus)
            corpus = spill.corpus
            corpus.spill = spill                      # removed with the corpus
    if client is None:
        corpus, sample = learning_sample(corpus, max_memory, max_word_len, progress)
        passes = Passes(corpus, max_word_len + 1, progress, "learning a segmenter", max_memory)
    else:       # counted on the cluster, learned here on the merged counts (nlpzero.distributed)
        from ._sample import cluster_passes

        passes, sample = cluster_passes(client, corpus, max_word_len, max_memory, progress,
                                        "learning a segmenter", encoding=encoding, errors=errors,
                                        normalize=normalize)
    score, offset = nvbe_scores(passes.index, max_word_len, penalty, passes.levels)
    model = _Model(passes.index, score, offset, max_word_len, -1e3, passes.normalize, "nvbe")
    if min_count is None:
        min_count = default_min_count(passes.N)
    for _ in range(refine):
        model = _refine(passes, model, min_count)
    return passes, model, sample


def _refine(passes: Passes, model: _Model, min_count: int) -> _Model:
    """One round of the unigram-LM refinement: count the words of the current segmentation of the
    training corpus, drop those seen fewer than ``min_count`` times (single symbols always stay,
    as unknown characters), and score each word by its log-probability."""
    K = model.max_word_len
    counts = np.zeros(int(model.offset[-1]), dtype=np.float64)
    for _codes, sym, _start, _end, ids in passes.chunks():
        starts = _discover.best_path(sym, np.ascontiguousarray(ids[:K]), model.score, model.offset,
                                     model.unknown)
        bounds = np.flatnonzero(starts.astype(bool) | (sym < 0))
        first = np.flatnonzero(starts[bounds])
        lo = bounds[first]
        length = bounds[first + 1] - lo
        for k in range(1, K + 1):
            sel = lo[length == k]
            o0, o1 = model.offset[k - 1], model.offset[k]
            counts[o0:o1] += np.bincount(ids[k - 1, sel], minlength=int(o1 - o0))
    total = counts.sum()
    n1 = int(model.offset[1])
    keep = counts >= min_count
    keep[:n1] = counts[:n1] > 0
    score = np.full(counts.size, -np.inf)
    score[keep] = np.log(counts[keep] / total)
    unknown = math.log(0.5 / total)
    score[:n1][~keep[:n1]] = unknown
    return _Model(model.index, score, model.offset, K, unknown, model.normalize,
                                 model.method + "+unigram")


def learn_segmenter(
    corpus: Source,
    *,
    method: str = DEFAULT_METHOD,
    seed: int = 0,
    max_word_len: int = 4,
    penalty: float = 0.0,
    refine: int = 0,
    min_count: int | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    normalize: bool = True,
    max_memory: int = DEFAULT_MAX_MEMORY,
    long_words: bool | None = None,
    progress: ProgressArg = False,
    client: Any = None,
) -> SegmenterLike:
    """Learn an unsupervised segmenter from raw text (nVBE).

    Parameters
    ----------
    corpus : path, file, iterable of str, or Corpus
        Raw text.
    method : {"nvbe", "joint"}, default "joint"
        ``"nvbe"``: the branching-entropy segmenter (fast). ``"joint"``: nVBE's segmentation of
        the corpus refined by the joint model of :mod:`nlpzero.joint` (a Dirichlet-process
        word bigram model times a character position model, by ICM), then a self-trained
        perceptron that segments any text; returns a :class:`nlpzero.joint.JointSegmenter`.
    seed : int, default 0
        Seed of the joint model's visiting order (``method="joint"``); results are
        deterministic for a given seed.
    max_word_len : int, default 4
        Longest word, in symbols (an ASCII letter/digit stretch is one symbol). L = 4 measured best.
    penalty : float, default 0
        Cost per word in the objective Σ (a(w)·|w| + Σ z(PMI(links of w)) − penalty) (see
        :mod:`nlpzero.nvbe`); 0 is nVBE's own choice, larger values favour longer words.
    refine : int, default 0
        Rounds of unigram-LM refinement (re-estimate word probabilities from the segmented corpus,
        prune words below ``min_count``; single characters never pruned score log(0.5/total)).
    min_count : int, optional
        Pruning bar of the refinement; default :func:`default_min_count` of the corpus size.
        Giving it with ``refine=0`` raises :class:`~nlpzero.errors.ParameterError` (it would
        be ignored).
    max_memory : int, default 1 GiB
        Budget of the whole learning step (counting, nVBE's statistics, the joint model). A
        corpus of at most :func:`learn_sample_chars` ``(max_memory, max_word_len)`` characters
        (``max_memory / 192`` B at ``max_word_len=4``: 5.59 M at the default) is learned from
        whole, exactly as without a budget; a larger one from an evenly spread, deterministic
        sample of its lines of at most that many characters (the model records
        ``learned["sampled_characters"]`` of ``learned["sample_of_characters"]``). Peak about
        0.2 GB + 153 B per character learned from (≈ ``max_memory`` from a few M characters on;
        1 GB of text: see the scale documentation). Learning from a quarter of PKU's lines
        instead of all of them: F1 0.805 → 0.773 on the whole text.
    long_words : bool, optional
        ``method="joint"`` (default there: True): after ICM, merge adjacent words (every pair of
        adjacent word types, so words also grow past ``max_word_len``) wherever that raises the
        probability of the segmentation under the word model's hierarchical Dirichlet process
        prior times the character position model (type-level merges, repeated until none helps
        or 8 passes ran; no length cap; see the joint model's documentation). PKU F1 0.805 ->
        0.812. ``False`` keeps the ICM's words (at most ``max_word_len`` symbols; about 2 CPU-s
        less on PKU). ``True`` with ``method="nvbe"`` is an error.
    encoding, errors, normalize, progress
        As for :func:`discover`.
    client : dask.distributed.Client, optional
        Run on this Dask cluster (:mod:`nlpzero.distributed`; needs ``pip install "nlpzero[dask]"``):
        n-grams are counted on the workers; nVBE, the refinement and the joint model learn here
        on the merged counts; the same model, byte for byte. ``corpus`` may then also be an
        fsspec URL (``s3://...``). A corpus past the cap above (a path or a URL) is sampled and
        learned from here, as without a cluster.

    Returns
    -------
    nlpzero.SegmenterLike
        Either segmenter has the methods of :class:`~nlpzero.protocol.SegmenterLike`.
        ``method="joint"``: a :class:`~nlpzero.joint.JointSegmenter` (the perceptron trained on
        the refined segmentation; a corpus too small for the joint model warns and gives the
        nVBE ``Segmenter``). ``method="nvbe"``: a ``Segmenter`` built with
        :meth:`Segmenter.from_scores` from the words of the segmentation of the training corpus
        (and every character and ASCII stretch seen) with their scores; characters never seen
        score ``-penalty`` (autonomy 0). On the training corpus its routes have the model's
        optimal scores, and its tokens are exactly those of :func:`segment_unsupervised` (which
        segments through it).

    Raises
    ------
    nlpzero.errors.CorpusTooSmallError
        Fewer than 20 characters of text.

    Examples
    --------
    >>> seg = learn_segmenter(["我们喜欢自然语言处理。"] * 20 + ["自然语言很美"] * 10)
    >>> "".join(seg.lcut("自然语言处理很美")) == "自然语言处理很美"
    True

    References
    ----------
    Magistry & Sagot (2012), "Unsupervised word segmentation: the case for Mandarin Chinese", ACL.
    """
    check_choice("method", method, METHODS)
    seed = limits.check("seed", seed)
    long_words = _check_long_words(long_words, method)
    passes, model, sample = _learn(corpus, max_word_len, penalty, refine, min_count, encoding, errors,
                                   normalize, progress, max_memory, client)
    return _learned_segmenter(passes, model, sample, method, seed, max_word_len, penalty, refine, max_memory,
                              progress, long_words)


def _learned_segmenter(passes, model, sample, method, seed, max_word_len, penalty, refine, max_memory,
                       progress, long_words):
    if method == "joint":
        inputs = joint_inputs(passes, model, max_memory)
        if inputs is not None:
            refined = joint_refine(inputs, max_word_len, seed, progress, long_words)
            seg = joint_segmenter(passes, inputs, refined, seed, max_word_len)
            if sample is not None:
                seg.learned.update(sample.info())
            return seg
    seg = _segmenter(passes, model, penalty, refine)
    if sample is not None:
        seg.learned.update(sample.info())
    return seg


def _segmenter(passes: Passes, model: _Model, penalty: float, refine: int) -> Segmenter:
    from .segment import Segmenter

    unknown = model.unknown if refine else -float(penalty)
    seg = Segmenter.from_scores(_segmenter_scores(passes, model), unknown_score=unknown,
                                normalize=model.normalize)
    # how it was learned, recorded in a saved model for people (not read back by the code)
    seg.learned = {"method": model.method, "max_word_len": model.max_word_len, "penalty": float(penalty),
                   "refine": int(refine), "characters": int(passes.N)}
    return seg


def _check_long_words(long_words, method) -> bool:
    """``long_words`` checked, None resolved: True for the joint model, False for nVBE."""
    if long_words is None:
        return method == "joint"
    if not isinstance(long_words, bool):
        raise ParameterError(f"`long_words` must be True, False or None, got {long_words!r}", "long_words",
                             long_words)
    if long_words and method != "joint":
        raise ParameterError("`long_words` applies to the joint model (method='joint'), not to "
                             f"method={method!r}", "long_words", long_words)
    return long_words


def _learn_for_output(corpus, method, seed, max_word_len, penalty, refine, min_count, encoding, errors,
                      normalize, max_memory, progress, *, form: str, long_words: bool | None = None,
                      client: Any = None, delimiter: str = " "):
    """Learn for :func:`segment_unsupervised` (``form="tokens"``), its spans form (``"spans"``)
    or :func:`segment_unsupervised_file` (``"bytes"``, tokens joined by ``delimiter``):
    ``(direct, texts, seg, whole)``. ``direct`` is the joint model's own segmentation of the
    corpus in that form (:func:`nlpzero._joint_learn.joint_output`) when the whole corpus was
    refined (then ``seg`` is None); otherwise ``seg`` segments ``texts()``, the whole corpus in
    chunks of whole lines. ``whole``: the corpus ``texts()`` reads (re-readable)."""
    check_choice("method", method, METHODS)
    seed = limits.check("seed", seed)
    long_words = _check_long_words(long_words, method)
    passes, model, sample = _learn(corpus, max_word_len, penalty, refine, min_count, encoding, errors,
                                   normalize, progress, max_memory, client=client, whole_again=True)
    if sample is not None:              # learned from a sample: its segmenter segments the whole input
        seg = _learned_segmenter(passes, model, sample, method, seed, max_word_len, penalty, refine,
                                 max_memory, progress, long_words)
        return None, sample.whole.line_chunks, seg, sample.whole
    if method == "joint":
        inputs = joint_inputs(passes, model, max_memory)
        if inputs is not None:
            refined = joint_refine(inputs, max_word_len, seed, progress, long_words)
            if not inputs.sampled:
                direct = joint_output(passes, inputs, refined.starts, form, delimiter)
                return direct, passes.texts, None, passes.corpus
            return None, passes.texts, joint_segmenter(passes, inputs, refined, seed, max_word_len), passes.corpus
    return None, passes.texts, _segmenter(passes, model, penalty, refine), passes.corpus


def segment_unsupervised(
    corpus: Source,
    *,
    method: str = DEFAULT_METHOD,
    seed: int = 0,
    max_word_len: int = 4,
    penalty: float = 0.0,
    refine: int = 0,
    min_count: int | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    normalize: bool = True,
    max_memory: int = DEFAULT_MAX_MEMORY,
    long_words: bool | None = None,
    progress: ProgressArg = False,
) -> Iterator[list[str]]:
    """Learn a segmenter from ``corpus`` and segment ``corpus`` with it (one call, two passes).

    Parameters are those of :func:`learn_segmenter`. With ``method="nvbe"`` the tokens are those
    of the segmenter it returns (``learn_segmenter(corpus).lcut(line)`` for every line); with
    ``method="joint"`` they are the joint model's refined segmentation of the corpus itself (the
    perceptron is only needed for other text, so it is not trained here). A corpus larger than
    the learning sample (:func:`learn_sample_chars`, or the joint model's own cap
    :func:`nlpzero.joint.joint_sample_chars`) is instead segmented, in a streaming pass, by the
    segmenter learned from the sample, as ``learn_segmenter(corpus).cut_lines`` would (a
    read-once input is then first copied to a temporary file). The learned model picks
    the words, :class:`nlpzero.Segmenter`'s text model (whitespace dropped, a lone
    middle dot joins the words around it, a repeated punctuation character is one token) makes
    the tokens. :func:`segment_unsupervised_spans` gives the same tokens as character spans.

    Returns
    -------
    iterator of list of str
        One list of tokens per line of ``corpus``, in order.

    Examples
    --------
    >>> lines = ["我们喜欢自然语言处理。"] * 20 + ["自然语言很美"] * 10
    >>> next(iter(segment_unsupervised(lines)))[-1]
    '。'
    """
    direct, texts, seg, _ = _learn_for_output(corpus, method, seed, max_word_len, penalty, refine, min_count,
                                              encoding, errors, normalize, max_memory, progress, form="tokens",
                                              long_words=long_words)
    if direct is not None:
        return direct

    def lines():
        for text in texts():
            tokens = seg.line_tokens(text)
            yield from (tokens[:-1] if text.endswith("\n") else tokens)

    return lines()


def segment_unsupervised_spans(
    corpus: Source,
    *,
    method: str = DEFAULT_METHOD,
    seed: int = 0,
    max_word_len: int = 4,
    penalty: float = 0.0,
    refine: int = 0,
    min_count: int | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    normalize: bool = True,
    max_memory: int = DEFAULT_MAX_MEMORY,
    long_words: bool | None = None,
    progress: ProgressArg = False,
) -> tuple[np.ndarray, np.ndarray]:
    """The tokens of :func:`segment_unsupervised` as spans of the whole text (what evaluation needs).

    Parameters are those of :func:`learn_segmenter`.

    Returns
    -------
    lo, hi : ndarray of int64
        Token ``i`` is ``text[lo[i]:hi[i]]``, where ``text`` is the corpus with its lines joined
        by their ``\\n`` (character offsets, in order).

    Examples
    --------
    >>> lines = ["我们喜欢自然语言处理。"] * 20 + ["自然语言很美"] * 10
    >>> lo, hi = segment_unsupervised_spans(lines)
    >>> text = "\\n".join(lines)
    >>> [text[a:b] for a, b in zip(lo[:3], hi[:3])]
    ['我们喜欢', '自然语言处理', '。']
    """
    direct, texts, seg, _ = _learn_for_output(corpus, method, seed, max_word_len, penalty, refine, min_count,
                                              encoding, errors, normalize, max_memory, progress, form="spans",
                                              long_words=long_words)
    if direct is not None:
        return direct
    los, his, base = [], [], 0
    for text in texts():
        lo, hi = seg.spans(text).T.astype(np.int64)
        los.append(lo + base)
        his.append(hi + base)
        base += len(text)
    return np.concatenate(los), np.concatenate(his)


def segment_unsupervised_file(
    corpus: Source,
    output: Any = None,
    *,
    delimiter: str = " ",
    method: str = DEFAULT_METHOD,
    seed: int = 0,
    max_word_len: int = 4,
    penalty: float = 0.0,
    refine: int = 0,
    min_count: int | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    normalize: bool = True,
    max_memory: int = DEFAULT_MAX_MEMORY,
    long_words: bool | None = None,
    progress: ProgressArg = False,
    jobs: int | None = None,
    start_method: str | None = None,
    client: Any = None,
) -> BatchResult:
    """Learn from ``corpus`` and write its segmentation to ``output``: the tokens of
    :func:`segment_unsupervised`, joined by ``delimiter``, one output line per input line (what
    ``nlpzero segment INPUT`` without a model writes).

    With the joint model (the default) on a corpus learned from whole, the output is the
    model's own refined segmentation of the corpus, written from this process; no perceptron is
    trained (that is what :func:`learn_segmenter` adds, to carry the model to other text). With
    ``method="nvbe"``, on a corpus larger than the learning sample (:func:`learn_sample_chars`,
    or the joint model's cap :func:`nlpzero.joint.joint_sample_chars`), or when the corpus is
    too small for the joint model, the learned segmenter segments the whole input with
    :func:`nlpzero.segment_file` (on ``jobs`` processes, or on the cluster of ``client``),
    exactly as ``segment_file(corpus, output, segmenter=learn_segmenter(corpus))``.

    Parameters
    ----------
    corpus : path, ``"-"``, file object, iterable of str, or Corpus
        Raw text (a read-once source is copied to a temporary file to be read again).
    output : path, ``"-"``, None, or file object
        As for :func:`nlpzero.map_lines`: a path is written atomically (and checked before
        learning, so a bad path fails at once), ``"-"`` or None is standard output, a file
        object receives bytes (str if it is a text file).
    delimiter : str, default " "
        Between the tokens of a line.
    method, seed, max_word_len, penalty, refine, min_count, max_memory, long_words
        As for :func:`learn_segmenter`.
    encoding, errors, normalize, progress
        As for :func:`discover`.
    jobs : int, optional
        Worker processes of the :func:`nlpzero.segment_file` pass (default: all cores); the
        joint model's own segmentation is written from this process.
    start_method : {None, "fork", "spawn", "forkserver"}
        How those workers start (as for :func:`nlpzero.segment_file`).
    client : dask.distributed.Client, optional
        Learn (as :func:`learn_segmenter` does) and segment (as :func:`nlpzero.segment_file`
        does) on this Dask cluster; the same output, byte for byte. ``jobs`` and
        ``start_method`` do not apply.

    Returns
    -------
    nlpzero.BatchResult
        Lines and bytes written (a last input line without a newline gives a last output line
        without one, counted when not empty), bytes read (the input's size for a file, else the
        UTF-8 size of its text), the wall-clock seconds of the whole call (learning included)
        and the worker processes that segmented (1: this process).

    Raises
    ------
    nlpzero.errors.OutputError
        ``output`` cannot be written (a directory, a missing directory...), before learning.
    nlpzero.errors.CorpusTooSmallError
        Fewer than 20 characters of text.

    Examples
    --------
    >>> import io
    >>> lines = ["我们喜欢自然语言处理。"] * 20 + ["自然语言很美"] * 10
    >>> out = io.BytesIO()
    >>> segment_unsupervised_file(lines, out, delimiter="/").lines
    30
    >>> out.getvalue().decode().splitlines()[0]
    '我们喜欢/自然语言处理/。'
    >>> out.getvalue().decode().splitlines() == ["/".join(t) for t in segment_unsupervised(lines)]
    True
    """
    import time

    from .batch import BatchResult, check_output, check_start_method, segment_file, write_output
    from .errors import ParameterTypeError

    began = time.perf_counter()
    if not isinstance(delimiter, str):
        raise ParameterTypeError(f"`delimiter` must be str, got {type(delimiter).__name__}", "delimiter",
                                 delimiter)
    if jobs is not None:
        jobs = limits.check("jobs", jobs)
    start_method = check_start_method(start_method)
    if client is not None and (jobs is not None or start_method is not None):
        raise ParameterError("`jobs` and `start_method` are for local worker processes; with `client` "
                             "the Dask cluster's workers segment", "jobs", jobs)
    check_output(output)                   # fail before learning
    direct, texts, seg, whole = _learn_for_output(
        corpus, method, seed, max_word_len, penalty, refine, min_count, encoding, errors, normalize,
        max_memory, progress, form="bytes", long_words=long_words, client=client, delimiter=delimiter)
    if direct is None:
        from ._reading import is_url

        source = corpus if client is not None and is_url(corpus) else whole   # a URL: read by the workers
        result = segment_file(source, output, segmenter=seg, jobs=jobs, delimiter=delimiter,
                              encoding=encoding, errors=errors, progress=progress,
                              start_method=start_method, client=client)
        return BatchResult(result.lines, result.bytes_in, result.bytes_out, time.perf_counter() - began,
                           result.jobs)
    counts = {"out": 0, "newlines": 0, "last": b""}

    def run(write) -> None:
        for data in direct:
            if data:
                write(data)
                counts["out"] += len(data)
                counts["newlines"] += data.count(b"\n")
                counts["last"] = data[-1:]

    write_output(output, run)
    # a last line without a terminator still counts (its output has no newline either)
    lines = counts["newlines"] + (1 if counts["last"] not in (b"", b"\n") else 0)
    size = getattr(whole, "size", None)
    if size is None:
        size = sum(len(text.encode("utf-8", "surrogatepass")) for text in texts())
    return BatchResult(lines, int(size), counts["out"], time.perf_counter() - began, 1)


def _segmenter_scores(passes: Passes, model: _Model) -> dict:
    """Word → score for every word of the model's segmentation of its training corpus, and every
    single character seen. Restricting the dictionary to these words leaves the optimum of the
    training corpus unchanged (its best route only uses them) and keeps the trie small."""
    K = model.max_word_len
    # used[k] marks the order-k ids of words without ASCII (dense ids: a mark array, no sort)
    used = {k: np.zeros(int(model.offset[k] - model.offset[k - 1]), dtype=bool) for k in range(2, K + 1)}
    mixed = {}
    for codes, sym, start, end, ids in passes.chunks():
        starts = _discover.best_path(sym, np.ascontiguousarray(ids[:K]), model.score, model.offset,
                                     model.unknown)
        bounds = np.flatnonzero(starts.astype(bool) | (sym < 0))
        first = np.flatnonzero(starts[bounds])
        lo = bounds[first]
        length = bounds[first + 1] - lo
        ascii_sym = (sym >= 0) & passes.ascii1[sym]
        csum = np.concatenate(([0], np.cumsum(ascii_sym)))
        has_ascii = csum[lo + length] - csum[lo] > 0
        for k in range(2, K + 1):
            sel = (length == k) & ~has_ascii
            used[k][ids[k - 1, lo[sel]]] = True
        # words with an ASCII stretch (one symbol for any digits or letters) go in literally,
        # lone stretches included, so the dictionary scores them as the model does
        m_lo, m_len = lo[has_ascii], length[has_ascii]
        a, b = start[m_lo], end[m_lo + m_len - 1]
        vals = model.score[model.offset[m_len - 1] + ids[m_len - 1, m_lo]]
        mixed.update(zip(cut_strings(codes, a, b - a), vals.tolist()))
    scores = {}
    for k in range(2, K + 1):
        ids = np.flatnonzero(used[k])
        vals = model.score[model.offset[k - 1] + ids]
        scores.update(zip(passes.strings(k, ids), vals.tolist()))
    ones = np.flatnonzero(passes.levels[0][0] > 0)
    ones = ones[~passes.ascii1[ones]]
    scores.update(zip(passes.strings(1, ones), model.score[ones].tolist()))
    scores.update(mixed)          # the Segmenter normalises keys as it matches text
    return scores
