"""``nlpzero parse CORPUS --templates T``: one bracketed parse per input line, in order."""
from __future__ import annotations

import os
import sys

import click

from ._common import limited, output_option, quiet_option, segmenter_options, segmenter_unless_segmented

# This command does no linear algebra: OpenBLAS's thread pool, started when numpy is first
# imported, would only burn CPU (about 30 ms). Only in a fresh process (numpy not imported yet,
# so nothing else in it has chosen), and a value the user set is kept.
if "numpy" not in sys.modules:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


@click.command("parse")
@click.argument("corpus", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("-t", "--templates", "templates_path", type=click.Path(dir_okay=False), required=True,
              help="Templates from `nlpzero templates` (jsonl keeps the code; tsv works too).")
@output_option
@click.option("--segmented", is_flag=True, help="CORPUS is already segmented (space-separated tokens).")
@segmenter_options
@click.option("-j", "--jobs", type=limited("jobs"), default=None,
              help="Worker processes [default: all cores; inputs under 8 MB in one process].")
@click.option("--encoding", default="utf-8", show_default=True, help="Input encoding (e.g. gb18030).")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Undecodable bytes: stop with an error, or replace them with U+FFFD.")
@quiet_option
def command(corpus, templates_path, output, segmented, lexicon, dict_, user_dicts, max_word_len, jobs, encoding,
            errors, quiet):
    """Parse every line of CORPUS (`-` = standard input) into nested templates: the parse of
    minimum description length, one output line per input line, in input order, streaming, on
    all cores for large inputs (workers get chunks of lines).

    \b
    Output: a template block is written [w1 (filler) w2 ...], a flat filler (w w), a flat
    piece as its bare tokens; punctuation between pieces as it is. E.g.
      [据 新华社 (北京 １月 １日) 电]

    \b
    Examples:
      nlpzero templates news.seg.txt --segmented --format jsonl -o news.tpl.jsonl
      nlpzero parse news.seg.txt --segmented --templates news.tpl.jsonl -o news.parse.txt
    """
    from ..corpus import Corpus
    from ..templates import Templates, parse_file

    ts = Templates.load(templates_path)
    corpus_obj = Corpus(corpus, encoding=encoding, errors=errors)
    seg = segmenter_unless_segmented(corpus_obj, segmented, lexicon, dict_, user_dicts, quiet, max_word_len)
    result = parse_file(corpus_obj, output, ts, segmenter=seg, jobs=jobs, progress=not quiet)
    if not quiet and output not in (None, "-"):
        click.echo(f"parse: {result.lines:,} lines in {result.seconds:.1f}s ({result.jobs} jobs) -> {output}", err=True)
