"""The joint segmentation model: nVBE start, refined by a word language model times a character
position model, then a self-trained perceptron for new text.

This layer sees only arrays: the runs of a training text as symbol ids (every run concatenated,
with offsets) and a first segmentation (a flag per symbol: a word starts here). It returns the
refined flags (:func:`refine`) and a character tagger trained on them (:func:`train_perceptron`)
that segments text never seen (:class:`JointSegmenter`). :mod:`nlpzero.unsupervised` feeds it the
nVBE segmentation (``method="joint"`` of ``learn_segmenter`` / ``segment_unsupervised``).

The model
---------
A segmentation of a run is a word sequence w_1..w_m framed by the run marker $. Its score is
the product of two experts (log-probabilities added, weight 1 each, nothing fitted):

1. **A Dirichlet-process bigram word model over a Dirichlet-process unigram** (Goldwater,
   Griffiths & Johnson 2009; the hierarchical Pitman-Yor model of Mochihashi, Yamada & Ueda 2009
   with discount 0)::

       P(w | v) = (n_vw + α1·P1(w)) / (n_v + α1)
       P1(w)    = (n_w  + α0·P0(w)) / (N + α0)
       P0(w)    = p_len(|w|) · Π_i p(w_i)

   n are the counts of the current segmentation (words, word pairs, N tokens); p(c) and p_len
   are the symbol and length distributions of the current word *types*, each type counted once
   (add-one smoothed): the base measure generates the types, not the tokens, so its maximum
   likelihood estimates come from the types' spellings (the symbol frequencies of the tokens
   would make a new word built of function characters such as 的 or 了 look cheap). A run's
   last word is followed by $, whose base probability is its share of the tokens,
   runs / (N + runs).

2. **A character position model** (Chen, Chang & Pei 2014): each symbol is tagged by its
   position in its word (B, M, E, or S for a one-symbol word); ``P(c | tag)`` and the tag
   transitions ``P(tag | previous tag)`` are counted from the current segmentation with add-one
   smoothing. A word contributes its symbols' emissions and its tag transitions.

**Hyperparameters by empirical Bayes.** Under a Dirichlet process with concentration α, the
number of types K among n tokens has the Ewens likelihood ``α^K Γ(α) / Γ(α + n)``, maximised
where ``K = α (ψ(α + n) − ψ(α))`` (ψ the digamma function; the left side grows with α, so
bisection finds the root). α0 is that root for the tokens and types of the current
segmentation; α1 the root of the pooled likelihood of every context v (its n_v tokens and K_v
distinct successors): ``Σ_v K_v = α Σ_v (ψ(α + n_v) − ψ(α))``. Both are re-estimated before
each sweep.

**Inference by iterated conditional modes (ICM).** Runs are visited in a seeded random order
(of blocks of ``ORDER_BLOCK`` runs that follow each other in the text, visited together: their
symbols, candidate rows and the counts of the words they share lie close in memory, which makes
a sweep about a fifth faster than runs one by one at random, at about the same accuracy); each
run's words are removed from the counts, the run gets the best path under the predictive model
(a forward dynamic programme over the length of the last word, so the bigram context is exact)
and its new words are added back. The character model, p_len and the α are recounted between
sweeps. Sweeps stop when fewer than 0.1 % of the word boundaries changed (an optimisation
tolerance, not a model parameter); the deterministic best path is used because
sampling with the bigram model over-segments.

**Perceptron for new text.** An averaged structured perceptron (Collins 2002) over B/M/E/S tags
with legal-transition Viterbi and hashed window features C−2, C−1, C0, C1, C2, C−2C−1, C−1C0,
C0C1, C1C2, C−1C1 learns the refined segmentation, so text outside the training corpus gets
words the statistics never saw. A tenth of the runs (every tenth) is held out from training; the
epochs stop when the averaged model's agreement with the refined segmentation on them stops
improving (early stopping; at most ``MAX_EPOCHS``).

**Numbers.** A decimal number (digits, a lone ``.`` or ``．``, digits) and a ``%``, ``％`` or ``‰``
right after a number stay one token (``３．５％``), as do digits joined by a middle dot.

References
----------
Goldwater, S., Griffiths, T. L. & Johnson, M. (2009). A Bayesian framework for word
segmentation: exploring the effects of context. Cognition 112(1), 21-54.
Mochihashi, D., Yamada, T. & Ueda, N. (2009). Bayesian unsupervised word segmentation with
nested Pitman-Yor language modeling. ACL-IJCNLP 2009.
Chen, M., Chang, B. & Pei, W. (2014). A joint model for unsupervised Chinese word segmentation.
EMNLP 2014.
Collins, M. (2002). Discriminative training methods for hidden Markov models: theory and
experiments with perceptron algorithms. EMNLP 2002.
Ewens, W. J. (1972). The sampling theory of selectively neutral alleles. Theoretical Population
Biology 3, 87-112.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import numpy as np

from . import _joint
from ._bayes import digamma, ewens_alpha, pooled_ewens_alpha  # re-exported
from ._joint_text import runs_of, select, token_spans
from .errors import ParameterError, ParameterTypeError

__all__ = [
    "JointSegmenter",
    "RefineResult",
    "bmes_tags",
    "digamma",
    "ewens_alpha",
    "joint_sample_chars",
    "pooled_ewens_alpha",
    "refine",
    "train_perceptron",
    "type_symbol_logp",
    "visit_order",
]

#: ICM stops when fewer than this share of the word boundaries changed in a sweep
TOLERANCE = 1e-3
#: safety bound on ICM sweeps (convergence takes 5-8 on a newspaper month)
MAX_SWEEPS = 30
#: ICM visits the runs in a seeded random order of blocks of this many consecutive runs (a
#: memory-locality constant: the order is random at the scale of the corpus; see the module
#: docstring)
ORDER_BLOCK = 64
#: safety bound on perceptron epochs (early stopping ends sooner)
MAX_EPOCHS = 12
#: feature hash buckets of the perceptron: 2**20 buckets x 4 tags (the hashing trick; a memory
#: budget of 16 MB of float32 weights, not a quality knob)
FEATURE_BITS = 20
#: memory the joint model's refinement and perceptron training take per character of their
#: training sample (ICM candidate tables, counts, tags, features and the copies of the
#: perceptron's training runs: about 30 bytes measured on PKU 1998-01 and about 63 on 20 MB of
#: the scale benchmark's realistic text, whose vocabulary keeps growing; the larger, rounded up);
#: the sample is at most ``max_memory`` / this many characters
JOINT_BYTES_PER_CHAR = 64


def joint_sample_chars(max_memory: int) -> int:
    """Characters (run symbols) the joint model refines and trains its perceptron on, at most:
    ``max_memory // JOINT_BYTES_PER_CHAR`` (16.8 M characters at the default 1 GiB).

    Learning through the API first takes the learning sample of
    :func:`nlpzero.unsupervised.learn_sample_chars` (smaller than this cap), so this sub-sample
    is only reached where nVBE learns from more text than that (the Dask path on a URL input).
    nVBE's statistics come from all of its training text; one with
    more run symbols than this gives the joint model an evenly spread sample of its runs, in
    corpus order: run r (counted from 0) is kept when ``floor((r + 1)·cap / symbols)`` exceeds
    ``floor(r·cap / symbols)`` (a share ``cap / symbols`` of the runs, spread evenly), and
    sampling stops before the cap would be passed.

    >>> joint_sample_chars(64 << 20)
    1048576
    """
    return max(1, int(max_memory) // JOINT_BYTES_PER_CHAR)


# ---------------------------------------------------------------------- ICM refinement
@dataclass
class RefineResult:
    """What :func:`refine` returns: the refined word starts and a record of each sweep."""

    starts: np.ndarray
    alpha0: list[float] = field(default_factory=list)
    alpha1: list[float] = field(default_factory=list)
    changed: list[int] = field(default_factory=list)
    boundaries: list[int] = field(default_factory=list)

    @property
    def sweeps(self) -> int:
        return len(self.changed)


def bmes_tags(starts: np.ndarray, off: np.ndarray) -> np.ndarray:
    """The B/M/E/S tag of each symbol (``_joint.TAG_B`` ... ``TAG_S``: begins, inside, ends a
    word, a one-symbol word) from word-start flags, runs given by ``off``: what the character
    position model counts and the perceptron learns.

    >>> import numpy as np
    >>> bmes_tags(np.array([1, 0, 0, 1, 1], np.uint8), np.array([0, 4, 5])).tolist() == [
    ...     _joint.TAG_B, _joint.TAG_M, _joint.TAG_E, _joint.TAG_S, _joint.TAG_S]
    True
    """
    n = starts.size
    start = starts.astype(bool)
    nxt = np.ones(n, dtype=bool)            # the next symbol starts a word (or the run ends)
    nxt[:-1] = start[1:]
    nxt[off[1:-1] - 1] = True
    if n:
        nxt[-1] = True
    tags = np.full(n, _joint.TAG_M, dtype=np.int8)
    tags[start & nxt] = _joint.TAG_S
    tags[start & ~nxt] = _joint.TAG_B
    tags[~start & nxt] = _joint.TAG_E
    return tags


def character_counts(sym: np.ndarray, off: np.ndarray, starts: np.ndarray,
                     n_symbols: int) -> tuple[np.ndarray, np.ndarray]:
    """Emission counts ``em[tag, s]`` (4, n_symbols) and transition counts ``tr[prev, tag]``
    (5, 4; row 4: run start) of the character position model in a segmentation."""
    tags = bmes_tags(starts, off).astype(np.int64)
    em = np.bincount(tags * n_symbols + sym, minlength=4 * n_symbols).reshape(4, n_symbols)
    prev = np.empty_like(tags)
    prev[1:] = tags[:-1]
    prev[off[:-1][off[:-1] < tags.size]] = 4
    tr = np.bincount(prev * 4 + tags, minlength=20).reshape(5, 4)
    return em, tr


def character_model(sym: np.ndarray, off: np.ndarray, starts: np.ndarray,
                    n_symbols: int) -> tuple[np.ndarray, np.ndarray]:
    """Log emission ``logem[tag, s]`` and transition ``logtr[prev, tag]`` (row 4: run start)
    probabilities of the character position model, counted from a segmentation with add-one
    smoothing."""
    return _log_character_model(*character_counts(sym, off, starts, n_symbols))


def _log_character_model(em: np.ndarray, tr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add-one smoothed log emission and transition probabilities from their counts."""
    em = em + 1.0
    tr = tr + 1.0
    logem = np.log(em / em.sum(axis=1, keepdims=True))
    logtr = np.log(tr / tr.sum(axis=1, keepdims=True))
    return np.ascontiguousarray(logem), np.ascontiguousarray(logtr)


def type_symbol_logp(sym: np.ndarray, first: np.ndarray, length: np.ndarray, types: np.ndarray,
                     n_symbols: int) -> np.ndarray:
    """log p(s) of the base measure's symbol distribution: the frequency of symbol s in the
    spellings of the current word *types* (each type once), add-one smoothed.

    ``first`` and ``length`` give each word id's first position in ``sym`` and its length (from
    ``_joint.intern_words``); ``types`` flags the ids in use.

    >>> sym = np.array([0, 1, 0, 1, 2], dtype=np.int32)          # words 01, 01, 2
    >>> p = np.exp(type_symbol_logp(sym, np.array([0, 4]), np.array([2, 1]),
    ...                             np.array([True, True]), 3))
    >>> p.round(3).tolist()                                     # counts 1+1, 1+1, 1+1
    [0.333, 0.333, 0.333]
    """
    ids = np.flatnonzero(types)
    lens = length[ids].astype(np.int64)
    base = np.repeat(first[ids] - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
    chars = sym[base + np.arange(int(lens.sum()))]
    freq = np.bincount(chars, minlength=n_symbols).astype(np.float64) + 1.0
    return np.ascontiguousarray(np.log(freq / freq.sum()))


def _model_inputs(icm, sym, length, first, n_symbols):
    """Everything a sweep needs that is recounted between sweeps (from one pass of the kernel
    over the counts; the arithmetic is that of :func:`character_model` and the Ewens estimates),
    and the base measure's symbol distribution over the current word types."""
    L = icm.L
    n_types, lens, em, tr, n_ctx, k_ctx = icm.stats(n_symbols)
    lpsym = type_symbol_logp(sym, first, length, icm.count_arr[:-1] > 0, n_symbols)
    lplen = np.full(L + 1, -np.inf)
    lplen[1:] = np.log((lens[1:].astype(np.float64) + 1.0) / (n_types + L))
    alpha0 = ewens_alpha(icm.n_tokens, n_types)
    alpha1 = pooled_ewens_alpha(n_ctx, k_ctx)
    logem, logtr = _log_character_model(em, tr)
    p_end = icm.n_runs / (icm.n_tokens + icm.n_runs)
    return alpha0, alpha1, lplen, logem, logtr, p_end, lpsym


def refine(sym: np.ndarray, off: np.ndarray, starts: np.ndarray, *, max_word_len: int = 4,
           seed: int = 0, tolerance: float = TOLERANCE, max_sweeps: int = MAX_SWEEPS,
           progress=None) -> RefineResult:
    """Refine a segmentation by ICM under the joint model (see the module docstring).

    Parameters
    ----------
    sym : int32 array
        Symbol ids (0..S-1) of every run, concatenated.
    off : int64 array
        Run offsets: run r is ``sym[off[r]:off[r+1]]``.
    starts : uint8 array
        First segmentation: 1 where a word starts (the first symbol of each run must be 1);
        words longer than ``max_word_len`` are not allowed.
    max_word_len : int
        Longest word of the refined segmentation, in symbols.
    seed : int
        Seed of the order in which runs are visited.

    Returns
    -------
    RefineResult
        The refined ``starts`` and, per sweep, α0, α1 and the boundaries changed.

    Examples
    --------
    >>> sym = np.array([0, 1, 2, 0, 1, 2, 0, 1], dtype=np.int32)
    >>> off = np.array([0, 3, 6, 8])
    >>> res = refine(sym, off, np.ones(8, dtype=np.uint8), max_word_len=2)
    >>> res.starts.shape
    (8,)
    """
    sym = np.ascontiguousarray(sym, dtype=np.int32)
    off = np.ascontiguousarray(off, dtype=np.int64)
    starts = np.ascontiguousarray(starts, dtype=np.uint8)
    L = int(max_word_len)
    n_symbols = int(sym.max()) + 1 if sym.size else 1
    cand, length, first = _joint.intern_words(sym, off, L)
    _check_lengths(starts, off, L)
    icm = _joint.ICM(sym, off, cand, length, starts)
    rng = np.random.default_rng(seed)
    result = RefineResult(starts=icm.starts_arr)
    for sweep in range(max_sweeps):
        alpha0, alpha1, lplen, logem, logtr, p_end, lpsym = _model_inputs(icm, sym, length, first, n_symbols)
        order = visit_order(off.size - 1, rng)
        n_bounds = int(icm.starts_arr.sum())
        changed, _ = icm.sweep(order, alpha0, alpha1, lplen, lpsym, logem, logtr, p_end)
        result.alpha0.append(alpha0)
        result.alpha1.append(alpha1)
        result.changed.append(int(changed))
        result.boundaries.append(n_bounds)
        if progress is not None:
            progress(sweep, alpha0, alpha1, changed, n_bounds)
        if changed < tolerance * max(1, n_bounds):
            break
    result.starts = np.asarray(icm.starts_arr).copy()
    return result


def visit_order(n_runs: int, rng: np.random.Generator, block: int = ORDER_BLOCK) -> np.ndarray:
    """The order of one ICM sweep over ``n_runs`` runs: the blocks of ``block`` consecutive runs
    (the last one shorter) in a random order drawn from ``rng``, each block's runs in text order.

    Examples
    --------
    >>> visit_order(5, np.random.default_rng(0), block=2).tolist()
    [4, 0, 1, 2, 3]
    """
    if block < 1:
        raise ParameterError(f"block must be at least 1, got {block}", "block")
    n_blocks = -(-int(n_runs) // block)
    first = rng.permutation(n_blocks).astype(np.int64) * block
    order = (first[:, None] + np.arange(block, dtype=np.int64)[None, :]).ravel()
    return order[order < n_runs]


def _check_lengths(starts: np.ndarray, off: np.ndarray, L: int) -> None:
    if starts.size and (starts[off[:-1][off[:-1] < off[-1]]] == 0).any():
        raise ParameterError("the first symbol of every run must start a word", "starts")
    pos = np.flatnonzero(starts)
    ends = np.concatenate((pos[1:], [starts.size]))
    run_end = off[np.searchsorted(off, pos, side="right")]
    if (np.minimum(ends, run_end) - pos > L).any():
        raise ParameterError(f"the first segmentation has words longer than max_word_len={L}", "starts")


# ---------------------------------------------------------------------- perceptron
@dataclass
class Perceptron:
    """Averaged perceptron weights: ``weights[bucket * 4 + tag]`` and ``transitions[prev * 4 +
    tag]`` (prev 4 = run start); ``epochs`` trained and the held-out agreement per epoch."""

    weights: np.ndarray
    transitions: np.ndarray
    epochs: int
    agreement: list[float]

    def _arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The weights as the decoder reads them (float32 or float64, contiguous: the kernel
        sums in double either way) and the transitions in float64 (cached)."""
        cached = self.__dict__.get("_dec")
        if cached is None or cached[0] is not self.weights or cached[1] is not self.transitions:
            w = self.weights
            if w.dtype not in (np.float32, np.float64):
                w = w.astype(np.float64)
            cached = (self.weights, self.transitions, np.ascontiguousarray(w),
                      np.ascontiguousarray(self.transitions, dtype=np.float64))
            self.__dict__["_dec"] = cached
        return cached[2], cached[3]

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_dec", None)         # workers rebuild it
        return state

    def tag(self, feat: np.ndarray, off: np.ndarray) -> np.ndarray:
        w, t = self._arrays()
        return _joint.viterbi(np.ascontiguousarray(feat, dtype=np.int32),
                              np.ascontiguousarray(off, dtype=np.int64), w, t)

    def starts(self, feat: np.ndarray, off: np.ndarray) -> np.ndarray:
        tags = self.tag(feat, off)
        return ((tags == _joint.TAG_B) | (tags == _joint.TAG_S)).astype(np.uint8)


def train_perceptron(feat: np.ndarray, off: np.ndarray, starts: np.ndarray, *, seed: int = 0,
                     bits: int = FEATURE_BITS, max_epochs: int = MAX_EPOCHS) -> Perceptron:
    """Train the averaged perceptron tagger on a segmentation (see the module docstring).

    ``feat`` are the feature codes of the symbols (int32: a normalised code point, or
    ``_joint.DIGITS_CODE`` / ``_joint.LATIN_CODE`` for an ASCII stretch), ``off`` the run
    offsets, ``starts`` the word-start flags to learn.

    Examples
    --------
    >>> feat = np.array([ord(c) for c in "我们喜欢我们"], dtype=np.int32)
    >>> off = np.array([0, 4, 6])
    >>> model = train_perceptron(feat, off, np.array([1, 0, 1, 0, 1, 0], dtype=np.uint8))
    >>> model.starts(feat, off).tolist()
    [1, 0, 1, 0, 1, 0]
    """
    feat = np.ascontiguousarray(feat, dtype=np.int32)
    off = np.ascontiguousarray(off, dtype=np.int64)
    gold = bmes_tags(np.ascontiguousarray(starts, dtype=np.uint8), off)
    n_runs = off.size - 1
    all_runs = np.arange(n_runs)
    held = all_runs[all_runs % 10 == 9] if n_runs >= 10 else all_runs[:0]
    train = all_runs[all_runs % 10 != 9] if held.size else all_runs
    t_off, (t_feat, t_gold) = select(off, train, feat, gold)
    h_off, (h_feat, h_gold) = select(off, held, feat, gold)
    try:
        best = _train(t_feat, t_off, t_gold, h_feat, h_off, h_gold, train.size, held.size, seed, bits,
                      max_epochs, np.float32)
    except OverflowError:       # a weight past 2**24, where float32 stops counting exactly
        best = _train(t_feat, t_off, t_gold, h_feat, h_off, h_gold, train.size, held.size, seed, bits,
                      max_epochs, np.float64)
    avg_w, avg_t, epochs, history = best
    return Perceptron(avg_w.astype(np.float32), avg_t.astype(np.float32), epochs, history)


def _train(t_feat, t_off, t_gold, h_feat, h_off, h_gold, n_train, n_held, seed, bits, max_epochs, dtype):
    """The epochs of :func:`train_perceptron` with the running weights in ``dtype`` (float32: the
    same numbers as float64, from half the memory, while they stay below 2**24; the kernel
    raises OverflowError past that). Returns the best epoch's averaged weights and transitions,
    its number and the agreement history."""
    w = np.zeros(4 << bits, dtype=dtype)
    u = np.zeros(4 << bits)
    tw = np.zeros(20)
    tu = np.zeros(20)
    rng = np.random.default_rng(seed)
    step = 1
    best, best_agree, history = None, -1.0, []
    spare = np.empty_like(u)                # the averaged weights, computed in place
    for epoch in range(max_epochs):
        order = rng.permutation(n_train).astype(np.int64)
        step, errors = _joint.perceptron_epoch(t_feat, t_off, order, t_gold, w, u, tw, tu, step)
        avg_w = np.subtract(w, np.divide(u, step, out=spare), out=spare)      # w - u / step
        avg_t = tw - tu / step
        if not n_held:
            if best is not None:
                spare = best[0]
            best = (avg_w, avg_t, epoch + 1)
            history.append(1.0 - errors / max(1, n_train))
            if errors == 0:
                break
            continue
        pred = _joint.viterbi(h_feat, h_off, avg_w, avg_t)
        agree = float((pred == h_gold).mean()) if h_gold.size else 1.0
        history.append(agree)
        if agree <= best_agree:
            break
        spare = best[0] if best is not None else np.empty_like(u)
        best, best_agree = (avg_w, avg_t, epoch + 1), agree
    return (*best, history)


class JointSegmenter:
    """Segments text with the self-trained perceptron of the joint model.

    Made by ``nlpzero.learn_segmenter(corpus, method="joint")``; the text model is that of
    :class:`nlpzero.Segmenter` (whitespace dropped, punctuation one token, an ASCII letter/digit
    stretch never cut, a lone middle dot joins the words around it) plus the number rule.

    Examples
    --------
    >>> from nlpzero import learn_segmenter
    >>> seg = learn_segmenter(["我们喜欢自然语言处理。"] * 30 + ["自然语言很美"] * 20, method="joint")
    >>> "".join(seg.lcut("自然语言处理很美")) == "自然语言处理很美"
    True
    """

    method = "joint"
    #: text model (that of :class:`nlpzero.Segmenter`'s ``"nlpzero"`` mode)
    mode = "nlpzero"

    def __init__(self, perceptron: Perceptron, *, normalize: bool = True, info: dict | None = None,
                 learned: dict | None = None):
        self.perceptron = perceptron
        self.normalize = bool(normalize)
        self.info = dict(info or {})
        #: how the model was learned (method, max_word_len, sample size...), kept in model files
        self.learned = dict(learned) if learned is not None else None
        self._chars = None

    # ------------------------------------------------------------------ model files
    def save(self, path: str | os.PathLike[str]) -> None:
        """Save this segmenter as a model file (written atomically; not a pickle).

        The file holds the perceptron's weights (its non-zero ones) and transitions, the feature
        template and hashing parameters they were trained with, and the text model (``normalize``,
        the number rule), in the versioned, checksummed layout of :mod:`nlpzero._model`;
        :meth:`load` (or :func:`nlpzero.load_model`) gives back a segmenter with the same tokens.
        ``nlpzero learn --method joint CORPUS -o MODEL`` writes the same file.

        Examples
        --------
        >>> import os, tempfile
        >>> from nlpzero import learn_segmenter
        >>> seg = learn_segmenter(["我们喜欢自然语言处理。"] * 30 + ["自然语言很美"] * 20, method="joint")
        >>> path = os.path.join(tempfile.mkdtemp(), "joint.nlpz")
        >>> seg.save(path)
        >>> JointSegmenter.load(path).lcut("自然语言很美") == seg.lcut("自然语言很美")
        True
        """
        from ._model import write_joint_model

        info = {k: v for k, v in self.info.items() if isinstance(v, (int, float, str, list))}
        learned = dict(self.learned or {}, **info) if (self.learned or info) else None
        settings = {"normalize": self.normalize, "epochs": int(self.perceptron.epochs),
                    "agreement": [float(a) for a in self.perceptron.agreement], "learned": learned}
        write_joint_model(path, self.perceptron.weights, self.perceptron.transitions, settings)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> JointSegmenter:
        """A joint segmenter saved by :meth:`save` (or ``nlpzero learn --method joint``).

        Raises
        ------
        nlpzero.errors.InputError
            The file cannot be read.
        nlpzero.errors.ModelFormatError
            The file is not a model, is of another format version or feature template, or is
            truncated or damaged.
        nlpzero.errors.ModelKindError
            The file holds a dictionary segmenter (load it with :meth:`nlpzero.Segmenter.load`
            or :func:`nlpzero.load_model`).
        """
        from ._model import read_joint_model

        weights, transitions, header = read_joint_model(path)
        agreement = header.get("agreement") or []
        perceptron = Perceptron(weights, transitions, int(header.get("epochs", 0)),
                                [float(a) for a in agreement] if isinstance(agreement, list) else [])
        learned = header.get("learned")
        return cls(perceptron, normalize=header["normalize"],
                   learned=learned if isinstance(learned, dict) else None)

    def _char_segmenter(self):
        if self._chars is None:
            from .segment import Segmenter

            self._chars = Segmenter.from_scores({}, unknown_score=-1.0, normalize=self.normalize)
        return self._chars

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_chars"] = None
        return state

    def _spans_codes(self, text: str, codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        feat, start, _ = _joint.encode(codes, self.normalize)
        run_feat, off, pos = runs_of(feat)
        word_start = np.zeros(codes.size + 1, dtype=np.uint8)
        if run_feat.size:
            flags = self.perceptron.starts(run_feat, off)
            word_start[start[pos[flags.astype(bool)]]] = 1
        char_spans = self._char_segmenter().spans(text)
        if not char_spans.size:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return token_spans(codes, char_spans, word_start, self.normalize)

    def spans(self, text: str) -> np.ndarray:
        """Token spans of ``text``: int64 array of shape (k, 2), ``text[a:b]`` per row."""
        if not isinstance(text, str):
            raise ParameterTypeError(f"`text` must be str, got {type(text).__name__}")
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lo, hi = self._spans_codes(text, codes)
        return np.stack((lo, hi), axis=1)

    def lcut(self, text: str) -> list[str]:
        """Tokens of ``text`` as a list (whitespace dropped)."""
        return [text[a:b] for a, b in self.spans(text).tolist()]

    def cut(self, text: str) -> Iterator[str]:
        """Tokens of ``text``, as a generator."""
        yield from self.lcut(text)

    def cut_lines(self, lines: Iterable[str], batch_chars: int = 1 << 20) -> Iterator[list[str]]:
        """Segment many lines: one list of tokens per line, in order (lines are batched)."""
        from .protocol import cut_lines_in_batches

        return cut_lines_in_batches(lines, self.lcut, self._batch, batch_chars)

    def _batch(self, batch: list[str]) -> list[list[str]]:
        return self.line_tokens("\n".join(batch) + "\n")[: len(batch)]

    def line_tokens(self, text: str) -> list[list[str]]:
        """One list of tokens per ``\\n``-separated line of ``text`` (a final newline opens an
        empty last line): :meth:`cut_lines` for text already joined by newlines."""
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lo, hi = self._spans_codes(text, codes)
        return _joint.line_lists(text, codes, lo, hi)

    def segment_bytes(self, text: str, delimiter: str = " ", mid_line: bool = False) -> tuple[bytes, bool]:
        """``text`` segmented as UTF-8 bytes, tokens joined by ``delimiter`` and lines by
        ``\\n`` (the batch path of :func:`nlpzero.segment.segment_file`). ``mid_line``: the
        output so far ends inside a line that has a token. Returns the bytes and whether the
        output ends inside a line that already has a token."""
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        lo, hi = self._spans_codes(text, codes)
        if ((codes >= 0xD800) & (codes <= 0xDFFF)).any():
            text.encode("utf-8")        # a lone surrogate has no UTF-8: UnicodeEncodeError
        return _joint.tokens_utf8(codes, lo, hi, delimiter.encode("utf-8"), mid_line)

    def last_boundary(self, text: str) -> int:
        """Index of the last character of ``text`` after which a cut changes no token's run (a
        place no run crosses), or -1; batch jobs cut huge lines there."""
        return self._char_segmenter().last_boundary(text)

    def load_userdict(self, source, *, force: bool = False) -> None:
        """Refused: the perceptron has no dictionary to add words to."""
        raise ParameterTypeError("a user dictionary applies to a dictionary segmenter, not to the joint "
                                 "model's perceptron; learn with method='nvbe' to add words", "source")

    def __repr__(self) -> str:
        return f"<JointSegmenter perceptron, {self.perceptron.epochs} epochs>"
