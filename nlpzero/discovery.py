"""Word discovery from raw text: a ranked lexicon without any dictionary.

:func:`discover` builds a ranked :class:`~nlpzero.Lexicon` by the mutual-information "cohesion
cut" (``method="mi"``), the minimum-entropy principle (``method="min_entropy"``) or from the
joint segmentation model's words (``method="joint"``, :mod:`nlpzero._discover_joint`).
Unsupervised segmentation (nVBE and the joint model) lives in :mod:`nlpzero.unsupervised`.

All statistics come from the one n-gram counter, :func:`nlpzero.count_ngrams` with
``collapse_ascii=True`` (each ASCII letter/digit stretch is one symbol, so a number is never
split), read through a view with dense ids per order, counts and prefix/suffix links, by
:class:`nlpzero._passes.Passes`: scores are numpy array expressions over those ids; no
per-n-gram Python work on the hot path. The N of every formula is
``count_ngrams(corpus, collapse_ascii=True).N``.

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
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from . import _discover_mixed as _mixed
from . import _limits as limits
from ._passes import Passes
from ._progress import ProgressArg
from ._sample import learning_sample
from ._validate import check_choice, check_float
from .corpus import Source, as_corpus
from .errors import CorpusTooSmallError, ParameterError
from .ngrams import DEFAULT_MAX_MEMORY

if TYPE_CHECKING:  # pragma: no cover
    import os

    from .lexicon import Lexicon

#: the ``known`` argument of :func:`discover`: a dictionary file, or a list of them
KnownArg = Union[str, "os.PathLike[str]", Sequence[Union[str, "os.PathLike[str]"]], None]

__all__ = ["default_min_count", "discover"]


def default_min_count(n_chars: int) -> int:
    """``max(2, round(n_chars / 500_000))``: the default ``min_count`` for a corpus of that size."""
    return max(2, int(round(n_chars / 500_000)))


# ---------------------------------------------------------------------- discovery
def discover(
    corpus: Source,
    *,
    method: str = "joint",
    min_count: int | None = None,
    max_n: int = 4,
    thresholds: Sequence[float] | None = None,
    min_pmi: float = 1.0,
    min_proba: float = 1e-7,
    encoding: str = "utf-8",
    errors: str = "strict",
    normalize: bool = True,
    max_memory: int = DEFAULT_MAX_MEMORY,
    known: KnownArg = None,
    known_jieba: bool = True,
    seed: int = 0,
    progress: ProgressArg = False,
    client: Any = None,
) -> Lexicon:
    """Discover the words of a corpus without any dictionary.

    Parameters
    ----------
    corpus : path, file, iterable of str, or Corpus
        Raw text (see :class:`nlpzero.Corpus`); ``"-"`` is standard input.
    method : {"joint", "mi", "min_entropy"}, default "joint"
        ``"mi"``: mutual-information cohesion cut: count n-grams up to ``max_n``, keep
        those with ``count ≥ min_count`` and cohesion ``min_j log(N·c(w)/(c(w[:j])·c(w[j:]))) ≥ θ_|w|``,
        join adjacent characters covered by a kept occurrence, count the pieces, keep pieces seen
        ``min_count`` times that pass the check-back (length ≤ 2, or a kept n-gram, or every
        ``max_n``-window kept). ``"min_entropy"``: cut every link whose pair has
        ``P(ab) ≤ min_proba`` or ``PMI ≤ min_pmi``, count the pieces, then drop redundant words
        (longest first) whose best split into other words costs less than ``|w| − 1`` nats more.
        ``"joint"``: the words of the joint model's segmentation of the corpus (that of
        :func:`nlpzero.segment_unsupervised`, words of at most ``max_n`` symbols) seen
        ``min_count`` times; multi-character words ranked by their description-length gain
        ``n_w·(log P1(w) − max over splits of w into ≥ 2 pieces of Σ log P1(piece))`` under the
        model's unigram distribution ``P1``, then single characters by count.
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
        Budget in bytes. ``"mi"`` / ``"min_entropy"``: the n-gram counting table's
        (:func:`nlpzero.count_ngrams`): when the distinct n-grams do not fit, they are counted
        exactly in hash partitions, one pass each, and only n-grams seen ``min_count`` times are
        kept (peak about 1.75 × ``max_memory`` + 100 B per kept n-gram). ``"joint"``: the
        learning step's, as for :func:`nlpzero.learn_segmenter`: a corpus of more than
        :func:`nlpzero.unsupervised.learn_sample_chars` ``(max_memory, max_n)`` characters
        (5.59 M at the default) is discovered from an evenly spread sample of its lines of at
        most that many characters: the words and counts are the sample's (PKU, a quarter of
        its lines: multi-character P@1000 0.954 → 0.948).
    known : path or list of paths, optional
        The user's own dictionaries (one word per line, jieba's ``word [freq] [tag]`` or
        nlpzero's TSV; see :func:`nlpzero.lexicon.known_words`): their words are not new.
    known_jieba : bool, default True
        Count the words of jieba's dictionary as known too (``False``: only ``known``'s words).
    seed : int, default 0
        Seed of the joint model's visiting order (``method="joint"``; deterministic per seed).
    progress : bool or callable
        Progress on stderr while reading.
    client : dask.distributed.Client, optional
        Run on this Dask cluster (:mod:`nlpzero.distributed`; needs ``pip install "nlpzero[dask]"``):
        n-grams are counted on the workers, the scores computed here on the merged counts (for
        ``"mi"`` / ``"min_entropy"`` pruned on the workers, so only what is kept comes here;
        ``"joint"`` past its cap learns from the sample of one process, here); the same lexicon,
        byte for byte. ``corpus`` may then also be an fsspec URL (``s3://...``).

    Returns
    -------
    Lexicon
        Ranked by count, ties by word (``"joint"``: by gain, see ``method``); with cohesion
        (min PMI for ``"min_entropy"``), left/right branching entropy (nan for words longer
        than ``max_n``), probability and ``is_new`` (absent from the known words).
        Words with ASCII letters or digits (K线图, 58同城, O2O) are judged on their literal
        text, each distinct stretch its own symbol (:mod:`nlpzero._discover_mixed`); a number
        alone is no word.

    Raises
    ------
    nlpzero.errors.CorpusTooSmallError
        Fewer than 20 characters of text in runs.
    nlpzero.errors.FormatError
        A malformed line in a ``known`` file (the message names the file and the line).
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
    check_choice("method", method, ("mi", "min_entropy", "min-entropy", "joint"))
    method = method.replace("-", "_")
    if min_count is not None:
        min_count = limits.check("min_count", min_count)
    max_n = limits.check("max_n", max_n, key="discover_max_n")
    seed = limits.check("seed", seed)
    min_pmi = check_float("min_pmi", min_pmi)
    min_proba = check_float("min_proba", min_proba, minimum=0.0, maximum=1.0)
    if thresholds is None:
        thresholds = [2.0 * k - 3.0 for k in range(2, max_n + 1)]
    else:
        thresholds = [check_float(f"thresholds[{i}]", t) for i, t in enumerate(thresholds)]
        if len(thresholds) != max_n - 1:
            raise ParameterError(f"`thresholds` must have max_n - 1 = {max_n - 1} values, got {len(thresholds)}")
    max_memory = limits.check("max_memory", max_memory)
    from .lexicon import known_words

    if client is None:
        corpus = as_corpus(corpus, encoding=encoding, errors=errors, normalize=normalize)
    known_set = known_words(known, known_jieba=known_jieba,                  # before the long pass
                            normalize=corpus.normalize if client is None else normalize)
    given = min_count

    def prune(totals) -> int:
        # n-grams rarer than this cannot be in the lexicon (nor, for min_entropy, a kept pair);
        # entropies are taken before they are dropped (see nlpzero._passes)
        floor = default_min_count(int(totals[1])) if given is None else given
        if method == "min_entropy":
            floor = min(floor, math.floor(min_proba * float(totals[2])) + 1)
        return floor

    if client is None:
        if method == "joint":
            # the joint method segments with nVBE first, which scores rare n-grams too: no pruning,
            # so a corpus larger than the learning cap is discovered from a sample of its lines
            corpus, _sample = learning_sample(corpus, max_memory, max_n, progress)
        passes = Passes(corpus, max_n + 1, progress, "discovering words", max_memory,
                        prune=None if method == "joint" else prune)
    else:
        from ._sample import cluster_passes

        passes, _sample = cluster_passes(client, corpus, max_n, max_memory, progress, "discovering words",
                                         sample=method == "joint", prune=None if method == "joint" else prune,
                                         encoding=encoding, errors=errors, normalize=normalize)
    corpus = passes.corpus
    if min_count is None:
        min_count = default_min_count(passes.N)
    if method == "mi":
        lexicon = _discover_mi(passes, max_n, min_count, thresholds, known_set)
    elif method == "joint":
        lexicon = _discover_joint(passes, max_n, min_count, known_set, seed, max_memory, progress)
    else:
        lexicon = _discover_min_entropy(passes, max_n, min_count, min_pmi, min_proba, known_set)
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


def _discover_mi(passes: Passes, K: int, min_count: int, thresholds, known) -> Lexicon:
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

    mixed: Counter = Counter()
    per_order, longer = passes.count_pieces(joined, K, windows_kept, mixed=mixed)

    def ok(k, ids):
        return np.ones(ids.size, bool) if k <= 2 else kept[k][ids]

    cands, lit = _mixed.candidates(passes, mixed, min_count, K, parts=True)
    rows = _mixed.mi_rows(passes, cands, lit, thresholds)
    return _assemble(passes, K, per_order, longer, min_count, "mi", known, ok,
                     score=lambda k, ids: coh[k][ids] if k >= 2 else np.full(ids.size, np.nan),
                     mixed_rows=[(w, c, h, math.nan) for w, c, h in rows])


def _discover_joint(passes: Passes, K: int, min_count: int, known, seed: int, max_memory: int,
                    progress) -> Lexicon:
    from ._discover_joint import gains, joint_starts

    joined_fn, chunks = joint_starts(passes, K, seed, max_memory, progress)
    mixed: Counter = Counter()
    per_order, longer = passes.count_pieces(joined_fn, K, chunks=chunks, mixed=mixed)
    cands, lit = _mixed.candidates(passes, mixed, min_count, K)
    rows = _mixed.joint_rows(passes, cands, lit, mixed, per_order, K)
    coh = [None, None] + [_cohesion(passes, k) for k in range(2, K + 1)]

    def ok(k, ids):
        return np.ones(ids.size, bool)

    def rank(k, ids):
        if k == 1:
            return per_order[0][ids].astype(np.float64)
        return gains(passes, K, per_order, {k: ids})[k]

    return _assemble(passes, K, per_order, longer, min_count, "joint", known, ok,
                     score=lambda k, ids: coh[k][ids] if k >= 2 else np.full(ids.size, np.nan), rank=rank,
                     mixed_rows=[(w, c, math.nan, c if math.isnan(g) else g) for w, c, g in rows])


def _assemble(passes, K, per_order, longer, min_count, method, known, ok, score, rank=None,
              mixed_rows=()) -> Lexicon:
    """The lexicon of the pieces counted seen ``min_count`` times that ``ok(k, ids)`` accepts
    and the words with ASCII symbols ``mixed_rows`` (word, count, cohesion, rank key), by count,
    or with ``rank(k, ids)`` (higher first) words of several symbols first, then single
    symbols."""
    words: list[str] = []
    counts, cohs, lefts, rights, keys = [], [], [], [], []
    chosen = {}
    for k in range(1, K + 1):
        ids = np.flatnonzero(per_order[k - 1] >= min_count)
        ids = ids[ok(k, ids)]
        chosen[k] = ids[passes.pure(k, ids)]
    entropies = passes.entropies_of(chosen)       # only for the words (in one pass when pruned)
    for k, ids in chosen.items():
        words += passes.strings(k, ids)
        counts.append(per_order[k - 1][ids])
        if rank is not None:
            keys.append(rank(k, ids))
        cohs.append(score(k, ids))
        lefts.append(entropies[k][0])
        rights.append(entropies[k][1])
    extra = [(w, c) for w, c in longer.items() if c >= min_count]
    words += [w for w, _ in extra] + [r[0] for r in mixed_rows]
    n_extra = len(extra) + len(mixed_rows)
    counts.append(np.array([c for _, c in extra] + [r[1] for r in mixed_rows], dtype=np.int64))
    cohs.append(np.array([math.nan] * len(extra) + [r[2] for r in mixed_rows], dtype=np.float64))
    lefts.append(np.full(n_extra, np.nan))
    rights.append(np.full(n_extra, np.nan))
    from .lexicon import Lexicon  # imported here: segmentation alone does not need it

    cols = [np.concatenate(x) for x in (counts, cohs, lefts, rights)]
    if rank is not None:
        keys.append(np.array([-np.inf] * len(extra) + [r[3] for r in mixed_rows], dtype=np.float64))
        key = np.concatenate(keys)
        single = np.array([len(w) == 1 or len(_mixed.symbols(w)) == 1 for w in words], dtype=bool)
        order = np.lexsort((np.array(words, dtype=object).astype(str), -key, single)) if words else []
        words = [words[i] for i in order]
        cols = [c[order] for c in cols]
    return Lexicon.from_counts(dict(zip(words, cols[0].tolist())), method, cohesion=cols[1],
                               left_entropy=cols[2], right_entropy=cols[3], known=known,
                               sort=rank is None)


def _discover_min_entropy(passes: Passes, K: int, min_count: int, min_pmi: float, min_proba: float,
                          known) -> Lexicon:
    n = float(passes.N)
    c1 = passes.levels[0][0].astype(np.float64)
    c2, pre, suf = passes.levels[1]
    n2 = float(passes.counts.totals[2]) or 1.0      # every pair, also those pruned
    p2 = c2 / n2
    pmi = np.log(p2) - np.log(c1[pre] / n) - np.log(c1[suf] / n)
    keep2 = (p2 > min_proba) & (pmi > min_pmi)

    def joined(sym, ids):
        row = ids[1]
        out = row >= 0
        out[out] = keep2[row[out]]
        return out

    mixed: Counter = Counter()
    per_order, longer = passes.count_pieces(joined, K, mixed=mixed)
    total = float(sum(int(c.sum()) for c in per_order) + sum(longer.values()) + passes.unlisted_pieces)
    floor = max(min_count, math.floor(min_proba * total) + 1)
    rows = [(w, c, math.nan, math.nan) for w, _k, _i, c in _mixed.candidates(passes, mixed, floor, K)[0]]
    lex = _assemble(passes, K, per_order, longer, floor, "min_entropy", known,
                    ok=lambda k, ids: np.ones(ids.size, bool), score=lambda k, ids: np.full(ids.size, np.nan),
                    mixed_rows=rows)
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
                               left_entropy=lex.left_entropy[idx], right_entropy=lex.right_entropy[idx],
                               known=known)


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
