"""``nlpzero segment``: segment a text file line by line (any size, all cores)."""
from __future__ import annotations

import click

from ._common import (
    check_learned_options,
    client_from_cli,
    is_url,
    learn_kwargs,
    learning_options,
    limited,
    output_option,
    quiet_option,
    rereadable,
    scheduler_option,
    segmenter_from_cli,
    segmenter_options,
)


@click.command("segment")
@click.argument("input", type=click.Path(allow_dash=True, dir_okay=False))
@output_option
@click.option("--model", type=click.Path(dir_okay=False), default=None,
              help="A segmenter model written by `nlpzero learn` (or Segmenter.save).")
@segmenter_options
@learning_options
@click.option("--mode", type=click.Choice(["auto", "nlpzero", "jieba"]), default="auto", show_default=True,
              help="Text model: jieba reproduces jieba.lcut(HMM=False); auto = jieba with --dict jieba, "
                   "--hmm or --cut, else nlpzero.")
@click.option("--hmm", is_flag=True,
              help="jieba's default cut: unknown stretches re-cut by its HMM (= jieba.lcut(line)); jieba mode.")
@click.option("--cut", "cut_mode", type=click.Choice(["accurate", "search", "full"]), default="accurate",
              show_default=True,
              help="jieba's cut: accurate, search (lcut_for_search) or full (cut_all=True); jieba mode.")
@click.option("--traditional", is_flag=True,
              help="Match the dictionary on a simplified view of traditional characters (output keeps "
                   "the original characters; needs nlpzero[traditional]).")
@click.option("--force-dict", "force_dicts", multiple=True, type=click.Path(dir_okay=False),
              help="User dictionary whose words are kept whole wherever they occur (repeatable; "
                   "nlpzero mode). Words with spaces or symbols need the TSV syntax word<TAB>count.")
@click.option("-j", "--jobs", type=limited("jobs"), default=None,
              help="Worker processes [default: all cores].")
@click.option("--start-method", type=click.Choice(["fork", "spawn", "forkserver"]), default=None,
              help="How worker processes start [default: the platform's].")
@scheduler_option
@click.option("-d", "--delimiter", default=" ", show_default=True, help="Between tokens.")
@click.option("--encoding", default="utf-8", show_default=True, help="Input encoding (output is UTF-8).")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Undecodable bytes: stop with an error, or replace them with U+FFFD.")
@quiet_option
def command(input, output, model, lexicon, dict_, user_dicts, max_word_len, refine, min_count, max_memory, method,
            long_words, mode, hmm, cut_mode, traditional, force_dicts, jobs, start_method, scheduler, delimiter,
            encoding, errors, quiet):
    """Segment INPUT into words, one output line per input line, tokens joined by spaces.

    INPUT may be `-` for standard input. Output goes to standard output or, atomically, to -o FILE.
    With a --model (from `nlpzero learn`), a --lexicon or a --dict, those words are used. With none
    of them INPUT is segmented by a model learned from INPUT itself (unsupervised): with the joint
    model (the default) its own refined segmentation of INPUT, the tokens of
    nlpzero.segment_unsupervised (the output the benchmarks measure, and cheaper: no perceptron is
    trained). `nlpzero learn INPUT -o MODEL` + `nlpzero segment INPUT --model MODEL` segments with
    the model's perceptron instead, which is what a saved model carries to other text. With
    --method nvbe (with or without --user-dict), or an INPUT larger than the learning sample
    (--max-memory), both ways give the same output.

    \b
    Examples:
      nlpzero segment news.txt --dict jieba -o news.seg.txt
      nlpzero learn news.txt -o news.model && nlpzero segment more.txt --model news.model
      nlpzero segment news.txt --dict jieba --hmm -o news.seg.txt      # = jieba.lcut(line)
      nlpzero segment news.txt --dict jieba --mode nlpzero --force-dict mine.tsv
      nlpzero segment news.txt --lexicon lexicon.tsv --user-dict mine.txt --jobs 8 -o out.txt
      cat news.txt | nlpzero segment - --dict jieba | head
    """
    from ..batch import segment_file
    from ..corpus import Corpus

    jieba_cut = hmm or cut_mode != "accurate"
    if mode == "auto":
        mode = "jieba" if jieba_cut else None
    if jieba_cut and mode != "jieba":
        raise click.UsageError("--hmm and --cut are jieba's cuts: they need --mode jieba (or auto)")
    if force_dicts and (mode == "jieba" or (mode is None and dict_ == "jieba")):
        raise click.UsageError("--force-dict needs --mode nlpzero (jieba mode stays identical to jieba)")
    options = {}
    if jieba_cut:
        options.update(hmm=hmm, cut_mode=cut_mode)
    if traditional:
        options["traditional"] = True
    import multiprocessing

    if start_method is not None and start_method not in multiprocessing.get_all_start_methods():
        raise click.UsageError(f"--start-method {start_method} is not available on this platform")
    if scheduler is not None and (jobs is not None or start_method is not None):
        raise click.UsageError("--jobs and --start-method are for local worker processes, not --scheduler")
    keep = None
    learned = model is None and lexicon is None and dict_ is None
    if scheduler is not None and is_url(input):
        corpus = input              # read by the workers (and here, for learning) through fsspec
    else:
        corpus = Corpus(input, encoding=encoding, errors=errors)
        if learned:
            corpus, keep = rereadable(corpus)        # learned from INPUT, then INPUT is segmented
    with client_from_cli(scheduler) as client:
        if learned and not user_dicts and not force_dicts:
            check_learned_options(mode, options, method)
            from ..unsupervised import segment_unsupervised_file

            result = segment_unsupervised_file(
                corpus, output, delimiter=delimiter, encoding=encoding, errors=errors, progress=not quiet,
                jobs=jobs, start_method=start_method, client=client,
                **learn_kwargs(max_word_len, min_count, max_memory, refine, method, long_words))
        else:       # a model, a dictionary, or a learned nVBE segmenter with words added on top
            seg = segmenter_from_cli(corpus, lexicon, dict_, user_dicts, mode, quiet, max_word_len, options,
                                     model=model, min_count=min_count, max_memory=max_memory, refine=refine,
                                     method=method, force_dicts=force_dicts, client=client, long_words=long_words)
            result = segment_file(corpus, output, segmenter=seg, jobs=jobs, delimiter=delimiter,
                                  progress=not quiet, start_method=start_method, encoding=encoding, errors=errors,
                                  client=client)
    del keep
    if not quiet and output not in (None, "-"):
        click.echo(f"{result.lines} lines, {result.bytes_in / 1e6:.1f} MB in {result.seconds:.1f}s "
                   f"({result.mb_per_s:.1f} MB/s, {result.jobs} jobs) -> {output}", err=True)

