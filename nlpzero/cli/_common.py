"""Options and helpers shared by the commands."""
from __future__ import annotations

import math

import click

from .._limits import LIMITS


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

quiet_option = click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")

output_option = click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    default=None,
    help="Write here (atomically: temp file + rename) instead of standard output.",
)


def text_input_options(f):
    """--encoding, --errors and --no-normalize, for commands that read text (SPEC §0)."""
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


def corpus_from_cli(path: str, encoding: str, errors: str, no_normalize: bool):
    """Open CORPUS as given on the command line (``-`` is standard input)."""
    from ..corpus import Corpus

    return Corpus(path, encoding=encoding, errors=errors, normalize=not no_normalize)


def segmenter_options(f):
    """--lexicon, --dict, --user-dict and --max-word-len: how a command that segments raw text
    gets its words."""
    f = click.option("--max-word-len", "max_word_len", type=click.IntRange(1, 8), default=None,
                     help="Longest word of the segmenter learned from the input when neither --lexicon "
                          "nor --dict is given [default: 4].")(f)
    f = click.option("--user-dict", "user_dicts", multiple=True, type=click.Path(dir_okay=False),
                     help="Dictionary merged on top (repeatable; jieba user-dictionary format or TSV).")(f)
    f = click.option("--dict", "dict_", metavar="jieba|PATH", default=None,
                     help="A dictionary: `jieba` for jieba's own, or a file (jieba `word freq [tag]` or TSV).")(f)
    f = click.option("--lexicon", type=click.Path(dir_okay=False), default=None,
                     help="An nlpzero lexicon TSV (word<TAB>count...), e.g. from `nlpzero discover`.")(f)
    return f


def segmenter_from_cli(corpus, lexicon, dict_, user_dicts, mode=None, quiet=False, max_word_len=None):
    """The Segmenter the options ask for; with neither --lexicon nor --dict, one learned from
    ``corpus`` itself (unsupervised, nlpzero.learn_segmenter, words of at most ``max_word_len``
    characters), which must then be re-readable."""
    from ..segment import Segmenter

    if lexicon is not None and dict_ is not None:
        raise click.UsageError("pass either --lexicon or --dict, not both")
    if lexicon is not None or dict_ is not None:
        if max_word_len is not None:
            raise click.UsageError("--max-word-len applies to a learned segmenter, not to --lexicon/--dict")
        return Segmenter(lexicon if lexicon is not None else dict_, mode=mode, user_dicts=user_dicts)
    try:
        from ..discovery import learn_segmenter
    except ImportError:
        raise click.UsageError(
            "unsupervised segmentation is not available in this build: pass --lexicon or --dict"
        ) from None
    if not corpus.reiterable:
        raise click.UsageError("learning a lexicon reads INPUT twice, so it must be a file, not a "
                               "stream; pass --lexicon or --dict to segment standard input")
    kwargs = {} if max_word_len is None else {"max_word_len": max_word_len}
    seg = learn_segmenter(corpus, progress=not quiet, **kwargs)
    if mode not in (None, seg.mode):
        raise click.UsageError("--mode applies to --lexicon/--dict, not to a learned segmenter")
    for path in user_dicts:
        seg.load_userdict(path)
    return seg


def write_partition(output, result, item: str, group: str) -> None:
    """Write an InfomapResult as TSV ``item, group, flow`` (groups numbered from 1) to ``output``
    (a path, written atomically, or ``-``/None for standard output)."""
    from .._io import open_output

    with open_output(output) as out:
        out.write(f"{item}\t{group}\tflow\n")
        for name, module, flow in result.to_rows():
            out.write(f"{name}\t{module + 1}\t{flow:.12g}\n")
