"""``nlpzero learn``: learn an unsupervised segmenter from raw text and save it as a model file."""
from __future__ import annotations

import click

from ._common import (
    client_from_cli,
    is_url,
    learn_kwargs,
    learning_options,
    limited,
    quiet_option,
    scheduler_option,
)


@click.command("learn")
@click.argument("corpus", type=click.Path(allow_dash=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="The model file to write (atomically).")
@click.option("--max-word-len", "max_word_len", type=limited("max_word_len"), default=None,
              help="Longest word the segmenter proposes, in symbols [default: 4].")
@learning_options
@click.option("--encoding", default="utf-8", show_default=True, help="Input encoding.")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Undecodable bytes: stop with an error, or replace them with U+FFFD.")
@scheduler_option
@quiet_option
def command(corpus, output, max_word_len, refine, min_count, max_memory, method, long_words, encoding, errors,
            scheduler, quiet):
    """Learn a word segmenter from the raw text CORPUS (no dictionary) and write it to -o MODEL.

    The model is a versioned, checksummed file (not a pickle: safe to load from anyone): the
    joint model's perceptron (--method joint) or nVBE's words and scores (--method nvbe). Segment
    any text with it: `nlpzero segment INPUT --model MODEL`, or in Python
    `nlpzero.load_model(MODEL)`. CORPUS may be `-` for standard input.

    \b
    Example:
      nlpzero learn news.txt -o news.model
      nlpzero segment other.txt --model news.model -o other.seg.txt
      nlpzero learn news.txt --method nvbe -o news-nvbe.model   # words you can add to
    """
    from ..corpus import Corpus
    from ..unsupervised import learn_segmenter

    # learning reads a one-shot input (standard input) once, holding at most its sample
    # (nlpzero._sample); the cluster's reader copies one itself when it counts the whole input
    source = corpus if scheduler is not None and is_url(corpus) else Corpus(corpus, encoding=encoding,
                                                                            errors=errors)
    with client_from_cli(scheduler) as client:
        seg = learn_segmenter(source, progress=not quiet, encoding=encoding, errors=errors, client=client,
                              **learn_kwargs(max_word_len, min_count, max_memory, refine, method, long_words))
    seg.save(output)
    if not quiet:
        if getattr(seg, "method", None) == "joint":
            learned = seg.learned or {}
            click.echo(f"joint model, {seg.perceptron.epochs} perceptron epochs on "
                       f"{learned.get('sample_characters', 0)} of {learned.get('characters', 0)} "
                       f"characters -> {output}", err=True)
        else:
            click.echo(f"{len(seg)} words -> {output}", err=True)
