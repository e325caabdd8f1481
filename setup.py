"""Build the compiled core: every ``csrc/NAME.pyx`` becomes the private extension ``nlpzero.NAME``.

Metadata lives in pyproject.toml; this file only declares the extensions (a name -> sources
table derived from the files in csrc/). Set ``NLPZERO_DEBUG=1`` at build time to turn bounds and
wraparound checks back on.
"""
import os

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
DEBUG = os.environ.get("NLPZERO_DEBUG", "") not in ("", "0")

COMPILER_DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
    "embedsignature": True,
}


def extensions():
    sources = sorted(f for f in os.listdir(os.path.join(HERE, "csrc")) if f.endswith(".pyx"))
    return [
        Extension(
            f"nlpzero.{name[:-4]}",
            [os.path.join("csrc", name)],
            include_dirs=[np.get_include(), "csrc"],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            extra_compile_args=["-O3"] if not DEBUG else ["-O0", "-g"],
        )
        for name in sources
    ]


setup(ext_modules=cythonize(extensions(), compiler_directives=COMPILER_DIRECTIVES, quiet=True))
