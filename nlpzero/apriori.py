"""Frequent itemsets and association rules (Apriori), exact, with a compiled core.

:func:`frequent_itemsets` finds every itemset whose support count reaches a threshold;
:func:`association_rules` turns them into rules X → Y with support, confidence and lift.
Results match Christian Borgelt's pyfim exactly (same itemsets, same counts).

How it is computed: items are first counted and only the *frequent* ones kept, renumbered in
ascending order of support; each gets a vertical bitset over the transactions (memory
``n_frequent_items × n_transactions / 8`` bytes, nothing for the infrequent items; skipped when
that would exceed both 64 MiB and 8× the occurrence lists, as on big sparse data: see
:data:`BITSET_MIN_BUDGET`) and the
transactions a compact copy of their frequent items. Itemsets are grown one item at a time,
depth first, in a prefix tree. A candidate is generated only when *all* its subsets one item
smaller are frequent (the Apriori prune), and its support is one AND + popcount of its
prefix's bitset with the new item's bitset; where the prefix is rare enough that walking its
transactions is cheaper, all its extensions are counted in one pass over its transactions
instead (occurrence deliver, as in Eclat/LCM), and those transactions, reduced to the items
still in play, are handed down to the next level. Both ways give exact counts
(:data:`COUNT_MODE` forces one).

References
----------
R. Agrawal and R. Srikant, "Fast algorithms for mining association rules", VLDB 1994.
M. J. Zaki, "Scalable algorithms for association mining", IEEE TKDE 12(3), 2000 (vertical layout).
C. Borgelt, "Efficient implementations of Apriori and Eclat", FIMI 2003 (pyfim's author).
T. Uno, M. Kiyomi, H. Arimura, "LCM ver. 2", FIMI 2004 (occurrence deliver).
苏剑林, "用Numpy实现高效的Apriori算法", kexue.fm 2018 (the dense-matrix version this improves on).
"""
from __future__ import annotations

import codecs
import io
import math
import os
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from typing import Any, Union

import numpy as np

from . import _apriori
from . import _limits as limits
from ._validate import check_choice, check_int
from .corpus import Corpus
from .errors import OutOfMemoryError, ParameterError, ParameterTypeError, ResourceLimitError, TooManyItemsetsError

__all__ = [
    "AssociationRules",
    "FrequentItemsets",
    "Rule",
    "TooManyItemsetsError",
    "association_rules",
    "frequent_itemsets",
    "min_count_for",
]

#: Default cap on the number of frequent itemsets (about 24 bytes each in the compiled trie).
DEFAULT_MAX_ITEMSETS = 10_000_000
_NODE_LIMIT = 2**31 - 16  # node ids are int32
_RULE_TOLERANCE = 1e-12  # relative slack on rule thresholds (float noise)
#: How the compiled miner counts supports: 0 = per prefix the cheaper of 1 (AND + popcount per
#: candidate, after the Apriori prune) and 2 (occurrence deliver over projected transactions).
#: The results are the same; a knob so that tests and benchmarks can force each way.
COUNT_MODE = 0
#: Vertical bitsets are built while they take at most ``max(BITSET_MIN_BUDGET, BITSET_OCC_RATIO ×
#: the 4-byte occurrence lists)`` bytes, else supports are counted by occurrence deliver alone
#: (setting both to 0 forces that layout).
BITSET_MIN_BUDGET = 64 << 20
BITSET_OCC_RATIO = 8

Transactions = Union[str, "os.PathLike[str]", io.IOBase, Iterable[Iterable[Hashable]]]


# --------------------------------------------------------------------------------------------
# reading and encoding transactions


def min_count_for(min_support: float, n_transactions: int) -> int:
    """The absolute support count that relative support ``min_support`` stands for.

    The rule: ``ceil(min_support * n_transactions)``, where a product within a relative 1e-9 of
    an integer counts as that integer (so 0.3 × 10 = 3.0000000000000004 gives 3, not 4), and
    never less than 1. An itemset is frequent when its count is ≥ this number, i.e. when its
    relative support is ≥ ``min_support``.

    Examples
    --------
    >>> min_count_for(0.3, 10), min_count_for(0.25, 10), min_count_for(1e-9, 10)
    (3, 3, 1)
    """
    x = min_support * n_transactions
    r = round(x)
    if abs(x - r) <= 1e-9 * max(1.0, abs(x)):
        return max(1, int(r))
    return max(1, math.ceil(x))


def _split_line(line: str, sep: str | None) -> list[str]:
    if sep is None:
        return line.split()
    return [f for f in (x.strip() for x in line.split(sep)) if f]


def _transactions_source(
    transactions: Transactions, sep: str | None, encoding: str, errors: str
) -> Iterable[Iterable[Hashable]]:
    if isinstance(transactions, (str, os.PathLike)) or hasattr(transactions, "read"):
        # a file: one transaction per line, read like every other corpus (decoding errors with
        # byte offsets, binary-file detection, '-' for standard input)
        corpus = Corpus(transactions, encoding=encoding, errors=errors)
        return (_split_line(line, sep) for line in corpus.lines())
    if isinstance(transactions, bytes):
        raise ParameterTypeError("`transactions` must be an iterable of transactions or a file path, got bytes")
    if isinstance(transactions, Mapping):
        raise ParameterTypeError(
            "`transactions` is a mapping; transaction multiplicities (pyfim's dict form) are not "
            "supported: repeat each transaction instead, e.g. [t for t, n in d.items() for _ in range(n)]"
        )
    try:
        iter(transactions)
    except TypeError:
        raise ParameterTypeError(
            f"`transactions` must be an iterable of iterables of items or a file path, "
            f"got {type(transactions).__name__}"
        ) from None
    return transactions


def _bad_transaction(k: int, tr: Any) -> ParameterTypeError:
    if isinstance(tr, (str, bytes)):
        return ParameterTypeError(
            f"transaction {k} is a {type(tr).__name__} ({tr[:40]!r}), not a collection of items; "
            "split it first (e.g. line.split()), or pass a file path to read one transaction per line"
        )
    try:
        it = iter(tr)
    except TypeError:
        return ParameterTypeError(f"transaction {k} is not an iterable of items: got {type(tr).__name__} {tr!r:.60}")
    for x in it:
        try:
            hash(x)
        except TypeError as exc:
            return ParameterTypeError(f"transaction {k} contains an unhashable item {x!r:.60} ({exc})")
    return ParameterTypeError(f"transaction {k} cannot be read as a set of items")


def _encode(source: Iterable[Iterable[Hashable]]):
    """Raw item ids of every transaction (duplicates dropped) and the item vocabulary."""
    vocab: dict[Hashable, int] = {}
    try:
        ids, offsets = _apriori.encode(source, vocab)
    except _apriori.BadTransaction as exc:          # the kernel's status: transaction k is bad
        k, tr = exc.args
        raise _bad_transaction(k, tr) from None
    except OverflowError:                          # the kernel's item ids are int32
        raise ResourceLimitError(f"more than {2**31 - 1:,} distinct items; item ids are 32-bit") from None
    except MemoryError:
        raise OutOfMemoryError(f"out of memory while reading transactions ({len(vocab):,} distinct items "
                               "so far)") from None
    return vocab, ids, offsets


# --------------------------------------------------------------------------------------------
# results


@dataclass(frozen=True, eq=False)
class FrequentItemsets:
    """All frequent itemsets of a transaction database, with their support counts.

    Stored compactly as a prefix tree (one node per itemset, node 0 = the empty set); use
    :meth:`to_list`, :meth:`to_dict` or iteration to get Python objects.

    Attributes
    ----------
    items : tuple
        The frequent items, indexed by item id, in ascending order of support.
    n_transactions : int
        Number of transactions N (empty ones included); relative support = count / N.
    min_count : int
        The support-count threshold that was applied.
    node_item, node_count, node_parent, node_child_start, node_child_end : ndarray, shape (n_nodes,)
        The prefix tree: int32 item id (-1 at the root), int64 support count, int32 parent
        node, and the int32 range of each node's children (item ids increase along a path).
        Itemset number i (0-based) is node i + 1.
    """

    items: tuple[Hashable, ...]
    n_transactions: int
    min_count: int
    node_item: np.ndarray = field(repr=False)
    node_count: np.ndarray = field(repr=False)
    node_parent: np.ndarray = field(repr=False)
    node_child_start: np.ndarray = field(repr=False)
    node_child_end: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.node_item) - 1

    def __repr__(self) -> str:
        return (
            f"FrequentItemsets({len(self):,} itemsets of {len(self.items):,} frequent items, "
            f"n_transactions={self.n_transactions:,}, min_count={self.min_count}, "
            f"max size={self.max_size})"
        )

    @cached_property
    def _flat(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return _apriori.flatten(self.node_item, self.node_parent)

    @property
    def counts(self) -> np.ndarray:
        """int64 array, shape (n_itemsets,): support count of each itemset."""
        return self.node_count[1:]

    @property
    def sizes(self) -> np.ndarray:
        """int32 array, shape (n_itemsets,): number of items in each itemset."""
        return self._flat[2][1:]

    @property
    def max_size(self) -> int:
        """Size of the largest frequent itemset (0 when there is none)."""
        return int(self._flat[2].max()) if len(self.node_item) > 1 else 0

    def to_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(item_ids, offsets, counts)``: itemset i is ``items[j] for j in item_ids[offsets[i]:offsets[i+1]]``.

        item_ids is int32 (ids into :attr:`items`, most frequent item first within an itemset),
        offsets int64 of shape (n_itemsets + 1,), counts int64 of shape (n_itemsets,).
        """
        flat, offsets, _ = self._flat
        return flat, offsets, self.counts

    def itemset(self, i: int) -> tuple[Hashable, ...]:
        """Itemset number ``i`` as a tuple of items (most frequent first)."""
        flat, offsets, _ = self._flat
        i = check_int("i", i, minimum=0, maximum=len(self) - 1)
        return tuple(self.items[j] for j in flat[offsets[i] : offsets[i + 1]])

    def _tuples(self) -> list[tuple[Hashable, ...]]:
        flat, offsets, _ = self._flat
        objs = [self.items[j] for j in flat.tolist()]
        bounds = offsets.tolist()
        return [tuple(objs[bounds[i] : bounds[i + 1]]) for i in range(len(bounds) - 1)]

    def __iter__(self) -> Iterator[tuple[tuple[Hashable, ...], int]]:
        return iter(self.to_list())

    def to_list(self) -> list[tuple[tuple[Hashable, ...], int]]:
        """``[(itemset_tuple, count), ...]`` in tree order (each itemset most frequent item first)."""
        return list(zip(self._tuples(), self.counts.tolist()))

    def to_dict(self) -> dict[frozenset[Hashable], int]:
        """``{frozenset(itemset): count}``."""
        return {frozenset(t): c for t, c in zip(self._tuples(), self.counts.tolist())}

    @cached_property
    def _item_index(self) -> dict[Hashable, int]:
        return {x: i for i, x in enumerate(self.items)}

    def _node_of_ids(self, ids: Iterable[int]) -> int:
        v = 0
        for c in sorted(ids):
            lo, hi = int(self.node_child_start[v]), int(self.node_child_end[v])
            k = lo + int(np.searchsorted(self.node_item[lo:hi], c))
            if k >= hi or self.node_item[k] != c:
                return -1
            v = k
        return v

    def count_of(self, itemset: Iterable[Hashable]) -> int | None:
        """Support count of ``itemset`` if it is frequent, else None (the empty set gives N)."""
        index = self._item_index
        ids = set()
        for x in itemset:
            j = index.get(x)
            if j is None:
                return None
            ids.add(j)
        v = self._node_of_ids(ids)
        return None if v < 0 else int(self.node_count[v])


@dataclass(frozen=True)
class Rule:
    """One association rule ``antecedent → consequent``.

    ``count`` is the support count of antecedent ∪ consequent and ``support`` = count / N;
    ``confidence`` = count / count(antecedent); ``lift`` = confidence / (count(consequent) / N).
    """

    antecedent: tuple[Hashable, ...]
    consequent: tuple[Hashable, ...]
    count: int
    support: float
    confidence: float
    lift: float


@dataclass(frozen=True, eq=False)
class AssociationRules:
    """Association rules over a :class:`FrequentItemsets`, stored as node ids of its tree.

    Attributes
    ----------
    itemsets : FrequentItemsets
    antecedent, consequent, itemset : int32 ndarray, shape (n_rules,)
        Tree nodes of X, Y and X ∪ Y.
    confidence, lift : float64 ndarray, shape (n_rules,)
    """

    itemsets: FrequentItemsets = field(repr=False)
    antecedent: np.ndarray = field(repr=False)
    consequent: np.ndarray = field(repr=False)
    itemset: np.ndarray = field(repr=False)
    confidence: np.ndarray = field(repr=False)
    lift: np.ndarray = field(repr=False)

    def __len__(self) -> int:
        return len(self.itemset)

    def __repr__(self) -> str:
        return f"AssociationRules({len(self):,} rules over {len(self.itemsets):,} itemsets)"

    @property
    def count(self) -> np.ndarray:
        """int64 array: support count of X ∪ Y for each rule."""
        return self.itemsets.node_count[self.itemset]

    @property
    def support(self) -> np.ndarray:
        """float64 array: relative support of X ∪ Y (count / N)."""
        return self.count / max(self.itemsets.n_transactions, 1)

    def to_list(self) -> list[Rule]:
        """The rules as :class:`Rule` objects, in the stored order."""
        fi = self.itemsets
        tuples = fi._tuples()
        n = max(fi.n_transactions, 1)
        return [
            Rule(tuples[a - 1], tuples[c - 1], k, k / n, conf, lift)
            for a, c, k, conf, lift in zip(
                self.antecedent.tolist(),
                self.consequent.tolist(),
                self.count.tolist(),
                self.confidence.tolist(),
                self.lift.tolist(),
            )
        ]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.to_list())


# --------------------------------------------------------------------------------------------
# public functions


def frequent_itemsets(
    transactions: Transactions,
    *,
    min_support: float | None = None,
    min_count: int | None = None,
    max_size: int | None = None,
    max_itemsets: int | None = DEFAULT_MAX_ITEMSETS,
    sep: str | None = None,
    encoding: str = "utf-8",
    errors: str = "strict",
) -> FrequentItemsets:
    """Find every itemset whose support count is at least the threshold (Apriori).

    Parameters
    ----------
    transactions : iterable of iterables of hashable items, or a file path / binary file
        Each transaction is a collection of items (strings typically); duplicates inside a
        transaction count once, empty transactions count in N. A path (str or PathLike) or an
        open file is read as one transaction per line, items split on ``sep``. Read once.
    min_support : float in (0, 1], optional
        Relative threshold; converted to a count with :func:`min_count_for`
        (``ceil(min_support * N)`` with a 1e-9 tolerance for float noise).
    min_count : int ≥ 1, optional
        Absolute threshold. Give exactly one of ``min_support`` and ``min_count``.
    max_size : int ≥ 1, optional
        Largest itemset size to report (default: no limit).
    max_itemsets : int ≥ 1 or None
        Stop with :class:`TooManyItemsetsError` once more itemsets than this are found,
        instead of exhausting memory (None: no limit).
    sep : str, optional
        Item separator in a file (default: any whitespace); fields are stripped, empty ones dropped.
    encoding : str
        Encoding of a file (default UTF-8).
    errors : {"strict", "replace"}
        "strict": undecodable bytes raise :class:`~nlpzero.errors.DecodeError` naming the file
        and byte offset; "replace": they become U+FFFD.

    Returns
    -------
    FrequentItemsets
        Every frequent itemset (singletons included, the empty set excluded) with its count.

    Raises
    ------
    TypeError
        A transaction that is not an iterable of hashable items (the message names it).
    ValueError
        Bad thresholds; :class:`TooManyItemsetsError` when ``max_itemsets`` is exceeded.

    Examples
    --------
    >>> from nlpzero import frequent_itemsets
    >>> fi = frequent_itemsets([["牛奶", "面包"], ["牛奶", "尿布", "啤酒"], ["牛奶", "面包", "尿布"]],
    ...                        min_count=2)
    >>> sorted((sorted(s), c) for s, c in fi.to_dict().items())
    [(['尿布'], 2), (['尿布', '牛奶'], 2), (['牛奶'], 3), (['牛奶', '面包'], 2), (['面包'], 2)]
    """
    if (min_support is None) == (min_count is None):
        raise ParameterError("give exactly one of `min_support` (a fraction in (0, 1]) and `min_count` (an int ≥ 1)")
    if min_support is not None:
        min_support = limits.check("min_support", min_support)
    else:
        min_count = limits.check("min_count", min_count)
    if max_size is not None:
        max_size = limits.check("max_size", max_size)
    if max_itemsets is not None:
        max_itemsets = limits.check("max_itemsets", max_itemsets)
    if sep is not None and (not isinstance(sep, str) or sep == ""):
        raise ParameterError(f"`sep` must be a non-empty string or None (whitespace), got {sep!r}")
    try:
        codecs.lookup(encoding)
    except (LookupError, TypeError):
        raise ParameterError(f"`encoding` is not a known text encoding: {encoding!r}") from None

    errors = check_choice("errors", errors, ("strict", "replace"))
    vocab, ids, offsets = _encode(_transactions_source(transactions, sep, encoding, errors))
    n_trans = len(offsets) - 1
    if min_count is None:
        min_count = min_count_for(min_support, n_trans)

    counts = np.bincount(ids, minlength=len(vocab)).astype(np.int64)
    frequent = np.flatnonzero(counts >= min_count)
    order = frequent[np.argsort(counts[frequent], kind="stable")]  # ascending support
    remap = np.full(len(vocab), -1, dtype=np.int32)
    remap[order] = np.arange(len(order), dtype=np.int32)
    all_items = list(vocab)
    del vocab
    items = tuple(all_items[j] for j in order.tolist())
    del all_items
    # bitsets cost n_items * N / 8 bytes; on very sparse data (many frequent items, many
    # transactions) they would dwarf the occurrences, so count by occurrence deliver alone
    n_occ = int(counts[order].sum())
    bitset_bytes = len(order) * ((n_trans + 63) // 64) * 8
    with_bits = bitset_bytes <= max(BITSET_MIN_BUDGET, BITSET_OCC_RATIO * 4 * n_occ)
    bits, h_items, h_off, suffix_mean, v_tids, v_off = _apriori.build_vertical(
        ids, offsets, remap, len(order), with_bits
    )
    del ids, offsets, remap

    limit = _NODE_LIMIT if max_itemsets is None else min(max_itemsets, _NODE_LIMIT)
    status, item, count, parent, cstart, cend = _apriori.mine(
        bits, np.ascontiguousarray(counts[order]), h_items, h_off, suffix_mean, v_tids, v_off,
        n_trans, min_count, max_size or 0, limit, COUNT_MODE,
    )
    if status == _apriori.STATUS_TOO_MANY:
        raise TooManyItemsetsError(
            f"more than {limit:,} frequent itemsets at min_count={min_count} (N={n_trans:,}); "
            "raise min_support/min_count, set max_size, or raise the max_itemsets guard (None/0 = no limit)"
        )
    if status != _apriori.STATUS_OK:
        raise OutOfMemoryError("out of memory while mining frequent itemsets; "
                               "raise min_support/min_count or set max_size")
    return FrequentItemsets(items, n_trans, int(min_count), item, count, parent, cstart, cend)


def association_rules(
    itemsets: FrequentItemsets,
    *,
    min_confidence: float,
    min_lift: float | None = None,
    max_consequent_size: int | None = 1,
) -> AssociationRules:
    """Association rules X → Y from frequent itemsets: support, confidence and lift.

    For every frequent itemset Z = X ∪ Y (X, Y non-empty and disjoint): support = count(Z) / N,
    confidence = count(Z) / count(X), lift = confidence / (count(Y) / N). A rule is kept when
    confidence ≥ ``min_confidence`` and lift ≥ ``min_lift``, each threshold lowered by a relative
    1e-12 so that float noise in it (0.1 * 6 = 0.6000000000000001) does not drop a rule that
    meets it exactly (pyfim does the same).

    Parameters
    ----------
    itemsets : FrequentItemsets
        From :func:`frequent_itemsets`; its threshold is the rules' minimum support.
    min_confidence : float in [0, 1]
    min_lift : float ≥ 0, optional
    max_consequent_size : int ≥ 1 or None
        Largest consequent size; 1 (default) gives one-item consequents (as pyfim's ``arules``),
        None any size (consequents grown level by level, pruned by confidence).

    Returns
    -------
    AssociationRules
        Use ``to_list()`` for :class:`Rule` objects, or the arrays directly.

    Examples
    --------
    >>> from nlpzero import frequent_itemsets, association_rules
    >>> fi = frequent_itemsets([["a", "b"], ["a", "b", "c"], ["a", "c"], ["b"]], min_count=2)
    >>> sorted((r.antecedent, r.consequent, r.count, round(r.confidence, 3), round(r.lift, 3))
    ...        for r in association_rules(fi, min_confidence=0.6))  # doctest: +NORMALIZE_WHITESPACE
    [(('a',), ('b',), 2, 0.667, 0.889), (('a',), ('c',), 2, 0.667, 1.333),
     (('b',), ('a',), 2, 0.667, 0.889), (('c',), ('a',), 2, 1.0, 1.333)]

    References
    ----------
    R. Agrawal and R. Srikant, "Fast algorithms for mining association rules", VLDB 1994 (ap-genrules).
    """
    if not isinstance(itemsets, FrequentItemsets):
        raise ParameterTypeError("`itemsets` must be a FrequentItemsets (from frequent_itemsets), "
                                 f"got {type(itemsets).__name__}")
    min_confidence = limits.check("min_confidence", min_confidence)
    lift_floor = -math.inf
    if min_lift is not None:
        lift_floor = limits.check("min_lift", min_lift)
    if max_consequent_size is not None:
        max_consequent_size = limits.check("max_consequent_size", max_consequent_size)
    fi = itemsets
    # float noise in a threshold (0.3 + 0.3 = 0.6000000000000001) must not drop a rule at
    # exactly 0.6: compare against the threshold lowered by a relative 1e-12, as pyfim does
    conf_floor = min_confidence * (1.0 - _RULE_TOLERANCE)
    if min_lift is not None:
        lift_floor = lift_floor * (1.0 - _RULE_TOLERANCE)
    if max_consequent_size == 1:
        status, ante, cons, node = _apriori.one_item_rules(
            fi.node_item, fi.node_count, fi.node_parent, fi.node_child_start, fi.node_child_end,
            fi.n_transactions, conf_floor, lift_floor, fi.max_size,
        )
        if status != _apriori.STATUS_OK:
            raise OutOfMemoryError("out of memory while generating association rules; raise min_confidence or min_lift")
    else:
        ante, cons, node = _rules_any_size(fi, conf_floor, lift_floor, max_consequent_size)
    count = fi.node_count
    confidence = count[node].astype(np.float64) / count[ante]
    lift = confidence / (count[cons].astype(np.float64) / fi.n_transactions) if len(node) else confidence.copy()
    return AssociationRules(fi, ante, cons, node, confidence, lift)


def _rules_any_size(fi: FrequentItemsets, min_conf: float, min_lift: float, max_size: int | None):
    """ap-genrules: for each itemset, consequents grown one item at a time while confidence holds."""
    flat, offsets, sizes = fi._flat
    flat_l, off_l, count = flat.tolist(), offsets.tolist(), fi.node_count.tolist()
    node_of = {tuple(flat_l[off_l[v - 1] : off_l[v]]): v for v in range(1, len(count))}
    node_of[()] = 0
    n = fi.n_transactions
    ante, cons, node = [], [], []
    for v in range(1, len(count)):
        z = tuple(flat_l[off_l[v - 1] : off_l[v]])
        if len(z) < 2:
            continue
        cz = count[v]
        level = [(y,) for y in z]
        size = 1
        while level and size < len(z) and (max_size is None or size <= max_size):
            passed = []
            for y in level:
                ys = set(y)
                x = tuple(i for i in z if i not in ys)
                a = node_of[x]
                conf = cz / count[a]
                if conf >= min_conf:
                    passed.append(y)
                    c = node_of[y]
                    if conf / (count[c] / n) >= min_lift:
                        ante.append(a)
                        cons.append(c)
                        node.append(v)
            ok = set(passed)
            size += 1
            level = []
            for i, y1 in enumerate(passed):  # join consequents sharing all but their last item
                for y2 in passed[i + 1 :]:
                    if y1[:-1] != y2[:-1]:
                        continue
                    y = y1 + (y2[-1],) if z.index(y1[-1]) < z.index(y2[-1]) else y2 + (y1[-1],)
                    if all(s in ok for s in combinations(y, size - 1)):
                        level.append(y)
    as32 = lambda xs: np.asarray(xs, dtype=np.int32)  # noqa: E731
    return as32(ante), as32(cons), as32(node)
