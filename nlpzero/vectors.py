"""Word vectors from PMI and word classes from them (kNN graph + InfoMap).

Co-occurrence counts within a window of a segmented corpus -> shifted positive PMI with
context-distribution smoothing -> truncated SVD -> one vector per word (Levy, Goldberg & Dagan
2015). No scipy: the sparse products run in a small Numba kernel, the SVD is randomized
(Halko, Martinsson & Tropp 2011) with ``numpy.linalg`` on the small projected matrices.

:func:`cluster_words` links every word to its ``k`` most cosine-similar words and partitions
that graph with :func:`nlpzero.infomap`: the minimum-description-length path from a raw corpus
to word classes.
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _limits as limits
from ._io import atomic_write
from ._wordvec import DENSE_SVD_MAX, cooccurrence, knn_graph, ppmi, truncated_svd, unit_rows, vocabulary
from .corpus import Corpus, TokenCorpus
from .errors import CorpusTooSmallError, FormatError, InputError, ParameterError, ParameterTypeError, ResourceLimitError
from .protocol import SegmenterLike, SegmenterSource

__all__ = ["WordVectors", "as_vectors", "cluster_words", "load_vectors", "word_vectors"]

# ----------------------------------------------------------------------------------------------
# result


@dataclass(frozen=True, eq=False)  # holds arrays: compare fields explicitly
class WordVectors:
    """Words and their vectors, indexed for lookup; made by :func:`word_vectors` or
    :func:`load_vectors`, and accepted by the distance functions (``nlpzero.wmd`` ...).

    Parameters
    ----------
    words : sequence of str, length V
        Distinct words (most frequent first when made by :func:`word_vectors`).
    vectors : array_like, shape (V, d)
        One finite row per word (stored as float64).
    counts : array_like of int, shape (V,), optional
        Corpus frequency of each word (zeros when unknown).
    singular_values : array_like of float, shape (d,), optional
        Singular values of the PMI matrix, when the vectors come from :func:`word_vectors`.

    Examples
    --------
    >>> wv = WordVectors(["猫", "狗"], np.array([[1.0, 0.0], [0.0, 1.0]]))
    >>> wv["狗"].tolist(), "鱼" in wv, wv.dim
    ([0.0, 1.0], False, 2)
    """

    words: tuple[str, ...]
    vectors: np.ndarray = field(repr=False)
    counts: np.ndarray | None = field(default=None, repr=False)
    singular_values: np.ndarray | None = field(default=None, repr=False)
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        words = tuple(self.words)
        for w in words:
            if not isinstance(w, str):
                raise ParameterTypeError(f"`words` must be strings, got {type(w).__name__} {w!r}")
        vectors = np.ascontiguousarray(self.vectors, dtype=np.float64)
        if vectors.ndim != 2 or vectors.shape[0] != len(words):
            raise ParameterError(
                f"`vectors` must have shape (len(words), d) = ({len(words)}, d), got {vectors.shape}"
            )
        if not np.isfinite(vectors).all():
            row = int(np.nonzero(~np.isfinite(vectors).all(axis=1))[0][0])
            raise ParameterError(f"`vectors` must be finite; the vector of {words[row]!r} is not")
        index = {w: i for i, w in enumerate(words)}
        if len(index) != len(words):
            seen = set()
            dup = next(w for w in words if w in seen or seen.add(w))
            raise ParameterError(f"`words` must be distinct; {dup!r} occurs twice")
        counts = np.zeros(len(words), np.int64) if self.counts is None else np.asarray(self.counts, np.int64)
        if counts.shape != (len(words),):
            raise ParameterError(f"`counts` must have shape ({len(words)},), got {counts.shape}")
        sv = np.zeros(vectors.shape[1]) if self.singular_values is None else np.asarray(self.singular_values, float)
        object.__setattr__(self, "words", words)
        object.__setattr__(self, "vectors", vectors)
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "singular_values", sv)
        object.__setattr__(self, "index", index)

    @property
    def dim(self) -> int:
        """Vector dimension d."""
        return int(self.vectors.shape[1])

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word) -> bool:
        return word in self.index

    def __getitem__(self, word: str) -> np.ndarray:
        try:
            return self.vectors[self.index[word]]
        except KeyError:
            raise KeyError(f"word {word!r} is not in the vocabulary") from None

    def to_dict(self) -> dict[str, np.ndarray]:
        """``{word: vector}``."""
        return {w: self.vectors[i] for i, w in enumerate(self.words)}

    def most_similar(self, word: str, *, topn: int = 10) -> list[tuple[str, float]]:
        """The ``topn`` words of highest cosine similarity to ``word`` (itself excluded)."""
        topn = limits.check("topn", topn)
        unit = unit_rows(self.vectors)
        sims = unit @ self[word] / max(np.linalg.norm(self[word]), 1e-300)
        sims[self.index[word]] = -np.inf
        order = np.argsort(-sims, kind="stable")[:topn]
        return [(self.words[i], float(sims[i])) for i in order]

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write ``.npz`` with ``words`` (str array), ``vectors`` (float64), ``counts``; atomically."""
        with atomic_write(path, "wb") as f:
            np.savez(f, words=np.array(self.words, dtype=str), vectors=self.vectors, counts=self.counts,
                     singular_values=self.singular_values)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> WordVectors:
        """Read ``.npz`` (as written by :meth:`save`) or word2vec text; see :func:`load_vectors`."""
        return load_vectors(path)

    def to_word2vec(self, path: str | os.PathLike[str]) -> None:
        """Write word2vec text format (``V dim`` header, then ``word x1 ... xdim``), atomically."""
        with atomic_write(path) as f:
            f.write(f"{len(self.words)} {self.dim}\n")
            for word, vec in zip(self.words, self.vectors):
                f.write(word + " " + " ".join(f"{x:.8g}" for x in vec) + "\n")


def load_vectors(path, *, encoding: str = "utf-8") -> WordVectors:
    """Read word vectors from a ``.npz`` file or a word2vec text file.

    Vectors already in memory (a mapping word -> vector, a ``(words, matrix)`` pair, a
    WordVectors or a gensim ``KeyedVectors``) are accepted too and converted as
    :func:`as_vectors` does.

    ``.npz``: arrays ``words`` (strings, shape (V,)) and ``vectors`` (shape (V, d)), as saved by
    ``nlpzero.word_vectors`` and :meth:`WordVectors.save`. Anything else is read as word2vec
    text: an optional header line ``V d``, then ``word x1 ... xd`` per line (GloVe files, without
    the header, work too).

    Raises
    ------
    FormatError
        A malformed line (wrong number of values, not a number, repeated word), with path and line.
    InputError
        A ``.npz`` file without the two arrays.
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        vectors = as_vectors(path)       # in memory already: a mapping, a (words, matrix) pair, ...
        if isinstance(vectors, Mapping):
            words = list(vectors)
            try:
                matrix = np.array([np.asarray(vectors[w], dtype=np.float64) for w in words])
            except (TypeError, ValueError):
                raise ParameterError("a mapping of word vectors needs one number sequence of the same "
                                     "length per word", "path") from None
            return WordVectors(words, matrix.reshape(len(words), -1))
        return vectors
    path = os.fspath(path)
    if path.endswith(".npz"):
        import zipfile

        try:
            with np.load(path, allow_pickle=False) as data:
                if "words" not in data or "vectors" not in data:
                    raise InputError(
                        f"{path}: an .npz of word vectors needs arrays `words` and `vectors`, "
                        f"found {sorted(data.files)}",
                        path,
                    )
                words, vectors = data["words"], data["vectors"]
                counts = data["counts"] if "counts" in data else None
                sv = data["singular_values"] if "singular_values" in data else None
        except (ValueError, EOFError, zipfile.BadZipFile):
            # numpy falls back to unpickling what is not a zip (and says so): never done here
            raise InputError(f"{path}: not a readable .npz of word vectors (damaged, truncated, or not "
                             "written by nlpzero / numpy.savez with plain arrays)", path) from None
        if words.dtype.kind == "S":
            words = np.char.decode(words, "utf-8")
        try:
            return WordVectors([str(w) for w in words.tolist()], vectors, counts, sv)
        except (ValueError, TypeError) as exc:
            raise InputError(f"{path}: {exc}", path) from None
    return _load_word2vec_text(path, encoding)


def _load_word2vec_text(path: str, encoding: str) -> WordVectors:
    words: list[str] = []
    rows: list[list[float]] = []
    seen: dict[str, int] = {}
    dim = None
    expected = None
    for lineno, line in enumerate(Corpus(path, encoding=encoding).lines(), 1):
        parts = line.rstrip("\r\n").split(" ") if " " in line else line.split()
        parts = [p for p in parts if p != ""]
        if not parts:
            continue
        if lineno == 1 and len(parts) == 2 and parts[0].isdigit() and parts[1].isdigit():
            expected, dim = int(parts[0]), int(parts[1])
            continue
        word, values = parts[0], parts[1:]
        if dim is None:
            dim = len(values)
        if len(values) != dim or dim == 0:
            raise FormatError(path, lineno, f"expected a word and {dim} numbers, got {len(values)} numbers")
        try:
            row = [float(x) for x in values]
        except ValueError:
            raise FormatError(path, lineno, "a vector component is not a number") from None
        if not all(map(math.isfinite, row)):
            raise FormatError(path, lineno, "a vector component is not finite")
        if word in seen:
            raise FormatError(path, lineno, f"word {word!r} repeats line {seen[word]}")
        seen[word] = lineno
        words.append(word)
        rows.append(row)
    if not words:
        raise InputError(f"{path}: no word vectors found", path)
    if expected is not None and expected != len(words):
        raise InputError(f"{path}: header announces {expected} words, found {len(words)}", path)
    return WordVectors(words, np.array(rows, dtype=np.float64))


def as_vectors(vectors) -> WordVectors | Mapping:
    """``vectors`` as WordVectors or a mapping: given WordVectors, a mapping word -> vector, a (words, matrix)
    pair or an object with ``words``/``vectors`` (or gensim's ``index_to_key``/``vectors``) attributes (the inputs
    of the text distances).

    >>> as_vectors((["猫", "狗"], [[0.0, 1.0], [1.0, 0.0]])).dim
    2
    """
    if isinstance(vectors, (WordVectors, Mapping)):
        return vectors
    if isinstance(vectors, tuple) and len(vectors) == 2:
        return WordVectors(*vectors)
    words = getattr(vectors, "words", None)
    if words is None:
        words = getattr(vectors, "index_to_key", None)
    matrix = getattr(vectors, "vectors", None)
    if words is not None and matrix is not None:
        return WordVectors(list(words), matrix)
    raise ParameterTypeError(
        "`vectors` must be a WordVectors, a mapping word -> vector or a (words, matrix) pair, "
        f"got {type(vectors).__name__}"
    )


def default_dim(vocabulary_size: int) -> int:
    """The rule of thumb: about 8.33 · ln(V), at least 2."""
    return max(2, int(round(8.33 * math.log(max(vocabulary_size, 2)))))


# ----------------------------------------------------------------------------------------------
# public functions


def word_vectors(
    corpus: Any,
    *,
    dim: int | None = None,
    window: int = 5,
    min_count: int = 5,
    max_vocab: int | None = None,
    shift: float = 1.0,
    alpha: float = 0.75,
    eig: float = 0.5,
    seed: int = 0,
    encoding: str = "utf-8",
    segmenter: SegmenterSource | None = None,
) -> WordVectors:
    """Word vectors from a corpus: PPMI of window co-occurrences + truncated SVD.

    Parameters
    ----------
    corpus : path, or iterable of token lists (or of whitespace-separated lines)
        Without ``segmenter``: a segmented corpus; a file has one sentence per line, tokens
        separated by spaces. With ``segmenter``: raw text (a path, an iterable of lines, a
        :class:`nlpzero.Corpus`). It is read twice (vocabulary, then co-occurrences), so a
        one-shot iterator is refused.
    dim : int, optional
        Vector dimension; default about ``8.33 · ln(V)``, capped at ``V``. Above
        1,200 words, a ``dim`` over ``V / 2`` raises :class:`~nlpzero.errors.ResourceLimitError`
        (the randomized SVD would cost as much as a dense one).
    window : int, default 5
        Co-occurrence within ``window`` tokens on either side (not across lines); every pair
        counts 1. Words below ``min_count`` leave a gap (they do not shrink distances).
    min_count : int, default 5
        Words rarer than this get no vector.
    max_vocab : int, optional
        Keep only the most frequent words.
    shift : float, default 1
        SPPMI shift ``k``: entries are ``max(PMI − ln k, 0)`` (``k = 1`` is plain PPMI).
    alpha : float, default 0.75
        Context-distribution smoothing: ``P(c) ∝ count(c)^alpha``.
    eig : float, default 0.5
        Vectors are ``U · Σ^eig`` of the SVD ``M ≈ U Σ Vᵀ``.
    seed : int, default 0
        Seed of the randomized SVD (used when V > 1200); deterministic.
    encoding : str, default "utf-8"
        Encoding of a file corpus.
    segmenter : None, ``"learn"``, SegmenterLike, or anything :class:`nlpzero.Segmenter` accepts
        None: ``corpus`` is already segmented. ``"learn"``: learn an unsupervised segmenter from
        ``corpus`` itself (:func:`nlpzero.learn_segmenter`, one more pass) and segment with it.
        Otherwise the segmenter (or dictionary: a mapping, a lexicon, a path, ``"jieba"``) that
        cuts each raw line into tokens.

    Returns
    -------
    WordVectors
        ``words`` (most frequent first), ``vectors`` of shape (V, dim), ``counts``.

    Examples
    --------
    >>> sents = [["我", "喜欢", "猫"], ["我", "喜欢", "狗"], ["你", "喜欢", "猫"]] * 20
    >>> wv = word_vectors(sents, dim=2, min_count=1)
    >>> wv.vectors.shape
    (5, 2)
    >>> raw = ["我喜欢猫", "我喜欢狗", "你喜欢猫"] * 20
    >>> word_vectors(raw, dim=2, min_count=1, segmenter={"我": 3, "你": 1, "喜欢": 3, "猫": 2, "狗": 1}).words
    ('喜欢', '我', '猫', '你', '狗')

    References
    ----------
    O. Levy, Y. Goldberg and I. Dagan, "Improving distributional similarity with lessons learned
    from word embeddings", TACL 3 (2015). N. Halko, P.-G. Martinsson and J. A. Tropp, "Finding
    structure with randomness", SIAM Review 53(2) (2011).
    """
    if dim is not None:
        dim = limits.check("dim", dim)
    window = limits.check("window", window)
    min_count = limits.check("min_count", min_count)
    if max_vocab is not None:
        max_vocab = limits.check("max_vocab", max_vocab)
    shift = limits.check("shift", shift)
    alpha = limits.check("alpha", alpha)
    eig = limits.check("eig", eig)
    seed = limits.check("seed", seed)
    if segmenter is not None:
        from .corpus import as_corpus

        corpus = as_corpus(corpus, encoding=encoding)     # one Corpus for every pass
    reader = TokenCorpus(corpus, encoding=encoding, segmenter=_as_segmenter(corpus, segmenter))
    words, counts = vocabulary(reader, min_count, max_vocab)
    V = len(words)
    if V < 2:
        raise CorpusTooSmallError(
            f"only {V} word(s) occur at least min_count={min_count} times; lower `min_count` or give more text"
        )
    keys, pair_counts = cooccurrence(reader, {w: i for i, w in enumerate(words)}, window)
    if keys.size == 0:
        raise CorpusTooSmallError("no two vocabulary words co-occur within the window")
    ptr, idx, val = ppmi(keys, pair_counts, V, shift, alpha)
    if dim is not None and V > DENSE_SVD_MAX and dim > V // 2:
        raise ResourceLimitError(
            f"`dim`={dim} is too close to the vocabulary size V={V:,}: the randomized SVD would cost as much "
            f"as a dense {V:,} x {V:,} decomposition for no reduction; use dim <= {V // 2} "
            f"(the default is about 8.33·ln V = {default_dim(V)})", "dim", dim)
    dim = min(default_dim(V) if dim is None else dim, V)
    u, s, _ = truncated_svd(ptr, idx, val, V, dim, seed)
    vectors = np.ascontiguousarray(u * s**eig)
    return WordVectors(tuple(words), vectors, counts, s)


def _as_segmenter(corpus: Any, segmenter: SegmenterSource | None) -> SegmenterLike | None:
    if segmenter is None:
        return None
    if isinstance(segmenter, str) and segmenter == "learn":
        from .unsupervised import learn_segmenter

        return learn_segmenter(corpus)
    from .segment import as_segmenter

    return as_segmenter(segmenter)


def cluster_words(
    vectors: WordVectors | tuple[Sequence[str], np.ndarray],
    *,
    k: int = 10,
    num_trials: int = 10,
    seed: int = 0,
):
    """Word classes: a k-nearest-neighbour cosine graph partitioned by InfoMap.

    Each word links to its ``k`` most cosine-similar words (weight = similarity; pairs of
    similarity ≤ 0 are dropped, a mutual pair is one edge), and :func:`nlpzero.infomap` finds the
    partition of shortest description.

    Parameters
    ----------
    vectors : WordVectors or (words, array of shape (V, dim))
    k : int, default 10
        Neighbours per word (at most ``V - 1`` are used). When ``V · k`` exceeds 20 million
        edges, :class:`~nlpzero.errors.ResourceLimitError` is raised instead of building a
        dense graph.
    num_trials, seed : int
        Passed to :func:`nlpzero.infomap`.

    Returns
    -------
    InfomapResult
        Nodes are the words; ``communities`` are the word classes (frozensets of str), largest
        flow first; ``to_rows()`` gives ``(word, class, flow)``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1, 0.1], [1, 0.2], [0.1, 1], [0.2, 1]])
    >>> sorted(map(sorted, cluster_words((["a", "b", "c", "d"], x), k=1).communities))
    [['a', 'b'], ['c', 'd']]
    """
    from ._flow import Edges
    from .community import infomap_edges

    if isinstance(vectors, WordVectors):
        words, matrix = list(vectors.words), vectors.vectors
    elif isinstance(vectors, tuple) and len(vectors) == 2:
        words, matrix = [str(w) for w in vectors[0]], np.asarray(vectors[1], dtype=np.float64)
    else:
        raise ParameterTypeError(
            f"`vectors` must be WordVectors or a (words, array) pair, got {type(vectors).__name__}")
    if matrix.ndim != 2 or matrix.shape[0] != len(words):
        raise ParameterError(f"vectors must have shape (len(words), dim) = ({len(words)}, dim), got {matrix.shape}")
    if not np.isfinite(matrix).all():
        raise ParameterError("vectors contain NaN or infinite values")
    if len(set(words)) != len(words):
        raise ParameterError("words must be unique")
    k = limits.check("k", k)
    num_trials = limits.check("num_trials", num_trials)
    seed = limits.check("seed", seed)
    edges = len(words) * min(k, max(len(words) - 1, 0))
    if edges > limits.MAX_KNN_EDGES:
        raise ResourceLimitError(
            f"`k`={k} on {len(words):,} words asks for up to {edges:,} graph edges (limit "
            f"{limits.MAX_KNN_EDGES:,}): that is a dense graph, not a kNN graph; use a small k (default 10) "
            "or fewer words", "k", k)
    if len(words) < 2:
        src = dst = np.zeros(0, np.int64)
        w = np.zeros(0)
    else:
        src, dst, w = knn_graph(matrix, k)
    edges = Edges(words, np.ascontiguousarray(src), np.ascontiguousarray(dst), np.ascontiguousarray(w), False)
    return infomap_edges(edges, num_trials, seed, 0.15)
