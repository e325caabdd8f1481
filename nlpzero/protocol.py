"""What every nlpzero segmenter offers: the :class:`SegmenterLike` protocol.

nlpzero has two segmenters: the dictionary :class:`nlpzero.Segmenter` (``Segmenter("jieba")``,
``learn_segmenter(method="nvbe")``, ``load_model`` of a dictionary model) and the joint model's
perceptron :class:`nlpzero.joint.JointSegmenter` (``learn_segmenter(method="joint")``, the
default). Both have the methods below, with the same meaning, and every function that takes a
``segmenter=`` (:func:`nlpzero.segment_file`, :func:`nlpzero.word_vectors`,
:func:`nlpzero.find_templates`, ...) uses these only. So annotate with :class:`SegmenterLike`
where either may come (``learn_segmenter`` returns one), and any object of your own with these
methods can be passed as a ``segmenter=`` too: the protocol is structural (no base class to
inherit) and ``isinstance(obj, SegmenterLike)`` checks that the methods exist.
:func:`cut_lines_in_batches` is how both nlpzero segmenters implement ``cut_lines``, for
segmenters of one's own too.

Examples
--------
>>> from nlpzero import Segmenter, SegmenterLike, learn_segmenter
>>> def tokens(seg: SegmenterLike, text: str) -> list[str]:
...     return seg.lcut(text)
>>> tokens(Segmenter({"天气": 5, "不错": 3}), "天气不错")
['天气', '不错']
>>> isinstance(learn_segmenter(["天气不错"] * 20, method="joint"), SegmenterLike)
True
>>> isinstance({"天气": 5}, SegmenterLike)            # a dictionary, not a segmenter
False
"""
from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, Union, runtime_checkable

import numpy as np

if TYPE_CHECKING:
    from .lexicon import Lexicon

__all__ = ["SegmenterLike", "SegmenterSource", "cut_lines_in_batches"]


@runtime_checkable
class SegmenterLike(Protocol):
    """The methods every nlpzero segmenter has (see the module docstring).

    Tokens never contain whitespace, and the tokens of a line joined together are the line
    without its whitespace.

    Attributes
    ----------
    mode : str
        The text model (``"nlpzero"`` or ``"jieba"``; see :class:`nlpzero.Segmenter`).
    normalize : bool
        Whether text is matched on its normalised characters (full-width ASCII as ASCII).
    """

    mode: str
    normalize: bool

    def lcut(self, text: str) -> list[str]:
        """The tokens of ``text`` as a list (whitespace, newlines included, dropped)."""
        ...

    def cut(self, text: str) -> Iterator[str]:
        """The tokens of ``text``, as a generator."""
        ...

    def cut_lines(self, lines: Iterable[str]) -> Iterator[list[str]]:
        """One list of tokens per line, in order (lines are segmented in batches)."""
        ...

    def spans(self, text: str) -> np.ndarray:
        """Token spans: an integer array of shape (k, 2), ``text[a:b]`` for each row is a token."""
        ...

    def segment_bytes(self, text: str, delimiter: str = " ", mid_line: bool = False) -> tuple[bytes, bool]:
        """``text`` segmented as UTF-8 bytes, tokens joined by ``delimiter`` and lines by
        ``\\n``; also whether the output ends inside a line that has a token (``mid_line``: the
        output so far does). The batch path of :func:`nlpzero.segment_file`."""
        ...

    def last_boundary(self, text: str) -> int:
        """Index of the last character of ``text`` after which a cut changes no token, or -1;
        batch jobs cut huge lines there."""
        ...

    def load_userdict(self, source: Any, *, force: bool = False) -> None:
        """Add the words of a user dictionary (a segmenter without a dictionary refuses with
        :class:`~nlpzero.errors.ParameterTypeError`)."""
        ...

    def save(self, path: str | os.PathLike[str]) -> None:
        """Save as a model file that :func:`nlpzero.load_model` reads back."""
        ...


SegmenterSource = Union[SegmenterLike, Mapping[str, float], "Lexicon", str, "os.PathLike[str]"]
"""What a ``segmenter=`` parameter accepts: a segmenter, or a dictionary that
:class:`nlpzero.Segmenter` is built from (a mapping word → count, a :class:`~nlpzero.Lexicon`, a
dictionary file path, or ``"jieba"``)."""


def cut_lines_in_batches(lines: Iterable[str], lcut: Callable[[str], list[str]],
                         cut_batch: Callable[[list[str]], list[list[str]]],
                         batch_chars: int) -> Iterator[list[str]]:
    """One list of tokens per item of ``lines``, in order, lines cut a batch at a time.

    Lines are gathered until they hold about ``batch_chars`` characters and handed to
    ``cut_batch`` (which returns one token list per line it gets); a line that contains
    ``"\\n"`` (segmented as a whole, its newlines are whitespace) or is longer than
    ``batch_chars`` goes to ``lcut`` alone.

    Raises
    ------
    nlpzero.errors.ParameterTypeError
        ``lines`` is one str or bytes (its characters would be the lines), or an item is not a str.

    Examples
    --------
    >>> lcut = lambda line: line.split()
    >>> cut_batch = lambda batch: [line.split() for line in batch]
    >>> list(cut_lines_in_batches(["a b", "c\\nd", "e"], lcut, cut_batch, 1 << 20))
    [['a', 'b'], ['c', 'd'], ['e']]
    """
    from .errors import ParameterTypeError

    if isinstance(lines, (str, bytes)):
        raise ParameterTypeError(
            "`lines` must be an iterable of lines, not a single str (its characters would be "
            "the lines); use lcut(text) or cut_lines(text.splitlines())", "lines", lines)
    return _batches(lines, lcut, cut_batch, batch_chars)


def _batches(lines, lcut, cut_batch, batch_chars) -> Iterator[list[str]]:
    from .errors import ParameterTypeError

    batch: list[str] = []
    size = 0
    for line in lines:
        if not isinstance(line, str):
            raise ParameterTypeError(f"lines must be str, got {type(line).__name__}")
        if "\n" in line or len(line) > batch_chars:
            if batch:
                yield from cut_batch(batch)
                batch, size = [], 0
            yield lcut(line)
            continue
        batch.append(line)
        size += len(line) + 1
        if size >= batch_chars:
            yield from cut_batch(batch)
            batch, size = [], 0
    if batch:
        yield from cut_batch(batch)
