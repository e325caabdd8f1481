"""Frequent itemsets and association rules.

The compiled miner is checked against a brute-force reference (every subset of every
transaction counted with a Counter) on seeded random data, and against pyfim (Borgelt's C
implementation) on random and real data: identical itemsets with identical counts, and rules
identical to ``fim.arules(..., mode='o', zmin=2)`` (confidence and lift to 1e-12).
"""
from __future__ import annotations

import io
import math
import os
import re
from pathlib import Path

import numpy as np
import pytest
from reference.apriori import brute_itemsets, brute_rules

from nlpzero import association_rules, frequent_itemsets
from nlpzero._testing import random_transactions
from nlpzero.apriori import FrequentItemsets, Rule, TooManyItemsetsError, min_count_for
from nlpzero.errors import BinaryInputError, DecodeError, InputError

# ----------------------------------------------------------------------------- references


def rules_dict(ar):
    return {(frozenset(r.antecedent), frozenset(r.consequent)): (r.count, r.confidence, r.lift) for r in ar.to_list()}


def assert_same_rules(got, want):
    assert got.keys() == want.keys()
    bad = [
        (key, got[key], value)
        for key, value in want.items()
        if got[key][0] != value[0]
        or not math.isclose(got[key][1], value[1], rel_tol=1e-12, abs_tol=0)
        or not math.isclose(got[key][2], value[2], rel_tol=1e-12, abs_tol=0)
    ]
    assert not bad, f"{len(bad)} rules differ, e.g. {bad[:3]}"


# ----------------------------------------------------------------------------- brute force


@pytest.fixture(params=[0, 1, 2, "no-bitsets"], ids=["auto", "and-popcount", "deliver", "no-bitsets"])
def count_mode(request, monkeypatch):
    """Run a test with each way the kernel counts supports (they must agree exactly); the last
    one builds no bitsets at all (the layout chosen for very sparse data)."""
    import nlpzero.apriori

    if request.param == "no-bitsets":
        monkeypatch.setattr(nlpzero.apriori, "BITSET_MIN_BUDGET", 0)
        monkeypatch.setattr(nlpzero.apriori, "BITSET_OCC_RATIO", 0)
    else:
        monkeypatch.setattr(nlpzero.apriori, "COUNT_MODE", request.param)
    return request.param


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("n_trans,n_items,density", [(40, 6, 0.5), (60, 12, 0.35), (25, 14, 0.6), (80, 9, 0.15)])
def test_itemsets_match_brute_force(seed, n_trans, n_items, density, count_mode):
    tr = random_transactions(seed, n_trans, n_items, density)
    tr.insert(seed % (len(tr) + 1), [])  # an empty transaction counts in N
    for min_count in (1, 2, 5, n_trans // 3):
        want = brute_itemsets(tr, max(1, min_count))
        fi = frequent_itemsets(tr, min_count=max(1, min_count))
        assert fi.to_dict() == want
        assert fi.n_transactions == len(tr)
        assert len(fi) == len(want)
        assert sorted(fi.counts.tolist()) == sorted(want.values())
        assert fi.sizes.tolist() == [len(s) for s, _ in fi.to_list()]


@pytest.mark.parametrize("seed", range(4))
def test_max_size_matches_brute_force(seed, count_mode):
    tr = random_transactions(100 + seed, 50, 12, 0.5)
    for max_size in (1, 2, 3, 5):
        fi = frequent_itemsets(tr, min_count=2, max_size=max_size)
        assert fi.to_dict() == brute_itemsets(tr, 2, max_size)
        assert fi.max_size <= max_size


@pytest.mark.parametrize("seed", range(6))
def test_rules_match_brute_force(seed):
    tr = random_transactions(200 + seed, 60, 10, 0.45)
    fi = frequent_itemsets(tr, min_count=3)
    freq = fi.to_dict()
    n = len(tr)
    for min_conf, min_lift in ((0.0, None), (0.5, None), (0.7, 1.0), (0.9, 1.2)):
        floor = -math.inf if min_lift is None else min_lift
        assert_same_rules(rules_dict(association_rules(fi, min_confidence=min_conf, min_lift=min_lift)),
                          brute_rules(freq, n, min_conf, floor))
        for max_cons in (2, None):
            got = association_rules(fi, min_confidence=min_conf, min_lift=min_lift, max_consequent_size=max_cons)
            assert_same_rules(rules_dict(got), brute_rules(freq, n, min_conf, floor, max_cons))


def test_kernel_and_python_rule_paths_agree():
    # one-item consequents come from the compiled kernel (max_consequent_size=1) and, as the first
    # level of consequent growth, from the general generator (max_consequent_size=None)
    tr = random_transactions(7, 70, 11, 0.5)
    fi = frequent_itemsets(tr, min_count=2)
    ar = association_rules(fi, min_confidence=0.3)
    general = association_rules(fi, min_confidence=0.3, max_consequent_size=None)
    one = fi.sizes[general.consequent - 1] == 1
    assert one.sum() < len(general)                       # the general path went further too
    assert sorted(zip(ar.antecedent.tolist(), ar.consequent.tolist(), ar.itemset.tolist())) == sorted(
        zip(general.antecedent[one].tolist(), general.consequent[one].tolist(), general.itemset[one].tolist())
    )


def test_min_support_rounding_rule():
    assert min_count_for(0.3, 10) == 3  # 0.3 * 10 = 3.0000000000000004: float noise, not 4
    assert min_count_for(0.7, 10) == 7  # 0.7 * 10 = 7.000000000000001
    assert min_count_for(0.25, 10) == 3  # ceil(2.5)
    assert min_count_for(0.1, 3) == 1
    assert min_count_for(1e-12, 5) == 1
    assert min_count_for(1.0, 9) == 9
    assert min_count_for(0.5, 0) == 1
    tr = random_transactions(3, 30, 8, 0.5)
    fi = frequent_itemsets(tr, min_support=0.3)
    assert fi.min_count == 9
    assert fi.to_dict() == brute_itemsets(tr, 9)


def test_result_helpers():
    tr = [["牛奶", "面包"], ["牛奶", "尿布", "啤酒"], ["牛奶", "面包", "尿布"], ["面包", "牛奶", "牛奶"]]
    fi = frequent_itemsets(tr, min_count=2)
    assert isinstance(fi, FrequentItemsets)
    assert fi.count_of(["牛奶", "面包"]) == 3
    assert fi.count_of({"面包", "牛奶"}) == 3
    assert fi.count_of(["啤酒"]) is None  # infrequent
    assert fi.count_of(["面包", "尿布"]) is None  # both frequent, together only once
    assert fi.count_of(["咖啡"]) is None  # unknown item
    assert fi.count_of([]) == 4  # the empty set: every transaction
    assert fi.items[-1] == "牛奶"  # ascending support
    flat, offsets, counts = fi.to_arrays()
    assert offsets.shape == (len(fi) + 1,) and counts.dtype == np.int64 and flat.dtype == np.int32
    for i, (itemset, count) in enumerate(fi):
        assert tuple(fi.items[j] for j in flat[offsets[i] : offsets[i + 1]]) == itemset == fi.itemset(i)
        assert counts[i] == count
        # within an itemset, the most frequent item comes first
        sup = [fi.count_of([x]) for x in itemset]
        assert sup == sorted(sup, reverse=True)
    assert "itemsets" in repr(fi)
    rules = association_rules(fi, min_confidence=0.9).to_list()
    assert Rule(("面包",), ("牛奶",), 3, 0.75, 1.0, 1.0) in rules


def test_one_pass_iterables_and_generators():
    tr = random_transactions(11, 40, 9, 0.5)
    want = brute_itemsets(tr, 3)
    assert frequent_itemsets((t for t in tr), min_count=3).to_dict() == want
    assert frequent_itemsets(tuple(tuple(t) for t in tr), min_count=3).to_dict() == want
    assert frequent_itemsets([frozenset(t) for t in tr], min_count=3).to_dict() == want


def test_no_frequent_items_and_empty_database():
    fi = frequent_itemsets([["a"], ["b"]], min_count=2)
    assert len(fi) == 0 and fi.to_list() == [] and fi.max_size == 0
    assert len(association_rules(fi, min_confidence=0.5)) == 0
    fi = frequent_itemsets([], min_count=1)
    assert len(fi) == 0 and fi.n_transactions == 0
    fi = frequent_itemsets([[], []], min_support=0.5)
    assert len(fi) == 0 and fi.n_transactions == 2


def test_dense_deep_itemsets(count_mode):
    # 14 items in every transaction: 2^14 - 1 itemsets, depth 14, all with the same count
    tr = [list(range(14))] * 5 + [[0, 1]] * 3
    fi = frequent_itemsets(tr, min_count=5)
    assert len(fi) == 2**14 - 1
    d = fi.to_dict()
    assert d[frozenset(range(14))] == 5 and d[frozenset([0, 1])] == 8 and d[frozenset([2])] == 5


# ----------------------------------------------------------------------------- bad input


def test_max_itemsets_guard(count_mode):
    tr = [list(range(30))] * 3  # 2^30 itemsets
    with pytest.raises(TooManyItemsetsError, match=r"more than 10,000 frequent itemsets.*max_itemsets"):
        frequent_itemsets(tr, min_count=1, max_itemsets=10_000)
    with pytest.raises(TooManyItemsetsError):
        frequent_itemsets([list(range(50))], min_count=1, max_itemsets=20)  # the singletons alone
    assert len(frequent_itemsets(tr, min_count=1, max_size=2, max_itemsets=10_000)) == 30 + 435


@pytest.mark.parametrize(
    "kwargs,exc,msg",
    [
        ({}, ValueError, "exactly one"),
        ({"min_support": 0.1, "min_count": 2}, ValueError, "exactly one"),
        ({"min_support": 0.0}, ValueError, "`min_support`"),
        ({"min_support": 1.5}, ValueError, "`min_support`"),
        ({"min_support": float("nan")}, ValueError, "`min_support`"),
        ({"min_support": "0.1"}, TypeError, "`min_support`"),
        ({"min_count": 0}, ValueError, r"`min_count` must be an int ≥ 1, got 0"),
        ({"min_count": 2.0}, TypeError, "`min_count`"),
        ({"min_count": 1, "max_size": 0}, ValueError, "`max_size`"),
        ({"min_count": 1, "max_itemsets": 0}, ValueError, "`max_itemsets`"),
        ({"min_count": 1, "sep": ""}, ValueError, "`sep`"),
        ({"min_count": 1, "encoding": "no-such-codec"}, ValueError, "`encoding`"),
        ({"min_count": 1, "errors": "ignore"}, ValueError, "`errors`"),
    ],
)
def test_bad_parameters(kwargs, exc, msg):
    with pytest.raises(exc, match=msg):
        frequent_itemsets([["a", "b"]], **kwargs)


def test_bad_transactions():
    with pytest.raises(TypeError, match=r"transaction 1 contains an unhashable item \['x'\]"):
        frequent_itemsets([["a"], ["b", ["x"]]], min_count=1)
    with pytest.raises(TypeError, match=r"transaction 2 is not an iterable of items: got int"):
        frequent_itemsets([["a"], ["b"], 5], min_count=1)
    with pytest.raises(TypeError, match=r"transaction 0 is a str.*split"):
        frequent_itemsets(["a b c", "b c"], min_count=1)
    with pytest.raises(TypeError, match="`transactions`"):
        frequent_itemsets(42, min_count=1)
    with pytest.raises(TypeError, match="multiplicities"):
        frequent_itemsets({("a", "b"): 3}, min_count=1)


def test_bad_rule_parameters():
    fi = frequent_itemsets([["a", "b"], ["a"]], min_count=1)
    with pytest.raises(ValueError, match="`min_confidence`"):
        association_rules(fi, min_confidence=1.5)
    with pytest.raises(ValueError, match="`min_lift`"):
        association_rules(fi, min_confidence=0.5, min_lift=-1)
    with pytest.raises(ValueError, match="`max_consequent_size`"):
        association_rules(fi, min_confidence=0.5, max_consequent_size=0)
    with pytest.raises(TypeError, match="`itemsets` must be a FrequentItemsets"):
        association_rules({frozenset("a"): 1}, min_confidence=0.5)


# ----------------------------------------------------------------------------- files


def test_file_input(tmp_path):
    p = tmp_path / "t.txt"
    p.write_bytes("\ufeff牛奶 面包\r\n牛奶  尿布 啤酒\n\n牛奶 面包 尿布\n".encode())
    fi = frequent_itemsets(p, min_count=2)
    assert fi.n_transactions == 4  # the blank line is an empty transaction
    assert fi.to_dict() == {frozenset(["牛奶"]): 3, frozenset(["面包"]): 2, frozenset(["尿布"]): 2,
                            frozenset(["牛奶", "面包"]): 2, frozenset(["牛奶", "尿布"]): 2}
    assert frequent_itemsets(str(p), min_count=2).to_dict() == fi.to_dict()
    with open(p, "rb") as f:
        assert frequent_itemsets(f, min_count=2).to_dict() == fi.to_dict()
    with open(p, encoding="utf-8") as f:  # a text stream works too
        assert frequent_itemsets(f, min_count=2).to_dict() == fi.to_dict()
    assert frequent_itemsets(io.StringIO("a b\nb c\n"), min_count=2).to_dict() == {frozenset("b"): 2}
    q = tmp_path / "t.csv"
    q.write_text("milk, bread\nmilk,diapers,,beer\nmilk ,bread,diapers\n", encoding="utf-8")
    assert frequent_itemsets(q, min_count=2, sep=",").to_dict() == {
        frozenset(["milk"]): 3, frozenset(["bread"]): 2, frozenset(["diapers"]): 2,
        frozenset(["milk", "bread"]): 2, frozenset(["milk", "diapers"]): 2}
    g = tmp_path / "t.gb"
    g.write_bytes("牛奶 面包\n牛奶\n".encode("gb18030"))
    assert frequent_itemsets(g, min_count=2, encoding="gb18030").to_dict() == {frozenset(["牛奶"]): 2}


def test_file_errors(tmp_path):
    with pytest.raises(InputError, match="missing.txt: no such file"):
        frequent_itemsets(tmp_path / "missing.txt", min_count=1)
    with pytest.raises(InputError, match="is a directory"):
        frequent_itemsets(tmp_path, min_count=1)
    bad = tmp_path / "bad.txt"
    bad.write_bytes("面包 牛奶\n".encode() + b"ok \xff\xfe\n")
    with pytest.raises(DecodeError, match=r"bad.txt: cannot decode byte offset 17 as utf-8") as err:
        frequent_itemsets(bad, min_count=1)
    assert err.value.offset == len("面包 牛奶\n".encode()) + 3
    fi = frequent_itemsets(bad, min_count=1, errors="replace")
    assert fi.n_transactions == 2 and fi.count_of(["ok"]) == 1
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"a b\n\x00\x01\x02\n")
    with pytest.raises(BinaryInputError, match="binary file"):
        frequent_itemsets(binary, min_count=1)


# ----------------------------------------------------------------------------- pyfim


def pyfim_itemsets(fim, tr, min_count, **kw):
    return {frozenset(s): c for s, c in fim.apriori(tr, supp=-min_count, target="s", zmin=1, report="a", **kw)}


def pyfim_rules(fim, tr, min_count, min_conf):
    out = {}
    for head, body, count, conf, lift in fim.arules(tr, supp=-min_count, conf=100 * min_conf, zmin=2,
                                                    mode="o", report="acl"):
        out[(frozenset(body), frozenset([head]))] = (count, conf, lift)
    return out


def check_against_pyfim(fim, tr, min_count, min_conf=0.5):
    fi = frequent_itemsets(tr, min_count=min_count)
    want = pyfim_itemsets(fim, tr, min_count)
    assert len(fi) == len(want)
    assert fi.to_dict() == want
    assert_same_rules(rules_dict(association_rules(fi, min_confidence=min_conf)), pyfim_rules(fim, tr, min_count,
                                                                                              min_conf))
    return fi


@pytest.mark.parametrize("seed", range(5))
def test_against_pyfim_random(seed, count_mode):
    fim = pytest.importorskip("fim")
    tr = random_transactions(300 + seed, 400, 40, 0.25)
    for min_count in (3, 12, 60):
        check_against_pyfim(fim, tr, min_count, min_conf=0.3 + 0.1 * seed)
    fi = frequent_itemsets(tr, min_count=5, max_size=3)
    assert fi.to_dict() == pyfim_itemsets(fim, tr, 5, zmax=3)


def _source_line_transactions():
    """Real, Zipf-like data that ships with Python: the word tokens of each line of stdlib modules."""
    import argparse
    import inspect
    import typing

    tr = []
    for mod in (argparse, inspect, typing):
        text = Path(mod.__file__).read_text(encoding="utf-8")
        tr.extend(re.findall(r"[A-Za-z_]\w*", line) for line in text.splitlines())
    return tr


def test_against_pyfim_real_source_lines(count_mode):
    fim = pytest.importorskip("fim")
    tr = _source_line_transactions()
    assert len(tr) > 5000
    for min_count in (400, 40, 8):
        fi = check_against_pyfim(fim, tr, min_count, min_conf=0.6)
    assert len(fi) > 1000 and fi.max_size >= 4


def _pku_cached():
    cache = Path(os.environ.get("NLPZERO_BENCH_CACHE", Path.home() / ".cache" / "nlpzero-bench"))
    return cache / "199801.txt"


@pytest.mark.slow
@pytest.mark.skipif(not _pku_cached().exists(),
                    reason="People's Daily corpus not cached (benchmarks/datasets.py fetches it)")
def test_against_pyfim_peoples_daily(count_mode):
    fim = pytest.importorskip("fim")
    tr = []
    with open(_pku_cached(), encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= 4000:
                break
            tr.append({tok.rsplit("/", 1)[0] for tok in line.split() if not tok.endswith("/w")})
    for min_count in (200, 50):
        check_against_pyfim(fim, tr, min_count, min_conf=0.5)
    tr_file_style = [" ".join(sorted(t)) for t in tr]
    fi = frequent_itemsets(io.BytesIO("\n".join(tr_file_style).encode()), min_count=30)
    assert fi.to_dict() == pyfim_itemsets(fim, tr, 30)


def test_docstring_examples():
    import doctest

    import nlpzero.apriori

    assert doctest.testmod(nlpzero.apriori).failed == 0
