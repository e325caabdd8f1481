"""Fail loudly, at import, when the compiled core has not been built.

There is no pure-Python fallback: a missing extension means a broken install, and the
error says which extension is missing and how to build it.
"""
from importlib.util import find_spec

from ._extensions import EXTENSIONS

__all__ = ["EXTENSIONS", "check"]

_FIX = (
    "the compiled core of nlpzero is not built: missing extension(s) {missing}.\n"
    "If you are working in a source checkout, build it with\n"
    '    pip install -e ".[test]"      (or: python setup.py build_ext --inplace)\n'
    "otherwise reinstall the package with `pip install --force-reinstall nlpzero`.\n"
    "Building needs a C compiler and the Python headers (Debian: apt-get install build-essential python3-dev)."
)


def check() -> None:
    """Raise ImportError naming every compiled extension that cannot be found."""
    missing = [name for name in EXTENSIONS if find_spec(f"nlpzero.{name}") is None]
    if missing:
        raise ImportError(_FIX.format(missing=", ".join(f"nlpzero.{m}" for m in missing)))
