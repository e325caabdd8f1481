"""Sentence templates and structure.

The compiled kernels are checked against slow pure-Python references on seeded random data:
skip-gram pair counting (Counter), the nearest-free-successor chains and the templates they
spell, and the minimum-code-length parse (brute force over every parse of short pieces, with
the per-template loss). The description length is checked on hand-computed cases, and links
and chain templates against nlp-zero 0.1.6 where its definitions coincide with ours.
"""
from __future__ import annotations

import collections
import collections.abc
import dataclasses
import json
import math
import random
from collections import Counter

import numpy as np
import pytest

from nlpzero import _templates
from nlpzero.errors import CorpusTooSmallError, FormatError
from nlpzero.templates import (
    DescriptionLength,
    Parse,
    Templates,
    find_templates,
    parse,
    parse_many,
)
from nlpzero.templates._corpus import encode

# ----------------------------------------------------------------------------- references


def ref_pairs(pieces, window, active=None):
    c = Counter()
    n_pairs = 0
    for p in pieces:
        for i, u in enumerate(p):
            for j in range(i + 1, min(i + 1 + window, len(p))):
                n_pairs += 1
                if active is None or (active[u] and active[p[j]]):
                    c[u, p[j]] += 1
    return c, n_pairs


def ref_spell(piece, positions):
    out = []
    if positions[0] > 0:
        out.append(None)
    for k, i in enumerate(positions):
        if k and i > positions[k - 1] + 1:
            out.append(None)
        out.append(piece[i])
    if positions[-1] < len(piece) - 1:
        out.append(None)
    return tuple(out)


def ref_chains(pieces, window, links, min_words=2):
    """Nearest free successor, left to right; each chain spells one template."""
    c = Counter()
    for p in pieces:
        L = len(p)
        succ = [-1] * L
        has_pred = [False] * L
        for i in range(L):
            for j in range(i + 1, min(i + 1 + window, L)):
                if not has_pred[j] and (p[i], p[j]) in links:
                    succ[i] = j
                    has_pred[j] = True
                    break
        for i in range(L):
            if has_pred[i]:
                continue
            chain = [i]
            while succ[chain[-1]] >= 0:
                chain.append(succ[chain[-1]])
            if len(chain) >= min_words:
                c[ref_spell(p, chain)] += 1
    return c


def runs_of(t):
    """(lead, [runs], trail) of a template (tuple of ids / None)."""
    runs, cur = [], []
    for e in t:
        if e is None:
            if cur:
                runs.append(cur)
            cur = []
        else:
            cur.append(e)
    if cur:
        runs.append(cur)
    return t[0] is None, runs, t[-1] is None


def alignments(x, a, b, t):
    """Every placement of template t on span [a, b) of x: the list of its X gaps (spans)."""
    lead, runs, trail = runs_of(t)

    def rec(k, pos, gaps):
        if k == len(runs):
            if trail:
                if pos < b:
                    yield gaps + [(pos, b)]
            elif pos == b:
                yield gaps
            return
        w = runs[k]
        starts = [pos] if (k == 0 and not lead) else range(pos + 1, b - len(w) + 1)
        for s in starts:
            if list(x[s:s + len(w)]) == w:
                g = gaps if (k == 0 and not lead) else gaps + [(pos, s)]
                yield from rec(k + 1, s + len(w), g)

    yield from rec(0, a, [])


def brute_parses(x, a, b, templates, costs):
    """Every parse of span [a, b): (cost, root id, tree) with tree = (id, a, b, children)."""
    word_bits, len_bits, t_bits, flat_bits = costs
    yield (flat_bits + len_bits[b - a] + sum(word_bits[w] for w in x[a:b]), -1, (-1, a, b, ()))
    for ti, t in enumerate(templates):
        for gaps in alignments(x, a, b, t):
            # every combination of the gaps' parses
            combos = [(t_bits[ti], ())]
            for g in gaps:
                sub = list(brute_parses(x, g[0], g[1], templates, costs))
                combos = [(c + sc, kids + (st,)) for c, kids in combos for sc, _, st in sub]
            for c, kids in combos:
                yield (c, ti, (ti, a, b, kids))


def tree_blocks(tree):
    yield tree
    for k in tree[3]:
        yield from tree_blocks(k)


def random_costs(rng, V, T, L):
    word_bits = np.array([rng.uniform(1, 12) for _ in range(V)])
    len_bits = np.array([0.0] + [rng.uniform(0.5, 6) for _ in range(L)])
    t_bits = np.array([rng.uniform(1, 10) for _ in range(T)])
    return word_bits, len_bits, t_bits, rng.uniform(0.1, 2)


def random_template(rng, V):
    k = rng.randint(1, 3)
    out = [None] if rng.random() < 0.5 else []
    for r in range(k):
        out += [rng.randrange(V) for _ in range(rng.randint(1, 2))]
        if r < k - 1 or rng.random() < 0.5:
            out.append(None)
    return tuple(out)


def as_arrays(templates):
    elems = np.array([-1 if e is None else e for t in templates for e in t], dtype=np.int32)
    offs = np.cumsum([0] + [len(t) for t in templates]).astype(np.int64)
    return elems, offs


def nlp_zero():
    collections.Iterable = collections.abc.Iterable  # nlp-zero 0.1.6 predates Python 3.10
    return pytest.importorskip("nlp_zero")


# ----------------------------------------------------------------------------- counting


@pytest.mark.parametrize("seed", range(6))
def test_count_pairs_matches_reference(seed):
    rng = random.Random(seed)
    V = rng.choice([5, 30, 200])
    pieces = [[rng.randrange(V) for _ in range(rng.randint(0, 12))] for _ in range(rng.randint(1, 60))]
    ids = np.array([w for p in pieces for w in p], dtype=np.int32)
    off = np.cumsum([0] + [len(p) for p in pieces])
    pstart, pend = off[:-1].astype(np.int64), off[1:].astype(np.int64)
    window = rng.randint(1, 6)
    active = np.array([rng.random() < 0.7 for _ in range(V)], dtype=np.uint8)
    want, n_want = ref_pairs(pieces, window, active)
    for fn in (_templates.count_pairs, _templates.count_pairs_hash):  # radix sort and hash map
        keys, counts, n_pairs = fn(ids, pstart, pend, window, active)
        got = {(int(k) // V, int(k) % V): int(c) for k, c in zip(keys, counts)}
        assert got == dict(want) and n_pairs == n_want
        assert list(keys) == sorted(keys)


@pytest.mark.parametrize("seed", range(8))
def test_chains_match_reference(seed):
    rng = random.Random(seed)
    V = rng.choice([4, 10, 40])
    pieces = [[rng.randrange(V) for _ in range(rng.randint(1, 15))] for _ in range(rng.randint(1, 50))]
    window = rng.randint(1, 5)
    links = {(rng.randrange(V), rng.randrange(V)) for _ in range(rng.randint(1, V * 3))}
    ids = np.array([w for p in pieces for w in p], dtype=np.int32)
    off = np.cumsum([0] + [len(p) for p in pieces])
    kept = np.array(sorted(u * V + v for u, v in links), dtype=np.int64)
    elems, toff, counts, n_chains = _templates.chain_templates(
        ids, off[:-1].astype(np.int64), off[1:].astype(np.int64), window, kept, V, 2)
    got = {tuple(None if e < 0 else int(e) for e in elems[toff[i]:toff[i + 1]]): int(counts[i])
           for i in range(len(counts))}
    want = ref_chains(pieces, window, links)
    assert got == dict(want) and n_chains == sum(want.values())
    # every position lies in exactly one chain: the chains' words add up to the piece lengths
    all_chains = ref_chains(pieces, window, links, min_words=1)
    assert sum(sum(e is not None for e in t) * c for t, c in all_chains.items()) == len(ids)


def test_chains_are_polynomial_where_paths_explode():
    """25 mutually linked tokens: nlp-zero enumerates 5,976,577 paths; one chain here."""
    V = 25
    ids = np.arange(V, dtype=np.int32)
    kept = np.array(sorted(u * V + v for u in range(V) for v in range(V)), dtype=np.int64)
    elems, _, _, n_chains = _templates.chain_templates(
        ids, np.array([0], dtype=np.int64), np.array([V], dtype=np.int64), 5, kept, V, 2)
    assert n_chains == 1 and list(elems) == list(range(V))


# ----------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("seed", range(40))
def test_parse_matches_brute_force(seed):
    rng = random.Random(seed)
    V = rng.choice([2, 3, 5])
    T = rng.randint(1, 5)
    templates = list(dict.fromkeys(random_template(rng, V) for _ in range(T)))
    pieces = [[rng.randrange(V) for _ in range(rng.randint(1, 7))] for _ in range(4)]
    costs = random_costs(rng, V, len(templates), 8)
    ids = np.array([w for p in pieces for w in p], dtype=np.int32)
    off = np.cumsum([0] + [len(p) for p in pieces]).astype(np.int64)
    elems, toff = as_arrays(templates)
    word_bits, len_bits, t_bits, flat_bits = costs
    res = _templates.parse_pieces(ids, off[:-1], off[1:], elems, toff, word_bits, len_bits, t_bits,
                                  flat_bits, True, np.arange(V, dtype=np.int64)[::-1].copy())
    uses = np.zeros(len(templates), dtype=np.int64)
    loss = np.zeros(len(templates))
    for p, x in enumerate(pieces):
        everything = list(brute_parses(x, 0, len(x), templates, costs))
        best = min(c for c, _, _ in everything)
        assert res["piece_bits"][p] == pytest.approx(best, abs=1e-9)
        # the returned tree is a parse of that cost
        lo, hi = res["piece_block"][p], res["piece_block"][p + 1]
        blocks = [(int(res["block_tpl"][k]), int(res["block_start"][k] - off[p]),
                   int(res["block_end"][k] - off[p])) for k in range(lo, hi)]
        chosen = [t for c, _, t in everything if abs(c - best) < 1e-9]
        assert any(sorted(blocks) == sorted((b[0], b[1], b[2]) for b in tree_blocks(t)) for t in chosen)
        # per-template loss: best code of the span with another root, minus the chosen code
        for t, a, b in blocks:
            if t < 0:
                continue
            uses[t] += 1
            opts = list(brute_parses(x, a, b, templates, costs))
            here = min(c for c, r, _ in opts if r == t)
            other = min(c for c, r, _ in opts if r != t)
            assert here <= other + 1e-9
            loss[t] += other - here
    assert list(res["uses"]) == list(uses)
    np.testing.assert_allclose(res["loss"], loss, atol=1e-9)


def test_parse_long_piece_is_bounded():
    """A piece of thousands of tokens is cut into chunks of max_piece_len; every token is kept."""
    ts = Templates.from_elements([["据", "新华社", None, "电"]], counts=[50])
    tokens = ("据 新华社 北京 电 " * 1000).split()
    p = parse(tokens, ts)
    assert sum(len(t.tokens) for t in p.trees) == len(tokens)
    assert len(p.trees) == math.ceil(len(tokens) / 128)
    # each 128-token chunk starts with 据 新华社 and ends with 电: the template is its root
    assert all(t.template is not None and t.template.elements == ("据", "新华社", None, "电") for t in p.trees)
    depth, node = 0, p.trees[0]
    while node.children:
        node, depth = node.children[0], depth + 1
    assert depth == 1 and len(node.tokens) == 125   # the filler between the chunk's ends is flat


def test_parse_tree_shape_and_brackets():
    ts = Templates.from_elements([[None, "在", None, "中", None], ["据", "新华社", None, "电"]], counts=[40, 40])
    p = parse(["据", "新华社", "北京", "电", "，", "我们", "在", "会议", "中", "发言"], ts)
    assert isinstance(p, Parse)
    assert p.items[1] == "，"
    t0, t1 = p.trees
    assert t0.template.elements == ("据", "新华社", None, "电")
    assert [c.tokens for c in t0.children] == [("北京",)]
    assert t1.template.elements == (None, "在", None, "中", None)
    assert [c.tokens for c in t1.children] == [("我们",), ("会议",), ("发言",)]
    assert p.to_brackets() == "[据 新华社 (北京) 电] ， [(我们) 在 (会议) 中 (发言)]"
    # the same line through the batch form
    assert [q.to_brackets() for q in parse_many(["据 新华社 北京 电 ， 我们 在 会议 中 发言"], ts)] == [p.to_brackets()]


def test_parse_never_uses_a_template_that_does_not_match():
    """nlp-zero lets any template skip any tokens; here words match exactly or not at all."""
    ts = Templates.from_elements([["据", "新华社", None, "电"]], counts=[1000])
    p = parse(["据", "新华社", "北京", "报道"], ts)
    assert p.trees[0].template is None


# ----------------------------------------------------------------------------- description length


def test_description_length_by_hand():
    """Two pieces 'a b c' and 'a d c', template a[X]c used by both."""
    lines = ["a b c", "a d c"]
    ts = Templates.from_elements([["a", None, "c"]], counts=[2])
    dl = ts.description_length(lines)
    # baseline: lengths all 3 (0 bits); words a, c: 2/6 each, b, d: 1/6 -> 2*(2*log2 3) + 2*log2 6
    assert dl.baseline_bits == pytest.approx(4 * math.log2(3) + 2 * math.log2(6))
    # parses: root a[X]c, filler FLAT of length 1 ('b' / 'd'); 4 blocks: q(t) = q(FLAT) = 1/2
    lam, V = 0.01, 4
    pw = (1 + lam) / (2 + lam * V)           # b, d coded flat once each; a, c never (smoothed)
    pl1 = (2 + lam) / (2 + lam * 3)          # lengths 1..3 smoothed, FLAT blocks all of length 1
    data = 4 * 1.0 - 2 * math.log2(pl1) - 2 * math.log2(pw)
    assert dl.n_blocks == 4 and dl.templates_used == 1
    assert dl.data_bits == pytest.approx(data)
    pw_a = lam / (2 + lam * V)
    model = 4 * math.log2(3) - 2 * math.log2(pw_a) + 0.5 * math.log2(4)
    assert dl.model_bits == pytest.approx(model)
    assert dl.saving == pytest.approx((dl.baseline_bits - data - model) / dl.baseline_bits)


def test_description_length_without_templates_is_baseline():
    lines = ["今天 天气 不错", "天气 很 好", "我们 走 了 吗"] * 5
    dl = Templates.from_elements([["没有", None, "的"]]).description_length(lines)
    assert dl.templates_used == 0 and dl.model_bits == 0
    # FLAT code = the baseline's, up to the tiny smoothing
    assert dl.data_bits == pytest.approx(dl.baseline_bits, rel=1e-3)
    assert isinstance(dl, DescriptionLength)


# ----------------------------------------------------------------------------- the finder


def corpus_lines():
    rng = random.Random(1)
    cities = [f"城{i}" for i in range(30)]
    fill = [f"词{i}" for i in range(300)]
    lines = []
    for _ in range(400):
        r = rng.random()
        if r < 0.3:
            lines.append(f"据 新华社 {rng.choice(cities)} 电")
        elif r < 0.6:
            lines.append(f"{rng.choice(fill)} 在 {rng.choice(fill)} 中 {rng.choice(fill)} ， {rng.choice(fill)}")
        else:
            lines.append(" ".join(rng.choice(fill) for _ in range(rng.randint(2, 8))))
    return lines


def test_derived_min_proba_follows_the_documented_formula():
    """min_proba=None: c*/N2 with c*·s = 6·log2 3 + min_pmi·log2 e + log2(N2/c*) + ½·log2 P,
    s = min_pmi·log2 e + log2(N2/P). Hand-checked: 1,024 pieces of 6 tokens, window 5 -> 15
    pairs each, N2 = 15,360; min_pmi = 2: s = 2.88539 + 3.90689 = 6.79228 bits and the right
    side 9.50978 + 2.88539 + 13.90689 + 5 − log2 c*, so 6.79228·c* + log2 c* = 31.30206:
    c* = 4.2987 (6.79228 × 4.2987 = 29.1979, log2 4.2987 = 2.1039)."""
    rng = random.Random(5)
    fill = [f"词{i}" for i in range(200)]
    lines = []
    for _ in range(1024):
        if rng.random() < 0.1:
            lines.append(f"据 新华社 {rng.choice(fill)} 电 {rng.choice(fill)} {rng.choice(fill)}")
        else:
            lines.append(" ".join(rng.choice(fill) for _ in range(6)))
    ts = find_templates(lines)
    c_star = ts.params["min_proba"] * 15360
    assert c_star == pytest.approx(4.2987, abs=1e-4)
    s = 2 * math.log2(math.e) + math.log2(15)
    rhs = 6 * math.log2(3) + 2 * math.log2(math.e) + math.log2(15360 / c_star) + 0.5 * math.log2(1024)
    assert c_star * s == pytest.approx(rhs, rel=1e-9)
    assert "据新华社[X]电[X]" in [str(t) for t in ts]
    # an explicit probability is used as given
    assert find_templates(lines, min_proba=1e-3).params["min_proba"] == 1e-3
    # the threshold is a count: a corpus twice as large gets about half the probability
    assert find_templates(lines * 2).params["min_proba"] < 0.6 * ts.params["min_proba"]
    # pieces of two tokens (N2 = P) and a negative PMI floor: s < 0, no link can pay
    with pytest.raises(CorpusTooSmallError, match="pieces are too short"):
        find_templates(["甲 乙"] * 50, min_pmi=-1.0)


def test_find_templates_finds_the_planted_templates():
    ts = find_templates(corpus_lines(), min_proba=1e-3)
    names = [str(t) for t in ts]
    assert "据新华社[X]电" in names
    assert any("在[X]中" in n for n in names)
    assert ts.training.saving > 0
    # every template pays for itself, best first
    assert all(t.bits > 0 for t in ts)
    assert list(ts.bits) == sorted(ts.bits, reverse=True)
    # the training description length is what description_length says for the same set
    again = ts.description_length(corpus_lines())
    assert again.total_bits <= ts.training.total_bits + 1e-6 * ts.training.baseline_bits


def test_save_load_roundtrip(tmp_path):
    ts = find_templates(corpus_lines(), min_proba=1e-3)
    for fmt in ("jsonl", "tsv"):
        path = tmp_path / f"t.{fmt}"
        ts.save(path, format=fmt)
        back = Templates.load(path)
        assert [t.elements for t in back] == [t.elements for t in ts]
        assert list(back.counts) == list(ts.counts)
    back = Templates.load(tmp_path / "t.jsonl")
    assert back.code["blocks"] == ts.code["blocks"]
    line = "据 新华社 城1 电 ， 词1 在 词2 中 词3"
    assert parse(line.split(), back).to_brackets() == parse(line.split(), ts).to_brackets()
    first = json.loads((tmp_path / "t.jsonl").read_text(encoding="utf-8").splitlines()[1])
    assert first["template"] == list(ts[0].elements) and first["count"] == ts[0].count


def test_tsv_and_jsonl_files_parse_identically(tmp_path):
    # the TSV file carries the same code as the JSONL header (q, q(FLAT), length and word bits),
    # so parsing with either file gives the same trees and bits
    # (a stored code where FLAT blocks are dear, so the parses depend on the code: with the
    # default code of a bare file some pieces stay flat that the stored code nests)
    found = find_templates(corpus_lines(), min_proba=1e-3)
    ts = dataclasses.replace(found, code={**found.code, "flat_bits": 30.0})
    ts.save(tmp_path / "t.jsonl", format="jsonl")
    ts.save(tmp_path / "t.tsv", format="tsv")
    from_jsonl = Templates.load(tmp_path / "t.jsonl")
    from_tsv = Templates.load(tmp_path / "t.tsv")
    lines = [line.split() for line in corpus_lines()] + [
        ["据", "新华社", "城1", "电", "，", "词1", "在", "词2", "中", "词3"],
        ["词1", "在", "词2", "中", "据", "新华社", "城1", "电"],
        ["在", "中", "新华社", "据"]]
    a = [p.to_brackets() for p in parse_many(lines, from_jsonl)]
    b = [p.to_brackets() for p in parse_many(lines, from_tsv)]
    assert a == b
    assert a == [p.to_brackets() for p in parse_many(lines, ts)]
    assert from_tsv.code == from_jsonl.code and from_tsv.params == from_jsonl.params
    assert (from_tsv.description_length(corpus_lines()).total_bits
            == from_jsonl.description_length(corpus_lines()).total_bits)
    # a TSV file without the header line (hand-made) still loads, with the default code
    rows = (tmp_path / "t.tsv").read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("# nlpzero_templates {")
    (tmp_path / "bare.tsv").write_text("\n".join(rows[1:]) + "\n", encoding="utf-8")
    bare = Templates.load(tmp_path / "bare.tsv")
    assert [t.elements for t in bare] == [t.elements for t in ts] and "blocks" not in bare.code
    (tmp_path / "bad.tsv").write_text("# nlpzero_templates {not json\n" + "\n".join(rows[1:]) + "\n",
                                      encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad.tsv, line 1"):
        Templates.load(tmp_path / "bad.tsv")


def test_malformed_templates_file_names_file_and_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"template": ["在", null, "中"], "count": 3}\n{"template": [null, null, "x"]}\n', encoding="utf-8")
    with pytest.raises(FormatError, match=r"bad.jsonl, line 2"):
        Templates.load(path)
    path.write_text('{"template": ["在", null, "中"]}\nnot json\n', encoding="utf-8")
    with pytest.raises(FormatError, match=r"line 2"):
        Templates.load(path)


def test_too_small_corpus_is_a_clear_error():
    with pytest.raises(CorpusTooSmallError, match="too small"):
        find_templates(["今天 天气 不错"])
    with pytest.raises(CorpusTooSmallError):
        find_templates(["，。"])


def test_raw_text_as_segmented_warns():
    lines = ["今天天气不错我们一起去公园散步吧"] * 30 + ["据新华社北京电今天下午举行会议"] * 30
    with pytest.warns(UserWarning, match="single token"), pytest.raises(CorpusTooSmallError):
        find_templates(lines)


def test_raw_text_with_a_segmenter():
    raw = [line.replace(" ", "") for line in corpus_lines()]
    words = {w: 10 for line in corpus_lines() for w in line.split()}
    ts = find_templates(raw, segmenter=words, min_proba=1e-3)
    assert "据新华社[X]电" in [str(t) for t in ts]
    out = list(parse_many(raw[:3], ts, segmenter=words))
    assert len(out) == 3


# ----------------------------------------------------------------------------- nlp-zero


def test_links_and_chain_templates_agree_with_nlp_zero():
    """On pieces whose link graph is a set of disjoint paths (no token with two links in or
    out), nlp-zero's paths are our chains: same multi-word templates, same counts."""
    nz = nlp_zero()
    rng = random.Random(3)
    heads = [("据", "电"), ("以", "为"), ("本报", "报道")]
    fill = [f"词{i}" for i in range(500)]
    pieces = []
    for _ in range(3000):
        h = rng.choice(heads)
        p = [h[0]] + [rng.choice(fill) for _ in range(rng.randint(0, 2))] + [h[1]]
        if rng.random() < 0.5:
            p = [rng.choice(fill)] + p
        pieces.append(p)
    pieces += [[rng.choice(fill) for _ in range(rng.randint(1, 6))] for _ in range(6000)]
    finder = nz.Template_Finder(lambda s: s.split("\x01"), window=5, min_proba=1e-3, min_pmi=2)
    sents = ["\x01".join(p) for p in pieces]
    finder.train(sents, filtering=False)
    finder.find(sents, filtering=False, remove_weak_grams=False)
    theirs = {tuple(t.words): c for t, c in finder.templates.items() if t.length >= 2}
    # our links with the same thresholds
    enc = encode(pieces, 128)
    V = len(enc.words)
    wc = np.bincount(enc.ids, minlength=V)
    active = np.ones(V, dtype=np.uint8)
    keys, counts, n2 = _templates.count_pairs(enc.ids, enc.pstart, enc.pend, 5, active)
    N = len(enc.ids)
    pmi = np.log(counts / n2) - np.log(wc[keys // V] / N) - np.log(wc[keys % V] / N)
    kept = keys[(counts / n2 > 1e-3) & (pmi > 2)]
    # nlp-zero's word and pair counts are ours
    assert {(enc.words[k // V], enc.words[k % V]): int(c) for k, c in zip(keys.tolist(), counts.tolist())} \
        == dict(finder.skip_grams)
    assert {w: int(wc[i]) for i, w in enumerate(enc.words)} == dict(finder.words)
    assert {(enc.words[k // V], enc.words[k % V]) for k in kept.tolist()} == set(heads)
    elems, toff, occ, _ = _templates.chain_templates(enc.ids, enc.pstart, enc.pend, 5,
                                                     np.ascontiguousarray(kept), V, 2)
    ours = {tuple(None if e < 0 else enc.words[e] for e in elems[toff[i]:toff[i + 1]]): int(occ[i])
            for i in range(len(occ))}
    # the link graph here is disjoint paths, so both counts agree exactly
    assert ours == theirs and len(ours) == 12  # 3 heads x (X before or not) x (gap or not)


def test_parse_file_on_workers_keeps_line_order(tmp_path, monkeypatch):
    import nlpzero.batch
    from nlpzero.templates import parse_file

    monkeypatch.setattr(nlpzero.batch, "SMALL_INPUT_BYTES", 0)   # use worker processes
    monkeypatch.setattr(nlpzero.batch, "FIRST_CHUNK_CHARS", 64)
    ts = find_templates(corpus_lines(), min_proba=1e-3)
    src = tmp_path / "in.txt"
    lines = corpus_lines() * 3 + [""]
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.txt"
    result = parse_file(src, out, ts, jobs=2)
    got = out.read_text(encoding="utf-8").split("\n")[:-1]
    assert result.lines == len(lines) == len(got)
    assert got == [p.to_brackets() for p in parse_many(lines, ts)]


@pytest.mark.parametrize("seed", range(5))
def test_compiled_tokenizer_reads_like_str_split(seed, tmp_path):
    """The fast path for segmented UTF-8 files gives the ids of Corpus.lines() + str.split()."""
    from nlpzero.templates._corpus import encode_corpus, fast_bytes

    rng = random.Random(seed)
    pool = ["据", "新华社", "电", "ａｂ", "x1", "，", "《", "𠀀字", "é"]
    seps = [" ", "  ", "\t", " \r", "\x1c", "\x0b"]
    lines = []
    for _ in range(rng.randint(0, 30)):
        toks = [rng.choice(pool) for _ in range(rng.randint(0, 6))]
        lines.append(rng.choice(["", " "]) + "".join(t + rng.choice(seps) for t in toks).rstrip("\r"))
    text = "\n".join(lines) + rng.choice(["", "\n", "\n\n", " "])
    path = tmp_path / "c.txt"
    path.write_bytes(text.encode("utf-8"))
    assert fast_bytes(path, None, "utf-8") is not None
    fast = encode_corpus(path, None, "utf-8", 128)
    slow = encode(iter(__import__("nlpzero").Corpus(path).lines()), 128)
    assert fast.words == slow.words
    assert fast.ids.tolist() == slow.ids.tolist() and fast.line_off.tolist() == slow.line_off.tolist()
    # other whitespace, a BOM, bad bytes: the general path
    for bad in ("a\u3000b\n", "\ufeffa b\n"):
        path.write_bytes(bad.encode("utf-8"))
        assert fast_bytes(path, None, "utf-8") is None
    path.write_bytes(b"a \xff b\n")
    assert fast_bytes(path, None, "utf-8") is None


@pytest.mark.parametrize("seed", range(5))
def test_relevance_cache_gives_the_same_parses(seed):
    """Rounds of EM reuse each piece's relevant templates; dropped ones cost infinitely much."""
    rng = random.Random(seed)
    V = 4
    templates = list(dict.fromkeys(random_template(rng, V) for _ in range(8)))
    pieces = [[rng.randrange(V) for _ in range(rng.randint(0, 9))] for _ in range(30)]
    ids = np.array([w for p in pieces for w in p], dtype=np.int32)
    off = np.cumsum([0] + [len(p) for p in pieces]).astype(np.int64)
    elems, toff = as_arrays(templates)
    word_bits, len_bits, t_bits, flat_bits = random_costs(rng, V, len(templates), 10)
    cache = _templates.RelCache()
    for round_ in range(3):
        tb = t_bits.copy()
        tb[[i for i in range(len(templates)) if rng.random() < 0.3 * round_]] = np.inf
        args = (ids, off[:-1], off[1:], elems, toff, word_bits, len_bits, tb, flat_bits, True,
                np.arange(V, dtype=np.int64))
        plain, cached = _templates.parse_pieces(*args), _templates.parse_pieces(*args, cache)
        for k in ("piece_bits", "uses", "loss", "contested", "block_start", "block_end", "block_tpl"):
            np.testing.assert_array_equal(plain[k], cached[k])
