"""Words with ASCII letters or digits in discovery (K线图, 58同城, T恤, O2O).

The counter's text model makes every ASCII letter/digit stretch one symbol, and one symbol for
all stretches of a kind (⟨digits⟩ or ⟨letters⟩), so an n-gram such as ⟨letters⟩线图 counts
K线图, M线图 and every other. Discovery cuts the text on those collapsed statistics as on any
other; a piece holding a stretch is then judged by its **literal** text, with each distinct
stretch as its own symbol (the text model's symbols, told apart by their letters):

- its literal count must reach ``min_count``, and its stretches must be bound to the rest of it
  more than any stretch of their class (⟨digits⟩ or ⟨letters⟩) would be: the class cohesion
  ``log(c(w)/c(w̄)) − Σ_s log(c(s)/c(s̄))`` (w̄, s̄ with the stretches replaced by their class)
  must reach θ_2 = 1 nat — 58同城 and 21世纪 pass, 2岁 and 3个 (a number and a measure word:
  any number would do) do not;
- ``"mi"``: its literal cohesion ``min_j log(N·c(w) / (c(w[:j])·c(w[j:])))`` must reach the
  bar θ_k of its k symbols (k ≥ 2; in place of the check-back on collapsed n-grams), with
  literal counts of the parts that hold a stretch (counted in one more pass over the corpus)
  and the n-gram counts of the parts that do not;
- ``"joint"``: it is ranked by the description-length gain of :mod:`nlpzero._discover_joint`,
  with the literal token counts of the segmentation and each stretch's literal frequency as its
  symbol probability;
- ``"min_entropy"``: it enters the redundancy pruning like any word.

A lone stretch is a word when it holds a letter (O2O, iPhone) and is seen ``min_count``
times; a number alone (2012) is not (the segmenter keeps numbers whole anyway). Pieces of more
than ``max_n`` symbols with a stretch are left out (their check-back is over collapsed windows).
"""
from __future__ import annotations

import math
import re
from collections import Counter

import numpy as np

from . import _ngram
from ._passes import Passes
from ._text import cut_strings

_SYMBOL = re.compile(r"[0-9A-Za-z]+|.", re.S)
_DIGITS = re.compile(r"[0-9]+")


def symbols(word: str) -> list[str]:
    """The text model's symbols of a (normalised) word: each ASCII letter/digit stretch is one."""
    return _SYMBOL.findall(word)


def _has_ascii(s: str) -> bool:
    return any(ch.isascii() for ch in s)


def literal_counts(passes: Passes, wanted: dict) -> Counter:
    """Literal n-gram counts over the corpus of every occurrence of the order-k ids
    ``wanted[k]`` (text normalised as the statistics are), keyed by string."""
    out: Counter = Counter()
    if not wanted:
        return out
    for codes, _sym, start, end, ids in passes.chunks():
        text = codes
        if passes.normalize:
            text = codes.copy()
            _ngram.normalize_codes(text)
        for k, want in wanted.items():
            pos = np.flatnonzero(np.isin(ids[k - 1], want))
            if pos.size:
                a, b = start[pos], end[pos + k - 1]
                out.update(cut_strings(text, a, b - a))
    return out


#: the bar of the class cohesion (nats): θ_2 = 1, the cohesion bar of a two-symbol word (the
#: split here is in two as well: which stretch, and the rest)
CLASS_BAR = 1.0


def candidates(passes: Passes, mixed: Counter, min_count: int, K: int, parts: bool = False):
    """``(word, k, id, count)`` of the mixed pieces seen ``min_count`` times with at most K
    symbols — a stretch with Chinese whose class cohesion reaches :data:`CLASS_BAR`, or a lone
    stretch with a letter — and the literal counts of the pass that judged them (with those of
    their parts that hold a stretch when ``parts``)."""
    cands = []
    for (word, k, i), c in mixed.items():
        if c < min_count or i < 0 or k > K or len(symbols(word)) != k:
            continue
        if k == 1 and _DIGITS.fullmatch(word):
            continue
        cands.append((word, k, i, c))
    wanted: dict = {1: set(np.flatnonzero(passes.ascii1).tolist())}
    for w, k, i, _c in cands:
        if k == 1:
            continue
        spans = [(0, k)]
        if parts:
            spans += [(0, j) for j in range(1, k)] + [(j, k) for j in range(1, k)]
        for a, b in spans:
            if _has_ascii("".join(symbols(w)[a:b])):
                wanted.setdefault(b - a, set()).add(_part_ids(passes, k, i, a, b))
    lit = literal_counts(passes, {k: np.fromiter(v, dtype=np.int64) for k, v in wanted.items()})
    kept = [x for x in cands if x[1] == 1 or class_cohesion(passes, x[0], x[1], x[2], lit) >= CLASS_BAR]
    return kept, lit


def class_cohesion(passes: Passes, word: str, k: int, i: int, lit: Counter) -> float:
    """How much more the word's stretches stick to the rest of it than their class does:
    ``log(c(w)/c(w̄)) − Σ_s log(c(s)/c(s̄))`` over its stretches s (w̄, s̄: stretches replaced by
    their class, ⟨digits⟩ or ⟨letters⟩; literal counts c(w), c(s)). About 0 when any stretch of
    the class would do as well (2岁, 3个: a number and a measure word), large for a bound one
    (58同城, K线图, 21世纪)."""
    c1 = passes.levels[0][0]
    value = math.log(lit["".join(symbols(word))] / float(passes.levels[k - 1][0][i]))
    for s, one in zip(symbols(word), passes.symbols_of(k, np.array([i]))[0]):
        if _has_ascii(s):
            value -= math.log(lit[s] / float(c1[one]))
    return value


def _part_ids(passes: Passes, k: int, i: int, a: int, b: int) -> int:
    """Order-(b - a) id of symbols a..b of the order-k n-gram ``i``."""
    return int(passes.suffix_ids(b, passes.prefix_ids(k, np.array([i]), b), a)[0])


def mi_rows(passes: Passes, cands: list, lit: Counter, thresholds) -> list:
    """``(word, count, literal cohesion)`` of the candidates whose literal cohesion reaches the
    bar (the literal form of the check-back: the collapsed n-gram's cohesion mixes every
    stretch of its kind, so it is no evidence for one of them); ``lit`` from
    :func:`candidates` with ``parts=True``."""
    n = float(passes.N)
    rows = []
    for w, k, i, c in cands:
        if k == 1:
            rows.append((w, c, math.nan))
            continue
        sy = symbols(w)

        def count(a, b, w=w, k=k, i=i, sy=sy):
            part = "".join(sy[a:b])
            if _has_ascii(part):
                return lit[part]
            return int(passes.levels[b - a - 1][0][_part_ids(passes, k, i, a, b)])

        cw = count(0, k)
        coh = min(math.log(n * cw / (count(0, j) * count(j, k))) for j in range(1, k))
        if coh >= thresholds[k - 2]:
            rows.append((w, c, coh))
    return rows


def joint_rows(passes: Passes, cands: list, lit: Counter, mixed: Counter, per_order: list, K: int) -> list:
    """``(word, count, gain)`` of the candidates, the gain of :mod:`nlpzero._discover_joint`
    with literal counts (lone stretches: gain nan, ranked with the single characters)."""
    from ._discover_joint import split_gain, word_prior

    tokens: Counter = Counter()
    for (word, _k, _i), c in mixed.items():
        tokens[word] += c
    alpha0, lplen, denom = word_prior(per_order, K)
    c1 = passes.levels[0][0].astype(np.float64)
    n_sym = float(c1.sum())
    rows = []
    for w, k, i, c in cands:
        if k == 1:
            rows.append((w, c, math.nan))
            continue
        sy = symbols(w)
        ids = passes.symbols_of(k, np.array([i]))[0]
        lpsym = [math.log(max(lit[s], 0.5) / n_sym) if _has_ascii(s) else math.log(c1[ids[j]] / n_sym)
                 for j, s in enumerate(sy)]

        def logp1(a, b, w=w, k=k, i=i, sy=sy, lpsym=lpsym):
            part = "".join(sy[a:b])
            n = tokens[part] if _has_ascii(part) else int(per_order[b - a - 1][_part_ids(passes, k, i, a, b)])
            log_p0 = lplen[b - a - 1] + sum(lpsym[a:b])
            return float(np.logaddexp(math.log(n) if n else -math.inf, math.log(alpha0) + log_p0)) - denom

        rows.append((w, c, c * float(split_gain(logp1, k))))
    return rows
