"""``nlpzero communities EDGES``: two-level InfoMap communities of a graph."""
from __future__ import annotations

import click

from ._common import limited, output_option, quiet_option, write_partition


@click.command(
    "communities",
    help=(
        "Find communities in a graph with InfoMap (the map equation, two-level).\n\n"
        "EDGES has one link per line, 'SOURCE TARGET [WEIGHT]' (tab or space separated, '#' "
        "starts a comment); `-` reads standard input. Writes TSV 'node, module, flow' (modules "
        "numbered from 1 by decreasing flow); the codelength goes to stderr."
    ),
)
@click.argument("edges", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--directed", is_flag=True, help="Links are directed (PageRank flow, teleportation 0.15 to links).")
@click.option("--num-trials", "num_trials", type=limited("num_trials"), default=10, show_default=True,
              help="Seeded trials; best kept.")
@click.option("--seed", type=limited("seed"), default=0, show_default=True,
              help="Random seed (results are deterministic).")
@click.option("--teleportation", type=limited("teleportation"), default=0.15, show_default=True,
              help="Directed flow only.")
@click.option("--encoding", default="utf-8", show_default=True, help="Edge-list encoding (e.g. gb18030).")
@output_option
@quiet_option
def command(edges, directed, num_trials, seed, teleportation, encoding, output, quiet):
    from ..community import infomap

    result = infomap(edges, num_trials=num_trials, seed=seed, directed=directed, teleportation=teleportation,
                     encoding=encoding)
    write_partition(output, result, "node", "module")
    if not quiet:
        click.echo(
            f"{len(result.nodes)} nodes, {result.num_modules} modules, codelength {result.codelength:.9f} bits "
            f"(one module: {result.one_level_codelength:.9f})",
            err=True,
        )
