"""Options and helpers shared by the commands."""
from __future__ import annotations

import contextlib
import math

import click

from .._limits import LIMITS
from .._reading import is_url


def limited(key: str, *, zero_means_none: bool = False) -> click.ParamType:
    """The click type of an option bounded by ``nlpzero._limits.LIMITS[key]`` (the table the API
    checks too), so a huge, infinite or NaN value is a usage error (exit 2) naming the option.
    ``zero_means_none`` also admits 0 (options documented as "0 = no limit")."""
    limit = LIMITS[key]
    if limit.kind == "int":
        low = 0 if zero_means_none else limit.minimum
        return click.IntRange(low, limit.maximum)
    return FiniteFloatRange(limit.minimum, limit.maximum, min_open=limit.open_min, max_open=limit.open_max)


class FiniteFloatRange(click.FloatRange):
    """``click.FloatRange`` that also refuses inf and NaN."""

    def convert(self, value, param, ctx):
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number

    def _describe_range(self) -> str:
        if self.min is None and self.max is None:
            return "finite"
        return super()._describe_range()


quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")

output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="Write here (atomically: temp file + rename) instead of standard output.",
)


def text_input_options(f):
    """--encoding, --errors and --no-normalize, for commands that read text."""
    f = click.option(
        "--no-normalize",
        "no_normalize",
        is_flag=True,
        help="Do not map full-width ASCII (U+FF01-FF5E) and U+3000 to ASCII for statistics.",
    )(f)
    f = click.option(
        "--errors",
        type=click.Choice(["strict", "replace"]),
        default="strict",
        show_default=True,
        help="What to do with undecodable bytes: stop with an error, or replace them with U+FFFD.",
    )(f)
    f = click.option(
        "--encoding", default="utf-8", show_default=True, help="Input encoding (e.g. gb18030, big5)."
    )(f)
    return f


class ByteSize(click.ParamType):
    """A size such as ``512M``, ``2G`` or ``1048576`` (bytes)."""

    name = "size"
    _UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}

    def convert(self, value, param, ctx):
        if isinstance(value, int):
            return value
        text = str(value).strip().upper().removesuffix("B").removesuffix("I")
        unit = text[-1:] if text[-1:] in self._UNITS else ""
        try:
            number = float(text[: len(text) - len(unit)])
        except ValueError:
            self.fail(f"{value!r} is not a size like 512M or 2G", param, ctx)
        if not math.isfinite(number) or number <= 0:
            self.fail(f"{value!r} must be a positive finite size", param, ctx)
        size = number * self._UNITS[unit]
        limit = LIMITS["max_memory"]
        if not limit.minimum <= size <= limit.maximum:
            self.fail(f"{value!r} is outside [64K, 1P]", param, ctx)
        return int(size)


def corpus_from_cli(path: str, encoding: str, errors: str, no_normalize: bool, scheduler: str | None = None):
    """Open CORPUS as given on the command line (``-`` is standard input). With ``--scheduler``
    a URL (``s3://...``) is passed on as it is: the workers read it through fsspec."""
    from ..corpus import Corpus

    if scheduler is not None and is_url(path):
        return path
    return Corpus(path, encoding=encoding, errors=errors, normalize=not no_normalize)


def _check_scheduler(ctx, param, value):
    if value is None:
        return None
    from ..distributed import parse_scheduler, require_dask
    from ..errors import DependencyError, ParameterError

    try:
        parse_scheduler(value)
    except ParameterError as exc:
        raise click.BadParameter(str(exc), ctx, param) from None
    try:
        require_dask()
    except DependencyError as exc:
        raise click.UsageError(f"--scheduler needs Dask, which is not installed: {exc.args[0].split(': ')[-1]}",
                               ctx) from None
    return value


scheduler_option = click.option(
    "--scheduler", metavar="ADDRESS|local:N", default=None, callback=_check_scheduler,
    help="Run on a Dask cluster: the address of a running scheduler (e.g. tcp://host:8786) or local:N "
         "(N worker processes started for this run). CORPUS may then be a URL such as s3://bucket/file.txt. "
         "The output is the same, byte for byte. Needs nlpzero[dask].")


@contextlib.contextmanager
def client_from_cli(scheduler: str | None):
    """The Dask client of ``--scheduler`` (None without it), closed (and a ``local:N`` cluster
    stopped) at the end."""
    if scheduler is None:
        yield None
        return
    from ..distributed import connect

    with connect(scheduler) as client:
        yield client


def segmenter_options(f):
    """--lexicon, --dict, --user-dict and --max-word-len: how a command that segments raw text
    gets its words."""
    f = click.option("--max-word-len", "max_word_len", type=limited("max_word_len"), default=None,
                     help="Longest word of the segmenter learned from the input when neither --lexicon "
                          "nor --dict is given [default: 4].")(f)
    f = click.option("--user-dict", "user_dicts", multiple=True, type=click.Path(dir_okay=False),
                     help="Dictionary merged on top (repeatable; jieba user-dictionary format or TSV).")(f)
    f = click.option("--dict", "dict_", metavar="jieba|PATH", default=None,
                     help="A dictionary: `jieba` for jieba's own, or a file (jieba `word freq [tag]` or TSV).")(f)
    f = click.option("--lexicon", type=click.Path(dir_okay=False), default=None,
                     help="An nlpzero lexicon TSV (word<TAB>count...), e.g. from `nlpzero discover`.")(f)
    return f


def learning_options(f):
    """--method, --long-words, --refine, --min-count and --max-memory: how a segmenter is learned from raw text (with
    --max-word-len of :func:`segmenter_options`; ``nlpzero learn`` and ``nlpzero segment``)."""
    f = click.option("--max-memory", type=ByteSize(), default=None,
                     help="Budget while learning (counting, nVBE, the joint model): a corpus of more than "
                          "max-memory / 192 B characters is learned from an evenly spread sample of its lines "
                          "that size, then segmented whole [default: 1G].")(f)
    f = click.option("--min-count", type=limited("min_count"), default=None,
                     help="Pruning bar of the refinement rounds (needs --refine) [default: "
                          "max(2, characters / 500000)].")(f)
    f = click.option("--refine", type=limited("refine"), default=None,
                     help="Rounds of unigram-LM refinement after learning, pruning words below "
                          "--min-count [default: 0].")(f)
    f = click.option("--long-words/--no-long-words", "long_words", default=None,
                     help="The joint model's type-level merges of adjacent words (also past --max-word-len) "
                          "where both of its models gain (--no-long-words: the ICM's words only, about 2 "
                          "CPU-s less on 1.8 M characters) [default: on with --method joint].")(f)
    f = click.option("--method", type=click.Choice(["joint", "nvbe"]), default=None,
                     help=f"Unsupervised model learned: joint = nVBE refined by a word bigram x character "
                          f"model (`learn` also trains the perceptron a saved model segments other text with); "
                          f"nvbe = branching entropy alone (fast) [default: {_default_method()}].")(f)
    return f


def _default_method() -> str:
    try:
        from ..unsupervised import DEFAULT_METHOD
    except ImportError:           # a build without the compiled core: learning is refused anyway
        return "nvbe"
    return DEFAULT_METHOD


def learn_kwargs(max_word_len=None, min_count=None, max_memory=None, refine=None, method=None,
                 long_words=None) -> dict:
    """The learn_segmenter keyword arguments the learning options give (unset ones left out)."""
    if long_words and method == "nvbe":
        raise click.UsageError("--long-words applies to the joint model, not to --method nvbe")
    kwargs = {"max_word_len": max_word_len, "min_count": min_count, "max_memory": max_memory,
              "refine": refine, "method": method, "long_words": long_words}
    return {k: v for k, v in kwargs.items() if v is not None}


def _refuse_words(seg_kind: str, user_dicts, force_dicts, advice: str) -> None:
    flags = [name for name, v in (("--user-dict", user_dicts), ("--force-dict", force_dicts)) if v]
    if flags:
        raise click.UsageError(f"{' and '.join(flags)} apply to a dictionary segmenter, not to {seg_kind}: "
                               f"{advice}")


def check_learned_options(mode=None, options=None, method=None, user_dicts=(), force_dicts=()) -> None:
    """The usage errors of a segmenter learned from the input (no --model, --lexicon or --dict):
    jieba's cuts, --traditional and --mode are for a dictionary, a user dictionary is refused by
    the joint model, and a build without the compiled core cannot learn."""
    if options:
        raise click.UsageError("--hmm, --cut and --traditional apply to --lexicon/--dict, "
                               "not to a learned segmenter")
    try:
        from ..unsupervised import DEFAULT_METHOD
    except ImportError:
        raise click.UsageError(
            "unsupervised segmentation is not available in this build: pass --lexicon or --dict"
        ) from None
    if mode not in (None, "nlpzero"):
        raise click.UsageError("--mode applies to --lexicon/--dict, not to a learned segmenter")
    if (method or DEFAULT_METHOD) == "joint":
        _refuse_words("the joint model", user_dicts, force_dicts, "pass --method nvbe to add words")


def segmenter_from_cli(corpus, lexicon, dict_, user_dicts, mode=None, quiet=False, max_word_len=None,
                       options=None, *, model=None, min_count=None, max_memory=None, refine=None, method=None,
                       force_dicts=(), client=None, long_words=None):
    """The segmenter the options ask for: a saved model (--model, either kind), a dictionary
    (--lexicon, --dict), or with none of them one learned from ``corpus`` itself (unsupervised,
    nlpzero.learn_segmenter, with the learning options), exactly as ``nlpzero learn`` would learn
    it (``nlpzero segment`` itself writes the joint model's own segmentation instead, through
    nlpzero.segment_unsupervised_file, unless words are added on top). ``options``: more
    Segmenter keywords (for --lexicon/--dict only). ``user_dicts`` and ``force_dicts`` are loaded
    on top (a dictionary segmenter only; the joint model refuses
    them). Learning reads ``corpus`` twice: pass a re-readable one (:func:`rereadable` copies a
    stream to a temporary file)."""
    from ..segment import Segmenter

    given = [name for name, v in (("--model", model), ("--lexicon", lexicon), ("--dict", dict_)) if v is not None]
    if len(given) > 1:
        raise click.UsageError(f"pass only one of --model, --lexicon and --dict, not {' and '.join(given)}")
    learning = [name for name, v in (("--method", method), ("--max-word-len", max_word_len),
                                     ("--min-count", min_count), ("--max-memory", max_memory),
                                     ("--refine", refine), ("--long-words/--no-long-words", long_words))
                if v is not None]
    if given:
        if learning:
            raise click.UsageError(f"{', '.join(learning)} apply to a segmenter learned from the input, "
                                   f"not to {given[0]}")
        if model is not None:
            from .._model import load_model

            if options:
                raise click.UsageError("--hmm, --cut and --traditional apply to --lexicon/--dict, not to --model")
            if mode not in (None, "nlpzero"):
                raise click.UsageError("--mode applies to --lexicon/--dict, not to --model")
            seg = load_model(model)
            if getattr(seg, "method", None) == "joint":
                _refuse_words(f"the joint model in {model}", user_dicts, force_dicts,
                              "learn the model with `nlpzero learn --method nvbe` to add words")
        else:
            seg = Segmenter(lexicon if lexicon is not None else dict_, mode=mode, user_dicts=user_dicts,
                            **(options or {}))
            user_dicts = ()
    else:
        check_learned_options(mode, options, method, user_dicts, force_dicts)
        from ..unsupervised import learn_segmenter

        seg = learn_segmenter(corpus, progress=not quiet, client=client,
                              **learn_kwargs(max_word_len, min_count, max_memory, refine, method, long_words))
    for path in user_dicts:
        seg.load_userdict(path)
    for path in force_dicts:
        seg.load_userdict(path, force=True)
    return seg


def segmenter_unless_segmented(corpus, segmented, lexicon, dict_, user_dicts, quiet=False, max_word_len=None):
    """None for --segmented input (refusing segmenter options with it), else the segmenter the
    options ask for (:func:`segmenter_from_cli`): the commands that read tokens share this."""
    if segmented:
        if lexicon is not None or dict_ is not None or user_dicts or max_word_len is not None:
            raise click.UsageError("--segmented input is not segmented again: "
                                   "drop --lexicon/--dict/--user-dict/--max-word-len")
        return None
    return segmenter_from_cli(corpus, lexicon, dict_, user_dicts, quiet=quiet, max_word_len=max_word_len)


def rereadable(corpus):
    """``(corpus, keep)``: the corpus itself when it can be read twice, else a temporary copy of
    it (standard input or a pipe) and the object that removes the copy when dropped."""
    if corpus.reiterable:
        return corpus, None
    from .._spill import spill_to_file

    spill = spill_to_file(corpus)
    return spill.corpus, spill


def write_partition(output, result, item: str, group: str) -> None:
    """Write an InfomapResult as TSV ``item, group, flow`` (groups numbered from 1) to ``output``
    (a path, written atomically, or ``-``/None for standard output)."""
    from .._io import open_output

    with open_output(output) as out:
        out.write(f"{item}\t{group}\tflow\n")
        for name, module, flow in result.to_rows():
            out.write(f"{name}\t{module + 1}\t{flow:.12g}\n")
