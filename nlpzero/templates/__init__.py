"""Sentence templates and nested structure: the minimum-entropy principle above words.

Words that co-occur at a distance far more often than chance form *templates* with gaps —
``[X]在[X]中[X]``, ``据新华社[X]电``, ``以[X]为[X]`` — and a sentence is a nesting of templates.
:func:`find_templates` learns a template set from a segmented corpus, :func:`parse` and
:func:`parse_many` give each line its parse of minimum description length, and
:meth:`Templates.description_length` says how many bits a template set saves on a corpus.

How it is computed (details and figures in ``docs/templates.md``):

1. **Pieces.** A line's tokens are cut into pieces at every token with no word character
   (punctuation, symbols); a piece longer than ``max_piece_len`` tokens (default 128) is cut
   into consecutive chunks of at most that many tokens, and a chunk is a piece everywhere below.
2. **Links.** Count words c(u) (N tokens in pieces) and skip-gram pairs c(u, v), v at distance
   1..``window`` after u in the same piece (N2 pair occurrences). A pair is a *link* when
   P(u,v) = c(u,v)/N2 > ``min_proba`` and PMI = ln P(u,v) − ln P(u) − ln P(v) > ``min_pmi``.
   By default ``min_proba`` is derived from the corpus: c*/N2, c* the count at which a link at
   the PMI floor can repay the model bits of its two-word template (:func:`find_templates`).
3. **Occurrences (candidates).** In each piece the links join positions i → j (j − i ≤
   window). The chains are built left to right: every position takes as its successor the
   *nearest* linked position that has no predecessor yet. Every position then lies in exactly
   one chain (a path cover of the link graph, O(length × window) per piece), so each token
   position supports exactly one occurrence — unlike counting every source-to-sink path, which
   is exponential and counts one occurrence towards many overlapping templates. A chain spells
   its template: its words, X for each gap, X at an end it does not reach. Chains of at least
   two words seen at least ``min_count`` times (and more than ``min_proba`` × N) are the
   candidates.
4. **Description length.** A piece is one root block; a block is FLAT (−log2 q(FLAT) −
   log2 P_len(l) − Σ log2 P_w(w)) or a template t (−log2 q(t) plus the codes of its X blocks,
   each a non-empty span coded recursively: nesting, no crossing). The parse of minimum code
   length is found by dynamic programming over spans. q, P_len and P_w are re-estimated from
   those parses (hard EM) until the total stops falling. The model costs, per template used,
   log2 3 bits per element plus an end mark, −log2 P_w(w) per word, and ½ log2(blocks) for its
   probability. The baseline codes each piece as its length and its words by maximum-likelihood
   unigrams; saving = (baseline − data − model) / baseline.
5. **Pruning.** After every parse, a template whose blocks would cost less than its model cost
   more if it were gone — the sum over its blocks of (best other code of the span − chosen
   code) — does not pay for itself and is dropped; EM and pruning alternate until nothing is
   dropped and the total stops falling. Each round drops only the worse half of those that fail
   (near-duplicates are each other's fallback, so both look cheap to lose; dropping them one
   round apart keeps the better one). The result keeps the template set of the lowest total.

References
----------
苏剑林, 《最小熵原理（三）：“飞象过河”之句模版和语言结构》, kexue.fm, 2018.
苏剑林, nlp-zero 0.1.6 (``Template_Finder``, ``Parser``, ``SentTree``), https://github.com/bojone/nlp-zero.
J. Rissanen, "Modeling by shortest data description", Automatica 14, 1978 (½ log n per parameter).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _templates
from .._limits import check
from ..errors import CorpusTooSmallError
from ..protocol import SegmenterSource
from ._corpus import DEFAULT_MAX_LEN, Source, _piece_counts, _warn_if_unsegmented, encode_corpus
from ._fileformat import write_templates
from ._fit import _fit, _subset, derived_link_count, pair_occurrences
from ._parse import parse, parse_file, parse_many
from ._results import DescriptionLength, Parse, ParseTree, Template
from ._set import Templates

__all__ = [
    "DescriptionLength",
    "Parse",
    "ParseTree",
    "Template",
    "Templates",
    "find_templates",
    "parse",
    "parse_file",
    "parse_many",
    "write_templates",
]


# --------------------------------------------------------------------------- public functions


def find_templates(
    corpus: Source,
    *,
    segmenter: SegmenterSource | None = None,
    window: int = 5,
    min_pmi: float = 2.0,
    min_proba: float | None = None,
    max_piece_len: int = DEFAULT_MAX_LEN,
    min_count: int = 3,
    prune: bool = True,
    max_iter: int = 20,
    encoding: str = "utf-8",
    progress: Any = None,
) -> Templates:
    """Find the sentence templates of a corpus: links, chains, hard EM, pruning.

    Parameters
    ----------
    corpus : path, file, or iterable of token lists / str lines
        Without ``segmenter``: already segmented (a str line is split on whitespace; a file has
        one sentence per line, tokens separated by spaces). With ``segmenter``: raw text.
    segmenter : None, ``"learn"``, SegmenterLike, or anything :class:`nlpzero.Segmenter` accepts
        How raw text becomes tokens: ``"learn"`` learns an unsupervised segmenter from the corpus
        itself (:func:`nlpzero.learn_segmenter`); a segmenter (:class:`nlpzero.SegmenterLike`:
        a :class:`nlpzero.Segmenter`, a learned model) is used as it is; ``"jieba"`` uses
        jieba's dictionary, a mapping or lexicon path a dictionary segmenter.
    window : int, default 5
        Largest distance of a linked pair.
    min_pmi : float, default 2.0
        A pair links when its PMI (nats) exceeds this ...
    min_proba : float or None, default None
        ... and its probability c(u,v)/N2 exceeds this. None derives it from the corpus:
        ``min_proba = c*/N2``, where c* is the count at which a link at the PMI floor pays for
        its two-word template under the description length (N2 pair occurrences in P pieces,
        s = min_pmi·log2 e + log2(N2/P) bits saved per block, c*·s = 6·log2 3 + min_pmi·log2 e
        + log2(N2/c*) + ½·log2 P; see ``docs/templates.md``). The value used is in
        ``.params["min_proba"]``. A fixed probability does not carry over between corpora of
        different sizes: what a link must repay is a count of bits, not a share of the corpus.
    max_piece_len : int, default 128
        Pieces longer than this many tokens are cut into chunks (bounds parsing time and memory).
    min_count : int, default 3
        Candidates must be spelled by at least this many chains (and by more than
        ``min_proba`` × N, N = tokens).
    prune : bool, default True
        Drop templates that do not pay for themselves under the description length; False keeps
        every candidate the parses use.
    max_iter : int, default 20
        Most parse + re-estimation rounds.
    encoding : str
        Of a corpus file.
    progress : callable(str) or None
        Called with a line of text after each round.

    Returns
    -------
    Templates
        Best first, with their description length on the corpus in ``.training``.

    Raises
    ------
    CorpusTooSmallError
        When no pair of words links, or no template pays for itself.

    Examples
    --------
    >>> cities = "北京 上海 东京 纽约 巴黎 伦敦 开罗 莫斯科".split()
    >>> fields = "经济 文化 教育 科技 体育 农业 工业 交通".split()
    >>> lines = ([f"据 新华社 {c} 电" for c in cities] * 3
    ...          + [f"{f} 在 {c} 中 发展" for f in fields for c in cities[:3]])
    >>> ts = find_templates(lines, min_pmi=1.0)
    >>> [(str(t), t.count) for t in ts]
    [('据新华社[X]电', 24), ('[X]在北京中发展', 8), ('[X]在上海中发展', 8), ('[X]在东京中发展', 8)]
    >>> round(100 * ts.training.saving, 1)
    34.3
    >>> round(ts.params["min_proba"] * 384, 2)   # derived: a pair must be seen more than 4.54 times
    4.54
    """
    window = check("window", window)
    min_pmi = check("min_pmi", min_pmi)
    if min_proba is not None:
        min_proba = check("min_proba", min_proba)
    max_piece_len = check("max_piece_len", max_piece_len)
    min_count = check("min_count", min_count)
    max_iter = check("max_iter", max_iter, key="em_rounds")
    enc = encode_corpus(corpus, segmenter, encoding, max_piece_len)
    N = enc.n_tokens
    if segmenter is None:
        _warn_if_unsegmented(enc)
    if N == 0:
        raise CorpusTooSmallError("the corpus has no tokens with word characters: nothing to find templates in")
    wc = _piece_counts(enc)
    # 1-2. links
    threshold = f"P > {min_proba:g}" if min_proba is not None else ""
    if min_proba is None:
        n2_all = pair_occurrences(enc, window)
        c_star = derived_link_count(n2_all, len(enc.pstart), min_pmi)
        if not math.isfinite(c_star):
            raise CorpusTooSmallError(
                f"no link can pay for a template here ({N:,} tokens in {len(enc.pstart):,} pieces, "
                f"{n2_all:,} pairs within the window, PMI > {min_pmi:g}): the pieces are too short; "
                "pass min_proba to link anyway")
        min_proba = c_star / n2_all
        threshold = (f"a link needs more than {c_star:.2f} of the {n2_all:,} pair occurrences, "
                     f"min_proba derived = {min_proba:.3g}")
    active = ((wc * window) > min_proba * max(N * window, 1)).astype(np.uint8)
    keys, pair_counts, n2 = _templates.count_pairs(enc.ids, enc.pstart, enc.pend, window, active)
    V = len(enc.words)
    pmi = np.zeros(0)
    kept = np.zeros(0, dtype=np.int64)
    if n2 > 0 and len(keys):
        # the PMI only of the pairs frequent enough to link (most pairs are not)
        proba = pair_counts / n2
        frequent = proba > min_proba
        keys, proba = keys[frequent], proba[frequent]
        u, v = keys // V, keys % V
        pmi = np.log(proba) - np.log(wc[u] / N) - np.log(wc[v] / N)
        kept = np.ascontiguousarray(keys[pmi > min_pmi])
    if not len(kept):
        raise CorpusTooSmallError(
            f"no pair of words co-occurs often enough to link ({N:,} tokens; {threshold}, "
            f"PMI > {min_pmi:g}): the corpus is too small for templates, or lower min_proba / min_pmi"
        )
    # 3. chains -> candidate templates
    elems, toff, occ, _ = _templates.chain_templates(enc.ids, enc.pstart, enc.pend, window, kept, V, 2)
    sel = np.flatnonzero((occ > min_proba * N) & (occ >= min_count))
    if not len(sel):
        raise CorpusTooSmallError(
            f"no template occurs often enough ({N:,} tokens; more than {min_proba:g} × N and at "
            f"least {min_count} times): the corpus is too small for templates, or lower min_proba / min_count"
        )
    elems, toff = _subset(elems, toff, sel)
    occ = occ[sel]
    # 4-5. description length, hard EM, pruning
    fit = _fit(enc, elems, toff, occ.astype(np.float64), prune=prune, max_iter=max_iter, progress=progress,
               counts=wc)
    if not len(fit.keep):
        raise CorpusTooSmallError(
            f"no template pays for itself on this corpus ({N:,} tokens, {len(sel):,} candidates): "
            "the corpus is too small to support any template"
        )
    gain = fit.loss - fit.model
    order = np.lexsort((-fit.uses, -gain))
    idx = fit.keep[order]
    e2, o2 = _subset(elems, toff, idx)
    # renumber the words the templates use
    used_ids, inv = np.unique(e2[e2 >= 0], return_inverse=True)
    e3 = e2.copy()
    e3[e2 >= 0] = inv.astype(np.int32)
    words = tuple(enc.words[i] for i in used_ids.tolist())
    pmis = _link_pmis(e2, o2, keys, pmi, V)
    params = {"window": window, "min_pmi": min_pmi, "min_proba": min_proba, "min_count": min_count,
              "max_piece_len": max_piece_len}
    code = dict(fit.code)
    wb = code.pop("word_bits")
    code["word_bits"] = {enc.words[i]: float(wb[i]) for i in used_ids.tolist()}
    return Templates(words, e3, o2, fit.uses[order].astype(np.int64), occ[idx].astype(np.int64),
                     gain[order].astype(np.float64), tuple(pmis), params, fit.dl, code)


def _link_pmis(elems: np.ndarray, offsets: np.ndarray, keys: np.ndarray, pmi: np.ndarray,
               V: int) -> tuple[tuple[float, ...], ...]:
    """PMI of each pair of consecutive words of each template (nan for a pair never counted)."""
    words = elems >= 0
    tpl = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))[words]
    w = elems[words].astype(np.int64)
    same = tpl[1:] == tpl[:-1]
    pair = w[:-1] * V + w[1:]
    if len(keys):
        pos = np.minimum(np.searchsorted(keys, pair), len(keys) - 1)
        val = np.where(keys[pos] == pair, pmi[pos], np.nan)
    else:
        val = np.full(len(pair), np.nan)
    val = np.round(val[same], 6).tolist()
    owner = tpl[1:][same].tolist()
    out: list[list[float]] = [[] for _ in range(len(offsets) - 1)]
    for t, v in zip(owner, val):
        out[t].append(v)
    return tuple(tuple(x) for x in out)


