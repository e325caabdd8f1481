"""The compiled extensions of nlpzero, listed once.

Each name ``NAME`` is built from ``csrc/NAME.pyx`` into the private module ``nlpzero.NAME``.
``setup.py`` reads this file without importing the package (it builds exactly these and fails
when csrc/ holds a ``.pyx`` that is not listed), and :mod:`nlpzero._check_build` checks at
import that each one is present.
"""

EXTENSIONS = ("_ngram", "_discover", "_segment", "_apriori", "_emd", "_joint", "_templates", "_merge")
