"""``nlpzero apriori``: frequent itemsets (or association rules) of a transaction file, as TSV.

One transaction per line, items separated by whitespace (or ``--sep``). Output columns:

    itemsets: itemset  size  count  support                    (by count, largest first)
    rules:    antecedent  consequent  count  support  confidence  lift   (by confidence, then lift)

Items inside a column are joined by a space (or by ``--sep`` when given).
"""
from __future__ import annotations

import time

import click
import numpy as np

from ._common import limited, output_option, quiet_option

_CHUNK = 65536


def _join_items(sep):
    joiner = " " if sep is None else sep
    return joiner.join


@click.command(name="apriori")
@click.argument("transactions", type=click.Path(dir_okay=True, allow_dash=True))
@click.option("--min-support", type=limited("min_support"), default=None, help="Minimum relative support in (0, 1]; "
              "count threshold = ceil(S × N) (1e-9 tolerance).")
@click.option("--min-count", type=limited("min_count"), default=None,
              help="Minimum support count (instead of --min-support).")
@click.option("--sep", default=None, help="Item separator (default: any whitespace).")
@click.option("--max-size", type=limited("max_size"), default=None, help="Largest itemset size (default: no limit).")
@click.option("--max-itemsets", type=limited("max_itemsets", zero_means_none=True), default=10_000_000,
              show_default=True,
              help="Stop with an error beyond this many itemsets (0 = no limit).")
@click.option("--rules", is_flag=True, help="Output association rules instead of itemsets.")
@click.option("--min-confidence", type=limited("min_confidence"), default=0.8, show_default=True,
              help="Minimum rule confidence.")
@click.option("--min-lift", type=limited("min_lift"), default=None, help="Minimum rule lift (default: none).")
@click.option("--max-consequent-size", type=limited("max_consequent_size", zero_means_none=True), default=1,
              show_default=True,
              help="Largest rule consequent (0 = any size).")
@click.option("--encoding", default="utf-8", show_default=True, help="Input encoding (e.g. gb18030).")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Undecodable bytes: stop with an error, or replace them with U+FFFD.")
@output_option
@quiet_option
def command(transactions, min_support, min_count, sep, max_size, max_itemsets, rules, min_confidence,
            min_lift, max_consequent_size, encoding, errors, output, quiet):
    """Frequent itemsets and association rules of TRANSACTIONS (one per line; `-` = stdin).

    \b
    Examples:
      nlpzero apriori baskets.txt --min-support 0.01 | head
      nlpzero apriori baskets.csv --sep , --min-count 50 --rules --min-confidence 0.6 -o rules.tsv
    """
    from .._io import open_output
    from ..apriori import association_rules, frequent_itemsets

    if (min_support is None) == (min_count is None):
        raise click.UsageError("give exactly one of --min-support and --min-count")
    t0 = time.perf_counter()
    fi = frequent_itemsets(
        transactions, min_support=min_support, min_count=min_count, max_size=max_size,
        max_itemsets=max_itemsets or None, sep=sep, encoding=encoding, errors=errors,
    )
    join = _join_items(sep)
    n = max(fi.n_transactions, 1)
    tuples = fi._tuples()
    if rules:
        ar = association_rules(fi, min_confidence=min_confidence, min_lift=min_lift,
                               max_consequent_size=max_consequent_size or None)
        order = np.lexsort((-ar.lift, -ar.confidence))
        counts = ar.count
        header = "antecedent\tconsequent\tcount\tsupport\tconfidence\tlift\n"
        ante, cons, conf, lift = ar.antecedent, ar.consequent, ar.confidence, ar.lift
        rows = (
            f"{join(map(str, tuples[ante[i] - 1]))}\t{join(map(str, tuples[cons[i] - 1]))}\t{counts[i]}\t"
            f"{counts[i] / n:.6g}\t{conf[i]:.6g}\t{lift[i]:.6g}\n"
            for i in order.tolist()
        )
        what = f"{len(ar):,} rules"
    else:
        counts = fi.counts
        sizes = fi.sizes
        order = np.lexsort((sizes, -counts))
        header = "itemset\tsize\tcount\tsupport\n"
        counts_l, sizes_l = counts.tolist(), sizes.tolist()
        rows = (
            f"{join(map(str, tuples[i]))}\t{sizes_l[i]}\t{counts_l[i]}\t{counts_l[i] / n:.6g}\n"
            for i in order.tolist()
        )
        what = f"{len(fi):,} itemsets"
    with open_output(output) as out:
        out.write(header)
        buf = []
        for row in rows:
            buf.append(row)
            if len(buf) >= _CHUNK:
                out.write("".join(buf))
                buf.clear()
        out.write("".join(buf))
    if not quiet:
        click.echo(
            f"apriori: {fi.n_transactions:,} transactions, {len(fi.items):,} frequent items, "
            f"min_count={fi.min_count}: {what} in {time.perf_counter() - t0:.2f}s",
            err=True,
        )
