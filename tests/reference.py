"""Slow, obviously correct references for the text model (SPEC §0) and n-gram counts (SPEC §1)."""
import collections
import re

# word characters: CJK ideographs (URO, ext. A, compatibility, planes 2-3), ASCII letters, digits
WORD_RUN = re.compile("[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]+")


def normalize(text):
    out = []
    for ch in text:
        cp = ord(ch)
        if 0xFF01 <= cp <= 0xFF5E:
            ch = chr(cp - 0xFEE0)
        elif cp == 0x3000:
            ch = " "
        out.append(ch)
    return "".join(out)


def runs(text, normalized=True):
    return WORD_RUN.findall(normalize(text) if normalized else text)


def count_ngrams(texts, max_n, min_count=1, normalized=True):
    counts = collections.Counter()
    totals = [0] * (max_n + 1)
    for text in texts:
        for run in runs(text, normalized):
            for k in range(1, max_n + 1):
                for i in range(len(run) - k + 1):
                    counts[run[i : i + k]] += 1
                    totals[k] += 1
    return {g: c for g, c in counts.items() if c >= min_count}, totals
