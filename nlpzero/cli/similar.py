"""``nlpzero similar``: nearest texts to each query by exact WMD or WRD.

Usage::

    nlpzero similar QUERY_FILE DOCS_FILE --vectors VEC [--metric wmd|wrd] [-k 10] [-o OUT]

Each line of QUERY_FILE is a query and each line of DOCS_FILE a document, as space-separated
tokens (segment raw text first, e.g. with ``nlpzero segment``; ``--chars`` treats every
non-space character as a token instead). VEC is a word2vec text file or an ``.npz`` with arrays
``words`` and ``vectors`` (what ``nlpzero.word_vectors`` saves). Output is TSV with a header:
query line, rank, document line, distance, document text. Documents with no in-vocabulary token
are never listed; a query without one is reported on stderr and skipped.
"""
from __future__ import annotations

import click

from ._common import limited, output_option, quiet_option


def _read_lines(path: str, encoding: str) -> list[str]:
    from ..corpus import Corpus

    return list(Corpus(path, encoding=encoding).lines())


def _tokenize(line: str, chars: bool) -> list[str]:
    return [c for c in line if not c.isspace()] if chars else line.split()


@click.command(name="similar")
@click.argument("query_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.argument("docs_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--vectors", "vectors_path", required=True, type=click.Path(dir_okay=False),
              help="Word vectors: word2vec text file, or .npz with arrays `words` and `vectors`.")
@click.option("--metric", type=click.Choice(["wmd", "wrd"]), default="wmd", show_default=True,
              help="Word Mover's Distance (Euclidean) or Word Rotator's Distance (1 - cos, norm weights).")
@click.option("-k", "k", type=limited("k"), default=10, show_default=True, help="Neighbours per query.")
@click.option("--chars", is_flag=True, help="Every non-space character is a token (unsegmented text).")
@click.option("--encoding", default="utf-8", show_default=True, help="Encoding of the text files.")
@output_option
@quiet_option
def command(query_file, docs_file, vectors_path, metric, k, chars, encoding, output, quiet):
    """Exact top-k nearest documents for every query line, by WMD or WRD."""
    if query_file == "-" and docs_file == "-":
        raise click.UsageError("QUERY_FILE and DOCS_FILE cannot both be standard input")
    from .._io import open_output
    from ..distance import TextIndex
    from ..vectors import load_vectors

    vectors = load_vectors(vectors_path, encoding=encoding)
    queries = _read_lines(query_file, encoding)
    lines = _read_lines(docs_file, encoding)
    index = TextIndex([_tokenize(line, chars) for line in lines], vectors, metric=metric, empty_value=float("inf"))
    solved = 0
    with open_output(output) as out:
        out.write("query\trank\tdoc\tdistance\ttext\n")
        for qno, qline in enumerate(queries, 1):
            tokens = _tokenize(qline, chars)
            if not any(t in vectors for t in tokens):
                if not quiet:
                    click.echo(f"nlpzero: query line {qno} has no in-vocabulary token; skipped", err=True)
                continue
            result = index.search(tokens, k=k)
            solved += result.n_solved
            for rank, (idx, dist) in enumerate(result.to_list(), 1):
                if dist == float("inf"):
                    break
                out.write(f"{qno}\t{rank}\t{idx + 1}\t{dist:.10g}\t{lines[idx]}\n")
    if not quiet:
        click.echo(
            f"similar: {len(queries)} queries x {len(lines)} documents, {solved} exact {metric.upper()} solves",
            err=True,
        )
