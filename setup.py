"""Build the compiled core: every name in ``nlpzero/_extensions.py`` is built from ``csrc/NAME.pyx``
into the private extension ``nlpzero.NAME``.

Metadata lives in pyproject.toml; this file only declares the extensions. The Cython compiler
directives are set here and nowhere else: set ``NLPZERO_DEBUG=1`` at build time for a debug
build (bounds, wraparound and initialisation checks on, C division checks on, ``-O0 -g``).
Because a directive written on a function or at the top of a ``.pyx`` file overrides these,
a debug build refuses to start while any csrc/ file switches a check off itself.
"""
import os
import re
import runpy

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
CSRC = os.path.join(HERE, "csrc")
DEBUG = os.environ.get("NLPZERO_DEBUG", "") not in ("", "0")
EXTENSIONS = runpy.run_path(os.path.join(HERE, "nlpzero", "_extensions.py"))["EXTENSIONS"]

#: The one place for compiler directives (release: checks off; debug: every check on).
COMPILER_DIRECTIVES = {
    "language_level": 3,
    "boundscheck": DEBUG,
    "wraparound": DEBUG,
    "initializedcheck": DEBUG,
    "cdivision": not DEBUG,
    "embedsignature": True,
}

# a local directive that turns a check off: decorator, `with` block or `# cython:` header line
_LOCAL_OFF = re.compile(r"(boundscheck|wraparound|initializedcheck)\s*(\(\s*False\s*\)|=\s*False)")


def _check_sources():
    found = sorted(f[:-4] for f in os.listdir(CSRC) if f.endswith(".pyx"))
    if sorted(EXTENSIONS) != found:
        raise SystemExit(f"csrc/*.pyx ({', '.join(found)}) and nlpzero/_extensions.py "
                         f"({', '.join(sorted(EXTENSIONS))}) disagree: list every extension there")
    if not DEBUG:
        return
    local = []
    for name in found:
        with open(os.path.join(CSRC, name + ".pyx"), encoding="utf-8") as f:
            for lineno, line in enumerate(f, 1):
                if _LOCAL_OFF.search(line):
                    local.append(f"csrc/{name}.pyx:{lineno}: {line.strip()}")
    if local:
        raise SystemExit("NLPZERO_DEBUG=1 would not check bounds where these directives switch checks off "
                         "locally (set directives in setup.py only):\n  " + "\n  ".join(local))


def extensions():
    _check_sources()
    return [
        Extension(
            f"nlpzero.{name}",
            [os.path.join("csrc", f"{name}.pyx")],
            include_dirs=[np.get_include(), "csrc"],
            define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            extra_compile_args=["-O0", "-g"] if DEBUG else ["-O3"],
        )
        for name in EXTENSIONS
    ]


# generated C goes to one directory per mode: cythonize only regenerates a .c older than its .pyx,
# so a release .c reused by a debug build (or the reverse) would silently keep the wrong directives
setup(ext_modules=cythonize(extensions(), compiler_directives=COMPILER_DIRECTIVES, quiet=True,
                            build_dir=os.path.join("build", "cython-debug" if DEBUG else "cython-release")))
