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

import codecs
import dataclasses
import itertools
import json
import math
import os
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import _templates
from ._limits import check
from ._validate import check_int
from .errors import CorpusTooSmallError, FormatError, InputError, ParameterError, ParameterTypeError

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
]

#: Pieces longer than this many tokens are cut into chunks of at most this many tokens.
DEFAULT_MAX_LEN = 128
#: Add-λ smoothing of the re-estimated P_w and P_len (keeps every word and length codable).
SMOOTHING = 0.01
_LOG2_3 = math.log2(3.0)
#: Each round drops this fraction of the templates that do not pay for themselves (the worst
#: first): dropping them all at once also drops near-duplicates that were each other's fallback.
PRUNE_FRACTION = 0.5
#: EM stops when a round lowers the total by less than this fraction of the baseline ...
TOLERANCE = 1e-4
#: ... or (when pruning) when it would drop fewer than this fraction of the templates.
MIN_DROP = 0.05
_TOKENS_PER_BATCH = 1 << 20
_OTHER_WORD_BITS = 16.0     # any constant: it does not change which parse is best
_DEFAULT_WORD_BITS = 12.0

Source = Any


# ---------------------------------------------------------------------------------- input


def _segmented_lines(corpus: Source, encoding: str) -> Iterator[Any]:
    """Token lists (or whitespace-separated str lines) of an already segmented corpus."""
    from .corpus import Corpus

    if isinstance(corpus, (str, os.PathLike)) or hasattr(corpus, "read") or isinstance(corpus, Corpus):
        src = corpus if isinstance(corpus, Corpus) else Corpus(corpus, encoding=encoding)
        return iter(src.lines())
    if isinstance(corpus, (bytes, bytearray)):
        raise ParameterTypeError("`corpus` must be a path, a file, or an iterable of token lists / lines, got bytes")
    try:
        return iter(corpus)
    except TypeError:
        raise ParameterTypeError(
            f"`corpus` must be a path, a file, or an iterable of token lists / lines, got {type(corpus).__name__}"
        ) from None


def _as_segmenter(corpus: Source, segmenter: Any):
    if segmenter is None:
        return None
    if isinstance(segmenter, str) and segmenter == "learn":
        from .unsupervised import learn_segmenter

        return learn_segmenter(corpus)
    from .segment import as_segmenter

    return as_segmenter(segmenter)


def _token_lines(corpus: Source, segmenter: Any, encoding: str) -> Iterator[Any]:
    """One token list (or str of space-separated tokens) per line of the corpus."""
    seg = _as_segmenter(corpus, segmenter)
    if seg is None:
        return _segmented_lines(corpus, encoding)
    from .corpus import as_corpus

    raw = as_corpus(corpus, encoding=encoding)
    return seg.cut_lines(raw.lines())


def _boundary_mask(words: Sequence[str]) -> np.ndarray:
    """uint8 per word: 1 when the word contains no word character (a piece boundary)."""
    from .corpus import to_codes, word_mask

    if not words:
        return np.zeros(0, dtype=np.uint8)
    lengths = np.fromiter((len(w) for w in words), dtype=np.int64, count=len(words))
    codes = to_codes("".join(words), normalize=False)
    mask = word_mask(codes, normalize=True).astype(np.int64)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    has_word = np.add.reduceat(mask, starts) > 0 if len(mask) else np.zeros(len(words), bool)
    return (~has_word).astype(np.uint8)


@dataclass
class _Encoded:
    """A corpus as word ids: ``ids`` (all tokens), ``line_off`` and the pieces."""

    words: list[str]
    index: dict[str, int]
    ids: np.ndarray
    line_off: np.ndarray
    boundary: np.ndarray
    pstart: np.ndarray
    pend: np.ndarray
    pline: np.ndarray

    @property
    def n_tokens(self) -> int:
        return int((self.pend - self.pstart).sum())


def _encode(lines: Iterable[Any], max_len: int, index: dict[str, int] | None = None) -> _Encoded:
    index = {} if index is None else index
    ids, line_off = _templates.encode_lines(lines, index)
    words = list(index)
    boundary = _boundary_mask(words)
    pstart, pend, pline = _templates.pieces(ids, line_off, boundary, max_len)
    return _Encoded(words, index, ids, line_off, boundary, pstart, pend, pline)


_FAST_MAX_BYTES = 512 << 20
_OTHER_SPACE = re.compile("[\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")


def _fast_bytes(corpus: Source, segmenter: Any, encoding: str) -> bytes | None:
    """The bytes of a segmented UTF-8 file that the compiled tokenizer reads exactly like
    ``str.split`` over :meth:`Corpus.lines` (else None: the general path reads it)."""
    if segmenter is not None or not isinstance(corpus, (str, os.PathLike)) or os.fspath(corpus) == "-":
        return None
    try:
        if codecs.lookup(encoding).name != "utf-8":
            return None
    except (LookupError, TypeError):
        return None
    try:
        if os.path.getsize(corpus) > _FAST_MAX_BYTES:
            return None
        with open(corpus, "rb") as f:
            data = f.read()
    except OSError:
        return None
    if b"\0" in data or data.startswith(codecs.BOM_UTF8):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None                     # the general path reports the byte offset
    if not text.isascii() and _OTHER_SPACE.search(text):
        return None
    return data


def _encode_corpus(corpus: Source, segmenter: Any, encoding: str, max_len: int) -> _Encoded:
    seg = _as_segmenter(corpus, segmenter) if segmenter is not None else None
    data = _fast_bytes(corpus, seg, encoding)
    if data is None:
        return _encode(_token_lines(corpus, seg, encoding), max_len)
    index: dict[str, int] = {}
    ids, line_off = _templates.encode_bytes(np.frombuffer(data, dtype=np.uint8), index)
    words = list(index)
    boundary = _boundary_mask(words)
    pstart, pend, pline = _templates.pieces(ids, line_off, boundary, max_len)
    return _Encoded(words, index, ids, line_off, boundary, pstart, pend, pline)


def _piece_counts(enc: _Encoded) -> np.ndarray:
    inside = enc.boundary[enc.ids] == 0 if len(enc.ids) else np.zeros(0, bool)
    return np.bincount(enc.ids[inside], minlength=len(enc.words)).astype(np.int64)


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Template:
    """One template: its elements (a word, or None for a placeholder X) and its statistics.

    Attributes
    ----------
    elements : tuple of (str or None)
        E.g. ``(None, "在", None, "中", None)`` for ``[X]在[X]中[X]``.
    count : int
        Blocks coded with this template in the minimum-length parse of the training corpus.
    occurrences : int
        Chains that spelled it (the candidate count, step 3 of the module docstring).
    pmi : tuple of float
        PMI (nats) of each pair of consecutive words of the template.
    bits : float
        Estimated saving in bits on the training corpus: the cost of the best other code of its
        blocks minus their chosen code, minus its model cost (positive: it pays for itself).
    """

    elements: tuple[str | None, ...]
    count: int
    occurrences: int
    pmi: tuple[float, ...]
    bits: float

    @property
    def words(self) -> tuple[str, ...]:
        """The template's words, without placeholders."""
        return tuple(w for w in self.elements if w is not None)

    def __str__(self) -> str:
        return "".join("[X]" if w is None else w for w in self.elements)

    def to_dict(self) -> dict:
        return {
            "template": list(self.elements),
            "count": self.count,
            "occurrences": self.occurrences,
            "pmi": [round(p, 6) for p in self.pmi],
            "bits": round(self.bits, 3),
        }


@dataclass(frozen=True)
class DescriptionLength:
    """The description length of a corpus under a template set (bits).

    Attributes
    ----------
    baseline_bits : float
        Every piece coded as its length and its words (maximum-likelihood unigrams).
    data_bits : float
        The corpus coded by the minimum-length parses under the re-estimated q, P_len, P_w.
    model_bits : float
        The templates used: log2 3 per element plus an end mark, −log2 P_w per word,
        ½ log2(blocks) per template.
    n_tokens, n_pieces, n_blocks : int
        Tokens and pieces coded; blocks in the parses.
    templates_used : int
        Templates used by at least one block.
    iterations : int
        Parse + re-estimation rounds run.
    """

    baseline_bits: float
    data_bits: float
    model_bits: float
    n_tokens: int
    n_pieces: int
    n_blocks: int
    templates_used: int
    iterations: int

    @property
    def total_bits(self) -> float:
        """data + model."""
        return self.data_bits + self.model_bits

    @property
    def saving(self) -> float:
        """(baseline − data − model) / baseline (0 for an empty corpus)."""
        return (self.baseline_bits - self.total_bits) / self.baseline_bits if self.baseline_bits else 0.0

    @property
    def saving_per_token(self) -> float:
        """Bits saved per token."""
        return (self.baseline_bits - self.total_bits) / self.n_tokens if self.n_tokens else 0.0

    def __str__(self) -> str:
        return (
            f"baseline {self.baseline_bits:,.0f} bits, data {self.data_bits:,.0f} + model "
            f"{self.model_bits:,.0f} = {self.total_bits:,.0f} bits: saving {100 * self.saving:.2f}% "
            f"({self.saving_per_token:.3f} bits/token; {self.templates_used:,} templates used, "
            f"{self.n_tokens:,} tokens in {self.n_pieces:,} pieces)"
        )


class ParseTree:
    """One block of a parse: a span of tokens coded FLAT or by a template.

    Attributes
    ----------
    tokens : tuple of str
        The tokens the block covers.
    template : Template or None
        None for a FLAT block.
    children : tuple of ParseTree
        One per placeholder X of the template, left to right (empty for FLAT).
    """

    __slots__ = ("children", "template", "tokens")

    def __init__(self, tokens: tuple[str, ...], template: Template | None, children: tuple[ParseTree, ...]):
        self.tokens = tokens
        self.template = template
        self.children = children

    @property
    def is_flat(self) -> bool:
        return self.template is None

    def _brackets(self, root: bool) -> str:
        if self.template is None:
            text = " ".join(self.tokens)
            return text if root else f"({text})"
        kids = iter(self.children)
        parts = [next(kids)._brackets(False) if w is None else w for w in self.template.elements]
        return "[" + " ".join(parts) + "]"

    def to_brackets(self) -> str:
        """The block as text: ``[...]`` a template block (its X filled by the children), ``(...)``
        a FLAT filler, a FLAT root as its bare tokens.

        >>> t = Template(("据", "新华社", None, "电"), 1, 1, (), 0.0)
        >>> ParseTree(("据", "新华社", "北京", "电"), t, (ParseTree(("北京",), None, ()),)).to_brackets()
        '[据 新华社 (北京) 电]'
        """
        return self._brackets(True)

    def __repr__(self) -> str:
        return f"ParseTree({self.to_brackets()!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParseTree):
            return NotImplemented
        same_t = (self.template is None) == (other.template is None) and (
            self.template is None or self.template.elements == other.template.elements
        )
        return same_t and self.tokens == other.tokens and self.children == other.children

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class Parse:
    """The parse of one line: its pieces' trees, with the boundary tokens between them.

    Attributes
    ----------
    items : tuple of (ParseTree or str)
        In line order: a ParseTree per piece, a str per boundary token (punctuation).
    """

    items: tuple[ParseTree | str, ...]

    @property
    def trees(self) -> tuple[ParseTree, ...]:
        """The pieces' trees, without the boundary tokens."""
        return tuple(x for x in self.items if isinstance(x, ParseTree))

    def to_brackets(self) -> str:
        """The line as text: every piece's :meth:`ParseTree.to_brackets`, boundary tokens between."""
        return " ".join(x.to_brackets() if isinstance(x, ParseTree) else x for x in self.items)


@dataclass(frozen=True, eq=False)
class Templates:
    """A template set, best first, with what is needed to parse and to code text with it.

    Iterating gives :class:`Template` objects best first (largest estimated saving first).

    Attributes
    ----------
    words : tuple of str
        The words the templates use; ``elems`` holds ids into it.
    elems : int32 ndarray
        All templates' elements concatenated (-1 = X); template i is
        ``elems[offsets[i]:offsets[i+1]]``.
    offsets : int64 ndarray, shape (n + 1,)
    counts, occurrences : int64 ndarray, shape (n,)
    bits : float64 ndarray, shape (n,)
    pmi : tuple of tuples of float
    params : dict
        The options it was found with (window, min_pmi, min_proba, min_count, max_piece_len).
    training : DescriptionLength or None
        Its description length on the training corpus (None when loaded from a file).
    code : dict or None
        The code the parses use (from the training corpus): ``blocks``, ``flat_bits``
        (−log2 q(FLAT)), ``len_bits`` (−log2 P_len, index = length) and ``word_bits``
        (−log2 P_w of each template word). Saved in the JSONL header line.
    """

    words: tuple[str, ...]
    elems: np.ndarray = field(repr=False)
    offsets: np.ndarray = field(repr=False)
    counts: np.ndarray = field(repr=False)
    occurrences: np.ndarray = field(repr=False)
    bits: np.ndarray = field(repr=False)
    pmi: tuple[tuple[float, ...], ...] = field(repr=False)
    params: dict[str, Any] = field(default_factory=dict)
    training: DescriptionLength | None = None
    code: dict[str, Any] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __repr__(self) -> str:
        extra = f", training saving {100 * self.training.saving:.2f}%" if self.training else ""
        return f"Templates({len(self):,} templates{extra})"

    def elements(self, i: int) -> tuple[str | None, ...]:
        """Elements of template ``i`` (None for X)."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        return tuple(None if e < 0 else self.words[e] for e in self.elems[lo:hi].tolist())

    def __getitem__(self, i: int) -> Template:
        i = check_int("i", i, minimum=-len(self), maximum=len(self) - 1) % max(len(self), 1)
        return Template(self.elements(i), int(self.counts[i]), int(self.occurrences[i]),
                        tuple(self.pmi[i]), float(self.bits[i]))

    def __iter__(self) -> Iterator[Template]:
        words = self.words
        elems = [None if e < 0 else words[e] for e in self.elems.tolist()]
        off = self.offsets.tolist()
        for i, (c, o, b) in enumerate(zip(self.counts.tolist(), self.occurrences.tolist(), self.bits.tolist())):
            yield Template(tuple(elems[off[i]:off[i + 1]]), c, o, tuple(self.pmi[i]), b)

    def to_list(self) -> list[dict]:
        """``[{"template": [...], "count": ..., "occurrences": ..., "pmi": [...], "bits": ...}, ...]``
        best first, ``None`` for each placeholder."""
        return [t.to_dict() for t in self]

    # ---------------------------------------------------------------- files
    def save(self, path: str | os.PathLike[str], *, format: str = "jsonl") -> None:
        """Write the templates, best first, atomically: ``jsonl`` (one object per line, readable by
        :meth:`load`) or ``tsv`` (for people: the template's elements separated by spaces, ``[X]`` for a placeholder;
        count, occurrences, min PMI, bits, word bits, after a ``# nlpzero_templates {...}`` header line).
        Both carry the code :func:`parse` uses, so either file parses new text identically."""
        from ._io import atomic_write

        if format not in ("jsonl", "tsv"):
            raise ParameterError(f"`format` must be 'jsonl' or 'tsv', got {format!r}", "format", format)
        with atomic_write(path) as out:
            write_templates(self, out, format)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Templates:
        """Read templates written by :meth:`save` (JSONL or TSV). A malformed line raises
        :class:`~nlpzero.errors.FormatError` naming the file and the line."""
        return read_templates(path, encoding=encoding)

    @classmethod
    def from_elements(cls, templates: Iterable[Sequence[str | None]],
                      counts: Sequence[int] | None = None) -> Templates:
        """A template set from element sequences (None = X), e.g. another tool's templates.

        Examples
        --------
        >>> ts = Templates.from_elements([["据", "新华社", None, "电"], [None, "在", None, "中", None]])
        >>> [str(t) for t in ts]
        ['据新华社[X]电', '[X]在[X]中[X]']
        """
        index: dict[str, int] = {}
        elems: list[int] = []
        offsets = [0]
        for k, t in enumerate(templates):
            _check_elements(t, f"template {k}")
            for w in t:
                elems.append(-1 if w is None else index.setdefault(w, len(index)))
            offsets.append(len(elems))
        n = len(offsets) - 1
        c = np.ones(n, dtype=np.int64) if counts is None else np.asarray(counts, dtype=np.int64)
        if len(c) != n:
            raise ParameterError(f"`counts` has {len(c)} entries for {n} templates", "counts", len(c))
        return cls(tuple(index), np.asarray(elems, dtype=np.int32), np.asarray(offsets, dtype=np.int64),
                   c, c.copy(), np.zeros(n), tuple(() for _ in range(n)))

    # ---------------------------------------------------------------- coding
    def description_length(
        self,
        corpus: Source,
        *,
        segmenter: Any = None,
        max_iter: int = 20,
        encoding: str = "utf-8",
    ) -> DescriptionLength:
        """Description length of ``corpus`` coded with these templates (no pruning).

        ``corpus`` and ``segmenter`` as for :func:`find_templates`. q, P_len and P_w are
        re-estimated on ``corpus`` by hard EM (at most ``max_iter`` rounds); the model cost
        counts the templates the parses use.

        >>> lines = [f"据 新华社 {c} 电" for c in "北京 上海 东京 纽约".split()] * 5 + ["我们 在 北京"] * 20
        >>> dl = Templates.from_elements([["据", "新华社", None, "电"]]).description_length(lines)
        >>> dl.templates_used, dl.saving > 0
        (1, True)
        """
        max_iter = check("max_iter", max_iter, key="em_rounds")
        max_len = int(self.params.get("max_piece_len", DEFAULT_MAX_LEN))
        enc = _encode_corpus(corpus, segmenter, encoding, max_len)
        telems, toff = self._ids_in(enc)
        fit = _fit(enc, telems, toff, self.counts.astype(np.float64), prune=False, max_iter=max_iter)
        return fit.dl

    def _ids_in(self, enc: _Encoded) -> tuple[np.ndarray, np.ndarray]:
        """The templates' elements as word ids of ``enc`` (words it lacks are added to it)."""
        remap = np.empty(len(self.words) + 1, dtype=np.int32)
        remap[-1] = -1
        grew = False
        for i, w in enumerate(self.words):
            j = enc.index.get(w)
            if j is None:
                j = enc.index[w] = len(enc.words)
                enc.words.append(w)
                grew = True
            remap[i] = j
        if grew:
            enc.boundary = np.concatenate((enc.boundary, _boundary_mask(enc.words[len(enc.boundary):])))
        return np.ascontiguousarray(remap[self.elems]), self.offsets

    def top(self, n: int) -> Templates:
        """The ``n`` best templates (same code and parameters)."""
        n = min(check_int("n", n, minimum=0), len(self))
        e, o = _subset(self.elems, self.offsets, np.arange(n))
        return dataclasses.replace(self, elems=e, offsets=o, counts=self.counts[:n],
                                   occurrences=self.occurrences[:n], bits=self.bits[:n], pmi=self.pmi[:n])

    def parse(self, tokens: Sequence[str]) -> Parse:
        """Same as :func:`parse` (``parse(tokens, self)``)."""
        return parse(tokens, self)


def _check_elements(t: Sequence[str | None], where: str) -> None:
    if isinstance(t, str) or not isinstance(t, (list, tuple)):
        raise ParameterError(f"{where}: a template is a list of words and None (placeholders), got {t!r:.60}")
    if not any(w is not None for w in t):
        raise ParameterError(f"{where}: a template needs at least one word")
    for a, b in itertools.pairwise(t):
        if a is None and b is None:
            raise ParameterError(f"{where}: two placeholders in a row")
    for w in t:
        if w is not None and (not isinstance(w, str) or not w or any(c.isspace() for c in w)):
            raise ParameterError(f"{where}: template words must be non-empty str without whitespace, got {w!r}")


# --------------------------------------------------------------------------- reading / writing


_HEADER_KEY = "nlpzero_templates"


_TSV_HEADER_PREFIX = "# nlpzero_templates "


def _header(ts: Templates) -> dict:
    """The header both formats carry: params, the code (what :func:`parse` needs) and training."""
    header: dict[str, Any] = {_HEADER_KEY: 1, "params": ts.params}
    if ts.code is not None:
        code = dict(ts.code)
        code["len_bits"] = [round(float(x), 4) for x in code["len_bits"]]
        code.pop("word_bits", None)
        header["code"] = code
    if ts.training is not None:
        header["training"] = dict(ts.training.__dict__)
    return header


def write_templates(ts: Templates, out, format: str = "jsonl") -> None:
    """Write ``ts`` best first to the text stream ``out`` (``jsonl`` or ``tsv``).

    Both formats carry the same information for :func:`parse`, so a set read back from either
    codes (parses) new text identically.

    JSONL: a first line ``{"nlpzero_templates": 1, "params": ..., "code": ...}`` (what
    :func:`parse` needs to code new text the way the training corpus was coded), then one
    object per template, best first, ``null`` for each placeholder, with ``word_bits``
    (−log2 P_w of each of its words).

    TSV: a first comment line ``# nlpzero_templates {...}`` holding the same header object as
    JSON, the column names, then one row per template: its elements separated by spaces
    (``[X]`` for a placeholder), count, occurrences, min PMI, bits, and ``word_bits`` (one number
    per word, separated by spaces).
    """
    header = _header(ts)
    wbits = (ts.code or {}).get("word_bits", {})

    def word_bits(t: Template) -> list[float]:
        return [round(float(wbits.get(w, _DEFAULT_WORD_BITS)), 4) for w in t.words]

    if format == "jsonl":
        out.write(json.dumps(header, ensure_ascii=False) + "\n")
        for t in ts:
            d = t.to_dict()
            if wbits:
                d["word_bits"] = word_bits(t)
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
        return
    out.write(_TSV_HEADER_PREFIX + json.dumps({k: v for k, v in header.items() if k != _HEADER_KEY},
                                              ensure_ascii=False) + "\n")
    out.write("template\tcount\toccurrences\tmin_pmi\tbits" + ("\tword_bits" if wbits else "") + "\n")
    for t in ts:
        m = f"{min(t.pmi):.3f}" if t.pmi else ""
        text = " ".join("[X]" if w is None else w for w in t.elements)
        row = f"{text}\t{t.count}\t{t.occurrences}\t{m}\t{t.bits:.1f}"
        if wbits:
            row += "\t" + " ".join(repr(x) for x in word_bits(t))
        out.write(row + "\n")


def _parse_tsv_template(text: str) -> list[str | None]:
    """A TSV template column: elements separated by spaces, ``[X]`` for a placeholder."""
    return [None if e == "[X]" else e for e in text.split()]


def read_templates(path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Templates:
    """Read a templates file (JSONL from ``--format jsonl`` / :meth:`Templates.save`, or TSV)."""
    from .corpus import Corpus

    name = os.fspath(path)
    if not os.path.exists(name):
        raise InputError(f"{name}: no such file", name)
    elements: list[list[str | None]] = []
    counts: list[int] = []
    occ: list[int] = []
    bits: list[float] = []
    pmis: list[tuple[float, ...]] = []
    wbits: dict[str, float] = {}
    header: dict[str, Any] = {}
    tsv = None
    for k, line in enumerate(Corpus(name, encoding=encoding).lines(), 1):
        line = line.strip()
        if not line:
            continue
        if tsv is None:
            tsv = not line.startswith("{")
        if tsv and not elements and line.startswith("template\t"):
            continue
        try:
            if tsv and not elements and not header and line.startswith(_TSV_HEADER_PREFIX):
                obj = json.loads(line[len(_TSV_HEADER_PREFIX):])
                if not isinstance(obj, dict):
                    raise ValueError("the header must be a JSON object")
                header = obj
                continue
            if tsv:
                cols = line.split("\t")
                if len(cols) < 2:
                    raise ValueError("expected columns template<TAB>count[<TAB>...]")
                t = _parse_tsv_template(cols[0])
                c = int(cols[1])
                o = int(cols[2]) if len(cols) > 2 and cols[2] else c
                b = float(cols[4]) if len(cols) > 4 and cols[4] else 0.0
                p: tuple[float, ...] = ()
                if len(cols) > 5 and cols[5]:
                    words = [w for w in t if w is not None]
                    wb = [float(x) for x in cols[5].split()]
                    if len(wb) != len(words):
                        raise ValueError("word_bits must list one number per word")
                    for w, x in zip(words, wb):
                        wbits[w] = x
            else:
                obj = json.loads(line)
                if isinstance(obj, dict) and _HEADER_KEY in obj and not elements and not header:
                    header = obj
                    continue
                if not isinstance(obj, dict) or "template" not in obj:
                    raise ValueError('expected a JSON object with a "template" list')
                t = obj["template"]
                c = int(obj.get("count", 1))
                o = int(obj.get("occurrences", c))
                b = float(obj.get("bits", 0.0))
                p = tuple(float(x) for x in obj.get("pmi", ()))
                wb = obj.get("word_bits")
                if wb is not None:
                    words = [w for w in t if w is not None] if isinstance(t, list) else []
                    if not isinstance(wb, list) or len(wb) != len(words):
                        raise ValueError('"word_bits" must list one number per word')
                    for w, x in zip(words, wb):
                        wbits[w] = float(x)
            _check_elements(t, "template")
            if c < 0:
                raise ValueError(f"count must be ≥ 0, got {c}")
        except (ValueError, TypeError, KeyError) as exc:
            raise FormatError(name, k, f"not a template line ({exc})") from None
        elements.append(list(t))
        counts.append(c)
        occ.append(o)
        bits.append(b)
        pmis.append(p)
    if not elements:
        raise FormatError(name, 1, "no templates in the file")
    ts = Templates.from_elements(elements, counts)
    code = header.get("code")
    if isinstance(code, dict):
        try:
            code = {"blocks": float(code["blocks"]), "flat_bits": float(code["flat_bits"]),
                    "len_bits": [float(x) for x in code["len_bits"]], "word_bits": wbits}
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(name, 1, f"malformed header code ({exc})") from None
    else:
        code = {"word_bits": wbits} if wbits else None
    params = header.get("params") if isinstance(header.get("params"), dict) else {}
    return Templates(ts.words, ts.elems, ts.offsets, ts.counts, np.asarray(occ, dtype=np.int64),
                     np.asarray(bits, dtype=np.float64), tuple(pmis), params, None, code)


# --------------------------------------------------------------------------- the model


@dataclass
class _Fit:
    keep: np.ndarray          # indices of the templates in the final set
    uses: np.ndarray
    loss: np.ndarray
    model: np.ndarray         # model bits per template (of the final set)
    dl: DescriptionLength
    code: dict[str, Any]      # blocks, flat_bits, len_bits, and word_bits as an array over ids


def _baseline_bits(enc: _Encoded) -> float:
    c = _piece_counts(enc)
    c = c[c > 0].astype(np.float64)
    lens = np.bincount(enc.pend - enc.pstart)[1:].astype(np.float64) if len(enc.pstart) else np.zeros(0)
    lens = lens[lens > 0]
    bits = 0.0
    if c.size:
        bits -= float((c * np.log2(c / c.sum())).sum())
    if lens.size:
        bits -= float((lens * np.log2(lens / lens.sum())).sum())
    return bits


def _xlog2(n: np.ndarray, p: np.ndarray) -> float:
    n = np.asarray(n, dtype=np.float64)
    m = n > 0
    return float(-(n[m] * np.log2(p[m])).sum())


def _fit(enc: _Encoded, telems: np.ndarray, toff: np.ndarray, init: np.ndarray, *,
         prune: bool, max_iter: int, progress=None) -> _Fit:
    """Hard EM over the minimum-length parses (and pruning): the template set of least total bits."""
    V = len(enc.words)
    T = len(toff) - 1
    n_pieces = len(enc.pstart)
    n_tokens = enc.n_tokens
    max_len = int((enc.pend - enc.pstart).max()) if n_pieces else 1
    lam = SMOOTHING
    baseline = _baseline_bits(enc)
    rank = _piece_counts(enc)
    wc = rank.astype(np.float64)
    lens = np.bincount(enc.pend - enc.pstart, minlength=max_len + 1).astype(np.float64)
    # initial code: the baseline's unigrams and lengths; q from the candidate counts
    word_bits = -np.log2((wc + lam) / (wc.sum() + lam * V)) if V else np.zeros(0)
    # first round's length code: half the pieces' lengths, half an Elias-gamma code (fillers of
    # templates are shorter than pieces; a length no piece has must not look prohibitive)
    len_bits = np.full(max_len + 1, np.inf)
    p_ml = (lens[1:] + lam) / (lens[1:].sum() + lam * max_len)
    len_bits[1:] = -np.log2(0.5 * p_ml + 0.5 * np.exp2(-_universal_len_bits(max_len)[1:]))
    init = np.asarray(init, dtype=np.float64)
    z = n_pieces + init.sum()
    active = np.arange(T)
    t_q = init / z if z else init
    flat_bits = -math.log2(n_pieces / z) if n_pieces else 0.0
    best = None
    prev_total = math.inf
    it = 0
    n_el = np.diff(toff).astype(np.float64)
    # every round parses the same pieces with the same template numbering (dropped templates
    # cost infinitely many bits), so each piece's relevant templates are looked up once
    cache = _templates.RelCache()
    telems = np.ascontiguousarray(telems, dtype=np.int32)
    toff = np.ascontiguousarray(toff, dtype=np.int64)
    for it in range(1, max_iter + 1):
        sub_elems, sub_off = _subset(telems, toff, active)
        t_bits = np.full(T, np.inf)
        with np.errstate(divide="ignore"):
            t_bits[active] = -np.log2(t_q[active])
        res = _templates.parse_pieces(enc.ids, enc.pstart, enc.pend, telems, toff,
                                      np.ascontiguousarray(word_bits), np.ascontiguousarray(len_bits),
                                      t_bits, float(flat_bits), False, rank, cache)
        uses, loss = res["uses"][active], res["loss"][active]
        contested_uses = res["contested"][active]
        blocks = int(res["blocks"])
        n_flat = blocks - int(res["uses"].sum())
        # re-estimate (hard EM) and code the current parses with the new parameters
        fw = res["flat_words"].astype(np.float64)
        fl = res["flat_len"][: max_len + 1].astype(np.float64)
        pw = (fw + lam) / (fw.sum() + lam * V)
        pl = np.ones(max_len + 1)
        pl[1:] = (fl[1:] + lam) / (fl[1:].sum() + lam * max_len)
        q = uses / blocks
        qf = n_flat / blocks
        data = _xlog2(uses, q) + (-n_flat * math.log2(qf) if n_flat else 0.0) + _xlog2(fw, pw) + _xlog2(fl[1:], pl[1:])
        used = uses > 0
        wb = -np.log2(pw)
        sub_words = np.where(sub_elems >= 0, wb[np.maximum(sub_elems, 0)], 0.0)
        word_cost = np.add.reduceat(sub_words, sub_off[:-1]) if len(active) else np.zeros(0)
        model_t = (n_el[active] + 1) * _LOG2_3 + word_cost + 0.5 * math.log2(max(blocks, 2))
        model = float(model_t[used].sum())
        total = data + model
        if progress:
            progress(f"round {it}: {int(used.sum()):,} templates used, {total:,.0f} bits "
                     f"(baseline {baseline:,.0f})")
        if best is None or total < best[0] - 1e-9:
            dl = DescriptionLength(baseline, data, model, n_tokens, n_pieces, blocks, int(used.sum()), it)
            code = {"blocks": blocks, "flat_bits": -math.log2(qf) if qf > 0 else 0.0,
                    "len_bits": (-np.log2(pl)).tolist(), "word_bits": wb}
            best = (total, _Fit(active[used], uses[used], loss[used], model_t[used], dl, code))
        keep = used.copy()
        if prune:
            fail = used & (loss <= model_t)
            # a failing template whose blocks fall back to FLAT goes now; one whose blocks fall
            # back to another template may be that template's fallback too: drop only the worse
            # half of those per round
            contested = fail & (contested_uses > 0)
            if PRUNE_FRACTION < 1.0 and contested.sum() > 10:
                g = (loss - model_t)[contested]
                cut = np.quantile(g, PRUNE_FRACTION)
                fail &= ~contested | ((loss - model_t) <= cut)
            keep &= ~fail
        # the next round's code
        q_all = np.zeros(T)
        q_all[active] = q
        t_q = q_all
        word_bits = wb
        len_bits = np.full(max_len + 1, np.inf)
        len_bits[1:] = -np.log2(pl[1:])
        flat_bits = -math.log2(qf) if qf > 0 else 0.0
        stalled = total > prev_total - TOLERANCE * baseline
        prev_total = min(prev_total, total)
        if stalled and (it > 1 or not prune):
            break
        if prune and it > 1 and len(active) - keep.sum() < MIN_DROP * len(active):
            break       # the few templates left to drop cannot buy much: stop here
        active = active[keep]
    best[1].dl = dataclasses.replace(best[1].dl, iterations=it)
    return best[1]


def _subset(telems: np.ndarray, toff: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    lens = toff[idx + 1] - toff[idx]
    off = np.zeros(len(idx) + 1, dtype=np.int64)
    np.cumsum(lens, out=off[1:])
    if len(idx) == 0:
        return np.zeros(0, dtype=np.int32), off
    take = np.repeat(toff[idx] - off[:-1], lens) + np.arange(off[-1])
    return np.ascontiguousarray(telems[take], dtype=np.int32), off


# --------------------------------------------------------------------------- public functions


def find_templates(
    corpus: Source,
    *,
    segmenter: Any = None,
    window: int = 5,
    min_pmi: float = 2.0,
    min_proba: float = 3e-6,
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
    segmenter : None, ``"learn"``, Segmenter, or anything :class:`nlpzero.Segmenter` accepts
        How raw text becomes tokens: ``"learn"`` learns an unsupervised segmenter from the corpus
        itself (:func:`nlpzero.learn_segmenter`), ``"jieba"`` uses jieba's dictionary, a mapping
        or lexicon path a dictionary segmenter.
    window : int, default 5
        Largest distance of a linked pair.
    min_pmi : float, default 2.0
        A pair links when its PMI (nats) exceeds this ...
    min_proba : float, default 3e-6
        ... and its probability c(u,v)/N2 exceeds this. (nlp-zero's default is 1e-5; on the PKU
        corpus 3e-6 gives more links and templates that save more bits, see docs/templates.md.)
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
    [('据新华社[X]电', 24)]
    >>> round(100 * ts.training.saving, 1)
    21.9
    """
    window = check("window", window)
    min_pmi = check("min_pmi", min_pmi)
    min_proba = check("min_proba", min_proba)
    max_piece_len = check("max_piece_len", max_piece_len)
    min_count = check("min_count", min_count)
    max_iter = check("max_iter", max_iter, key="em_rounds")
    enc = _encode_corpus(corpus, segmenter, encoding, max_piece_len)
    N = enc.n_tokens
    if segmenter is None:
        _warn_if_unsegmented(enc)
    if N == 0:
        raise CorpusTooSmallError("the corpus has no tokens with word characters: nothing to find templates in")
    wc = _piece_counts(enc)
    # 1-2. links
    active = ((wc * window) > min_proba * max(N * window, 1)).astype(np.uint8)
    keys, pair_counts, n2 = _templates.count_pairs(enc.ids, enc.pstart, enc.pend, window, active)
    V = len(enc.words)
    pmi = np.zeros(0)
    kept = np.zeros(0, dtype=np.int64)
    if n2 > 0 and len(keys):
        u, v = keys // V, keys % V
        logp = np.log(pair_counts / n2)
        pmi = logp - np.log(wc[u] / N) - np.log(wc[v] / N)
        sel = (pair_counts / n2 > min_proba) & (pmi > min_pmi)
        kept = np.ascontiguousarray(keys[sel])
    if not len(kept):
        raise CorpusTooSmallError(
            f"no pair of words co-occurs often enough to link ({N:,} tokens; P > {min_proba:g}, "
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
    fit = _fit(enc, elems, toff, occ.astype(np.float64), prune=prune, max_iter=max_iter, progress=progress)
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


def _warn_if_unsegmented(enc: _Encoded) -> None:
    """Warn when most non-empty lines are a single long token: raw text passed as segmented."""
    n_tok = np.diff(enc.line_off)
    nonempty = n_tok > 0
    if nonempty.sum() < 10:
        return
    single = (n_tok == 1) & nonempty
    if single.sum() > 0.5 * nonempty.sum():
        lens = [len(enc.words[enc.ids[i]]) for i in enc.line_off[:-1][single][:1000].tolist()]
        if np.mean(lens) > 6:
            warnings.warn(
                f"{int(single.sum()):,} of {int(nonempty.sum()):,} lines are a single token "
                f"(about {np.mean(lens):.0f} characters long): is the corpus raw text? Pass a "
                "segmenter (CLI: drop --segmented) to segment it first", UserWarning, stacklevel=3)


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


def _check_templates(templates: Any) -> Templates:
    if not isinstance(templates, Templates):
        raise ParameterTypeError(f"`templates` must be a Templates (from find_templates or Templates.load), "
                        f"got {type(templates).__name__}")
    return templates


class _Coder:
    """Parses lines with a template set's stored code (fixed: a line's parse does not depend on
    the other lines of its batch)."""

    def __init__(self, templates: Templates):
        self.ts = templates
        self.max_len = int(templates.params.get("max_piece_len", DEFAULT_MAX_LEN))

    def parse_lines(self, lines: Iterable[Any]) -> Iterator[Parse]:
        batch: list[Any] = []
        size = 0
        for line in lines:
            if isinstance(line, str):
                line = line.split()
            elif not isinstance(line, list):
                line = list(line)
            batch.append(line)
            size += len(line) + 1
            if size >= _TOKENS_PER_BATCH:
                yield from self._batch(batch)
                batch, size = [], 0
        if batch:
            yield from self._batch(batch)

    def _batch(self, batch: list[list[str]]) -> Iterator[Parse]:
        enc = _encode(batch, self.max_len)
        ts = self.ts
        telems, toff = ts._ids_in(enc)
        word_bits, len_bits, t_bits, flat_bits = _parse_costs(ts, enc)
        res = _templates.parse_pieces(enc.ids, enc.pstart, enc.pend, telems, toff, word_bits, len_bits,
                                      t_bits, flat_bits, True, _piece_counts(enc))
        yield from _build_parses(ts, enc, res, len(batch))


def _universal_len_bits(n: int) -> np.ndarray:
    """Elias-gamma code lengths 2·floor(log2 l) + 1 for l = 1..n (index 0 unused)."""
    lb = np.zeros(n + 1)
    lb[1:] = 2 * np.floor(np.log2(np.arange(1, n + 1))) + 1
    return lb


def _parse_costs(ts: Templates, enc: _Encoded):
    """Costs for parsing with ``ts``: its stored code (from the training corpus: q(t) = count /
    blocks, q(FLAT), P_len and −log2 P_w of the template words). Only the template words' costs
    can change which parse is best (every other token is coded FLAT in every parse), so other
    words get a constant. Without a stored code (a hand-made set): blocks = 2 × Σ counts,
    q(FLAT) = ½, an Elias-gamma length code, 12 bits per template word."""
    V = len(enc.words)
    counts = ts.counts.astype(np.float64)
    code = ts.code or {}
    blocks = float(code.get("blocks") or max(2.0 * counts.sum(), 1.0))
    with np.errstate(divide="ignore"):
        t_bits = np.where(counts > 0, -np.log2(np.maximum(counts, 1e-300) / blocks), np.inf)
    flat_bits = float(code.get("flat_bits", 1.0))
    wb = np.full(V, _OTHER_WORD_BITS)
    word_bits = code.get("word_bits", {})
    for w in ts.words:
        j = enc.index.get(w)
        if j is not None:
            wb[j] = word_bits.get(w, _DEFAULT_WORD_BITS)
    max_len = int((enc.pend - enc.pstart).max()) if len(enc.pstart) else 1
    lb = np.asarray(code["len_bits"], dtype=np.float64) if "len_bits" in code else _universal_len_bits(max_len)
    if len(lb) < max_len + 1:
        lb = np.concatenate((lb, _universal_len_bits(max_len)[len(lb):] + (lb[-1] if len(lb) > 1 else 0.0)))
    return (np.ascontiguousarray(wb, dtype=np.float64), np.ascontiguousarray(lb, dtype=np.float64),
            np.ascontiguousarray(t_bits, dtype=np.float64), flat_bits)


def _build_parses(ts: Templates, enc: _Encoded, res: dict, n_lines: int) -> Iterator[Parse]:
    words = enc.words
    ids = enc.ids.tolist()
    bstart, bend = res["block_start"].tolist(), res["block_end"].tolist()
    btpl, bpar = res["block_tpl"].tolist(), res["block_parent"].tolist()
    pblock = res["piece_block"].tolist()
    pstart, pend, pline = enc.pstart.tolist(), enc.pend.tolist(), enc.pline.tolist()
    line_off = enc.line_off.tolist()
    tcache: dict[int, Template] = {}

    def template(t: int) -> Template:
        x = tcache.get(t)
        if x is None:
            x = tcache[t] = ts[t]
        return x

    p = 0
    n_p = len(pstart)
    for li in range(n_lines):
        items: list[ParseTree | str] = []
        pos = line_off[li]
        end = line_off[li + 1]
        while p < n_p and pline[p] == li:
            for i in range(pos, pstart[p]):
                items.append(words[ids[i]])
            lo, hi = pblock[p], pblock[p + 1]
            nodes: list[ParseTree] = [None] * (hi - lo)  # type: ignore[list-item]
            kids: list[list[ParseTree]] = [[] for _ in range(hi - lo)]
            # preorder: children come after their parent; build bottom-up
            for k in range(hi - 1, lo - 1, -1):
                t = btpl[k]
                toks = tuple(words[ids[i]] for i in range(bstart[k], bend[k]))
                node = ParseTree(toks, None if t < 0 else template(t), tuple(reversed(kids[k - lo])))
                nodes[k - lo] = node
                if bpar[k] >= 0:
                    kids[bpar[k] - lo].append(node)
            items.append(nodes[0])
            pos = pend[p]
            p += 1
        for i in range(pos, end):
            items.append(words[ids[i]])
        yield Parse(tuple(items))


def parse(tokens: Sequence[str], templates: Templates) -> Parse:
    """The minimum-description-length parse of one segmented line.

    Parameters
    ----------
    tokens : sequence of str, or a str of space-separated tokens
    templates : Templates

    Returns
    -------
    Parse
        One :class:`ParseTree` per piece, boundary tokens between them.

    Examples
    --------
    >>> ts = Templates.from_elements([["据", "新华社", None, "电"]], counts=[50])
    >>> parse("据 新华社 北京 电 ， 我们 走 了".split(), ts).to_brackets()
    '[据 新华社 (北京) 电] ， 我们 走 了'
    """
    ts = _check_templates(templates)
    if isinstance(tokens, str):
        tokens = tokens.split()
    return next(_Coder(ts).parse_lines([list(tokens)]))


def parse_many(
    corpus: Source,
    templates: Templates,
    *,
    segmenter: Any = None,
    encoding: str = "utf-8",
) -> Iterator[Parse]:
    """Parse every line of a corpus, in order, streaming (batches of about 1M tokens).

    ``corpus`` and ``segmenter`` as for :func:`find_templates`; one :class:`Parse` per line.

    Examples
    --------
    >>> ts = Templates.from_elements([["据", "新华社", None, "电"]], counts=[50])
    >>> [p.to_brackets() for p in parse_many(["据 新华社 东京 电", "好"], ts)]
    ['[据 新华社 (东京) 电]', '好']
    """
    ts = _check_templates(templates)
    return _Coder(ts).parse_lines(_token_lines(corpus, segmenter, encoding))


class _ParseLines:
    """The job of :func:`parse_file`: a chunk of lines -> their bracketed parses (picklable)."""

    def __init__(self, templates: Templates, segmenter: Any):
        self.templates = templates
        self.segmenter = segmenter

    def __call__(self, text: str) -> bytes:
        lines = text.split("\n")
        last = lines.pop()                      # "" when the chunk ends with a newline
        if last:
            lines.append(last)
        if self.segmenter is not None:
            token_lines: Iterable[Any] = self.segmenter.cut_lines(lines)
        else:
            token_lines = (line.split() for line in lines)
        out = "\n".join(p.to_brackets() for p in _Coder(self.templates).parse_lines(token_lines))
        if lines and not last:
            out += "\n"
        return out.encode("utf-8")


def parse_file(
    corpus: Source,
    output: Any,
    templates: Templates,
    *,
    segmenter: Any = None,
    jobs: int | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
    progress: Any = False,
):
    """Parse a file of any size line by line into another, on all cores, in input order.

    Each output line is :meth:`Parse.to_brackets` of the input line. Runs on
    :func:`nlpzero.batch.map_lines` (bounded memory, atomic output, inputs under 8 MB in this
    process). ``segmenter`` as for :func:`find_templates` (a Segmenter or a dictionary; None:
    the input is already segmented).

    Returns
    -------
    nlpzero.batch.BatchResult

    Examples
    --------
    >>> import io
    >>> ts = Templates.from_elements([["据", "新华社", None, "电"]], counts=[50])
    >>> out = io.BytesIO()
    >>> parse_file(["据 新华社 东京 电", "好 的"], out, ts).lines
    2
    >>> out.getvalue().decode()
    '[据 新华社 (东京) 电]\\n好 的\\n'
    """
    from .batch import map_lines

    ts = _check_templates(templates)
    seg = None
    if segmenter is not None:
        if isinstance(segmenter, str) and segmenter == "learn":
            raise ParameterError("parse_file needs a ready segmenter (learn one first with nlpzero.learn_segmenter)")
        from .segment import as_segmenter

        seg = as_segmenter(segmenter)
    return map_lines(corpus, output, _ParseLines(ts, seg), jobs=jobs, encoding=encoding, errors=errors,
                     progress=progress, desc="parsing")
