"""The joint segmentation model: kernels against slow pure-Python references, and the API."""
import itertools
import math
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from nlpzero import _joint, joint
from nlpzero.errors import ParameterError
from nlpzero.unsupervised import learn_segmenter, segment_unsupervised, segment_unsupervised_spans

B, M, E, S, START = 0, 1, 2, 3, 4


# ---------------------------------------------------------------------- references
def ref_segmentations(m, L):
    """Every segmentation of m symbols into words of at most L symbols, as word lengths."""
    if m == 0:
        yield ()
        return
    for k in range(1, min(L, m) + 1):
        for rest in ref_segmentations(m - k, L):
            yield (k,) + rest


def ref_tags(lengths):
    out = []
    for k in lengths:
        out += [S] if k == 1 else [B] + [M] * (k - 2) + [E]
    return out


def words_of(run, starts):
    out, cur = [], []
    for s, f in zip(run, starts):
        if f and cur:
            out.append(tuple(cur))
            cur = []
        cur.append(s)
    if cur:
        out.append(tuple(cur))
    return out


class RefCounts:
    """Unigram and bigram counts of a segmentation ($ = run marker), with dicts."""

    def __init__(self, runs_words):
        self.uni = Counter()
        self.bi = Counter()
        self.n_runs = len(runs_words)
        for ws in runs_words:
            self.update(ws, 1)

    def update(self, ws, d):
        prev = "$"
        for w in ws:
            self.uni[w] += d
            self.bi[prev, w] += d
            prev = w
        self.bi[prev, "$"] += d

    @property
    def N(self):
        return sum(self.uni.values())


def ref_score(run, lengths, counts, a0, a1, lplen, lpsym, logem, logtr, p_end, n_start):
    """Log score of one segmentation of ``run`` under the joint model, from the definition."""
    total, pos, prev = 0.0, 0, "$"
    N = counts.N
    for k in lengths:
        w = tuple(run[pos : pos + k])
        p0 = math.exp(lplen[k] + sum(lpsym[s] for s in w))
        p1 = (counts.uni[w] + a0 * p0) / (N + a0)
        n_v = n_start if prev == "$" else counts.uni[prev]
        total += math.log((counts.bi[prev, w] + a1 * p1) / (n_v + a1))
        prev = w
        pos += k
    total += math.log((counts.bi[prev, "$"] + a1 * p_end) / (counts.uni[prev] + a1))
    tags = ref_tags(lengths)
    total += logtr[START, tags[0]]
    for t, (s, y) in enumerate(zip(run, tags)):
        total += logem[y, s]
        if t:
            total += logtr[tags[t - 1], y]
    return total


def ref_best(run, L, *args):
    best = None
    for lengths in ref_segmentations(len(run), L):
        sc = ref_score(run, lengths, *args)
        if best is None or sc > best[0]:
            best = (sc, lengths)
    return best


def lengths_to_starts(lengths):
    out = []
    for k in lengths:
        out += [1] + [0] * (k - 1)
    return np.array(out, dtype=np.uint8)


def random_corpus(rng, n_runs=12, n_sym=4, max_run=7, L=3):
    runs = [rng.integers(0, n_sym, size=rng.integers(1, max_run + 1)).tolist() for _ in range(n_runs)]
    sym = np.array([s for r in runs for s in r], dtype=np.int32)
    off = np.concatenate(([0], np.cumsum([len(r) for r in runs]))).astype(np.int64)
    starts = []
    for r in runs:
        lengths = []
        left = len(r)
        while left:
            k = int(rng.integers(1, min(L, left) + 1))
            lengths.append(k)
            left -= k
        starts.append(lengths_to_starts(lengths))
    return runs, sym, off, np.concatenate(starts)


def random_model(rng, n_sym, L):
    lplen = np.concatenate(([-np.inf], np.log(rng.dirichlet(np.ones(L)))))
    lpsym = np.log(rng.dirichlet(np.ones(n_sym)))
    logem = np.log(rng.dirichlet(np.ones(n_sym), size=4))
    logtr = np.log(rng.dirichlet(np.ones(4), size=5))
    return lplen, lpsym, np.ascontiguousarray(logem), np.ascontiguousarray(logtr)


# ---------------------------------------------------------------------- empirical Bayes
def test_digamma_matches_the_derivative_of_lgamma():
    xs = np.array([0.01, 0.3, 1.0, 2.5, 5.9, 6.0, 17.0, 1234.5])
    h = 1e-6
    ref = [(math.lgamma(x + h) - math.lgamma(x - h)) / (2 * h) for x in xs]
    assert np.allclose(joint.digamma(xs), ref, rtol=1e-6, atol=1e-6)
    assert joint.digamma(1.0) == pytest.approx(-0.5772156649015329, abs=1e-12)


def ewens_loglik(alpha, pairs):
    return sum(k * math.log(alpha) + math.lgamma(alpha) - math.lgamma(alpha + n) for n, k in pairs)


@pytest.mark.parametrize("pairs", [[(1000, 100)], [(50, 49)], [(20, 2)], [(30, 5), (7, 3), (1, 1), (100, 60)]])
def test_ewens_estimates_maximise_the_likelihood(pairs):
    if len(pairs) == 1:
        a = joint.ewens_alpha(*pairs[0])
    else:
        a = joint.pooled_ewens_alpha(np.array([n for n, _ in pairs]), np.array([k for _, k in pairs]))
    grid = np.exp(np.linspace(math.log(a) - 3, math.log(a) + 3, 6001))
    best = grid[np.argmax([ewens_loglik(g, pairs) for g in grid])]
    assert abs(math.log(best) - math.log(a)) < 2e-3


def test_ewens_rejects_impossible_counts():
    with pytest.raises(ValueError):
        joint.ewens_alpha(5, 6)
    with pytest.raises(ValueError):
        joint.pooled_ewens_alpha(np.array([3]), np.array([0]))


# ---------------------------------------------------------------------- word ids
def test_intern_words_gives_one_id_per_distinct_string():
    rng = np.random.default_rng(1)
    runs, sym, off, _ = random_corpus(rng, n_runs=30, n_sym=3, max_run=9)
    L = 4
    cand, length, first = _joint.intern_words(sym, off, L)
    seen = {}
    for r, run in enumerate(runs):
        for i in range(len(run)):
            for k in range(1, L + 1):
                got = cand[off[r] + i, k - 1]
                if i + k > len(run):
                    assert got == -1
                    continue
                key = tuple(run[i : i + k])
                assert seen.setdefault(key, got) == got
                assert length[got] == k
                assert tuple(sym[first[got] : first[got] + k]) == key
                assert first[got] <= off[r] + i
    assert len(seen) == length.size
    # ids by length, then by first occurrence
    assert np.lexsort((first, length)).tolist() == list(range(length.size))


def test_intern_words_rejects_offsets_outside_the_symbols():
    sym = np.array([0, 1, 2], dtype=np.int32)
    for off in ([0, 4], [0, 2, 1, 3], [-1, 3]):
        with pytest.raises(ValueError, match="run offsets"):
            _joint.intern_words(sym, np.array(off, dtype=np.int64), 2)


# ---------------------------------------------------------------------- the DP best path
@pytest.mark.parametrize("seed", range(6))
def test_best_path_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    L = 3
    runs, sym, off, starts = random_corpus(rng, n_sym=4, L=L)
    cand, length, _ = _joint.intern_words(sym, off, L)
    icm = _joint.ICM(sym, off, cand, length, starts)
    counts = RefCounts([words_of(run, starts[off[r] : off[r + 1]]) for r, run in enumerate(runs)])
    assert icm.n_tokens == counts.N
    lplen, lpsym, logem, logtr = random_model(rng, 4, L)
    a0, a1, p_end = float(rng.uniform(0.5, 20)), float(rng.uniform(0.5, 20)), 0.3
    for r, run in enumerate(runs):
        sc, got = icm.best_path(r, a0, a1, lplen, lpsym, logem, logtr, p_end)
        ref_sc, ref_len = ref_best(run, L, counts, a0, a1, lplen, lpsym, logem, logtr, p_end, counts.n_runs)
        assert sc == pytest.approx(ref_sc, rel=1e-10, abs=1e-9)
        assert got.tolist() == lengths_to_starts(ref_len).tolist()


@pytest.mark.parametrize("seed", range(4))
def test_sweep_matches_reference_icm(seed):
    rng = np.random.default_rng(100 + seed)
    L = 3
    runs, sym, off, starts = random_corpus(rng, n_runs=15, n_sym=3, L=L)
    cand, length, _ = _joint.intern_words(sym, off, L)
    icm = _joint.ICM(sym, off, cand, length, starts)
    lplen, lpsym, logem, logtr = random_model(rng, 3, L)
    a0, a1, p_end = 3.0, 2.0, 0.25
    order = rng.permutation(len(runs)).astype(np.int64)
    changed, _ = icm.sweep(order, a0, a1, lplen, lpsym, logem, logtr, p_end)
    # reference ICM: remove the run, brute-force its best path, add it back
    ref = starts.copy()
    counts = RefCounts([words_of(run, ref[off[r] : off[r + 1]]) for r, run in enumerate(runs)])
    for r in order:
        run = runs[r]
        old = words_of(run, ref[off[r] : off[r + 1]])
        counts.update(old, -1)
        _, best = ref_best(run, L, counts, a0, a1, lplen, lpsym, logem, logtr, p_end, counts.n_runs - 1)
        ref[off[r] : off[r + 1]] = lengths_to_starts(best)
        counts.update(words_of(run, ref[off[r] : off[r + 1]]), 1)
    assert icm.starts_arr.tolist() == ref.tolist()
    assert changed == int((ref != starts).sum())
    _v, _w, c = icm.pair_counts()
    assert int(c.sum()) == sum(counts.bi.values())


@pytest.mark.parametrize("n_runs, block", [(0, 4), (1, 4), (10, 1), (10, 3), (64, 64), (1000, 64)])
def test_visit_order_is_a_seeded_permutation_of_whole_blocks(n_runs, block):
    order = joint.visit_order(n_runs, np.random.default_rng(7), block=block)
    assert order.dtype == np.int64
    assert sorted(order.tolist()) == list(range(n_runs))
    # each block's runs together and in text order
    for b in range(0, n_runs, block):
        at = np.flatnonzero((order >= b) & (order < b + block))
        assert np.array_equal(order[at], np.arange(b, min(b + block, n_runs)))
        assert at.size == 0 or at[-1] - at[0] == at.size - 1
    assert np.array_equal(order, joint.visit_order(n_runs, np.random.default_rng(7), block=block))
    with pytest.raises(ParameterError):
        joint.visit_order(n_runs, np.random.default_rng(7), block=0)


def test_pair_counts_after_the_pair_map_grew():
    # more distinct word pairs than the map's first capacity (2**16 slots, grown at half full):
    # the table and its filter of seen keys are rebuilt; every pair reads its count, and pairs
    # never seen read 0 (the filter only rules out keys that were never inserted)
    rng = np.random.default_rng(7)
    runs = [rng.integers(0, 600, size=int(rng.integers(2, 7))).tolist() for _ in range(12000)]
    sym = np.array([s for r in runs for s in r], dtype=np.int32)
    off = np.concatenate(([0], np.cumsum([len(r) for r in runs]))).astype(np.int64)
    starts = np.ones(sym.size, dtype=np.uint8)                  # one-symbol words
    cand, length, _ = _joint.intern_words(sym, off, 2)
    icm = _joint.ICM(sym, off, cand, length, starts)
    end = length.size
    ref = Counter()
    for r, run in enumerate(runs):
        ids = [int(cand[off[r] + i, 0]) for i in range(len(run))]
        for v, w in zip([end] + ids, ids + [end]):
            ref[v, w] += 1
    assert len(ref) > 1 << 15
    v, w, c = icm.pair_counts()
    assert dict(zip(zip(v.tolist(), w.tolist()), c.tolist())) == dict(ref)
    for (a, b), n in itertools.islice(ref.items(), 0, None, 7):
        assert icm.pair_count(a, b) == n
    singles = sorted({int(x) for x in cand[:, 0]})
    absent = [(a, b) for a, b in zip(rng.choice(singles, 3000), rng.choice(singles, 3000))
              if (int(a), int(b)) not in ref]
    assert absent and all(icm.pair_count(int(a), int(b)) == 0 for a, b in absent)


def test_character_model_counts_with_add_one():
    sym = np.array([0, 1, 1, 0, 2], dtype=np.int32)
    off = np.array([0, 3, 5])
    starts = np.array([1, 1, 0, 1, 1], dtype=np.uint8)        # [0] [1 1] | [0] [2]
    logem, logtr = joint.character_model(sym, off, starts, 3)
    em = np.ones((4, 3))
    for s, t in zip(sym, [S, B, E, S, S]):
        em[t, s] += 1
    assert np.allclose(np.exp(logem), em / em.sum(axis=1, keepdims=True))
    tr = np.ones((5, 4))
    for p, t in [(START, S), (S, B), (B, E), (START, S), (S, S)]:
        tr[p, t] += 1
    assert np.allclose(np.exp(logtr), tr / tr.sum(axis=1, keepdims=True))



@pytest.mark.parametrize("seed", range(3))
def test_base_symbols_are_counted_over_word_types(seed):
    rng = np.random.default_rng(seed)
    sym = rng.integers(0, 4, 40).astype(np.int32)
    off = np.array([0, 7, 15, 22, 31, 40])
    starts = (rng.random(40) < 0.5).astype(np.uint8)
    starts[off[:-1]] = 1
    starts[np.arange(40) % 3 == 0] = 1          # words of at most 3 symbols
    cand, length, first = _joint.intern_words(sym, off, 3)
    icm = _joint.ICM(sym, off, cand, length, starts)
    types = set()
    for r in range(off.size - 1):
        types.update(words_of(sym[off[r]:off[r + 1]].tolist(), starts[off[r]:off[r + 1]].tolist()))
    freq = np.ones(5)                           # add-one, over 5 symbols (one never seen)
    for w in types:                             # each type once, however often it occurs
        for s in w:
            freq[s] += 1
    got = joint.type_symbol_logp(sym, first, length, icm.count_arr[:-1] > 0, 5)
    assert np.allclose(np.exp(got), freq / freq.sum())


@pytest.mark.parametrize("seed", range(3))
def test_stats_count_the_current_segmentation(seed):
    """ICM.stats (what the model is re-estimated from between sweeps) against counts from the
    definition, after a sweep has changed the segmentation."""
    rng = np.random.default_rng(200 + seed)
    L = 3
    runs, sym, off, starts = random_corpus(rng, n_runs=25, n_sym=4, L=L)
    runs.append([])                                 # an empty run counts nothing
    off = np.append(off, off[-1])
    cand, length, _ = _joint.intern_words(sym, off, L)
    icm = _joint.ICM(sym, off, cand, length, starts)
    lplen, lpsym, logem, logtr = random_model(rng, 4, L)
    icm.sweep(rng.permutation(len(runs)).astype(np.int64), 3.0, 2.0, lplen, lpsym, logem, logtr, 0.25)
    cur = icm.starts_arr
    words = [words_of(run, cur[off[r] : off[r + 1]]) for r, run in enumerate(runs)]
    counts = RefCounts([ws for ws in words if ws])    # an empty run has no words, no pairs
    n_types, lens, em, tr, n_ctx, k_ctx = icm.stats(4)
    assert n_types == len(+counts.uni)
    assert lens.tolist() == [sum(1 for w in +counts.uni if len(w) == k) for k in range(L + 1)]
    ref_em = np.zeros((4, 4), dtype=np.int64)
    ref_tr = np.zeros((5, 4), dtype=np.int64)
    for ws in words:
        prev = START
        for w in ws:
            for s, y in zip(w, ref_tags([len(w)])):
                ref_em[y, s] += 1
                ref_tr[prev, y] += 1
                prev = y
    assert em.tolist() == ref_em.tolist()
    assert tr.tolist() == ref_tr.tolist()
    ids = {tuple(sym[first : first + n].tolist()): i for i, (first, n) in
           enumerate(zip(_joint.intern_words(sym, off, L)[2], length))}
    ids["$"] = icm.n_words
    ref_n = np.zeros(icm.n_words + 1, dtype=np.int64)
    ref_k = np.zeros(icm.n_words + 1, dtype=np.int64)
    for (v, _w), c in (+counts.bi).items():
        ref_n[ids[v]] += c
        ref_k[ids[v]] += 1
    assert n_ctx.tolist() == ref_n[ref_k > 0].tolist()       # the contexts with a successor
    assert k_ctx.tolist() == ref_k[ref_k > 0].tolist()
    # the numbers the sweeps use are those of the character model counted from the definition
    logem_ref, logtr_ref = joint.character_model(sym, off, cur, 4)
    logem_k, logtr_k = joint._log_character_model(em, tr)
    assert np.array_equal(logem_k, logem_ref) and np.array_equal(logtr_k, logtr_ref)


@pytest.mark.parametrize("seed", range(8))
def test_output_kernels_match_the_reference(seed):
    """line_lists and tokens_utf8 (the joint model's output of tokens by line and as UTF-8)
    against the definitions, on random text with newlines and spans between them."""
    from tests.reference import text_model

    rng = np.random.default_rng(300 + seed)
    alphabet = list("我们喜欢a1\n \n，𠀋")
    text = "".join(rng.choice(alphabet, size=int(rng.integers(0, 40))).tolist())
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    cuts = sorted(set(rng.integers(0, len(text) + 1, size=len(text) // 2 + 1).tolist()) | {0, len(text)})
    spans = [(a, b) for a, b in zip(cuts, cuts[1:]) if "\n" not in text[a:b] and (b == a + 1 or rng.random() < 0.7)]
    lo = np.array([a for a, _ in spans], dtype=np.int64)
    hi = np.array([b for _, b in spans], dtype=np.int64)
    assert _joint.line_lists(text, codes, lo, hi) == text_model.line_tokens(text, spans)
    for mid_line in (False, True):
        for delim in (" ", "/", ""):
            assert _joint.tokens_utf8(codes, lo, hi, delim.encode(), mid_line) == \
                text_model.tokens_utf8(text, spans, delim, mid_line)


# ---------------------------------------------------------------------- perceptron
def legal(prev, tag):
    return tag in (M, E) if prev in (B, M) else tag in (B, S)


def ref_viterbi(feat, lo, hi, w, tw, bits):
    m = hi - lo
    buckets = [_joint.feature_buckets(feat, lo, hi, lo + t, bits) for t in range(m)]
    best = None
    for tags in itertools.product(range(4), repeat=m):
        prev = START
        ok = True
        for y in tags:
            if not legal(prev, y):
                ok = False
                break
            prev = y
        if not ok or tags[-1] not in (E, S):
            continue
        sc = 0.0
        prev = START
        for t, y in enumerate(tags):
            sc += tw[prev * 4 + y] + sum(w[b * 4 + y] for b in buckets[t])
            prev = y
        if best is None or sc > best[0]:
            best = (sc, tags)
    return best


@pytest.mark.parametrize("seed", range(5))
def test_viterbi_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    bits = 6
    feat = rng.integers(0x4E00, 0x4E08, size=14).astype(np.int32)
    off = np.array([0, 1, 4, 9, 14])
    w = rng.normal(size=4 << bits)
    tw = rng.normal(size=20)
    tags = _joint.viterbi(feat, off, w, tw)
    w32 = w.astype(np.float32)                  # float32 weights decode as their float64 copy
    tags32 = _joint.viterbi(feat, off, w32, tw)
    for r in range(4):
        _, ref = ref_viterbi(feat, off[r], off[r + 1], w, tw, bits)
        assert tags[off[r] : off[r + 1]].tolist() == list(ref)
        _, ref32 = ref_viterbi(feat, off[r], off[r + 1], w32.astype(np.float64), tw, bits)
        assert tags32[off[r] : off[r + 1]].tolist() == list(ref32)


def test_feature_buckets_see_the_window():
    feat = np.array([10, 11, 12, 13], dtype=np.int32)
    a = _joint.feature_buckets(feat, 0, 4, 1, 20)
    b = _joint.feature_buckets(np.array([10, 11, 12, 99], dtype=np.int32), 0, 4, 1, 20)
    assert a[:4] == b[:4] and a[4] != b[4]        # C-2 .. C1 unchanged, C2 differs
    assert a[5:8] == b[5:8] and a[8] != b[8]      # so does C1C2 only, of the pairs
    assert len(set(a)) == 10


def ref_epoch(feat, off, order, gold, w, u, tw, tu, step, bits):
    for r in order:
        lo, hi = off[r], off[r + 1]
        _, pred = ref_viterbi(feat, lo, hi, w, tw, bits)
        g = gold[lo:hi].tolist()
        if list(pred) != g:
            phi = Counter()
            prev_g = prev_p = START
            for t in range(hi - lo):
                for bk in _joint.feature_buckets(feat, lo, hi, lo + t, bits):
                    phi[bk * 4 + g[t]] += 1
                    phi[bk * 4 + pred[t]] -= 1
                phi["t", prev_g * 4 + g[t]] += 1
                phi["t", prev_p * 4 + pred[t]] -= 1
                prev_g, prev_p = g[t], pred[t]
            for key, d in phi.items():
                if isinstance(key, tuple):
                    tw[key[1]] += d
                    tu[key[1]] += step * d
                else:
                    w[key] += d
                    u[key] += step * d
        step += 1
    return step


def test_perceptron_epoch_matches_reference():
    rng = np.random.default_rng(7)
    bits = 5
    feat = rng.integers(0x4E00, 0x4E06, size=16).astype(np.int32)
    off = np.array([0, 3, 7, 10, 16])
    starts = rng.integers(0, 2, size=16).astype(np.uint8)
    starts[off[:-1]] = 1
    gold = joint.bmes_tags(starts, off)
    # random starting weights: with all-zero weights every tag sequence ties, and the brute force
    # breaks ties differently from the kernel
    w, u, tw, tu = rng.normal(size=4 << bits), np.zeros(4 << bits), rng.normal(size=20), np.zeros(20)
    rw, ru, rtw, rtu = w.copy(), u.copy(), tw.copy(), tu.copy()
    step = rstep = 1
    for _epoch in range(3):
        order = rng.permutation(4).astype(np.int64)
        step, _ = _joint.perceptron_epoch(feat, off, order, gold, w, u, tw, tu, step)
        rstep = ref_epoch(feat, off, order, gold, rw, ru, rtw, rtu, rstep, bits)
    assert step == rstep
    assert np.allclose(w, rw) and np.allclose(u, ru) and np.allclose(tw, rtw) and np.allclose(tu, rtu)


@pytest.mark.parametrize("off, order, gold, message", [
    ([1, 3], [0], [0, 2, 3], "start at 0"),
    ([0, 2], [0], [0, 2, 3], "end at the number"),
    ([0, 2, 1, 3], [0], [0, 2, 3], "must not decrease"),
    ([0, 3], [1], [0, 1, 2], "does not exist"),
    ([0, 3], [-1], [0, 1, 2], "does not exist"),
    ([0, 3], [0], [0, 1, 4], "gold tags"),
])
def test_perceptron_kernels_check_their_runs(off, order, gold, message):
    feat = np.array([0x4E00, 0x4E01, 0x4E02], dtype=np.int32)
    off = np.array(off, dtype=np.int64)
    w = np.zeros(4 << 4)
    with pytest.raises(ValueError, match=message):
        _joint.perceptron_epoch(feat, off, np.array(order, dtype=np.int64), np.array(gold, dtype=np.int8),
                                w, np.zeros(w.size), np.zeros(20), np.zeros(20), 1)
    if message not in ("does not exist", "gold tags"):
        with pytest.raises(ValueError, match=message):
            _joint.viterbi(feat, off, w, np.zeros(20))


def test_perceptron_kernels_skip_empty_runs():
    rng = np.random.default_rng(3)
    feat = rng.integers(0x4E00, 0x4E06, size=9).astype(np.int32)
    w, tw = rng.normal(size=4 << 5), rng.normal(size=20)
    dense = np.array([0, 4, 9])
    gappy = np.array([0, 0, 4, 4, 4, 9, 9])        # the same runs with empty ones between
    assert np.array_equal(_joint.viterbi(feat, dense, w, tw), _joint.viterbi(feat, gappy, w, tw))
    gold = joint.bmes_tags(np.array([1, 0, 1, 0, 1, 1, 0, 0, 1], dtype=np.uint8), dense)
    runs = []
    for off, order in ((dense, [1, 0]), (gappy, [4, 0, 5, 1, 3, 2])):
        arrays = (w.copy(), np.zeros(w.size), tw.copy(), np.zeros(20))
        _joint.perceptron_epoch(feat, off, np.array(order, dtype=np.int64), gold, *arrays, 1)
        runs.append(arrays)
    for a, b in zip(*runs):
        assert np.array_equal(a, b)


def test_perceptron_epoch_in_float32_is_the_float64_epoch():
    rng = np.random.default_rng(11)
    bits = 6
    feat = rng.integers(0x4E00, 0x4E09, size=60).astype(np.int32)
    off = np.array([0, 5, 12, 20, 31, 40, 47, 60])
    starts = rng.integers(0, 2, size=60).astype(np.uint8)
    starts[off[:-1]] = 1
    gold = joint.bmes_tags(starts, off)
    w64, u64, tw64, tu64 = np.zeros(4 << bits), np.zeros(4 << bits), np.zeros(20), np.zeros(20)
    w32, u32, tw32, tu32 = np.zeros(4 << bits, dtype=np.float32), np.zeros(4 << bits), np.zeros(20), np.zeros(20)
    s64 = s32 = 1
    for _epoch in range(4):
        order = rng.permutation(off.size - 1).astype(np.int64)
        s64, e64 = _joint.perceptron_epoch(feat, off, order, gold, w64, u64, tw64, tu64, s64)
        s32, e32 = _joint.perceptron_epoch(feat, off, order, gold, w32, u32, tw32, tu32, s32)
        assert (s64, e64) == (s32, e32)
    assert e64 > 0 or np.any(w64)
    assert np.array_equal(w64, w32.astype(np.float64)) and np.array_equal(u64, u32)
    assert np.array_equal(tw64, tw32) and np.array_equal(tu64, tu32)


def test_perceptron_epoch_in_float32_refuses_weights_past_2_to_the_24():
    feat = np.array([0x4E00, 0x4E01, 0x4E02], dtype=np.int32)
    off = np.array([0, 3])
    gold = joint.bmes_tags(np.array([1, 0, 0], dtype=np.uint8), off)
    w = np.full(4 << 4, 2.0 ** 24, dtype=np.float32)
    w[3::4] = 2.0 ** 25               # every symbol decodes as S: wrong, so the weights move
    with pytest.raises(OverflowError):
        _joint.perceptron_epoch(feat, off, np.array([0], dtype=np.int64), gold, w, np.zeros(w.size),
                                np.zeros(20), np.zeros(20), 1)
    # the same in float64 is no error
    _joint.perceptron_epoch(feat, off, np.array([0], dtype=np.int64), gold, w.astype(np.float64),
                            np.zeros(w.size), np.zeros(20), np.zeros(20), 1)


def test_train_perceptron_falls_back_to_float64(monkeypatch):
    feat = np.array([ord(c) for c in "我们喜欢我们" * 4], dtype=np.int32)
    off = np.arange(0, 25, 2)
    starts = np.tile(np.array([1, 0], dtype=np.uint8), 12)
    expected = joint.train_perceptron(feat, off, starts)
    epoch = _joint.perceptron_epoch
    dtypes = []

    def float32_overflows(feat, off, order, gold, w, *rest):
        dtypes.append(w.dtype)
        if w.dtype == np.float32:
            raise OverflowError("as if a weight reached 2**24")
        return epoch(feat, off, order, gold, w, *rest)

    monkeypatch.setattr(_joint, "perceptron_epoch", float32_overflows)
    got = joint.train_perceptron(feat, off, starts)
    assert dtypes[0] == np.float32 and set(dtypes[1:]) == {np.dtype(np.float64)}
    assert np.array_equal(got.weights, expected.weights) and got.epochs == expected.epochs


def test_tags_from_starts():
    starts = np.array([1, 0, 0, 1, 1, 1, 0, 1], dtype=np.uint8)
    off = np.array([0, 5, 7, 8])
    assert joint.bmes_tags(starts, off).tolist() == [B, M, E, S, S, B, E, S]


# ---------------------------------------------------------------------- text model
def test_encode_agrees_with_the_counter_text_model():
    from nlpzero import _ngram
    from nlpzero._text import as_codes

    text = "今天ＡＢＣ１２３的，天气。 hello 42x 不错\n第二行·马克思"
    codes = as_codes(text)
    feat, start, end = _joint.encode(codes, True)
    sym, s2, e2 = _ngram.encode_symbols(codes, True, True)
    assert start.tolist() == s2.tolist() and end.tolist() == e2.tolist()
    assert ((feat < 0) == (sym == 0)).all()
    want = np.where(sym == _ngram.DIGIT_SYMBOL, _joint.DIGITS_CODE,
                    np.where(sym == _ngram.LATIN_SYMBOL, _joint.LATIN_CODE, sym.astype(np.int64)))
    assert feat[feat >= 0].tolist() == want[sym != 0].tolist()


def test_number_rule_keeps_decimals_and_percent_whole():
    lines = ["今年增长了３．５％，明年增长１２．８％。", "去年增长了2.5%，价格上涨５‰。"] * 30 + ["今年我们都很好"] * 20
    toks = [t for line in segment_unsupervised(lines, method="joint") for t in line]
    assert "３．５％" in toks and "１２．８％" in toks and "2.5%" in toks and "５‰" in toks
    assert "，" in toks and "。" in toks


# ---------------------------------------------------------------------- API
LINES = ["我们喜欢自然语言处理。", "自然语言很美，我们都喜欢。", "北京大学的研究生喜欢自然语言。"] * 40


def test_joint_segmentation_keeps_every_character():
    out = list(segment_unsupervised(LINES, method="joint"))
    assert len(out) == len(LINES)
    assert all("".join(toks) == line for toks, line in zip(out, LINES))
    lo, hi = segment_unsupervised_spans(LINES, method="joint")
    joined = "\n".join(LINES) + "\n"
    assert [joined[a:b] for a, b in zip(lo, hi)] == [t for toks in out for t in toks]


def test_joint_is_deterministic_and_seeded():
    a = list(segment_unsupervised(LINES, method="joint", seed=3))
    b = list(segment_unsupervised(LINES, method="joint", seed=3))
    assert a == b


def test_learn_segmenter_joint_segments_new_text():
    seg = learn_segmenter(LINES, method="joint")
    assert isinstance(seg, joint.JointSegmenter)
    text = "北京大学的研究生喜欢自然语言处理。新的一行 ABC"
    toks = seg.lcut(text)
    assert "".join(toks) == text.replace(" ", "")
    assert "。" in toks and "ABC" in toks
    assert seg.spans(text).shape == (len(toks), 2)
    assert list(seg.cut_lines(["我们喜欢", "自然语言"])) == [seg.lcut("我们喜欢"), seg.lcut("自然语言")]
    assert seg.info["sweeps"] >= 1 and all(a > 0 for a in seg.info["alpha0"])
    import pickle

    assert pickle.loads(pickle.dumps(seg)).lcut(text) == toks


def test_joint_falls_back_to_nvbe_on_a_tiny_corpus():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = list(segment_unsupervised(["我们喜欢自然语言处理", "自然语言很美"] * 3, method="joint"))
    assert any("too small for the joint model" in str(w.message) for w in caught)
    assert len(out) == 6


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="method"):
        learn_segmenter(LINES, method="gibbs")


def test_refine_rejects_a_start_too_long():
    sym = np.zeros(6, dtype=np.int32)
    with pytest.raises(ValueError, match="max_word_len"):
        joint.refine(sym, np.array([0, 6]), np.array([1, 0, 0, 0, 0, 0], dtype=np.uint8), max_word_len=4)


def test_cli_segment_method_joint(tmp_path):
    from click.testing import CliRunner

    from nlpzero.cli import main

    src = tmp_path / "in.txt"
    src.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    res = CliRunner().invoke(main, ["segment", str(src), "--method", "joint", "-o", str(out), "-q", "-j", "1"])
    assert res.exit_code == 0, res.output
    got = out.read_text(encoding="utf-8").split("\n")
    assert got[: len(LINES)] == [" ".join(tokens) for tokens in segment_unsupervised(str(src), method="joint")]
    res = CliRunner().invoke(main, ["segment", str(src), "--method", "nvbe", "--dict", "jieba", "-q"])
    assert res.exit_code == 2 and "--method" in res.output


def test_bad_seed_is_rejected_before_learning():
    with pytest.raises(ValueError, match="seed"):
        segment_unsupervised(LINES, seed=-1)


# ---------------------------------------------------------------------- bounded training sample
def _corpus_lines(n=400):
    rng = np.random.default_rng(5)
    words = ["我们", "喜欢", "自然", "语言", "处理", "北京", "大学", "研究生", "很", "美", "的", "都"]
    return ["".join(rng.choice(words, size=rng.integers(3, 9))) + "。" for _ in range(n)]


def test_joint_sample_is_an_even_share_of_the_runs_up_to_the_cap():
    """Past the cap, the joint model sees run r when floor((r+1)·cap/N) > floor(r·cap/N) (N run
    symbols), never more than cap symbols, with nVBE's starts of exactly those runs."""
    from nlpzero._joint_learn import joint_inputs
    from nlpzero._passes import learn_model
    from nlpzero.joint import JOINT_BYTES_PER_CHAR

    lines = _corpus_lines()
    passes, model = learn_model(lines)
    whole = joint_inputs(passes, model)                                 # default budget: all of it
    assert not whole.sampled and whole.sym.size == passes.N
    runs = [(whole.sym[a:b].tolist(), whole.starts[a:b].tolist())
            for a, b in zip(whole.off[:-1], whole.off[1:])]
    for share in (3, 7):
        cap = passes.N // share
        sample = joint_inputs(passes, model, cap * JOINT_BYTES_PER_CHAR)
        assert sample.sampled and sample.total == passes.N
        assert 0.8 * cap < sample.sym.size <= cap                     # fills most of the cap
        got = [(sample.sym[a:b].tolist(), sample.starts[a:b].tolist())
               for a, b in zip(sample.off[:-1], sample.off[1:])]
        expected, kept = [], 0
        for r, run in enumerate(runs):
            if (r + 1) * cap // passes.N > r * cap // passes.N:
                if kept + len(run[0]) > cap:
                    break
                kept += len(run[0])
                expected.append(run)
        assert got == expected
        assert len({tuple(run[0]) for run in got}) > 1


def test_joint_learning_on_a_sample_records_it_and_segments_everything():
    """Past learn_sample_chars(max_memory) characters, learning reads a sample of the lines
    (nlpzero._sample; its cap is below the joint model's, so the joint model refines all of it)."""
    from nlpzero.unsupervised import learn_sample_chars

    lines = _corpus_lines(1000)
    budget = 1 << 18
    cap = learn_sample_chars(budget)
    seg = learn_segmenter(lines, method="joint", max_memory=budget)
    assert seg.learned["sampled_characters"] <= cap < seg.learned["sample_of_characters"]
    assert seg.learned["sample_characters"] == seg.learned["characters"] < seg.learned["sampled_characters"]
    out = list(segment_unsupervised(lines, method="joint", max_memory=budget))
    # past the cap, the corpus is segmented by the perceptron trained on the sample
    assert out == list(seg.cut_lines(lines))
    assert all("".join(t) == line for t, line in zip(out, lines))
    lo, hi = segment_unsupervised_spans(lines, method="joint", max_memory=budget)
    joined = "\n".join(lines) + "\n"
    assert [joined[a:b] for a, b in zip(lo, hi)] == [t for toks in out for t in toks]


# ---------------------------------------------------------------------- type-level merges (long words)
@pytest.mark.parametrize("seed", range(4))
def test_merge_gains_are_the_change_of_the_hdp_probability(seed):
    from reference.unsupervised import ref_hdp_log_prob

    from nlpzero._joint_merge import candidate_gains

    rng = np.random.default_rng(seed)
    t_len = [2, 3, 3, 2, 1, 3]
    t_lp = [-3.0, -5.5, -4.0, -2.5, -1.0, -6.0]
    seq = [-1]
    for _ in range(60):                                  # runs of 1-6 words, a planted pair (1, 2) often
        for _ in range(int(rng.integers(1, 7))):
            seq += [1, 2] if rng.random() < 0.3 else [int(rng.integers(0, 6))]
        seq.append(-1)
    seq = np.array(seq, dtype=np.int64)

    def log_p0(length, lp):
        return 0.7 - 1.3 * length + 0.1 * lp

    results = candidate_gains(seq, t_len, t_lp, 4, 40.0, 7.0, log_p0=log_p0)
    assert results
    assert all(t_len[v] + t_len[w] > 4 and v != w for _, v, w, _ in results)
    for gain, v, w, p in results:
        u = len(t_len)
        after = seq.copy()
        after[p] = u
        after[p + 1] = -2
        after = after[after != -2]
        lens, lps = [*t_len, t_len[v] + t_len[w]], [*t_lp, t_lp[v] + t_lp[w]]

        def lp0(y, lens=lens, lps=lps):
            return log_p0(lens[y], lps[y])

        want = ref_hdp_log_prob(after.tolist(), lp0, 40.0, 7.0) - ref_hdp_log_prob(seq.tolist(), lp0, 40.0, 7.0)
        assert gain == pytest.approx(want, abs=1e-7), (v, w)


def test_merges_make_words_longer_than_max_word_len():
    from nlpzero._joint_merge import merge_words

    # runs of a 3-symbol word then a 2-symbol word that always follow each other, and runs
    # where a 2-symbol word follows words of every kind
    rng = np.random.default_rng(0)
    sym = [0, 1, 2, 3, 4] * 30
    starts = [1, 0, 0, 1, 0] * 30
    for _ in range(40):
        a = int(rng.integers(7, 12))
        sym += [a, a + 1, a + 2, 5, 6]
        starts += [1, 0, 0, 1, 0]
    sym = np.array(sym, dtype=np.int32)
    off = np.arange(0, sym.size + 1, 5)
    merged, n, _ = merge_words(sym, off, np.array(starts, dtype=np.uint8), 4, 10.0, 5.0)
    assert n == 1
    assert merged[:150].tolist() == [1, 0, 0, 0, 0] * 30          # one five-symbol word
    assert merged[150:].tolist() == starts[150:]                   # 56 follows five words: no merge
    classes = np.zeros(20, dtype=bool)
    classes[2] = True                       # symbol 2 a collapsed digit stretch: 012 is not one string
    kept, n, _ = merge_words(sym, off, np.array(starts, dtype=np.uint8), 4, 10.0, 5.0, classes=classes)
    assert n == 0 and kept.tolist() == starts
    classes[:] = False
    classes[12] = True                      # a class symbol elsewhere changes nothing
    again, n, _ = merge_words(sym, off, np.array(starts, dtype=np.uint8), 4, 10.0, 5.0, classes=classes)
    assert n == 1 and np.array_equal(again, merged)


def test_long_words_option_of_the_joint_model():
    """With max_word_len=2 the ICM cannot make 马克思, 邓小平 or 共产党; the merges can (the words
    always co-occur, so both experts gain)."""
    from nlpzero.errors import ParameterError

    rng = np.random.default_rng(3)
    words = ["邓小平理论", "马克思主义", "我们", "学习", "坚持", "的", "和", "发展", "经济", "人民", "社会主义",
             "共产党"]
    lines = ["".join(rng.choice(words, size=8)) for _ in range(400)]
    plain = {t for line in segment_unsupervised(lines, method="joint", max_word_len=2, long_words=False)
             for t in line}
    assert max(len(t) for t in plain) == 2
    longer = list(segment_unsupervised(lines, method="joint", max_word_len=2, long_words=True))
    assert {"马克思", "邓小平", "共产党"} <= {t for line in longer for t in line}
    assert list(segment_unsupervised(lines, max_word_len=2)) == longer          # the default
    assert list(segment_unsupervised(lines, method="nvbe", max_word_len=2)) == list(
        segment_unsupervised(lines, method="nvbe", max_word_len=2, long_words=False))
    seg = learn_segmenter(lines, method="joint", max_word_len=2, long_words=True)
    assert "共产党" in seg.lcut("我们的共产党")
    with pytest.raises(ParameterError, match="long_words"):
        learn_segmenter(lines, method="nvbe", long_words=True)
    with pytest.raises(ParameterError, match="long_words"):
        segment_unsupervised(lines, long_words="yes")


def _ref_char_counts(seq, syms):
    """Tag × symbol and tag-transition counts (Counters) of a segmentation given as type ids,
    -1 between runs: tags B M E S = 0 1 2 3, START = 4 before the first word of a run."""
    em, tr = Counter(), Counter()
    prev = 4
    for t in seq:
        if t == -1:
            prev = 4
            continue
        k = len(syms[t])
        for g, c in zip([3] if k == 1 else [0] + [1] * (k - 2) + [2], syms[t]):
            em[(g, c)] += 1
            tr[(prev, g)] += 1
            prev = g
    return em, tr


def _ref_char_count_arrays(seq, syms, n_symbols):
    """:func:`_ref_char_counts` as the (4, n_symbols) and (5, 4) int64 arrays CharModel takes."""
    em, tr = np.zeros((4, n_symbols), dtype=np.int64), np.zeros((5, 4), dtype=np.int64)
    counts_em, counts_tr = _ref_char_counts(seq.tolist(), syms)
    for (g, c), n in counts_em.items():
        em[g, c] = n
    for (prev, g), n in counts_tr.items():
        tr[prev, g] = n
    return em, tr


def _ref_char_loglik(seq, syms, n_symbols):
    """The character position model's log-likelihood of a segmentation (type ids, -1 between
    runs) with its own add-one estimates, from the definition: count tag × symbol and tag
    transitions (START first in a run), then Σ n log((n + 1) / (N_row + width))."""
    em, tr = _ref_char_counts(seq, syms)
    total = 0.0
    for table, width in ((em, n_symbols), (tr, 4)):
        rows = Counter()
        for (r, _), n in table.items():
            rows[r] += n
        total += sum(n * math.log((n + 1) / (rows[r] + width)) for (r, _), n in table.items())
    return total


@pytest.mark.parametrize("seed", range(3))
def test_merge_gains_add_the_change_of_the_character_model(seed):
    from nlpzero._joint_merge import CharModel, candidate_gains

    rng = np.random.default_rng(seed)
    syms = [(0, 1), (2, 3, 4), (5, 6, 0), (1, 2), (3,), (4, 5, 6)]
    t_len = [len(x) for x in syms]
    t_lp = [-1.0 * len(x) for x in syms]
    seq = [-1]
    for _ in range(50):
        for _ in range(int(rng.integers(1, 6))):
            seq += [1, 2] if rng.random() < 0.3 else [int(rng.integers(0, 6))]
        seq.append(-1)
    seq = np.array(seq, dtype=np.int64)
    em, tr = _ref_char_count_arrays(seq, syms, 7)      # the model's counts of this segmentation
    plain = {(v, w): g for g, v, w, _ in candidate_gains(seq, t_len, t_lp, 4, 30.0, 6.0)}
    both = candidate_gains(seq, t_len, t_lp, 4, 30.0, 6.0, char=CharModel(em, tr, list(syms)))
    assert both
    for gain, v, w, p in both:
        after = seq.copy()
        after[p] = len(syms)
        after[p + 1] = -2
        after = after[after != -2]
        merged = [*syms, syms[v] + syms[w]]
        want = _ref_char_loglik(after.tolist(), merged, 7) - _ref_char_loglik(seq.tolist(), merged, 7)
        assert gain - plain[(v, w)] == pytest.approx(want, abs=1e-8), (v, w)


def _kernel_gains(seq, t_len, t_lp, L, alpha0, alpha1, char=None, t_open=None):
    """pass_gains as {(v, w): (gain, positions)}."""
    from nlpzero._joint_merge import pass_gains

    cv, cw, gain, occ, bounds = pass_gains(seq, t_len, t_lp, L, alpha0, alpha1, char=char, t_open=t_open)
    assert np.all(np.diff(cv * (len(t_len) + 1) + cw) > 0)          # in (v, w) order
    return {(int(v), int(w)): (float(g), occ[bounds[i]:bounds[i + 1]].tolist())
            for i, (v, w, g) in enumerate(zip(cv, cw, gain))}


def _assert_same_gains(got, want):
    assert want and got.keys() == want.keys()
    for key, (g, p) in want.items():
        assert got[key][0] == pytest.approx(g, rel=1e-9, abs=1e-9), key
        assert got[key][1] == p, key


@pytest.mark.parametrize("seed", range(8))
def test_compiled_merge_gains_match_the_reference(seed):
    """pass_gains (the compiled kernel) gives the candidates, positions and gains of
    candidate_gains (one window at a time), with and without the character model, for every
    pair (L = 0) and for long pairs only: runs with chains ``v w v w``, windows sharing a word,
    pairs at run edges, types that vanish when all their occurrences merge, closed types."""
    from nlpzero._joint_merge import CharModel, candidate_gains

    rng = np.random.default_rng(seed)
    syms = [(0, 1), (2, 3, 4), (5, 6, 0), (1, 2), (3,), (4, 5, 6), (2,), (6, 1, 1, 0), (1,), (0, 6)]
    t_len = [len(x) for x in syms]
    t_lp = [-0.7 * len(x) - 0.1 * i for i, x in enumerate(syms)]
    seq = [-1]
    for _ in range(60):
        for _ in range(int(rng.integers(1, 7))):
            r = rng.random()
            seq += ([1, 2] if r < 0.3 else [3, 4] if r < 0.45 else [1, 2, 1, 2] if r < 0.5
                    else [9, 8] if r < 0.53 else [2, 1, 2] if r < 0.56 else [int(rng.integers(0, 8))])
        seq.append(-1)
    seq = np.array(seq, dtype=np.int64)
    assert np.count_nonzero(seq == 9) == np.count_nonzero(seq[:-1][seq[1:] == 8] == 9)   # 9 and 8 vanish
    em, tr = _ref_char_count_arrays(seq, syms, 7)
    t_open = np.ones(len(syms), dtype=bool)
    t_open[seed % len(syms)] = seed % 3 != 0                  # sometimes one closed (class) type
    for with_char in (False, True):
        for L in (0, 2, 3, 4):
            def char(with_char=with_char):
                return CharModel(em, tr, list(syms)) if with_char else None

            want = {(v, w): (g, p.tolist()) for g, v, w, p in candidate_gains(seq, t_len, t_lp, L, 30.0, 6.0,
                                                                              char=char(), t_open=t_open)}
            _assert_same_gains(_kernel_gains(seq, t_len, t_lp, L, 30.0, 6.0, char=char(), t_open=t_open), want)


def test_compiled_merge_gains_refuse_what_would_read_outside_the_arrays():
    """The kernel checks the invariants it relies on (run marks at both ends, ids in range,
    occurrences that are occurrences of their pair) and raises instead of reading past an array."""
    from nlpzero import _merge
    from nlpzero._joint_merge import pass_gains

    seq = np.array([-1, 0, 1, 2, 0, 1, -1, 0, 1, -1], dtype=np.int64)
    t_len, t_lp = [1, 2, 1], [-1.0, -2.0, -1.0]
    cv, cw, gain, occ, bounds = pass_gains(seq, t_len, t_lp, 0, 10.0, 3.0)
    assert (cv.tolist(), cw.tolist(), occ.tolist()) == ([0], [1], [1, 4, 7])
    W = 5
    pc = np.ones(seq.size - 1, dtype=np.int64)
    z = np.zeros(0, dtype=np.int64)
    args = dict(cv=cv, cw=cw, W=W, n_ctx=np.zeros(W, dtype=np.int64), m_succ=np.zeros(W, dtype=np.int64), T=3,
                lens=np.array(t_len, dtype=np.int64), n_tok=np.zeros(3, dtype=np.int64), lp0_type=np.zeros(3),
                lp0_u=np.zeros(1), alpha0=10.0, alpha1=3.0, em=z, tr=z, pool=z, t_off=z, S=0, with_char=False,
                gain=np.zeros(1))
    _merge.pass_gains(seq, pc, occ, bounds, **args)
    bad_seq = seq.copy()
    bad_seq[-1] = 0                                         # no run mark at the end
    bad_occ = occ.copy()
    bad_occ[2] = 8                                          # seq[8] is not v: would read seq[10]
    for s_, o_ in ((bad_seq, occ), (seq, bad_occ)):
        with pytest.raises(ValueError):
            _merge.pass_gains(s_, pc, o_, bounds, **args)
    with pytest.raises(ValueError):
        _merge.greedy(np.array([3], dtype=np.int64), cv, cw, np.zeros(3, dtype=np.uint8), np.zeros(1, dtype=np.uint8))


def test_compiled_merge_gains_match_the_reference_on_a_real_sample():
    """The same on the words of nVBE's segmentation of 150 review lines (every pair a candidate,
    then the long ones), with the character model of that segmentation."""
    from nlpzero._joint_merge import CharModel, candidate_gains

    path = Path(__file__).resolve().parents[1] / "nlpzero" / "data" / "reviews.txt"
    lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()][:150]
    words = list(segment_unsupervised(lines, method="nvbe"))
    types = sorted({t for line in words for t in line})
    tid = {t: i for i, t in enumerate(types)}
    chars = sorted({ch for t in types for ch in t})
    cid = {ch: i for i, ch in enumerate(chars)}
    syms = [tuple(cid[ch] for ch in t) for t in types]
    seq = [-1]
    for line in words:
        seq += [tid[t] for t in line] + [-1]
    seq = np.array(seq, dtype=np.int64)
    t_len = [len(x) for x in syms]
    t_lp = [-1.1 * len(x) for x in syms]
    em, tr = _ref_char_count_arrays(seq, syms, len(chars))
    for L in (0, 3):
        want = {(v, w): (g, p.tolist()) for g, v, w, p in candidate_gains(seq, t_len, t_lp, L, 500.0, 20.0,
                                                                          char=CharModel(em, tr, list(syms)))}
        assert len(want) > (100 if L == 0 else 5)
        _assert_same_gains(_kernel_gains(seq, t_len, t_lp, L, 500.0, 20.0, char=CharModel(em, tr, list(syms))),
                           want)


def test_merges_by_the_vectorised_gains_are_the_reference_merges():
    from nlpzero._joint_merge import merge_words

    rng = np.random.default_rng(1)
    words = [[int(a) for a in rng.integers(20, 220, int(rng.integers(1, 4)))] for _ in range(300)]
    sym, starts, off = [], [], [0]
    for _ in range(300):
        for _ in range(int(rng.integers(2, 6))):
            w = words[int(rng.integers(0, len(words)))] if rng.random() < 0.6 else [12, 13, 14, 15, 16]
            if w[0] == 12:                          # 121314 1516: two words that always co-occur
                sym += w
                starts += [1, 0, 0, 1, 0]
            else:
                sym += w
                starts += [1] + [0] * (len(w) - 1)
        off.append(len(sym))
    sym, starts, off = np.array(sym, np.int32), np.array(starts, np.uint8), np.array(off)
    for all_pairs in (False, True):
        for char in (False, True):              # (the character model vetoes the long merge)
            fast = merge_words(sym, off, starts, 4, 20.0, 5.0, char=char, all_pairs=all_pairs)
            slow = merge_words(sym, off, starts, 4, 20.0, 5.0, char=char, fast=False, all_pairs=all_pairs)
            assert fast[1] == slow[1] >= (0 if char else 1)
            assert fast[2] == slow[2]
            assert np.array_equal(fast[0], slow[0])
            again = merge_words(sym, off, starts, 4, 20.0, 5.0, char=char, all_pairs=all_pairs)
            assert np.array_equal(again[0], fast[0])        # deterministic


def test_merge_type_keys_are_equal_exactly_for_equal_strings():
    """The type ids of the merges come from one key per token: equal keys iff equal symbol
    strings, with the packed keys and with the substring-id fallback (too many symbols)."""
    from nlpzero._joint_merge import _string_keys

    rng = np.random.default_rng(5)
    for n_symbols in (7, 1 << 20):
        sym = rng.integers(0, 3, 400).astype(np.int32) * (n_symbols // 3)
        off = np.array([0, 150, 400])
        starts = (rng.random(400) < 0.45).astype(np.uint8)
        starts[off[:-1]] = 1
        starts[np.arange(400) % 4 == 0] = 1                       # words of at most 4 symbols
        lo = np.flatnonzero(starts)
        hi = np.minimum(np.append(lo[1:], 400), off[np.searchsorted(off, lo, side="right")])
        keys = _string_keys(sym, off, lo, hi, 4, n_symbols)
        strings = [tuple(sym[a:b].tolist()) for a, b in zip(lo, hi)]
        for i in range(0, lo.size, 7):
            for j in range(lo.size):
                assert (keys[i] == keys[j]) == (strings[i] == strings[j])


def test_pair_table_is_the_recounted_pairs():
    from nlpzero._joint_merge import pair_table

    rng = np.random.default_rng(2)
    for trial in range(20):
        seq = [-1]
        for _ in range(40):
            seq += [int(a) for a in rng.integers(0, 6, int(rng.integers(1, 6)))] + [-1]
        seq = np.array(seq, dtype=np.int64)
        W = 8 if trial % 2 else 1 << 21             # packed keys, and the plain argsort when they do not fit
        keys, counts, pc, at, first = pair_table(seq, W)
        xs, ys, cs = _ref_pairs(seq)
        assert (keys // W - 1).tolist() == xs and (keys % W - 1).tolist() == ys and counts.tolist() == cs
        ref = Counter(zip(seq[:-1].tolist(), seq[1:].tolist()))
        assert pc.tolist() == [0 if a == b == -1 else ref[(a, b)] for a, b in zip(seq[:-1].tolist(), seq[1:].tolist())]
        for i, k in enumerate(keys.tolist()):
            p = at[first[i]:first[i] + counts[i]]
            assert np.all(np.diff(p) > 0)
            assert all((seq[q] + 1) * W + seq[q + 1] + 1 == k for q in p.tolist())


def _ref_pairs(seq):
    """Distinct adjacent pairs (x, y) in (x, y) order with their counts, two run marks excluded."""
    c = Counter((int(a), int(b)) for a, b in zip(seq[:-1], seq[1:]) if not (a == -1 and b == -1))
    keys = sorted(c)
    return [k[0] for k in keys], [k[1] for k in keys], [c[k] for k in keys]


def _ref_pass_table(seq, lens, L, t_open):
    """What the compiled pass_table gives, from the numpy pair_table and the candidate rule."""
    from nlpzero._joint_merge import pair_table

    W = len(lens) + 2
    keys, counts, pc, at, first = pair_table(seq, W)
    x, y = keys // W - 1, keys % W - 1
    cand = [i for i in range(keys.size) if x[i] >= 0 and y[i] >= 0 and x[i] != y[i] and counts[i] >= 2
            and lens[x[i]] + lens[y[i]] > L and t_open[x[i]] and t_open[y[i]]]
    occ = [at[first[i]:first[i] + counts[i]].tolist() for i in cand]
    n_ctx, m_succ = np.zeros(W, dtype=np.int64), np.zeros(W, dtype=np.int64)
    for a, b, c in zip(x.tolist(), y.tolist(), counts.tolist()):
        n_ctx[a + 1] += c
        m_succ[b + 1] += 1
    n_tok = np.bincount(seq[seq >= 0], minlength=len(lens))
    return (x[cand].tolist(), y[cand].tolist(), occ, pc.tolist(), n_ctx.tolist(), m_succ.tolist(),
            n_tok.tolist(), int(keys.size))


def _pass_table_cases(rng):
    """Random segmentations (chains v w v w, runs of one word, repeated run edges) and the
    edge cases: no token, one run of one token, one chain."""
    yield np.array([-1, -1], dtype=np.int64), 3
    yield np.array([-1, 0, -1], dtype=np.int64), 1
    yield np.array([-1, 0, 1, 0, 1, 0, 1, -1, 1, 0, -1], dtype=np.int64), 2
    yield np.array([-1, 0, 1, -1, -1, 0, 1, -1], dtype=np.int64), 2
    for _ in range(30):
        n_t = int(rng.integers(1, 7))
        seq = [-1]
        for _ in range(int(rng.integers(1, 30))):
            if rng.random() < 0.3:
                seq += [0, 1] * int(rng.integers(1, 4)) if n_t > 1 else [0]
            else:
                seq += [int(a) for a in rng.integers(0, n_t, int(rng.integers(1, 6)))]
            seq += [-1]
        yield np.array(seq, dtype=np.int64), n_t


def test_compiled_pass_table_is_the_pair_table():
    """The compiled pair table of a pass (one sort, candidates and their occurrences, per-id
    counts) is what the numpy pair_table and the candidate rule give, with keys packed with
    the positions and with the plain argsort, and with unused type ids."""
    from nlpzero import _merge

    rng = np.random.default_rng(5)
    for seq, n_t in _pass_table_cases(rng):
        for extra, pack in ((0, True), (0, False), (3, True)):
            lens = rng.integers(1, 4, n_t + extra).astype(np.int64)
            t_open = (rng.random(n_t + extra) < 0.8).astype(np.uint8)
            for L in (0, 3):
                got = _merge.pass_table(seq, n_t + extra + 2, lens, L, t_open, pack)
                cv, cw, occ, bounds, pc, n_ctx, m_succ, n_tok, T = got
                ref = _ref_pass_table(seq, lens, L, t_open)
                assert (cv.tolist(), cw.tolist()) == (ref[0], ref[1])
                assert [occ[bounds[c]:bounds[c + 1]].tolist() for c in range(cv.size)] == ref[2]
                assert bounds[0] == 0 and bounds[-1] == occ.size
                assert (pc.tolist(), n_ctx.tolist(), m_succ.tolist(), n_tok.tolist(), T) == ref[3:]


def test_compiled_pass_table_refuses_bad_input():
    from nlpzero import _merge

    lens, t_open = np.ones(2, dtype=np.int64), np.ones(2, dtype=np.uint8)
    for seq in ([-1], [0, 1, -1], [-1, 0, 1], [-1, 2, -1], [-1, -3, -1]):
        with pytest.raises(ValueError):
            _merge.pass_table(np.array(seq, dtype=np.int64), 4, lens, 0, t_open)
    with pytest.raises(ValueError):                     # lens or t_open not one per type
        _merge.pass_table(np.array([-1, 0, -1], dtype=np.int64), 5, lens, 0, t_open)
    with pytest.raises(ValueError):
        _merge.pass_table(np.array([-1, 0, -1], dtype=np.int64), 4, lens, 0, t_open[:1])


def test_compiled_character_counts_are_the_reference_counts():
    """CharModel.counts_of (compiled) against the counts from the definition and the numpy
    counts_of_reference, on random segmentations and the edge cases (also after merges appended
    types to the spellings)."""
    from nlpzero._joint_merge import CharModel

    rng = np.random.default_rng(6)
    for seq, n_t in _pass_table_cases(rng):
        S = 9
        syms = [tuple(int(c) for c in rng.integers(0, S, int(rng.integers(1, 5)))) for _ in range(n_t)]
        model = CharModel(np.zeros((4, S)), np.zeros((5, 4)), list(syms))
        for _ in range(2):
            em, tr = model.counts_of(seq)
            ref_em, ref_tr = _ref_char_count_arrays(seq, model.syms, S)
            assert em.dtype == tr.dtype == np.int64
            assert np.array_equal(em, ref_em) and np.array_equal(tr, ref_tr)
            ref2 = model.counts_of_reference(seq)
            assert np.array_equal(em, ref2[0]) and np.array_equal(tr, ref2[1])
            if n_t < 2:
                break
            u = len(model.syms)
            model.merge([0], [1])                           # u = 0 1 replaces the first 0 1
            assert model.syms[u] == syms[0] + syms[1]
            at = [i for i in range(seq.size - 1) if seq[i] == 0 and seq[i + 1] == 1][:1]
            if at:
                seq = np.concatenate((seq[:at[0]], [u], seq[at[0] + 2:])).astype(np.int64)


def test_character_model_spellings_after_merges():
    """The vectorised CharModel.merge appends the spellings u = v w to the pool, and syms (made
    from the pool when first asked for, or kept since given) follows."""
    from nlpzero._joint_merge import CharModel

    syms = [(1,), (2, 3), (4,), (5, 6, 7)]
    pool = np.array([c for sy in syms for c in sy], dtype=np.int64)
    t_off = np.array([0, 1, 3, 4], dtype=np.int64)
    lazy, eager = CharModel(np.zeros((4, 8)), np.zeros((5, 4)), None, pool, t_off), CharModel(
        np.zeros((4, 8)), np.zeros((5, 4)), list(syms))
    for model in (lazy, eager):
        model.merge(np.array([1, 3]), np.array([0, 2]))
        model.merge([], [])
        model.merge([4], [5])
        want = syms + [(2, 3, 1), (5, 6, 7, 4), (2, 3, 1, 5, 6, 7, 4)]
        assert model.syms == want
        ends = np.append(model.t_off[1:], model.pool.size)
        assert [tuple(model.pool[a:b].tolist()) for a, b in zip(model.t_off, ends)] == want


def test_compiled_merge_gains_refuse_bounds_that_go_back():
    """Occurrence bounds must ascend all the way: a candidate whose occurrences end past where
    the last one ends would be read (and its neighbours gathered) past the arrays."""
    from nlpzero import _merge

    seq = np.array([-1, 0, 1, 2, 0, 1, -1, 0, 1, -1], dtype=np.int64)
    W, z = 5, np.zeros(0, dtype=np.int64)
    cv, cw = np.array([0, 1], dtype=np.int64), np.array([1, 2], dtype=np.int64)
    occ = np.array([1, 4, 7], dtype=np.int64)
    args = dict(cv=cv, cw=cw, W=W, n_ctx=np.zeros(W, dtype=np.int64), m_succ=np.zeros(W, dtype=np.int64), T=3,
                lens=np.ones(3, dtype=np.int64), n_tok=np.zeros(3, dtype=np.int64), lp0_type=np.zeros(3),
                lp0_u=np.zeros(2), alpha0=10.0, alpha1=3.0, em=z, tr=z, pool=z, t_off=z, S=0, with_char=False,
                gain=np.zeros(2))
    pc = np.ones(seq.size - 1, dtype=np.int64)
    with pytest.raises(ValueError):
        _merge.pass_gains(seq, pc, occ, np.array([0, 3, 1], dtype=np.int64), **args)
    with pytest.raises(ValueError):
        _merge.pass_gains(seq, pc, occ, np.array([0, 4, 4], dtype=np.int64), **args)


def test_character_counts_of_the_tokens_are_those_of_the_starts():
    """merge_words counts the character model from its type sequence when every non-empty run
    starts a word (the tokens are then all the symbols): those counts are the ones
    joint.character_counts gives from the word starts. When a run does not start a word its
    first symbols are in no token, and the counts differ (merge_words then uses the starts)."""
    from nlpzero._joint_merge import CharModel, merge_words

    rng = np.random.default_rng(8)
    S = 7
    for trial in range(25):
        lengths = rng.integers(0, 9, int(rng.integers(1, 8)))          # empty runs included
        off = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        sym = rng.integers(0, S, int(off[-1])).astype(np.int32)
        starts = (rng.random(sym.size) < 0.5).astype(np.uint8)
        starts[off[:-1][off[:-1] < off[1:]]] = 1
        broken = trial % 5 == 4 and sym.size > 1
        if broken:
            r = int(np.flatnonzero(lengths > 0)[-1])
            starts[off[r]] = 0                                        # this run starts no word
            if not starts[:off[r]].any():
                continue
        lo = np.flatnonzero(starts)
        run_of = np.searchsorted(off, lo, side="right") - 1
        hi = np.minimum(np.append(lo[1:], sym.size), off[run_of + 1])
        words = [tuple(sym[a:b].tolist()) for a, b in zip(lo, hi)]
        types = sorted(set(words))
        ids = {w: i for i, w in enumerate(types)}
        seq = [-1]
        for i, w in enumerate(words):
            if i and run_of[i] != run_of[i - 1]:
                seq.append(-1)
            seq.append(ids[w])
        seq = np.array(seq + [-1], dtype=np.int64)
        model = CharModel(np.zeros((4, S)), np.zeros((5, 4)), list(types))
        em, tr = model.counts_of(seq)
        ref_em, ref_tr = joint.character_counts(sym, off, starts, S)
        same = np.array_equal(em, ref_em) and np.array_equal(tr, ref_tr)
        assert same != broken
        fast = merge_words(sym, off, starts, 4, 20.0, 5.0, char=True)       # either way of counting
        slow = merge_words(sym, off, starts, 4, 20.0, 5.0, char=True, fast=False)
        assert np.array_equal(fast[0], slow[0]) and fast[1:] == slow[1:]
