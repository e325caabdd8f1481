"""The ``nlpzero`` command line: a thin layer, one call into the public API per command.

Commands live one per module in this package and are imported only when run, so
``nlpzero --help`` is fast. User errors print one line on stderr and exit 1 (usage errors 2);
set ``NLPZERO_DEBUG=1`` to get the traceback instead.
"""
from __future__ import annotations

import os
import sys
from importlib import import_module

import click

from .._version import __version__
from ..errors import NlpzeroError

# command name -> (module under nlpzero.cli defining `command`, one-line help)
COMMANDS = {
    "discover": ("discover", "Discover the words of a corpus (mutual information or minimum entropy)."),
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
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("nlpzero: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            # the reader went away (e.g. `| head`): not an error, and no traceback
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(0)
        except (NlpzeroError, OSError, ValueError, TypeError, MemoryError) as exc:
            if os.environ.get("NLPZERO_DEBUG"):
                raise
            message = str(exc) or type(exc).__name__
            if isinstance(exc, OSError) and getattr(exc, "filename", None) and exc.strerror:
                message = f"{exc.filename}: {exc.strerror}"
            elif isinstance(exc, MemoryError):
                message = f"out of memory ({message}); lower --max-memory or use a smaller input"
            click.echo(f"nlpzero: error: {message}", err=True)
            sys.exit(1)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="nlpzero")
def main():
    """nlpzero: unsupervised Chinese NLP from raw text.

    Every command reads UTF-8 by default (--encoding for others); CORPUS may be `-` for
    standard input. Results go to standard output, or atomically to -o FILE.
    """
