"""Listings in frequency order from sorted runs (nlpzero._export): batches, spilled runs and the
k-way merge give exactly the rows and the order of one global sort of the reference counts."""
import io
import random

import numpy as np
import pytest
from reference.ngrams import count_ngrams as ref_count

from nlpzero import Corpus, _ngram, count_ngrams
from nlpzero._export import Runs, stream_tsv
from nlpzero._testing import random_text


def ref_tsv(ref: dict, order=None, header=True) -> str:
    """The listing from the definition: count descending, shorter first, then by code point."""
    rows = sorted(((g, c) for g, c in ref.items() if order is None or len(g) == order),
                  key=lambda gc: (-gc[1], len(gc[0]), gc[0]))
    return ("#ngram\tcount\n" if header else "") + "".join(f"{g}\t{c}\n" for g, c in rows)


def texts(seed, n=40):
    rng = random.Random(seed)
    return [random_text(rng, rng.randint(0, 200)) for _ in range(n)]


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_buckets", [1, 2, 7, 64])
@pytest.mark.parametrize("min_count", [1, 2, 4])
def test_buckets_split_export_exactly(seed, n_buckets, min_count):
    """The batches of buckets() partition the rows of export(min_count): every reference n-gram
    with count >= min_count once, with its count, and all of one first symbol in one batch."""
    lines = texts(seed)
    ref, _ = ref_count(lines, 4, min_count)
    table = count_ngrams(lines, max_n=4)._table
    buckets = table.buckets(n_buckets, min_count)
    assert buckets.shape == (table.nbytes // 16,)
    seen = {}
    first_bucket = {}
    for b in range(n_buckets):
        codes, lengths, counts = table.export_bucket(buckets, b)
        assert codes.shape == (counts.size, 4) and lengths.size == counts.size
        grams = np.ascontiguousarray(codes).view("<U4").reshape(-1).tolist()
        for g, length, c in zip(grams, lengths.tolist(), counts.tolist()):
            assert len(g) == length and g not in seen
            seen[g] = c
            assert first_bucket.setdefault(g[0], b) == b
        only3 = table.export_bucket(buckets, b, 3)[1]
        assert (only3 == 3).all() and only3.size == int((lengths == 3).sum())
    assert seen == ref
    # the one-batch export without buckets(): the same rows
    codes, lengths, counts = table.export_kept(min_count)
    grams = np.ascontiguousarray(codes).view("<U4").reshape(-1).tolist()
    assert dict(zip(grams, counts.tolist())) == ref and len(grams) == len(ref)
    assert (lengths == np.array([len(g) for g in grams])).all()
    only2 = table.export_kept(min_count, 2)
    assert sorted(only2[0].view("<U4").reshape(-1).tolist()) == sorted(g for g in ref if len(g) == 2)
    with pytest.raises(ValueError):
        table.buckets(0)
    with pytest.raises(ValueError):
        table.export_bucket(buckets[:-1], 0)


@pytest.mark.parametrize("batch_rows", [3, 64, 1 << 20])
@pytest.mark.parametrize("order", [None, 2])
def test_runs_merge_in_frequency_order(batch_rows, order):
    lines = texts(11, 80)
    ref, _ = ref_count(lines, 4)
    counts = count_ngrams(lines, max_n=4)
    runs = Runs(4, batch_rows, order=order or 0)
    try:
        runs.add_table(counts._table)
        assert runs.size == sum(1 for g in ref if order is None or len(g) == order)
        if batch_rows < runs.size:
            assert len(runs.runs) > 1 and any(r.arrays is None for r in runs.runs)   # spilled to files
            assert sum(r.size for r in runs.runs if r.arrays is not None) <= batch_rows
        out = io.StringIO()
        out.write("#ngram\tcount\n")
        from nlpzero._export import write_rows
        write_rows(out, runs.merged(), 4)
    finally:
        runs.close()
    assert out.getvalue() == ref_tsv(ref, order)


def test_write_tsv_is_the_reference_listing(tmp_path, sample_lines):
    lines = sample_lines[:400]
    ref, _ = ref_count(lines, 4)
    counts = count_ngrams(lines, max_n=4)
    path = tmp_path / "all.tsv"
    assert counts.write_tsv(path) == len(ref)
    assert path.read_text(encoding="utf-8") == ref_tsv(ref)
    out = io.StringIO()
    counts.write_tsv(out, order=3, header=False)
    assert out.getvalue() == ref_tsv(ref, 3, header=False)


@pytest.mark.parametrize("max_memory", [1 << 30, 1 << 18])
@pytest.mark.parametrize("batch_rows", [300, 1 << 21])
@pytest.mark.parametrize("min_count", [1, 3])
def test_stream_tsv_equals_write_tsv(sample_lines, tmp_path, max_memory, batch_rows, min_count):
    """Counting in partitions (a tiny budget), sorting in small batches and merging many runs in
    several levels change nothing."""
    sample_path = tmp_path / "part.txt"
    sample_path.write_text("\n".join(sample_lines[:600]) + "\n", encoding="utf-8")
    whole = count_ngrams(sample_path, max_n=4, min_count=min_count)
    expected = io.StringIO()
    whole.write_tsv(expected)
    got = io.StringIO()
    rows, n = stream_tsv(Corpus(sample_path), got, max_n=4, min_count=min_count, max_memory=max_memory,
                         batch_rows=batch_rows)
    assert got.getvalue() == expected.getvalue()
    assert rows == len(whole) and n == whole.N


def test_runs_files_are_removed(sample_lines):
    import os

    counts = count_ngrams(sample_lines[:30], max_n=3)
    runs = Runs(3, 40)
    runs.add_table(counts._table)
    files = [r.path for r in runs.runs if r.path is not None]
    assert files and all(os.path.exists(f) for f in files)
    assert sum(1 for _ in runs.merged()) > 1          # merged in levels through more files
    runs.close()
    assert not any(os.path.exists(f) for f in files)
    assert _ngram.NO_BUCKET == 0xFFFF


@pytest.mark.parametrize("seed", range(3))
def test_format_rows_is_the_python_formatting(seed):
    """The compiled TSV formatter against f-strings: 1- to 4-byte UTF-8, padding, big counts."""
    rng = np.random.default_rng(seed)
    m, width = 500, 5
    codes = np.zeros((m, width), dtype=np.uint32)
    lengths = rng.integers(1, width + 1, m)
    pools = [(0x21, 0x7F), (0x80, 0x800), (0x800, 0xD800), (0x10000, 0x110000)]
    for r in range(m):
        for j in range(lengths[r]):
            lo, hi = pools[rng.integers(0, 4)]
            codes[r, j] = rng.integers(lo, hi)
    counts = rng.integers(0, 1 << 40, m).astype(np.uint64)
    counts[:3] = [0, 9, 2**64 - 1]
    grams = codes.view(f"<U{width}").reshape(-1).tolist()
    want = "".join(f"{g}\t{c}\n" for g, c in zip(grams, counts.tolist()))
    assert _ngram.format_rows(codes, counts).decode("utf-8") == want
    assert _ngram.format_rows(codes[:0], counts[:0]) == b""
    with pytest.raises(ValueError):
        _ngram.format_rows(codes, counts[:-1])


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("width", [1, 2, 4, 5, 8])
def test_frequency_order_kernel_is_the_python_sort(seed, width):
    """The compiled radix sort puts distinct rows in the reference order: count descending,
    shorter first, then by code point (counts up to 2**32 - 1, symbols from every plane)."""
    from nlpzero._export import frequency_order

    rng = random.Random(seed)
    alphabet = [0x30, 0x41, 0x7A, 0x4E00, 0x4E01, 0x9FFF, 0xFF21, 0x20000, 0x3FFFF, 0x10FFFF]
    rows = set()
    for _ in range(3000):   # at most 1110 distinct rows of width <= 2
        length = rng.randint(1, width)
        rows.add(tuple(rng.choice(alphabet) for _ in range(length)))
    rows = sorted(rows)
    rng.shuffle(rows)
    big = [1, 2, 3, 2047, 2048, 1 << 21, (1 << 32) - 1]
    counts = [rng.choice(big) if rng.random() < 0.3 else rng.randint(1, 40) for _ in rows]
    codes = np.zeros((len(rows), width), dtype=np.uint32)
    for i, r in enumerate(rows):
        codes[i, :len(r)] = r
    lengths = np.array([len(r) for r in rows], dtype=np.uint8)
    order = frequency_order(codes, lengths, np.array(counts, dtype=np.uint64))
    expected = sorted(range(len(rows)), key=lambda i: (-counts[i], len(rows[i]), rows[i]))
    assert order.tolist() == expected
    assert frequency_order(codes[:0], lengths[:0], np.zeros(0, np.uint64)).size == 0


@pytest.mark.parametrize("seed", range(3))
def test_export_kept_drops_rows_of_rare_prefixes_like_export(seed):
    """In a table made by add() counts need not shrink along a path; an n-gram whose prefix is
    below min_count is left out by export() and by export_kept() alike, rows zero-padded."""
    rng = random.Random(seed)
    table = _ngram.NgramTable(4)
    rows = {}
    for _ in range(400):
        gram = tuple(rng.choice([0x4E00, 0x4E01, 0x4E02, 0x41]) for _ in range(rng.randint(1, 4)))
        rows[gram] = rng.randint(1, 6)
    codes = np.zeros((len(rows), 4), np.uint32)
    for i, g in enumerate(rows):
        codes[i, :len(g)] = g
    table.add(codes, np.array([len(g) for g in rows], np.uint8), np.array(list(rows.values()), np.uint64))
    for min_count in (1, 2, 4):
        for order in (0, 3):
            want_codes, want_lengths, want_counts, _ = table.export(min_count)
            keep = want_lengths == order if order else np.ones(want_lengths.size, bool)
            want = sorted(zip(map(tuple, want_codes[keep].tolist()), want_counts[keep].tolist()))
            got_codes, got_lengths, got_counts = table.export_kept(min_count, order)
            assert sorted(zip(map(tuple, got_codes.tolist()), got_counts.tolist())) == want
            assert ((got_codes != 0).sum(axis=1) == got_lengths).all()


def test_take_rows_is_fancy_indexing():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 1 << 21, (500, 5)).astype(np.uint32)
    lengths = rng.integers(1, 6, 500).astype(np.uint8)
    counts = rng.integers(0, 1 << 40, 500).astype(np.uint64)
    idx = rng.integers(0, 500, 2000).astype(np.int64)
    got = _ngram.take_rows(codes, lengths, counts, idx)
    for a, b in zip(got, (codes[idx], lengths[idx], counts[idx])):
        assert np.array_equal(a, b) and a.dtype == b.dtype
    with pytest.raises(IndexError):
        _ngram.take_rows(codes, lengths, counts, np.array([500], np.int64))
