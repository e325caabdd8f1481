"""``nlpzero templates CORPUS``: sentence templates with gaps, chosen by description length."""
from __future__ import annotations

import os
import sys
import warnings

import click

from ._common import limited, output_option, quiet_option, segmenter_options, segmenter_unless_segmented

# This command does no linear algebra: OpenBLAS's thread pool, started when numpy is first
# imported, would only burn CPU (about 30 ms). Only in a fresh process (numpy not imported yet,
# so nothing else in it has chosen), and a value the user set is kept.
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@click.command("templates")
@click.argument("corpus", type=click.Path(allow_dash=True, dir_okay=False))
@output_option
@click.option("--format", "format_", type=click.Choice(["tsv", "jsonl"]), default="tsv", show_default=True,
              help="tsv for people; jsonl (one object per template, best first, null = placeholder, "
                   "after a header line with the code) for `nlpzero parse` and programs.")
@click.option("--segmented", is_flag=True, help="CORPUS is already segmented (space-separated tokens).")
@segmenter_options
@click.option("--window", type=limited("window"), default=5, show_default=True,
              help="Largest distance of a linked pair of words.")
@click.option("--min-pmi", type=limited("min_pmi"), default=2.0, show_default=True,
              help="A pair links when its PMI (nats) exceeds this ...")
@click.option("--min-proba", type=limited("min_proba"), default=None,
              help="... and its probability c(u,v)/N2 exceeds this [default: derived from CORPUS: "
                   "c*/N2, c* the count at which a link at the PMI floor pays for its two-word "
                   "template under the description length].")
@click.option("--min-count", type=limited("min_count"), default=3, show_default=True,
              help="Candidates must be seen at least this many times.")
@click.option("--max-piece-len", type=limited("max_piece_len"), default=128, show_default=True,
              help="Pieces longer than this many tokens are cut into chunks.")
@click.option("--no-prune", is_flag=True, help="Keep every candidate the parses use (no description-length pruning).")
@click.option("--top", type=limited("top"), default=None, help="Write only the N best templates (0 = all).")
@click.option("--encoding", default="utf-8", show_default=True, help="Input encoding (e.g. gb18030).")
@quiet_option
def command(corpus, output, format_, segmented, lexicon, dict_, user_dicts, max_word_len, window, min_pmi,
            min_proba, min_count, max_piece_len, no_prune, top, encoding, quiet):
    """Find the sentence templates of CORPUS (`-` = standard input): fixed words with gaps
    ([X]在[X]中[X], 据新华社[X]电) that shorten the description of the corpus.

    CORPUS is raw text, segmented first with a segmenter learned from CORPUS itself, or with
    --lexicon/--dict; with --segmented it is one sentence per line, tokens separated by spaces.
    A line on stderr gives the description length: baseline bits, data + model bits, saving.

    \b
    Examples:
      nlpzero templates news.seg.txt --segmented --format jsonl -o news.tpl.jsonl
      nlpzero templates news.txt --dict jieba --top 50
    """
    from .._io import open_output
    from ..corpus import Corpus
    from ..templates import find_templates, write_templates

    corpus_obj = Corpus(corpus, encoding=encoding)
    seg = segmenter_unless_segmented(corpus_obj, segmented, lexicon, dict_, user_dicts, quiet, max_word_len)
    # a segmented file by its path: find_templates reads it with the compiled tokenizer
    source = corpus if seg is None and corpus != "-" else corpus_obj

    def progress(message):
        if not quiet:
            click.echo(f"templates: {message}", err=True)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ts = find_templates(source, segmenter=seg, window=window, min_pmi=min_pmi, min_proba=min_proba,
                                min_count=min_count, max_piece_len=max_piece_len, prune=not no_prune, encoding=encoding,
                                progress=progress if not quiet else None)
        finally:
            for w in caught:
                if issubclass(w.category, UserWarning):
                    click.echo(f"nlpzero: warning: {w.message}", err=True)
    out_ts = ts.top(top) if top else ts
    with open_output(output) as out:
        write_templates(out_ts, out, format_)
    if not quiet:
        derived = "" if min_proba is not None else f" (min_proba derived: {ts.params['min_proba']:.3g})"
        click.echo(f"templates: {len(ts):,} templates{derived}; {ts.training}", err=True)
