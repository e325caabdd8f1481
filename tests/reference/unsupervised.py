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
