"""Run every docstring example (collected by ``--doctest-modules`` over nlpzero/) in a fresh temporary directory.

Examples may then write and read files by plain relative names (``"out.tsv"``), as a user would,
without leaving anything behind in the checkout.
"""
import pytest
from _pytest.doctest import DoctestItem


@pytest.fixture(autouse=True)
def _doctest_in_tmp_dir(request, tmp_path, monkeypatch):
    if isinstance(request.node, DoctestItem):
        monkeypatch.chdir(tmp_path)
    yield
