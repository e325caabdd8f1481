"""The ``nlpzero`` command line: a thin layer, one call into the public API per command.

Commands live one per module in this package and are imported only when run, so
``nlpzero --help`` is fast. User errors (nlpzero's own exceptions and ``OSError``) print one line
on stderr and exit 1 (usage errors and bad option values 2); any other exception is a bug and
keeps its traceback. Set ``NLPZERO_DEBUG=1`` to get the traceback of user errors too.
"""
from __future__ import annotations

import errno
import os
import sys
from importlib import import_module

import click

from .._version import __version__
from ..errors import DecodeError, NlpzeroError, ParameterError, ResourceLimitError

# command name -> (module under nlpzero.cli defining `command`, one-line help)
COMMANDS = {
    "discover": ("discover", "Discover the words of a corpus (mutual information or minimum entropy)."),
    "learn": ("learn", "Learn a word segmenter from raw text and save it as a model file."),
    "segment": ("segment", "Segment text into words (any size, all cores; jieba dictionaries too)."),
    "ngrams": ("ngrams", "Count character n-grams (orders 1..N) of a corpus."),
    "apriori": ("apriori", "Frequent itemsets and association rules of transactions (one per line)."),
    "cluster": ("cluster", "Word classes of a corpus: PMI word vectors + kNN graph + InfoMap."),
    "communities": ("communities", "Communities of a graph (edge list) with InfoMap."),
    "similar": ("similar", "Nearest texts to each query line by exact WMD or WRD (top-k)."),
    "templates": ("templates", "Sentence templates with gaps ([X]在[X]中[X]), chosen by description length."),
    "parse": ("parse", "Parse each line into nested templates (minimum description length)."),
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        return import_module(f"nlpzero.cli.{COMMANDS[name][0]}").command

    def format_commands(self, ctx, formatter):
        rows = [(name, short) for name, (_, short) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx):
        return run_guarded(super().invoke, ctx)


def _message(exc: BaseException) -> str:
    message = str(exc) or type(exc).__name__
    if isinstance(exc, OSError) and not isinstance(exc, NlpzeroError) and exc.strerror:
        where = exc.filename if exc.filename is not None else None
        message = f"{where}: {exc.strerror}" if where else exc.strerror
    return " ".join(message.split())[:500]      # one line, never a whole input echoed back


def _quiet_stdout() -> None:
    """Point fd 1 at /dev/null so the interpreter's final flush of stdout cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
    except OSError:
        pass


_GENERIC_HINT = "give the right encoding"
# what each command offers for undecodable input: (--encoding, --errors)
_DECODE_OPTIONS = {"ngrams": (True, True), "discover": (True, True), "apriori": (True, True),
                   "segment": (True, True), "cluster": (True, False), "similar": (True, False),
                   "communities": (True, False)}


def _decode_hint(command) -> str:
    encoding, errors = _DECODE_OPTIONS.get(command, (True, True))
    if encoding and errors:
        return "give the right encoding (e.g. --encoding gb18030) or replace bad bytes (--errors replace)"
    if encoding:
        return "give the right encoding (e.g. --encoding gb18030)"
    return "the file must be UTF-8: convert it first (e.g. iconv -f GB18030 -t UTF-8 in.txt > out.txt)"


def run_guarded(func, *args):
    """Run a command body under the CLI's exception policy.

    - nlpzero's own errors (:class:`nlpzero.errors.NlpzeroError`) and ``OSError``: one line on
      stderr, exit 1 (2 for a :class:`~nlpzero.errors.ParameterError`, a bad option value, but
      1 for a :class:`~nlpzero.errors.ResourceLimitError`, which depends on the data);
    - ``MemoryError``: one line, exit 1 (the machine, not nlpzero, ran out);
    - a broken pipe (the reader went away, e.g. ``| head``): quiet, exit 0 as ``head`` expects;
    - Ctrl-C / SIGTERM: "interrupted", exit 130 / 143 (partial outputs are removed by the writer);
    - anything else is a bug in nlpzero and keeps its traceback.

    ``NLPZERO_DEBUG=1`` re-raises everything with its traceback.
    """
    from .._signals import install, restore
    from ..errors import Terminated

    previous = install()
    try:
        return func(*args)
    except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
        raise
    except KeyboardInterrupt:
        _echo_err("nlpzero: interrupted")
        sys.exit(130)
    except Terminated as exc:
        _echo_err("nlpzero: terminated")
        sys.exit(128 + exc.signum)
    except BrokenPipeError:
        if os.environ.get("NLPZERO_DEBUG"):
            raise
        _quiet_stdout()
        sys.exit(0)
    except (NlpzeroError, OSError, MemoryError) as exc:
        if os.environ.get("NLPZERO_DEBUG"):
            raise
        if isinstance(exc, DecodeError) and _GENERIC_HINT in str(exc) and args:
            exc = DecodeError(exc.path, exc.offset, exc.encoding, getattr(exc, "reason", ""),
                              _decode_hint(getattr(args[0], "invoked_subcommand", None)))
        if isinstance(exc, MemoryError) and not isinstance(exc, NlpzeroError):
            text = f"out of memory ({_message(exc)}); use a smaller input or stricter thresholds"
        else:
            text = _message(exc)
        if isinstance(exc, OSError) and getattr(exc, "errno", None) == errno.EPIPE:
            _quiet_stdout()
            sys.exit(0)
        _echo_err(f"nlpzero: error: {text}")
        sys.exit(2 if isinstance(exc, ParameterError) and not isinstance(exc, ResourceLimitError) else 1)
    finally:
        from .._io import remove_pending

        remove_pending()
        restore(previous)


def _echo_err(text: str) -> None:
    try:
        click.echo(text, err=True)
    except (OSError, ValueError):
        pass            # stderr closed too: the exit status still tells


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nlpzero")
def main():
    """nlpzero: unsupervised Chinese NLP from raw text.

    Every command reads UTF-8 by default (--encoding for others); CORPUS may be `-` for
    standard input. Results go to standard output, or atomically to -o FILE.
    """
