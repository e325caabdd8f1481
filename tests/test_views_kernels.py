"""The compiled helpers of the Segmenter options against slow pure-Python references: the
forced-word scan (whole_word_spans) and the span writer (spans_utf8)."""
import random

import numpy as np

from nlpzero import _segment
from nlpzero._views import words_trie
from nlpzero.corpus import normalize


def _alnum(ch):
    return ch.isascii() and ch.isalnum()


def whole_word_spans_reference(text, words, norm):
    """Leftmost occurrence first, the longest word at a position; never cutting an ASCII
    letter/digit stretch."""
    view = normalize(text) if norm else text
    out, p, n = [], 0, len(view)
    while p < n:
        if p > 0 and _alnum(view[p - 1]) and _alnum(view[p]):
            p += 1
            continue
        best = -1
        for w in words:
            m = p + len(w)
            if view.startswith(w, p) and not (m < n and _alnum(view[m - 1]) and _alnum(view[m])):
                best = max(best, m)
        if best > 0:
            out.append((p, best))
            p = best
        else:
            p += 1
    return out


def test_whole_word_spans_matches_reference():
    rng = random.Random(7)
    alphabet = "南门店超市ab1 [捂脸]，ＡＢ"
    for _ in range(400):
        words = list({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
                      for _ in range(rng.randint(1, 6))})
        words = [w for w in words if w.strip()]
        if not words:
            continue
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        for norm in (False, True):
            keys = [normalize(w) for w in words] if norm else words
            got = _segment.whole_word_spans(text, words_trie(keys), norm).tolist()
            assert [tuple(x) for x in got] == whole_word_spans_reference(text, keys, norm), (text, words, norm)


def test_spans_utf8_matches_reference():
    rng = random.Random(3)
    for _ in range(200):
        text = "".join(rng.choice("今天a𠀀，\n ") for _ in range(rng.randint(0, 30)))
        spans = []
        for _ in range(rng.randint(0, 12)):
            if rng.random() < 0.2:
                spans.append((-1, -1))
            else:
                a = rng.randint(0, len(text))
                spans.append((a, rng.randint(a, len(text))))
        mid = rng.random() < 0.5
        arr = np.array(spans, dtype=np.int32).reshape(-1, 2)
        got = _segment.spans_utf8(text, arr, b"|", mid)
        out, started = [], mid
        for a, b in spans:
            if a < 0:
                out.append("\n")
                started = False
                continue
            if started:
                out.append("|")
            started = True
            out.append(text[a:b])
        assert got == ("".join(out).encode("utf-8"), started)
