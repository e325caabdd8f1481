"""Make a read-once corpus (standard input, a pipe, a generator) re-readable by copying it to a
temporary file: the jobs that need a second pass over their input (counting, then segmenting
with what the counts taught) then work on any input, at the cost of one copy on disk.

The file lives in a private temporary directory (``TMPDIR``), is written in UTF-8 whatever the
input's encoding (decoding errors surface while copying, naming the original input), and is
removed when the returned object is closed or garbage-collected.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import weakref

from .corpus import Corpus


class Spill:
    """A temporary UTF-8 copy of a corpus; ``corpus`` reads it, ``name`` is the original name."""

    def __init__(self, source: Corpus, head: list[str] | None = None, rest=None):
        self.name = source.path or "<input>"
        self._dir = tempfile.mkdtemp(prefix="nlpzero-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, True)
        path = os.path.join(self._dir, "corpus.txt")
        with open(path, "w", encoding="utf-8", errors="surrogatepass", newline="") as f:
            for text in head or ():
                f.write(text)
            for text in source.texts() if rest is None else rest:
                f.write(text)
        self.corpus = Corpus(path, encoding="utf-8", errors="replace", normalize=source.normalize)
        self.corpus.path = path

    def close(self) -> None:
        """Remove the temporary file now."""
        self._cleanup()


def spill_to_file(corpus: Corpus) -> Spill:
    """A re-readable temporary copy of ``corpus`` (see the module docstring)."""
    return Spill(corpus)


class _InMemory:
    """A read-once corpus small enough to keep: its text as a list (``close`` does nothing)."""

    def __init__(self, source: Corpus, texts: list[str]):
        self.name = source.path or "<input>"
        self.corpus = Corpus(["".join(texts)], normalize=source.normalize)
        self.corpus.path = source.path

    def close(self) -> None:
        pass


def rereadable(corpus: Corpus, keep_chars: int = 1 << 24) -> Spill | _InMemory:
    """A re-readable form of the read-once ``corpus``: kept in memory when it holds at most
    ``keep_chars`` characters, else copied to a temporary file (see the module docstring).
    ``.corpus`` reads it, ``.close()`` removes the copy."""
    texts: list[str] = []
    held = 0
    stream = corpus.texts()
    for text in stream:
        texts.append(text)
        held += len(text)
        if held > keep_chars:
            return Spill(corpus, texts, stream)
    return _InMemory(corpus, texts)
