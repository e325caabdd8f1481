"""The compiled n-gram counter against a Counter-over-slices reference."""
import random

import numpy as np
import pytest
from reference.ngrams import count_ngrams as ref_count
from reference.text_model import runs as ref_runs

import nlpzero
from nlpzero import Corpus, NgramCounts, count_ngrams
from nlpzero._testing import random_text
from nlpzero.errors import MemoryBudgetError


def assert_same(counts, ref, totals):
    assert counts.to_dict() == ref
    assert len(counts) == len(ref)
    assert counts.totals[1:].tolist() == totals[1:]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("max_n", [1, 2, 4, 8])
def test_random_text_matches_reference(seed, max_n):
    rng = random.Random(seed)
    texts = [random_text(rng, rng.randint(0, 300)) for _ in range(20)]
    ref, totals = ref_count(texts, max_n)
    assert_same(count_ngrams(texts, max_n=max_n), ref, totals)


@pytest.mark.parametrize("min_count", [2, 3, 10])
def test_pruning_matches_reference(min_count, sample_lines):
    texts = sample_lines[:300]
    ref, totals = ref_count(texts, 4, min_count)
    counts = count_ngrams(texts, max_n=4, min_count=min_count)
    assert_same(counts, ref, totals)
    assert counts.min_count == min_count


@pytest.mark.parametrize("chunk_bytes", [16, 17, 31, 100, 4096])
@pytest.mark.parametrize("max_n", [3, 6])
def test_chunk_boundaries_inside_runs(tmp_path, chunk_bytes, max_n):
    # long runs, multi-byte characters and CRLF split at every possible place across chunks
    rng = random.Random(chunk_bytes * 31 + max_n)
    text = "".join(random_text(rng, 40) + rng.choice(["", "\r\n", "\n"]) for _ in range(60))
    text += "很长的一句话没有任何标点符号一直延续下去直到文件结束" * 3
    path = tmp_path / "c.txt"
    path.write_text(text, encoding="utf-8", newline="")
    ref, totals = ref_count([text], max_n)
    assert_same(count_ngrams(Corpus(path, chunk_bytes=chunk_bytes), max_n=max_n), ref, totals)


def test_real_text_orders_1_to_4(sample_path, sample_lines):
    ref, totals = ref_count(sample_lines, 4)
    counts = count_ngrams(sample_path, max_n=4)
    assert_same(counts, ref, totals)
    assert sum(len(r) for line in sample_lines for r in ref_runs(line)) == counts.N


def test_empty_and_degenerate_inputs(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for source in (empty, [], [""], ["，。！ \n  "]):
        counts = count_ngrams(source, max_n=4)
        assert len(counts) == 0 and counts.N == 0
        assert counts.most_common() == []
        assert counts["中"] == 0
    # one-character runs only: no n-gram longer than 1
    counts = count_ngrams(["中，国。a b"], max_n=3)
    assert counts.to_dict() == {"中": 1, "国": 1, "a": 1, "b": 1}
    assert counts.totals.tolist() == [0, 4, 0, 0]


def test_characters_outside_bmp_and_normalisation():
    text = "𠀀𠀁𠀀𠀁，ＡＢ１２ab"
    counts = count_ngrams([text], max_n=2)
    assert counts["𠀀𠀁"] == 2
    assert counts["AB12ab"[:2]] == 1          # full-width letters count as ASCII...
    assert counts["ＡＢ"] == 1                 # ...and lookups normalise their keys too
    raw = count_ngrams([text], max_n=2, normalize=False)
    assert raw["AB"] == 0 and raw["ＡＢ"] == 0  # without normalisation full-width is a boundary
    assert raw["ab"] == 1


def test_code_points_at_the_edges_of_the_word_ranges():
    # the counter caches each word character's 1-gram by code point: the first and last code
    # point of every word range (U+3FFFF the highest), their neighbours outside (boundaries),
    # across a table that grows while the same characters recur
    edges = [0x30, 0x39, 0x41, 0x5A, 0x61, 0x7A, 0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xF900, 0xFAFF,
             0x20000, 0x2FFFF, 0x30000, 0x3FFFF]
    outside = [0x2F, 0x3A, 0x60, 0x7B, 0x33FF, 0x4DC0, 0x9FFF + 1, 0xF8FF, 0xFB00, 0x1FFFF, 0x40000,
               0x10FFFF]
    rng = random.Random(7)
    pool = [chr(c) for c in edges] * 8 + [chr(c) for c in outside] + [random_text(rng, 1) for _ in range(40)]
    texts = ["".join(rng.choice(pool) for _ in range(rng.randint(1, 400))) for _ in range(400)]
    ref, totals = ref_count(texts, 4)
    assert len(ref) > 3 * (1 << 16) // 4    # more than the initial table holds: it grows mid-count
    counts = count_ngrams(texts, max_n=4)
    assert_same(counts, ref, totals)
    assert counts[chr(0x3FFFF) * 2] == ref.get(chr(0x3FFFF) * 2, 0) > 0
    assert counts[chr(0x40000)] == 0


def test_lookups_and_listing_order():
    counts = count_ngrams(["今天天气不错", "天气很好"], max_n=2)
    assert counts["天气"] == 2 and counts.get("天气") == 2
    assert counts.get("没有", 7) == 7 and "没有" not in counts and "天" in counts
    assert counts.counts_of(["天", "今天天", "", "气"]).tolist() == [3, 0, 0, 2]
    with pytest.raises(TypeError):
        counts[3]
    # frequency order: count descending, then shorter first, then by code point
    assert counts.most_common(3) == [("天", 3), ("气", 2), ("天气", 2)]
    grams, freqs = counts.arrays(order=2)
    assert grams.tolist()[0] == "天气" and freqs.tolist()[0] == 2
    assert set(grams.tolist()) == {"今天", "天天", "天气", "气不", "不错", "气很", "很好"}
    assert (np.diff(freqs.astype(np.int64)) <= 0).all()


def test_merge_of_parts_equals_whole(sample_lines):
    half = len(sample_lines) // 2
    a = count_ngrams(sample_lines[:half], max_n=4)
    b = count_ngrams(sample_lines[half:], max_n=4)
    whole = count_ngrams(sample_lines, max_n=4)
    merged = a.merge(b)
    assert merged.to_dict() == whole.to_dict()
    assert merged.totals.tolist() == whole.totals.tolist()
    assert merged.prune(5).to_dict() == whole.prune(5).to_dict()
    with pytest.raises(ValueError, match="pruned"):
        a.prune(2).merge(b)
    with pytest.raises(ValueError, match="max_n"):
        a.merge(count_ngrams(sample_lines[:10], max_n=3))


@pytest.mark.slow
def test_memory_budget_partitions_stay_exact(tmp_path, sample_path, sample_lines):
    whole = count_ngrams(sample_path, max_n=4)
    # a budget far below the table size forces counting in hash partitions
    small = count_ngrams(sample_path, max_n=4, max_memory=1 << 19)
    assert small.to_dict() == whole.to_dict()
    assert small.totals.tolist() == whole.totals.tolist()
    pruned = count_ngrams(sample_path, max_n=4, min_count=3, max_memory=1 << 18)
    assert pruned.to_dict() == whole.prune(3).to_dict()
    # a one-shot iterator cannot be re-read for partitioned counting
    with pytest.raises(MemoryBudgetError, match="cannot be re-read"):
        count_ngrams(iter(sample_lines), max_n=4, max_memory=1 << 16)


def test_save_load_round_trip(tmp_path, sample_lines):
    counts = count_ngrams(sample_lines[:200], max_n=5)
    path = tmp_path / "counts.npz"
    counts.save(path)
    loaded = NgramCounts.load(path)
    assert loaded.to_dict() == counts.to_dict()
    assert loaded.totals.tolist() == counts.totals.tolist()
    assert loaded.max_n == 5 and loaded.normalize


def test_write_tsv(tmp_path):
    counts = count_ngrams(["今天天气不错", "天气很好"], max_n=2)
    path = tmp_path / "out.tsv"
    rows = counts.write_tsv(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("#") and rows == len(lines) - 1 == len(counts)
    assert lines[1:4] == ["天\t3", "气\t2", "天气\t2"]


@pytest.mark.parametrize("bad", [{"max_n": 0}, {"max_n": 33}, {"min_count": 0}, {"max_n": 2.5}])
def test_bad_parameters(bad):
    with pytest.raises((ValueError, TypeError), match=next(iter(bad))):
        count_ngrams(["中文"], **bad)


def test_public_names():
    assert nlpzero.count_ngrams is count_ngrams
    assert "count_ngrams" in dir(nlpzero)
    with pytest.raises(AttributeError):
        nlpzero.no_such_thing


def test_a_budget_too_small_names_a_budget(monkeypatch, sample_path):
    """When even the most partitions do not fit, the error names the bytes one partition needs
    (a lower bound of the budget that works), and that budget does make that partition fit."""
    import re

    from nlpzero import ngrams as ng
    from nlpzero.errors import MemoryBudgetError

    monkeypatch.setattr(ng, "MAX_PARTITIONS", 16)
    with pytest.raises(MemoryBudgetError, match="raise max_memory to at least") as info:
        ng.count_ngrams(sample_path, max_n=4, max_memory=1 << 16)
    need = int(re.search(r"at least (\d+)", str(info.value)).group(1))
    assert need > 1 << 16
    ok = ng.count_ngrams(sample_path, max_n=4, max_memory=8 * need)
    assert ok.to_dict() == ng.count_ngrams(sample_path, max_n=4).to_dict()
