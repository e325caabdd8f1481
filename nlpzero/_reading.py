"""How :class:`nlpzero.Corpus` reads a source (internal): raw bytes in blocks (with the checks for
binary and UTF-16/32 input), bytes decoded incrementally (a decoding error names its byte
offset), and text or bytes cut into chunks of whole lines.

These are the corpus's one decoding path and its only chunkers: every function takes the
streams a :class:`~nlpzero.Corpus` method opened and is called by that method only, so other
modules ask the corpus (:meth:`~nlpzero.Corpus.texts`, :meth:`~nlpzero.Corpus.line_chunks`,
:meth:`~nlpzero.Corpus.raw_line_chunks`...), never this module. The one exception is
:func:`decode_piece`, with which the worker processes of :mod:`nlpzero.batch` decode the raw
pieces that :meth:`~nlpzero.Corpus.raw_line_chunks` hands out.
"""
from __future__ import annotations

import codecs
import itertools
import os
from collections.abc import Callable, Iterable, Iterator
from typing import IO

from .errors import BinaryInputError, DecodeError

#: Bytes inspected for NUL bytes to tell a binary file from text.
SNIFF_BYTES = 1 << 16
_WIDE_ENCODINGS = ("utf-16", "utf-32")
#: Encodings in which byte 0x0A is always a newline (never inside a multi-byte character), so
#: raw bytes can be cut at newlines and decoded elsewhere (codec names as ``codecs.lookup`` gives).
NEWLINE_SAFE = {"utf-8", "ascii", "latin-1", "iso8859-1", "cp1252", "gb2312", "gbk", "gb18030",
                "big5", "big5hkscs", "cp950", "cp936", "euc_jp", "euc_kr", "shift_jis", "cp932"}

#: ``boundary(text)``: the index of the last character after which a cut is harmless, or -1.
Boundary = Callable[[str], int]


def _wide_text_guess(head: bytes) -> str | None:
    """"UTF-16" / "UTF-32" when the first bytes look like that (a byte-order mark, or NUL bytes
    in every other / every fourth position as ASCII or CJK text has in those encodings)."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    sample = head[:4096]
    if len(sample) >= 8:
        quarters = [sample[i::4].count(0) for i in range(4)]
        if max(quarters) and min(quarters[2:]) * 4 >= len(sample) * 0.9 and quarters[0] + quarters[1] == 0:
            return "UTF-32"
        halves = [sample[0::2].count(0), sample[1::2].count(0)]
        if max(halves) * 2 >= len(sample) * 0.3 and min(halves) * 2 <= len(sample) * 0.05:
            return "UTF-16"
    return None


def _is_wide(encoding: str) -> bool:
    return codecs.lookup(encoding).name.replace("_", "-").startswith(_WIDE_ENCODINGS)


def read_blocks(f: IO[bytes], chunk_bytes: int, encoding: str, path: str | None,
                progress=None) -> Iterator[tuple[int, bytes]]:
    """``(offset, block)`` pieces of the binary file ``f``, ``chunk_bytes`` at a time, offsets
    counted from where ``f`` is now; a UTF-8 byte-order mark is dropped, and a NUL byte in the
    first :data:`SNIFF_BYTES` raises :class:`~nlpzero.errors.BinaryInputError` (except for
    UTF-16/32, whose text has them)."""
    sniff = not _is_wide(encoding)
    utf8 = codecs.lookup(encoding).name == "utf-8"
    offset = 0          # bytes read before the current block
    while True:
        block = f.read(chunk_bytes)
        if not block:
            break
        if offset == 0 and utf8 and block.startswith(codecs.BOM_UTF8):
            # a byte-order mark is an encoding signature, not text
            block = block[len(codecs.BOM_UTF8):]
            offset = len(codecs.BOM_UTF8)
            if not block:
                continue
        if sniff and offset < SNIFF_BYTES:
            nul = block.find(b"\x00", 0, SNIFF_BYTES - offset)
            if nul >= 0:
                wide = _wide_text_guess(block) if offset == 0 else None
                if wide is not None:
                    raise BinaryInputError(
                        f"{path}: looks like {wide} text, not {encoding}; give its "
                        f"encoding (--encoding {wide.lower()}; API: encoding={wide.lower()!r})",
                        path,
                    )
                raise BinaryInputError(
                    f"{path}: looks like a binary file, not text (NUL byte at offset {offset + nul})",
                    path,
                )
        if progress is not None:
            progress.update(len(block))
        yield offset, block
        offset += len(block)


def decode_blocks(blocks: Iterable[tuple[int, bytes]], encoding: str, errors: str, path: str | None,
                  hint: str | None) -> Iterator[str]:
    """The text of ``(offset, block)`` pieces, decoded incrementally (a character may straddle
    two blocks). A decoding error raises :class:`~nlpzero.errors.DecodeError` with the byte
    offset of the bad bytes and ``hint`` (what to try; None: the encoding / errors options)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors)
    end = 0
    for offset, block in blocks:
        pending = len(decoder.getstate()[0])
        try:
            text = decoder.decode(block, False)
        except UnicodeDecodeError as exc:
            raise DecodeError(path, offset - pending + exc.start, encoding, exc.reason, hint) from None
        except UnicodeError as exc:     # e.g. "UTF-16 stream does not start with BOM"
            raise DecodeError(path, offset - pending, encoding, str(exc), hint) from None
        end = offset + len(block)
        if text:
            yield text
    pending = len(decoder.getstate()[0])
    try:
        text = decoder.decode(b"", True)
    except UnicodeDecodeError as exc:
        raise DecodeError(path, end - pending + exc.start, encoding, exc.reason, hint) from None
    except UnicodeError as exc:
        raise DecodeError(path, end - pending, encoding, str(exc), hint) from None
    if text:
        yield text


def is_url(source) -> bool:
    """True for an fsspec URL such as ``s3://bucket/corpus.txt`` given as a string (and not an
    existing local path): what the Dask reader opens through fsspec, and what is never sampled
    or opened here."""
    return isinstance(source, str) and "://" in source and not os.path.exists(source)


def decode_codes(blocks: Iterable[tuple[int, bytes]], encoding: str, errors: str, path: str | None,
                 hint: str | None) -> Iterator:
    """The code points (``uint32`` arrays) of the text :func:`decode_blocks` gives for the same
    blocks, chunk for chunk. Strict UTF-8 is decoded by a compiled kernel straight into code
    points (no ``str`` in between); at undecodable bytes, and for any other encoding or error
    handler, the text decoder runs, so its errors (and their byte offsets) are the same."""
    from .corpus import to_codes  # imported late: nlpzero.corpus imports this module

    def via_text(blocks):
        for text in decode_blocks(blocks, encoding, errors, path, hint):
            yield to_codes(text, normalize=False)

    if errors != "strict" or codecs.lookup(encoding).name != "utf-8":
        yield from via_text(blocks)
        return
    from ._ngram import utf8_codes

    blocks = iter(blocks)
    pending = b""           # an incomplete character at the end of the last block
    end = 0
    for offset, block in blocks:
        data = pending + block if pending else block
        codes, used, bad = utf8_codes(data, False)
        if bad:
            # the text decoder raises here, naming the byte offset and the reason
            rest = [(offset - len(pending) + used, data[used:])]
            yield from via_text(itertools.chain(rest, blocks))
            return
        pending = data[used:]
        end = offset + len(block)
        if codes.size:
            yield codes
    if pending:             # the input ends inside a character: the text decoder's error
        yield from via_text([(end - len(pending), pending)])


def decode_piece(piece: str | tuple[int, bytes], encoding: str,
                 errors: str) -> tuple[str | None, tuple[int, str] | None]:
    """A piece of :meth:`nlpzero.Corpus.raw_line_chunks` as text: ``(text, None)``, or for
    undecodable bytes ``(None, (byte offset in the corpus, reason))`` (a worker process sends
    that back; the parent raises the :class:`~nlpzero.errors.DecodeError`). A ``str`` piece
    (a long line decoded already) is returned as it is."""
    if isinstance(piece, str):
        return piece, None
    offset, raw = piece
    try:
        return raw.decode(encoding, errors), None
    except UnicodeDecodeError as exc:
        return None, (offset + exc.start, exc.reason)


def split_lines(texts: Iterable[str]) -> Iterator[str]:
    """The lines of text handed out in chunks (chunk ends anywhere), without their terminators
    (``\\n``, and one ``\\r`` before it). A final line without a terminator is yielded."""
    pending: list[str] = []        # pieces of a line that spans chunks (no quadratic re-joining)
    for text in texts:
        nl = text.find("\n")
        if nl < 0:
            pending.append(text)
            continue
        pending.append(text[:nl])
        pieces = text[nl + 1 :].split("\n")
        first = "".join(pending)
        pending = [pieces.pop()]
        yield first[:-1] if first.endswith("\r") else first
        for line in pieces:
            yield line[:-1] if line.endswith("\r") else line
    last = "".join(pending)
    if last:
        yield last[:-1] if last.endswith("\r") else last


def line_chunks(texts: Iterable[str], first_chars: int | None, max_chars: int | None,
                boundary: Boundary | None) -> Iterator[str]:
    """Text chunks re-cut to end at a newline (see :meth:`nlpzero.Corpus.line_chunks`)."""
    carry = ""
    first = first_chars is not None
    for text in texts:
        buf = carry + text if carry else text
        if first and len(buf) > 2 * first_chars:
            cut = buf.rfind("\n", 0, first_chars)
            if cut >= 0:
                yield buf[: cut + 1]
                buf = buf[cut + 1 :]
        first = False
        cut = buf.rfind("\n")
        if cut >= 0:
            yield buf[: cut + 1]
            carry = buf[cut + 1 :]
        elif max_chars is not None and boundary is not None and len(buf) >= max_chars:
            cut = boundary(buf)
            end = cut + 1 if cut >= 0 else len(buf)
            yield buf[:end]
            carry = buf[end:]
        else:
            carry = buf
    if carry:
        yield carry


def raw_line_chunks(blocks: Iterable[tuple[int, bytes]], encoding: str, errors: str, path: str | None,
                    hint: str | None, first_chars: int | None, max_chars: int | None,
                    boundary: Boundary | None) -> Iterator[tuple[int, bytes] | str]:
    """``(offset, bytes)`` blocks re-cut to end at a newline, a line longer than ``max_chars``
    bytes decoded and cut at ``boundary`` (see :meth:`nlpzero.Corpus.raw_line_chunks`)."""
    carry = b""
    offset = 0                     # corpus offset of carry[0]
    first = first_chars is not None
    for _, block in blocks:
        buf = carry + block if carry else block
        if first and len(buf) > 2 * first_chars:
            cut = buf.rfind(b"\n", 0, first_chars)
            if cut >= 0:
                yield offset, buf[: cut + 1]
                offset += cut + 1
                buf = buf[cut + 1 :]
        first = False
        cut = buf.rfind(b"\n")
        if cut >= 0:
            yield offset, buf[: cut + 1]
            offset += cut + 1
            carry = buf[cut + 1 :]
        elif max_chars is not None and boundary is not None and len(buf) >= max_chars:
            decoder = codecs.getincrementaldecoder(encoding)(errors)
            try:
                text = decoder.decode(buf, False)
            except UnicodeDecodeError as exc:
                raise DecodeError(path, offset + exc.start, encoding, exc.reason, hint) from None
            pending = decoder.getstate()[0]
            cut = boundary(text)
            end = cut + 1 if cut >= 0 else len(text)
            yield text[:end]
            carry = buf[len(buf) - len(pending) - len(text[end:].encode(encoding)) :] \
                if errors == "strict" else text[end:].encode(encoding) + pending
            offset += len(buf) - len(carry)
        else:
            carry = buf
    if carry:
        yield offset, carry
