"""Parsing with a template set: the minimum-description-length parse of each line, in batches,
with the code stored with the templates; one line, an iterable of lines, or a file on all cores."""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .. import _templates
from ..errors import ParameterError
from ..protocol import SegmenterLike, SegmenterSource
from ._corpus import DEFAULT_MAX_LEN, Encoded, Source, _piece_counts, _token_lines, encode
from ._fit import DEFAULT_WORD_BITS, _universal_len_bits
from ._results import Parse, ParseTree, Template
from ._set import Templates, _check_templates

_TOKENS_PER_BATCH = 1 << 20
_OTHER_WORD_BITS = 16.0     # any constant: it does not change which parse is best


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
        enc = encode(batch, self.max_len)
        ts = self.ts
        telems, toff = ts._ids_in(enc)
        word_bits, len_bits, t_bits, flat_bits = _parse_costs(ts, enc)
        res = _templates.parse_pieces(enc.ids, enc.pstart, enc.pend, telems, toff, word_bits, len_bits,
                                      t_bits, flat_bits, True, _piece_counts(enc))
        yield from _build_parses(ts, enc, res, len(batch))


def _parse_costs(ts: Templates, enc: Encoded):
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
            wb[j] = word_bits.get(w, DEFAULT_WORD_BITS)
    max_len = int((enc.pend - enc.pstart).max()) if len(enc.pstart) else 1
    lb = np.asarray(code["len_bits"], dtype=np.float64) if "len_bits" in code else _universal_len_bits(max_len)
    if len(lb) < max_len + 1:
        lb = np.concatenate((lb, _universal_len_bits(max_len)[len(lb):] + (lb[-1] if len(lb) > 1 else 0.0)))
    return (np.ascontiguousarray(wb, dtype=np.float64), np.ascontiguousarray(lb, dtype=np.float64),
            np.ascontiguousarray(t_bits, dtype=np.float64), flat_bits)


def _build_parses(ts: Templates, enc: Encoded, res: dict, n_lines: int) -> Iterator[Parse]:
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
    segmenter: SegmenterSource | None = None,
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

    def __init__(self, templates: Templates, segmenter: SegmenterLike | None):
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
    segmenter: SegmenterSource | None = None,
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
    from ..batch import map_lines

    ts = _check_templates(templates)
    seg = None
    if segmenter is not None:
        if isinstance(segmenter, str) and segmenter == "learn":
            raise ParameterError("parse_file needs a ready segmenter (learn one first with nlpzero.learn_segmenter)")
        from ..segment import as_segmenter

        seg = as_segmenter(segmenter)
    return map_lines(corpus, output, _ParseLines(ts, seg), jobs=jobs, encoding=encoding, errors=errors,
                     progress=progress, desc="parsing")
