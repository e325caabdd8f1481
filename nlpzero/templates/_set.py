"""A template set (:class:`Templates`): its templates best first, its code, files and coding."""
from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._limits import check
from .._validate import check_int
from ..errors import ParameterError, ParameterTypeError
from ..protocol import SegmenterSource
from . import _fileformat
from ._corpus import DEFAULT_MAX_LEN, Encoded, Source, boundary_mask, encode_corpus
from ._fit import _fit, _subset
from ._results import DescriptionLength, Parse, Template, _check_elements


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
        The options it was found with (window, min_pmi, min_proba, min_count, max_piece_len);
        ``min_proba`` is the value used, also when it was derived from the corpus.
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
        from .._io import atomic_write

        if format not in ("jsonl", "tsv"):
            raise ParameterError(f"`format` must be 'jsonl' or 'tsv', got {format!r}", "format", format)
        with atomic_write(path) as out:
            _fileformat.write_templates(self, out, format)

    @classmethod
    def load(cls, path: str | os.PathLike[str], *, encoding: str = "utf-8") -> Templates:
        """Read templates written by :meth:`save` (JSONL or TSV). A malformed line raises
        :class:`~nlpzero.errors.FormatError` naming the file and the line."""
        f = _fileformat.read_fields(path, encoding=encoding)
        ts = cls.from_elements(f["elements"], f["counts"])
        return cls(ts.words, ts.elems, ts.offsets, ts.counts, np.asarray(f["occurrences"], dtype=np.int64),
                   np.asarray(f["bits"], dtype=np.float64), f["pmi"], f["params"], None, f["code"])

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
        segmenter: SegmenterSource | None = None,
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
        enc = encode_corpus(corpus, segmenter, encoding, max_len)
        telems, toff = self._ids_in(enc)
        fit = _fit(enc, telems, toff, self.counts.astype(np.float64), prune=False, max_iter=max_iter)
        return fit.dl

    def _ids_in(self, enc: Encoded) -> tuple[np.ndarray, np.ndarray]:
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
            enc.boundary = np.concatenate((enc.boundary, boundary_mask(enc.words[len(enc.boundary):])))
        return np.ascontiguousarray(remap[self.elems]), self.offsets

    def top(self, n: int) -> Templates:
        """The ``n`` best templates (same code and parameters)."""
        n = min(check_int("n", n, minimum=0), len(self))
        e, o = _subset(self.elems, self.offsets, np.arange(n))
        return dataclasses.replace(self, elems=e, offsets=o, counts=self.counts[:n],
                                   occurrences=self.occurrences[:n], bits=self.bits[:n], pmi=self.pmi[:n])

    def parse(self, tokens: Sequence[str]) -> Parse:
        """Same as :func:`nlpzero.templates.parse` (``parse(tokens, self)``)."""
        from ._parse import parse

        return parse(tokens, self)



def _check_templates(templates: Any) -> Templates:
    if not isinstance(templates, Templates):
        raise ParameterTypeError(f"`templates` must be a Templates (from find_templates or Templates.load), "
                        f"got {type(templates).__name__}")
    return templates

