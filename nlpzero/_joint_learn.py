"""The glue between nVBE and the joint model: nVBE's segmentation of the training corpus (or of
an evenly spread sample of its runs) as the arrays :mod:`nlpzero.joint` reads, and the joint
model's output back as tokens, spans or UTF-8 text (:func:`joint_output`) or a
:class:`~nlpzero.joint.JointSegmenter`.

Used by :mod:`nlpzero.unsupervised` (``method="joint"``); the sample cap is
:func:`nlpzero.joint.joint_sample_chars`. Its public-named functions are also a documented test
seam (as :mod:`nlpzero._passes` is): :func:`joint_inputs` takes the ``(passes, model)`` pair of
:func:`nlpzero._passes.learn_model`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import _discover
from ._passes import Passes
from ._text import as_codes
from .joint import joint_sample_chars
from .ngrams import DEFAULT_MAX_MEMORY

if TYPE_CHECKING:  # pragma: no cover
    from .joint import JointSegmenter


class _JointInputs:
    """The training text as the joint model sees it: run symbols, run offsets, nVBE's word
    starts, and (per chunk, when the whole corpus is used) where each run symbol sits in the
    text. ``sampled``: the runs are a sample of the corpus (see :func:`joint_sample_chars`)."""

    def __init__(self, sym, off, starts, chunk_starts, chars, total):
        self.sym, self.off, self.starts = sym, off, starts
        self.chunk_starts = chunk_starts          # per chunk: text offset of each run symbol
        self.chars = chars
        self.total = int(total)                   # run symbols of the whole corpus
        self.sampled = chunk_starts is None


def _with_separators(sym: np.ndarray, off: np.ndarray, *arrays) -> list:
    """Runs ``sym[off[r]:off[r+1]]`` (and the same slices of ``arrays``) laid end to end, each
    followed by a -1 separator (0 for the other arrays)."""
    n_runs = off.size - 1
    out_pos = np.arange(sym.size) + np.repeat(np.arange(n_runs), np.diff(off))
    result = []
    for a, fill in ((sym, -1), *((x, 0) for x in arrays)):
        b = np.full(sym.size + n_runs, fill, dtype=a.dtype)
        b[out_pos] = a
        result.append(b)
    return result


def joint_inputs(passes: Passes, model, max_memory: int = DEFAULT_MAX_MEMORY) -> _JointInputs | None:
    """nVBE's segmentation of the training corpus (or of an evenly spread sample of its runs, when
    it has more than :func:`joint_sample_chars` run symbols) as arrays; None (after a warning)
    when the corpus is too small for the joint model's estimates (fewer than 10 runs, or no word
    seen twice), in which case the caller keeps nVBE."""
    from ._joint_text import runs_of, select

    K = model.max_word_len
    cap = joint_sample_chars(max_memory)
    total = int(passes.N)
    sample = total > cap
    full = False                                # the sample reached the cap
    syms, firsts, chunk_starts = [], [], []
    run_index = kept = 0
    for _codes, sym, start, _end, ids in passes.chunks():
        if full:
            break
        st = _discover.best_path(sym, np.ascontiguousarray(ids[:K]), model.score, model.offset,
                                 model.unknown)
        if not sample:
            syms.append(sym)
            firsts.append(st)
            chunk_starts.append(start[sym >= 0])
            continue
        rs, roff, rpos = runs_of(sym)
        n = roff.size - 1
        r = run_index + np.arange(n + 1, dtype=np.int64)
        sel = np.flatnonzero(np.diff(r * cap // total) > 0)   # run r when floor(r·cap/total) steps
        run_index += n
        lens = roff[sel + 1] - roff[sel]
        fits = np.cumsum(lens) <= cap - kept              # a prefix (lengths > 0): never past the cap
        full = not fits.all()
        sel = sel[fits]
        kept += int(lens[fits].sum())
        s_off, (s_sym, s_st) = select(roff, sel, rs, st[rpos])
        s_sym, s_st = _with_separators(s_sym, s_off, s_st)
        syms.append(s_sym)
        firsts.append(s_st)
    sym_all = np.concatenate(syms)
    run_sym, off, pos = runs_of(sym_all)
    starts = np.ascontiguousarray(np.concatenate(firsts)[pos], dtype=np.uint8)
    n_runs = off.size - 1
    n_words = int(starts.sum())
    if n_runs < 10 or n_words < 2:
        import warnings

        warnings.warn(f"the corpus is too small for the joint model ({n_runs} runs, {n_words} words): "
                      "using nVBE", RuntimeWarning, stacklevel=3)
        return None
    return _JointInputs(run_sym, off, starts, None if sample else chunk_starts, passes.chars, total)


def joint_refine(inputs: _JointInputs, max_word_len: int, seed: int, progress, long_words: bool = False):
    """ICM under the joint model from nVBE's segmentation; with ``long_words`` the type-level
    merges of :mod:`nlpzero._joint_merge` follow (adjacent words joined, also past
    ``max_word_len``)."""
    from .joint import refine

    report = None
    if progress:
        import sys

        def report(sweep, a0, a1, changed, bounds):
            print(f"joint sweep {sweep + 1}: alpha0 {a0:.0f}, alpha1 {a1:.1f}, "
                  f"{changed} of {bounds} boundaries changed", file=sys.stderr)
    refined = refine(inputs.sym, inputs.off, inputs.starts, max_word_len=max_word_len, seed=seed,
                     progress=report)
    if long_words:
        from . import _ngram
        from ._joint_merge import merge_words

        classes = (inputs.chars == _ngram.DIGIT_SYMBOL) | (inputs.chars == _ngram.LATIN_SYMBOL)
        refined.starts, merged, passes = merge_words(inputs.sym, inputs.off, refined.starts, max_word_len,
                                                     refined.alpha0[-1], refined.alpha1[-1], char=True,
                                                     classes=classes)
        if report is not None:
            import sys

            print(f"joint merges: {merged} new word types in {passes} passes", file=sys.stderr)
    return refined


def _feature_codes(inputs: _JointInputs) -> np.ndarray:
    from . import _joint, _ngram

    cps = inputs.chars[inputs.sym]
    feat = cps.astype(np.int32)
    feat[cps == _ngram.DIGIT_SYMBOL] = _joint.DIGITS_CODE       # collapsed ASCII stretches
    feat[cps == _ngram.LATIN_SYMBOL] = _joint.LATIN_CODE
    return feat


def joint_segmenter(passes: Passes, inputs: _JointInputs, refined, seed: int,
                    max_word_len: int) -> JointSegmenter:
    from .joint import JointSegmenter, train_perceptron

    perceptron = train_perceptron(_feature_codes(inputs), inputs.off, refined.starts, seed=seed)
    info = {"alpha0": refined.alpha0, "alpha1": refined.alpha1, "sweeps": refined.sweeps,
            "changed": refined.changed}
    # how it was learned, recorded in a saved model for people (not read back by the code)
    learned = {"method": "joint", "max_word_len": int(max_word_len), "seed": int(seed),
               "characters": inputs.total, "sample_characters": int(inputs.sym.size)}
    return JointSegmenter(perceptron, normalize=passes.normalize, info=info, learned=learned)


def _chunk_spans(passes: Passes, inputs: _JointInputs, starts: np.ndarray):
    """``(text, codes, lo, hi)`` per chunk of the training corpus: its token spans from the joint
    model's word starts (one flag per run symbol, in corpus order), through the text model of
    :mod:`nlpzero.joint`."""
    from ._joint_text import token_spans
    from .segment import Segmenter

    chars = Segmenter.from_scores({}, unknown_score=-1.0, normalize=passes.normalize)
    at = 0
    for text, sym_starts in zip(passes.texts(), inputs.chunk_starts):
        codes = as_codes(text)
        flags = starts[at : at + sym_starts.size].astype(bool)
        at += sym_starts.size
        word_start = np.zeros(codes.size + 1, dtype=np.uint8)
        word_start[sym_starts[flags]] = 1
        cs = chars.spans(text)
        if cs.size:
            lo, hi = token_spans(codes, cs, word_start, passes.normalize)
        else:
            lo = hi = np.zeros(0, dtype=np.int64)
        yield text, codes, lo, hi


def joint_output(passes: Passes, inputs: _JointInputs, starts: np.ndarray, form: str, delimiter: str = " "):
    """The training corpus segmented by the joint model's word starts, in one of three forms:
    ``"tokens"``, an iterator of one list of tokens per line; ``"spans"``, ``(lo, hi)`` over the
    whole text (its chunks joined); ``"bytes"``, an iterator of UTF-8 bytes per chunk, tokens
    joined by ``delimiter`` and lines by ``\\n`` (one ``\\n`` per input ``\\n``; a lone surrogate
    raises UnicodeEncodeError, as :meth:`nlpzero.joint.JointSegmenter.segment_bytes` does)."""
    from . import _joint

    if form == "bytes":
        sep = delimiter.encode("utf-8")

        def chunks():
            mid = False                 # the output so far ends inside a line that has a token
            for text, codes, lo, hi in _chunk_spans(passes, inputs, starts):
                if ((codes >= 0xD800) & (codes <= 0xDFFF)).any():
                    text.encode("utf-8")        # a lone surrogate has no UTF-8: UnicodeEncodeError
                data, mid = _joint.tokens_utf8(codes, lo, hi, sep, mid)
                yield data

        return chunks()
    pieces = list(_chunk_spans(passes, inputs, starts))
    if form == "spans":
        los, his, base = [], [], 0
        for text, _, lo, hi in pieces:
            los.append(lo + base)
            his.append(hi + base)
            base += len(text)
        return np.concatenate(los), np.concatenate(his)

    def lines():
        for text, codes, lo, hi in pieces:
            tokens = _joint.line_lists(text, codes, lo, hi)
            yield from (tokens[:-1] if text.endswith("\n") else tokens)

    return lines()
