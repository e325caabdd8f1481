"""Every ```python example in README.md and docs/*.md runs as written.

Each block runs in a fresh namespace, in a temporary directory that holds ``nlpzero/data`` (the
bundled sample corpus the examples use), so examples may write files by plain relative names.
"""
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)

# examples that take tens of seconds (word vectors and classes of the whole sample corpus)
SLOW = {"docs/vectors.md#0"}

EXAMPLES = [
    pytest.param(code, id=f"{page.relative_to(ROOT)}#{i}",
                 marks=[pytest.mark.slow] if f"{page.relative_to(ROOT)}#{i}" in SLOW else [])
    for page in PAGES
    for i, code in enumerate(BLOCK.findall(page.read_text(encoding="utf-8")))
    if "from benchmarks" not in code  # the harness example spawns benchmark processes
]


@pytest.mark.parametrize("code", EXAMPLES)
def test_example_runs(code, tmp_path, monkeypatch):
    (tmp_path / "nlpzero").mkdir()
    os.symlink(ROOT / "nlpzero" / "data", tmp_path / "nlpzero" / "data")
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "<example>", "exec"), {"__name__": "__example__"})


def test_examples_were_found():
    assert len(EXAMPLES) >= 10
