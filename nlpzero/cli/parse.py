"""``nlpzero parse CORPUS --templates T``: one bracketed parse per input line, in order."""
from __future__ import annotations

import click

from ._common import output_option, quiet_option, segmenter_from_cli, segmenter_options

_CHUNK = 4096


@click.command("parse")
@click.argument("corpus", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("-t", "--templates", "templates_path", type=click.Path(dir_okay=False), required=True,
              help="Templates from `nlpzero templates` (jsonl keeps the code; tsv works too).")
@output_option
@click.option("--segmented", is_flag=True, help="CORPUS is already segmented (space-separated tokens).")
@segmenter_options
@click.option("--encoding", default="utf-8", show_default=True, help="Input encoding (e.g. gb18030).")
@quiet_option
def command(corpus, templates_path, output, segmented, lexicon, dict_, user_dicts, max_word_len, encoding, quiet):
    """Parse every line of CORPUS (`-` = standard input) into nested templates: the parse of
    minimum description length, one output line per input line, in input order, streaming.

    \b
    Output: a template block is written [w1 (filler) w2 ...], a flat filler (w w), a flat
    piece as its bare tokens; punctuation between pieces as it is. E.g.
      [据 新华社 (北京 １月 １日) 电]

    \b
    Examples:
      nlpzero templates news.seg.txt --segmented --format jsonl -o news.tpl.jsonl
      nlpzero parse news.seg.txt --segmented --templates news.tpl.jsonl -o news.parse.txt
    """
    from .._io import open_output
    from ..corpus import Corpus
    from ..templates import Templates, parse_many

    ts = Templates.load(templates_path)
    corpus_obj = Corpus(corpus, encoding=encoding)
    if segmented:
        if lexicon is not None or dict_ is not None or user_dicts or max_word_len is not None:
            raise click.UsageError("--segmented input is not segmented again: drop --lexicon/--dict/--user-dict/--max-word-len")
        seg = None
    else:
        seg = segmenter_from_cli(corpus_obj, lexicon, dict_, user_dicts, quiet=quiet, max_word_len=max_word_len)
    n = 0
    with open_output(output) as out:
        buf = []
        for p in parse_many(corpus_obj, ts, segmenter=seg):
            buf.append(p.to_brackets())
            n += 1
            if len(buf) >= _CHUNK:
                out.write("\n".join(buf) + "\n")
                buf.clear()
        if buf:
            out.write("\n".join(buf) + "\n")
    if not quiet and output not in (None, "-"):
        click.echo(f"parse: {n:,} lines -> {output}", err=True)
