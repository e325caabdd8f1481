"""setup.py: one list of extensions, and a debug build that really checks bounds."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("Cython")


def _tree(tmp_path, extensions, sources):
    (tmp_path / "nlpzero").mkdir()
    (tmp_path / "csrc").mkdir()
    shutil.copy(ROOT / "setup.py", tmp_path / "setup.py")
    (tmp_path / "nlpzero" / "_extensions.py").write_text(f"EXTENSIONS = {tuple(extensions)!r}\n")
    for name, text in sources.items():
        (tmp_path / "csrc" / f"{name}.pyx").write_text(text)
    return tmp_path


def _setup(tree, debug):
    env = dict(os.environ, NLPZERO_DEBUG="1" if debug else "0")
    return subprocess.run([sys.executable, "setup.py", "--name"], cwd=tree, env=env, capture_output=True, text=True)


def test_the_extension_list_is_the_one_in_nlpzero_extensions():
    from nlpzero._check_build import EXTENSIONS
    from nlpzero._extensions import EXTENSIONS as listed

    assert EXTENSIONS is listed
    assert sorted(listed) == sorted(p.stem for p in (ROOT / "csrc").glob("*.pyx"))


def test_a_source_missing_from_the_list_stops_the_build(tmp_path):
    tree = _tree(tmp_path, ["_a"], {"_a": "x = 1\n", "_b": "y = 2\n"})
    out = _setup(tree, debug=False)
    assert out.returncode != 0 and "disagree" in out.stderr and "_b" in out.stderr


@pytest.mark.parametrize("line", ["@cython.boundscheck(False)", "# cython: wraparound=False",
                                  "    with cython.initializedcheck(False):"])
def test_debug_build_refuses_local_directives_that_switch_checks_off(tmp_path, line):
    tree = _tree(tmp_path, ["_a"], {"_a": f"cimport cython\n{line}\ndef f(): pass\n"})
    out = _setup(tree, debug=True)
    assert out.returncode != 0
    assert "csrc/_a.pyx:2" in out.stderr and "NLPZERO_DEBUG=1" in out.stderr
