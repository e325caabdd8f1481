"""The scale benchmark's text generator: deterministic, valid text, whole lines, vocabulary that keeps growing.

Runs on a small real sample (the first lines of nlpzero/data/reviews.txt, cut into words of 1-3
characters) so it needs neither the benchmark cache nor jieba. No speed is asserted.
"""
import random
from pathlib import Path

import pytest

from benchmarks import scaletext

REVIEWS = Path(__file__).resolve().parents[1] / "nlpzero" / "data" / "reviews.txt"


@pytest.fixture(scope="module")
def lines():
    rnd = random.Random(7)
    out = []
    with open(REVIEWS, encoding="utf-8") as f:
        for raw in f.readlines()[:150]:
            text = raw.strip()
            words, i = [], 0
            while i < len(text):
                k = rnd.randint(1, 3)
                words.append(text[i : i + k])
                i += k
            if words:
                out.append([(w, scaletext.char_class(w)) for w in words])
    return out


def test_same_seed_same_text_other_seed_other_text(lines):
    a = scaletext.Generator(lines, seed=1)
    b = scaletext.Generator(lines, seed=1)
    c = scaletext.Generator(lines, seed=2)
    first = [a.block(50) for _ in range(3)]
    assert first == [b.block(50) for _ in range(3)]
    assert first[0] != c.block(50)


def test_lines_are_valid_text_from_the_real_characters_and_shapes(lines):
    chars = {ch for pairs in lines for w, _ in pairs for ch in w}
    real_lengths = {sum(len(w) for w, _ in pairs) for pairs in lines}
    text = scaletext.Generator(lines, seed=3).block(200)
    assert text.endswith("\n")
    out = text.split("\n")[:-1]
    assert len(out) == 200
    for line in out:
        assert line and line.strip()
        assert set(line) <= chars                    # new types are new combinations of real characters
        assert len(line) in real_lengths             # a real line's shape: same kinds, same lengths
        line.encode("utf-8")                         # no lone surrogates


def test_vocabulary_and_distinct_ngrams_keep_growing(lines):
    gen = scaletext.Generator(lines, seed=4)
    types_before = sum(k.size for k in gen.kinds)
    text = "".join(gen.block(100) for _ in range(8))
    assert sum(k.size for k in gen.kinds) > types_before       # new word types entered
    n = len(text)
    points = [n // 8, n // 4, n // 2, n]
    growth = scaletext.distinct_growth(text, points, orders=(2, 3, 4))
    for order, counts in growth.items():
        assert all(x < y for x, y in zip(counts, counts[1:])), (order, counts)
        beta = scaletext.slope(points, counts)
        assert 0 < beta < 1.1, (order, beta)  # at most about linear


def _substrings(text, order):
    """The distinct n-grams of ``text`` inside runs of word characters, by nlpzero's text model."""
    from nlpzero.corpus import normalize, runs

    norm = normalize(text)
    starts, ends = runs(norm)
    return {norm[i : i + order] for a, b in zip(starts.tolist(), ends.tolist()) for i in range(a, b - order + 1)}


def test_distinct_growth_matches_a_set_of_substrings():
    text = "今天天气很好，今天天气不错。\nABC今天abc１２３天气\n好好好好\n" * 3 + "新的一行天气\n"
    half = len(text) // 2
    for order in (1, 2, 3, 4, 5):
        got = scaletext.distinct_growth(text, [half, len(text)], orders=(order,))[order]
        assert got == [len(_substrings(text[:half], order)), len(_substrings(text, order))]


def test_write_text_whole_lines_real_text_first_and_prefix_of_larger(lines, tmp_path):
    small, large = tmp_path / "s.txt", tmp_path / "l.txt"
    real = scaletext.real_text(lines).encode("utf-8")
    size_s, size_l = len(real) + 5_000, len(real) + 30_000
    n_s = scaletext.write_text(small, size_s, lines, seed=5, block_lines=100)
    n_l = scaletext.write_text(large, size_l, lines, seed=5, block_lines=100)
    a, b = small.read_bytes(), large.read_bytes()
    assert len(a) == n_s and len(b) == n_l
    assert a.startswith(real) and a.endswith(b"\n")
    assert size_s <= n_s < size_s + max(len(x) for x in a.split(b"\n")) + 1
    assert b.startswith(a)                           # the stream does not depend on the target size
    a.decode("utf-8")


def test_parse_size_and_slope():
    assert scaletext.parse_size("50M") == 50_000_000
    assert scaletext.parse_size("1G") == 10**9
    assert scaletext.parse_size("1.5g") == 1_500_000_000
    assert scaletext.parse_size("123") == 123
    assert scaletext.slope([1, 10, 100], [3, 30, 300]) == pytest.approx(1.0)
    assert scaletext.slope([1, 10, 100], [5, 5 * 10**0.5, 50]) == pytest.approx(0.5)
