"""Learn once, segment many: the segmenter model file (Segmenter.save / Segmenter.load,
``nlpzero learn``, ``nlpzero segment --model``), its checks on load, and what ``nlpzero segment``
without a dictionary writes (segment_unsupervised_file): the joint model's own segmentation of a
corpus learned from whole (the tokens of segment_unsupervised), else exactly learn + segment
--model."""
from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest
from click.testing import CliRunner

from nlpzero import learn_segmenter, segment_unsupervised
from nlpzero._model import FORMAT_VERSION, MAGIC
from nlpzero.cli import main
from nlpzero.errors import InputError, ModelFormatError
from nlpzero.segment import Segmenter


@pytest.fixture(scope="module")
def learned(sample_path):
    return learn_segmenter(sample_path, method="nvbe", max_word_len=4)


def _same_segmenter(a, b, lines):
    assert a.to_dict() == b.to_dict()           # every word with exactly its score
    assert a.unknown_score == b.unknown_score and a.mode == b.mode and a.normalize == b.normalize
    assert list(a.cut_lines(lines)) == list(b.cut_lines(lines))


def test_learned_model_round_trips_exactly(tmp_path, learned, sample_lines):
    path = tmp_path / "m.nlpz"
    learned.save(path)
    again = Segmenter.load(path)
    _same_segmenter(learned, again, sample_lines[:300] + ["ＡＢＣ１９９８年，卡尔·马克思", "", "  "])
    assert again.learned["method"] == "nvbe" and again.learned["max_word_len"] == 4
    assert path.read_bytes()[:8] == MAGIC


@pytest.mark.parametrize("kind", ["count", "jieba-mode", "jieba-hmm", "forced", "refined"])
def test_other_segmenters_round_trip(tmp_path, kind, sample_path, sample_lines):
    if kind == "count":
        seg = Segmenter({"今天": 10, "天气": 8, "不错": 5, "今": 1, "天": 2.5, "ＡＢ": 3})
    elif kind == "jieba-mode":
        seg = Segmenter({"今天": 10, "天气": 8, "不错": 5}, mode="jieba", unknown_score=-7.5)
    elif kind == "jieba-hmm":
        seg = Segmenter({"今天": 10, "天气": 8, "不错": 5}, mode="jieba", hmm=True, cut_mode="search")
    elif kind == "forced":
        seg = Segmenter({"今天": 10, "天气": 8, "不错": 5, "今": 1, "天": 2})
        seg.add_word("天气不", 1, force=True)     # loses to 天气 + 不错 unless kept whole
        seg.add_word("[捂脸]", 2)                 # a symbol word: always kept whole
    else:
        seg = learn_segmenter(sample_path, method="nvbe", refine=1)
    path = tmp_path / "m.nlpz"
    seg.save(path)
    again = Segmenter.load(path)
    _same_segmenter(seg, again, sample_lines[:100] + ["今天天气不错ＡＢ!"])
    assert again.total == seg.total
    assert (again.hmm, again.cut_mode, again.traditional) == (seg.hmm, seg.cut_mode, seg.traditional)
    if kind == "forced":                          # the words kept whole survive the round trip
        assert again.lcut("今天天气不错[捂脸]") == ["今天", "天气不", "错", "[捂脸]"]


def _corrupt(path, tmp_path, how):
    data = bytearray(path.read_bytes())
    out = tmp_path / f"bad-{how}"
    if how == "foreign":
        data = bytearray(b"word\t12\n" * 20)
    elif how == "empty":
        data = bytearray()
    elif how == "truncated":
        data = data[: len(data) // 2]
    elif how == "header-only":
        data = data[:20]
    elif how == "flipped":
        data[-9] ^= 0x40
    elif how == "version":
        data[8:12] = (FORMAT_VERSION + 1).to_bytes(4, "little")
    elif how == "inconsistent":
        # a well-formed, correctly checksummed file whose header lies about an array
        size = int.from_bytes(data[12:16], "little")
        header = json.loads(data[48 : 48 + size])
        header["arrays"]["ends"][1] += 1
        blob = json.dumps(header, sort_keys=True).encode()
        blob = blob + b" " * (size - len(blob)) if len(blob) <= size else blob
        assert len(blob) == size
        data[48 : 48 + size] = blob
        data[16:48] = hashlib.sha256(bytes(data[48:])).digest()
    out.write_bytes(bytes(data))
    return out


@pytest.mark.parametrize("how,message", [
    ("foreign", "not an nlpzero segmenter model"),
    ("empty", "not an nlpzero segmenter model"),
    ("header-only", "truncated"),
    ("truncated", "checksum mismatch"),
    ("flipped", "checksum mismatch"),
    ("version", f"model format version {FORMAT_VERSION + 1}"),
    ("inconsistent", "inconsistent model file"),
])
def test_damaged_or_foreign_files_are_clear_errors(tmp_path, learned, how, message):
    path = tmp_path / "m.nlpz"
    learned.save(path)
    bad = _corrupt(path, tmp_path, how)
    with pytest.raises(ModelFormatError, match=message) as info:
        Segmenter.load(bad)
    assert str(bad) in str(info.value)
    res = CliRunner().invoke(main, ["segment", str(path), "--model", str(bad)])
    assert res.exit_code == 1 and message in res.output and "Traceback" not in res.output
    assert len(res.output.strip().splitlines()) == 1


def test_missing_model_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        Segmenter.load(tmp_path / "nope")
    assert not isinstance(InputError("x"), ModelFormatError)


def _unsupervised_text(source, text: str, delimiter: str = " ", **kw) -> bytes:
    """What unsupervised ``nlpzero segment`` writes for ``text`` (read from ``source``): the token
    lists of segment_unsupervised joined by ``delimiter``, a newline after each line except a
    last input line without one."""
    out = "\n".join(delimiter.join(tokens) for tokens in segment_unsupervised(source, **kw))
    return (out + "\n" if text.endswith("\n") else out).encode("utf-8")


@pytest.fixture(scope="module")
def small_text(sample_lines):
    """200 lines of the sample with an empty and a blank line in the middle, no final newline."""
    return "\n".join(sample_lines[:100] + ["", "  "] + sample_lines[100:200])


@pytest.fixture
def no_perceptron(monkeypatch):
    """Fail if the joint model's perceptron is trained (the direct output never needs it)."""
    import nlpzero.unsupervised as unsupervised

    def refuse(*args, **kwargs):
        raise AssertionError("the perceptron was trained")

    monkeypatch.setattr(unsupervised, "joint_segmenter", refuse)


@pytest.mark.parametrize("final_newline", [True, False])
def test_unsupervised_segment_writes_segment_unsupervised(tmp_path, small_text, no_perceptron, final_newline):
    """Without a model the joint default writes its own segmentation of INPUT: the tokens of
    segment_unsupervised, byte for byte, to -o FILE or standard output, from a file or from
    standard input, with any delimiter; one output line per input line (an empty line stays one),
    and a last line without a newline stays without one."""
    text = small_text + ("\n" if final_newline else "")
    src = tmp_path / "in.txt"
    src.write_bytes(text.encode("utf-8"))
    want = _unsupervised_text(str(src), text)
    assert want.count(b"\n") == text.count("\n") and want.endswith(b"\n") == final_newline
    runner = CliRunner()
    out = tmp_path / "out.txt"
    res = runner.invoke(main, ["segment", str(src), "-q", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes() == want
    res = runner.invoke(main, ["segment", "-", "-q"], input=text.encode("utf-8"))
    assert res.exit_code == 0 and res.stdout_bytes == want
    res = runner.invoke(main, ["segment", str(src), "-q", "-d", " / "])
    assert res.exit_code == 0 and res.stdout_bytes == _unsupervised_text(str(src), text, " / ")
    res = runner.invoke(main, ["segment", str(src), "-o", str(out)])       # the summary line is kept
    summary = res.stderr.splitlines()[-1]
    n_lines = text.count("\n") + (not final_newline)
    assert res.exit_code == 0 and summary.startswith(f"{n_lines} lines, {src.stat().st_size / 1e6:.1f} MB in ")
    assert summary.endswith(f" MB/s, 1 jobs) -> {out}")


def test_segment_past_the_learning_sample_is_learn_then_segment_model(tmp_path, sample_path):
    """Past the learning sample (--max-memory), the segmenter learned from the sample segments the
    input: exactly learn + segment --model, and the API's learned segmenter."""
    options = ["--max-word-len", "3", "--refine", "1", "--min-count", "3", "--max-memory", "1M"]
    runner = CliRunner()
    direct, model, via = tmp_path / "direct.txt", tmp_path / "m.nlpz", tmp_path / "via.txt"
    res = runner.invoke(main, ["segment", sample_path, "-q", "-o", str(direct), *options])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["learn", sample_path, "-q", "-o", str(model), *options])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["segment", sample_path, "-q", "--model", str(model), "-o", str(via)])
    assert res.exit_code == 0, res.output
    assert direct.read_bytes() == via.read_bytes() and direct.stat().st_size > 0
    seg = learn_segmenter(sample_path, max_word_len=3, refine=1, min_count=3, max_memory=1 << 20)
    with open(sample_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert direct.read_text(encoding="utf-8").splitlines() == [" ".join(t) for t in seg.cut_lines(lines)]


def test_learn_from_standard_input_equals_learn_from_the_file(tmp_path, sample_path):
    runner = CliRunner()
    with open(sample_path, encoding="utf-8") as f:
        text = f.read()
    a, b = tmp_path / "a.nlpz", tmp_path / "b.nlpz"
    assert runner.invoke(main, ["learn", "-", "-q", "-o", str(a)], input=text).exit_code == 0
    assert runner.invoke(main, ["learn", sample_path, "-q", "-o", str(b)]).exit_code == 0
    assert a.read_bytes() == b.read_bytes()            # the same model, whichever the default method


def test_model_option_usage_errors(tmp_path, learned):
    path = tmp_path / "m.nlpz"
    learned.save(path)
    runner = CliRunner()
    for extra in (["--lexicon", str(path)], ["--dict", "jieba"], ["--max-word-len", "3"],
                  ["--min-count", "2"], ["--max-memory", "1G"], ["--mode", "jieba"]):
        res = runner.invoke(main, ["segment", str(path), "--model", str(path), *extra])
        assert res.exit_code == 2, (extra, res.output)
    res = runner.invoke(main, ["learn", str(path)])                  # -o is required
    assert res.exit_code == 2
    res = runner.invoke(main, ["learn", str(tmp_path / "missing.txt"), "-o", str(path)])
    assert res.exit_code in (1, 2) and "Traceback" not in res.output


def test_a_learned_model_segments_new_text(tmp_path, learned, sample_lines):
    path = tmp_path / "m.nlpz"
    learned.save(path)
    new = tmp_path / "new.txt"
    new.write_text("\n".join(sample_lines[-50:]) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["segment", str(new), "-q", "--model", str(path)])
    assert res.exit_code == 0, res.output
    assert res.stdout.splitlines() == [" ".join(t) for t in learned.cut_lines(sample_lines[-50:])]
    np.testing.assert_equal(len(res.stdout.splitlines()), 50)


# ---------------------------------------------------------------------- joint models
@pytest.fixture(scope="module")
def learned_joint(sample_path):
    return learn_segmenter(sample_path, method="joint")


def test_joint_model_round_trips_exactly(tmp_path, learned_joint, sample_lines):
    from nlpzero import load_model
    from nlpzero.joint import JointSegmenter

    path = tmp_path / "j.nlpz"
    learned_joint.save(path)
    again = JointSegmenter.load(path)
    other = load_model(path)
    assert isinstance(other, JointSegmenter)
    w = learned_joint.perceptron
    np.testing.assert_array_equal(again.perceptron.weights, w.weights)
    np.testing.assert_array_equal(again.perceptron.transitions, w.transitions)
    assert again.normalize == learned_joint.normalize and again.perceptron.epochs == w.epochs
    lines = sample_lines[:300] + ["ＡＢＣ１９９８年，卡尔·马克思", "３．５％的增长", "", "  "]
    assert list(again.cut_lines(lines)) == list(learned_joint.cut_lines(lines))
    assert list(other.cut_lines(lines)) == list(learned_joint.cut_lines(lines))
    assert again.learned["method"] == "joint" and again.learned["max_word_len"] == 4
    # stored sparsely: far smaller than the 16 MB of dense float32 weights
    assert path.stat().st_size < w.weights.nbytes // 2


def test_load_model_reads_dictionary_models_too(tmp_path, learned):
    from nlpzero import load_model

    path = tmp_path / "m.nlpz"
    learned.save(path)
    assert isinstance(load_model(path), Segmenter) and load_model(path).to_dict() == learned.to_dict()


def test_a_model_of_the_other_kind_is_a_clear_error(tmp_path, learned, learned_joint):
    from nlpzero.errors import ModelKindError
    from nlpzero.joint import JointSegmenter

    d, j = tmp_path / "d.nlpz", tmp_path / "j.nlpz"
    learned.save(d)
    learned_joint.save(j)
    with pytest.raises(ModelKindError, match="holds a joint model") as info:
        Segmenter.load(j)
    assert str(j) in str(info.value) and isinstance(info.value, ModelFormatError)
    with pytest.raises(ModelKindError, match="holds a dictionary segmenter"):
        JointSegmenter.load(d)


def test_version_1_dictionary_files_are_still_read(tmp_path, learned, sample_lines):
    path = tmp_path / "m.nlpz"
    learned.save(path)
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[12:16], "little")
    header = json.loads(data[48 : 48 + size])
    assert header.pop("segmenter") == "dictionary"
    blob = json.dumps(header, sort_keys=True).encode()
    blob = blob + b" " * (size - len(blob))
    data[48 : 48 + size] = blob
    data[8:12] = (1).to_bytes(4, "little")
    data[16:48] = hashlib.sha256(bytes(data[48:])).digest()
    path.write_bytes(bytes(data))
    _same_segmenter(learned, Segmenter.load(path), sample_lines[:50])


def _rewrite_header(path, out, change):
    data = bytearray(path.read_bytes())
    size = int.from_bytes(data[12:16], "little")
    header = json.loads(data[48 : 48 + size])
    change(header)
    blob = json.dumps(header, sort_keys=True).encode()
    assert len(blob) <= size
    data[48 : 48 + size] = blob + b" " * (size - len(blob))
    data[16:48] = hashlib.sha256(bytes(data[48:])).digest()
    out.write_bytes(bytes(data))
    return out


@pytest.mark.parametrize("how,message", [
    ("foreign", "not an nlpzero segmenter model"),
    ("truncated", "checksum mismatch"),
    ("flipped", "checksum mismatch"),
    ("version", f"model format version {FORMAT_VERSION + 1}"),
    ("features", "perceptron features 'window3-other'"),
    ("bits", "inconsistent model file"),
    ("index", "inconsistent model file"),
    ("segmenter", "inconsistent model file"),
])
def test_damaged_joint_files_are_clear_errors(tmp_path, learned_joint, how, message):
    from nlpzero.joint import JointSegmenter

    path = tmp_path / "j.nlpz"
    learned_joint.save(path)
    bad = tmp_path / f"bad-{how}"
    if how == "features":
        _rewrite_header(path, bad, lambda h: h.update(features="window3-other"))
    elif how == "bits":
        _rewrite_header(path, bad, lambda h: h.update(feature_bits=10))     # indices past 4 << 10
    elif how == "index":
        _rewrite_header(path, bad, lambda h: h["arrays"]["weight_index"].__setitem__(1, 5))
    elif how == "segmenter":
        _rewrite_header(path, bad, lambda h: h.update(segmenter="crf"))
    else:
        bad = _corrupt(path, tmp_path, how)
    with pytest.raises(ModelFormatError, match=message) as info:
        JointSegmenter.load(bad)
    assert str(bad) in str(info.value)
    res = CliRunner().invoke(main, ["segment", str(path), "--model", str(bad)])
    assert res.exit_code == 1 and message in res.output and "Traceback" not in res.output


_SAMPLED = ["--max-word-len", "3", "--max-memory", "1M"]


@pytest.mark.parametrize(("method", "options"), [("nvbe", []), ("nvbe", _SAMPLED), ("joint", _SAMPLED)])
def test_segment_is_learn_then_segment_model_for_both_methods(tmp_path, sample_path, method, options):
    """With nVBE, or past the learning sample, `segment` without a model is learn + segment
    --model (the joint default on a corpus learned whole: see the test above and below)."""
    runner = CliRunner()
    direct, model, via = tmp_path / "direct.txt", tmp_path / "m.nlpz", tmp_path / "via.txt"
    res = runner.invoke(main, ["segment", sample_path, "-q", "-o", str(direct), "--method", method, *options])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["learn", sample_path, "-q", "-o", str(model), "--method", method, *options])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["segment", sample_path, "-q", "--model", str(model), "-o", str(via)])
    assert res.exit_code == 0, res.output
    assert direct.read_bytes() == via.read_bytes() and direct.stat().st_size > 0
    from nlpzero import load_model

    kind = load_model(model)
    assert getattr(kind, "method", "nvbe") == method or (method == "nvbe" and isinstance(kind, Segmenter))
    kw = {"max_word_len": 3, "max_memory": 1 << 20} if options else {}
    seg = learn_segmenter(sample_path, method=method, **kw)
    with open(sample_path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    assert direct.read_text(encoding="utf-8").splitlines() == [" ".join(t) for t in seg.cut_lines(lines)]


def test_default_segment_is_the_joint_models_own_segmentation(tmp_path, sample_path, no_perceptron):
    """Without --method, `segment` uses the joint model (the default of `learn` too) on the whole
    sample: segment_unsupervised's tokens, with the same options as the API."""
    runner = CliRunner()
    with open(sample_path, encoding="utf-8") as f:
        text = f.read()
    for options, kw in (([], {}), (["--method", "joint", "--max-word-len", "3", "--no-long-words"],
                                   {"method": "joint", "max_word_len": 3, "long_words": False})):
        res = runner.invoke(main, ["segment", sample_path, "-q", *options])
        assert res.exit_code == 0, res.output
        assert res.stdout_bytes == _unsupervised_text(sample_path, text, **kw)


def test_learned_segment_usage_errors_come_before_learning(tmp_path, sample_path, monkeypatch):
    import nlpzero.unsupervised as unsupervised

    def refuse(*args, **kwargs):
        raise AssertionError("learned")

    monkeypatch.setattr(unsupervised, "_learn", refuse)
    runner = CliRunner()
    words = tmp_path / "words.txt"
    words.write_text("卡梅拉 5\n", encoding="utf-8")
    for extra, message in ((["--mode", "jieba"], "--mode"), (["--traditional"], "--traditional"),
                           (["--cut", "search"], "--cut"), (["--user-dict", str(words)], "--user-dict"),
                           (["--long-words", "--method", "nvbe"], "--long-words")):
        res = runner.invoke(main, ["segment", sample_path, "-q", *extra])
        assert res.exit_code == 2 and message in res.output and "Traceback" not in res.output, (extra, res.output)
    res = runner.invoke(main, ["segment", sample_path, "-q", "-o", str(tmp_path)])
    assert res.exit_code != 0 and "directory" in res.output and "Traceback" not in res.output


# ------------------------------------------------------------------ segment_unsupervised_file (API)
def test_segment_unsupervised_file_outputs(tmp_path, small_text, no_perceptron):
    """Bytes to a binary file object, str to a text one, a path atomically, the same bytes as
    segment_unsupervised's tokens, and a BatchResult that counts them."""
    import io

    from nlpzero import BatchResult, segment_unsupervised_file

    src = tmp_path / "in.txt"
    src.write_bytes(small_text.encode("utf-8"))
    want = _unsupervised_text(str(src), small_text, "|")
    binary, text = io.BytesIO(), io.StringIO()
    result = segment_unsupervised_file(str(src), binary, delimiter="|")
    assert isinstance(result, BatchResult) and binary.getvalue() == want
    n_lines = small_text.count("\n") + 1                 # the last line has no newline
    assert (result.lines, result.bytes_in, result.bytes_out, result.jobs) == (n_lines, src.stat().st_size,
                                                                              len(want), 1)
    assert result.seconds > 0
    segment_unsupervised_file(small_text.splitlines(), text, delimiter="|")
    assert text.getvalue() == want.decode("utf-8") + "\n"       # lines of a list all end with a newline
    out = tmp_path / "out.txt"
    again = segment_unsupervised_file(src, out, delimiter="|")
    assert out.read_bytes() == want and again.lines == n_lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.txt", "out.txt"]   # no temporary file left


def test_segment_unsupervised_file_segments_through_the_learned_segmenter(tmp_path, sample_path, small_text):
    """nVBE, a corpus past the learning sample, and one too small for the joint model are
    segmented by the learned segmenter, as segment_file does."""
    import io
    import warnings

    from nlpzero import segment_file, segment_unsupervised_file

    src = tmp_path / "in.txt"
    src.write_bytes(small_text.encode("utf-8"))
    tiny = ["我们喜欢自然语言处理。"] * 3
    for corpus, kw in ((str(src), {"method": "nvbe"}), (sample_path, {"max_memory": 1 << 20, "max_word_len": 3}),
                       (tiny, {})):
        got, want = io.BytesIO(), io.BytesIO()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)       # too small for the joint model
            result = segment_unsupervised_file(corpus, got, delimiter="/", jobs=1, **kw)
            segment_file(corpus, want, segmenter=learn_segmenter(corpus, **kw), delimiter="/", jobs=1)
        assert got.getvalue() == want.getvalue() and result.bytes_out == len(want.getvalue()) > 0


def test_segment_unsupervised_file_checks_before_learning(tmp_path, monkeypatch):
    import nlpzero.unsupervised as unsupervised
    from nlpzero.errors import OutputError, ParameterError, ParameterTypeError

    def refuse(*args, **kwargs):
        raise AssertionError("learned")

    monkeypatch.setattr(unsupervised, "_learn", refuse)
    lines = ["我们喜欢自然语言处理。"] * 20
    f = unsupervised.segment_unsupervised_file
    with pytest.raises(OutputError, match="directory"):
        f(lines, tmp_path)
    with pytest.raises(OutputError, match="does not exist"):
        f(lines, tmp_path / "no" / "out.txt")
    for kw, error, name in ((dict(output=3), ParameterTypeError, "output"),
                            (dict(delimiter=b" "), ParameterTypeError, "delimiter"),
                            (dict(method="crf"), ParameterError, "method"),
                            (dict(seed=-1), ParameterError, "seed"),
                            (dict(jobs=0), ParameterError, "jobs"),
                            (dict(start_method="threads"), ParameterError, "threads"),
                            (dict(long_words="yes"), ParameterError, "long_words"),
                            (dict(jobs=2, client=object()), ParameterError, "jobs")):
        with pytest.raises(error, match=name):
            f(lines, **{"output": None, **kw})
    assert list(tmp_path.iterdir()) == []


def test_segment_unsupervised_file_lone_surrogate_is_an_encode_error(tmp_path):
    from nlpzero import segment_unsupervised_file

    out = tmp_path / "out.txt"
    with pytest.raises(UnicodeEncodeError):
        segment_unsupervised_file(["我们喜欢自然语言处理。"] * 20 + ["坏\ud800字"], out)
    assert not out.exists()


def test_user_dictionaries_with_a_joint_model_are_usage_errors(tmp_path, sample_path, learned_joint):
    words = tmp_path / "words.txt"
    words.write_text("卡梅拉 5\n", encoding="utf-8")
    path = tmp_path / "j.nlpz"
    learned_joint.save(path)
    runner = CliRunner()
    for flag in ("--user-dict", "--force-dict"):
        res = runner.invoke(main, ["segment", sample_path, "--model", str(path), flag, str(words)])
        assert res.exit_code == 2 and flag in res.output and "joint model" in res.output, res.output
        assert "--method nvbe" in res.output
        res = runner.invoke(main, ["segment", sample_path, "--method", "joint", flag, str(words)])
        assert res.exit_code == 2 and flag in res.output and "--method nvbe" in res.output, res.output
    # an nVBE model takes them
    nv = tmp_path / "n.nlpz"
    assert runner.invoke(main, ["learn", sample_path, "-q", "--method", "nvbe", "-o", str(nv)]).exit_code == 0
    res = runner.invoke(main, ["segment", sample_path, "-q", "--model", str(nv), "--user-dict", str(words)])
    assert res.exit_code == 0, res.output
    res = runner.invoke(main, ["segment", sample_path, "--model", str(nv), "--method", "joint"])
    assert res.exit_code == 2 and "--method" in res.output
