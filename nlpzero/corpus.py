"""The text model: streaming, re-iterable corpora and text as integer arrays.

A :class:`Corpus` wraps a path, an open file, standard input (``"-"``) or an iterable of
strings, and can be read several times (discovery needs more than one pass) when the source
allows it. It hands text out in four shapes:

- :meth:`Corpus.lines` — the original lines, for segmentation output;
- :meth:`Corpus.texts` — decoded text in chunks of bounded size (chunk ends are arbitrary);
- :meth:`Corpus.codes` — the same chunks as ``uint32`` code-point arrays for the kernels;
- :meth:`Corpus.blocks` — the raw bytes of byte sources with their offsets, undecoded;
- :meth:`Corpus.line_chunks` — decoded chunks of whole lines (what discovery and batch jobs
  consume), and :meth:`Corpus.raw_line_chunks` the same undecoded, for worker processes that
  decode themselves (:mod:`nlpzero.batch`).

:class:`TokenCorpus` is the same for segmented text (one token list per sentence), which word
vectors count over. Every piece of text comes out of one decoding path (:meth:`Corpus.texts`, or
:meth:`Corpus.blocks` for raw bytes); no other module cuts or decodes corpus text. (The byte
reading, decoding and line chunking behind these methods is :mod:`nlpzero._reading`, which only
they call.)

Normalisation (full-width ASCII → ASCII, U+3000 → space) maps one character to one
character, so it is a *view* for statistics: kernels apply it on the fly and spans found on the
normalised text index the original text unchanged. Runs (maximal stretches of CJK ideographs,
ASCII letters and digits) are the units that n-grams, words and templates never cross.
"""
from __future__ import annotations

import codecs
import io
import os
import sys
from collections.abc import Iterable, Iterator
from typing import IO, Union

import numpy as np

from . import _limits as limits
from . import _reading
from ._validate import check_choice
from .errors import InputError, NotReiterableError, ParameterError, ParameterTypeError
from .protocol import SegmenterLike

__all__ = ["Corpus", "TokenCorpus", "as_corpus", "is_word_char", "normalize", "runs", "to_codes", "word_mask"]

Source = Union[str, "os.PathLike[str]", IO, Iterable[str], "Corpus"]

#: Bytes read per chunk. Small enough that a chunk's working arrays stay in cache.
DEFAULT_CHUNK_BYTES = 1 << 20


class Corpus:
    """A streaming text source that can be read more than once when its source allows.

    Parameters
    ----------
    source : str, os.PathLike, file object, iterable of str, or Corpus
        A path (``"-"`` is standard input), an open binary or text file, or an iterable of
        strings (each item is one line). A ``str`` is always a path: wrap in-memory text in a
        list, e.g. ``Corpus(["今天天气不错"])``.
    encoding : str, default "utf-8"
        Encoding of byte sources.
    errors : {"strict", "replace"}, default "strict"
        ``"strict"`` raises :class:`~nlpzero.errors.DecodeError` naming the file, byte offset and
        encoding; ``"replace"`` substitutes U+FFFD (a boundary character) for bad bytes.
    normalize : bool, default True
        Whether statistics see full-width ASCII as ASCII (see module docstring).
    chunk_bytes : int
        Size of the chunks read from byte sources.

    Raises
    ------
    nlpzero.errors.InputError
        The path does not exist, is a directory, or cannot be read.

    Examples
    --------
    >>> corpus = Corpus(["今天天气不错。", "ＡＢＣ很好"])
    >>> list(corpus.lines())
    ['今天天气不错。', 'ＡＢＣ很好']
    """

    def __init__(
        self,
        source: Source,
        *,
        encoding: str = "utf-8",
        errors: str = "strict",
        normalize: bool = True,
        chunk_bytes: int = DEFAULT_CHUNK_BYTES,
        decode_hint: str | None = None,
    ):
        if isinstance(source, Corpus):
            self.__dict__.update(source.__dict__)
            return
        #: what a DecodeError suggests (None: the encoding / errors options)
        self.decode_hint = decode_hint
        check_choice("errors", errors, ("strict", "replace"))
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ParameterError(f"unknown encoding {encoding!r}") from None
        self.encoding = encoding
        self.errors = errors
        self.normalize = bool(normalize)
        self.chunk_bytes = limits.check("chunk_bytes", chunk_bytes)
        self._source = source
        self._consumed = False
        self.path: str | None = None
        self.size: int | None = None
        if isinstance(source, (str, os.PathLike)):
            path = os.fspath(source)
            if path == "-":
                self.path = "<stdin>"
                self._kind = "stdin"
            else:
                self.path = path
                self._kind = "path"
                if not os.path.exists(path):
                    raise InputError(f"{path}: no such file", path)
                if os.path.isdir(path):
                    raise InputError(f"{path}: is a directory, not a file", path)
                if not os.access(path, os.R_OK):
                    raise InputError(f"{path}: permission denied", path)
                self.size = os.path.getsize(path)
        elif hasattr(source, "read"):
            self.path = getattr(source, "name", None)
            if not isinstance(self.path, str):
                self.path = "<file>"
            self._kind = "textfile" if isinstance(source, io.TextIOBase) else "binfile"
            self._start = source.tell() if _seekable(source) else None
        elif isinstance(source, (bytes, bytearray)):
            raise ParameterTypeError("Corpus takes a path, a file or an iterable of str, not bytes; decode first")
        else:
            try:
                iter(source)
            except TypeError:
                raise ParameterTypeError(
                    f"Corpus source must be a path, a file object or an iterable of str, got {type(source).__name__}"
                ) from None
            self._kind = "iterable"

    # -------------------------------------------------------------- properties
    @property
    def reiterable(self) -> bool:
        """True when the corpus can be read again (paths, seekable files, re-iterable iterables)."""
        if self._kind == "path":
            return True
        if self._kind == "stdin":
            return False
        if self._kind in ("textfile", "binfile"):
            return self._start is not None
        return iter(self._source) is not self._source

    def __repr__(self) -> str:
        where = self.path if self.path else type(self._source).__name__
        return f"Corpus({where!r}, encoding={self.encoding!r}, normalize={self.normalize})"

    # -------------------------------------------------------------- reading
    def _begin(self) -> None:
        if self._consumed and not self.reiterable:
            raise NotReiterableError(
                f"{self.path or 'the corpus'} can be read only once (a stream or iterator) and a "
                "second pass was needed; pass a file path or a list instead"
            )
        self._consumed = True

    def texts(self, progress=None) -> Iterator[str]:
        """Decoded text in chunks of about ``chunk_bytes`` (chunk ends fall anywhere).

        Parameters
        ----------
        progress : nlpzero._progress.Progress, optional
            Receives ``update(nbytes)`` as bytes are consumed.
        """
        self._begin()
        kind = self._kind
        if kind == "iterable":
            yield from self._iterable_texts(progress)
        elif kind == "textfile":
            f = self._source
            if self._start is not None:
                f.seek(self._start)
            first = True
            while True:
                text = f.read(self.chunk_bytes)
                if not text:
                    break
                if first and text.startswith("\ufeff"):
                    text = text[1:]         # a byte-order mark decoded by the file's own codec
                first = False
                if progress is not None:
                    progress.update(len(text))
                yield text
        else:
            yield from self._byte_texts(progress)

    def _iterable_texts(self, progress) -> Iterator[str]:
        parts, size = [], 0
        for item in self._source:
            if not isinstance(item, str):
                raise ParameterTypeError(f"corpus items must be str, got {type(item).__name__}: {item!r:.60}")
            parts.append(item)
            parts.append("\n")
            size += len(item) + 1
            if size >= self.chunk_bytes:
                if progress is not None:
                    progress.update(size)
                yield "".join(parts)
                parts, size = [], 0
        if parts:
            if progress is not None:
                progress.update(size)
            yield "".join(parts)

    @property
    def is_binary(self) -> bool:
        """True when the source is bytes (a path, standard input or a binary file), so that
        :meth:`blocks` can read it undecoded."""
        return self._kind in ("path", "stdin", "binfile")

    def blocks(self, progress=None) -> Iterator[tuple[int, bytes]]:
        """The raw bytes of a byte source, undecoded, in blocks of ``chunk_bytes``.

        Each item is ``(offset, block)``: the offset of the block's first byte, counted from
        where the corpus starts (the start of the file, or a file object's position when the
        corpus was made), so a decoding error found later can name its byte offset. Like
        :meth:`texts`, a NUL byte in the first 64 KB raises BinaryInputError (except for
        UTF-16/32) and a one-shot source can be read only once.

        Parameters
        ----------
        progress : nlpzero._progress.Progress, optional
            Receives ``update(nbytes)`` for every block.

        Raises
        ------
        TypeError
            The corpus is text already (an iterable of str or a text file): see :attr:`is_binary`.
        nlpzero.errors.BinaryInputError, NotReiterableError

        Examples
        --------
        >>> import io
        >>> source = io.BytesIO(("甲乙" * 5).encode())        # 30 bytes
        >>> [(offset, len(block)) for offset, block in Corpus(source, chunk_bytes=16).blocks()]
        [(0, 16), (16, 14)]
        """
        if not self.is_binary:
            raise ParameterTypeError(f"{self.path or 'this corpus'} holds text, not bytes: use texts() or lines()")
        self._begin()
        yield from self._blocks(progress)

    def _blocks(self, progress) -> Iterator[tuple[int, bytes]]:
        if self._kind == "path":
            f = open(self.path, "rb")  # noqa: SIM115 (closed in the finally below, like the other sources)
            close = True
        elif self._kind == "stdin":
            if sys.stdin is None:              # started with stdin closed (<&-)
                raise InputError("standard input is closed", "<stdin>")
            f, close = getattr(sys.stdin, "buffer", sys.stdin), False
        else:
            f, close = self._source, False
            if self._start is not None:
                f.seek(self._start)
        try:
            yield from _reading.read_blocks(f, self.chunk_bytes, self.encoding, self.path, progress)
        finally:
            if close:
                f.close()

    def _hint(self) -> str | None:
        return getattr(self, "decode_hint", None)

    def _byte_texts(self, progress) -> Iterator[str]:
        return _reading.decode_blocks(self._blocks(progress), self.encoding, self.errors, self.path, self._hint())

    def codes(self, progress=None) -> Iterator[np.ndarray]:
        """The chunks of :meth:`texts` as ``uint32`` code-point arrays (not normalised: kernels
        normalise on the fly when ``self.normalize``)."""
        if self.is_binary:      # straight from the bytes (the same chunks as texts())
            self._begin()
            yield from _reading.decode_codes(self._blocks(progress), self.encoding, self.errors, self.path,
                                             self._hint())
            return
        for text in self.texts(progress):
            yield to_codes(text, normalize=False)

    def lines(self, progress=None) -> Iterator[str]:
        """The original lines, without their terminators (lines end at ``\\n``; one ``\\r`` before
        it is dropped too). A final line without a terminator is yielded; an empty input yields
        nothing."""
        if self._kind == "iterable":
            self._begin()
            for item in self._source:
                if not isinstance(item, str):
                    raise ParameterTypeError(f"corpus items must be str, got {type(item).__name__}: {item!r:.60}")
                if progress is not None:
                    progress.update(len(item) + 1, 1)
                yield item.rstrip("\r\n")
            return
        yield from _reading.split_lines(self.texts(progress))

    __iter__ = lines

    # -------------------------------------------------------------- chunks of whole lines
    @property
    def cuts_bytes_at_newlines(self) -> bool:
        """True when :meth:`raw_line_chunks` can be used: the source is bytes and its encoding
        never has byte 0x0A inside a multi-byte character (UTF-8, GB18030, Big5, ...), so raw
        bytes can be cut at newlines and decoded elsewhere."""
        return self.is_binary and codecs.lookup(self.encoding).name in _reading.NEWLINE_SAFE

    def line_chunks(self, progress=None, *, first_chars: int | None = None,
                    max_chars: int | None = None, boundary=None) -> Iterator[str]:
        """The decoded text in chunks of whole lines: each chunk ends at a ``\\n`` (the last one
        may not), chunks follow the sizes of :meth:`texts`, so a line is never split.

        Parameters
        ----------
        progress : nlpzero._progress.Progress, optional
        first_chars : int, optional
            Cut the first chunk at the last newline before ``first_chars`` (when more than twice
            that was read), so a consumer can show its first result quickly.
        max_chars : int, optional
            With ``boundary``: once pending text without a newline reaches ``max_chars``, it is
            handed out up to and including character ``boundary(text)`` (a place where a cut is
            harmless; all of it when that is -1). Without these, a line is one chunk however long.
        boundary : callable str -> int, optional

        Examples
        --------
        >>> list(Corpus(["甲乙", "丙", "丁戊"], chunk_bytes=16).line_chunks())
        ['甲乙\\n丙\\n丁戊\\n']
        >>> list(Corpus(["甲乙", "丙", "丁戊"], chunk_bytes=16).line_chunks(first_chars=3))
        ['甲乙\\n', '丙\\n丁戊\\n']
        """
        return _reading.line_chunks(self.texts(progress), first_chars, max_chars, boundary)

    def raw_line_chunks(self, progress=None, *, first_chars: int | None = None,
                        max_chars: int | None = None,
                        boundary=None) -> Iterator[tuple[int, bytes] | str]:
        """Like :meth:`line_chunks`, but undecoded: ``(offset, bytes)`` pieces that end at a
        newline, for callers that decode elsewhere (worker processes). ``offset`` is the byte
        offset of the piece in the corpus, so a decoding error can name it. A line longer than
        ``max_chars`` bytes is decoded here and handed out as ``str`` pieces cut at
        ``boundary``. Needs :attr:`cuts_bytes_at_newlines`.

        Raises
        ------
        TypeError
            The corpus holds text, not bytes.
        nlpzero.errors.BinaryInputError, DecodeError, NotReiterableError

        Examples
        --------
        >>> source = io.BytesIO(("甲乙丙\\n" * 3).encode())          # 10 bytes a line
        >>> [(offset, len(raw)) for offset, raw in Corpus(source, chunk_bytes=16).raw_line_chunks()]
        [(0, 10), (10, 20)]
        """
        return _reading.raw_line_chunks(self.blocks(progress), self.encoding, self.errors, self.path, self._hint(),
                                        first_chars, max_chars, boundary)


class TokenCorpus:
    """A re-iterable corpus of token lists (sentences), for statistics over segmented text.

    Parameters
    ----------
    source : path, iterable of token lists or of str, or (with ``segmenter``) any Corpus source
        Without ``segmenter``: already segmented text. A path is a file with one sentence per
        line, tokens separated by whitespace (read through :class:`Corpus`, so undecodable
        bytes raise DecodeError with the byte offset; empty lines are skipped); an iterable
        yields token lists, or lines that are split on whitespace. With ``segmenter``: raw text
        (anything :class:`Corpus` reads), cut into tokens on the fly, line by line.
    encoding : str, default "utf-8"
        Encoding of a file.
    segmenter : SegmenterLike, optional
        A segmenter (:class:`~nlpzero.protocol.SegmenterLike`; only its ``cut_lines`` is used),
        e.g. a :class:`nlpzero.Segmenter`.

    Raises
    ------
    nlpzero.errors.InputError
        The path does not exist.
    nlpzero.errors.NotReiterableError
        On a second pass over a one-shot iterator.

    Examples
    --------
    >>> list(TokenCorpus(["我 喜欢 猫", ["你", "好"]]))
    [['我', '喜欢', '猫'], ['你', '好']]
    """

    def __init__(self, source, *, encoding: str = "utf-8", segmenter: SegmenterLike | None = None):
        self.path = None
        self.segmenter = segmenter
        self.passes = 0
        if segmenter is not None:
            self.raw = as_corpus(source, encoding=encoding)
            return
        if isinstance(source, (str, os.PathLike)):
            self.path = os.fspath(source)
            if not os.path.exists(self.path):
                raise InputError(f"{self.path}: no such file", self.path)
        elif isinstance(source, (bytes, bytearray)) or not isinstance(source, Iterable):
            raise ParameterTypeError(
                "`corpus` must be a path to a segmented file or an iterable of token lists, "
                f"got {type(source).__name__}"
            )
        self.source = source
        self.encoding = encoding

    def __iter__(self) -> Iterator[list[str]]:
        self.passes += 1
        if self.segmenter is not None:
            for tokens in self.segmenter.cut_lines(self.raw.lines()):
                if tokens:
                    yield tokens
            return
        if self.path is not None:
            for line in Corpus(self.path, encoding=self.encoding).lines():
                tokens = line.split()
                if tokens:
                    yield tokens
            return
        if self.passes > 1 and iter(self.source) is self.source:
            raise NotReiterableError(
                "word_vectors reads the corpus twice (vocabulary, then co-occurrences); pass a list, "
                "a re-iterable object or a file path instead of a one-shot iterator"
            )
        for sent in self.source:
            if isinstance(sent, str):
                yield sent.split()
            elif isinstance(sent, (list, tuple)):
                yield [str(t) for t in sent]
            else:
                raise ParameterTypeError(f"each sentence must be a list of tokens or a str, got {type(sent).__name__}")


def _seekable(f) -> bool:
    try:
        return bool(f.seekable())
    except (AttributeError, ValueError, OSError):
        return False


def as_corpus(source: Source, **kwargs) -> Corpus:
    """Return ``source`` if it is a :class:`Corpus`, else ``Corpus(source, **kwargs)``."""
    if isinstance(source, Corpus):
        return source
    return Corpus(source, **kwargs)


# ---------------------------------------------------------------------- arrays
def to_codes(text: str, *, normalize: bool = True) -> np.ndarray:
    """Code points of ``text`` as a writable ``uint32`` array (normalised if asked).

    >>> to_codes("Ａ中").tolist()
    [65, 20013]
    """
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()
    if normalize:
        from ._ngram import normalize_codes

        normalize_codes(codes)
    return codes


def normalize(text: str) -> str:
    """The normalised view of ``text`` (same length; full-width ASCII → ASCII, U+3000 → space).

    >>> normalize("ＡＢＣ　１２")
    'ABC 12'
    """
    return to_codes(text).tobytes().decode("utf-32-le", "surrogatepass")


def word_mask(codes: np.ndarray, *, normalize: bool = True) -> np.ndarray:
    """Boolean array: True where ``codes`` holds a word character (CJK ideograph, ASCII letter
    or digit; full-width ones too when ``normalize``)."""
    from ._ngram import word_mask as _mask

    return _mask(np.ascontiguousarray(codes, dtype=np.uint32), normalize).view(bool)


def is_word_char(ch: str, *, normalize: bool = True) -> bool:
    """Whether the single character ``ch`` is a word character."""
    return bool(word_mask(to_codes(ch, normalize=False), normalize=normalize)[0])


def runs(text_or_codes: str | np.ndarray, *, normalize: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets (``int64``) of the runs of word characters.

    >>> runs("今天，天气good!")
    (array([0, 3]), array([2, 9]))
    """
    codes = to_codes(text_or_codes, normalize=False) if isinstance(text_or_codes, str) else text_or_codes
    mask = word_mask(codes, normalize=normalize).astype(np.int8)
    edges = np.diff(np.concatenate(([0], mask, [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
