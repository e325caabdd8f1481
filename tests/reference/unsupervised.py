"""nVBE's link term from the definition: z-scored PMI of adjacent symbols, summed per string."""
import itertools
import math
from collections import Counter

from .text_model import symbols


def ref_link(lines, L):
    """Σ z(PMI) over the adjacent pairs inside every string of 1..L symbols (a dict)."""
    c1, c2, strings = Counter(), Counter(), set()
    for line in lines:
        for run in symbols(line):
            c1.update(run)
            c2.update(itertools.pairwise(run))
            for k in range(1, L + 1):
                strings.update(tuple(run[i : i + k]) for i in range(len(run) - k + 1))
    n, n2 = sum(c1.values()), sum(c2.values())
    pmi = {p: math.log(c / n2) - math.log(c1[p[0]] / n) - math.log(c1[p[1]] / n) for p, c in c2.items()}
    mean = sum(pmi.values()) / len(pmi)
    sd = math.sqrt(sum((v - mean) ** 2 for v in pmi.values()) / len(pmi))
    z = {p: (v - mean) / sd for p, v in pmi.items()}
    return {x: sum(z[p] for p in itertools.pairwise(x)) for x in strings}


def ref_hdp_log_prob(seq, log_p0, alpha0, alpha1):
    """log P of a segmentation (type ids, -1 between runs and at both ends) under the bigram
    hierarchical Dirichlet process with one table per (context, word) pair, from the formula:
    Σ_x [K_x log α1 + lgamma(α1) − lgamma(α1 + n_x) + Σ_y lgamma(n_xy)]
    + K log α0 + lgamma(α0) − lgamma(α0 + T) + Σ_y [lgamma(m_y) + log P0(y)]."""
    pairs = Counter(p for p in zip(seq[:-1], seq[1:]) if p != (-1, -1))
    n_x, k_x, m_y = Counter(), Counter(), Counter()
    for (x, y), c in pairs.items():
        n_x[x] += c
        k_x[x] += 1
        m_y[y] += 1
    total = sum(k_x[x] * math.log(alpha1) + math.lgamma(alpha1) - math.lgamma(alpha1 + n_x[x]) for x in n_x)
    total += sum(math.lgamma(c) for c in pairs.values())
    T = sum(m_y.values())
    total += len(m_y) * math.log(alpha0) + math.lgamma(alpha0) - math.lgamma(alpha0 + T)
    total += sum(math.lgamma(m) + (log_p0(y) if y >= 0 else 0.0) for y, m in m_y.items())
    return total


def ref_learning_sample(lines, cap):
    """The lines (each with its newline) a corpus of ``lines`` is learned from under a cap of
    ``cap`` characters, from the rule: line i has key (i · 0x9E3779B97F4A7C15) mod 2**64; keep
    the lines with key below the largest threshold (a key, or 2**64) under which they total at
    most ``cap`` characters; in corpus order. (Lines of at most 65,536 characters.)"""
    lines = [line + "\n" for line in lines]
    keys = [(i * 0x9E3779B97F4A7C15) % 2**64 for i in range(len(lines))]
    best = 0
    for t in sorted(keys) + [2**64]:
        if sum(len(line) for line, k in zip(lines, keys) if k < t) <= cap:
            best = t
    return [line for line, k in zip(lines, keys) if k < best]
