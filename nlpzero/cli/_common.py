"""Options and helpers shared by the commands."""
from __future__ import annotations

import click

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
