"""Word discovery from the definitions: n-gram counts over symbols, branching entropies, the
mutual-information cohesion cut and the minimum-entropy lexicon, by enumeration."""
import math
import re
from collections import Counter, defaultdict

from .text_model import symbols


def all_splits(n, K):
    if n == 0:
        yield []
        return
    for k in range(1, min(K, n) + 1):
        for rest in all_splits(n - k, K):
            yield [k] + rest


def ref_counts(lines, K):
    c = Counter()
    for line in lines:
        for run in symbols(line):
            s = "".join(run)
            for k in range(1, K + 1):
                for i in range(len(s) - k + 1):
                    c[s[i : i + k]] += 1
    return c


def ref_entropy(lines, L):
    """h_r, h_l of every string up to L symbols (run ends count as distinct symbols)."""
    right, left, count = defaultdict(Counter), defaultdict(Counter), Counter()
    unique = iter(range(1 << 62))
    for line in lines:
        for run in symbols(line):
            for k in range(1, L + 1):
                for i in range(len(run) - k + 1):
                    x = tuple(run[i : i + k])
                    count[x] += 1
                    if i + k < len(run):
                        right[x][run[i + k]] += 1
                    else:
                        right[x][("end", next(unique))] += 1
                    if i > 0:
                        left[x][run[i - 1]] += 1
                    else:
                        left[x][("start", next(unique))] += 1

    def h(c):
        t = sum(c.values())
        return -sum(v / t * math.log(v / t) for v in c.values())

    return count, {x: h(right[x]) for x in count}, {x: h(left[x]) for x in count}


def ref_mi(lines, K, min_count, thetas):
    counts = ref_counts(lines, K)
    n = sum(v for w, v in counts.items() if len(w) == 1)

    def coh(w):
        return min(math.log(n * counts[w] / (counts[w[:j]] * counts[w[j:]])) for j in range(1, len(w)))

    kept = {w for w, c in counts.items() if 2 <= len(w) <= K and c >= min_count and coh(w) >= thetas[len(w) - 2]}
    pieces = Counter()
    for line in lines:
        for run in symbols(line):
            s = "".join(run)
            joined = [False] * len(s)
            for k in range(2, K + 1):
                for i in range(len(s) - k + 1):
                    if s[i : i + k] in kept:
                        for j in range(i, i + k - 1):
                            joined[j] = True
            start = 0
            for j in range(len(s)):
                if not joined[j]:
                    pieces[s[start : j + 1]] += 1
                    start = j + 1
    out = {}
    for w, c in pieces.items():
        if c < min_count:
            continue
        if len(w) <= 2 or (len(w) <= K and w in kept) or (
                len(w) > K and all(w[i : i + K] in kept for i in range(len(w) - K + 1))):
            out[w] = c
    return out


def ref_min_entropy(lines, min_count, min_pmi, min_proba):
    c = ref_counts(lines, 2)
    n = sum(v for w, v in c.items() if len(w) == 1)
    n2 = sum(v for w, v in c.items() if len(w) == 2)
    keep = {w for w, v in c.items() if len(w) == 2 and v / n2 > min_proba
            and math.log(v / n2) - math.log(c[w[0]] / n) - math.log(c[w[1]] / n) > min_pmi}
    pieces = Counter()
    for line in lines:
        for run in symbols(line):
            s = "".join(run)
            start = 0
            for j in range(len(s)):
                if j == len(s) - 1 or s[j : j + 2] not in keep:
                    pieces[s[start : j + 1]] += 1
                    start = j + 1
    total = sum(pieces.values())
    words = {w: v for w, v in pieces.items() if v >= min_count and v / total > min_proba}
    total = sum(words.values())
    logp = {w: math.log(v / total) for w, v in words.items()}
    for w in sorted([w for w in words if len(w) > 1], key=len, reverse=True):
        best = None
        for sp in all_splits(len(w), len(w)):
            if len(sp) < 2:
                continue
            ps = [w[sum(sp[:j]) : sum(sp[: j + 1])] for j in range(len(sp))]
            if all(p in logp for p in ps):
                score = sum(logp[p] for p in ps)
                if best is None or score > best[0]:
                    best = (score, ps)
        if best is not None and logp[w] - best[0] < len(w) - 1:
            v = words.pop(w)
            del logp[w]
            for p in best[1]:
                words[p] += v
                logp[p] = math.log(words[p] / total)
    return {w: v for w, v in words.items() if v >= min_count}


def ref_ewens_alpha(n, k):
    """The α where k = α Σ_{i<n} 1/(α + i) (the Ewens maximum-likelihood concentration), by
    bisection on log α."""
    def types(a):
        return a * sum(1.0 / (a + i) for i in range(n))

    lo, hi = 1e-9, 1e12
    for _ in range(200):
        mid = math.sqrt(lo * hi)
        lo, hi = (mid, hi) if types(mid) < k else (lo, mid)
    return math.sqrt(lo * hi)


def literal_symbols(word):
    """A word's symbols with each ASCII letter/digit stretch one symbol, kept literally."""
    return re.findall(r"[0-9A-Za-z]+|.", word)


def collapsed(word):
    """The word as the counter sees it: each stretch replaced by '0' (digits) or 'A'."""
    return "".join(("0" if s.isdigit() else "A") if s.isascii() else s for s in literal_symbols(word))


def ref_dl_gains(tokens, K):
    """Description-length gain of every token type of several symbols, from the definition:
    n_w · (log P1(w) − max over splits into ≥ 2 pieces of Σ log P1(piece)), with
    P1(x) = (n_x + α0·P0(x)) / (T + α0), P0(x) = p_len(|x|)·Π p(s) over x's symbols (an ASCII
    stretch is one symbol, told apart by its text), p_len add-one smoothed over lengths 1..K
    from the types, p(s) the symbols' frequencies in the tokens. α0 and p_len count the types
    as the model has them (stretches collapsed); n_x is the literal count."""
    n = Counter(tokens)
    T = len(tokens)
    syms = {w: literal_symbols(w) for w in n}
    freq = Counter(s for t in tokens for s in syms[t])
    n_syms = sum(freq.values())
    types = {collapsed(w) for w in n}
    by_len = Counter(len(literal_symbols(w)) for w in types)
    alpha0 = ref_ewens_alpha(T, len(types))

    def logp1(parts):
        p0 = (by_len[len(parts)] + 1) / (len(types) + K)
        for s in parts:
            p0 *= freq[s] / n_syms
        return math.log((n["".join(parts)] + alpha0 * p0) / (T + alpha0))

    gains = {}
    for w in n:
        sy = syms[w]
        if len(sy) < 2:
            continue
        best = -math.inf
        for split in all_splits(len(sy), len(sy) - 1):
            pos, total = 0, 0.0
            for k in split:
                total += logp1(sy[pos : pos + k])
                pos += k
            best = max(best, total)
        gains[w] = n[w] * (logp1(sy) - best)
    return gains


def ref_literal_cohesion(lines, word):
    """Cohesion of ``word`` with each ASCII stretch its own symbol (literal n-gram counts over
    the runs of ``lines``)."""
    sy = literal_symbols(word)
    k = len(sy)
    c, n = Counter(), 0
    for line in lines:
        for run in re.findall(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff]+", line):
            rs = literal_symbols(run)
            n += len(rs)
            for m in range(1, k + 1):
                c.update(tuple(rs[i : i + m]) for i in range(len(rs) - m + 1))
    return min(math.log(n * c[tuple(sy)] / (c[tuple(sy[:j])] * c[tuple(sy[j:])])) for j in range(1, k))
