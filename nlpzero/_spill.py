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

    def __init__(self, source: Corpus):
        self.name = source.path or "<input>"
        self._dir = tempfile.mkdtemp(prefix="nlpzero-")
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._dir, True)
        path = os.path.join(self._dir, "corpus.txt")
        with open(path, "w", encoding="utf-8", errors="surrogatepass", newline="") as f:
            for text in source.texts():
                f.write(text)
        self.corpus = Corpus(path, encoding="utf-8", errors="replace", normalize=source.normalize)
        self.corpus.path = path

    def close(self) -> None:
        """Remove the temporary file now."""
        self._cleanup()


def spill_to_file(corpus: Corpus) -> Spill:
    """A re-readable temporary copy of ``corpus`` (see the module docstring)."""
    return Spill(corpus)
