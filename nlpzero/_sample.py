"""Learning on a bounded sample: what keeps learning within ``max_memory`` on any corpus.

nVBE's statistics cover every distinct string of up to ``max_word_len + 1`` symbols (about 95
bytes each), and the joint model about 64 bytes per character it refines, so the memory of
learning grows with the text learned from. A corpus with more characters than
:func:`nlpzero.unsupervised.learn_sample_chars` ``(max_memory)`` is therefore learned from an evenly spread,
deterministic sample of its lines (:func:`learning_sample`); the learned segmenter then
segments the whole input in a streaming pass. A corpus that fits is learned from whole,
exactly as without a budget.

The sample: line ``i`` (counted from 0 over the whole input) has the key
``(i · 0x9E3779B97F4A7C15) mod 2**64`` (Fibonacci hashing: the keys of consecutive lines are
spread like the golden-ratio sequence, so any key threshold keeps a share of the lines spread
evenly through the corpus, with no long gap); the sample is the lines whose key is below the
largest threshold that keeps at most ``learn_sample_chars(max_memory)`` characters, in corpus
order. It is taken in one pass with memory bounded by the cap (the threshold falls as the
input grows), so it also works on a stream read once. A line longer than 65,536 characters is
first cut into units of at most that length after a boundary character (n-grams never cross
those), so one huge line cannot overrun the cap.
"""
from __future__ import annotations

import heapq

import numpy as np

from .corpus import Corpus, to_codes, word_mask

__all__ = ["LearningSample", "learning_sample"]

#: longest sampling unit, in characters (longer lines are cut after a boundary character)
UNIT_CHARS = 1 << 16
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_FULL = 1 << 64


class LearningSample:
    """The sample a corpus larger than the cap was learned from.

    ``corpus``: the sampled text (in memory, one line per unit); ``whole``: the input, to be
    read again for segmentation; ``chars`` / ``units``: characters and units sampled;
    ``total_chars`` / ``total_units``: those of the whole input; ``share``: the key threshold
    over 2**64 (the fraction of units kept)."""

    def __init__(self, corpus: Corpus, whole: Corpus, chars: int, units: int, total_chars: int,
                 total_units: int, share: float):
        self.corpus, self.whole = corpus, whole
        self.chars, self.units = int(chars), int(units)
        self.total_chars, self.total_units = int(total_chars), int(total_units)
        self.share = float(share)

    def info(self) -> dict:
        """What a saved model records about the sample (for people)."""
        return {"sample_of_characters": self.total_chars, "sampled_characters": self.chars,
                "sampled_lines": self.units, "lines": self.total_units}


def _units(chunk: str, normalize: bool) -> list[str]:
    """The lines of a chunk of whole lines, each with its ``\\n``; lines longer than
    :data:`UNIT_CHARS` cut into units after their last boundary character (not a word character
    of the text model, :func:`nlpzero.corpus.word_mask`) within each window (a stretch of word
    characters longer than that is cut where it must)."""
    lines = chunk.split("\n")
    last = lines.pop()
    out = [line + "\n" for line in lines]
    if last:
        out.append(last)
    if len(chunk) <= UNIT_CHARS or max(map(len, out)) <= UNIT_CHARS:
        return out
    units = []
    for line in out:
        start = 0
        while len(line) - start > UNIT_CHARS:
            end = start + UNIT_CHARS
            window = word_mask(to_codes(line[start:end], normalize=False), normalize=normalize)
            boundaries = np.flatnonzero(~window)
            cut = start + int(boundaries[-1]) + 1 if boundaries.size else end
            units.append(line[start:cut])
            start = cut
        units.append(line[start:])
    return units


def learning_sample(corpus: Corpus, max_memory: int, max_word_len: int = 4, progress=False
                    ) -> tuple[Corpus, LearningSample | None]:
    """The corpus to learn from: ``(corpus, None)`` when it has at most ``cap`` =
    :func:`~nlpzero.unsupervised.learn_sample_chars` ``(max_memory, max_word_len)`` characters (a
    read-once corpus is then returned as its text, held in memory), else ``(sample corpus,
    LearningSample)`` (see the module docstring). Files of at most ``cap`` bytes are not read
    (a character takes at least one byte). ``progress``: as for :func:`nlpzero.count_ngrams`
    (a line "sampling lines" while reading).

    Raises
    ------
    nlpzero.errors.MemoryBudgetError
        The cap is too small for a sample of :data:`~nlpzero._passes.MIN_CHARACTERS`
        characters (the message names a budget that is large enough).
    """
    from .unsupervised import learn_sample_chars

    cap = learn_sample_chars(max_memory, max_word_len)
    if corpus.size is not None and corpus.size <= cap:
        return corpus, None
    threshold = _FULL                      # keys below it are kept
    heap: list[tuple[int, int, str]] = []  # (-key, unit index, unit): the largest key on top
    held_chars = total_chars = longest = 0
    base = 0
    from ._progress import make_progress

    meter = make_progress(progress, corpus.size, "sampling lines")
    for chunk in corpus.line_chunks(meter):
        total_chars += len(chunk)
        units = _units(chunk, corpus.normalize)
        n = len(units)
        keys = np.arange(base, base + n, dtype=np.uint64) * _GOLDEN
        if threshold == _FULL:
            sel = range(n)
        else:
            sel = np.flatnonzero(keys < np.uint64(threshold)).tolist()
        keys = keys.tolist()
        for j in sel:
            heapq.heappush(heap, (-keys[j], base + j, units[j]))
            held_chars += len(units[j])
        longest = max(longest, max(map(len, units), default=0))
        base += n
        while held_chars > cap:            # the largest key goes, and no key from it on is kept
            key, _, unit = heapq.heappop(heap)
            threshold = -key
            held_chars -= len(unit)
    meter.close()
    held = [unit for _, _, unit in sorted(heap, key=lambda h: h[1])]     # corpus order
    del heap
    if threshold == _FULL:
        if corpus.reiterable:
            return corpus, None
        kept = Corpus(_lines_of(held), normalize=corpus.normalize)
        kept.path = corpus.path
        return kept, None
    from ._passes import MIN_CHARACTERS

    if held_chars < MIN_CHARACTERS:
        from .errors import MemoryBudgetError

        # with cap >= MIN_CHARACTERS + the longest unit, the units taken in key order reach more
        # than cap - longest characters before one no longer fits
        need = -(-(MIN_CHARACTERS + longest) * max_memory // cap)
        need = -(-need // (1 << 20)) << 20                 # a whole number of MiB
        raise MemoryBudgetError(
            f"max_memory={max_memory} bytes lets learning read a sample of only "
            f"{held_chars} characters of {corpus.path or 'the corpus'} ({total_chars} characters, lines "
            f"of up to {longest}); raise max_memory to at least {need} (--max-memory {need >> 20}M)")
    sample = Corpus(_lines_of(held), normalize=corpus.normalize)
    sample.path = corpus.path
    if progress and not callable(progress):
        import sys

        print(f"learning from an evenly spread sample of {len(held)} of {base} lines ({held_chars} of "
              f"{total_chars} characters; the cap of max_memory={max_memory})", file=sys.stderr)
    return sample, LearningSample(sample, corpus, held_chars, len(held), total_chars, base,
                                  threshold / _FULL)


def _lines_of(units: list[str]) -> list[str]:
    """The units as the lines of an in-memory corpus (which ends each item with a newline)."""
    return [u[:-1] if u.endswith("\n") else u for u in units]


def cluster_passes(client, source, max_word_len: int, max_memory: int, progress, desc: str, *,
                   sample: bool = True, prune=None, encoding: str, errors: str, normalize: bool):
    """``(passes, sample)`` of discovery or learning for a job run on a Dask cluster
    (``client=``), with :class:`nlpzero._passes.Passes` of order ``max_word_len + 1``.

    With ``sample``, an input larger than the cap — a local one or an fsspec URL, read here
    once through fsspec — is sampled exactly as in one process (the same lines, so the same
    model) and the sample counted here without the cluster (``sample`` is then its
    :class:`LearningSample`); an input within the cap is counted on the cluster by
    :func:`nlpzero.distributed.passes_on` and ``sample`` is None. Without ``sample``, ``prune``
    (as for ``Passes``) is applied on the workers after the exact entropies, so this process
    holds only the n-grams kept, as in one process."""
    from ._passes import Passes
    from ._reading import is_url
    from .corpus import as_corpus
    from .distributed import passes_on, url_corpus

    learned_from = None
    if sample:
        url = is_url(source)
        if url:
            corpus = url_corpus(source, encoding, errors, normalize)
        else:
            corpus = as_corpus(source, encoding=encoding, errors=errors, normalize=normalize)
        sampled, learned_from = learning_sample(corpus, max_memory, max_word_len, progress)
        if not url or learned_from is not None:
            source = sampled
        else:                   # within the cap: the workers read the URL themselves
            corpus._source.close()
    if learned_from is not None:
        return Passes(source, max_word_len + 1, progress, desc, max_memory), learned_from
    return passes_on(client, source, max_word_len + 1, progress, desc, max_memory, encoding=encoding,
                     errors=errors, normalize=normalize, prune=prune), None

