"""client= on a real Dask cluster (nlpzero.distributed): every result byte for byte that of the
single-process run, the n-gram ids included; bad input and lost workers fail cleanly, leaving
nothing at the destination. The cluster is the session's ``dask_client`` (2 worker processes);
the --scheduler commands are tested in test_cli.py."""
import inspect
import io
import os
import random
import sys

import numpy as np
import pytest

from nlpzero import count_ngrams, discover, learn_segmenter, segment_file
from nlpzero._testing import zipf_corpus
from nlpzero.errors import DecodeError, ParameterError, ParameterTypeError, WorkerError
from nlpzero.segment import Segmenter

pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'nlpzero[dask]')")


def _lines(seed=0, n_lines=3000):
    """Zipf-corpus lines with punctuation, ASCII, full-width digits and spaces."""
    rng = random.Random(seed)
    _, lines = zipf_corpus(seed, n_lines)
    seps = ["", "", "", "，", "。", "ABC", "3", "１９９８", " ", "……"]
    return ["".join(w + rng.choice(seps) for w in ws) for ws in lines]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A file of about 300 KB: 4 blocks on 2 workers (2 per worker, at least 64 KiB each)."""
    path = tmp_path_factory.mktemp("dask") / "corpus.txt"
    path.write_text("\n".join(_lines()) + "\n", encoding="utf-8")
    assert path.stat().st_size > 4 * (64 << 10)
    return str(path)


def _tsv(counts):
    out = io.StringIO()
    counts.write_tsv(out)
    return out.getvalue()


@pytest.mark.parametrize("kw", [{"max_n": 4}, {"max_n": 3, "min_count": 3}, {"max_n": 5, "collapse_ascii": True},
                                {"max_n": 2, "normalize": False}])
def test_counts_equal_the_single_process_count(dask_client, corpus, kw):
    single = count_ngrams(corpus, **kw)
    spread = count_ngrams(corpus, client=dask_client, **kw)
    assert spread.to_dict() == single.to_dict()
    assert np.array_equal(spread.totals, single.totals) and spread.min_count == single.min_count
    assert _tsv(spread) == _tsv(single)


def test_merged_counts_keep_the_ids_of_a_single_count(dask_client, corpus):
    # n-grams numbered per order as they first occur in the text: what discovery's arrays index
    single = count_ngrams(corpus, max_n=5, collapse_ascii=True).view()
    spread = count_ngrams(corpus, max_n=5, collapse_ascii=True, client=dask_client).view()
    assert np.array_equal(spread.chars(), single.chars())
    for k in range(1, 6):
        for a, b in zip(spread.level(k), single.level(k)):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("kw", [{"max_n": 4, "min_count": 1, "order": None},
                                {"max_n": 3, "min_count": 2, "order": 2},
                                {"max_n": 5, "min_count": 3, "order": None}])
@pytest.mark.parametrize("batch_rows", [None, 997])
def test_the_listing_streamed_from_the_partitions_is_the_single_process_listing(dask_client, corpus, kw,
                                                                                 batch_rows, monkeypatch):
    """list_on (ngrams --scheduler) never collects the merged counts here: partitions come in
    slices of batch_rows rows into sorted runs (997 rows: many slices per partition, runs spilled
    to files and merged in rounds), and the listing is the single-process one byte for byte."""
    from nlpzero import _export
    from nlpzero.distributed import list_on

    one = io.StringIO()
    counts = count_ngrams(corpus, max_n=kw["max_n"], min_count=kw["min_count"])
    counts.write_tsv(one, order=kw["order"])
    added = []
    real_add = _export.Runs.add
    monkeypatch.setattr(_export.Runs, "add", lambda self, *a: (added.append(a[2].size), real_add(self, *a))[1])
    out = io.StringIO()
    rows, n = list_on(dask_client, corpus, out, max_memory=1 << 30, header=True, encoding="utf-8",
                      errors="strict", normalize=True, batch_rows=batch_rows, **kw)
    assert out.getvalue() == one.getvalue()
    assert rows == one.getvalue().count("\n") - 1 and n == counts.N
    if batch_rows:
        assert max(added) <= batch_rows and sum(added) == rows


@pytest.mark.parametrize("source", ["path", "lines", "one-shot"])
def test_a_listing_too_big_for_the_workers_is_made_in_passes_over_hash_groups(dask_client, corpus, source,
                                                                              monkeypatch):
    """A budget that the first block's pieces, extrapolated to the whole input, would overrun:
    list_on counts one hash group of first symbols per pass (a one-shot input is copied to a
    temporary file first, to be read once per pass) and lists the same bytes."""
    from nlpzero import distributed
    from nlpzero.distributed import list_on

    one = io.StringIO()
    count_ngrams(corpus, max_n=4).write_tsv(one)
    seen = []                   # (n_groups, group) of every round of count tasks sent out
    real = distributed._args

    def recorded(*a):
        bound = inspect.signature(real).bind(*a)
        bound.apply_defaults()
        seen.append((bound.arguments["n_groups"], bound.arguments["group"]))
        return real(*a)

    monkeypatch.setattr(distributed, "_args", recorded)
    with open(corpus, encoding="utf-8") as f:
        lines = f.read().splitlines()
    inp = {"path": corpus, "lines": lines, "one-shot": iter(lines)}[source]
    out = io.StringIO()
    rows, n = list_on(dask_client, inp, out, max_n=4, min_count=1, max_memory=1 << 20, order=None,
                      header=True, encoding="utf-8", errors="strict", normalize=True)
    assert out.getvalue() == one.getvalue() and n == count_ngrams(corpus, max_n=4).N
    n_groups = seen[-1][0]          # the first block alone, then one round per group
    assert 2 <= n_groups <= distributed.MAX_GROUPS and seen == [(1, 0)] + [(n_groups, g) for g in range(n_groups)]
    out2 = io.StringIO()
    list_on(dask_client, corpus, out2, max_n=4, min_count=1, max_memory=1 << 30, order=None, header=True,
            encoding="utf-8", errors="strict", normalize=True)
    assert out2.getvalue() == one.getvalue() and seen[n_groups + 1:] == [(1, 0)]   # a budget that fits: one pass


def test_passes_are_chosen_from_the_first_block_and_capped():
    from nlpzero.distributed import MAX_GROUPS, PASS_SHARE, _n_groups, _row_bytes
    from nlpzero.errors import MemoryBudgetError

    per_pass = PASS_SHARE * (1 << 20) * 2                       # 1 MiB on each of 2 workers
    rows = int(per_pass / _row_bytes(4))                        # one pass's worth in the first block
    assert _n_groups(rows, 1000, 1000, 4, 1 << 20, 2) == 1
    assert _n_groups(rows, 1000, 3000, 4, 1 << 20, 2) == 3     # the blocks of 3x the bytes: 3 passes
    assert _n_groups(rows, 1000, None, 4, 1 << 20, 2) == 1     # size unknown: one pass
    with pytest.raises(MemoryBudgetError, match="give at least") as info:
        _n_groups(rows, 1000, 1000 * (MAX_GROUPS + 1), 4, 1 << 20, 2)
    smallest = int(str(info.value).split("give at least ")[1].split()[0])
    assert smallest % (1 << 20) == 0 and "--max-memory" in str(info.value)
    assert _n_groups(rows, 1000, 1000 * (MAX_GROUPS + 1), 4, smallest, 2) <= MAX_GROUPS   # it does
    with pytest.raises(MemoryBudgetError):                              # and is the smallest MiB that does
        _n_groups(rows, 1000, 1000 * (MAX_GROUPS + 1), 4, smallest - (1 << 20), 2)


def test_in_memory_input_is_shipped_to_the_workers(dask_client):
    lines = _lines(1, 400)
    assert count_ngrams(lines, client=dask_client).to_dict() == count_ngrams(lines).to_dict()
    assert count_ngrams([], client=dask_client).to_dict() == {}


@pytest.mark.parametrize("method, kw", [("mi", {}), ("min_entropy", {}), ("joint", {"max_memory": 1 << 21})])
def test_discover_gives_the_same_lexicon_file(dask_client, corpus, method, kw):
    a, b = io.StringIO(), io.StringIO()
    discover(corpus, method=method, **kw).save(a)
    discover(corpus, method=method, client=dask_client, **kw).save(b)
    assert b.getvalue() == a.getvalue() and a.getvalue().count("\n") > 50


@pytest.mark.parametrize("kw", [{"method": "nvbe", "refine": 1}, {}, {"max_memory": 1 << 21}])
def test_learn_segmenter_gives_the_same_model_file(dask_client, corpus, tmp_path, kw):
    """Also past the learning cap (max_memory=2M: a sample of the lines, learned as in one process)."""
    learn_segmenter(corpus, **kw).save(tmp_path / "one.model")
    learn_segmenter(corpus, client=dask_client, **kw).save(tmp_path / "two.model")
    assert (tmp_path / "two.model").read_bytes() == (tmp_path / "one.model").read_bytes()


@pytest.mark.parametrize("kw", [{}, {"max_memory": 1 << 21}])
def test_learning_from_a_url_reads_the_sample_of_one_process(dask_client, corpus, tmp_path, kw):
    """A file:// URL past the learning cap is sampled here as the path is in one process (the same
    lines, the same model file); within the cap the workers count it."""
    url = "file://" + os.path.abspath(corpus)
    one = learn_segmenter(corpus, **kw)
    two = learn_segmenter(url, client=dask_client, **kw)
    one.save(tmp_path / "one.model")
    two.save(tmp_path / "two.model")
    assert (tmp_path / "two.model").read_bytes() == (tmp_path / "one.model").read_bytes()
    if kw:
        assert two.learned["sampled_characters"] < two.learned["sample_of_characters"] // 10
    else:
        assert "sampled_characters" not in two.learned
    a, b = io.StringIO(), io.StringIO()
    discover(corpus, method="joint", **kw).save(a)
    discover(url, method="joint", client=dask_client, **kw).save(b)
    assert b.getvalue() == a.getvalue()


def test_a_url_only_this_process_can_read_is_sampled_here(dask_client, corpus, tmp_path):
    """memory:// exists in this process alone: past the cap learning reads it here, never on a worker."""
    import fsspec

    fs = fsspec.filesystem("memory")
    fs.pipe("/nlpzero-test/corpus.txt", open(corpus, "rb").read())
    try:
        two = learn_segmenter("memory://nlpzero-test/corpus.txt", client=dask_client, max_memory=1 << 21)
    finally:
        fs.rm("/nlpzero-test", recursive=True)
    learn_segmenter(corpus, max_memory=1 << 21).save(tmp_path / "one.model")
    two.save(tmp_path / "two.model")
    assert (tmp_path / "two.model").read_bytes() == (tmp_path / "one.model").read_bytes()


def test_a_url_that_cannot_be_opened_is_an_input_error(dask_client, tmp_path):
    from nlpzero.errors import InputError

    url = (tmp_path / "missing.txt").as_uri()
    with pytest.raises(InputError, match="missing.txt: cannot open it"):
        learn_segmenter(url, client=dask_client, max_memory=1 << 21)
    with pytest.raises(InputError, match="missing.txt: cannot open it"):
        count_ngrams(url, client=dask_client)


@pytest.mark.parametrize("floor", [1, 3, 40])
def test_pruned_statistics_are_pruned_on_the_workers(dask_client, corpus, floor):
    """Discovery's bounded statistics (mi, min_entropy) on a cluster: this process receives only
    the n-grams kept (orders 1..max_n - 1, seen at least ``floor`` times) with the exact branching
    entropies, those of one process (``Passes(..., prune=...)``)."""
    from nlpzero._passes import Passes
    from nlpzero.corpus import as_corpus
    from nlpzero.distributed import passes_on

    seen = []

    def prune(totals):
        seen.append(totals.tolist())
        return floor

    one = Passes(as_corpus(corpus), 5, False, "test", prune=prune)
    two = passes_on(dask_client, corpus, 5, False, "test", 1 << 30, encoding="utf-8", errors="strict",
                    normalize=True, prune=prune)
    assert seen[0] == seen[1] and two.N == one.N and two.counts.min_count == floor
    assert len(two.levels) == 4
    for k in range(1, 5):
        cnt = two.levels[k - 1][0]
        assert cnt.size and (cnt >= floor).all()
        ids = np.arange(cnt.size)
        mine = dict(zip(two.strings(k, ids), zip(cnt.tolist(), *(h.tolist() for h in two.entropies(k)))))
        ids = np.arange(one.levels[k - 1][0].size)
        theirs = dict(zip(one.strings(k, ids), zip(one.levels[k - 1][0].tolist(),
                                                   *(h.tolist() for h in one.entropies(k)))))
        assert mine.keys() == theirs.keys()
        for g, (c, hl, hr) in mine.items():     # sums of c·log c, added in another order
            assert c == theirs[g][0] and (hl, hr) == pytest.approx(theirs[g][1:], rel=1e-12, abs=1e-12)


def test_segment_file_writes_the_same_bytes_in_order(dask_client, corpus, tmp_path):
    seg = learn_segmenter(corpus, method="nvbe")
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    r1 = segment_file(corpus, one, segmenter=seg)
    r2 = segment_file(corpus, two, segmenter=seg, client=dask_client)
    assert two.read_bytes() == one.read_bytes()
    assert (r2.lines, r2.bytes_out) == (r1.lines, r1.bytes_out) == (3000, len(one.read_bytes()))
    out = io.BytesIO()          # a file object, and an input without a final newline
    text = ["今天天气不错", "ABC１２３", "", "北京大学"]
    assert segment_file(text, out, segmenter=seg, client=dask_client).lines == 4
    ref = io.BytesIO()
    segment_file(text, ref, segmenter=seg)
    assert out.getvalue() == ref.getvalue()


def test_a_byte_order_mark_and_crlf_lines_read_as_in_one_process(dask_client, tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(_lines(2, 2000)).encode() + b"\r\n")
    assert _tsv(count_ngrams(path, client=dask_client)) == _tsv(count_ngrams(path))
    a, b = tmp_path / "a", tmp_path / "b"
    segment_file(path, a, segmenter={"今天": 2})
    segment_file(path, b, segmenter={"今天": 2}, client=dask_client)
    assert b.read_bytes() == a.read_bytes()


def test_undecodable_bytes_name_the_same_offset_and_leave_no_output(dask_client, corpus, tmp_path):
    data = open(corpus, "rb").read()
    bad = tmp_path / "bad.txt"
    bad.write_bytes(data[:200_000] + b"\xff" + data[200_000:])       # in the third block
    with pytest.raises(DecodeError) as single:
        count_ngrams(bad)
    with pytest.raises(DecodeError) as spread:
        count_ngrams(bad, client=dask_client)
    assert spread.value.offset == single.value.offset and str(spread.value) == str(single.value)
    out = tmp_path / "out.txt"
    with pytest.raises(DecodeError):
        segment_file(bad, out, segmenter={"今天": 2}, client=dask_client)
    assert os.listdir(tmp_path) == ["bad.txt"]          # no output, no temporary file
    assert count_ngrams(bad, errors="replace", client=dask_client).to_dict() == \
        count_ngrams(bad, errors="replace").to_dict()


class _Failing(Segmenter):
    """A segmenter that raises on the worker (pickled by value: workers cannot import tests)."""

    def segment_bytes(self, text, delimiter=" ", mid_line=False):
        raise RuntimeError("boom")


class _DiesOnce(Segmenter):
    """Kills its worker process the first time it runs (a marker file remembers), then works."""

    marker = ""

    def segment_bytes(self, text, delimiter=" ", mid_line=False):
        if self.marker == "always":
            os._exit(1)
        if self.marker and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os._exit(1)
        return super().segment_bytes(text, delimiter, mid_line)


@pytest.fixture()
def by_value():
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_a_failing_task_leaves_no_output_and_no_temporary_file(dask_client, corpus, tmp_path, by_value):
    with pytest.raises(RuntimeError, match="boom"):
        segment_file(corpus, tmp_path / "out.txt", segmenter=_Failing({"今天": 2}), client=dask_client)
    assert os.listdir(tmp_path) == []


def test_a_worker_that_dies_is_replaced_and_the_output_is_unchanged(dask_client, corpus, tmp_path, by_value):
    seg = _DiesOnce({"今天": 2, "天气": 1})
    seg.marker = str(tmp_path / "died")
    segment_file(corpus, tmp_path / "one.txt", segmenter=Segmenter({"今天": 2, "天气": 1}))
    segment_file(corpus, tmp_path / "two.txt", segmenter=seg, client=dask_client)
    assert os.path.exists(seg.marker)                   # a worker did die mid-job
    assert (tmp_path / "two.txt").read_bytes() == (tmp_path / "one.txt").read_bytes()
    dask_client.wait_for_workers(2, timeout=60)


def test_a_job_whose_workers_keep_dying_fails_cleanly(dask_client, corpus, tmp_path, by_value):
    seg = _DiesOnce({"今天": 2})
    seg.marker = "always"
    out = tmp_path / "out.txt"
    with pytest.raises(WorkerError, match="worker died"):
        segment_file(corpus, out, segmenter=seg, client=dask_client)
    assert os.listdir(tmp_path) == []
    dask_client.wait_for_workers(2, timeout=60)


def test_client_must_be_a_dask_client(corpus):
    with pytest.raises(ParameterTypeError, match="dask.distributed.Client"):
        count_ngrams(corpus, client=object())
    with pytest.raises(ParameterTypeError, match="dask.distributed.Client"):
        discover(corpus, client="tcp://127.0.0.1:8786")


def test_jobs_do_not_apply_to_a_cluster(dask_client, corpus):
    with pytest.raises(ParameterError, match="jobs"):
        segment_file(corpus, io.BytesIO(), segmenter={"今天": 2}, jobs=2, client=dask_client)


def test_scheduler_specs_are_parsed_strictly():
    from nlpzero.distributed import parse_scheduler

    assert parse_scheduler("local:3") == ("local", 3)
    assert parse_scheduler("tls://10.1.2.3:8786") == ("address", "tls://10.1.2.3:8786")
    assert parse_scheduler("scheduler:8786") == ("address", "scheduler:8786")
    for bad in ["local:0", "local:abc", "local:", "tcp://host", "host:port", "tcp://h:0", "tcp://h:8786/x", ""]:
        with pytest.raises(ParameterError):
            parse_scheduler(bad)
