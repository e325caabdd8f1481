"""Learning within max_memory: a corpus with more characters than learn_sample_chars(max_memory)
is learned from an evenly spread sample of its lines (checked against the rule, from a slow
reference), and a bounded run is the unbounded run on that sample; a corpus that fits is
learned exactly as without a budget."""
from __future__ import annotations

import random

import pytest
from reference.unsupervised import ref_learning_sample

from nlpzero import discover
from nlpzero._sample import UNIT_CHARS, learning_sample
from nlpzero._testing import zipf_corpus
from nlpzero.corpus import Corpus
from nlpzero.errors import MemoryBudgetError
from nlpzero.unsupervised import (
    LEARN_BYTES_PER_CHAR,
    learn_sample_chars,
    learn_segmenter,
    segment_unsupervised,
    segment_unsupervised_spans,
)


def _lines(seed=0, n_lines=600):
    rng = random.Random(seed)
    _, lines = zipf_corpus(seed, n_lines)
    return ["".join(w + rng.choice(["", "", "，", "。"]) for w in ws) for ws in lines]


def _budget(chars: int) -> int:
    return chars * LEARN_BYTES_PER_CHAR


def _sample_text(corpus, budget):
    sample_corpus, sample = learning_sample(corpus, budget)
    return "".join(sample_corpus.texts()), sample


@pytest.mark.parametrize("share", [2, 5, 13])
def test_sample_follows_the_rule(share):
    lines = _lines(1)
    total = sum(len(x) + 1 for x in lines)
    cap = total // share
    want = ref_learning_sample(lines, cap)
    got, sample = _sample_text(Corpus(lines), _budget(cap))
    assert got == "".join(want)
    assert sample.total_chars == total and sample.total_units == len(lines)
    assert sample.units == len(want) and sample.chars == sum(map(len, want))
    assert cap - max(map(len, lines)) - 1 < sample.chars <= cap      # fills the cap
    # spread through the corpus: every tenth of it has some of the sample
    kept = set(want)
    tenths = [lines[i * len(lines) // 10:(i + 1) * len(lines) // 10] for i in range(10)]
    assert all(any(x + "\n" in kept for x in part) for part in tenths)
    # a stream read once gives the same sample
    got_stream, _ = _sample_text(Corpus(iter(lines)), _budget(cap))
    assert got_stream == got


def test_a_corpus_that_fits_is_not_sampled():
    lines = _lines(2, 200)
    total = sum(len(x) + 1 for x in lines)
    corpus = Corpus(lines)
    same, sample = learning_sample(corpus, _budget(total))
    assert sample is None and same is corpus
    stream, sample = learning_sample(Corpus(iter(lines)), _budget(total))
    assert sample is None and "".join(stream.texts()) == "".join(x + "\n" for x in lines)
    assert learning_sample(corpus, _budget(total - 1))[1] is not None


def test_long_lines_are_cut_into_units_after_a_boundary():
    line = ("自然语言处理，" * (UNIT_CHARS // 7 + 50))
    corpus = Corpus([line, "很好。"])
    got, sample = _sample_text(corpus, _budget(UNIT_CHARS))
    assert sample.total_units == 3                      # the long line became two units
    assert all(len(piece) <= UNIT_CHARS + 1 for piece in got.splitlines(keepends=True))
    assert got.splitlines()[0].endswith("，")           # cut after the boundary character


def test_long_lines_are_not_cut_inside_a_run_of_the_text_model():
    # full-width letters are word characters once normalised (ＡＢ is the run AB): a cut goes
    # after the comma, never between them; without normalisation they are boundaries themselves
    line = "自然，ＡＢ" * (UNIT_CHARS // 5 + 50)
    got, _ = _sample_text(Corpus([line, "很好。"]), _budget(UNIT_CHARS))
    assert got.splitlines()[0].endswith("，")
    raw, _ = _sample_text(Corpus([line, "很好。"], normalize=False), _budget(UNIT_CHARS))
    assert raw.splitlines()[0].endswith("Ｂ")


@pytest.mark.parametrize("method", ["nvbe", "joint"])
def test_bounded_learning_is_learning_on_the_sample(method):
    lines = _lines(3, 800)
    cap = sum(len(x) + 1 for x in lines) // 3
    budget = _budget(cap)
    sample = [x.rstrip("\n") for x in ref_learning_sample(lines, cap)]
    bounded = learn_segmenter(lines, method=method, max_memory=budget)
    on_sample = learn_segmenter(sample, method=method)
    assert list(bounded.cut_lines(lines)) == list(on_sample.cut_lines(lines))
    assert bounded.learned["sampled_lines"] == len(sample) and bounded.learned["lines"] == len(lines)
    whole = learn_segmenter(lines, method=method)
    assert bounded.learned["characters"] < whole.learned["characters"] / 2      # learned from the sample
    # segment_unsupervised segments the whole corpus with the segmenter learned from the sample
    out = list(segment_unsupervised(lines, method=method, max_memory=budget))
    assert out == list(bounded.cut_lines(lines))
    assert list(segment_unsupervised(iter(lines), method=method, max_memory=budget)) == out
    lo, hi = segment_unsupervised_spans(lines, method=method, max_memory=budget)
    text = "\n".join(lines) + "\n"
    assert [text[a:b] for a, b in zip(lo, hi)] == [t for toks in out for t in toks]


def test_a_budget_that_holds_the_corpus_changes_nothing():
    lines = _lines(4, 300)
    budget = _budget(sum(len(x) + 1 for x in lines))
    for method in ("nvbe", "joint"):
        assert (list(segment_unsupervised(lines, method=method, max_memory=budget))
                == list(segment_unsupervised(lines, method=method)))
    assert discover(lines, max_memory=budget).to_dict() == discover(lines).to_dict()


def test_discover_joint_on_a_larger_corpus_is_discovery_on_the_sample():
    lines = _lines(5, 800)
    cap = sum(len(x) + 1 for x in lines) // 4
    sample = [x.rstrip("\n") for x in ref_learning_sample(lines, cap)]
    bounded = discover(lines, max_memory=_budget(cap), min_count=3)
    assert bounded.to_dict() == discover(sample, min_count=3).to_dict()
    assert bounded.to_dict() != discover(lines, min_count=3).to_dict()
    # the other methods read bounded statistics of the whole corpus: no sample
    assert (discover(lines, method="mi", max_memory=_budget(cap), min_count=3).to_dict()
            == discover(lines, method="mi", min_count=3).to_dict())


def test_a_budget_too_small_for_any_sample_names_one_that_works():
    lines = ["北京大学的研究生喜欢自然语言处理" * 30] * 40          # lines of 481 characters
    with pytest.raises(MemoryBudgetError, match=r"at least (\d+) \(--max-memory 1M\)"):
        learn_segmenter(lines, max_memory=1 << 16)
    assert learn_sample_chars(1 << 20) > 481 + 20
    learn_segmenter(lines, method="nvbe", max_memory=1 << 20)              # the named budget works
