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
                    and module.__name__ not in ("nlpzero.errors", "nlpzero._signals")):
                strays.append(f"{module.__name__}.{name}")
    assert strays == []


def test_every_error_is_an_nlpzero_error_and_a_builtin():
    for name in errors.__all__:
        cls = getattr(errors, name)
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
