"""Errors and limits: one exception module, one limits table (the CLI's exception policy is
tested in test_cli.py)."""
import importlib
import inspect
import pkgutil
import subprocess
import sys

import pytest

import nlpzero
from nlpzero import errors
from nlpzero._limits import LIMITS, check


def _modules():
    for info in pkgutil.walk_packages(nlpzero.__path__, "nlpzero."):
        try:
            yield importlib.import_module(info.name)
        except ImportError:
            continue


def test_every_exception_class_lives_in_errors():
    """Python modules define none; a compiled kernel may define an internal status exception
    (e.g. ``_apriori.BadTransaction``) only if its Python layer turns it into one from errors."""
    strays = []
    for module in _modules():
        if not module.__file__.endswith(".py"):
            continue
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, BaseException) and obj.__module__ == module.__name__
                    and module.__name__ != "nlpzero.errors"):
                strays.append(f"{module.__name__}.{name}")
    assert strays == []
    assert set(errors.__all__) == {name for name, obj in vars(errors).items()      # and all are listed
                                   if inspect.isclass(obj) and issubclass(obj, BaseException)}


def test_every_error_is_an_nlpzero_error_and_a_builtin():
    for name in errors.__all__:
        cls = getattr(errors, name)
        if cls is errors.Terminated:          # a stop request unwinds like KeyboardInterrupt
            assert issubclass(cls, BaseException) and not issubclass(cls, Exception)
        else:
            assert issubclass(cls, errors.NlpzeroError)
    assert issubclass(errors.ParameterError, ValueError)
    assert issubclass(errors.ParameterTypeError, TypeError)
    assert issubclass(errors.OutputError, OSError)
    assert issubclass(errors.TooManyItemsetsError, errors.ResourceLimitError)


def test_submodules_reachable_after_import_nlpzero():
    code = ("import nlpzero; print(nlpzero.errors.ParameterError.__name__, nlpzero.corpus.Corpus.__name__, "
            "nlpzero.IterationLimitError.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["ParameterError", "Corpus", "nlpzero.errors"]


def test_limits_table_is_consistent():
    for key, limit in LIMITS.items():
        assert limit.kind in ("int", "float"), key
        if limit.minimum is not None and limit.maximum is not None:
            assert limit.minimum < limit.maximum, key
        if limit.kind == "int":
            assert limit.maximum is not None and limit.maximum <= 1 << 64, key
    assert LIMITS["max_n"].maximum == nlpzero.ngrams.MAX_ORDER
    from nlpzero import _ngram  # the kernel's compile-time order limit is the same

    _ngram.NgramTable(LIMITS["max_n"].maximum)
    with pytest.raises(ValueError):
        _ngram.NgramTable(LIMITS["max_n"].maximum + 1)
    with pytest.raises(errors.ParameterError, match="`x`"):
        check("x", 10**30, key="min_count")
    with pytest.raises(errors.ParameterTypeError):
        check("min_count", 1.5)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda: nlpzero.count_ngrams(["abc"], max_n=2, min_count=10**20), "min_count"),
        (lambda: nlpzero.count_ngrams(["abc"], max_n=2, max_memory=10**30), "max_memory"),
        (lambda: nlpzero.count_ngrams(["abc"], max_n=2, max_memory=float("inf")), "max_memory"),
        (lambda: nlpzero.frequent_itemsets([["a", "b"]], min_count=10**20), "min_count"),
        (lambda: nlpzero.frequent_itemsets([["a", "b"]], min_count=1, max_size=10**20), "max_size"),
        (lambda: nlpzero.infomap(([0], [1]), num_trials=10**11), "num_trials"),
        (lambda: nlpzero.word_vectors([["a", "b"]] * 5, dim=2, window=10**20, min_count=1), "window"),
        (lambda: nlpzero.discover(["abc"], min_count=10**20), "min_count"),
        (lambda: nlpzero.emd([1.0], [1.0], [[0.0]], max_iter=10**20), "max_iter"),
    ],
)
def test_api_huge_values_are_parameter_errors(call, name):
    with pytest.raises(errors.ParameterError) as info:
        call()
    assert info.value.name == name and f"`{name}`" in str(info.value)


# ---------------------------------------------------------------- resource guards


def test_cluster_words_refuses_a_dense_graph():
    import numpy as np

    words = [f"w{i}" for i in range(5000)]
    x = np.random.default_rng(0).standard_normal((5000, 4))
    with pytest.raises(errors.ResourceLimitError, match=r"`k`=9000 .* dense graph") as info:
        nlpzero.cluster_words((words, x), k=9000)
    assert info.value.name == "k"
    small = nlpzero.cluster_words((words[:6], x[:6]), k=100, num_trials=1)     # k > V - 1: all neighbours
    assert len(small.nodes) == 6


def test_word_vectors_refuses_dim_near_vocabulary():
    import random

    rng = random.Random(0)
    vocab = [f"w{i}" for i in range(1500)]
    sents = [rng.sample(vocab, 12) for _ in range(3000)]
    with pytest.raises(errors.ResourceLimitError, match=r"`dim`=1500 .*V=1,500"):
        nlpzero.word_vectors(sents, dim=1500, min_count=1)
    tiny = nlpzero.word_vectors([["a", "b", "c"]] * 3, dim=50, min_count=1)     # dense SVD: capped at V
    assert tiny.dim == 3


# ---------------------------------------------------------------- silent API surprises


def test_segmenter_user_dicts_may_be_one_path(tmp_path):
    user = tmp_path / "user.txt"
    user.write_text("天气很好 50\n", encoding="utf-8")
    one = nlpzero.Segmenter({"天气": 5, "很好": 5}, user_dicts=str(user))
    listed = nlpzero.Segmenter({"天气": 5, "很好": 5}, user_dicts=[str(user)])
    assert one.lcut("天气很好") == listed.lcut("天气很好") == ["天气很好"]


def test_cut_lines_refuses_one_string():
    seg = nlpzero.Segmenter({"天气": 5})
    with pytest.raises(errors.ParameterTypeError, match="not a single str"):
        seg.cut_lines("天气很好")
    assert list(seg.cut_lines(["天气很好"])) == [seg.lcut("天气很好")]


def test_lexicon_top_negative_and_empty_file(tmp_path):
    lex = nlpzero.Lexicon.load(_lexicon_file(tmp_path, "天气\t5\n很好\t3\n"))
    assert lex.top(5) == ["天气", "很好"] and lex.top(0) == []
    with pytest.raises(errors.ParameterError, match="`n`"):
        lex.top(-1)
    empty = _lexicon_file(tmp_path, "", name="empty.tsv")
    with pytest.raises(errors.FormatError, match="no words"):
        nlpzero.Lexicon.load(empty)
    with pytest.raises(errors.FormatError, match="no words"):
        nlpzero.Segmenter(str(empty))


def _lexicon_file(tmp_path, text, name="lex.tsv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_learn_segmenter_min_count_needs_refine():
    with pytest.raises(errors.ParameterError, match="refine"):
        nlpzero.learn_segmenter(["今天天气不错"] * 50, min_count=3)


# ---------------------------------------------------------------- clear messages


def test_load_vectors_accepts_vectors_in_memory():
    import numpy as np

    wv = nlpzero.load_vectors({"猫": [1.0, 0.0], "狗": [0.0, 1.0]})
    assert wv.words == ("猫", "狗") and wv.dim == 2
    assert nlpzero.load_vectors((["猫", "狗"], np.eye(2))).dim == 2


def test_damaged_npz_files_name_the_file_not_pickle(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip at all" * 10)
    for load in (nlpzero.load_vectors, nlpzero.NgramCounts.load):
        with pytest.raises(errors.InputError) as info:
            load(bad)
        assert str(bad) in str(info.value) and "pickle" not in str(info.value)
    truncated = tmp_path / "vec.npz"
    nlpzero.WordVectors(["a", "b"], [[1.0, 0.0], [0.0, 1.0]]).save(truncated)
    truncated.write_bytes(truncated.read_bytes()[:100])
    with pytest.raises(errors.InputError, match=r"not a readable \.npz"):
        nlpzero.load_vectors(truncated)


def test_utf16_text_is_not_called_binary(tmp_path):
    for enc, name in (("utf-16", "UTF-16"), ("utf-16-le", "UTF-16"), ("utf-32", "UTF-32")):
        path = tmp_path / f"{enc}.txt"
        path.write_bytes("今天天气不错 hello\n".encode(enc) * 20)
        with pytest.raises(errors.BinaryInputError, match=f"looks like {name} text") as info:
            list(nlpzero.Corpus(str(path)).lines())
        assert "binary" not in str(info.value)
    binary = tmp_path / "data.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(errors.BinaryInputError, match="binary file"):
        list(nlpzero.Corpus(str(binary)).lines())


def test_utf16_without_bom_names_the_file(tmp_path):
    path = tmp_path / "nobom.txt"
    path.write_bytes("今天天气不错\n".encode("utf-16-le") * 5)
    with pytest.raises(errors.DecodeError) as info:
        list(nlpzero.Corpus(str(path), encoding="utf-16").lines())
    assert str(path) in str(info.value)


# ---------------------------------------------------------------- found by the property tests


def test_jieba_line_with_a_tab_inside_the_word_is_a_format_error(tmp_path):
    from nlpzero.dictionary import read_dictionary

    path = tmp_path / "d.txt"
    path.write_text("天气 3\n天\t气 5\n", encoding="utf-8")        # jieba format (first line), a tab later
    with pytest.raises(errors.FormatError, match="line 2"):
        read_dictionary(str(path))


def test_lexicon_count_beyond_int64_is_a_format_error(tmp_path):
    path = tmp_path / "lex.jsonl"
    path.write_text('{"word": "天气", "count": 9.3e18}\n', encoding="utf-8")
    with pytest.raises(errors.FormatError, match="too large"):
        nlpzero.Lexicon.load(str(path))
