"""``nlpzero cluster CORPUS``: word classes from PMI word vectors, a kNN graph and InfoMap."""
from __future__ import annotations

import click

from ._common import (
    limited,
    output_option,
    quiet_option,
    segmenter_options,
    segmenter_unless_segmented,
    write_partition,
)


@click.command(
    "cluster",
    help=(
        "Cluster the words of a corpus into classes: PMI word vectors, each word linked "
        "to its K most cosine-similar words, the graph partitioned by InfoMap.\n\n"
        "CORPUS is raw text, segmented first: with a segmenter learned from CORPUS itself "
        "(unsupervised, as `nlpzero segment` does), or with --lexicon/--dict. With --segmented "
        "it is already segmented: one sentence per line, words separated by spaces. "
        "(`-` is not accepted: the corpus is read more than once.) Writes TSV 'word, class, flow' "
        "(classes numbered from 1, largest first)."
    ),
)
@click.argument("corpus", type=click.Path(exists=True, dir_okay=False))
@click.option("--segmented", is_flag=True, help="CORPUS is already segmented (space-separated words).")
@segmenter_options
@click.option("-k", "k", type=limited("k"), default=10, show_default=True, help="Nearest neighbours per word.")
@click.option("--dim", type=limited("dim"), default=None, help="Vector dimension [default: about 8.33·ln(vocabulary)].")
@click.option("--window", type=limited("window"), default=5, show_default=True,
              help="Co-occurrence window (tokens each side).")
@click.option("--min-count", type=limited("min_count"), default=5, show_default=True, help="Ignore rarer words.")
@click.option("--max-vocab", type=limited("max_vocab"), default=None, help="Keep only the most frequent words.")
@click.option("--num-trials", "num_trials", type=limited("num_trials"), default=10, show_default=True,
              help="InfoMap trials.")
@click.option("--seed", type=limited("seed"), default=0, show_default=True, help="Random seed (deterministic).")
@click.option("--save-vectors", "vectors_out", type=click.Path(dir_okay=False), default=None,
              help="Also save the word vectors here (.npz with 'words' and 'vectors').")
@click.option("--encoding", default="utf-8", show_default=True, help="Input encoding (e.g. gb18030).")
@output_option
@quiet_option
def command(corpus, segmented, lexicon, dict_, user_dicts, max_word_len, k, dim, window, min_count, max_vocab,
            num_trials, seed, vectors_out, encoding, output, quiet):
    from ..corpus import Corpus
    from ..vectors import cluster_words, word_vectors

    source = corpus if segmented else Corpus(corpus, encoding=encoding)
    seg = segmenter_unless_segmented(source, segmented, lexicon, dict_, user_dicts, quiet, max_word_len)
    wv = word_vectors(source, dim=dim, window=window, min_count=min_count, max_vocab=max_vocab, seed=seed,
                      encoding=encoding, segmenter=seg)
    if vectors_out:
        wv.save(vectors_out)
    result = cluster_words(wv, k=k, num_trials=num_trials, seed=seed)
    write_partition(output, result, "word", "class")
    if not quiet:
        click.echo(
            f"{len(wv)} words, {wv.dim} dimensions, {result.num_modules} classes, "
            f"codelength {result.codelength:.6f} bits (one class: {result.one_level_codelength:.6f})",
            err=True,
        )
