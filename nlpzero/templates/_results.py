"""The result types of the templates: one template, a description length, parse trees."""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from ..errors import ParameterError


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
        return template_dict(self.elements, self.count, self.occurrences, self.pmi, self.bits)


def template_dict(elements: Sequence[str | None], count: int, occurrences: int, pmi: Sequence[float],
                  bits: float) -> dict:
    """The JSON object of one template (:meth:`Template.to_dict`, a line of the JSONL file)."""
    return {
        "template": list(elements),
        "count": count,
        "occurrences": occurrences,
        "pmi": [round(p, 6) for p in pmi],
        "bits": round(bits, 3),
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

