"""``nlpzero ngrams``: count character n-grams."""
from __future__ import annotations

import click

from ._common import (
    ByteSize,
    client_from_cli,
    corpus_from_cli,
    limited,
    output_option,
    quiet_option,
    scheduler_option,
    text_input_options,
)


@click.command("ngrams")
@click.argument("corpus", type=click.Path(allow_dash=True, dir_okay=True))
@click.option("-n", "--max-n", "max_n", type=limited("max_n"), default=4, show_default=True,
              help="Count orders 1..N.")
@click.option("--min-count", type=limited("min_count"), default=1, show_default=True,
              help="Keep n-grams seen at least this often.")
@click.option("--order", type=limited("max_n"), default=None,
              help="Write only n-grams of this length (default: all orders).")
@click.option("--max-memory", type=ByteSize(), default="1G", show_default=True,
              help="Cap on the counting table; past it, counting is redone in hash partitions "
                   "(the listing is then merged from sorted runs in temporary files).")
@click.option("--no-header", is_flag=True, help="Omit the '#ngram<TAB>count' header line.")
@text_input_options
@scheduler_option
@output_option
@quiet_option
def command(corpus, max_n, min_count, order, max_memory, no_header, encoding, errors, no_normalize,
            scheduler, output, quiet):
    """Count the character n-grams of CORPUS (orders 1..N, within runs of word characters).

    Writes `ngram<TAB>count` lines in frequency order. CORPUS may be `-` for standard input.

    \b
    Example:
      nlpzero ngrams corpus.txt -n 4 --min-count 5 -o ngrams.tsv
    """
    from .._export import stream_tsv
    from .._io import open_output
    from .._spill import rereadable

    if order is not None and order > max_n:
        raise click.BadParameter(f"--order {order} is larger than -n {max_n}", param_hint="--order")
    source = corpus_from_cli(corpus, encoding, errors, no_normalize, scheduler)
    if scheduler is not None:
        # counted and merged on the cluster; each merged partition is fetched in slices and
        # sorted into runs here, and the runs are merged into the output (bounded here too)
        from ..distributed import list_on

        with client_from_cli(scheduler) as client, open_output(output) as out:
            rows, n_chars = list_on(client, source, out, max_n=max_n, min_count=min_count,
                                    max_memory=max_memory, order=order, header=not no_header,
                                    encoding=encoding, errors=errors, normalize=not no_normalize,
                                    progress=not quiet)
    else:
        copy = None
        if not source.reiterable:  # standard input: kept (small) or copied, so partitions can re-read it
            copy = rereadable(source)
            source = copy.corpus
        try:
            # counted partition by partition, each sorted into runs and merged into the output
            with open_output(output) as out:
                rows, n_chars = stream_tsv(source, out, max_n=max_n, min_count=min_count,
                                           max_memory=max_memory, order=order, header=not no_header,
                                           progress=not quiet)
        finally:
            if copy is not None:
                copy.close()
    if not quiet and output not in (None, "-"):
        click.echo(f"{rows} n-grams ({n_chars} characters) -> {output}", err=True)
