"""nVBE word scores (nlpzero.nvbe): the link-cohesion term, the ASCII-stretch count and their
composition, against slow pure-Python references written here."""
from __future__ import annotations

import random
import re

import numpy as np
import pytest
from reference.unsupervised import ref_link

from nlpzero._passes import Passes
from nlpzero._testing import zipf_corpus
from nlpzero.corpus import as_corpus
from nlpzero.nvbe import ascii_stretches, autonomy, link_cohesion, nvbe_scores, word_scores
from nlpzero.unsupervised import segment_unsupervised


def _corpus(seed):
    """Zipfian words with some numbers and Latin stretches mixed in (collapsed symbols)."""
    rng = random.Random(seed)
    _, lines = zipf_corpus(seed, 150)
    out = []
    for ws in lines:
        ws = list(ws)
        for _ in range(rng.randint(0, 2)):
            ws.insert(rng.randrange(len(ws) + 1), rng.choice(["1998年", "3月", "12日", "ABC", "x9", "７"]))
        out.append("".join(ws) + rng.choice(["", "，", "。"]))
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_link_cohesion_and_ascii_counts_match_reference(seed):
    lines = _corpus(seed)
    L = 4
    ref = ref_link(lines, L)
    passes = Passes(as_corpus(lines), L + 1, False, "")
    links = link_cohesion(passes.levels, L)
    n_ascii = ascii_stretches(passes.levels, L, passes.ascii1)
    checked = 0
    for k in range(1, L + 1):
        ids = np.flatnonzero(passes.levels[k - 1][0] > 0)
        for s, v, a in zip(passes.strings(k, ids), links[k - 1][ids], n_ascii[k - 1][ids]):
            assert v == pytest.approx(ref[tuple(s)], rel=1e-9, abs=1e-9)
            assert a == sum(ch in "0A" for ch in s)
            checked += 1
    assert checked == len(ref)


@pytest.mark.parametrize("penalty", [0.0, 1.5])
def test_nvbe_scores_compose_autonomy_links_and_ascii_rule(penalty):
    lines = _corpus(3)
    L = 4
    passes = Passes(as_corpus(lines), L + 1, False, "")
    score, offset = nvbe_scores(passes.index, L, penalty, passes.levels)
    auto = autonomy(passes.index, L, passes.levels)
    links = link_cohesion(passes.levels, L)
    n_ascii = ascii_stretches(passes.levels, L, passes.ascii1)
    for k in range(1, L + 1):
        want = auto[k - 1] * k + links[k - 1] - penalty
        want[n_ascii[k - 1] > 1] = -np.inf
        np.testing.assert_allclose(score[offset[k - 1] : offset[k]], want, rtol=1e-12, atol=1e-12)
    # every switch off: the original nVBE of Magistry & Sagot
    plain, off2 = nvbe_scores(passes.index, L, penalty, passes.levels, restandardize=False,
                              link=False, one_ascii=False)
    want, _ = word_scores(autonomy(passes.index, L, passes.levels, restandardize=False), penalty)
    np.testing.assert_array_equal(off2, offset)
    np.testing.assert_allclose(plain, want, rtol=1e-12, atol=1e-12)


def test_no_token_holds_two_numbers():
    rng = random.Random(5)
    _, lines = zipf_corpus(5, 400)
    text = [f"{rng.randint(1, 12)}月{rng.randint(1, 31)}日" + "".join(ws) for ws in lines]
    tokens = [t for toks in segment_unsupervised(text) for t in toks]
    assert "".join(tokens) == "".join(text)
    assert not [t for t in tokens if len(re.findall(r"[0-9A-Za-z]+", t)) > 1]
    # while a number with its unit stays available as a word: the old scoring glued whole dates
    assert any(re.fullmatch(r"[0-9]+[月日]", t) for t in tokens)
