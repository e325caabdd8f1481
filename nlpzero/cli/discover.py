"""``nlpzero discover``: find the words of a corpus without a dictionary."""
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


@click.command("discover")
@click.argument("corpus", type=click.Path(allow_dash=True, dir_okay=True))
@click.option("--method", type=click.Choice(["joint", "mi", "min-entropy"]), default="joint", show_default=True,
              help="The joint segmentation model's words ranked by description-length gain, the "
                   "mutual-information cohesion cut (fast), or the minimum-entropy lexicon.")
@click.option("--seed", type=limited("seed"), default=0, show_default=True,
              help="Seed of the joint model (--method joint).")
@click.option("--min-count", type=limited("min_count"), default=None,
              help="Rarest word kept [default: max(2, round(characters / 500000))].")
@click.option("--max-n", "max_n", type=limited("discover_max_n"), default=4, show_default=True,
              help="Highest n-gram order scored (characters).")
@click.option("--top", type=limited("top"), default=None, help="Write only the N best words.")
@click.option("--format", "fmt", type=click.Choice(["tsv", "jsonl", "jieba"]), default="tsv",
              show_default=True, help="TSV with a '#' header, JSON lines, or a jieba user dictionary.")
@click.option("--new-only", is_flag=True, help="Only new words (absent from the known words).")
@click.option("--known", "known", multiple=True, type=click.Path(dir_okay=False, allow_dash=False),
              metavar="FILE", help="Your own dictionary: its words are not new (repeatable; one word per "
                                   "line, jieba `word [freq] [tag]`, or TSV).")
@click.option("--known-jieba/--no-known-jieba", default=True, show_default=True,
              help="Count jieba's dictionary as known too (--no-known-jieba: only the --known files).")
@click.option("--max-memory", type=ByteSize(), default="1G", show_default=True,
              help="Budget: mi/min_entropy count in exact hash partitions past it; joint (learning) "
                   "reads an evenly spread sample of the lines of a corpus of more than max-memory / 192 B "
                   "characters.")
@text_input_options
@scheduler_option
@output_option
@quiet_option
def command(corpus, method, seed, min_count, max_n, top, fmt, new_only, known, known_jieba, max_memory, encoding,
            errors, no_normalize, scheduler, output, quiet):
    """Discover the words of CORPUS and write them best first, new words marked.

    TSV columns: word, count, proba, cohesion, left_entropy, right_entropy, new (1 = not a known
    word: not in jieba's dictionary nor in a --known file). CORPUS may be `-` for standard input.

    \b
    Examples:
      nlpzero discover corpus.txt -o lexicon.tsv
      nlpzero discover corpus.txt --new-only --top 100
      nlpzero discover corpus.txt --new-only --known mine.txt --no-known-jieba
      nlpzero segment corpus.txt --lexicon lexicon.tsv   # the whole lexicon: a --top cut
                                                           # segments worse
    """
    from .._io import open_output
    from ..discovery import discover

    source = corpus_from_cli(corpus, encoding, errors, no_normalize, scheduler)
    with client_from_cli(scheduler) as client:
        lexicon = discover(source, method=method.replace("-", "_"), min_count=min_count, max_n=max_n,
                           max_memory=max_memory, known=list(known), known_jieba=known_jieba, seed=seed,
                           encoding=encoding, errors=errors, normalize=not no_normalize,
                           progress=not quiet, client=client)
    if new_only:
        lexicon = lexicon.subset(lexicon.is_new)
    with open_output(output) as out:
        rows = lexicon.save(out, format=fmt, top=top)
    if not quiet:
        n_new = int(lexicon.is_new[:rows].sum())
        click.echo(f"{rows} words ({n_new} new) -> {output or 'stdout'}", err=True)
