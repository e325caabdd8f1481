"""Packaging: the compiled core is built and found, and missing pieces fail loudly."""
import subprocess
import sys
from pathlib import Path

import pytest

import nlpzero
from nlpzero import _check_build

ROOT = Path(__file__).resolve().parents[1]


def test_every_cython_source_is_a_built_extension_inside_the_package():
    stems = sorted(p.stem for p in (ROOT / "csrc").glob("*.pyx"))
    assert stems, "no Cython sources found"
    assert sorted(_check_build.EXTENSIONS) == stems
    package_dir = Path(nlpzero.__file__).parent
    for stem in stems:
        module = __import__(f"nlpzero.{stem}", fromlist=["_"])
        assert Path(module.__file__).parent == package_dir
        assert Path(module.__file__).suffix in (".so", ".pyd")


def test_missing_extension_names_itself_and_the_fix(monkeypatch):
    real = _check_build.find_spec
    monkeypatch.setattr(_check_build, "find_spec", lambda name: None if name == "nlpzero._ngram" else real(name))
    with pytest.raises(ImportError) as err:
        _check_build.check()
    assert "nlpzero._ngram" in str(err.value) and "pip install -e" in str(err.value)


def test_import_is_light():
    # numba and the algorithm modules are loaded only when used
    code = ("import sys, nlpzero; "
            "print(sorted(m for m in ('numba', 'jieba', 'networkx', 'click', 'nlpzero.ngrams') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


def test_version_matches_metadata():
    text = (ROOT / "pyproject.toml").read_text()
    assert 'version = { attr = "nlpzero._version.__version__" }' in text
    assert nlpzero.__version__.count(".") == 2


def test_sample_corpus_is_packaged():
    sample = Path(nlpzero.__file__).parent / "data" / "reviews.txt"
    assert sample.stat().st_size > 300_000
    assert "data/*.txt" in (ROOT / "pyproject.toml").read_text()
