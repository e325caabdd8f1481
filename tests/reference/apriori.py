"""Frequent itemsets and rules by brute force: every subset of every transaction, every split."""
import math
from collections import Counter
from itertools import combinations


def brute_itemsets(transactions, min_count, max_size=None):
    """Every subset of every (deduplicated) transaction, counted; the obviously correct answer."""
    counts = Counter()
    for t in transactions:
        s = sorted(set(t), key=repr)
        top = len(s) if max_size is None else min(len(s), max_size)
        for k in range(1, top + 1):
            for sub in combinations(s, k):
                counts[frozenset(sub)] += 1
    return {k: v for k, v in counts.items() if v >= min_count}


def brute_rules(freq, n, min_conf, min_lift=-math.inf, max_cons=1):
    """Every split of every frequent itemset into antecedent and consequent, filtered."""
    out = {}
    for z, cz in freq.items():
        for k in range(1, len(z)):
            if max_cons is not None and k > max_cons:
                break
            for y in combinations(sorted(z, key=repr), k):
                y = frozenset(y)
                x = z - y
                conf = cz / freq[x]
                lift = conf / (freq[y] / n)
                if conf >= min_conf and lift >= min_lift:
                    out[(x, y)] = (cz, conf, lift)
    return out
