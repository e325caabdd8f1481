"""PPMI word-vector statistics and the kNN cosine graph, from the definitions."""
import math
from collections import Counter

import numpy as np


def ref_ppmi(sents, min_count, window, shift, alpha):
    counts = Counter(t for s in sents for t in s)
    vocab = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    index = {w: i for i, w in enumerate(vocab)}
    pairs = Counter()
    for s in sents:
        for i, a in enumerate(s):
            for j in range(i + 1, min(len(s), i + window + 1)):
                b = s[j]
                if a in index and b in index:
                    pairs[(index[a], index[b])] += 1
                    pairs[(index[b], index[a])] += 1
    total = sum(pairs.values())
    row = Counter()
    col = Counter()
    for (a, b), c in pairs.items():
        row[a] += c
        col[b] += c
    col_norm = sum(c**alpha for c in col.values())
    out = {}
    for (a, b), c in pairs.items():
        pmi = math.log(c / total) - math.log(row[a] / total) - math.log(col[b] ** alpha / col_norm) - math.log(shift)
        if pmi > 0:
            out[(a, b)] = pmi
    return vocab, out


def ref_knn(x, k):
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    edges = {}
    for i in range(len(x)):
        sims = [(-(unit[i] @ unit[j]), j) for j in range(len(x)) if j != i]
        for s, j in sorted(sims)[:k]:
            if -s > 0:
                edges[(min(i, j), max(i, j))] = -s
    return edges
