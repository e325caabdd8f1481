"""Character n-gram counts from the definition: every substring of every run, up to max_n."""
import collections

from .text_model import runs


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
