"""mkdocs hooks of the nlpzero docs site.

- ``<!-- nlpzero-help: COMMAND -->`` in a page is replaced by the output of ``nlpzero COMMAND
  --help`` (``<!-- nlpzero-help -->`` alone: the top-level help), rendered from the click
  commands at build time, so the command-line reference cannot drift from the program; a
  command without a section in cli.md gets one appended.
- Pages that other lines of work add (``OPTIONAL_PAGES``) are dropped from the navigation, with
  a note in the build log, until their file exists; every other missing page stays an error
  under ``mkdocs build --strict``.
"""
from __future__ import annotations

import logging
import os
import re
import sys

log = logging.getLogger("mkdocs.hooks.nlpzero")

OPTIONAL_PAGES = {"jieba.md", "templates.md"}
_HELP = re.compile(r"<!--\s*nlpzero-help(?::\s*([\w-]+))?\s*-->")


def _prune(nav, docs_dir):
    out = []
    for item in nav:
        if isinstance(item, dict):
            (title, value), = item.items()
            if isinstance(value, list):
                out.append({title: _prune(value, docs_dir)})
                continue
            if value in OPTIONAL_PAGES and not os.path.exists(os.path.join(docs_dir, value)):
                log.info("nav: %s is not written yet; left out", value)
                continue
        out.append(item)
    return out


def on_config(config, **kwargs):
    # document the checkout being built (also when nlpzero is not installed)
    root = os.path.dirname(os.path.abspath(config["config_file_path"]))
    if root not in sys.path:
        sys.path.insert(0, root)
    config["nav"] = _prune(config["nav"], config["docs_dir"])
    return config


def _help(command: str | None) -> str:
    from click.testing import CliRunner

    from nlpzero.cli import main

    args = ([command] if command else []) + ["--help"]
    result = CliRunner().invoke(main, args, prog_name="nlpzero", terminal_width=100)
    if result.exit_code != 0:
        raise RuntimeError(f"nlpzero {' '.join(args)} failed: {result.output}")
    return "```text\n" + result.output.rstrip() + "\n```"


def on_page_markdown(markdown, page, config, files, **kwargs):
    if page.file.src_uri == "cli.md":
        # every command gets a section, also one added after this page was last edited
        from nlpzero.cli import COMMANDS

        documented = {m.group(1) for m in _HELP.finditer(markdown)}
        for name, (_, short) in COMMANDS.items():
            if name not in documented:
                markdown += f"\n\n## {name}\n\n{short}\n\n<!-- nlpzero-help: {name} -->\n"
    return _HELP.sub(lambda m: _help(m.group(1)), markdown)
