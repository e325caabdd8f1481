"""Bounded statistics: discovery prunes by min_count only after the exact branching entropies
(right ones partition-local in the counting tables, left ones counted for the n-grams that need
them in one more pass), so a budget that forces
hash partitions changes no word, count or score."""
from __future__ import annotations

import random

import numpy as np
import pytest
from reference.discovery import ref_entropy
from reference.ngrams import count_ngrams as ref_count

from nlpzero import count_ngrams, discover
from nlpzero._passes import Passes
from nlpzero._testing import zipf_corpus
from nlpzero.corpus import as_corpus


def punctuated(seed, n_lines):
    rng = random.Random(seed)
    _, lines = zipf_corpus(seed, n_lines)
    seps = ["", "", "", "，", "。", "·", " ", "ABC", "１９９８", "3"]
    return ["".join(w + rng.choice(seps) for w in ws) for ws in lines]


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("min_count", [1, 2, 5])
def test_export_stats_sums_right_extensions(seed, min_count):
    """export_stats: the rows of count >= min_count up to max_depth, and for each the sum of
    c·log c over its right extensions (from the definition)."""
    rng = random.Random(seed)
    lines = ["".join(rng.choice("天气很好不错今") for _ in range(rng.randint(0, 30))) for _ in range(60)]
    ref, _ = ref_count(lines, 4)
    table = count_ngrams(lines, max_n=4)._table
    codes, lengths, counts, sums = table.export_stats(min_count, 3)
    grams = np.ascontiguousarray(codes).view("<U4").reshape(-1).tolist()
    want = {g: c for g, c in ref.items() if c >= min_count and len(g) <= 3}
    assert dict(zip(grams, counts.tolist())) == want and len(grams) == len(want)
    for g, s in zip(grams, sums.tolist()):
        expect = sum(c * np.log(c) for y, c in ref.items() if len(y) == len(g) + 1 and y.startswith(g))
        assert s == pytest.approx(expect, rel=1e-12, abs=1e-12)
    ids = table.ids_of(codes, lengths)
    view = count_ngrams(lines, max_n=4).view()          # same insertion order, same ids
    for k in range(1, 4):
        sel = lengths == k
        assert (view.level(k)[0][ids[sel]] == counts[sel]).all()
    missing = np.zeros((1, 4), dtype=np.uint32)
    missing[0, :2] = [ord("无"), ord("有")]
    assert table.ids_of(missing, np.array([2], dtype=np.uint8)).tolist() == [-1]


@pytest.mark.parametrize("budget", [None, 1 << 16, 1 << 18])
def test_pruned_entropies_match_reference(budget):
    """The entropies kept after pruning (in partitions when the budget forces them) are those of
    the definition over every extension, rare ones included."""
    lines = punctuated(4, 300)
    kw = {} if budget is None else {"max_memory": budget}
    passes = Passes(as_corpus(lines), 4, False, "test", prune=lambda totals: 3, **kw)
    count, h_r, h_l = ref_entropy(lines, 3)
    chars = passes.chars
    for k in range(1, 4):
        cnt = passes.levels[k - 1][0]
        assert (cnt >= 3).all()
        assert cnt.size == sum(1 for x, c in count.items() if len(x) == k and c >= 3)
        hl, hr = passes.entropies(k)
        syms = passes.symbols_of(k, np.arange(cnt.size))
        for i in range(cnt.size):
            x = tuple(chr(c) for c in chars[syms[i]].tolist())    # the reference writes 0 / A too
            assert count[x] == cnt[i]
            assert hr[i] == pytest.approx(h_r[x], abs=1e-9)
            assert hl[i] == pytest.approx(h_l[x], abs=1e-9)


@pytest.mark.parametrize("method", ["mi", "min_entropy"])
@pytest.mark.parametrize("budget", [1 << 16, 1 << 18])
def test_bounded_discovery_is_the_unbounded_one(method, budget):
    lines = punctuated(5, 800)
    assert count_ngrams(lines, max_n=5, collapse_ascii=True).nbytes > budget      # partitions forced
    whole = discover(lines, method=method, min_count=3)
    part = discover(lines, method=method, min_count=3, max_memory=budget)
    assert list(part.words) == list(whole.words)
    assert part.counts.tolist() == whole.counts.tolist()
    np.testing.assert_array_equal(part.cohesion, whole.cohesion)
    np.testing.assert_allclose(part.left_entropy, whole.left_entropy, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(part.right_entropy, whole.right_entropy, rtol=1e-12, atol=1e-12)
    # the default min_count is taken from N before anything is pruned
    assert discover(lines, method=method, max_memory=budget).to_dict() == discover(lines, method=method).to_dict()
