"""Word Mover's Distance, Word Rotator's Distance, their lower bounds and exact top-k search.

Texts become weighted bags of word vectors; the transportation problem between two
bags is solved exactly by the network simplex of :mod:`nlpzero.transport` (compiled core
``nlpzero._emd``); this module validates input, builds the bags and runs the prefetch-and-prune
search.

Conventions
-----------
- **WMD** (Kusner et al. 2015): a text is the bag of its in-vocabulary tokens; the weight of a word
  is its count divided by the number of in-vocabulary tokens (nBOW); the ground cost is the
  Euclidean distance between the raw vectors (not unit-normalised, unlike gensim's default
  ``norm=True``). The blog's form ``sqrt(mean((x - y)**2))`` equals ours divided by ``sqrt(d)``.
- **WRD** (Yokoi et al. 2020): the weight of a word is ``count * ||x||`` over the text's total,
  the ground cost is ``1 - cos(x, y)``, computed as ``||x/||x|| - y/||y||||**2 / 2`` (equal for
  unit vectors, exactly 0 for identical words, never negative). Similarity is ``1 - WRD``.
  Zero vectors carry no weight and no direction; they are reported with the OOV tokens.

Lower bounds (used by :func:`wmd_search`)
-----------------------------------------
For any transport plan T between weights a (words x_i) and b (words y_j):

- word centroid distance: ``sum T_ij ||x_i - y_j|| >= ||sum T_ij (x_i - y_j)|| =
  ||sum a_i x_i - sum b_j y_j||`` (triangle inequality), so WCD <= WMD.
- relaxed WMD: dropping the column constraints, each x_i ships all its mass to its nearest y_j:
  ``sum_i a_i min_j M_ij``; dropping the row constraints gives ``sum_j b_j min_i M_ij``; the
  larger of the two is a lower bound (RWMD). The same relaxation bounds WRD (RWRD).
- WRD centroid bound. With unit vectors ``u_i = x_i/||x_i||``, ``1 - cos = ||u_i - v_j||**2 / 2``.
  ``||.||**2`` is convex, so by Jensen's inequality (T is a probability distribution over pairs)
  ``sum T_ij ||u_i - v_j||**2 / 2 >= ||sum T_ij (u_i - v_j)||**2 / 2
  = ||sum a_i u_i - sum b_j v_j||**2 / 2``, and with ``a_i = ||x_i|| / sum ||x||``,
  ``sum a_i u_i = sum x / sum ||x||``. Hence
  ``WRD >= || sum x / sum||x||  -  sum y / sum||y|| ||**2 / 2``.

References
----------
Kusner, Sun, Kolkin, Weinberger. From Word Embeddings To Document Distances. ICML 2015.
Yokoi, Takahashi, Akama, Suzuki, Inui. Word Rotator's Distance. EMNLP 2020.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat

import numpy as np

from . import _emd
from . import _limits as limits
from ._validate import check_choice
from .errors import ParameterError, ParameterTypeError
from .transport import DEFAULT_MAX_ITER, check_max_iter, raise_for_status
from .vectors import WordVectors, as_vectors

__all__ = [
    "LowerBounds",
    "SearchResult",
    "TextDistance",
    "TextIndex",
    "wmd",
    "wmd_lower_bounds",
    "wmd_search",
    "wrd",
    "wrd_lower_bounds",
]

_METRICS = ("wmd", "wrd")
_KIND = {"wmd": 0, "wrd": 1}  # ground-cost kernel: Euclidean / half squared distance of unit vectors


# --------------------------------------------------------------------------------------------
# texts as weighted bags of word vectors


def _tokens(doc, name: str) -> Sequence:
    if isinstance(doc, str):
        raise ParameterTypeError(
            f"`{name}` must be a sequence of tokens, got a str; split it first "
            "(e.g. text.split(), or list(text) for characters)"
        )
    try:
        return list(doc)
    except TypeError:
        raise ParameterTypeError(f"`{name}` must be a sequence of tokens, got {type(doc).__name__}") from None


#: Inputs up to this many tokens are bagged with dicts (cheaper for a pair), larger ones with numpy: same bags.
SMALL_BAG_TOKENS = 256


class _Encoded:
    """Documents as weighted bags over a compact vocabulary (CSR layout), built vectorised.

    ``X`` (V, d): the vectors of the words used (unit vectors for WRD); doc t has word ids
    ``ids[ptr[t]:ptr[t+1]]`` (first-occurrence order) with weights ``w`` (summing to 1);
    ``oov[t]``: its ignored tokens; ``empty[t]``: it has no usable token.
    """

    def __init__(self, docs: list, vectors, metric: str):
        vectors = as_vectors(vectors)
        flat = [tok for doc in docs for tok in doc]
        lengths = np.fromiter((len(doc) for doc in docs), dtype=np.intp, count=len(docs))
        if isinstance(vectors, WordVectors):
            index = vectors.index
            gid = np.fromiter(map(index.get, flat, repeat(-1)), dtype=np.intp, count=len(flat))
            source, dim = vectors.vectors, vectors.dim
        else:  # a mapping: look every distinct token up once
            table: dict = {}
            rows: list = []
            dim = None
            for tok in dict.fromkeys(flat):
                if tok in vectors:
                    vec = np.asarray(vectors[tok], dtype=np.float64)
                    if vec.ndim != 1 or (dim is not None and vec.shape[0] != dim):
                        raise ParameterError(f"the vector of {tok!r} has shape {vec.shape}, expected ({dim},)")
                    if not np.isfinite(vec).all():
                        raise ParameterError(f"the vector of {tok!r} is not finite")
                    dim = vec.shape[0]
                    table[tok] = len(rows)
                    rows.append(vec)
            gid = np.fromiter(map(table.get, flat, repeat(-1)), dtype=np.intp, count=len(flat))
            source = np.vstack(rows) if rows else np.zeros((0, dim or 1))
            dim = source.shape[1]
            index = None
        owner = np.repeat(np.arange(len(docs), dtype=np.intp), lengths)
        valid = gid >= 0
        self.oov = [()] * len(docs)
        if not valid.all():
            missing: dict = {}
            for p in np.flatnonzero(~valid):
                missing.setdefault(int(owner[p]), []).append(flat[p])
            for t, toks in missing.items():
                self.oov[t] = tuple(toks)
        # compact vocabulary of the words used, and each document's distinct words with counts
        # (first-occurrence order); integer work, so both branches give the same bags
        if len(flat) <= SMALL_BAG_TOKENS:
            used, ids, counts, per_doc = self._bags_small(gid.tolist(), lengths.tolist())
        else:
            used, ids, counts, per_doc = self._bags(gid, owner, valid, len(docs))
        self.ids = ids
        self.ptr = np.concatenate([[0], np.cumsum(per_doc)]).astype(np.intp)
        X = np.ascontiguousarray(source[used], dtype=np.float64) if len(used) else np.zeros((0, dim))
        names = vectors.words if index is not None else list(table)
        self.words = [names[g] for g in used]
        norms = np.empty(X.shape[0])
        _emd.row_norms(X, norms)
        if metric == "wrd":
            mass = counts * norms[self.ids]
            zero = mass == 0.0
            if zero.any():  # zero vectors: no weight, no direction; drop and report them
                self._drop(zero, docs)
                mass = mass[~zero]
            X = X / np.where(norms > 0, norms, 1.0)[:, None]
        else:
            mass = counts
        self.X = np.ascontiguousarray(X)
        lengths = np.diff(self.ptr)
        totals = np.zeros(len(lengths))
        nonempty = lengths > 0
        if nonempty.any():
            totals[nonempty] = np.add.reduceat(mass, self.ptr[:-1][nonempty])
        self.w = np.ascontiguousarray(mass / np.repeat(totals, lengths)) if len(mass) else mass
        self.empty = ~nonempty

    @staticmethod
    def _bags(gid, owner, valid, n_docs):
        used, cid = np.unique(gid[valid], return_inverse=True)
        n_used = max(len(used), 1)
        key = owner[valid] * n_used + cid
        keys, first, counts = np.unique(key, return_index=True, return_counts=True)
        by_position = np.argsort(first, kind="stable")
        keys, counts = keys[by_position], counts[by_position].astype(np.float64)
        ids = np.ascontiguousarray(keys % n_used, dtype=np.intc)
        per_doc = np.bincount(keys // n_used, minlength=n_docs) if len(keys) else np.zeros(n_docs, np.intp)
        return used, ids, counts, per_doc

    @staticmethod
    def _bags_small(gid: list, lengths: list):
        compact: dict = {}
        ids: list = []
        counts: list = []
        per_doc: list = []
        pos = 0
        for length in lengths:
            local: dict = {}
            for g in gid[pos:pos + length]:
                if g < 0:
                    continue
                c = compact.setdefault(g, len(compact))
                local[c] = local.get(c, 0) + 1
            pos += length
            ids.extend(local)
            counts.extend(local.values())
            per_doc.append(len(local))
        return (np.fromiter(compact, dtype=np.intp, count=len(compact)), np.asarray(ids, dtype=np.intc),
                np.asarray(counts, dtype=np.float64), np.asarray(per_doc, dtype=np.intp))

    def _drop(self, zero: np.ndarray, docs: list) -> None:
        lengths = np.diff(self.ptr)
        owner = np.repeat(np.arange(len(lengths)), lengths)
        kept = np.bincount(owner[~zero], minlength=len(lengths))
        zero_words = {self.words[j] for j in self.ids[zero]}
        for t in np.unique(owner[zero]):
            self.oov[t] = self.oov[t] + tuple(tok for tok in docs[t] if tok in zero_words)
        self.ids = self.ids[~zero]
        self.ptr = np.concatenate([[0], np.cumsum(kept)]).astype(np.intp)

    def doc(self, t: int):
        s, e = self.ptr[t], self.ptr[t + 1]
        return self.ids[s:e], self.w[s:e]


# --------------------------------------------------------------------------------------------
# WMD / WRD between two texts


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class TextDistance:
    """WMD or WRD between two texts (from :func:`wmd` / :func:`wrd`).

    Attributes
    ----------
    distance : float
        The distance (``empty_value`` if a text had no usable token).
    metric : str
        ``"wmd"`` or ``"wrd"``.
    words1, words2 : tuple of str
        Distinct in-vocabulary words of each text, in first-occurrence order.
    weights1, weights2 : ndarray
        Their weights (each sums to 1).
    plan : ndarray, shape (len(words1), len(words2))
        An optimal transport plan between the words.
    oov1, oov2 : tuple of str
        Tokens of each text that were ignored (out of vocabulary; for WRD also zero vectors).
    """

    distance: float
    metric: str
    words1: tuple
    words2: tuple
    weights1: np.ndarray = field(repr=False)
    weights2: np.ndarray = field(repr=False)
    plan: np.ndarray = field(repr=False)
    oov1: tuple = ()
    oov2: tuple = ()

    @property
    def similarity(self) -> float:
        """``1 - distance`` (Yokoi et al.'s similarity; meaningful for WRD)."""
        return 1.0 - self.distance

    def __float__(self) -> float:
        return float(self.distance)

    def to_dict(self) -> dict:
        """Plain-Python form (lists)."""
        return {
            "distance": self.distance,
            "metric": self.metric,
            "words1": list(self.words1),
            "words2": list(self.words2),
            "weights1": self.weights1.tolist(),
            "weights2": self.weights2.tolist(),
            "plan": self.plan.tolist(),
            "oov1": list(self.oov1),
            "oov2": list(self.oov2),
        }


def _empty_value(empty_value) -> float | None:
    if empty_value is None:
        return None
    if isinstance(empty_value, bool) or not isinstance(empty_value, (int, float)) or math.isnan(empty_value):
        raise ParameterTypeError(f"`empty_value` must be None or a number (e.g. float('inf')), got {empty_value!r}")
    return float(empty_value)


def _empty_error(which: str, oov: tuple) -> ValueError:
    detail = f" (ignored tokens: {', '.join(map(repr, oov[:5]))}{', ...' if len(oov) > 5 else ''})" if oov else ""
    return ParameterError(
        f"{which} has no in-vocabulary token{detail}; pass `empty_value` (e.g. float('inf')) to get a sentinel instead"
    )


def _text_distance(doc1, doc2, vectors, metric, empty_value, max_iter) -> TextDistance:
    docs = [_tokens(doc1, "doc1"), _tokens(doc2, "doc2")]
    empty_value = _empty_value(empty_value)
    max_iter = check_max_iter(max_iter)
    enc = _Encoded(docs, vectors, metric)
    (i1, w1), (i2, w2) = enc.doc(0), enc.doc(1)
    words = enc.words
    if enc.empty.any():
        if empty_value is None:
            which = "doc1" if enc.empty[0] else "doc2"
            raise _empty_error(which, enc.oov[0 if enc.empty[0] else 1])
        plan = np.zeros((len(i1), len(i2)))
        return TextDistance(empty_value, metric, tuple(words[j] for j in i1), tuple(words[j] for j in i2),
                            w1, w2, plan, enc.oov[0], enc.oov[1])
    C = np.empty((len(i1), len(i2)))
    _emd.pairwise_cost(enc.X[i1], enc.X[i2], C, _KIND[metric])
    # solved as given (no rescaling of w2), exactly as wmd_search solves it: equal bits
    status, cost, iters, plan, _, _ = _emd.emd_solve(w1, w2, C, max_iter, True, False)
    if status != _emd.STATUS_OPTIMAL:
        raise_for_status(status, iters)
    return TextDistance(float(cost), metric, tuple(words[j] for j in i1), tuple(words[j] for j in i2),
                        w1, w2, plan, enc.oov[0], enc.oov[1])


def wmd(doc1: Iterable[str], doc2: Iterable[str], vectors, *, empty_value: float | None = None,
        max_iter: int = DEFAULT_MAX_ITER) -> TextDistance:
    """Word Mover's Distance between two tokenised texts (Kusner et al. 2015).

    Parameters
    ----------
    doc1, doc2 : sequence of str
        Tokens (e.g. the output of a segmenter). Repeated tokens add weight.
    vectors : WordVectors, mapping str -> array (d,), or (words, matrix) pair
        Word vectors; for repeated calls pass a :class:`WordVectors` (indexed once).
    empty_value : float, optional
        Returned as the distance when a text has no in-vocabulary token; by default that is a
        ValueError.
    max_iter : int
        Pivot limit of the solver (see :func:`emd`).

    Returns
    -------
    TextDistance
        ``float(result)`` is the distance; out-of-vocabulary tokens are in ``oov1`` / ``oov2``.

    Notes
    -----
    Weights are normalised counts; the ground cost is the Euclidean distance of the raw vectors
    (gensim's ``wmdistance(norm=False)``; the blog's ``sqrt(mean((x-y)**2))`` is this divided by
    ``sqrt(d)``). See :func:`wmd_lower_bounds` for the WCD and RWMD bounds.

    Examples
    --------
    >>> import numpy as np
    >>> vec = {"猫": np.array([0.0, 0.0]), "狗": np.array([3.0, 4.0]), "吃": np.array([0.0, 1.0])}
    >>> float(wmd(["猫", "吃"], ["狗", "吃"], vec))
    2.5
    """
    return _text_distance(doc1, doc2, vectors, "wmd", empty_value, max_iter)


def wrd(doc1: Iterable[str], doc2: Iterable[str], vectors, *, empty_value: float | None = None,
        max_iter: int = DEFAULT_MAX_ITER) -> TextDistance:
    """Word Rotator's Distance between two tokenised texts (Yokoi et al. 2020).

    Weights are ``count * ||x||`` normalised per text, the ground cost is ``1 - cos(x, y)``;
    ``result.similarity`` is ``1 - WRD``. Parameters and result as in :func:`wmd`; zero vectors
    carry no weight and are reported in ``oov1`` / ``oov2``.

    Examples
    --------
    >>> import numpy as np
    >>> vec = {"好": np.array([1.0, 0.0]), "棒": np.array([0.0, 2.0])}
    >>> r = wrd(["好"], ["棒"], vec)
    >>> r.distance, r.similarity
    (1.0, 0.0)
    """
    return _text_distance(doc1, doc2, vectors, "wrd", empty_value, max_iter)


@dataclass(frozen=True)
class LowerBounds:
    """Cheap lower bounds on WMD / WRD (see the module docstring for the derivations).

    Attributes
    ----------
    centroid : float
        WMD: word centroid distance ``||sum a x - sum b y||``; WRD:
        ``||sum x/sum||x|| - sum y/sum||y|| ||**2 / 2``.
    relaxed : float
        ``max(sum_i a_i min_j M_ij, sum_j b_j min_i M_ij)`` (RWMD / RWRD).
    """

    centroid: float
    relaxed: float

    @property
    def best(self) -> float:
        """The larger (tighter) of the two bounds."""
        return max(self.centroid, self.relaxed)


def _bounds(doc1, doc2, vectors, metric) -> LowerBounds:
    enc = _Encoded([_tokens(doc1, "doc1"), _tokens(doc2, "doc2")], vectors, metric)
    if enc.empty.any():
        which = 0 if enc.empty[0] else 1
        raise _empty_error(f"doc{which + 1}", enc.oov[which])
    (i1, w1), (i2, w2) = enc.doc(0), enc.doc(1)
    diff = w1 @ enc.X[i1] - w2 @ enc.X[i2]
    centroid = float(np.sqrt(diff @ diff)) if metric == "wmd" else float(0.5 * (diff @ diff))
    C = np.empty((len(i1), len(i2)))
    _emd.pairwise_cost(enc.X[i1], enc.X[i2], C, _KIND[metric])
    relaxed = float(max(w1 @ C.min(axis=1), w2 @ C.min(axis=0)))
    return LowerBounds(centroid, relaxed)


def wmd_lower_bounds(doc1, doc2, vectors) -> LowerBounds:
    """Word centroid distance and relaxed WMD: both are ``<= wmd(doc1, doc2, vectors)``."""
    return _bounds(doc1, doc2, vectors, "wmd")


def wrd_lower_bounds(doc1, doc2, vectors) -> LowerBounds:
    """The WRD centroid bound ``||Σx/Σ||x|| − Σy/Σ||y||||²/2`` and relaxed WRD (both ``<= wrd``)."""
    return _bounds(doc1, doc2, vectors, "wrd")


# --------------------------------------------------------------------------------------------
# exact top-k search


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class SearchResult:
    """The k nearest documents to a query (from :func:`wmd_search`).

    Attributes
    ----------
    indices : ndarray of int64, shape (k',)
        Positions in ``docs``, nearest first; ties broken by position. ``k' = min(k, len(docs))``.
    distances : ndarray of float64, shape (k',)
        Their exact distances.
    metric : str
        ``"wmd"`` or ``"wrd"``.
    n_docs : int
        Number of documents searched.
    n_solved : int
        Exact transport problems solved (the rest were pruned by the lower bounds).
    query_oov : tuple of str
        Ignored query tokens.
    n_empty : int
        Documents with no usable token (ranked at ``empty_value``).
    """

    indices: np.ndarray
    distances: np.ndarray
    metric: str
    n_docs: int
    n_solved: int
    query_oov: tuple = ()
    n_empty: int = 0

    @property
    def similarities(self) -> np.ndarray:
        """``1 - distances`` (WRD similarity)."""
        return 1.0 - self.distances

    def to_list(self) -> list[tuple[int, float]]:
        """``[(index, distance), ...]``, nearest first."""
        return [(int(i), float(d)) for i, d in zip(self.indices, self.distances)]


def _search_bounds(enc: _Encoded, D: np.ndarray, qw: np.ndarray, q_centroid: np.ndarray,
                   metric: str, live: np.ndarray) -> np.ndarray:
    """max(centroid bound, relaxed bound) for the documents ``live`` (positions in ``enc``),
    computed in one compiled pass each (memory O(len(live)))."""
    relaxed = np.empty(len(live))
    centroid = np.empty(len(live))
    _emd.relaxed_bounds(D, qw, enc.ptr, enc.ids, enc.w, live, relaxed)
    _emd.centroid_bounds(enc.X, enc.ptr, enc.ids, enc.w, live, q_centroid, _KIND[metric], centroid)
    return np.maximum(relaxed, centroid)


class TextIndex:
    """Tokenised documents prepared once for repeated exact top-k queries by WMD or WRD.

    Encoding the documents (vocabulary lookup, bags of words, weights) is the part of a search
    that does not depend on the query; an index does it once. :func:`wmd_search` is the
    one-query shortcut ``TextIndex(docs, vectors, metric=...).search(query, k=k)``.

    Parameters
    ----------
    docs : iterable of sequences of str
        Documents (tokenised). Their positions are the indices returned by :meth:`search`.
    vectors : WordVectors, mapping, or (words, matrix) pair
        Word vectors (kept for looking up the words of later queries).
    metric : {"wmd", "wrd"}
        Word Mover's or Word Rotator's Distance (conventions as in :func:`wmd` / :func:`wrd`).
    empty_value : float, optional
        Distance given to documents (and by queries) with no usable token, e.g. ``float('inf')``
        to rank them last. By default such a document or query is a ValueError naming it.

    Examples
    --------
    >>> import numpy as np
    >>> vec = {"猫": np.array([0.0, 0.0]), "狗": np.array([3.0, 4.0]), "吃": np.array([0.0, 1.0])}
    >>> index = TextIndex([["狗"], ["吃"], ["猫", "猫"]], vec)
    >>> index.search(["猫"], k=2).to_list(), index.search(["狗", "狗"], k=1).to_list()
    ([(2, 0.0), (1, 1.0)], [(0, 0.0)])
    """

    def __init__(self, docs: Iterable[Iterable[str]], vectors, *, metric: str = "wmd",
                 empty_value: float | None = None):
        self.metric = check_choice("metric", metric, _METRICS)
        self.empty_value = _empty_value(empty_value)
        doc_list = [_tokens(d, f"docs[{i}]") for i, d in enumerate(docs)]
        self._vectors = as_vectors(vectors)
        self._enc = enc = _Encoded(doc_list, self._vectors, self.metric)
        self._empty = np.flatnonzero(enc.empty)
        if len(self._empty) and self.empty_value is None:
            t = int(self._empty[0])
            raise _empty_error(f"docs[{t}]", enc.oov[t])
        self._live = np.flatnonzero(~enc.empty).astype(np.intp)

    def __len__(self) -> int:
        return len(self._enc.empty)

    @property
    def oov(self) -> list:
        """Ignored tokens of each document (a tuple per document)."""
        return list(self._enc.oov)

    def search(self, query: Iterable[str], *, k: int = 10, max_iter: int = DEFAULT_MAX_ITER) -> SearchResult:
        """The exact k nearest documents to ``query`` (see :func:`wmd_search`)."""
        k = limits.check("k", k)
        max_iter = check_max_iter(max_iter)
        metric, enc, n = self.metric, self._enc, len(self)
        k_eff = min(k, n)
        qenc = _Encoded([_tokens(query, "query")], self._vectors, metric)
        if qenc.empty[0]:
            if self.empty_value is None:
                raise _empty_error("the query", qenc.oov[0])
            idx = np.arange(k_eff, dtype=np.int64)  # every document is at the sentinel distance
            return SearchResult(idx, np.full(k_eff, self.empty_value), metric, n, 0, qenc.oov[0], n)
        qi, qw = qenc.doc(0)
        Xq = qenc.X[qi]
        if enc.X.shape[0] and Xq.shape[1] != enc.X.shape[1]:
            raise ParameterError(
                f"query word vectors have dimension {Xq.shape[1]}, the documents' {enc.X.shape[1]}")
        D = np.empty((len(qi), enc.X.shape[0]))
        if enc.X.shape[0]:
            _emd.pairwise_cost(Xq, enc.X, D, _KIND[metric])
        live = self._live
        bound = np.full(n, np.inf)
        if len(live):
            bound[live] = _search_bounds(enc, D, qw, qw @ Xq, metric, live)
        order = live[np.argsort(bound[live], kind="stable")]
        out_d = np.empty(k_eff)
        out_i = np.empty(k_eff, dtype=np.intp)
        found, solved, status = _emd.search_topk(
            D, qw, enc.ptr, enc.ids, enc.w, order, bound, k_eff, 1e-12, max_iter, out_d, out_i
        )
        if status != _emd.STATUS_OPTIMAL:
            raise_for_status(status, max_iter)
        idx = out_i[:found].astype(np.int64)
        dist = out_d[:found].copy()
        if len(self._empty):  # merge the sentinel-distance documents, keeping (distance, index) order
            idx = np.concatenate([idx, self._empty.astype(np.int64)])
            dist = np.concatenate([dist, np.full(len(self._empty), self.empty_value)])
            sel = np.lexsort((idx, dist))[:k_eff]
            idx, dist = idx[sel], dist[sel]
        return SearchResult(idx, dist, metric, n, int(solved), qenc.oov[0], int(len(self._empty)))


def wmd_search(query: Iterable[str], docs: Iterable[Iterable[str]], vectors, *, k: int = 10,
               metric: str = "wmd", empty_value: float | None = None,
               max_iter: int = DEFAULT_MAX_ITER) -> SearchResult:
    """Exact k nearest documents to a query under WMD or WRD, by prefetch and prune.

    Every document gets two lower bounds, each computed in one compiled pass: the centroid
    bound and the relaxed bound (RWMD / RWRD, see the module docstring). Documents are visited
    in increasing order of the larger bound and solved exactly; the walk stops at the first one
    whose bound exceeds the current k-th best distance (Kusner et al.'s prefetch-and-prune, with
    both bounds computed up front so the visit order is the tightest one). The result equals the
    brute-force top-k: distances ascending, ties by position in ``docs``. For several queries
    against the same documents, build a :class:`TextIndex` once.

    Parameters
    ----------
    query : sequence of str
        Query tokens.
    docs : iterable of sequences of str
        Documents (tokenised).
    vectors : WordVectors, mapping, or (words, matrix) pair
        Word vectors.
    k : int
        Number of neighbours (all documents if fewer).
    metric : {"wmd", "wrd"}
        Word Mover's or Word Rotator's Distance (conventions as in :func:`wmd` / :func:`wrd`).
    empty_value : float, optional
        Distance given to documents with no usable token (e.g. ``float('inf')`` to rank them
        last). By default such a document (or query) is a ValueError naming it.
    max_iter : int
        Pivot limit per transport problem.

    Returns
    -------
    SearchResult

    Examples
    --------
    >>> import numpy as np
    >>> vec = {"猫": np.array([0.0, 0.0]), "狗": np.array([3.0, 4.0]), "吃": np.array([0.0, 1.0])}
    >>> r = wmd_search(["猫"], [["狗"], ["吃"], ["猫", "猫"]], vec, k=2)
    >>> r.to_list()
    [(2, 0.0), (1, 1.0)]
    """
    k = limits.check("k", k)
    index = TextIndex(docs, vectors, metric=metric, empty_value=empty_value)
    return index.search(query, k=k, max_iter=max_iter)
