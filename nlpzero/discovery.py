"""Word discovery and unsupervised segmentation from raw text.

- :func:`discover` — a ranked :class:`~nlpzero.Lexicon` by the mutual-information "cohesion cut"
  (``method="mi"``) or the minimum-entropy principle (``method="min_entropy"``).
- :func:`segment_unsupervised` — learn from a corpus and segment that corpus, one call:
  branching-entropy autonomy (nVBE, :mod:`nlpzero.nvbe`) by default, optionally refined by
  re-estimating a unigram language model on its own output.
- :func:`segment_unsupervised_spans` — the same tokens as character spans of the whole text.
- :func:`learn_segmenter` — the same model as a reusable :class:`nlpzero.Segmenter` for new
  text (its words are the words of the training corpus's segmentation, with their scores).

All statistics come from the one n-gram counter, :func:`nlpzero.count_ngrams` with
``collapse_ascii=True`` (each ASCII letter/digit stretch is one symbol, so a number is never
split), read through a view with dense ids per order, counts and prefix/suffix links, by
:class:`nlpzero._passes.Passes`: scores are numpy array expressions over those ids and
segmentation is one compiled dynamic programme; no per-n-gram Python work on the hot path. The
N of every formula is ``count_ngrams(corpus, collapse_ascii=True).N``.

Default thresholds and how they scale
-------------------------------------
``min_count=None`` means ``max(2, round(N / 500_000))`` for N characters: a word must be seen at
least twice, and in larger corpora at least about twice per million characters, so the bar rises
with corpus size as chance co-occurrences do. The cohesion bars θ_k = 2k − 3 nats (1, 3, 5 for
k = 2, 3, 4) and the minimum-entropy bars (min_pmi = 1, min_proba = 1e-7) are those of the
references (Su Jianlin's word-discovery script and nlp-zero).

References
----------
Su Jianlin (2016-2017), "新词发现的信息熵方法与实现", "基于切分的新词发现", "最小熵原理（二）：
决策树式的词库构建" (kexue.fm); nlp-zero 0.1.6.
Magistry, P. & Sagot, B. (2012). Unsupervised word segmentation: the case for Mandarin Chinese.
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from . import _discover
from . import _limits as limits
from ._passes import Passes
from ._progress import ProgressArg
from ._text import as_codes, cut_strings
from ._validate import check_choice, check_float
from .corpus import Source, as_corpus
from .errors import CorpusTooSmallError, ParameterError
from .ngrams import DEFAULT_MAX_MEMORY
from .nvbe import nvbe_scores

if TYPE_CHECKING:  # pragma: no cover
    from .lexicon import Lexicon
    from .segment import Segmenter

__all__ = [
    "default_min_count",
    "discover",
    "learn_segmenter",
    "segment_unsupervised",
    "segment_unsupervised_spans",
]

#: segmentation methods of learn_segmenter / segment_unsupervised
METHODS = ("nvbe", "joint")
#: the method of learn_segmenter / segment_unsupervised / ``nlpzero learn`` / ``nlpzero segment``
DEFAULT_METHOD = "joint"
#: memory the joint model's refinement and perceptron training take per character of their
#: training sample (ICM candidate tables, counts, tags, features and the copies of the
#: perceptron's training runs: about 30 bytes measured on PKU 1998-01, rounded up); the sample is
#: at most ``max_memory`` / this many characters
JOINT_BYTES_PER_CHAR = 32


def default_min_count(n_chars: int) -> int:
    """``max(2, round(n_chars / 500_000))``: the default ``min_count`` for a corpus of that size."""
    return max(2, int(round(n_chars / 500_000)))


# ---------------------------------------------------------------------- discovery
def discover(
    corpus: Source,
    *,
    method: str = "mi",
    min_count: int | None = None,
    max_n: int = 4,
    thresholds: Sequence[float] | None = None,
    min_pmi: float = 1.0,
    min_proba: float = 1e-7,
    encoding: str = "utf-8",
    errors: str = "strict",
    normalize: bool = True,
    max_memory: int = DEFAULT_MAX_MEMORY,
    progress: ProgressArg = False,
) -> Lexicon:
    """Discover the words of a corpus without any dictionary.

    Parameters
    ----------
    corpus : path, file, iterable of str, or Corpus
        Raw text (see :class:`nlpzero.Corpus`); ``"-"`` is standard input.
    method : {"mi", "min_entropy"}
        ``"mi"``: mutual-information cohesion cut: count n-grams up to ``max_n``, keep
        those with ``count ≥ min_count`` and cohesion ``min_j log(N·c(w)/(c(w[:j])·c(w[j:]))) ≥ θ_|w|``,
        join adjacent characters covered by a kept occurrence, count the pieces, keep pieces seen
        ``min_count`` times that pass the check-back (length ≤ 2, or a kept n-gram, or every
        ``max_n``-window kept). ``"min_entropy"``: cut every link whose pair has
        ``P(ab) ≤ min_proba`` or ``PMI ≤ min_pmi``, count the pieces, then drop redundant words
        (longest first) whose best split into other words costs less than ``|w| − 1`` nats more.
    min_count : int, optional
        Rarest word kept; default :func:`default_min_count` of the corpus size.
    max_n : int, default 4
        Highest n-gram order scored (``"mi"``). For ``"min_entropy"`` words may be
        longer.
    thresholds : sequence of float, optional
        Cohesion bars θ_2..θ_max_n (nats); default ``2k − 3`` (1, 3, 5, ...).
    min_pmi, min_proba : float
        Pair bars of ``"min_entropy"``.
    encoding, errors, normalize
        How to read the corpus (see :class:`nlpzero.Corpus`).
    max_memory : int, default 1 GiB
        Budget of the n-gram counting table in bytes (:func:`nlpzero.count_ngrams`): when the
        distinct n-grams do not fit, they are counted exactly in hash partitions, one pass each.
    progress : bool or callable
        Progress on stderr while reading.

    Returns
    -------
    Lexicon
        Ranked by count (ties by word), with cohesion (min PMI for ``"min_entropy"``), left/right
        branching entropy (nan for words longer than ``max_n``), probability and ``is_new``.
        Words with ASCII letters or digits are left out (the segmenter keeps those stretches
        whole anyway).

    Raises
    ------
    nlpzero.errors.CorpusTooSmallError
        Fewer than 20 characters of text in runs.
    ValueError, TypeError
        A bad parameter (the message names it).

    Examples
    --------
    >>> import random
    >>> random.seed(0)
    >>> words = ["自然", "语言", "处理", "我们", "喜欢", "很", "美", "的", "北京大学", "研究生"]
    >>> lines = ["".join(random.choices(words, k=12)) for _ in range(300)]
    >>> lex = discover(lines, method="min_entropy", min_count=5)
    >>> sorted(lex.top(10)) == sorted(words)
    True

    References
    ----------
    Su Jianlin, "基于切分的新词发现" (2016) and "最小熵原理（二）" (2018), kexue.fm; nlp-zero 0.1.6.
    """
    check_choice("method", method, ("mi", "min_entropy", "min-entropy"))
    method = method.replace("-", "_")
    if min_count is not None:
        min_count = limits.check("min_count", min_count)
    max_n = limits.check("max_n", max_n, key="discover_max_n")
    min_pmi = check_float("min_pmi", min_pmi)
    min_proba = check_float("min_proba", min_proba, minimum=0.0, maximum=1.0)
    if thresholds is None:
        thresholds = [2.0 * k - 3.0 for k in range(2, max_n + 1)]
    else:
        thresholds = [check_float(f"thresholds[{i}]", t) for i, t in enumerate(thresholds)]
        if len(thresholds) != max_n - 1:
            raise ParameterError(f"`thresholds` must have max_n - 1 = {max_n - 1} values, got {len(thresholds)}")
    corpus = as_corpus(corpus, encoding=encoding, errors=errors, normalize=normalize)
    max_memory = limits.check("max_memory", max_memory)
    passes = Passes(corpus, max_n + 1, progress, "discovering words", max_memory)
    if min_count is None:
        min_count = default_min_count(passes.N)
    if method == "mi":
        lexicon = _discover_mi(passes, max_n, min_count, thresholds)
    else:
        lexicon = _discover_min_entropy(passes, max_n, min_count, min_pmi, min_proba)
    if not len(lexicon):
        raise CorpusTooSmallError(
            f"no word of {corpus.path or 'the corpus'} passed the thresholds (min_count={min_count}, "
            f"{passes.N} characters): the corpus is too small or too repetitive for "
            "these settings; lower min_count or give more text")
    return lexicon


def _cohesion(passes: Passes, k: int) -> np.ndarray:
    n = float(passes.N)
    c = passes.levels[k - 1][0].astype(np.float64)
    ids = np.arange(c.size)
    coh = np.full(c.size, np.inf)
    for j in range(1, k):
        left = passes.levels[j - 1][0][passes.prefix_ids(k, ids, j)]
        right = passes.levels[k - j - 1][0][passes.suffix_ids(k, ids, j)]
        coh = np.minimum(coh, np.log(n * c / (left.astype(np.float64) * right)))
    return coh


def _discover_mi(passes: Passes, K: int, min_count: int, thresholds) -> Lexicon:
    kept = [None, None]           # kept[k]: bool per order-k id
    coh = [None, None]
    for k in range(2, K + 1):
        coh.append(_cohesion(passes, k))
        kept.append((passes.levels[k - 1][0] >= min_count) & (coh[k] >= thresholds[k - 2]))

    def joined(sym, ids):
        m = sym.size
        diff = np.zeros(m + 1, dtype=np.int64)
        for k in range(2, K + 1):
            row = ids[k - 1]
            occ = np.flatnonzero(row >= 0)
            occ = occ[kept[k][row[occ]]]
            diff += np.bincount(occ, minlength=m + 1)
            diff -= np.bincount(occ + (k - 1), minlength=m + 1)
        return np.cumsum(diff)[:m] > 0

    def windows_kept(ids, lo, length):
        row = ids[K - 1]
        ok = np.zeros(row.size + 1, dtype=np.int64)
        valid = row >= 0
        ok[1:][valid] = kept[K][row[valid]]
        ok = np.cumsum(ok)
        n_windows = length - K + 1
        return ok[lo + n_windows] - ok[lo] == n_windows

    per_order, longer = passes.count_pieces(joined, K, windows_kept)
    return _assemble(passes, K, per_order, longer, min_count, "mi",
                     ok=lambda k, ids: np.ones(ids.size, bool) if k <= 2 else kept[k][ids],
                     score=lambda k, ids: coh[k][ids] if k >= 2 else np.full(ids.size, np.nan))


def _assemble(passes, K, per_order, longer, min_count, method, ok, score) -> Lexicon:
    words: list[str] = []
    counts, cohs, lefts, rights = [], [], [], []
    for k in range(1, K + 1):
        cnt = per_order[k - 1]
        ids = np.flatnonzero(cnt >= min_count)
        ids = ids[ok(k, ids)]
        ids = ids[passes.pure(k, ids)]
        words += passes.strings(k, ids)
        counts.append(cnt[ids])
        cohs.append(score(k, ids))
        h_l, h_r = passes.entropies(k)
        lefts.append(h_l[ids])
        rights.append(h_r[ids])
    extra = [(w, c) for w, c in longer.items() if c >= min_count]
    words += [w for w, _ in extra]
    counts.append(np.array([c for _, c in extra], dtype=np.int64))
    cohs.append(np.full(len(extra), np.nan))
    lefts.append(np.full(len(extra), np.nan))
    rights.append(np.full(len(extra), np.nan))
    from .lexicon import Lexicon  # imported here: segmentation alone does not need it

    return Lexicon.from_counts(dict(zip(words, np.concatenate(counts).tolist())), method,
                               cohesion=np.concatenate(cohs), left_entropy=np.concatenate(lefts),
                               right_entropy=np.concatenate(rights))


def _discover_min_entropy(passes: Passes, K: int, min_count: int, min_pmi: float, min_proba: float) -> Lexicon:
    n = float(passes.N)
    c1 = passes.levels[0][0].astype(np.float64)
    c2, pre, suf = passes.levels[1]
    n2 = float(c2.sum()) or 1.0
    p2 = c2 / n2
    pmi = np.log(p2) - np.log(c1[pre] / n) - np.log(c1[suf] / n)
    keep2 = (p2 > min_proba) & (pmi > min_pmi)

    def joined(sym, ids):
        row = ids[1]
        out = row >= 0
        out[out] = keep2[row[out]]
        return out

    per_order, longer = passes.count_pieces(joined, K)
    total = float(sum(int(c.sum()) for c in per_order) + sum(longer.values()))
    floor = max(min_count, math.floor(min_proba * total) + 1)
    lex = _assemble(passes, K, per_order, longer, floor, "min_entropy",
                    ok=lambda k, ids: np.ones(ids.size, bool), score=lambda k, ids: np.full(ids.size, np.nan))
    counts = _remove_redundant(lex.to_dict())
    pair_ids = np.flatnonzero(keep2)
    pair_pmi = dict(zip(passes.strings(2, pair_ids), pmi[pair_ids].tolist()))
    words = [w for w in lex.words if counts.get(w, 0) >= min_count]
    rows = {w: i for i, w in enumerate(lex.words)}
    idx = np.array([rows[w] for w in words], dtype=np.int64)
    coh = [min((pair_pmi.get(w[i : i + 2], np.nan) for i in range(len(w) - 1)), default=np.nan)
           if len(w) > 1 else np.nan for w in words]
    from .lexicon import Lexicon

    return Lexicon.from_counts({w: counts[w] for w in words}, "min_entropy", cohesion=coh,
                               left_entropy=lex.left_entropy[idx], right_entropy=lex.right_entropy[idx])


def _best_split(word: str, logp: dict) -> list[str] | None:
    """Best split of ``word`` into ≥ 2 lexicon words by unigram Viterbi (``word`` itself excluded)."""
    n = len(word)
    best = [0.0] + [-math.inf] * n
    back = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(max(0, j - 16), j):
            if i == 0 and j == n:
                continue
            lp = logp.get(word[i:j])
            if lp is not None and best[i] + lp > best[j]:
                best[j] = best[i] + lp
                back[j] = i
    if best[n] == -math.inf:
        return None
    pieces, j = [], n
    while j > 0:
        pieces.append(word[back[j] : j])
        j = back[j]
    return pieces[::-1]


def _remove_redundant(counts: dict) -> dict:
    """Minimum-entropy pruning, longest words first: drop w when log P(w) − Σ log P(k_i) < |w| − 1 for its
    best split k_1..k_m into other words, moving its count to the pieces."""
    counts = dict(counts)
    total = float(sum(counts.values()))
    logp = {w: math.log(c / total) for w, c in counts.items()}
    for word in sorted((w for w in counts if len(w) > 1), key=len, reverse=True):
        pieces = _best_split(word, logp)
        if pieces is None:
            continue
        gain = logp[word] - sum(logp[p] for p in pieces)
        if gain < len(word) - 1:
            c = counts.pop(word)
            del logp[word]
            for p in pieces:
                counts[p] += c
                logp[p] = math.log(counts[p] / total)
    return counts


# ---------------------------------------------------------------------- unsupervised segmentation
class _Model:
    """A learned scoring of every string of at most ``max_word_len`` symbols seen in training (the
    nVBE score ``a(w)·|w| + Σ z(PMI) of its links − penalty`` of
    :func:`nlpzero.nvbe.nvbe_scores`, or after refinement the unigram log-probability), applied
    by the compiled dynamic programme of ``_discover.best_path``."""

    def __init__(self, index, score: np.ndarray, offset: np.ndarray, max_word_len: int, unknown: float,
                 normalize: bool, method: str):
        self._index = index
        self._score = score
        self._offset = offset
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
           max_memory=DEFAULT_MAX_MEMORY):
    max_word_len, penalty, refine, min_count = _check_segment_params(max_word_len, penalty, refine, min_count)
    max_memory = limits.check("max_memory", max_memory)
    corpus = as_corpus(corpus, encoding=encoding, errors=errors, normalize=normalize)
    passes = Passes(corpus, max_word_len + 1, progress, "learning a segmenter", max_memory)
    score, offset = nvbe_scores(passes.index, max_word_len, penalty, passes.levels)
    model = _Model(passes.index, score, offset, max_word_len, -1e3, corpus.normalize, "nvbe")
    if min_count is None:
        min_count = default_min_count(passes.N)
    for _ in range(refine):
        model = _refine(passes, model, min_count)
    return passes, model


def _refine(passes: Passes, model: _Model, min_count: int) -> _Model:
    """One round of the unigram-LM refinement: count the words of the current segmentation of the
    training corpus, drop those seen fewer than ``min_count`` times (single symbols always stay,
    as unknown characters), and score each word by its log-probability."""
    K = model.max_word_len
    counts = np.zeros(int(model._offset[-1]), dtype=np.float64)
    for _codes, sym, _start, _end, ids in passes.chunks():
        starts = _discover.best_path(sym, np.ascontiguousarray(ids[:K]), model._score, model._offset,
                                     model.unknown)
        bounds = np.flatnonzero(starts.astype(bool) | (sym < 0))
        first = np.flatnonzero(starts[bounds])
        lo = bounds[first]
        length = bounds[first + 1] - lo
        for k in range(1, K + 1):
            sel = lo[length == k]
            o0, o1 = model._offset[k - 1], model._offset[k]
            counts[o0:o1] += np.bincount(ids[k - 1, sel], minlength=int(o1 - o0))
    total = counts.sum()
    n1 = int(model._offset[1])
    keep = counts >= min_count
    keep[:n1] = counts[:n1] > 0
    score = np.full(counts.size, -np.inf)
    score[keep] = np.log(counts[keep] / total)
    unknown = math.log(0.5 / total)
    score[:n1][~keep[:n1]] = unknown
    return _Model(model._index, score, model._offset, K, unknown, model.normalize,
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
    progress: ProgressArg = False,
) -> Segmenter:
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
        As for :func:`discover`: the n-gram counting table's budget (nVBE's statistics always
        cover the whole corpus). With ``method="joint"`` it also bounds the joint model's
        training text: at most :func:`joint_sample_chars` ``(max_memory)`` characters (33.5 M
        at the default), an evenly spread sample of the runs of a larger corpus.
    encoding, errors, normalize, progress
        As for :func:`discover`.

    Returns
    -------
    nlpzero.Segmenter or nlpzero.joint.JointSegmenter
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
    passes, model = _learn(corpus, max_word_len, penalty, refine, min_count, encoding, errors, normalize,
                           progress, max_memory)
    if method == "joint":
        inputs = _joint_inputs(passes, model, max_memory)
        if inputs is not None:
            refined = _joint_refine(inputs, max_word_len, seed, progress)
            return _joint_segmenter(passes, inputs, refined, seed, max_word_len)
    return _segmenter(passes, model, penalty, refine)


def _segmenter(passes: Passes, model: _Model, penalty: float, refine: int) -> Segmenter:
    from .segment import Segmenter

    unknown = model.unknown if refine else -float(penalty)
    seg = Segmenter.from_scores(_segmenter_scores(passes, model), unknown_score=unknown,
                                normalize=model.normalize)
    # how it was learned, recorded in a saved model for people (not read back by the code)
    seg.learned = {"method": model.method, "max_word_len": model.max_word_len, "penalty": float(penalty),
                   "refine": int(refine), "characters": int(passes.N)}
    return seg


def _learn_for_output(corpus, method, seed, max_word_len, penalty, refine, min_count, encoding, errors,
                      normalize, max_memory, progress, *, spans: bool):
    """Learn for :func:`segment_unsupervised` (``spans=False``) or its spans form: ``(direct,
    passes, seg)``. ``direct`` is the joint model's own segmentation of the corpus when the whole
    corpus was refined (then ``seg`` is None); otherwise ``seg`` segments ``passes.texts()``."""
    check_choice("method", method, METHODS)
    seed = limits.check("seed", seed)
    passes, model = _learn(corpus, max_word_len, penalty, refine, min_count, encoding, errors, normalize,
                           progress, max_memory)
    if method == "joint":
        inputs = _joint_inputs(passes, model, max_memory)
        if inputs is not None:
            refined = _joint_refine(inputs, max_word_len, seed, progress)
            if not inputs.sampled:
                return _joint_output(passes, inputs, refined.starts, spans), passes, None
            return None, passes, _joint_segmenter(passes, inputs, refined, seed, max_word_len)
    return None, passes, _segmenter(passes, model, penalty, refine)


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
    progress: ProgressArg = False,
) -> Iterator[list[str]]:
    """Learn a segmenter from ``corpus`` and segment ``corpus`` with it (one call, two passes).

    Parameters are those of :func:`learn_segmenter`. With ``method="nvbe"`` the tokens are those
    of the segmenter it returns (``learn_segmenter(corpus).lcut(line)`` for every line); with
    ``method="joint"`` they are the joint model's refined segmentation of the corpus itself (the
    perceptron is only needed for other text, so it is not trained here; a corpus larger than
    the joint model's training sample, :func:`joint_sample_chars`, is instead segmented by the
    perceptron trained on the sample, as ``learn_segmenter(corpus).cut_lines`` would). The learned model picks
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
    direct, passes, seg = _learn_for_output(corpus, method, seed, max_word_len, penalty, refine, min_count,
                                            encoding, errors, normalize, max_memory, progress, spans=False)
    if direct is not None:
        return direct

    def lines():
        for text in passes.texts():
            tokens = seg._line_tokens(text)
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
    >>> text[lo[-1]:hi[-1]]
    '很美'
    """
    direct, passes, seg = _learn_for_output(corpus, method, seed, max_word_len, penalty, refine, min_count,
                                            encoding, errors, normalize, max_memory, progress, spans=True)
    if direct is not None:
        return direct
    los, his, base = [], [], 0
    for text in passes.texts():
        lo, hi = seg.spans(text).T.astype(np.int64)
        los.append(lo + base)
        his.append(hi + base)
        base += len(text)
    return np.concatenate(los), np.concatenate(his)


def _segmenter_scores(passes: Passes, model: _Model) -> dict:
    """Word → score for every word of the model's segmentation of its training corpus, and every
    single character seen. Restricting the dictionary to these words leaves the optimum of the
    training corpus unchanged (its best route only uses them) and keeps the trie small."""
    K = model.max_word_len
    # used[k] marks the order-k ids of words without ASCII (dense ids: a mark array, no sort)
    used = {k: np.zeros(int(model._offset[k] - model._offset[k - 1]), dtype=bool) for k in range(2, K + 1)}
    mixed = {}
    for codes, sym, start, end, ids in passes.chunks():
        starts = _discover.best_path(sym, np.ascontiguousarray(ids[:K]), model._score, model._offset,
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
        vals = model._score[model._offset[m_len - 1] + ids[m_len - 1, m_lo]]
        mixed.update(zip(cut_strings(codes, a, b - a), vals.tolist()))
    scores = {}
    for k in range(2, K + 1):
        ids = np.flatnonzero(used[k])
        vals = model._score[model._offset[k - 1] + ids]
        scores.update(zip(passes.strings(k, ids), vals.tolist()))
    ones = np.flatnonzero(passes.levels[0][0] > 0)
    ones = ones[~passes.ascii1[ones]]
    scores.update(zip(passes.strings(1, ones), model._score[ones].tolist()))
    scores.update(mixed)          # the Segmenter normalises keys as it matches text
    return scores


# ---------------------------------------------------------------------- the joint model
class _JointInputs:
    """The training text as the joint model sees it: run symbols, run offsets, nVBE's word
    starts, and (per chunk, when the whole corpus is used) where each run symbol sits in the
    text. ``sampled``: the runs are a sample of the corpus (see :func:`joint_sample_chars`)."""

    def __init__(self, sym, off, starts, chunk_starts, chars, total):
        self.sym, self.off, self.starts = sym, off, starts
        self.chunk_starts = chunk_starts          # per chunk: text offset of each run symbol
        self.chars = chars
        self.total = int(total)                   # run symbols of the whole corpus
        self.sampled = chunk_starts is None


def joint_sample_chars(max_memory: int) -> int:
    """Characters (run symbols) the joint model refines and trains its perceptron on, at most:
    ``max_memory // JOINT_BYTES_PER_CHAR`` (33.5 M characters at the default 1 GiB).

    nVBE's statistics always come from the whole corpus (within ``max_memory``); a corpus with
    more run symbols than this gives the joint model an evenly spread sample of its runs, in
    corpus order: run r (counted from 0) is kept when ``floor((r + 1)·cap / symbols)`` exceeds
    ``floor(r·cap / symbols)`` (a share ``cap / symbols`` of the runs, spread evenly), and
    sampling stops before the cap would be passed.

    >>> joint_sample_chars(32 << 20)
    1048576
    """
    return max(1, int(max_memory) // JOINT_BYTES_PER_CHAR)


def _with_separators(sym: np.ndarray, off: np.ndarray, *arrays) -> list:
    """Runs ``sym[off[r]:off[r+1]]`` (and the same slices of ``arrays``) laid end to end, each
    followed by a -1 separator (0 for the other arrays)."""
    n_runs = off.size - 1
    out_pos = np.arange(sym.size) + np.repeat(np.arange(n_runs), np.diff(off))
    result = []
    for a, fill in ((sym, -1), *((x, 0) for x in arrays)):
        b = np.full(sym.size + n_runs, fill, dtype=a.dtype)
        b[out_pos] = a
        result.append(b)
    return result


def _joint_inputs(passes: Passes, model: _Model, max_memory: int = DEFAULT_MAX_MEMORY) -> _JointInputs | None:
    """nVBE's segmentation of the training corpus (or of an evenly spread sample of its runs, when
    it has more than :func:`joint_sample_chars` run symbols) as arrays; None (after a warning)
    when the corpus is too small for the joint model's estimates (fewer than 10 runs, or no word
    seen twice), in which case the caller keeps nVBE."""
    from .joint import _select, runs_of

    K = model.max_word_len
    cap = joint_sample_chars(max_memory)
    total = int(passes.N)
    sample = total > cap
    full = False                                # the sample reached the cap
    syms, firsts, chunk_starts = [], [], []
    run_index = kept = 0
    for _codes, sym, start, _end, ids in passes.chunks():
        if full:
            break
        st = _discover.best_path(sym, np.ascontiguousarray(ids[:K]), model._score, model._offset,
                                 model.unknown)
        if not sample:
            syms.append(sym)
            firsts.append(st)
            chunk_starts.append(start[sym >= 0])
            continue
        rs, roff, rpos = runs_of(sym)
        n = roff.size - 1
        r = run_index + np.arange(n + 1, dtype=np.int64)
        sel = np.flatnonzero(np.diff(r * cap // total) > 0)   # run r when floor(r·cap/total) steps
        run_index += n
        lens = roff[sel + 1] - roff[sel]
        fits = np.cumsum(lens) <= cap - kept              # a prefix (lengths > 0): never past the cap
        full = not fits.all()
        sel = sel[fits]
        kept += int(lens[fits].sum())
        s_off, (s_sym, s_st) = _select(roff, sel, rs, st[rpos])
        s_sym, s_st = _with_separators(s_sym, s_off, s_st)
        syms.append(s_sym)
        firsts.append(s_st)
    sym_all = np.concatenate(syms)
    run_sym, off, pos = runs_of(sym_all)
    starts = np.ascontiguousarray(np.concatenate(firsts)[pos], dtype=np.uint8)
    n_runs = off.size - 1
    n_words = int(starts.sum())
    if n_runs < 10 or n_words < 2:
        import warnings

        warnings.warn(f"the corpus is too small for the joint model ({n_runs} runs, {n_words} words): "
                      "using nVBE", RuntimeWarning, stacklevel=3)
        return None
    return _JointInputs(run_sym, off, starts, None if sample else chunk_starts, passes.chars, total)


def _joint_refine(inputs: _JointInputs, max_word_len: int, seed: int, progress):
    from .joint import refine

    report = None
    if progress:
        import sys

        def report(sweep, a0, a1, changed, bounds):
            print(f"joint sweep {sweep + 1}: alpha0 {a0:.0f}, alpha1 {a1:.1f}, "
                  f"{changed} of {bounds} boundaries changed", file=sys.stderr)
    return refine(inputs.sym, inputs.off, inputs.starts, max_word_len=max_word_len, seed=seed,
                  progress=report)


def _feature_codes(inputs: _JointInputs) -> np.ndarray:
    from . import _joint, _ngram

    cps = inputs.chars[inputs.sym]
    feat = cps.astype(np.int32)
    feat[cps == _ngram.DIGIT_SYMBOL] = _joint.DIGITS_CODE       # collapsed ASCII stretches
    feat[cps == _ngram.LATIN_SYMBOL] = _joint.LATIN_CODE
    return feat


def _joint_segmenter(passes: Passes, inputs: _JointInputs, refined, seed: int, max_word_len: int):
    from .joint import JointSegmenter, train_perceptron

    perceptron = train_perceptron(_feature_codes(inputs), inputs.off, refined.starts, seed=seed)
    info = {"alpha0": refined.alpha0, "alpha1": refined.alpha1, "sweeps": refined.sweeps,
            "changed": refined.changed}
    # how it was learned, recorded in a saved model for people (not read back by the code)
    learned = {"method": "joint", "max_word_len": int(max_word_len), "seed": int(seed),
               "characters": inputs.total, "sample_characters": int(inputs.sym.size)}
    return JointSegmenter(perceptron, normalize=passes.normalize, info=info, learned=learned)


def _joint_output(passes: Passes, inputs: _JointInputs, starts: np.ndarray, spans: bool):
    """Tokens of the training corpus from the joint model's word starts (one flag per run
    symbol, in corpus order), through the text model of :mod:`nlpzero.joint`."""
    from .joint import split_lines, token_spans
    from .segment import Segmenter

    chars = Segmenter.from_scores({}, unknown_score=-1.0, normalize=passes.normalize)
    pieces = []
    at = 0
    for text, sym_starts in zip(passes.texts(), inputs.chunk_starts):
        codes = as_codes(text)
        flags = starts[at : at + sym_starts.size].astype(bool)
        at += sym_starts.size
        word_start = np.zeros(codes.size + 1, dtype=np.uint8)
        word_start[sym_starts[flags]] = 1
        cs = chars.spans(text)
        if cs.size:
            lo, hi = token_spans(codes, cs, word_start, passes.normalize)
        else:
            lo = hi = np.zeros(0, dtype=np.int64)
        pieces.append((text, codes, lo, hi))
    if spans:
        los, his, base = [], [], 0
        for text, _, lo, hi in pieces:
            los.append(lo + base)
            his.append(hi + base)
            base += len(text)
        return np.concatenate(los), np.concatenate(his)

    def lines():
        for text, codes, lo, hi in pieces:
            tokens = split_lines(text, codes, lo, hi)
            yield from (tokens[:-1] if text.endswith("\n") else tokens)

    return lines()
